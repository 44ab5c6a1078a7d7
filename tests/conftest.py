"""Shared fixtures: projects written to temporary directories, real SQLite stores, a manual
clock, and the real CLI run in-process with captured streams."""

from __future__ import annotations

import io
import os
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from posjobs.cli.app import main
from posjobs.cli.output import Output
from posjobs.cli.state import AppState
from posjobs.clock import ManualClock
from posjobs.config import Settings
from posjobs.liquid import Dialect
from posjobs.project import Project
from posjobs.store.sqlite import SQLiteStore
from tests.pgserver import MACHINE_SERVER, Throwaway, answers

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
T0 = 1_795_000_000.0  # a fixed "now" for tests: 2026-11-18T...Z


def write_project(root: Path, files: dict[str, str]) -> Project:
    """Write `files` (project-relative path -> text, dedented) under `root`."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    (root / "app").mkdir(parents=True, exist_ok=True)
    return Project(root)


@pytest.fixture
def make_project(tmp_path: Path) -> Callable[[dict[str, str]], Project]:
    def make(files: dict[str, str]) -> Project:
        return write_project(tmp_path / "project", files)

    return make


@pytest.fixture
def store(tmp_path: Path):  # type: ignore[no-untyped-def]
    s = SQLiteStore(tmp_path / "store.db")
    yield s
    s.close()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def settings() -> Settings:
    return Settings()


@pytest.fixture
def dialect_for() -> Callable[[Project], Dialect]:
    return Dialect


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str


def run_cli(argv: list[str], clock: ManualClock | None = None, stdin: str = "") -> CliResult:
    """Run `posjobs argv` in-process through the real entry point, `stdin` its input."""
    out, err = io.StringIO(), io.StringIO()
    state = AppState(output=Output(out, err, color=False), stdin=io.StringIO(stdin))
    if clock is not None:
        state.clock = clock
    try:
        main(argv, state)
        code = 0
    except SystemExit as done:
        code = int(done.code or 0)
    return CliResult(code, out.getvalue(), err.getvalue())


@pytest.fixture
def cli() -> Callable[..., CliResult]:
    return run_cli


# --- PostgreSQL ---------------------------------------------------------------------------------
# The server the machines this project is built on run (trust authentication, database `test`);
# POSJOBS_TEST_PG names another. Without either, a throwaway server is started for the session
# (tests/pgserver.py), or else the PostgreSQL tests are skipped with one line saying why.
# Each test gets a schema of its own, dropped afterwards.
PG_SERVER = os.environ.get("POSJOBS_TEST_PG", MACHINE_SERVER)
_PG: dict[str, str | None] = {}


@pytest.fixture(scope="session")
def pg_server():  # type: ignore[no-untyped-def]
    if "url" not in _PG:
        reason = answers(PG_SERVER)
        url: str | None = PG_SERVER
        throwaway = Throwaway()
        if reason is not None and "POSJOBS_TEST_PG" not in os.environ \
                and reason != "psycopg is not installed":
            url, why = throwaway.start()
            reason = None if url else why
        _PG["url"], _PG["reason"] = (None, reason) if reason else (url, None)
        if url and not reason and throwaway.folder is not None:
            _THROWAWAY.append(throwaway)
    if _PG["url"] is None:
        pytest.skip(_PG["reason"] or "no PostgreSQL server")
    yield _PG["url"]


_THROWAWAY: list[Throwaway] = []


def pytest_sessionfinish(session: pytest.Session) -> None:
    for server in _THROWAWAY:
        server.stop()


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    if _PG.get("reason"):
        terminalreporter.write_line(f"PostgreSQL tests skipped: {_PG['reason']}")
    elif _THROWAWAY:
        terminalreporter.write_line("PostgreSQL tests ran on a throwaway server "
                                    "(none answered at " + PG_SERVER + ")")


@pytest.fixture
def pg_schema(pg_server: str):  # type: ignore[no-untyped-def]
    """A fresh schema name on the test server, dropped after the test (with the data
    store's `<name>_data` beside a job store's `?schema=<name>`)."""
    import uuid

    import psycopg

    name = "t_" + uuid.uuid4().hex[:12]
    yield name
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {name}, {name}_data CASCADE")


@pytest.fixture
def own_server(pg_server: str):  # type: ignore[no-untyped-def]
    """A throwaway server for this test alone, which it may stop, start and restart: (the
    `Throwaway`, its URL). Skipped, with the reason, where none can be started."""
    server = Throwaway()
    started, why = server.start()
    try:
        if started is None:
            pytest.skip(why)
        yield server, started
    finally:
        server.stop()
