"""Issue 11: options and exit codes that behave the same everywhere, and failures a CI
pipeline can parse (`--json`)."""

from __future__ import annotations

import json

import pytest

from tests.conftest import T0, run_cli

PAGES = {
    "app/views/pages/index.liquid": "{% background _ = 'ok' %}home",
    "app/views/pages/broken.liquid": "line 1\n{% if %}\n",
    "app/views/partials/ok.liquid": "",
}


@pytest.fixture
def project(make_project):
    return make_project(PAGES)


def cli(project, *args: str):
    return run_cli(["-p", str(project.root), *args])


def test_a_job_in_the_wrong_state_has_its_own_exit_code(project, capsys):
    assert cli(project, "render", "/").exit_code == 0
    assert cli(project, "worker", "--burst").exit_code == 0
    killed = cli(project, "jobs", "kill", "1", "--wait", "0")
    assert killed.exit_code == 6
    assert "job 1 is done; only a running job can be killed" in killed.stderr
    ran = cli(project, "jobs", "run", "1")
    assert ran.exit_code == 6
    assert "only scheduled or retry jobs can be run" in ran.stderr
    assert cli(project, "render", "/").exit_code == 0
    retried = cli(project, "jobs", "retry", "2")
    assert retried.exit_code == 6
    capsys.readouterr()
    assert run_cli(["--help"]).exit_code == 0
    assert "6 a job in the wrong state" in " ".join(capsys.readouterr().out.split())


def test_deleting_a_running_job_names_jobs_kill(project, tmp_path):
    import sqlite3

    assert cli(project, "render", "/").exit_code == 0
    db = project.root / ".posjobs" / "posjobs.db"
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE jobs SET status = 'running' WHERE id = 1")
    refused = cli(project, "jobs", "delete", "1")
    assert refused.exit_code == 6
    assert "posjobs jobs kill 1" in refused.stderr


@pytest.mark.parametrize("argv", [
    ["logs", "--no-color", "--project", "{root}"],
    ["jobs", "--project", "{root}", "list"],
    ["jobs", "list", "-p", "{root}", "--no-color"],
    ["logs", "--db={root}/.posjobs/posjobs.db", "--project", "{root}"],
])
def test_global_options_work_after_the_command_name(project, argv, monkeypatch, tmp_path):
    assert cli(project, "render", "/").exit_code == 0
    monkeypatch.chdir(tmp_path)  # no project here: only the options can name it
    result = run_cli([a.replace("{root}", str(project.root)) for a in argv])
    assert result.exit_code == 0, result.stderr


def test_an_unknown_method_is_refused(project):
    result = cli(project, "render", "/", "-X", "FOO")
    assert result.exit_code == 2
    assert "--method 'FOO' is not an HTTP method" in result.stderr
    assert cli(project, "render", "/", "-X", "get").exit_code == 0


def test_purge_offers_only_the_states_it_accepts(project, capsys):
    assert cli(project, "jobs", "purge", "--help").exit_code == 0
    helped = capsys.readouterr().out
    assert "[done|dead]" in helped
    assert "scheduled" not in helped
    assert cli(project, "jobs", "purge", "-s", "running").exit_code == 2


@pytest.mark.parametrize(("argv", "kind", "code", "file", "line"), [
    (["render", "broken", "--json"], "template", 4, "app/views/pages/broken.liquid", 2),
    (["render", "nowhere", "--json"], "not_found", 3, None, None),
    (["jobs", "show", "99", "--json"], "not_found", 3, None, None),
    (["jobs", "list", "--json", "--status", "nope"], "usage", 2, None, None),
    (["render", "/", "--json", "-X", "FOO"], "usage", 2, None, None),
])
def test_with_json_every_failure_prints_one_json_object(project, argv, kind, code, file, line):
    result = cli(project, *argv)
    assert result.exit_code == code
    error = json.loads(result.stdout)["error"]
    assert error["kind"] == kind
    assert error["exit_code"] == code
    assert error["file"] == file
    assert error["line"] == line
    assert error["message"]
    assert "error" in result.stderr.lower()  # the person still reads it on stderr


RUN_PAGES = {
    "app/views/pages/index.liquid": """
        {% log 'page says hi' %}
        {% background _ = 'parent', n: 1 %}
    """,
    "app/views/pages/other.liquid": "{% background _ = 'ok' %}other",
    "app/views/partials/parent.liquid": """
        {% log 'parent ran', type: 'info' %}
        {% background _ = 'child' %}
    """,
    "app/views/partials/child.liquid": "{% log 'child failed', type: 'error' %}",
    "app/views/partials/ok.liquid": "",
}


def test_a_run_id_marks_the_render_its_jobs_and_theirs(make_project):
    project = make_project(RUN_PAGES)
    first = json.loads(cli(project, "render", "/", "--run", "--json", "--run-id", "ci-1").stdout)
    assert first["run_id"] == "ci-1"
    other = cli(project, "render", "other", "--run")
    assert other.exit_code == 0
    listed = json.loads(cli(project, "jobs", "list", "--run", "ci-1", "--json").stdout)
    assert sorted(job["source_name"] for job in listed) == ["child", "parent"]
    assert {job["run_id"] for job in listed} == {"ci-1"}
    entries = [json.loads(line) for line in
               cli(project, "logs", "--run", "ci-1", "--json", "-n", "100").stdout.splitlines()]
    messages = [entry["message"] for entry in entries]
    assert "page says hi" in messages and "parent ran" in messages
    assert "child failed" in messages
    assert all(entry["data"]["run_id"] == "ci-1" for entry in entries)
    assert not any(entry["data"]["source_name"] == "ok" for entry in entries)
    # render --json's logs: exactly `logs --json`'s fields, the jobs' entries included.
    assert first["logs"] == entries
    assert cli(project, "render", "/", "--run-id", "no spaces").exit_code == 2


def test_logs_fail_exits_1_when_an_entry_matches_and_says_when_n_cut(make_project):
    project = make_project(RUN_PAGES)
    assert cli(project, "logs", "--errors", "--fail").exit_code == 0
    assert cli(project, "render", "/", "--run").exit_code == 0
    failing = cli(project, "logs", "--errors", "--fail", "-n", "0")
    assert failing.exit_code == 1
    assert failing.stdout == ""
    cut = cli(project, "logs", "-n", "2")
    assert "older matching entries not shown (-n 2)" in cut.stderr
    assert "not shown" not in cli(project, "logs", "-n", "1000").stderr


def test_clear_refuses_filters_and_deletes_nothing(make_project):
    project = make_project(RUN_PAGES)
    assert cli(project, "render", "/").exit_code == 0
    before = cli(project, "logs", "-n", "1000").stdout
    refused = cli(project, "logs", "--clear", "--job", "1", "-y")
    assert refused.exit_code == 2
    assert "cannot be combined with --job" in refused.stderr
    assert cli(project, "logs", "-n", "1000").stdout == before


def test_a_big_render_shows_the_first_rows_and_a_count(make_project):
    project = make_project({
        "app/views/pages/index.liquid":
            "{% for i in (1..300) %}{% background _ = 'ok', i: i %}{% endfor %}",
        "app/views/partials/ok.liquid": "",
    })
    result = cli(project, "render", "/", "--run-id", "big")
    assert result.exit_code == 0
    assert "300 job(s) enqueued, run big" in result.stderr
    assert "and 280 more: posjobs jobs list --run big" in result.stderr
    assert len(result.stderr.splitlines()) < 30
    ran = cli(project, "render", "/", "--run")
    assert ran.exit_code == 0
    summary = ran.stderr.split("run summary", 1)[1]
    assert "and 280 more: posjobs jobs list" in summary
    assert len(summary.splitlines()) < 30


def test_job_tables_keep_id_source_name_and_status_whole_at_80_columns(make_project):
    import io

    from rich.console import Console

    from posjobs.cli.tables import jobs_table
    from posjobs.store.base import JobFilter
    from posjobs.store.sqlite import SQLiteStore

    project = make_project({
        "app/views/pages/orders/create_with_a_long_name.liquid": """
            {% background _ = 'ok', source_name: 'send_the_order_confirmation_email_now' %}
            {% background _ = 'ok', delay: 5 %}
            {% background source_name: 'inline_one' %}x{% endbackground %}
        """,
        "app/views/partials/ok.liquid": "",
    })
    assert cli(project, "render", "orders/create_with_a_long_name").exit_code == 0
    store = SQLiteStore(project.root / ".posjobs" / "posjobs.db")
    jobs = store.list_jobs(JobFilter())
    store.close()
    for width in (60, 80, 100, 200):
        console = Console(file=io.StringIO(), width=width, no_color=True)
        console.print(jobs_table(jobs, T0, width=width))
        lines = console.file.getvalue().splitlines()  # type: ignore[attr-defined]
        assert lines[0].split()[:3] == ["id", "source_name", "status"], (width, lines)
        assert all(len(line) <= width for line in lines), (width, lines)
        assert len(lines) == 4, (width, lines)  # one line per job: nothing wrapped
        text = "\n".join(lines)
        assert "send_the_order_confirmation_email_now" in text
        assert all(f" {job.id} " in f" {line} " for job, line in zip(jobs, lines[1:], strict=True))
        assert text.count("scheduled") == 3
    assert "kind" in lines[0] and "runs at" in lines[0]  # at 200, everything


def test_jobs_show_prints_each_error_whole_on_its_own_line(make_project):
    message = "this job failed on purpose " + "with a long explanation " * 8
    project = make_project({
        "app/views/pages/index.liquid":
            "{% background _ = 'boom', max_attempts: 2 %}",
        "app/views/partials/boom.liquid": "{% liquid\n  assign x = '" + message
                                          + "' | frobnicate\n%}",
    })
    assert cli(project, "render", "/", "--run").exit_code == 1
    shown = cli(project, "jobs", "show", "1")
    assert shown.exit_code == 0
    lines = shown.stdout.splitlines()
    errors = [line for line in lines if "frobnicate" in line and not line.startswith("[")]
    assert [line.split()[0] for line in errors] == ["error", "#1", "#2"], lines
    assert all(line.rstrip().endswith("'frobnicate'") for line in errors), errors


def test_fast_forward_stamps_entries_with_the_real_time_and_shows_the_simulated_one(
        make_project):
    import time
    from datetime import datetime

    def parse_iso(text: str) -> float:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()

    project = make_project({
        "app/views/pages/index.liquid": "{% background _ = 'later', delay: 60 %}",
        "app/views/partials/later.liquid": "{% log 'an hour later' %}",
    })
    before = time.time()
    assert cli(project, "render", "/", "--run").exit_code == 0
    after = time.time()
    entries = [json.loads(line) for line in
               cli(project, "logs", "--json", "-n", "100").stdout.splitlines()]
    stamps = [parse_iso(entry["created_at"]) for entry in entries]
    assert stamps == sorted(stamps)
    assert all(before - 1 <= stamp <= after + 1 for stamp in stamps)
    logged = next(entry for entry in entries if entry["message"] == "an hour later")
    assert parse_iso(logged["data"]["simulated_at"]) >= before + 3590
    assert cli(project, "logs", "--since", "1m", "-n", "100").stdout.count("an hour later") == 1
    shown = cli(project, "logs", "-n", "100").stdout
    assert "fast-forward clock" in shown.split("an hour later", 1)[1].splitlines()[1]


def test_liquid_limits_are_settable_in_posjobs_toml(make_project):
    project = make_project({
        "app/views/pages/index.liquid": "{% for i in (1..50) %}{{ i }}{% endfor %}",
        "app/views/pages/deep.liquid": "{% include 'deep' %}",
        "app/views/partials/deep.liquid": "{% include 'deep' %}",
    })
    assert cli(project, "render", "/").exit_code == 0
    (project.root / "posjobs.toml").write_text("[limits]\nloop_iterations = 10\n"
                                               "context_depth = 5\n")
    looped = cli(project, "render", "/")
    assert looped.exit_code == 4
    assert "loop iteration limit reached" in looped.stderr.lower()
    deep = cli(project, "render", "deep")
    assert deep.exit_code == 4
    assert "maximum context depth reached" in deep.stderr.lower()
    (project.root / "posjobs.toml").write_text("[limits]\nloops = 10\n")
    wrong = cli(project, "render", "/")
    assert wrong.exit_code == 2
    assert "[limits] has no loops; it takes loop_iterations" in wrong.stderr
