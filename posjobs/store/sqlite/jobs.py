"""Jobs in the SQLite store: enqueueing, claiming, finishing attempts, recovery, management."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Collection, Sequence
from typing import Any

from posjobs.jobs.model import Attempt, Job, JobStatus, LogEntry, NewJob, Priority
from posjobs.store.base import AttemptResult, JobFilter, NextClaim
from posjobs.store.speed import ScaledWaits
from posjobs.store.sqlite.connection import Database
from posjobs.store.sqlite.rows import (
    JOB_COLUMNS,
    ended_job_values,
    ids_json,
    insert_jobs,
    insert_logs,
    job_row,
    loads,
    stored,
)

# Written out literally so that SQLite matches the partial indexes' WHERE clauses.
WAITING_SQL = "status IN ('scheduled', 'retry')"


class JobQueries(ScaledWaits):
    """The job half of `SQLiteStore`."""

    _db: Database

    # --- enqueueing --------------------------------------------------------------------------
    def reserve_job_ids(self, count: int) -> range:
        with self._db.write() as db:
            (first,) = db.execute(
                "UPDATE id_sequence SET next = next + ? WHERE name = 'jobs' RETURNING next - ?",
                (count, count),
            ).fetchone()
        return range(first, first + count)

    def release_job_ids(self, unused: range) -> None:
        if not unused:
            return
        with self._db.write() as db:
            db.execute(
                "UPDATE id_sequence SET next = ? WHERE name = 'jobs' AND next = ?",
                (unused.start, unused.stop),
            )

    def enqueue(self, jobs: Sequence[NewJob], logs: Sequence[LogEntry], now: float) -> list[Job]:
        with self._db.write() as db:
            insert_jobs(db, jobs, now)
            insert_logs(db, logs)
        return [stored(job, now) for job in jobs]

    # --- running -----------------------------------------------------------------------------
    def claim(
        self,
        worker: str,
        now: float,
        lease_seconds: float,
        among: Collection[int] | None = None,
    ) -> Job | None:
        with self._db.write() as db:
            return self._claim(db, worker, now, lease_seconds, among)

    def _claim(
        self,
        db: sqlite3.Connection,
        worker: str,
        now: float,
        lease_seconds: float,
        among: Collection[int] | None,
    ) -> Job | None:
        scope, scope_params = _among(among)
        due, due_params = _due(self._speed)
        # One indexed probe per priority keeps a claim as fast on a million waiting jobs as
        # on ten: far-future high jobs never stand in front of due low ones.
        for rank in (0, 1, 2):
            row = db.execute(
                f"SELECT id FROM jobs WHERE {WAITING_SQL} AND prio_rank = ? "
                f"AND {due} <= ?{scope} ORDER BY {due}, id LIMIT 1",
                (rank, *due_params, now, *scope_params, *due_params),
            ).fetchone()
            if row:
                return self._take(db, row[0], worker, now, lease_seconds)
        return None

    def claim_job(
        self, job_id: int, worker: str, now: float, lease_seconds: float
    ) -> Job | None:
        with self._db.write() as db:
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
        job = job_row(row)
        # Numbered over the job's whole history: `jobs retry` starts a new round of
        # attempts, but the ones before it stay in the list.
        db.execute(
            "INSERT INTO attempts (job_id, number, started_at, worker) "
            "VALUES (?, (SELECT count(*) + 1 FROM attempts WHERE job_id = ?), ?, ?)",
            (job.id, job.id, now, worker),
        )
        return job

    def finish_attempt(self, job: Job, result: AttemptResult) -> JobStatus | None:
        with self._db.write() as db:
            return self._finish(db, job, result)

    def finish_and_claim(
        self, job: Job, result: AttemptResult, then: NextClaim
    ) -> tuple[JobStatus | None, Job | None]:
        # One transaction, one commit, for a worker's busiest path.
        with self._db.write() as db:
            status = self._finish(db, job, result)
            return status, self._claim(db, then.worker, then.now, then.lease_seconds, None)

    def _finish(
        self, db: sqlite3.Connection, job: Job, result: AttemptResult
    ) -> JobStatus | None:
        status = result.status
        retry_at, wait_from, finished_at, error = ended_job_values(result)
        updated = db.execute(
            "UPDATE jobs SET status = ?, run_at = COALESCE(?, run_at), "
            "wait_from = COALESCE(?, wait_from), lease_until = NULL, kill_requested = 0, "
            "finished_at = ?, last_error = ? "
            "WHERE id = ? AND status = 'running' AND worker = ? AND attempts = ?",
            (
                status.value, retry_at, wait_from, finished_at, error,
                job.id, job.worker, job.attempts,
            ),
        ).rowcount
        if not updated:
            return None
        db.execute(
            "UPDATE attempts SET ended_at = ?, outcome = ?, error = ?, duration = ? "
            "WHERE job_id = ? AND ended_at IS NULL",
            (result.ended_at, result.outcome, error, result.duration, job.id),
        )
        if status is JobStatus.DONE:
            insert_jobs(db, result.new_jobs, result.ended_at)
        insert_logs(db, result.logs)
        return status

    def heartbeat(self, worker: str, job_ids: Sequence[int], lease_until: float) -> None:
        if not job_ids:
            return
        with self._db.write() as db:
            db.execute(
                "UPDATE jobs SET lease_until = ? WHERE status = 'running' AND worker = ? "
                "AND id IN (SELECT value FROM json_each(?))",
                (lease_until, worker, ids_json(job_ids)),
            )

    def request_kill(self, job_id: int) -> bool:
        with self._db.write() as db:
            return db.execute(
                "UPDATE jobs SET kill_requested = 1 WHERE id = ? AND status = 'running'",
                (job_id,),
            ).rowcount > 0

    def kill_requested(self, job_ids: Collection[int]) -> list[int]:
        if not job_ids:
            return []
        rows = self._db.read(
            "SELECT id FROM jobs WHERE kill_requested = 1 AND status = 'running' "
            "AND id IN (SELECT value FROM json_each(?))",
            (ids_json(job_ids),),
        )
        return [r[0] for r in rows]

    def release(self, job: Job, now: float) -> None:
        with self._db.write() as db:
            updated = db.execute(
                "UPDATE jobs SET status = CASE WHEN attempts > 1 THEN 'retry' ELSE 'scheduled' "
                "END, attempts = attempts - 1, worker = NULL, lease_until = NULL, "
                "kill_requested = 0 "
                "WHERE id = ? AND status = 'running' AND worker = ? AND attempts = ?",
                (job.id, job.worker, job.attempts),
            ).rowcount
            if updated:
                db.execute("DELETE FROM attempts WHERE job_id = ? AND ended_at IS NULL", (job.id,))

    def recover_expired(self, now: float, conclude: Callable[[Job], AttemptResult]) -> list[Job]:
        with self._db.write() as db:
            rows = db.execute(
                f"SELECT {JOB_COLUMNS} FROM jobs WHERE status = 'running' AND lease_until < ?",
                (now,),
            ).fetchall()
            lost = [job_row(r) for r in rows]
            for job in lost:
                self._finish(db, job, conclude(job))
            if not lost:
                return []
            rows = db.execute(
                f"SELECT {JOB_COLUMNS} FROM jobs WHERE id IN (SELECT value FROM json_each(?)) "
                "ORDER BY id", (ids_json([j.id for j in lost]),),
            ).fetchall()
        return [job_row(r) for r in rows]

    def next_run_at(self, among: Collection[int] | None = None) -> float | None:
        scope, scope_params = _among(among)
        due, due_params = _due(self._speed)
        times = [
            row[0]
            for rank in (0, 1, 2)
            for row in self._db.read(
                f"SELECT min({due}) FROM jobs WHERE {WAITING_SQL} AND prio_rank = ?{scope}",
                (*due_params, rank, *scope_params),
            )
            if row[0] is not None
        ]
        return min(times) if times else None

    # --- inspecting and managing ------------------------------------------------------------
    def get_job(self, job_id: int) -> Job | None:
        rows = self._db.read(f"SELECT {JOB_COLUMNS} FROM jobs WHERE id = ?", (job_id,))
        return job_row(rows[0]) if rows else None

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
            params.append(ids_json(flt.ids))
        if flt.workers:
            where.append(f"worker IN ({','.join('?' * len(flt.workers))})")
            params += list(flt.workers)
        if flt.run_id is not None:
            where.append("run_id = ?")
            params.append(flt.run_id)
        sql = f"SELECT {JOB_COLUMNS} FROM jobs"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY id DESC" if flt.newest_first else " ORDER BY id"
        if flt.limit is not None:
            sql += f" LIMIT {int(flt.limit)}"
        return [job_row(r) for r in self._db.read(sql, params)]

    def attempts(self, job_id: int) -> list[Attempt]:
        rows = self._db.read(
            "SELECT job_id, number, started_at, worker, ended_at, outcome, error, duration "
            "FROM attempts WHERE job_id = ? ORDER BY id",
            (job_id,),
        )
        return [Attempt(r[0], r[1], r[2], r[3], r[4], r[5], loads(r[6]), r[7]) for r in rows]

    def count_jobs(self) -> dict[JobStatus, int]:
        counts = dict.fromkeys(JobStatus, 0)
        for status, n in self._db.read("SELECT status, count(*) FROM jobs GROUP BY status"):
            counts[JobStatus(status)] = n
        return counts

    def count_jobs_by_priority(self) -> dict[tuple[JobStatus, Priority], int]:
        rows = self._db.read("SELECT status, priority, count(*) FROM jobs "
                             "GROUP BY status, priority")
        return {(JobStatus(status), Priority(priority)): n for status, priority, n in rows}

    def count_finished_since(self, since: float) -> dict[JobStatus, int]:
        counts = {JobStatus.DONE: 0, JobStatus.DEAD: 0}
        for status, n in self._db.read(
            # Only the jobs finished since then are read (without the hint, SQLite would
            # rather walk the status index through every job).
            "SELECT status, count(*) FROM jobs INDEXED BY jobs_finished "
            "WHERE finished_at IS NOT NULL AND finished_at >= ? GROUP BY status", (since,)
        ):
            if JobStatus(status) in counts:
                counts[JobStatus(status)] = n
        return counts

    def descendants(self, job_ids: Sequence[int]) -> list[Job]:
        if not job_ids:
            return []
        marks = ",".join("?" * len(job_ids))
        rows = self._db.read(
            f"WITH RECURSIVE tree(id) AS (SELECT id FROM jobs WHERE parent_job_id IN ({marks}) "
            "UNION SELECT jobs.id FROM jobs JOIN tree ON jobs.parent_job_id = tree.id) "
            f"SELECT {JOB_COLUMNS} FROM jobs WHERE id IN (SELECT id FROM tree) ORDER BY id",
            list(job_ids),
        )
        return [job_row(r) for r in rows]

    def delete_job(self, job_id: int) -> bool:
        with self._db.write() as db:
            deleted = db.execute(
                "DELETE FROM jobs WHERE id = ? AND status != 'running'", (job_id,)
            ).rowcount > 0
            if deleted:
                db.execute("DELETE FROM attempts WHERE job_id = ?", (job_id,))
            return deleted

    def retry_job(self, job_id: int, now: float) -> Job | None:
        with self._db.write() as db:
            row = db.execute(
                "UPDATE jobs SET status = 'scheduled', run_at = ?, wait_from = ?, attempts = 0, "
                "finished_at = NULL, last_error = NULL "
                f"WHERE id = ? AND status IN ('dead', 'done') RETURNING {JOB_COLUMNS}",
                (now, now, job_id),
            ).fetchone()
        return job_row(row) if row else None

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
        with self._db.write() as db:
            db.execute(f"DELETE FROM attempts WHERE job_id IN ({doomed})", all_params)
            return db.execute(f"DELETE FROM jobs WHERE id IN ({doomed})", all_params).rowcount


def _among(among: Collection[int] | None) -> tuple[str, list[str]]:
    if among is None:
        return "", []
    return " AND id IN (SELECT value FROM json_each(?))", [ids_json(among)]


def _due(speed: float) -> tuple[str, list[float]]:
    """When a waiting job is due, as SQL. At `worker --speed N` every wait (a delay, a retry
    backoff) passes N times faster from the moment it began (`wait_from`); that form uses no
    index, which a development speed-up can afford."""
    if speed == 1.0:
        return "run_at", []
    return "(wait_from + (run_at - wait_from) / ?)", [speed]

