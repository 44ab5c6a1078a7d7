"""What becomes of a job when an attempt ends: the retry-or-dead rule, in this one place.

Every path that ends an attempt goes through `conclude`: a slot recording the attempt it
ran, the supervisor recording one it stopped (time limit, `jobs kill`) or one whose slot
died, and lease recovery of a worker that vanished. The store only writes what it is told.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from posjobs.clock import iso
from posjobs.jobs.backoff import RandomSource, retry_delay
from posjobs.jobs.model import Job, JobError, JobStatus, LogEntry, NewJob
from posjobs.services import lifecycle
from posjobs.store.base import AttemptResult


class Ending(str, Enum):
    """How an attempt ended, as its attempt row records it."""

    DONE = "done"
    FAILED = "failed"  # the template raised an error
    TIMEOUT = "timeout"  # stopped at its time limit
    KILLED = "killed"  # stopped by `jobs kill`
    CRASHED = "crashed"  # the process running it died
    INTERRUPTED = "interrupted"  # its worker vanished; found by lease recovery


# Endings retried after the Sidekiq backoff; a vanished worker's job runs again at once (it
# was not the job's fault); a killed job is never retried.
_BACKOFF = {Ending.FAILED, Ending.TIMEOUT, Ending.CRASHED}


@dataclass
class Ended:
    """An attempt's end, as the runtime saw it: what `conclude` turns into a store write."""

    ending: Ending
    error: JobError | None = None
    duration: float | None = None  # seconds, measured where it ran
    logs: list[LogEntry] = field(default_factory=list)  # what it logged, not yet stored
    new_jobs: list[NewJob] = field(default_factory=list)  # enqueued by it, kept if done

    @classmethod
    def timeout(cls, job: Job, limit: float, duration: float | None = None) -> Ended:
        message = f"stopped after its time limit of {limit:g} s ({job.priority.value} priority)"
        return cls(Ending.TIMEOUT, JobError.at(job, "Timeout", message), duration)

    @classmethod
    def killed(cls, job: Job, duration: float | None = None) -> Ended:
        return cls(Ending.KILLED, JobError.at(job, "Killed", "killed on request"), duration)

    @classmethod
    def crashed(cls, job: Job, why: str, duration: float | None = None) -> Ended:
        return cls(Ending.CRASHED, JobError.at(job, "WorkerCrash", why), duration)

    @classmethod
    def lost(cls, job: Job) -> Ended:
        """Lease recovery's verdict; a kill requested before the worker vanished holds."""
        if job.kill_requested:
            return cls.killed(job)
        message = "the worker running this attempt stopped answering; its lease expired"
        return cls(Ending.INTERRUPTED, JobError.at(job, "WorkerLost", message))


def conclude(job: Job, ended: Ended, at: float, rng: RandomSource) -> AttemptResult:
    """The store write for `job`'s claimed attempt ending as `ended` at `at`: done, retry
    (after backoff, or at once when its worker vanished) or dead, with its log entries."""
    logs = list(ended.logs)
    if ended.ending is Ending.DONE:
        logs.append(lifecycle.job_entry(job, lifecycle.DONE, f"done in {_ms(ended.duration)}",
                                        at))
        logs += [lifecycle.enqueued_entry(child, at) for child in ended.new_jobs]
        return AttemptResult(ended.ending.value, at, status=JobStatus.DONE,
                             duration=ended.duration, logs=logs, new_jobs=ended.new_jobs)
    error = ended.error or JobError.at(job, "Error", "the attempt failed")
    attempts_left = job.attempts < job.max_attempts and ended.ending is not Ending.KILLED
    retry_at = None
    if ended.ending is Ending.INTERRUPTED:
        if attempts_left:
            retry_at = at
            logs.append(lifecycle.job_entry(
                job, lifecycle.RECOVERED,
                f"recovered after its worker was lost during attempt {job.attempts}", at))
        else:
            logs.append(lifecycle.job_entry(
                job, lifecycle.DEAD, "dead: its worker was lost on the last attempt", at))
    else:
        message = f"attempt {job.attempts}/{job.max_attempts} {ended.ending.value}: " \
                  f"{error.message}" + (f" ({error.where})" if error.where else "")
        logs.append(lifecycle.job_entry(job, _LOG_TYPE[ended.ending], message, at))
        if attempts_left and ended.ending in _BACKOFF:
            retry_at = at + retry_delay(job.attempts - 1, rng)
            logs.append(lifecycle.job_entry(
                job, lifecycle.RETRY, f"attempt {job.attempts + 1} at {iso(retry_at)}", at))
        else:
            logs.append(lifecycle.job_entry(
                job, lifecycle.DEAD, f"dead after {job.attempts} attempt(s): {error.message}",
                at))
    status = JobStatus.RETRY if retry_at is not None else JobStatus.DEAD
    return AttemptResult(ended.ending.value, at, status=status, duration=ended.duration,
                         error=error.to_dict(), retry_at=retry_at, logs=logs)


_LOG_TYPE = {
    Ending.FAILED: lifecycle.FAILED,
    Ending.CRASHED: lifecycle.FAILED,
    Ending.TIMEOUT: lifecycle.TIMEOUT,
    Ending.KILLED: lifecycle.KILLED,
}


def _ms(seconds: float | None) -> str:
    return f"{(seconds or 0.0) * 1000:.1f} ms"
