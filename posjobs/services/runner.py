"""One-off runs: everything to the end for CI (fast-forward), one job now, or a kill.

They use the supervisor and its slots like the real-time worker, one attempt at a time, with
a simulated clock that jumps to the next run time instead of waiting for it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from posjobs.clock import Clock, ManualClock
from posjobs.config import Settings
from posjobs.errors import JobNotFound, WrongStateError
from posjobs.jobs.model import Job, JobStatus
from posjobs.project import Project
from posjobs.services.messages import Work
from posjobs.services.supervisor import Outcome, Supervisor
from posjobs.store.base import JobFilter, Store

OnOutcome = Callable[[Outcome], None]
ELSEWHERE_POLL_SECONDS = 0.05  # waiting for jobs of the run that another worker runs


@dataclass
class RunSummary:
    """Where the jobs of a run ended. Lists each job of a scoped run (a render's jobs) but,
    for a run of everything, only the dead ones: a backlog is counted, never held."""

    counts: dict[JobStatus, int] = field(default_factory=dict)
    jobs: list[Job] = field(default_factory=list)
    durations: dict[int, float] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def ok(self) -> bool:
        """Every job done: none dead, none left unfinished."""
        return self.counts.get(JobStatus.DONE, 0) == self.total

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "counts": {status.value: n for status, n in self.counts.items()},
            "jobs": [
                {**job.summary(), "duration_ms": round(self.durations.get(job.id, 0) * 1000, 1)}
                for job in self.jobs
            ],
        }


class Runs(Protocol):
    """What runs orders: a supervisor and its slots (or, in tests, a slot in-process)."""

    store: Store

    def run(self, order: Work) -> list[Outcome]: ...

    def recover(self) -> list[Job]: ...


def fast_forward(supervisor: Runs, clock: ManualClock, among: set[int] | None = None,
                 wait: Callable[[float], None] = time.sleep) -> Iterator[Outcome]:
    """Run every waiting job (or those in `among` and their descendants) to a final state,
    one attempt at a time, jumping the clock to the next due time instead of waiting.

    Jobs of the run that another worker is running are waited for (and recovered if that
    worker died), so that when this ends every job of the run is done or dead.
    """
    store = supervisor.store
    scope = set(among) if among is not None else None
    while True:
        order = Work(now=clock.now(), among=frozenset(scope) if scope is not None else None)
        outcomes = supervisor.run(order)
        for outcome in outcomes:
            yield outcome
            clock.advance(outcome.duration)  # simulated time still passes while jobs work
            if scope is not None and outcome.status is JobStatus.DONE:
                scope.update(j.id for j in store.descendants([outcome.job.id]))
        if outcomes:
            continue
        next_at = store.next_run_at(scope)
        if next_at is not None:
            clock.jump_to(next_at)
        elif _running_elsewhere(store, scope):
            supervisor.recover()
            wait(ELSEWHERE_POLL_SECONDS)
        else:
            return


def run_to_end(
    project: Project,
    store: Store,
    settings: Settings,
    store_url: str,
    *,
    now: float,
    among: set[int] | None = None,
    on_outcome: OnOutcome | None = None,
) -> RunSummary:
    """Run jobs (all, or `among` and their descendants) to a final state, one at a time,
    jumping a simulated clock to each next run time instead of waiting."""
    clock = ManualClock(now)
    summary = RunSummary()
    with Supervisor(project, store, settings, store_url, size=1,
                    on_outcome=on_outcome) as supervisor:
        for outcome in fast_forward(supervisor, clock, among):
            if among is not None:
                job_id = outcome.job.id
                summary.durations[job_id] = summary.durations.get(job_id, 0) + outcome.duration
            status = outcome.status
            if status is not None and status.is_final:
                summary.counts[status] = summary.counts.get(status, 0) + 1
                if among is None and status is JobStatus.DEAD:
                    dead = store.get_job(outcome.job.id)
                    if dead is not None:
                        summary.jobs.append(dead)
    if among is not None:
        ids = among | {job.id for job in store.descendants(sorted(among))}
        summary.jobs = [job for job in (store.get_job(i) for i in sorted(ids)) if job]
        summary.counts = {}
        for job in summary.jobs:
            summary.counts[job.status] = summary.counts.get(job.status, 0) + 1
    return summary


def run_one(
    project: Project,
    store: Store,
    settings: Settings,
    store_url: str,
    job_id: int,
    *,
    clock: Clock,
) -> Outcome:
    """Run one waiting job now, whatever its run time."""
    job = _job(store, job_id)
    if job.status not in (JobStatus.SCHEDULED, JobStatus.RETRY):
        raise _not_waiting(job)
    with Supervisor(project, store, settings, store_url, size=1) as supervisor:
        outcomes = supervisor.run(Work(now=clock.now(), job_id=job_id))
    if not outcomes:
        raise _not_waiting(_job(store, job_id))
    return outcomes[-1]


def kill(
    store: Store, job_id: int, *, wait: float, sleep: Callable[[float], None] = time.sleep
) -> JobStatus | None:
    """Ask the worker running `job_id` to stop it; its status once stopped, or None if the
    worker did not answer within `wait` seconds."""
    job = _job(store, job_id)
    if not store.request_kill(job_id):
        raise WrongStateError(f"job {job_id} is {job.status.value}; only a running job can be "
                              "killed")
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        current = store.get_job(job_id)
        if current is None or current.status is not JobStatus.RUNNING:
            return current.status if current else JobStatus.DEAD
        sleep(0.05)
    return None


def _not_waiting(job: Job) -> WrongStateError:
    return WrongStateError(f"job {job.id} is {job.status.value}; only scheduled or retry jobs "
                      "can be run (use `posjobs jobs retry` for dead ones)")


def _running_elsewhere(store: Store, scope: set[int] | None) -> bool:
    if scope is not None and not scope:
        return False
    running = JobFilter(statuses=(JobStatus.RUNNING,), ids=tuple(scope or ()), limit=1)
    return bool(store.list_jobs(running))


def _job(store: Store, job_id: int) -> Job:
    job = store.get_job(job_id)
    if job is None:
        raise JobNotFound(f"no job {job_id}", hint="`posjobs jobs list` shows the jobs there are")
    return job
