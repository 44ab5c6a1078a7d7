"""Processing: trivial jobs run by the real worker, by Huey's consumer, by a bare SQLite
claim loop (the upper bound), and by a bare loop writing posjobs' own record of each job
(the bound for any worker keeping that record with one commit per job), with the same
number of workers.

The rate is completions per second between the first and the last completion, taken from
each system's own store: posjobs' `finished_at`, the time each Huey task returned (its
stored result), the bare loop's `done_at`, the record loop's `finished_at`. Start-up is
not in it (see the start-up rows).
"""

from __future__ import annotations

import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks import procs
from benchmarks.config import Config
from benchmarks.peers import record_loop, sqlite_loop
from benchmarks.projects import loop_page, make_project, render
from benchmarks.stats import Measurement, Target, paired
from posjobs.jobs.model import JobStatus
from posjobs.store.base import JobFilter
from posjobs.store.sqlite import SQLiteStore

NAMES = ("processing", "processing_bare_share", "processing_record_share")
TIMEOUT = 600.0


@dataclass(frozen=True)
class Run:
    """What one system did with `expected` jobs: how many completed, how many still wait,
    and when each completed."""

    expected: int
    completed: int
    waiting: int
    times: list[float]
    problem: str | None = None  # how the run ended badly, when it did but its jobs completed

    @property
    def rate(self) -> float:
        if self.completed != self.expected or len(self.times) < 2:
            raise RuntimeError(f"{self.completed} of {self.expected} completed")
        span = max(self.times) - min(self.times)
        return (len(self.times) - 1) / span if span > 0 else float("inf")


def filled_store(work: Path, count: int) -> Path:
    """A project in `work` whose page enqueues `count` jobs of the trivial partial, rendered
    once into a new store there; the store's path."""
    project = make_project(work, {"bench": loop_page(count)})
    db = work / "posjobs.db"
    store = SQLiteStore(db)
    try:
        render(project, store, "bench")
    finally:
        store.close()
    return db


def posjobs_round(work: Path, count: int, concurrency: int) -> Run:
    """Render a page enqueuing `count` jobs, then `posjobs worker --burst` runs them."""
    db = filled_store(work, count)
    done = subprocess.run(
        procs.posjobs("worker", "--burst", "--concurrency", str(concurrency),
                      "--project", work, "--db", db),
        env=procs.env(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, timeout=TIMEOUT, check=False)
    run = posjobs_counts(db, count)
    if done.returncode == 0:
        return run
    crash = worker_crash(done.stderr.decode(errors="replace"))
    if crash and run.completed == count:
        # Every job ran; only the exit failed. Counted, and reported with the results.
        return Run(run.expected, run.completed, run.waiting, run.times, problem=crash)
    raise RuntimeError(f"posjobs worker exited {done.returncode}: {done.stderr[-2000:]!r}")


def worker_crash(stderr: str) -> str | None:
    """The known posjobs bug a worker's stderr shows, if any (see BENCHMARKS.md)."""
    if "JobLookupError" in stderr and "wake" in stderr:
        return "worker exited 1: APScheduler JobLookupError on the 'wake' job"
    return None


def posjobs_counts(db: Path, expected: int) -> Run:
    store = SQLiteStore(db)
    try:
        counts = store.count_jobs()
        finished = store.list_jobs(JobFilter(statuses=(JobStatus.DONE,), limit=None))
    finally:
        store.close()
    waiting = counts[JobStatus.SCHEDULED] + counts[JobStatus.RETRY] + counts[JobStatus.RUNNING]
    return Run(expected, counts[JobStatus.DONE], waiting,
               [job.finished_at for job in finished if job.finished_at is not None])


def huey_round(work: Path, count: int, concurrency: int) -> Run:
    """Enqueue `count` no-op tasks, then Huey's consumer (process workers) runs them."""
    from benchmarks.peers.huey_app import DB_VARIABLE, completion_times, make_huey

    work.mkdir(parents=True, exist_ok=True)
    db = work / "huey.db"
    huey = make_huey(db)
    for i in range(count):
        huey.noop(i)  # type: ignore[attr-defined]
    consumer = procs.spawn(
        procs.python_module("huey.bin.huey_consumer", "benchmarks.peers.huey_app.huey",
                            "--workers", str(concurrency), "--worker-type", "process"),
        cwd=procs.ROOT, extra_env={DB_VARIABLE: str(db)})
    try:
        procs.wait_until(lambda: huey.result_count() >= count, TIMEOUT, every=0.1,
                         what="Huey's consumer", proc=consumer)
    finally:
        procs.stop(consumer, signal.SIGINT)  # Huey's graceful stop
    times = completion_times(huey)
    run = Run(count, len(times), huey.pending_count(), times)
    huey.storage.close()
    return run


def bare_round(work: Path, count: int, concurrency: int) -> Run:
    """`concurrency` processes of the bare claim-and-complete loop on a minimal table."""
    work.mkdir(parents=True, exist_ok=True)
    db = work / "bare.db"
    sqlite_loop.create(db, [0.0] * count)
    run_all([procs.python_module("benchmarks.peers.sqlite_loop", db)] * concurrency,
             "bare loop")
    counts = sqlite_loop.counts(db)
    return Run(count, counts.get(sqlite_loop.DONE, 0),
               counts.get(sqlite_loop.WAITING, 0) + counts.get(sqlite_loop.RUNNING, 0),
               sqlite_loop.completion_times(db))


def record_round(work: Path, count: int, concurrency: int) -> Run:
    """`concurrency` processes of the record loop on a posjobs store holding `count` jobs
    (rendered as posjobs' round renders them)."""
    db = filled_store(work, count)
    run_all([procs.python_module(record_loop.__name__, db)] * concurrency, "record loop")
    return posjobs_counts(db, count)


def run_all(argvs: list[list[str]], what: str) -> None:
    """Run these processes at once and wait for all; one that fails is told with the end of
    what it printed (a peer prints nothing when it works)."""
    workers = [procs.spawn(argv, stderr=subprocess.PIPE) for argv in argvs]
    for worker in workers:
        _out, err = worker.communicate(timeout=TIMEOUT)
        if worker.returncode != 0:
            raise RuntimeError(f"{what} exited {worker.returncode}: "
                               f"{err.decode(errors='replace')[-2000:]}")


def run(cfg: Config, work: Path, shared: dict[str, Any]) -> list[Measurement]:
    n, c = cfg.process_jobs, cfg.concurrency
    systems = {"posjobs": posjobs_round, "huey": huey_round, "bare": bare_round,
               "record": record_round}
    rates: dict[str, list[float]] = {name: [] for name in systems}
    problems: list[str] = []
    for r in range(cfg.process_rounds):
        names = list(systems)
        names = names[r % len(names):] + names[:r % len(names)]  # rotate who goes first
        for name in names:
            result = systems[name](work / f"{name}-{r}", n, c)
            rates[name].append(result.rate)
            if result.problem:
                problems.append(f"round {r + 1}: {result.problem}")
    shared["posjobs_rate"] = sorted(rates["posjobs"])[len(rates["posjobs"]) // 2]
    huey_share = [h / b for h, b in zip(rates["huey"], rates["bare"], strict=True)]
    record_vs = {peer: ", ".join(f"{r / p:.2f}" for r, p in
                                 zip(rates["record"], rates[peer], strict=True))
                 for peer in ("huey", "bare")}
    how = (f"{n:,} jobs whose body is one {{% log %}}, {c} workers; rate between the first "
           "and the last completion, from each store")
    return [
        paired(rates["posjobs"], rates["huey"], f"processing {n:,} trivial jobs, {c} workers",
               "jobs/s", name="processing", peer_name="Huey SqliteHuey consumer",
               ratio_meaning="posjobs rate / Huey rate",
               target=Target("ratio", ">=", 1.5, "posjobs >= 1.5x Huey's rate"),
               notes=[how, "posjobs: `posjobs worker --burst --concurrency 2` (process slots); "
                      "Huey: huey_consumer -k process -w 2", *problems]),
        paired(rates["posjobs"], rates["bare"], "processing: share of the bare SQLite bound",
               "jobs/s", name="processing_bare_share", peer_name="bare SQLite claim loop",
               ratio_meaning="posjobs rate / bare loop rate", target=None,
               notes=["bare loop: WAL, BEGIN IMMEDIATE claim, BEGIN IMMEDIATE complete, "
                      f"{c} processes; Huey's share of it: "
                      + ", ".join(f"{s:.2f}" for s in huey_share)]),
        paired(rates["posjobs"], rates["record"],
               "processing: share of a loop writing posjobs' record", "jobs/s",
               name="processing_record_share",
               peer_name="record loop (posjobs' schema and rows, one commit per job)",
               ratio_meaning="posjobs rate / record loop rate", target=None,
               notes=["record loop: per job one BEGIN IMMEDIATE that records the previous "
                      "attempt (job row, attempt row, 3 log entries) and claims the next, "
                      f"with posjobs' statements on a posjobs store, {c} processes; no "
                      "render, pipe or supervisor (benchmarks/peers/record_loop.py)",
                      f"record loop / Huey: {record_vs['huey']}; "
                      f"record loop / bare loop: {record_vs['bare']}"]),
    ]
