"""Start-up: `posjobs --help` and `posjobs jobs list` (a small store) against a Typer hello
world run the same way (`python -m ...`), as child-process wall time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks import procs
from benchmarks.config import Config
from benchmarks.projects import fill_store, make_project
from benchmarks.stats import Measurement, Target, paired
from posjobs.store.sqlite import SQLiteStore

NAMES = ("startup_help", "startup_jobs_list")
HELLO = "benchmarks.peers.hello_typer"


def run(cfg: Config, work: Path, shared: dict[str, Any]) -> list[Measurement]:
    make_project(work)
    db = work / "posjobs.db"
    store = SQLiteStore(db)
    fill_store(store, 20)
    store.close()
    commands = {
        "help": procs.posjobs("--help"),
        "hello_help": procs.python_module(HELLO, "--help"),
        "jobs_list": procs.posjobs("jobs", "list", "--project", work, "--db", db),
        "hello": procs.python_module(HELLO, "hello"),
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    for r in range(cfg.startup_rounds):
        names = list(commands) if r % 2 == 0 else list(reversed(commands))
        for name in names:
            times[name].append(procs.wall_time(commands[name]) * 1000)
    within = Target("ratio", "<=", 2.0, "<= 2x the Typer hello world")
    how = "child-process wall time, both as `python -m`, output to /dev/null"
    return [
        paired(times["help"], times["hello_help"], "start-up: `posjobs --help`", "ms",
               name="startup_help", peer_name="Typer hello world --help",
               ratio_meaning="posjobs / hello world", target=within, notes=[how]),
        paired(times["jobs_list"], times["hello"], "start-up: `posjobs jobs list` (20 jobs)",
               "ms", name="startup_jobs_list", peer_name="Typer hello world command",
               ratio_meaning="posjobs / hello world", target=within, notes=[how]),
    ]
