"""Scheduling lateness: from a job's due time to the start of its first attempt.

A real worker (`posjobs worker`, real time, no --speed) runs while a page renders jobs with
`delay`s, so that they come due one after the other while it waits. Lateness is the
`started_at` of each job's first attempt minus its `run_at`, both from the store. Under load,
another writer keeps enqueuing due jobs at half the worker's measured throughput meanwhile.
The baseline is the bare SQLite loop sleeping until each row's run time, then claiming it.
"""

from __future__ import annotations

import contextlib
import threading
import time
from pathlib import Path
from typing import Any

from benchmarks import procs
from benchmarks.config import Config
from benchmarks.peers import sqlite_loop
from benchmarks.projects import delayed_page, fill_store, make_project, render, write_page
from benchmarks.stats import Measurement, Target, pooled
from posjobs.jobs.model import JobStatus
from posjobs.store.base import JobFilter
from posjobs.store.sqlite import SQLiteStore

NAMES = ("lateness_idle_p50", "lateness_idle_p99", "lateness_load_p50", "lateness_load_p99")
LEAD = 1.0  # seconds from the render to the first due time: the worker notices new rows
# within its poll (100-250 ms), so every measured job is known to it before it comes due
LOAD_TICK = 0.05


def posjobs_round(work: Path, jobs: int, spacing: float, concurrency: int,
                  load_rate: float = 0.0) -> list[float]:
    """Lateness (seconds) of `jobs` delayed jobs run by a real `posjobs worker`."""
    project = make_project(work)
    db = work / "posjobs.db"
    store = SQLiteStore(db)
    worker = procs.spawn(procs.posjobs("worker", "--concurrency", str(concurrency),
                                       "--project", work, "--db", db))
    load = Load(store, load_rate)
    try:
        # Ready when it has run a job: slots started, scheduler running.
        write_page(work, "warm", "{% background _ = 'p', i: 0 %}")
        warm = render(project, store, "warm").jobs[0].id
        procs.wait_until(lambda: _status(store, warm) is JobStatus.DONE, 60,
                         what="the worker to start", proc=worker)
        load.start()
        write_page(work, "delayed", delayed_page([LEAD + i * spacing for i in range(jobs)]))
        ids = [job.id for job in render(project, store, "delayed").jobs]
        procs.wait_until(lambda: _all_final(store, ids), LEAD + jobs * spacing + 120,
                         what="the delayed jobs", proc=worker)
    finally:
        load.stop()
        procs.stop(worker)
    lateness = []
    for job in store.list_jobs(JobFilter(ids=tuple(ids), limit=None)):
        first = store.attempts(job.id)[0]
        lateness.append(first.started_at - job.run_at)
    store.close()
    return lateness


def bare_round(work: Path, jobs: int, spacing: float) -> list[float]:
    """Lateness of the bare loop sleeping until each row comes due."""
    work.mkdir(parents=True, exist_ok=True)
    db = work / "bare.db"
    start = time.time() + LEAD
    sqlite_loop.create(db, [start + i * spacing for i in range(jobs)])
    loop = procs.spawn(procs.python_module("benchmarks.peers.sqlite_loop", db, "--scheduled"))
    if loop.wait(LEAD + jobs * spacing + 60) != 0:
        raise RuntimeError(f"bare loop exited {loop.returncode}")
    return sqlite_loop.lateness(db)


class Load:
    """Another writer: enqueues due jobs at `rate` per second, in a thread, until stopped."""

    def __init__(self, store: SQLiteStore, rate: float) -> None:
        self.store = store
        self.rate = rate
        self.enqueued = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        if self.rate > 0:
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        with contextlib.suppress(RuntimeError):
            self._thread.join()

    def _run(self) -> None:
        owed = 0.0
        while not self._stop.wait(LOAD_TICK):
            owed += self.rate * LOAD_TICK
            batch = int(owed)
            if batch:
                fill_store(self.store, batch, run_at=time.time(), spread=0.0, with_logs=True)
                owed -= batch
                self.enqueued += batch


def _status(store: SQLiteStore, job_id: int) -> JobStatus | None:
    job = store.get_job(job_id)
    return job.status if job else None


def _all_final(store: SQLiteStore, ids: list[int]) -> bool:
    jobs = store.list_jobs(JobFilter(ids=tuple(ids), limit=None))
    return len(jobs) == len(ids) and all(job.status.is_final for job in jobs)


def run(cfg: Config, work: Path, shared: dict[str, Any]) -> list[Measurement]:
    k, gap, c = cfg.lateness_jobs, cfg.lateness_spacing, cfg.concurrency
    load_rate = 0.5 * shared.get("posjobs_rate", 200.0)
    idle: list[list[float]] = []
    bare: list[list[float]] = []
    loaded: list[list[float]] = []
    for r in range(cfg.lateness_rounds):
        idle.append(posjobs_round(work / f"idle-{r}", k, gap, c))
        bare.append(bare_round(work / f"bare-{r}", k, gap))
        loaded.append(posjobs_round(work / f"load-{r}", k, gap, c, load_rate))
    how = (f"{k} jobs per round, due {gap * 1000:g} ms apart while the worker runs; "
           "started_at of the first attempt minus run_at")
    load_note = (f"under load: another writer enqueues {load_rate:.0f} due jobs/s (half the "
                 "measured processing rate) meanwhile; compared with posjobs idle")
    ms = {name: [[s * 1000 for s in r] for r in rounds]
          for name, rounds in (("idle", idle), ("bare", bare), ("loaded", loaded))}
    rows = [
        pooled(ms["idle"], ms["bare"], pct, f"scheduling lateness idle, p{pct}", "ms",
               name=f"lateness_idle_p{pct}", peer_name="bare SQLite loop sleeping until due",
               ratio_meaning=f"posjobs p{pct} / bare p{pct}",
               target=Target("ours", "<=", 50.0, "p99 <= 50 ms idle") if pct == 99 else None,
               notes=[how])
        for pct in (50, 99)
    ]
    rows += [
        pooled(ms["loaded"], ms["idle"], pct, f"scheduling lateness under load, p{pct}", "ms",
               name=f"lateness_load_p{pct}", peer_name="posjobs idle",
               ratio_meaning=f"loaded p{pct} / idle p{pct}", target=None,
               notes=[how, load_note])
        for pct in (50, 99)
    ]
    return rows
