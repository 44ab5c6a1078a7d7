"""The log in the PostgreSQL store: writing entries in id order, reading the last and new ones.

Ids come from a sequence, and two transactions may take ids 9 and 10 and commit 10 first:
a follower that read 10 would then skip 9 for good. So a writer of log entries holds an
advisory lock (per schema) from its insert to its commit: entries commit in id order, as on
SQLite, and `logs --follow` never misses one. The entries go last in their transaction, so
the lock is held for the commit alone.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import psycopg

from posjobs.jobs.model import LogEntry
from posjobs.store.base import LogFilter
from posjobs.store.postgres.connection import Connection
from posjobs.store.postgres.schema import LOG_LOCK
from posjobs.store.sqlite.rows import LOG_COLUMNS, log_row

Conn = psycopg.Connection[Any]


def insert_logs(store: Connection, db: Conn, logs: Sequence[LogEntry]) -> None:
    if not logs:
        return
    # The lock and the NOTIFY (sent at commit) in one round trip.
    db.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s)), pg_notify(%s, 'logs')",
               (LOG_LOCK, store.schema, store.channel))
    with db.cursor() as cur:
        cur.executemany(store.sql(
            "INSERT INTO {s}.logs (created_at, type, message, job_id, source_name, attempt, "
            "max_attempts, priority, template, line, page, request, run_id, simulated_at) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"),
            [(e.created_at, e.type, e.message, e.job_id, e.source_name, e.attempt,
              e.max_attempts, e.priority, e.template, e.line, e.page, e.request, e.run_id,
              e.simulated_at)
             for e in logs])


LOG_FIELDS = LOG_COLUMNS.split(", ")[1:]  # all but the id, which the store gives


def logs_json(logs: Sequence[LogEntry]) -> str:
    """Entries as the JSON array of objects the store's functions insert (column: value)."""
    return json.dumps([{name: getattr(e, name) for name in LOG_FIELDS} for e in logs],
                      ensure_ascii=False, separators=(",", ":"))


def glob_regex(glob: str) -> str:
    """A shell-style glob (SQLite's GLOB: `*`, `?`, `[...]`, `[^...]`) as an anchored
    PostgreSQL regular expression."""
    out = ["^"]
    i = 0
    while i < len(glob):
        char = glob[i]
        if char == "*":
            out.append(".*")
        elif char == "?":
            out.append(".")
        elif char == "[" and (end := glob.find("]", i + 2)) != -1:
            inner = glob[i + 1:end]
            if inner.startswith(("!", "^")):
                inner = "^" + inner[1:]
            out.append("[" + inner.replace("\\", "\\\\") + "]")
            i = end
        else:
            out.append("\\" + char if not char.isalnum() and char != "_" else char)
        i += 1
    out.append("$")
    return "".join(out)


class LogQueries:
    """The log half of `PostgresStore`."""

    _db: Connection

    def add_logs(self, entries: Sequence[LogEntry]) -> None:
        if entries:
            self._db.write(lambda db: insert_logs(self._db, db, entries), pipelined=True)

    def tail_logs(self, flt: LogFilter, limit: int, up_to: int | None = None) -> list[LogEntry]:
        where, params = _log_where(flt, None, up_to)
        rows = self._db.read(f"SELECT {LOG_COLUMNS} FROM {{s}}.logs{where} "
                             "ORDER BY id DESC LIMIT %s", [*params, limit])
        return [log_row(r) for r in reversed(rows)]

    def logs_after(self, after_id: int, flt: LogFilter, limit: int,
                   up_to: int | None = None) -> list[LogEntry]:
        where, params = _log_where(flt, after_id, up_to)
        rows = self._db.read(f"SELECT {LOG_COLUMNS} FROM {{s}}.logs{where} "
                             "ORDER BY id LIMIT %s", [*params, limit])
        return [log_row(r) for r in rows]

    def last_log_id(self) -> int:
        return int(self._db.read("SELECT coalesce(max(id), 0) FROM {s}.logs")[0][0])

    def clear_logs(self) -> int:
        return self._db.write(lambda db: db.execute(self._db.sql("DELETE FROM {s}.logs"))
                              .rowcount)

    def purge_logs(self, before: float, keep_newest: int | None = None) -> int:
        def purge(db: Conn) -> int:
            removed = db.execute(self._db.sql("DELETE FROM {s}.logs WHERE created_at < %s"),
                                 (before,)).rowcount
            if keep_newest is not None:
                removed += db.execute(self._db.sql(
                    "DELETE FROM {s}.logs WHERE id <= (SELECT id FROM {s}.logs "
                    "ORDER BY id DESC LIMIT 1 OFFSET %s)"), (keep_newest,)).rowcount
            return removed

        return self._db.write(purge)


def _log_where(flt: LogFilter, after_id: int | None = None,
               up_to: int | None = None) -> tuple[str, list[Any]]:
    where: list[str] = []
    params: list[Any] = []
    if after_id is not None:
        where.append("id > %s")
        params.append(after_id)
    if up_to is not None:
        where.append("id <= %s")
        params.append(up_to)
    if flt.types:
        where.append("lower(type) = ANY(%s)")
        params.append([t.lower() for t in flt.types])
    if flt.type_globs:
        where.append("lower(type) ~ ANY(%s)")
        params.append([glob_regex(g.lower()) for g in flt.type_globs])
    if flt.errors_only:
        where.append("lower(type) LIKE '%%error%%'")
    if flt.source_names:
        where.append("source_name ~ ANY(%s)")
        params.append([glob_regex(g) for g in flt.source_names])
    if flt.job_id is not None:
        where.append("job_id = %s")
        params.append(flt.job_id)
    if flt.run_id is not None:
        where.append("run_id = %s")
        params.append(flt.run_id)
    if flt.since is not None:
        where.append("created_at >= %s")
        params.append(flt.since)
    if flt.until is not None:
        where.append("created_at <= %s")
        params.append(flt.until)
    return (" WHERE " + " AND ".join(where) if where else ""), params
