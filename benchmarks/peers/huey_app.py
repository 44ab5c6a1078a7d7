"""Huey, the peer: a SqliteHuey on a file, and the no-op task its consumer runs.

The consumer (`huey_consumer benchmarks.peers.huey_app.huey`) finds the file in the
environment variable BENCH_HUEY_DB; the harness calls `make_huey(path)` itself.
"""

from __future__ import annotations

import os
import time
from typing import Any

from huey import SqliteHuey
from huey.storage import SqliteStorage

DB_VARIABLE = "BENCH_HUEY_DB"


class NormalSyncStorage(SqliteStorage):
    """SqliteHuey's storage (WAL, as Huey sets it) at `synchronous = NORMAL`, the durability
    posjobs' store runs at. Huey itself offers FULL (its default) or OFF; FULL would make
    every Huey commit wait for an fsync that posjobs does not do."""

    def _create_connection(self):  # type: ignore[no-untyped-def]
        conn = super()._create_connection()
        conn.execute("PRAGMA synchronous = NORMAL")
        return conn


class BenchHuey(SqliteHuey):
    storage_class = NormalSyncStorage


def make_huey(path: str | os.PathLike[str]) -> BenchHuey:
    """A SqliteHuey on `path` with the task `noop`, which returns when it ran (stored as its
    result, so completions are counted, and timed, from Huey's own store)."""
    huey = BenchHuey("bench", filename=str(path))

    @huey.task(name="noop")
    def noop(i: int) -> float:
        return time.time()

    huey.noop = noop  # type: ignore[attr-defined]
    return huey


def completion_times(huey: BenchHuey) -> list[float]:
    """When each task ran, from the results in Huey's store."""
    return [float(huey.serializer.deserialize(bytes(raw)))
            for raw in huey.all_results().values()]


_instance: BenchHuey | None = None


def __getattr__(name: str) -> Any:
    # `huey` is made on first use, so importing this module never creates a file.
    global _instance
    if name == "huey":
        if _instance is None:
            _instance = make_huey(os.environ[DB_VARIABLE])
        return _instance
    raise AttributeError(name)
