"""A run's data commits with it: a failed render writes nothing, a failed job attempt's writes
are rolled back, and `{% transaction %}` / `{% rollback %}` undo a part of a run."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_cli, write_project

SCHEMA = """
name: note
properties:
  - name: body
  - name: n
    type: integer
"""
CREATE = """
mutation create($body: String!) {
  record: record_create(record: { table: "note", properties: [{ name: "body", value: $body }] })
  { id body: property(name: "body") }
}
"""
COUNT = """
query { records(per_page: 100, filter: { table: { value: "note" } }, sort: [{ id: { order: ASC } }])
        { total_entries results { body: property(name: "body") } } }
"""


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "project"
    write_project(root, {
        "app/schema/note.yml": SCHEMA,
        "app/graphql/notes/create.graphql": CREATE,
        "app/graphql/notes/all.graphql": COUNT,
        "app/views/pages/notes.liquid": """
            {%- graphql r = 'notes/all' -%}
            {{ r.records.total_entries }}:{{ r.records.results | map: 'body' | join: ',' }}""",
        "app/views/pages/ok.liquid": "{% graphql r = 'notes/create', body: 'from page' %}ok",
        "app/views/pages/broken.liquid": """
            {% graphql r = 'notes/create', body: 'lost' %}
            {% include 'no/such/partial' %}""",
        "app/views/pages/parts.liquid": """
            {%- graphql r = 'notes/create', body: 'kept' -%}
            {%- transaction -%}
              {%- graphql r = 'notes/create', body: 'undone' -%}
              {%- rollback -%}
            {%- endtransaction -%}
            {%- transaction -%}
              {%- graphql r = 'notes/create', body: 'also kept' -%}
            {%- endtransaction -%}done""",
        "app/views/pages/job.liquid": """
            {%- background source_name: 'writes_then_fails', max_attempts: 2 -%}
              {%- graphql r = 'notes/create', body: 'from failing job' -%}
              {%- include 'no/such/partial' -%}
            {%- endbackground -%}
            {%- background source_name: 'writes' -%}
              {%- graphql r = 'notes/create', body: 'from job' -%}
            {%- endbackground -%}queued""",
    })
    return str(root)


def notes(project: str) -> str:
    result = run_cli(["-p", project, "render", "notes"])
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def test_a_successful_render_commits_what_it_wrote(project):
    assert run_cli(["-p", project, "render", "ok"]).exit_code == 0
    assert notes(project) == "1:from page"


def test_a_failed_render_writes_nothing(project):
    result = run_cli(["-p", project, "render", "broken"])
    assert result.exit_code == 4
    assert "no/such/partial" in result.stderr
    assert notes(project) == "0:"


def test_a_rollback_undoes_only_its_transaction(project):
    assert run_cli(["-p", project, "render", "parts"]).stdout.strip() == "done"
    assert notes(project) == "2:kept,also kept"


def test_a_failed_attempt_rolls_back_its_writes_and_a_successful_one_commits(project):
    assert run_cli(["-p", project, "render", "job"]).exit_code == 0
    assert notes(project) == "0:"  # jobs have not run yet
    result = run_cli(["-p", project, "worker", "--fast-forward"])
    assert result.exit_code == 1  # one job ended dead
    jobs = {j["source_name"]: j for j in json.loads(
        run_cli(["-p", project, "jobs", "list", "--json"]).stdout)}
    assert jobs["writes_then_fails"]["status"] == "dead"
    assert jobs["writes_then_fails"]["attempts"] == 2
    assert jobs["writes"]["status"] == "done"
    # Two failed attempts each wrote a note, and each was rolled back with its attempt.
    assert notes(project) == "1:from job"
