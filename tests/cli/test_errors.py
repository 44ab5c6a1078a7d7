"""Bad input gets one clear message, a documented exit code, and leaves the store as it was."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tests.conftest import run_cli

PAGES = {
    "app/views/pages/index.liquid": "{% background _ = 'ok' %}home",
    "app/views/pages/syntax.liquid": "line 1\n{% if %}\n",
    "app/views/pages/unknown_tag.liquid": "line 1\n{% frobnicate x %}",
    "app/views/pages/unknown_filter.liquid": "{{ 'x' | frobnicate }}",
    "app/views/pages/missing_partial.liquid": "{% include 'emails/welcom' %}",
    "app/views/pages/bad_priority.liquid": "1\n2\n{% background _ = 'ok', priority: 'urgent' %}",
    "app/views/pages/unstorable.liquid":
        "{% for i in (1..1) %}{% background _ = 'ok', loop: forloop %}{% endfor %}",
    "app/views/partials/ok.liquid": "",
    "app/views/partials/emails/welcome.liquid": "",
}


@pytest.fixture
def project(make_project):
    project = make_project(PAGES)
    assert run_cli(["-p", str(project.root), "render", "/"]).exit_code == 0  # one job stored
    return project


def jobs_in(project):
    return json.loads(run_cli(["-p", str(project.root), "jobs", "list", "--json"]).stdout)


@pytest.mark.parametrize(("page", "code", "expected"), [
    ("syntax", 4, "app/views/pages/syntax.liquid:2"),
    ("unknown_tag", 4, "app/views/pages/unknown_tag.liquid:2"),
    ("unknown_filter", 4, "unknown filter 'frobnicate'"),
    ("missing_partial", 4, "did you mean 'emails/welcome'"),
    ("bad_priority", 4, "app/views/pages/bad_priority.liquid:3"),
    ("unstorable", 4, "argument 'loop'"),
    ("orders/creat", 3, "no page 'orders/creat'"),
])
def test_template_mistakes_are_one_message_and_store_nothing(project, page, code, expected):
    before = jobs_in(project)
    result = run_cli(["-p", str(project.root), "render", page])
    assert result.exit_code == code
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert jobs_in(project) == before


def test_a_page_not_found_suggests_near_names(project):
    result = run_cli(["-p", str(project.root), "render", "indx"])
    assert result.exit_code == 3
    assert "did you mean 'app/views/pages/index.liquid'" in result.stderr


def test_no_project_found(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("POSJOBS_PROJECT", raising=False)
    result = run_cli(["jobs", "list"])
    assert result.exit_code == 3
    assert "no platformOS project found" in result.stderr
    assert "--project" in result.stderr


def test_unknown_job_id(project):
    for argv in (["jobs", "show", "99"], ["jobs", "run", "99"], ["jobs", "delete", "99"],
                 ["logs", "--job", "99"]):
        result = run_cli(["-p", str(project.root), *argv])
        assert result.exit_code == 3, argv
        assert "no job 99" in result.stderr


def test_a_store_that_is_not_a_posjobs_database(project, tmp_path):
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE notes (x)")
    before = other.read_bytes()
    result = run_cli(["-p", str(project.root), "--db", str(other), "jobs", "list"])
    assert result.exit_code == 5
    assert "not a posjobs store" in result.stderr
    assert other.read_bytes() == before


def test_a_store_from_a_newer_posjobs(project):
    db = project.root / ".posjobs" / "posjobs.db"
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA user_version = 99")
    result = run_cli(["-p", str(project.root), "jobs", "list"])
    assert result.exit_code == 5
    assert "newer posjobs" in result.stderr


def test_a_file_that_is_not_sqlite(project, tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database at all" * 100)
    result = run_cli(["-p", str(project.root), "--db", str(junk), "jobs", "list"])
    assert result.exit_code == 5
    assert junk.read_bytes() == b"this is not a database at all" * 100


@pytest.mark.parametrize("argv", [
    ["render"],
    ["render", "/", "--param", "novalue"],
    ["jobs", "list", "--status", "sleeping"],
    ["worker", "--concurrency", "0"],
    ["jobs", "retry"],
    ["logs", "--since", "yesterday-ish"],
    ["frobnicate"],
])
def test_bad_usage_exits_2_without_a_traceback(project, argv):
    result = run_cli(["-p", str(project.root), *argv])
    assert result.exit_code == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.strip()


def test_a_store_where_no_folder_can_be_made(project, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = run_cli(["-p", str(project.root), "--db", str(blocker / "posjobs.db"), "jobs",
                      "list"])
    assert result.exit_code == 5
    assert "cannot create its folder" in result.stderr
