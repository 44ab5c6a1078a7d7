"""The embedded store: one SQLite file in WAL mode, opened with the standard library.

`connection` opens and migrates the file; `jobs` and `logs` hold the queries, `rows` the
mapping between rows and records. Every claim is one atomic update.
"""

from __future__ import annotations

from pathlib import Path

from posjobs.store.base import Store
from posjobs.store.sqlite.connection import Database
from posjobs.store.sqlite.jobs import JobQueries
from posjobs.store.sqlite.logs import LogQueries


class SQLiteStore(JobQueries, LogQueries, Store):
    """A `Store` in one SQLite file. Safe to share between threads of one process."""

    def __init__(self, path: str | Path, busy_seconds: float = 60.0) -> None:
        self._db = Database(path, busy_seconds)
        self.path = self._db.path

    def close(self) -> None:
        self._db.close()


__all__ = ["SQLiteStore"]
