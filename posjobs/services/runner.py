"""One-off runs: everything to the end for CI (fast-forward), one job now, or a kill."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from posjobs.clock import Clock, ManualClock
from posjobs.config import Settings
from posjobs.errors import JobNotFound, UsageError
from posjobs.jobs.model import Job, JobStatus
from posjobs.project import Project
from posjobs.services.slots import ProcessExecutor, SlotConfig
from posjobs.services.worker import Outcome, Worker, fast_forward
from posjobs.store.base import Store

OnOutcome = Callable[[Outcome], None]


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


def process_worker(
    project: Project,
    store: Store,
    settings: Settings,
    store_url: str,
    *,
    clock: Clock,
    slots: int,
    on_outcome: OnOutcome | None = None,
    speed: float = 1.0,
) -> Worker:
    """A worker whose attempts run in child processes, under their time limits."""
    config = SlotConfig(str(project.root), store_url, settings.environment)
    return Worker(project, store, settings, clock=clock, speed=speed,
                  executor=ProcessExecutor(config, slots), on_outcome=on_outcome)


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
    worker = process_worker(project, store, settings, store_url, clock=clock, slots=1,
                            on_outcome=on_outcome)
    summary = RunSummary()
    try:
        for outcome in fast_forward(worker, clock, among):
            if among is not None:
                job_id = outcome.job.id
                summary.durations[job_id] = summary.durations.get(job_id, 0) + outcome.duration
            status = outcome.status
            if status is not None and status.is_final:
                summary.counts[status] = summary.counts.get(status, 0) + 1
                if among is None and status is JobStatus.DEAD:
                    summary.jobs.append(store.get_job(outcome.job.id) or outcome.job)
    finally:
        worker.executor.close()
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
    worker = process_worker(project, store, settings, store_url, clock=clock, slots=1)
    try:
        claimed = store.claim_job(job.id, worker.name, clock.now(), settings.lease_seconds,
                                  log=worker.started_log)
        if claimed is None:
            raise UsageError(f"job {job_id} is {job.status.value}; only scheduled or retry jobs "
                             "can be run (use `posjobs jobs retry` for dead ones)")
        return worker.process(claimed)
    finally:
        worker.executor.close()


def kill(
    store: Store, job_id: int, *, wait: float, sleep: Callable[[float], None] = time.sleep
) -> JobStatus | None:
    """Ask the worker running `job_id` to stop it; its status once stopped, or None if the
    worker did not answer within `wait` seconds."""
    job = _job(store, job_id)
    if not store.request_kill(job_id):
        raise UsageError(f"job {job_id} is {job.status.value}; only a running job can be killed")
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        current = store.get_job(job_id)
        if current is None or current.status is not JobStatus.RUNNING:
            return current.status if current else JobStatus.DEAD
        sleep(0.05)
    return None


def _job(store: Store, job_id: int) -> Job:
    job = store.get_job(job_id)
    if job is None:
        raise JobNotFound(f"no job {job_id}", hint="`posjobs jobs list` shows the jobs there are")
    return job
