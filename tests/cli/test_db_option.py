"""`--db` (and POSJOBS_DB, and `db` in posjobs.toml) names the store: a file, an sqlite:///
URL, or a postgresql:// URL; mistakes are usage errors, an unreachable server exit 5."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_cli, write_project

PAGE = {"app/views/pages/index.liquid": "{% background source_name: 'x' %}{% log 1 %}"
                                        "{% endbackground %}"}


def test_an_sqlite_url_names_the_file(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", PAGE).root
    store = tmp_path / "elsewhere" / "jobs.db"
    result = run_cli(["-p", str(root), "--db", f"sqlite:///{store}", "render", "/"])
    assert result.exit_code == 0, result.stderr
    assert store.exists()
    listed = run_cli(["-p", str(root), "--db", str(store), "jobs", "list", "--json"])
    assert '"status": "scheduled"' in listed.stdout


def test_a_folder_is_not_a_store(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", PAGE).root
    result = run_cli(["-p", str(root), "--db", str(tmp_path), "jobs", "list"])
    assert result.exit_code == 2
    assert "is a folder" in result.stderr


def test_db_in_posjobs_toml_is_relative_to_the_project(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", {**PAGE, "posjobs.toml": 'db = "state/jobs.db"\n'}).root
    assert run_cli(["-p", str(root), "render", "/"]).exit_code == 0
    assert (root / "state" / "jobs.db").exists()


def test_an_unreachable_postgresql_server_exits_5_without_the_password(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", PAGE).root
    result = run_cli(["-p", str(root), "--db", "postgresql://ada:s3cret@127.0.0.1:1/jobs",
                      "jobs", "list"])
    assert result.exit_code == 5
    assert "postgresql://ada:***@127.0.0.1:1/jobs" in result.stderr
    assert "s3cret" not in result.stderr
    assert "Traceback" not in result.stderr


def test_every_command_runs_on_postgresql(tmp_path: Path, pg_server: str,
                                          pg_schema: str) -> None:
    root = write_project(tmp_path / "p", PAGE).root
    db = ["--db", f"{pg_server}?schema={pg_schema}"]
    assert run_cli(["-p", str(root), *db, "render", "/"]).exit_code == 0
    ran = run_cli(["-p", str(root), *db, "worker", "--burst", "--fast-forward"])
    assert ran.exit_code == 0, ran.stderr
    shown = run_cli(["-p", str(root), *db, "jobs", "show", "1"])
    assert shown.exit_code == 0 and "done" in shown.stdout
    logs = run_cli(["-p", str(root), *db, "logs", "--json"])
    assert logs.exit_code == 0 and '"message":"1"' in logs.stdout
    assert not (root / ".posjobs" / "posjobs.db").exists()


@pytest.mark.parametrize("command", [["render", "/", "--run"], ["jobs", "list"]])
def test_posjobs_db_in_the_environment_selects_postgresql(
        tmp_path: Path, pg_server: str, pg_schema: str, monkeypatch: pytest.MonkeyPatch,
        command: list[str]) -> None:
    root = write_project(tmp_path / "p", PAGE).root
    monkeypatch.setenv("POSJOBS_DB", f"{pg_server}?schema={pg_schema}")
    result = run_cli(["-p", str(root), *command])
    assert result.exit_code == 0, result.stderr
    assert not (root / ".posjobs" / "posjobs.db").exists()


def test_a_run_id_selects_that_runs_jobs_and_entries_on_postgresql(
        tmp_path: Path, pg_server: str, pg_schema: str) -> None:
    import json

    root = write_project(tmp_path / "p", PAGE).root
    db = ["--db", f"{pg_server}?schema={pg_schema}"]
    for run_id in ("ci-one", "ci-two"):
        assert run_cli(["-p", str(root), *db, "render", "/", "--run-id", run_id,
                        "--run"]).exit_code == 0
    jobs = json.loads(run_cli(["-p", str(root), *db, "jobs", "list", "--run", "ci-two",
                               "--json"]).stdout)
    assert [job["run_id"] for job in jobs] == ["ci-two"]
    entries = [json.loads(line) for line in run_cli(
        ["-p", str(root), *db, "logs", "--run", "ci-one", "--json", "-n", "100"]
    ).stdout.splitlines()]
    assert entries and {e["data"]["run_id"] for e in entries} == {"ci-one"}
