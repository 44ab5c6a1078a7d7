"""`posjobs check` through the real CLI: formats, selection, exit codes, errors."""

from __future__ import annotations

import io
import json

import pytest

from posjobs.cli.app import main
from posjobs.cli.check import PROGRESS_FROM
from posjobs.cli.output import Output
from posjobs.cli.state import AppState
from posjobs.services.check import check_project
from posjobs.services.check.rules import RULES
from tests.conftest import FIXTURES, run_cli, write_project

VIOLATIONS = str(FIXTURES / "check_violations")
FILES = {
    "app/views/pages/index.liquid": """
        {% background _ = 'jobs/x', source_name: 'ok' %}
        {% background _ = 'jobs/x' %}
        {% background _ = 'jobs/x', source_name: 'clamped', max_attempts: 9 %}
    """,
    "app/lib/jobs/x.liquid": "",
}


@pytest.fixture
def project(tmp_path):
    return write_project(tmp_path / "project", FILES)


def check(project, *args: str):
    return run_cli(["-p", str(project.root), "check", *args])


def test_text_lines_like_ruff_and_a_summary_on_stderr(project):
    result = check(project)
    assert result.exit_code == 0  # a warning and an info: no error
    assert result.stdout.splitlines() == [
        "app/views/pages/index.liquid:2:4: PJ105 background without source_name: logs and job "
        "lists will show a generated name",
        "app/views/pages/index.liquid:3:67: PJ104 background: max_attempts 9 is outside 1..5; "
        "using 5",
    ]
    assert result.stderr.splitlines() == [
        "Found 2 problems (0 errors, 1 warning, 1 info) in 1 file; 2 files checked.",
        "     1  PJ104  max-attempts-out-of-range    warning",
        "     1  PJ105  missing-source-name          info",
    ]
    assert "\x1b[" not in result.stdout + result.stderr  # no colour, no progress bar: not a tty


@pytest.mark.parametrize(("fail_on", "code"), [("error", 0), ("warning", 1), ("info", 1)])
def test_fail_on(project, fail_on, code):
    assert check(project, "--fail-on", fail_on).exit_code == code


def test_errors_fail_the_check():
    assert run_cli(["-p", VIOLATIONS, "check"]).exit_code == 1
    assert run_cli(["-p", VIOLATIONS, "check", "--select", "PJ104,PJ105"]).exit_code == 0


def test_select_and_ignore_comma_separated_or_repeated():
    result = run_cli(["-p", VIOLATIONS, "check", "--format", "json", "--select", "PJ1,PJ2",
                      "--select", "PJ001", "--ignore", "PJ2", "--ignore", "invalid-delay"])
    found = [f["code"] for f in json.loads(result.stdout)["findings"]]
    assert sorted(found) == ["PJ001", "PJ101", "PJ103", "PJ104", "PJ105"]


def test_json(project):
    result = check(project, "--format", "json")
    data = json.loads(result.stdout)
    assert data["files_checked"] == 2
    assert data["summary"] == {"errors": 0, "warnings": 1, "info": 1,
                               "by_rule": {"PJ104": 1, "PJ105": 1}}
    assert data["findings"][0] == {
        "code": "PJ105", "rule": "missing-source-name", "severity": "info",
        "path": "app/views/pages/index.liquid", "line": 2, "column": 4,
        "message": "background without source_name: logs and job lists will show a generated "
                   "name",
        "job": None,
    }
    assert result.stderr == ""


def test_list_rules_needs_no_project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = run_cli(["check", "--list-rules"])
    assert text.exit_code == 0
    assert [line.split()[0] for line in text.stdout.splitlines()] == [r.code for r in RULES]
    assert "PJ201  warning  unpassed-variable" in text.stdout
    data = json.loads(run_cli(["check", "--list-rules", "--format", "json"]).stdout)
    assert data[0] == {
        "code": "PJ001", "rule": "parse-error", "name": "ParseError", "severity": "error",
        "summary": RULES[0].summary, "help": "docs/rules.md#pj001-parse-error",
    }


def test_paths_relative_to_the_current_directory(project, monkeypatch):
    monkeypatch.chdir(project.root / "app" / "views")
    result = run_cli(["check", "pages/index.liquid", "--select", "PJ104"])
    assert result.stdout.startswith("app/views/pages/index.liquid:3:67: PJ104")
    assert "1 file checked" in result.stderr


def test_paths_outside_the_app_are_skipped_and_said_so(project):
    (project.root / "modules" / "m" / "generators").mkdir(parents=True)
    (project.root / "modules" / "m" / "generators" / "g.liquid").write_text("{% if %}")
    result = check(project, str(project.root / "modules"))
    assert result.exit_code == 0
    assert "skipped 1 file(s) that are not part of the app (e.g. modules/m/generators/g.liquid)" \
        in result.stderr


@pytest.mark.parametrize(("args", "code", "message"), [
    (["--select", "PJ999"], 2, "--select 'PJ999': no such rule"),
    (["--ignore", "nonsense"], 2, "--ignore 'nonsense': no such rule"),
    (["--format", "xml"], 2, "'xml' is not one of"),
    (["--fail-on", "never"], 2, "'never' is not one of"),
    (["no/such/file.liquid"], 2, "no/such/file.liquid: no such file or directory"),
])
def test_usage_errors(project, args, code, message):
    result = check(project, *args)
    assert result.exit_code == code
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_no_project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_cli(["check"])
    assert result.exit_code == 3
    assert "no platformOS project found" in result.stderr


def test_user_text_is_printed_literally(tmp_path):
    project = write_project(tmp_path / "p", {
        "app/views/pages/x.liquid": "{{ 'a' | bad[red]\x1b[31m }}",
    })
    result = check(project)
    assert "[red]" in result.stdout or "\\x1b" in result.stdout
    assert "\x1b" not in result.stdout


def test_progress_on_a_terminal_for_large_projects_only(tmp_path):
    files = {f"app/views/partials/p{i}.liquid": "{{ 'x' | upcase }}" for i in range(PROGRESS_FROM)}
    project = write_project(tmp_path / "big", files)
    calls: list[tuple[int, int]] = []
    check_project(project, progress=lambda done, total: calls.append((done, total)))
    assert calls[0] == (1, PROGRESS_FROM) and calls[-1] == (PROGRESS_FROM, PROGRESS_FROM)

    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as done:
        main(["-p", str(project.root), "check"], AppState(output=Output(out, err, color=True)))
    assert done.value.code == 0
    assert "checking" in err.getvalue()  # the bar, drawn on stderr
    assert out.getvalue() == ""
    assert "checking" not in run_cli(["-p", str(project.root), "check"]).stderr  # not a tty
