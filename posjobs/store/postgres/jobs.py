"""Jobs in the PostgreSQL store: the queue's SQL, in one file to review.

Claims lock the row they take with `FOR UPDATE SKIP LOCKED`, so workers on many hosts never
wait on each other's claims; every transaction that makes a job runnable NOTIFYs "jobs", so
an idle worker elsewhere starts it at once. Finishing is guarded by the claim (status,
worker, attempt number), exactly as on SQLite.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Any

import psycopg

from posjobs.jobs.model import Attempt, Job, JobStatus, LogEntry, NewJob, Priority
from posjobs.store.base import AttemptResult, JobFilter, NextClaim
from posjobs.store.postgres.connection import Connection
from posjobs.store.postgres.logs import glob_regex, insert_logs, logs_json
from posjobs.store.speed import ScaledWaits
from posjobs.store.sqlite.rows import (
    JOB_COLUMNS,
    dumps,
    ended_job_values,
    job_row,
    loads,
    stored,
)

Conn = psycopg.Connection[Any]
WAITING_SQL = "status IN ('scheduled', 'retry')"  # literally the partial index's predicate
JOB_COLUMN_NAMES = JOB_COLUMNS.split(", ")


class JobQueries(ScaledWaits):
    """The job half of `PostgresStore`."""

    _db: Connection

    # --- enqueueing --------------------------------------------------------------------------
    def reserve_job_ids(self, count: int) -> range:
        def reserve(db: Conn) -> int:
            row = db.execute(self._db.sql(
                "UPDATE {s}.id_sequence SET next = next + %s WHERE name = 'jobs' "
                "RETURNING next - %s"), (count, count)).fetchone()
            assert row is not None
            return int(row[0])

        first = self._db.write(reserve, pipelined=True)
        return range(first, first + count)

    def release_job_ids(self, unused: range) -> None:
        if unused:
            self._db.write(lambda db: db.execute(self._db.sql(
                "UPDATE {s}.id_sequence SET next = %s WHERE name = 'jobs' AND next = %s"),
                (unused.start, unused.stop)))

    def enqueue(self, jobs: Sequence[NewJob], logs: Sequence[LogEntry], now: float) -> list[Job]:
        def write(db: Conn) -> None:
            self._insert_jobs(db, jobs, now)
            insert_logs(self._db, db, logs)

        self._db.write(write, pipelined=True)
        return [stored(job, now) for job in jobs]

    def _insert_jobs(self, db: Conn, jobs: Sequence[NewJob], now: float) -> None:
        if not jobs:
            return
        contexts: dict[int, str] = {}  # a render's jobs share one context: serialise it once
        with db.cursor() as cur:
            cur.executemany(self._db.sql(
                "INSERT INTO {s}.jobs (id, status, source_name, priority, prio_rank, run_at, "
                "created_at, wait_from, attempts, max_attempts, arguments, partial, body, "
                "template, line, col, body_line, delay, context, parent_job_id, run_id) VALUES "
                "(%s, 'scheduled', %s, %s, %s, %s, %s, %s, 0, %s, %s, %s, %s, %s, %s, %s, %s, "
                "%s, %s, %s, %s)"),
                [(j.id, j.source_name, j.priority.value, j.priority.rank, j.run_at, now, now,
                  j.max_attempts, dumps(j.arguments), j.partial, j.body, j.template, j.line,
                  j.column, j.body_line, j.delay,
                  contexts.setdefault(id(j.context), dumps(j.context)), j.parent_job_id,
                  j.run_id)
                 for j in jobs])
        self._db.notify(db, "jobs")

    # --- running -----------------------------------------------------------------------------
    def claim(self, worker: str, now: float, lease_seconds: float,
              among: Collection[int] | None = None) -> Job | None:
        return self._db.write(lambda db: self._claim(db, worker, now, lease_seconds, among),
                              pipelined=True)

    def _claim(self, db: Conn, worker: str, now: float, lease: float,
               among: Collection[int] | None) -> Job | None:
        if self._speed != 1.0:
            return self._claim_at_speed(db, worker, now, lease, among)
        row = db.execute(self._db.sql(f"SELECT {JOB_COLUMNS} FROM {{s}}.claim(%s, %s, %s, %s)"),
                         (worker, now, lease, None if among is None else list(among))
                         ).fetchone()
        return job_row(row) if row else None

    def _claim_at_speed(self, db: Conn, worker: str, now: float, lease: float,
                        among: Collection[int] | None) -> Job | None:
        """A claim at `worker --speed N`: due times scaled from when each wait began, so
        this form scans the waiting jobs (one statement, in the function's order)."""
        scope = "" if among is None else " AND id = ANY(%s)"
        due = "(wait_from + (run_at - wait_from) / %s)"
        row = db.execute(self._db.sql(
            f"SELECT id FROM {{s}}.jobs WHERE {WAITING_SQL} AND {due} <= %s{scope} "
            f"ORDER BY prio_rank, {due}, id LIMIT 1 FOR UPDATE SKIP LOCKED"),
            (self._speed, now, *([] if among is None else [list(among)]), self._speed),
        ).fetchone()
        return self._take(db, row[0], worker, now, lease) if row else None

    def claim_job(self, job_id: int, worker: str, now: float,
                  lease_seconds: float) -> Job | None:
        def claim(db: Conn) -> Job | None:
            row = db.execute(self._db.sql(
                f"SELECT id FROM {{s}}.jobs WHERE id = %s AND {WAITING_SQL} "
                "FOR UPDATE SKIP LOCKED"), (job_id,)).fetchone()
            return self._take(db, job_id, worker, now, lease_seconds) if row else None

        return self._db.write(claim)

    def _take(self, db: Conn, job_id: int, worker: str, now: float, lease: float) -> Job:
        row = db.execute(self._db.sql(
            "UPDATE {s}.jobs SET status = 'running', attempts = attempts + 1, worker = %s, "
            f"lease_until = %s WHERE id = %s RETURNING {JOB_COLUMNS}"),
            (worker, now + lease, job_id)).fetchone()
        job = job_row(row)  # type: ignore[arg-type]
        # Numbered over the job's whole history, as on SQLite (`jobs retry` keeps the old).
        db.execute(self._db.sql(
            "INSERT INTO {s}.attempts (job_id, number, started_at, worker) VALUES "
            "(%s, (SELECT count(*) + 1 FROM {s}.attempts WHERE job_id = %s), %s, %s)"),
            (job.id, job.id, now, worker))
        return job

    def finish_attempt(self, job: Job, result: AttemptResult) -> JobStatus | None:
        return self._db.write(lambda db: self._finish(db, job, result), pipelined=True)

    def finish_and_claim(self, job: Job, result: AttemptResult,
                         then: NextClaim) -> tuple[JobStatus | None, Job | None]:
        if not (result.status is JobStatus.DONE and result.new_jobs) and self._speed == 1.0:
            return self._finish_and_claim_at_once(job, result, then)

        def both(db: Conn) -> tuple[JobStatus | None, Job | None]:
            status = self._finish(db, job, result)
            return status, self._claim(db, then.worker, then.now, then.lease_seconds, None)

        return self._db.write(both, pipelined=True)

    def _finish_and_claim_at_once(self, job: Job, result: AttemptResult,
                                  then: NextClaim) -> tuple[JobStatus | None, Job | None]:
        """The busiest path as one statement, one round trip (the store's function
        `finish_and_claim`): an attempt that enqueued no jobs, at normal speed."""
        status = result.status
        retry_at, wait_from, finished_at, error = ended_job_values(result)
        row = self._db.call(
            "SELECT finished, claimed FROM {s}.finish_and_claim(%s, %s, %s, %s, %s, %s, %s, "
            "%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (job.id, job.worker, job.attempts, status.value, retry_at, wait_from, finished_at,
             error, result.ended_at, result.outcome, result.duration, logs_json(result.logs),
             self._db.schema, self._db.channel, then.worker, then.now, then.lease_seconds))
        assert row is not None
        finished, claimed = row
        return (status if finished else None,
                None if claimed is None else job_row([claimed[c] for c in JOB_COLUMN_NAMES]))

    def _finish(self, db: Conn, job: Job, result: AttemptResult) -> JobStatus | None:
        status = result.status
        retry_at, wait_from, finished_at, error = ended_job_values(result)
        # The job and its open attempt in one statement (one round trip), guarded by the claim.
        updated = db.execute(self._db.sql(
            "WITH job AS (UPDATE {s}.jobs SET status = %s, run_at = COALESCE(%s, run_at), "
            "wait_from = COALESCE(%s, wait_from), lease_until = NULL, kill_requested = false, "
            "finished_at = %s, last_error = %s "
            "WHERE id = %s AND status = 'running' AND worker = %s AND attempts = %s "
            "RETURNING id), attempt AS (UPDATE {s}.attempts SET ended_at = %s, outcome = %s, "
            "error = %s, duration = %s WHERE job_id IN (SELECT id FROM job) "
            "AND ended_at IS NULL) SELECT count(*) FROM job"),
            (status.value, retry_at, wait_from, finished_at, error,
             job.id, job.worker, job.attempts,
             result.ended_at, result.outcome, error, result.duration)).fetchone()
        if not updated or not updated[0]:
            return None
        if status is JobStatus.DONE:
            self._insert_jobs(db, result.new_jobs, result.ended_at)
        if status is JobStatus.RETRY:
            self._db.notify(db, "jobs")
        insert_logs(self._db, db, result.logs)
        return status

    def heartbeat(self, worker: str, job_ids: Sequence[int], lease_until: float) -> None:
        if job_ids:
            self._db.write(lambda db: db.execute(self._db.sql(
                "UPDATE {s}.jobs SET lease_until = %s WHERE status = 'running' "
                "AND worker = %s AND id = ANY(%s)"), (lease_until, worker, list(job_ids))),
                pipelined=True)

    def request_kill(self, job_id: int) -> bool:
        return self._db.write(lambda db: db.execute(self._db.sql(
            "UPDATE {s}.jobs SET kill_requested = true WHERE id = %s AND status = 'running'"),
            (job_id,)).rowcount > 0)

    def kill_requested(self, job_ids: Collection[int]) -> list[int]:
        if not job_ids:
            return []
        rows = self._db.read("SELECT id FROM {s}.jobs WHERE kill_requested AND "
                             "status = 'running' AND id = ANY(%s)", (list(job_ids),))
        return [r[0] for r in rows]

    def release(self, job: Job, now: float) -> None:
        def release(db: Conn) -> None:
            updated = db.execute(self._db.sql(
                "UPDATE {s}.jobs SET status = CASE WHEN attempts > 1 THEN 'retry' "
                "ELSE 'scheduled' END, attempts = attempts - 1, worker = NULL, "
                "lease_until = NULL, kill_requested = false "
                "WHERE id = %s AND status = 'running' AND worker = %s AND attempts = %s"),
                (job.id, job.worker, job.attempts)).rowcount
            if updated:
                db.execute(self._db.sql(
                    "DELETE FROM {s}.attempts WHERE job_id = %s AND ended_at IS NULL"),
                    (job.id,))
                self._db.notify(db, "jobs")

        self._db.write(release)

    def recover_expired(self, now: float, conclude: Callable[[Job], AttemptResult]) -> list[Job]:
        def recover(db: Conn) -> list[Job]:
            # Skipped when locked: a worker finishing it right now, or another recovering it.
            rows = db.execute(self._db.sql(
                f"SELECT {JOB_COLUMNS} FROM {{s}}.jobs WHERE status = 'running' "
                "AND lease_until < %s ORDER BY id FOR UPDATE SKIP LOCKED"), (now,)).fetchall()
            lost = [job_row(r) for r in rows]
            for job in lost:
                self._finish(db, job, conclude(job))
            if not lost:
                return []
            rows = db.execute(self._db.sql(
                f"SELECT {JOB_COLUMNS} FROM {{s}}.jobs WHERE id = ANY(%s) ORDER BY id"),
                ([j.id for j in lost],)).fetchall()
            return [job_row(r) for r in rows]

        return self._db.write(recover)

    def next_run_at(self, among: Collection[int] | None = None) -> float | None:
        scope = "" if among is None else " AND id = ANY(%s)"
        params: list[Any] = [] if among is None else [list(among)]
        if self._speed != 1.0:
            return self._db.read(  # type: ignore[no-any-return]
                "SELECT min(wait_from + (run_at - wait_from) / %s) FROM {s}.jobs "
                f"WHERE {WAITING_SQL}{scope}", [self._speed, *params])[0][0]
        row = self._db.read(
            "SELECT least(" + ", ".join(
                f"(SELECT min(run_at) FROM {{s}}.jobs WHERE {WAITING_SQL} "
                f"AND prio_rank = {rank}{scope})" for rank in (0, 1, 2)) + ")",
            params * 3)
        return row[0][0]

    # --- inspecting and managing ------------------------------------------------------------
    def get_job(self, job_id: int) -> Job | None:
        rows = self._db.read(f"SELECT {JOB_COLUMNS} FROM {{s}}.jobs WHERE id = %s", (job_id,))
        return job_row(rows[0]) if rows else None

    def list_jobs(self, flt: JobFilter) -> list[Job]:
        where: list[str] = []
        params: list[Any] = []
        if flt.statuses:
            where.append("status = ANY(%s)")
            params.append([s.value for s in flt.statuses])
        if flt.priorities:
            where.append("priority = ANY(%s)")
            params.append([p.value for p in flt.priorities])
        if flt.source_names:
            where.append("source_name ~ ANY(%s)")
            params.append([glob_regex(g) for g in flt.source_names])
        if flt.ids:
            where.append("id = ANY(%s)")
            params.append(list(flt.ids))
        if flt.workers:
            where.append("worker = ANY(%s)")
            params.append(list(flt.workers))
        if flt.run_id is not None:
            where.append("run_id = %s")
            params.append(flt.run_id)
        query = f"SELECT {JOB_COLUMNS} FROM {{s}}.jobs"
        if where:
            query += " WHERE " + " AND ".join(where)
        query += " ORDER BY id DESC" if flt.newest_first else " ORDER BY id"
        if flt.limit is not None:
            query += f" LIMIT {int(flt.limit)}"
        return [job_row(r) for r in self._db.read(query, params)]

    def attempts(self, job_id: int) -> list[Attempt]:
        rows = self._db.read(
            "SELECT job_id, number, started_at, worker, ended_at, outcome, error, duration "
            "FROM {s}.attempts WHERE job_id = %s ORDER BY id", (job_id,))
        return [Attempt(r[0], r[1], r[2], r[3], r[4], r[5], loads(r[6]), r[7]) for r in rows]

    def count_jobs(self) -> dict[JobStatus, int]:
        counts = dict.fromkeys(JobStatus, 0)
        for status, n in self._db.read("SELECT status, count(*) FROM {s}.jobs GROUP BY status"):
            counts[JobStatus(status)] = n
        return counts

    def count_jobs_by_priority(self) -> dict[tuple[JobStatus, Priority], int]:
        rows = self._db.read("SELECT status, priority, count(*) FROM {s}.jobs "
                             "GROUP BY status, priority")
        return {(JobStatus(status), Priority(priority)): n for status, priority, n in rows}

    def count_finished_since(self, since: float) -> dict[JobStatus, int]:
        counts = {JobStatus.DONE: 0, JobStatus.DEAD: 0}
        for status, n in self._db.read(
                "SELECT status, count(*) FROM {s}.jobs WHERE finished_at IS NOT NULL "
                "AND finished_at >= %s GROUP BY status", (since,)):
            if JobStatus(status) in counts:
                counts[JobStatus(status)] = n
        return counts

    def descendants(self, job_ids: Sequence[int]) -> list[Job]:
        if not job_ids:
            return []
        rows = self._db.read(
            "WITH RECURSIVE tree(id) AS (SELECT id FROM {s}.jobs WHERE parent_job_id = ANY(%s) "
            "UNION SELECT j.id FROM {s}.jobs j JOIN tree ON j.parent_job_id = tree.id) "
            f"SELECT {JOB_COLUMNS} FROM {{s}}.jobs WHERE id IN (SELECT id FROM tree) "
            "ORDER BY id", (list(job_ids),))
        return [job_row(r) for r in rows]

    def delete_job(self, job_id: int) -> bool:
        def delete(db: Conn) -> bool:
            deleted = db.execute(self._db.sql(
                "DELETE FROM {s}.jobs WHERE id = %s AND status != 'running'"),
                (job_id,)).rowcount > 0
            if deleted:
                db.execute(self._db.sql("DELETE FROM {s}.attempts WHERE job_id = %s"),
                           (job_id,))
            return deleted

        return self._db.write(delete)

    def retry_job(self, job_id: int, now: float) -> Job | None:
        def retry(db: Conn) -> Job | None:
            row = db.execute(self._db.sql(
                "UPDATE {s}.jobs SET status = 'scheduled', run_at = %s, wait_from = %s, "
                "attempts = 0, finished_at = NULL, last_error = NULL "
                f"WHERE id = %s AND status IN ('dead', 'done') RETURNING {JOB_COLUMNS}"),
                (now, now, job_id)).fetchone()
            if row:
                self._db.notify(db, "jobs")
            return job_row(row) if row else None

        return self._db.write(retry)

    def purge_jobs(self, statuses: Sequence[JobStatus], finished_before: float,
                   keep_newest: int | None = None) -> int:
        if not statuses:
            return 0
        chosen = "status = ANY(%s) AND finished_at IS NOT NULL"
        values = [s.value for s in statuses]
        old = "finished_at < %s"
        params: list[Any] = [values, finished_before]
        if keep_newest is not None:
            old += (f" OR id NOT IN (SELECT id FROM {{s}}.jobs WHERE {chosen} "
                    "ORDER BY finished_at DESC, id DESC LIMIT %s)")
            params += [values, keep_newest]

        def purge(db: Conn) -> int:
            doomed = db.execute(self._db.sql(
                f"DELETE FROM {{s}}.jobs WHERE id IN (SELECT id FROM {{s}}.jobs "
                f"WHERE {chosen} AND ({old})) RETURNING id"), params).fetchall()
            ids = [r[0] for r in doomed]
            if ids:
                db.execute(self._db.sql("DELETE FROM {s}.attempts WHERE job_id = ANY(%s)"),
                           (ids,))
            return len(ids)

        return self._db.write(purge)
