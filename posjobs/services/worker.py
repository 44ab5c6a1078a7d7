"""The worker's run-once step: claim a due job, run it, record the outcome by the platform's rules.

The same step serves the real-time worker (driven by APScheduler, see `scheduler.py`) and
fast-forward runs that jump a manual clock to the next due time instead of sleeping.
"""

from __future__ import annotations

import os
import random
import socket
import threading
import time
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from posjobs.clock import Clock, ManualClock, SystemClock, iso
from posjobs.config import Settings
from posjobs.jobs.backoff import RandomSource, retry_delay
from posjobs.jobs.model import Job, JobStatus, LogEntry
from posjobs.liquid import Dialect
from posjobs.project import Project
from posjobs.services import lifecycle
from posjobs.services.execute import Execution
from posjobs.services.slots import Attempted, Executor, InlineExecutor, Stopped, TimedOut
from posjobs.store.base import AttemptResult, JobFilter, NextClaim, Store

DAY = 86_400.0
CONTROL_SECONDS = 0.25  # how soon a running attempt obeys `posjobs jobs kill`
ELSEWHERE_POLL_SECONDS = 0.05  # fast-forward, waiting for its jobs another worker runs


@dataclass(frozen=True)
class Outcome:
    """How one attempt ended, for progress output."""

    job: Job
    status: JobStatus | None  # None when the job was released or its claim lost meanwhile
    duration: float
    error: dict[str, object] | None
    released: bool = False  # put back unrun because the worker is stopping


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{random.randrange(16**4):04x}"


class Worker:
    """Runs jobs from a store. Thread-safe for concurrent `process` calls."""

    def __init__(
        self,
        project: Project,
        store: Store,
        settings: Settings,
        *,
        clock: Clock,
        rng: RandomSource | None = None,
        name: str | None = None,
        dialect: Dialect | None = None,
        executor: Executor | None = None,
        on_outcome: Callable[[Outcome], None] | None = None,
        timer: Callable[[], float] = time.perf_counter,
        speed: float = 1.0,
        real_clock: Clock | None = None,
        guard: bool = True,
    ) -> None:
        self.project = project
        self.store = store
        self.settings = settings
        self.clock = clock  # when jobs are due: real time, or simulated in fast-forward
        self.real_clock = real_clock or SystemClock()  # leases, which other workers judge
        self.rng = rng or random.Random()
        self.name = name or worker_name()
        self._executor = executor
        self._dialect = dialect
        self.on_outcome = on_outcome
        self.timer = timer  # measures durations; the clock says when things happen
        self.speed = speed  # `worker --speed`: delays and retry waits pass this much faster
        self._guardian = _Guardian(self) if guard else None

    @property
    def executor(self) -> Executor:
        """Where attempts run; in this process (no hard time limit) unless one was given."""
        if self._executor is None:
            self._executor = InlineExecutor(self._dialect or Dialect(self.project), self.store,
                                            self.settings.environment, self.timer)
        return self._executor
    def claim(self, among: Collection[int] | None = None) -> Job | None:
        # The store sets the lease from the claim's `now`; when that is simulated time, shift
        # the lease so that it still ends `lease_seconds` from now in real time.
        now = self.clock.now()
        lease = self.settings.lease_seconds + (self.real_clock.now() - now)
        return self.store.claim(self.name, now, lease, among, self.speed, log=self.started_log)

    def started_log(self, job: Job) -> list[LogEntry]:
        """The entry a claim writes: `logs --follow` shows a long job has started."""
        message = f"attempt {job.attempts}/{job.max_attempts} started"
        return [lifecycle.job_entry(job, lifecycle.STARTED, message, self.clock.now())]

    def run_next(self, among: Collection[int] | None = None) -> Outcome | None:
        """Claim the next due job and run it; None when nothing is due."""
        job = self.claim(among)
        return self.process(job) if job else None

    def process(self, job: Job) -> Outcome:
        """Run one claimed attempt of `job` and record how it ended, by the platform's rules."""
        return self._process(job, claim_next=False)[0]

    def process_then_claim(self, job: Job) -> tuple[Outcome, Job | None]:
        """`process`, then claim the next due job, in the store transaction that records the
        outcome: a busy worker's loop."""
        return self._process(job, claim_next=True)

    def _process(self, job: Job, claim_next: bool) -> tuple[Outcome, Job | None]:
        started = self.clock.now()
        limit = self.settings.time_limits.for_priority(job.priority.value)
        tick = self.timer()
        try:
            with self._guard(job):
                result = self.executor.run(job, started, limit)
        except BaseException:  # Ctrl-C in a one-off run: put the job back, unrun
            self.executor.kill(job.id)
            self.store.release(job, self.clock.now())
            raise
        took = self.timer() - tick
        if isinstance(result, Execution) and result.duration is not None:
            took = result.duration  # the attempt itself, without the hand-over to its process
        return self._record(job, result, started, took, claim_next)

    def record(self, job: Job, result: Attempted, started: float, took: float) -> Outcome:
        """Record how an attempt of `job`, started at `started`, ended, by the platform's
        rules: done, retry after backoff, dead; or released unrun at shutdown."""
        return self._record(job, result, started, took, claim_next=False)[0]

    def _record(
        self, job: Job, result: Attempted, started: float, took: float, claim_next: bool
    ) -> tuple[Outcome, Job | None]:
        limit = self.settings.time_limits.for_priority(job.priority.value)
        ended = max(self.clock.now(), started + took)
        if isinstance(result, Stopped) and result.reason == "shutdown":
            self.store.release(job, ended)
            return self._report(Outcome(job, None, took, None, released=True)), None
        logs: list[LogEntry] = []  # its start was logged when it was claimed
        logs += result.logs  # for an attempt stopped midway, what it logged until then
        if isinstance(result, Execution) and result.ok:
            logs.append(lifecycle.job_entry(job, lifecycle.DONE, f"done in {_ms(took)}", ended))
            logs += [lifecycle.enqueued_entry(child, ended) for child in result.jobs]
            attempt = AttemptResult("done", ended, duration=took, logs=logs,
                                    new_jobs=result.jobs)
            error = None
        else:
            outcome, log_type, error, may_retry = _failure_of(job, result, limit)
            attempt = self._failure(job, outcome, log_type, error, may_retry, ended, logs)
            attempt.duration = took
        next_job = None
        if claim_next:
            now = self.clock.now()
            lease = self.settings.lease_seconds + (self.real_clock.now() - now)
            status, next_job = self.store.finish_and_claim(
                job, attempt, NextClaim(self.name, now, lease, self.speed, self.started_log))
        else:
            status = self.store.finish_attempt(job, attempt)
        return self._report(Outcome(job, status, took, error)), next_job

    @contextmanager
    def _guard(self, job: Job) -> Iterator[None]:
        """While an attempt runs: keep its lease alive, and stop it if someone kills it
        (unless a supervising process does that for this worker)."""
        guardian = self._guardian
        if guardian is None:
            yield
            return
        guardian.add(job.id)
        try:
            yield
        finally:
            guardian.remove(job.id)

    def _report(self, outcome: Outcome) -> Outcome:
        if self.on_outcome:
            self.on_outcome(outcome)
        return outcome

    def _failure(
        self,
        job: Job,
        outcome: str,
        log_type: str,
        error: dict[str, object],
        may_retry: bool,
        ended: float,
        logs: list[LogEntry],
    ) -> AttemptResult:
        where = f" ({error.get('path')}:{error.get('line')})" if error.get("line") else ""
        message = f"attempt {job.attempts}/{job.max_attempts} {outcome}: {error.get('message')}"
        logs.append(lifecycle.job_entry(job, log_type, message + where, ended))
        if may_retry and job.attempts < job.max_attempts:
            retry_at = ended + retry_delay(job.attempts - 1, self.rng)
            logs.append(lifecycle.job_entry(
                job, lifecycle.RETRY, f"attempt {job.attempts + 1} at {iso(retry_at)}", ended))
            return AttemptResult(outcome, ended, error=error, retry_at=retry_at, logs=logs)
        logs.append(lifecycle.job_entry(
            job, lifecycle.DEAD, f"dead after {job.attempts} attempt(s): {error.get('message')}",
            ended))
        return AttemptResult(outcome, ended, error=error, logs=logs)

    def apply_retention(self) -> tuple[int, int]:
        """Forget done jobs and log entries past the limits `posjobs.toml` sets.

        Dead jobs are never purged automatically: they wait for a person to look.
        """
        keep = self.settings.retention
        now = self.clock.now()
        jobs = self.store.purge_jobs((JobStatus.DONE,), now - keep.done_jobs_days * DAY,
                                     keep_newest=keep.max_done_jobs)
        logs = self.store.purge_logs(now - keep.log_days * DAY, keep_newest=keep.max_logs)
        return jobs, logs

    def recover(self) -> list[Job]:
        """Return jobs whose worker died to the queue (or bury them if out of attempts)."""
        now = self.real_clock.now()
        jobs = self.store.recover_expired(now)
        entries = []
        for job in jobs:
            if job.status is JobStatus.DEAD:
                entries.append(lifecycle.job_entry(
                    job, lifecycle.DEAD, "dead: its worker was lost on the last attempt", now))
            else:
                entries.append(lifecycle.job_entry(
                    job, lifecycle.RECOVERED,
                    f"recovered after its worker was lost during attempt {job.attempts}", now))
        self.store.add_logs(entries)
        return jobs


def fast_forward(
    worker: Worker,
    clock: ManualClock,
    among: set[int] | None = None,
    wait: Callable[[float], None] = time.sleep,
) -> Iterator[Outcome]:
    """Run every waiting job (or those in `among` and their descendants) to a final state,
    jumping the clock to the next due time instead of waiting for it.

    Jobs of the run that another worker is running are waited for (and recovered if that
    worker died), so that when this ends every job of the run is done or dead.
    """
    scope = set(among) if among is not None else None
    while True:
        outcome = worker.run_next(scope)
        if outcome is not None:
            yield outcome
            clock.advance(outcome.duration)  # simulated time still passes while jobs work
            if scope is not None and outcome.status is JobStatus.DONE:
                scope.update(j.id for j in worker.store.descendants([outcome.job.id]))
            continue
        next_at = worker.store.next_run_at(scope)
        if next_at is not None:
            clock.jump_to(next_at)
        elif _running_elsewhere(worker.store, scope):
            worker.recover()
            wait(ELSEWHERE_POLL_SECONDS)
        else:
            return


class _Guardian:
    """One thread for all of a worker's running attempts: it keeps their leases alive and
    stops the ones someone kills. It runs only while attempts do."""

    def __init__(self, worker: Worker) -> None:
        self._worker = worker
        self._running: set[int] = set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def add(self, job_id: int) -> None:
        with self._lock:
            self._running.add(job_id)
            if self._thread is None:
                self._thread = threading.Thread(target=self._watch, name="posjobs-guardian",
                                                 daemon=True)
                self._thread.start()

    def remove(self, job_id: int) -> None:
        with self._lock:
            self._running.discard(job_id)

    def _watch(self) -> None:
        worker = self._worker
        lease = worker.settings.lease_seconds
        next_beat = time.monotonic() + lease / 3
        while True:
            time.sleep(min(CONTROL_SECONDS, lease / 3))
            with self._lock:
                ids = sorted(self._running)
                if not ids:
                    self._thread = None
                    return
            for job_id in worker.store.kill_requested(ids):
                worker.executor.kill(job_id)
            if time.monotonic() >= next_beat:
                worker.store.heartbeat(worker.name, ids, worker.real_clock.now() + lease)
                next_beat = time.monotonic() + lease / 3


def _running_elsewhere(store: Store, scope: set[int] | None) -> bool:
    if scope is not None and not scope:
        return False
    running = JobFilter(statuses=(JobStatus.RUNNING,), ids=tuple(scope or ()), limit=1)
    return bool(store.list_jobs(running))


def _failure_of(
    job: Job, result: Attempted, limit: float
) -> tuple[str, str, dict[str, object], bool]:
    """(outcome, log type, error, may be retried) for an attempt that did not succeed."""
    where: dict[str, object] = {"path": job.template, "line": job.line, "column": None}
    if isinstance(result, Execution):
        return "failed", lifecycle.FAILED, dict(result.error or {}), True
    if isinstance(result, TimedOut):
        message = f"stopped after its time limit of {limit:g} s ({job.priority.value} priority)"
        return "timeout", lifecycle.TIMEOUT, {"class": "Timeout", "message": message, **where}, True
    if result.reason == "killed":
        return "killed", lifecycle.KILLED, {"class": "Killed", "message": "killed on request",
                                             **where}, False
    message = "the process running the attempt died"
    return "crashed", lifecycle.FAILED, {"class": "WorkerCrash", "message": message, **where}, True


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"
