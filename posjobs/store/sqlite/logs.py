"""The log in the SQLite store: writing entries, reading the last ones and the new ones."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from posjobs.jobs.model import LogEntry
from posjobs.store.base import LogFilter
from posjobs.store.sqlite.connection import Database
from posjobs.store.sqlite.rows import LOG_COLUMNS, insert_logs, log_row


class LogQueries:
    """The log half of `SQLiteStore`."""

    _db: Database

    def add_logs(self, entries: Sequence[LogEntry]) -> None:
        if entries:
            with self._db.write() as db:
                insert_logs(db, entries)

    def tail_logs(
        self, flt: LogFilter, limit: int, up_to: int | None = None
    ) -> list[LogEntry]:
        where, params = _log_where(flt, None, up_to)
        rows = self._db.read(
            f"SELECT {LOG_COLUMNS} FROM logs{where} ORDER BY id DESC LIMIT ?", [*params, limit]
        )
        return [log_row(r) for r in reversed(rows)]

    def logs_after(
        self, after_id: int, flt: LogFilter, limit: int, up_to: int | None = None
    ) -> list[LogEntry]:
        where, params = _log_where(flt, after_id, up_to)
        rows = self._db.read(
            f"SELECT {LOG_COLUMNS} FROM logs{where} ORDER BY id LIMIT ?", [*params, limit]
        )
        return [log_row(r) for r in rows]

    def last_log_id(self) -> int:
        return int(self._db.read("SELECT coalesce(max(id), 0) FROM logs")[0][0])

    def clear_logs(self) -> int:
        with self._db.write() as db:
            return db.execute("DELETE FROM logs").rowcount


    def purge_logs(self, before: float, keep_newest: int | None = None) -> int:
        with self._db.write() as db:
            removed = db.execute("DELETE FROM logs WHERE created_at < ?", (before,)).rowcount
            if keep_newest is not None:
                removed += db.execute(
                    "DELETE FROM logs WHERE id <= (SELECT id FROM logs ORDER BY id DESC "
                    "LIMIT 1 OFFSET ?)",
                    (keep_newest,),
                ).rowcount
            return removed


def _log_where(
    flt: LogFilter, after_id: int | None = None, up_to: int | None = None
) -> tuple[str, list[Any]]:
    where: list[str] = []
    params: list[Any] = []
    if after_id is not None:
        where.append("id > ?")
        params.append(after_id)
    if up_to is not None:
        where.append("id <= ?")
        params.append(up_to)
    if flt.types:
        where.append(f"lower(type) IN ({','.join('?' * len(flt.types))})")
        params += [t.lower() for t in flt.types]
    if flt.type_globs:
        where.append("(" + " OR ".join("lower(type) GLOB ?" for _ in flt.type_globs) + ")")
        params += [g.lower() for g in flt.type_globs]
    if flt.errors_only:
        where.append("lower(type) LIKE '%error%'")
    if flt.source_names:
        where.append("(" + " OR ".join("source_name GLOB ?" for _ in flt.source_names) + ")")
        params += list(flt.source_names)
    if flt.job_id is not None:
        where.append("job_id = ?")
        params.append(flt.job_id)
    if flt.run_id is not None:
        where.append("run_id = ?")
        params.append(flt.run_id)
    if flt.since is not None:
        where.append("created_at >= ?")
        params.append(flt.since)
    if flt.until is not None:
        where.append("created_at <= ?")
        params.append(flt.until)
    return (" WHERE " + " AND ".join(where) if where else ""), params
