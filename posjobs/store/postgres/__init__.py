"""The job store on PostgreSQL (psycopg 3): one queue shared by workers on many hosts.

`connection` connects, migrates and rides through lost connections; `jobs` holds the queue's
SQL (claims with `FOR UPDATE SKIP LOCKED`), `logs` the log's; `schema` the tables. Rows are
mapped to records as on SQLite. Changes are announced with NOTIFY, so idle workers and
`logs --follow` on other hosts wake at once (`wait_for_change`).
"""

from __future__ import annotations

from posjobs.store.base import Store
from posjobs.store.postgres.connection import Connection
from posjobs.store.postgres.jobs import JobQueries
from posjobs.store.postgres.logs import LogQueries


class PostgresStore(JobQueries, LogQueries, Store):
    """A `Store` in a schema of a PostgreSQL database. Safe to share between threads."""

    announces_changes = True

    def __init__(self, url: str) -> None:
        self._db = Connection(url)
        self.url = url
        self.schema = self._db.schema

    def wait_for_change(self, topic: str, timeout: float) -> bool:
        return self._db.wait(topic, timeout)

    def close(self) -> None:
        self._db.close()


__all__ = ["PostgresStore"]
