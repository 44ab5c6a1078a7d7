"""Rows of the SQLite store: how jobs and log entries are written and read back (as JSON)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Sequence
from typing import Any

from posjobs.jobs.model import Job, JobStatus, LogEntry, NewJob, Priority
from posjobs.store.base import AttemptResult

JOB_COLUMNS = (
    "id, status, source_name, priority, run_at, created_at, attempts, max_attempts, "
    "arguments, partial, body, template, line, col, body_line, delay, context, parent_job_id, "
    "worker, lease_until, finished_at, last_error, kill_requested, run_id"
)
LOG_COLUMNS = (
    "id, created_at, type, message, job_id, source_name, attempt, max_attempts, "
    "priority, template, line, page, request, run_id, simulated_at"
)


def insert_jobs(db: sqlite3.Connection, jobs: Sequence[NewJob], now: float) -> None:
    if not jobs:
        return
    # The jobs of one render share one context object: serialise it once, not per job.
    contexts: dict[int, str] = {}

    def context_json(context: dict[str, Any]) -> str:
        key = id(context)
        if key not in contexts:
            contexts[key] = dumps(context)
        return contexts[key]

    db.executemany(
        "INSERT INTO jobs (id, status, source_name, priority, prio_rank, run_at, "
        "created_at, wait_from, attempts, max_attempts, arguments, partial, body, template, "
        "line, col, body_line, delay, context, parent_job_id, run_id) "
        "VALUES (?, 'scheduled', ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                j.id, j.source_name, j.priority.value, j.priority.rank, j.run_at, now, now,
                j.max_attempts, dumps(j.arguments), j.partial, j.body, j.template,
                j.line, j.column, j.body_line, j.delay, context_json(j.context),
                j.parent_job_id, j.run_id,
            )
            for j in jobs
        ],
    )

def insert_logs(db: sqlite3.Connection, logs: Sequence[LogEntry]) -> None:
    if not logs:
        return
    db.executemany(
        "INSERT INTO logs (created_at, type, message, job_id, source_name, attempt, "
        "max_attempts, priority, template, line, page, request, run_id, simulated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                e.created_at, e.type, e.message, e.job_id, e.source_name, e.attempt,
                e.max_attempts, e.priority, e.template, e.line, e.page, e.request, e.run_id,
                e.simulated_at,
            )
            for e in logs
        ],
    )


def ended_job_values(result: AttemptResult) -> tuple[float | None, float | None,
                                                    float | None, str | None]:
    """What recording `result` writes on its job, in both stores: the new run time (a
    retry's), when that wait began, when the job finished (a final status), the error
    as JSON; None where the job's value stays or is cleared."""
    retry_at = result.retry_at if result.status is JobStatus.RETRY else None
    return (retry_at, result.ended_at if retry_at is not None else None,
            result.ended_at if result.status.is_final else None,
            dumps(result.error) if result.error else None)


def ids_json(ids: Collection[int]) -> str:
    """Many ids as one JSON parameter (read with json_each), whatever SQLite's
    host-parameter limit is."""
    return json.dumps(sorted(ids))


def dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def stored(job: NewJob, now: float) -> Job:
    """The row `enqueue` just wrote for `job`, without reading it back."""
    return Job(
        id=job.id, status=JobStatus.SCHEDULED, source_name=job.source_name,
        priority=job.priority, run_at=job.run_at, created_at=now, attempts=0,
        max_attempts=job.max_attempts, arguments=job.arguments, partial=job.partial,
        body=job.body, template=job.template, line=job.line, column=job.column,
        body_line=job.body_line, delay=job.delay, context=job.context,
        parent_job_id=job.parent_job_id, run_id=job.run_id,
    )


def job_row(row: Sequence[Any]) -> Job:
    return Job(
        id=row[0],
        status=JobStatus(row[1]),
        source_name=row[2],
        priority=Priority(row[3]),
        run_at=row[4],
        created_at=row[5],
        attempts=row[6],
        max_attempts=row[7],
        arguments=loads(row[8]) or {},
        partial=row[9],
        body=row[10],
        template=row[11],
        line=row[12],
        column=row[13],
        body_line=row[14],
        delay=row[15],
        context=loads(row[16]) or {},
        parent_job_id=row[17],
        worker=row[18],
        lease_until=row[19],
        finished_at=row[20],
        last_error=loads(row[21]),
        kill_requested=bool(row[22]),
        run_id=row[23],
    )


def log_row(row: Sequence[Any]) -> LogEntry:
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
        run_id=row[13],
        simulated_at=row[14],
    )
