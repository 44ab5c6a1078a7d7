"""The JSON shapes of jobs and log entries: what `--json` prints and the dashboard's API serves."""

from __future__ import annotations

from typing import Any

from posjobs.clock import iso
from posjobs.errors import JobNotFound
from posjobs.jobs.model import Job, LogEntry
from posjobs.store.base import LogFilter, Store

JOB_LOG_LIMIT = 1000  # the entries `jobs show` lists for one job


def job_summary(job: Job) -> dict[str, Any]:
    """One row of `jobs list --json` (and of `GET /_posjobs/api/jobs`)."""
    return job.summary()


def find_job(store: Store, job_id: int) -> Job:
    """The job, or JobNotFound with a hint."""
    job = store.get_job(job_id)
    if job is None:
        raise JobNotFound(f"no job {job_id}", hint="`posjobs jobs list` shows the jobs there are")
    return job


def job_report(store: Store, job_id: int) -> dict[str, Any]:
    """Everything about one job, as `jobs show --json` prints it (and
    `GET /_posjobs/api/jobs/ID` serves it): options, arguments, attempts, log entries."""
    job = find_job(store, job_id)
    return {
        **job.details(),
        "attempts": [a.to_dict() for a in store.attempts(job_id)],
        "logs": [e.to_dict() for e in store.tail_logs(LogFilter(job_id=job_id), JOB_LOG_LIMIT)],
    }


def entry_json(entry: LogEntry) -> dict[str, Any]:
    """One log entry as `logs --json` prints it (and `GET /_posjobs/api/logs` serves it):
    pos-cli `fetch-logs` field names; ours go inside `data`."""
    return {
        "id": entry.id,
        "created_at": iso(entry.created_at),
        "error_type": entry.type,
        "message": entry.message,
        "data": {
            "job_id": entry.job_id,
            "source_name": entry.source_name,
            "attempt": entry.attempt,
            "max_attempts": entry.max_attempts,
            "priority": entry.priority,
            "template": entry.template,
            "line": entry.line,
            "page": entry.page,
            "request": entry.request,
            "run_id": entry.run_id,
            "simulated_at": iso(entry.simulated_at),
        },
    }
