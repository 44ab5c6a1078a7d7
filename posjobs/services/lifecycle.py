"""The log entries posjobs writes about a job's life; each kind has its own type."""

from __future__ import annotations

from collections.abc import Callable

from posjobs.clock import Clock, iso
from posjobs.jobs.model import Job, LogEntry, NewJob

ENQUEUED = "job_enqueued"
STARTED = "job_started"
DONE = "job_done"
FAILED = "job_error"  # a failed attempt that will be retried or is the last one
RETRY = "job_retry"
DEAD = "job_dead_error"
TIMEOUT = "job_timeout_error"
KILLED = "job_killed_error"
RECOVERED = "job_recovered"


def real_time(clock: Clock) -> Callable[[LogEntry], LogEntry]:
    """Stamp an entry written on a simulated clock (fast-forward) with the real time it is
    written, keeping the simulated time in `simulated_at`; an entry already stamped stays."""

    def stamp(entry: LogEntry) -> LogEntry:
        if entry.simulated_at is None:
            entry.simulated_at, entry.created_at = entry.created_at, clock.now()
        return entry

    return stamp


def as_is(entry: LogEntry) -> LogEntry:
    return entry


def enqueued_entry(job: NewJob, at: float) -> LogEntry:
    when = "now" if job.run_at <= at else f"at {iso(job.run_at)}"
    return LogEntry(
        type=ENQUEUED,
        message=f"job {job.id} {job.source_name} enqueued, runs {when}",
        created_at=at,
        job_id=job.id,
        source_name=job.source_name,
        max_attempts=job.max_attempts,
        priority=job.priority.value,
        template=job.template,
        line=job.line,
        run_id=job.run_id,
    )


def job_entry(job: Job, type_: str, message: str, at: float) -> LogEntry:
    return LogEntry(
        type=type_,
        message=message,
        created_at=at,
        job_id=job.id,
        source_name=job.source_name,
        attempt=job.attempts,
        max_attempts=job.max_attempts,
        priority=job.priority.value,
        template=job.template,
        line=job.line,
        run_id=job.run_id,
    )
