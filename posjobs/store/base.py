"""The storage contract every store implements; callers depend on this and nothing else.

Every method is atomic on its own. Claims are atomic updates, so any number of workers in
any number of processes may share one store.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from posjobs.jobs.model import Attempt, Job, JobStatus, LogEntry, NewJob, Priority

# Pauses between tries while the store fails (a lock held long, a full disk, a server away):
# what a long-running process (the worker, `logs --follow`) waits before its next try.
STORE_BACKOFF = (0.1, 0.2, 0.5, 1.0, 2.0, 5.0)


def store_pause(failures: int) -> float:
    """The pause after `failures` failed tries in a row (1 or more)."""
    return STORE_BACKOFF[min(max(failures, 1), len(STORE_BACKOFF)) - 1]


@dataclass(frozen=True)
class JobFilter:
    statuses: tuple[JobStatus, ...] = ()
    source_names: tuple[str, ...] = ()  # shell-style globs, any may match
    priorities: tuple[Priority, ...] = ()
    ids: tuple[int, ...] = ()
    workers: tuple[str, ...] = ()  # claimed by these workers
    run_id: str | None = None  # caused by this render (`jobs list --run`)
    limit: int | None = 50
    newest_first: bool = True


@dataclass(frozen=True)
class LogFilter:
    types: tuple[str, ...] = ()  # exact, case-insensitive (pos-cli's --filter)
    type_globs: tuple[str, ...] = ()  # case-insensitive globs
    source_names: tuple[str, ...] = ()  # globs
    job_id: int | None = None
    since: float | None = None
    until: float | None = None
    errors_only: bool = False
    run_id: str | None = None  # written by this render's page or jobs (`logs --run`)


@dataclass
class AttemptResult:
    """How one attempt of a job ended and what becomes of the job, handed to
    `Store.finish_attempt`. The rule that decides `status` lives in `services/outcome.py`;
    a store writes what it is given."""

    outcome: str  # "done", "failed", "timeout", "killed", "crashed", "interrupted"
    ended_at: float
    status: JobStatus  # done, retry (at `retry_at`) or dead
    duration: float | None = None  # measured where the attempt ran
    error: dict[str, Any] | None = None
    retry_at: float | None = None  # set when a failed job gets another attempt
    logs: list[LogEntry] = field(default_factory=list)
    new_jobs: list[NewJob] = field(default_factory=list)  # enqueued by the job itself


@dataclass(frozen=True)
class NextClaim:
    """A claim to make right after finishing an attempt (see `Store.finish_and_claim`)."""

    worker: str
    now: float
    lease_seconds: float


class Store(ABC):
    """Jobs, their attempts and the log."""

    # --- enqueueing -------------------------------------------------------------------
    @abstractmethod
    def reserve_job_ids(self, count: int) -> range:
        """Reserve `count` fresh job ids, so a render can hand out ids before it commits."""

    @abstractmethod
    def release_job_ids(self, unused: range) -> None:
        """Give back the unused tail of a reservation, if nobody reserved after it."""

    @abstractmethod
    def enqueue(self, jobs: Sequence[NewJob], logs: Sequence[LogEntry], now: float) -> list[Job]:
        """Store jobs and log entries together, in one transaction."""

    # --- running ----------------------------------------------------------------------
    @abstractmethod
    def claim(
        self,
        worker: str,
        now: float,
        lease_seconds: float,
        among: Collection[int] | None = None,
    ) -> Job | None:
        """Atomically take the next due job (priority, then run time, then enqueue order),
        only from the ids in `among` when given."""

    @abstractmethod
    def claim_job(
        self, job_id: int, worker: str, now: float, lease_seconds: float
    ) -> Job | None:
        """Atomically take one job whatever its run time, if it is waiting."""

    @abstractmethod
    def finish_attempt(self, job: Job, result: AttemptResult) -> JobStatus | None:
        """Record the end of the attempt `job` was claimed for.

        Returns the job's new status, or None if the claim was lost (its lease expired and
        the job was recovered elsewhere), in which case nothing is written.
        """

    def finish_and_claim(
        self, job: Job, result: AttemptResult, then: NextClaim
    ) -> tuple[JobStatus | None, Job | None]:
        """`finish_attempt`, then `claim` the next due job. A store may do both in one
        transaction (a worker's busiest path); this default does them one after the other."""
        status = self.finish_attempt(job, result)
        return status, self.claim(then.worker, then.now, then.lease_seconds)

    @abstractmethod
    def heartbeat(self, worker: str, job_ids: Sequence[int], lease_until: float) -> None:
        """Extend the leases of jobs this worker is running."""

    @abstractmethod
    def request_kill(self, job_id: int) -> bool:
        """Ask the worker running this job to stop the attempt; False if it is not running."""

    @abstractmethod
    def kill_requested(self, job_ids: Collection[int]) -> list[int]:
        """Which of these running jobs someone asked to kill."""

    @abstractmethod
    def release(self, job: Job, now: float) -> None:
        """Put a claimed job back, unrun, as if never claimed (shutdown)."""

    @abstractmethod
    def recover_expired(self, now: float, conclude: Callable[[Job], AttemptResult]) -> list[Job]:
        """Finish, in one transaction, the attempts of running jobs whose lease expired
        before `now`, each as `conclude(job)` says; returns those jobs as they are now."""

    @abstractmethod
    def next_run_at(self, among: Collection[int] | None = None) -> float | None:
        """The earliest run time among waiting jobs (only those in `among` when given)."""

    # --- inspecting and managing --------------------------------------------------------
    @abstractmethod
    def get_job(self, job_id: int) -> Job | None: ...

    @abstractmethod
    def list_jobs(self, flt: JobFilter) -> list[Job]: ...

    @abstractmethod
    def attempts(self, job_id: int) -> list[Attempt]: ...

    @abstractmethod
    def count_jobs(self) -> dict[JobStatus, int]: ...

    def count_jobs_by_priority(self) -> dict[tuple[JobStatus, Priority], int]:
        """How many jobs there are of each status and priority (the dashboard's overview).
        This default reads every job; a store should count in place."""
        counts: dict[tuple[JobStatus, Priority], int] = {}
        for job in self.list_jobs(JobFilter(limit=None)):
            key = (job.status, job.priority)
            counts[key] = counts.get(key, 0) + 1
        return counts

    def count_finished_since(self, since: float) -> dict[JobStatus, int]:
        """How many jobs ended done or dead since `since` (the dashboard's throughput).
        This default reads every finished job; a store should count in place."""
        counts = {JobStatus.DONE: 0, JobStatus.DEAD: 0}
        for job in self.list_jobs(JobFilter(statuses=tuple(counts), limit=None)):
            if job.finished_at is not None and job.finished_at >= since:
                counts[job.status] += 1
        return counts

    @abstractmethod
    def descendants(self, job_ids: Sequence[int]) -> list[Job]:
        """The jobs enqueued by these jobs, and by those, and so on."""

    @abstractmethod
    def delete_job(self, job_id: int) -> bool: ...

    @abstractmethod
    def retry_job(self, job_id: int, now: float) -> Job | None:
        """Put a dead or done job back to run now with a fresh set of attempts."""

    @abstractmethod
    def purge_jobs(
        self, statuses: Sequence[JobStatus], finished_before: float,
        keep_newest: int | None = None,
    ) -> int:
        """Delete finished jobs in `statuses` that finished before `finished_before`, and
        those beyond the newest `keep_newest` of them; returns how many."""

    # --- the log --------------------------------------------------------------------------
    @abstractmethod
    def add_logs(self, entries: Sequence[LogEntry]) -> None: ...

    @abstractmethod
    def tail_logs(
        self, flt: LogFilter, limit: int, up_to: int | None = None
    ) -> list[LogEntry]:
        """The last `limit` matching entries (with id <= up_to, when given), oldest first."""

    @abstractmethod
    def logs_after(
        self, after_id: int, flt: LogFilter, limit: int, up_to: int | None = None
    ) -> list[LogEntry]:
        """Matching entries with after_id < id <= up_to, oldest first."""

    @abstractmethod
    def last_log_id(self) -> int: ...

    @abstractmethod
    def clear_logs(self) -> int: ...

    @abstractmethod
    def purge_logs(self, before: float, keep_newest: int | None = None) -> int:
        """Delete entries written before `before`, and all but the newest `keep_newest`."""

    # --- wake-ups (optional) -------------------------------------------------------------
    # A store that can tell when another process wrote something sets this, and waiters
    # (an idle worker, `logs --follow`) block in `wait_for_change` instead of sleeping.
    announces_changes: bool = False

    def wait_for_change(self, topic: str, timeout: float) -> bool:
        """Block until another process may have changed `topic` ("jobs": a job became
        runnable; "logs": entries were written), or `timeout` seconds pass; True when woken.
        This default cannot tell, and only sleeps."""
        import time

        time.sleep(timeout)
        return False

    @abstractmethod
    def close(self) -> None: ...
