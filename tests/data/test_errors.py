"""Data mistakes as a user meets them on the command line: one clear message naming the file
and line, a documented exit code, no traceback, nothing stored lost."""

from __future__ import annotations

import pytest

from tests.conftest import run_cli, write_project

QUERY = 'query { records(per_page: 5, filter: { table: { value: "note" } }) { total_entries } }'


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "project"
    write_project(root, {
        "app/schema/note.yml": "name: note\nproperties:\n  - name: body\n",
        "app/graphql/notes.graphql": QUERY,
        "app/views/pages/notes.liquid": "x\n{% graphql r = 'notes' %}{{ r.records.total_entries }}",
    })
    return root


def test_a_schema_file_with_bad_yaml_names_the_file_and_the_page(project):
    (project / "app/schema/broken.yml").write_text("name: x\nproperties:\n  - name: [\n")
    result = run_cli(["-p", str(project), "render", "notes"])
    assert result.exit_code == 4
    assert "app/views/pages/notes.liquid:2" in result.stderr
    assert "app/schema/broken.yml:" in result.stderr and "not valid YAML" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_damaged_data_store_is_exit_5_and_left_as_it_was(project):
    data = project / ".posjobs" / "data.db"
    data.parent.mkdir(parents=True, exist_ok=True)
    data.write_bytes(b"not a database at all")
    result = run_cli(["-p", str(project), "render", "notes"])
    assert result.exit_code == 5
    assert "data.db" in result.stderr and "Traceback" not in result.stderr
    assert data.read_bytes() == b"not a database at all"


def test_a_query_that_does_not_validate_names_its_file_and_line(project):
    (project / "app/graphql/notes.graphql").write_text("query {\n  records { nope }\n}\n")
    result = run_cli(["-p", str(project), "render", "notes"])
    assert result.exit_code == 4
    assert "app/graphql/notes.graphql:2:" in result.stderr
