"""`posjobs render -` (a page's source on standard input) and `posjobs eval` (a snippet in the
project's context, as `pos-cli exec liquid` renders one)."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_cli

FILES = {
    "app/views/layouts/application.liquid": "<main>{{ content_for_layout }}</main>\n",
    "app/views/partials/greet.liquid": "hello {{ name }}",
    "app/schema/note.yml": "name: note\nproperties:\n  - name: text\n",
    "app/graphql/notes/create.graphql": """
        mutation create_note($text: String!) {
          record: record_create(
            record: {table: "note", properties: [{name: "text", value: $text}]}
          ) { id }
        }
        """,
    "app/graphql/notes/count.graphql": """
        query count_notes {
          records(per_page: 1, filter: {table: {value: "note"}}) { total_entries }
        }
        """,
}


@pytest.fixture
def root(make_project):
    return str(make_project(FILES).root)


def test_render_dash_renders_standard_input_as_a_page_of_the_project(root):
    page = "---\nlayout: application\n---\n{% render 'greet', name: context.params.who %}\n"
    result = run_cli(["--project", root, "render", "-", "-P", "who=Ada"], stdin=page)

    assert result.exit_code == 0, result.stderr
    assert result.stdout == "<main>\n\n\nhello Ada\n</main>\n"
    assert "no jobs enqueued" in result.stderr


def test_render_dash_errors_name_stdin_and_the_line(root):
    result = run_cli(["--project", root, "render", "-"], stdin="ok\n{% if %}\n")

    assert result.exit_code == 4
    assert "error: <stdin>:2:" in result.stderr
    assert "Traceback" not in result.stderr


def test_eval_renders_a_snippet_without_a_layout_with_the_projects_partials(root):
    result = run_cli(["--project", root, "eval", "{% render 'greet', name: 'Bo' %}!"])

    assert result.exit_code == 0, result.stderr
    assert result.stdout == "hello Bo!\n"


def test_eval_writes_data_and_stores_jobs_as_a_render_does(root):
    snippet = ("{% graphql r = 'notes/create', text: 'hi' %}"
               "{% background source_name: 'after_note', id: r.record.id %}"
               "{% log id, type: 'noted' %}{% endbackground %}{% log 'made', type: 'made' %}")
    result = run_cli(["--project", root, "eval", snippet, "--json", "--run"])

    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["output"] == ""
    assert [job["source_name"] for job in data["jobs"]] == ["after_note"]
    assert [entry["message"] for entry in data["logs"] if entry["error_type"] == "made"] == ["made"]
    assert data["run"]["ok"] is True
    counted = run_cli(["--project", root, "eval",
                       "{% graphql r = 'notes/count' %}{{ r.records.total_entries }}"])
    assert (counted.exit_code, counted.stdout) == (0, "1\n"), counted.stderr
    listed = run_cli(["--project", root, "jobs", "list", "--json"])
    assert [job["status"] for job in json.loads(listed.stdout)] == ["done"]


def test_eval_reads_a_file_or_standard_input(root, tmp_path):
    script = tmp_path / "script.liquid"
    script.write_text("{{ 2 | plus: 3 }}\n{% if %}", encoding="utf-8")
    result = run_cli(["--project", root, "eval", "-f", str(script)])
    assert result.exit_code == 4
    assert f"{script}:2:" in result.stderr or "script.liquid:2:" in result.stderr

    piped = run_cli(["--project", root, "eval", "-"], stdin="{{ 'x' | upcase }}")
    assert (piped.exit_code, piped.stdout) == (0, "X\n")


def test_eval_needs_exactly_one_source(root, tmp_path):
    neither = run_cli(["--project", root, "eval"])
    assert neither.exit_code == 2
    assert "give the Liquid to render, or --file FILE" in neither.stderr

    missing = run_cli(["--project", root, "eval", "-f", str(tmp_path / "nope.liquid")])
    assert missing.exit_code == 2
    assert "cannot read" in missing.stderr


def test_dash_on_a_terminal_says_to_pipe_the_source_in(root, monkeypatch):
    import io

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    from posjobs.cli.app import main
    from posjobs.cli.output import Output
    from posjobs.cli.state import AppState

    err = io.StringIO()
    state = AppState(output=Output(io.StringIO(), err, color=False), stdin=Terminal())
    with pytest.raises(SystemExit) as done:
        main(["--project", root, "eval", "-"], state)
    assert done.value.code == 2
    assert "standard input, which is a terminal" in err.getvalue()
    assert "posjobs eval - < file.liquid" in err.getvalue()
