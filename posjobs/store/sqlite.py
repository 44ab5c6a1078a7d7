"""The embedded store: one SQLite file in WAL mode, opened with the standard library."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from posjobs.errors import StoreError
from posjobs.jobs.model import Attempt, Job, JobStatus, LogEntry, NewJob, Priority
from posjobs.store.base import AttemptResult, JobFilter, LogFilter, Store
from posjobs.store.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION

WAITING = (JobStatus.SCHEDULED.value, JobStatus.RETRY.value)
# Written out literally so that SQLite matches the partial indexes' WHERE clauses.
WAITING_SQL = "status IN ('scheduled', 'retry')"
JOB_COLUMNS = (
    "id, status, source_name, priority, run_at, created_at, attempts, max_attempts, "
    "arguments, partial, body, template, line, col, body_line, delay, context, parent_job_id, "
    "worker, lease_until, finished_at, last_error"
)
LOG_COLUMNS = (
    "id, created_at, type, message, job_id, source_name, attempt, max_attempts, "
    "priority, template, line, page, request"
)
BUSY_TIMEOUT_MS = 60_000


def open_store(path: str | Path) -> SQLiteStore:
    """Open (creating if needed) the store at `path`."""
    return SQLiteStore(path)


class SQLiteStore(Store):
    """A `Store` in one SQLite file. Safe to share between threads of one process."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(
                str(path), isolation_level=None, check_same_thread=False, timeout=60
            )
            self._db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self._check_and_migrate()
            self._use_wal()
            self._db.execute("PRAGMA synchronous = NORMAL")
            self._db.execute("PRAGMA foreign_keys = ON")
        except sqlite3.DatabaseError as err:
            if hasattr(self, "_db"):
                self._db.close()
            raise StoreError(f"{self.path}: cannot open the store: {err}") from None

    # --- setup -----------------------------------------------------------------------------
    def _check_and_migrate(self) -> None:
        if self._check() == SCHEMA_VERSION:
            return
        db = self._db
        with self._write():
            # Another process may have created or migrated the store since the check above.
            version = self._check()
            if version == SCHEMA_VERSION:
                return
            for target, script in MIGRATIONS:
                if target > version:
                    for statement in script:
                        db.execute(statement)
            db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _check(self) -> int:
        """The store's schema version, after making sure it is a store this posjobs can use."""
        # One statement, so the three values come from one snapshot of the file.
        app_id, version, tables = self._db.execute(
            "SELECT a.application_id, v.user_version, (SELECT count(*) FROM sqlite_master) "
            "FROM pragma_application_id() AS a, pragma_user_version() AS v"
        ).fetchone()
        if tables and app_id != APPLICATION_ID:
            raise StoreError(
                f"{self.path} is an SQLite database but not a posjobs store",
                hint="point --db at another file, or remove this one",
            )
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} was written by a newer posjobs (schema {version}, "
                f"this one knows {SCHEMA_VERSION})",
                hint="upgrade posjobs",
            )
        return int(version)

    def _use_wal(self) -> None:
        """Switch to WAL mode. While other connections open the same new file, SQLite
        refuses the switch at once (the busy timeout does not apply), so retry a while."""
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                self._db.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as err:
                if "locked" not in str(err) or time.monotonic() > deadline:
                    raise
                time.sleep(0.005)

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taking SQLite's write lock up front."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            else:
                self._db.execute("COMMIT")

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # --- enqueueing --------------------------------------------------------------------------
    def reserve_job_ids(self, count: int) -> range:
        with self._write() as db:
            (first,) = db.execute(
                "UPDATE id_sequence SET next = next + ? WHERE name = 'jobs' RETURNING next - ?",
                (count, count),
            ).fetchone()
        return range(first, first + count)

    def release_job_ids(self, unused: range) -> None:
        if not unused:
            return
        with self._write() as db:
            db.execute(
                "UPDATE id_sequence SET next = ? WHERE name = 'jobs' AND next = ?",
                (unused.start, unused.stop),
            )

    def enqueue(self, jobs: Sequence[NewJob], logs: Sequence[LogEntry], now: float) -> list[Job]:
        with self._write() as db:
            self._insert_jobs(db, jobs, now)
            self._insert_logs(db, logs)
        return [_stored(job, now) for job in jobs]

    @staticmethod
    def _insert_jobs(db: sqlite3.Connection, jobs: Sequence[NewJob], now: float) -> None:
        db.executemany(
            "INSERT INTO jobs (id, status, source_name, priority, prio_rank, run_at, "
            "created_at, attempts, max_attempts, arguments, partial, body, template, line, "
            "col, body_line, delay, context, parent_job_id) "
            "VALUES (?, 'scheduled', ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    j.id, j.source_name, j.priority.value, j.priority.rank, j.run_at, now,
                    j.max_attempts, _dumps(j.arguments), j.partial, j.body, j.template,
                    j.line, j.column, j.body_line, j.delay, _dumps(j.context), j.parent_job_id,
                )
                for j in jobs
            ],
        )

    @staticmethod
    def _insert_logs(db: sqlite3.Connection, logs: Sequence[LogEntry]) -> None:
        db.executemany(
            "INSERT INTO logs (created_at, type, message, job_id, source_name, attempt, "
            "max_attempts, priority, template, line, page, request) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    e.created_at, e.type, e.message, e.job_id, e.source_name, e.attempt,
                    e.max_attempts, e.priority, e.template, e.line, e.page, e.request,
                )
                for e in logs
            ],
        )

    # --- running -----------------------------------------------------------------------------
    def claim(
        self, worker: str, now: float, lease_seconds: float, among: Collection[int] | None = None
    ) -> Job | None:
        scope, scope_params = _among(among)
        with self._write() as db:
            # One indexed probe per priority keeps a claim as fast on a million waiting
            # jobs as on ten: far-future high jobs never stand in front of due low ones.
            for rank in (0, 1, 2):
                row = db.execute(
                    f"SELECT id FROM jobs WHERE {WAITING_SQL} AND prio_rank = ? "
                    f"AND run_at <= ?{scope} ORDER BY run_at, id LIMIT 1",
                    (rank, now, *scope_params),
                ).fetchone()
                if row:
                    return self._take(db, row[0], worker, now, lease_seconds)
        return None

    def claim_job(self, job_id: int, worker: str, now: float, lease_seconds: float) -> Job | None:
        with self._write() as db:
            row = db.execute(
                f"SELECT id FROM jobs WHERE id = ? AND {WAITING_SQL}", (job_id,)
            ).fetchone()
            return self._take(db, job_id, worker, now, lease_seconds) if row else None

    def _take(
        self, db: sqlite3.Connection, job_id: int, worker: str, now: float, lease: float
    ) -> Job:
        row = db.execute(
            "UPDATE jobs SET status = 'running', attempts = attempts + 1, worker = ?, "
            f"lease_until = ? WHERE id = ? RETURNING {JOB_COLUMNS}",
            (worker, now + lease, job_id),
        ).fetchone()
        job = _job(row)
        db.execute(
            "INSERT INTO attempts (job_id, number, started_at, worker) VALUES (?, ?, ?, ?)",
            (job.id, job.attempts, now, worker),
        )
        return job

    def finish_attempt(self, job: Job, result: AttemptResult) -> JobStatus | None:
        if result.outcome == "done":
            status = JobStatus.DONE
        elif result.retry_at is not None and job.attempts < job.max_attempts:
            status = JobStatus.RETRY
        else:
            status = JobStatus.DEAD
        with self._write() as db:
            updated = db.execute(
                "UPDATE jobs SET status = ?, run_at = COALESCE(?, run_at), lease_until = NULL, "
                "kill_requested = 0, "
                "finished_at = ?, last_error = ? "
                "WHERE id = ? AND status = 'running' AND worker = ? AND attempts = ?",
                (
                    status.value,
                    result.retry_at if status is JobStatus.RETRY else None,
                    result.ended_at if status.is_final else None,
                    _dumps(result.error) if result.error else None,
                    job.id, job.worker, job.attempts,
                ),
            ).rowcount
            if not updated:
                return None
            db.execute(
                "UPDATE attempts SET ended_at = ?, outcome = ?, error = ? "
                "WHERE job_id = ? AND ended_at IS NULL",
                (result.ended_at, result.outcome, _dumps(result.error) if result.error else None,
                 job.id),
            )
            if status is JobStatus.DONE:
                self._insert_jobs(db, result.new_jobs, result.ended_at)
            self._insert_logs(db, result.logs)
        return status

    def heartbeat(self, worker: str, job_ids: Sequence[int], lease_until: float) -> None:
        if not job_ids:
            return
        with self._write() as db:
            db.execute(
                "UPDATE jobs SET lease_until = ? WHERE status = 'running' AND worker = ? "
                "AND id IN (SELECT value FROM json_each(?))",
                (lease_until, worker, _ids_json(job_ids)),
            )

    def request_kill(self, job_id: int) -> bool:
        with self._write() as db:
            return db.execute(
                "UPDATE jobs SET kill_requested = 1 WHERE id = ? AND status = 'running'",
                (job_id,),
            ).rowcount > 0

    def kill_requested(self, job_ids: Collection[int]) -> list[int]:
        if not job_ids:
            return []
        rows = self._read(
            "SELECT id FROM jobs WHERE kill_requested = 1 AND status = 'running' "
            "AND id IN (SELECT value FROM json_each(?))",
            (_ids_json(job_ids),),
        )
        return [r[0] for r in rows]

    def release(self, job: Job, now: float) -> None:
        with self._write() as db:
            updated = db.execute(
                "UPDATE jobs SET status = CASE WHEN attempts > 1 THEN 'retry' ELSE 'scheduled' "
                "END, attempts = attempts - 1, worker = NULL, lease_until = NULL, "
                "kill_requested = 0 "
                "WHERE id = ? AND status = 'running' AND worker = ? AND attempts = ?",
                (job.id, job.worker, job.attempts),
            ).rowcount
            if updated:
                db.execute("DELETE FROM attempts WHERE job_id = ? AND ended_at IS NULL", (job.id,))

    def recover_expired(self, now: float) -> list[Job]:
        with self._write() as db:
            rows = db.execute(
                "UPDATE jobs SET status = CASE WHEN attempts >= max_attempts THEN 'dead' "
                "ELSE 'retry' END, run_at = ?, lease_until = NULL, kill_requested = 0, "
                "finished_at = CASE WHEN attempts >= max_attempts THEN ? ELSE NULL END, "
                "last_error = ? "
                f"WHERE status = 'running' AND lease_until < ? RETURNING {JOB_COLUMNS}",
                (now, now, _dumps(_LOST_LEASE), now),
            ).fetchall()
            jobs = [_job(r) for r in rows]
            db.executemany(
                "UPDATE attempts SET ended_at = ?, outcome = 'interrupted', error = ? "
                "WHERE job_id = ? AND ended_at IS NULL",
                [(now, _dumps(_LOST_LEASE), j.id) for j in jobs],
            )
        return jobs

    def next_run_at(self, among: Collection[int] | None = None) -> float | None:
        scope, scope_params = _among(among)
        times = [
            row[0]
            for rank in (0, 1, 2)
            for row in self._read(
                f"SELECT min(run_at) FROM jobs WHERE {WAITING_SQL} AND prio_rank = ?{scope}",
                (rank, *scope_params),
            )
            if row[0] is not None
        ]
        return min(times) if times else None

    # --- inspecting and managing ------------------------------------------------------------
    def get_job(self, job_id: int) -> Job | None:
        rows = self._read(f"SELECT {JOB_COLUMNS} FROM jobs WHERE id = ?", (job_id,))
        return _job(rows[0]) if rows else None

    def list_jobs(self, flt: JobFilter) -> list[Job]:
        where: list[str] = []
        params: list[Any] = []
        if flt.statuses:
            where.append(f"status IN ({','.join('?' * len(flt.statuses))})")
            params += [s.value for s in flt.statuses]
        if flt.priorities:
            where.append(f"priority IN ({','.join('?' * len(flt.priorities))})")
            params += [p.value for p in flt.priorities]
        if flt.source_names:
            where.append("(" + " OR ".join("source_name GLOB ?" for _ in flt.source_names) + ")")
            params += list(flt.source_names)
        if flt.ids:
            where.append("id IN (SELECT value FROM json_each(?))")
            params.append(_ids_json(flt.ids))
        sql = f"SELECT {JOB_COLUMNS} FROM jobs"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY id DESC" if flt.newest_first else " ORDER BY id"
        if flt.limit is not None:
            sql += f" LIMIT {int(flt.limit)}"
        return [_job(r) for r in self._read(sql, params)]

    def attempts(self, job_id: int) -> list[Attempt]:
        rows = self._read(
            "SELECT job_id, number, started_at, worker, ended_at, outcome, error "
            "FROM attempts WHERE job_id = ? ORDER BY id",
            (job_id,),
        )
        return [Attempt(r[0], r[1], r[2], r[3], r[4], r[5], _loads(r[6])) for r in rows]

    def count_jobs(self) -> dict[JobStatus, int]:
        counts = dict.fromkeys(JobStatus, 0)
        for status, n in self._read("SELECT status, count(*) FROM jobs GROUP BY status"):
            counts[JobStatus(status)] = n
        return counts

    def descendants(self, job_ids: Sequence[int]) -> list[Job]:
        if not job_ids:
            return []
        marks = ",".join("?" * len(job_ids))
        rows = self._read(
            f"WITH RECURSIVE tree(id) AS (SELECT id FROM jobs WHERE parent_job_id IN ({marks}) "
            "UNION SELECT jobs.id FROM jobs JOIN tree ON jobs.parent_job_id = tree.id) "
            f"SELECT {JOB_COLUMNS} FROM jobs WHERE id IN (SELECT id FROM tree) ORDER BY id",
            list(job_ids),
        )
        return [_job(r) for r in rows]

    def delete_job(self, job_id: int) -> bool:
        with self._write() as db:
            db.execute("DELETE FROM attempts WHERE job_id = ?", (job_id,))
            return db.execute("DELETE FROM jobs WHERE id = ?", (job_id,)).rowcount > 0

    def retry_job(self, job_id: int, now: float) -> Job | None:
        with self._write() as db:
            row = db.execute(
                "UPDATE jobs SET status = 'scheduled', run_at = ?, attempts = 0, "
                "finished_at = NULL, last_error = NULL "
                f"WHERE id = ? AND status IN ('dead', 'done') RETURNING {JOB_COLUMNS}",
                (now, job_id),
            ).fetchone()
        return _job(row) if row else None

    def purge_jobs(
        self, statuses: Sequence[JobStatus], finished_before: float,
        keep_newest: int | None = None,
    ) -> int:
        if not statuses:
            return 0
        marks = ",".join("?" * len(statuses))
        chosen = f"status IN ({marks}) AND finished_at IS NOT NULL"
        params: list[Any] = [s.value for s in statuses]
        old = "finished_at < ?"
        params_old: list[Any] = [finished_before]
        if keep_newest is not None:
            # Also past the count limit: everything but the newest `keep_newest` of them.
            old += (f" OR id NOT IN (SELECT id FROM jobs WHERE {chosen} "
                    "ORDER BY finished_at DESC, id DESC LIMIT ?)")
            params_old += [*params, keep_newest]
        doomed = f"SELECT id FROM jobs WHERE {chosen} AND ({old})"
        all_params = [*params, *params_old]
        with self._write() as db:
            db.execute(f"DELETE FROM attempts WHERE job_id IN ({doomed})", all_params)
            return db.execute(f"DELETE FROM jobs WHERE id IN ({doomed})", all_params).rowcount

    def purge_logs(self, before: float, keep_newest: int | None = None) -> int:
        with self._write() as db:
            removed = db.execute("DELETE FROM logs WHERE created_at < ?", (before,)).rowcount
            if keep_newest is not None:
                removed += db.execute(
                    "DELETE FROM logs WHERE id <= (SELECT id FROM logs ORDER BY id DESC "
                    "LIMIT 1 OFFSET ?)",
                    (keep_newest,),
                ).rowcount
            return removed

    # --- the log -------------------------------------------------------------------------------
    def add_logs(self, entries: Sequence[LogEntry]) -> None:
        if entries:
            with self._write() as db:
                self._insert_logs(db, entries)

    def tail_logs(self, flt: LogFilter, limit: int) -> list[LogEntry]:
        where, params = _log_where(flt)
        rows = self._read(
            f"SELECT {LOG_COLUMNS} FROM logs{where} ORDER BY id DESC LIMIT ?", [*params, limit]
        )
        return [_log(r) for r in reversed(rows)]

    def logs_after(
        self, after_id: int, flt: LogFilter, limit: int, up_to: int | None = None
    ) -> list[LogEntry]:
        where, params = _log_where(flt, after_id, up_to)
        rows = self._read(
            f"SELECT {LOG_COLUMNS} FROM logs{where} ORDER BY id LIMIT ?", [*params, limit]
        )
        return [_log(r) for r in rows]

    def last_log_id(self) -> int:
        return int(self._read("SELECT coalesce(max(id), 0) FROM logs")[0][0])

    def clear_logs(self) -> int:
        with self._write() as db:
            return db.execute("DELETE FROM logs").rowcount


_LOST_LEASE = {
    "class": "WorkerLost",
    "message": "the worker running this attempt stopped answering; its lease expired",
}


def _ids_json(ids: Collection[int]) -> str:
    """Many ids as one JSON parameter (read with json_each), whatever SQLite's
    host-parameter limit is."""
    return json.dumps(sorted(ids))


def _among(among: Collection[int] | None) -> tuple[str, list[str]]:
    if among is None:
        return "", []
    return " AND id IN (SELECT value FROM json_each(?))", [_ids_json(among)]


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
    if flt.since is not None:
        where.append("created_at >= ?")
        params.append(flt.since)
    if flt.until is not None:
        where.append("created_at <= ?")
        params.append(flt.until)
    return (" WHERE " + " AND ".join(where) if where else ""), params


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _stored(job: NewJob, now: float) -> Job:
    """The row `enqueue` just wrote for `job`, without reading it back."""
    return Job(
        id=job.id, status=JobStatus.SCHEDULED, source_name=job.source_name,
        priority=job.priority, run_at=job.run_at, created_at=now, attempts=0,
        max_attempts=job.max_attempts, arguments=job.arguments, partial=job.partial,
        body=job.body, template=job.template, line=job.line, column=job.column,
        body_line=job.body_line, delay=job.delay, context=job.context,
        parent_job_id=job.parent_job_id,
    )


def _job(row: Sequence[Any]) -> Job:
    return Job(
        id=row[0],
        status=JobStatus(row[1]),
        source_name=row[2],
        priority=Priority(row[3]),
        run_at=row[4],
        created_at=row[5],
        attempts=row[6],
        max_attempts=row[7],
        arguments=_loads(row[8]) or {},
        partial=row[9],
        body=row[10],
        template=row[11],
        line=row[12],
        column=row[13],
        body_line=row[14],
        delay=row[15],
        context=_loads(row[16]) or {},
        parent_job_id=row[17],
        worker=row[18],
        lease_until=row[19],
        finished_at=row[20],
        last_error=_loads(row[21]),
    )


def _log(row: Sequence[Any]) -> LogEntry:
    return LogEntry(
        id=row[0],
        created_at=row[1],
        type=row[2],
        message=row[3],
        job_id=row[4],
        source_name=row[5],
        attempt=row[6],
        max_attempts=row[7],
        priority=row[8],
        template=row[9],
        line=row[10],
        page=row[11],
        request=row[12],
    )


def default_db_path(project_root: Path) -> Path:
    """`<project>/.posjobs/posjobs.db`, unless POSJOBS_DB says otherwise."""
    env = os.environ.get("POSJOBS_DB")
    return Path(env) if env else project_root / ".posjobs" / "posjobs.db"
