"""Scale: a store with a million scheduled future jobs (quick: 100,000) against one with
1,000: the worker's memory, `posjobs jobs list`, `posjobs logs -n 20`, and a claim.

Both stores are filled through the store's public API (`reserve_job_ids` + `enqueue`, in
batches of 50,000), each job with the `job_enqueued` entry a render writes.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from benchmarks import procs
from benchmarks.config import Config
from benchmarks.projects import fill_store, make_project
from benchmarks.stats import Measurement, Target, paired
from posjobs.store.sqlite import SQLiteStore

NAMES = ("scale_rss", "scale_rss_mb", "scale_rss_children", "scale_jobs_list", "scale_logs",
         "scale_claim")
NO_SLOWER = 1.2  # "no slower": the big store's median within the noise of a shared machine
MB = 1024.0


def build(work: Path, jobs: int) -> tuple[Path, float]:
    """A project and store with `jobs` future jobs; returns the store's path and the
    seconds the filling took."""
    make_project(work)
    db = work / "posjobs.db"
    store = SQLiteStore(db)
    start = time.perf_counter()
    fill_store(store, jobs)
    took = time.perf_counter() - start
    store.close()
    return db, took


def add_due(db: Path, count: int) -> None:
    """Jobs due an hour ago, for claims to take."""
    store = SQLiteStore(db)
    fill_store(store, count, run_at=time.time() - 3600, spread=0.0, with_logs=False)
    store.close()


def worker_memory(work: Path, db: Path, seconds: float, concurrency: int) -> tuple[float, float]:
    """Run `posjobs worker` (real time) on the store for `seconds` after it started its slots.

    Returns the worker process's peak RSS (VmHWM) and its descendants' summed RSS (its
    slot processes), both in kB."""
    worker = procs.spawn(procs.posjobs("worker", "--concurrency", str(concurrency),
                                       "--project", work, "--db", db))
    try:
        # Started when its slots exist below the worker.
        procs.wait_until(lambda: len(procs.descendants(worker.pid)) >= concurrency, 60,
                         what="the worker's slots", proc=worker)
        time.sleep(seconds)  # several polls, a heartbeat, the start-up retention duty
        own = procs.memory_kb(worker.pid).get("VmHWM", 0)
        children = sum(procs.memory_kb(pid).get("VmRSS", 0)
                       for pid in procs.descendants(worker.pid))
    finally:
        procs.stop(worker)
    return float(own), float(children)


def claim_seconds(db: Path, claims: int) -> float:
    """Mean seconds per claim of a due job (the store opened already)."""
    store = SQLiteStore(db)
    try:
        start = time.perf_counter()
        for _ in range(claims):
            if store.claim("bench", time.time(), 30.0) is None:
                raise RuntimeError("no due job to claim")
        return (time.perf_counter() - start) / claims
    finally:
        store.close()


def run(cfg: Config, work: Path, shared: dict[str, Any]) -> list[Measurement]:
    big, small = cfg.scale_big, cfg.scale_small
    rounds, c = cfg.scale_rounds, cfg.concurrency
    big_db, big_took = build(work / "big", big)
    small_db, _ = build(work / "small", small)
    sizes = {"big": (work / "big", big_db), "small": (work / "small", small_db)}
    label = f"{big:,} vs {small:,} jobs" + (
        " (quick run: not 1,000,000)" if cfg.mode == "quick" else "")
    built = f"built {big:,} future jobs + their log entries in {big_took:.1f} s " \
            f"({big / big_took:,.0f} jobs/s through reserve_job_ids + enqueue)"

    rss: dict[str, list[float]] = {"big": [], "small": []}
    kids: dict[str, list[float]] = {"big": [], "small": []}
    for _ in range(max(1, rounds // 3)):
        for name, (root, db) in sizes.items():
            own, children = worker_memory(root, db, cfg.rss_seconds, c)
            rss[name].append(own / MB)
            kids[name].append(children / MB)

    for _root, db in sizes.values():
        add_due(db, rounds * cfg.claims_per_round)  # after the workers, which would run them
    timings: dict[str, dict[str, list[float]]] = {
        what: {"big": [], "small": []} for what in ("jobs_list", "logs", "claim")}
    for r in range(rounds):
        order = list(sizes) if r % 2 == 0 else list(reversed(sizes))  # alternate who is first
        for name in order:
            root, db = sizes[name]
            timings["jobs_list"][name].append(procs.wall_time(
                procs.posjobs("jobs", "list", "--project", root, "--db", db)))
            timings["logs"][name].append(procs.wall_time(
                procs.posjobs("logs", "-n", "20", "--project", root, "--db", db)))
            timings["claim"][name].append(claim_seconds(db, cfg.claims_per_round) * 1000)

    no_slower = Target("ratio", "<=", NO_SLOWER, f"no slower (<= {NO_SLOWER:g}x)")
    how_rss = ("worker process alone: peak RSS (VmHWM from /proc/<pid>/status) after "
               f"{cfg.rss_seconds:g} s of `posjobs worker -c {c}` idling on the store")
    return [
        paired(rss["big"], rss["small"], f"worker RSS, {label}", "MB", name="scale_rss",
               peer_name=f"same worker, {small:,} jobs", ratio_meaning="big store / small store",
               target=Target("ratio", "<=", 1.1, "flat (<= 1.1x)"), notes=[how_rss, built]),
        paired(rss["big"], rss["small"], f"worker RSS with {big:,} jobs, absolute", "MB",
               name="scale_rss_mb", peer_name=f"same worker, {small:,} jobs",
               ratio_meaning="big store / small store",
               target=Target("ours", "<=", 100.0, "under 100 MB"), notes=[how_rss]),
        paired(kids["big"], kids["small"], f"worker's children RSS (summed), {label}", "MB",
               name="scale_rss_children", peer_name=f"same, {small:,} jobs",
               ratio_meaning="big store / small store", target=None,
               notes=[f"{c} slot processes, VmRSS summed (pages they share "
                      "after fork are counted in each)"]),
        paired(timings["jobs_list"]["big"], timings["jobs_list"]["small"],
               f"`posjobs jobs list`, {label}", "s", name="scale_jobs_list",
               peer_name=f"{small:,} jobs", ratio_meaning="big store / small store",
               target=no_slower, notes=["subprocess wall time, start-up included"]),
        paired(timings["logs"]["big"], timings["logs"]["small"],
               f"`posjobs logs -n 20`, {label}", "s", name="scale_logs",
               peer_name=f"{small:,} entries", ratio_meaning="big store / small store",
               target=no_slower, notes=["subprocess wall time, start-up included"]),
        paired(timings["claim"]["big"], timings["claim"]["small"],
               f"claim of a due job, {label}", "ms", name="scale_claim",
               peer_name=f"{small:,} jobs", ratio_meaning="big store / small store",
               target=no_slower,
               notes=[f"Store.claim in this process, mean of {cfg.claims_per_round} claims "
                      "per round; the future jobs stand behind the due ones"]),
    ]
