"""Enqueue: one page render enqueuing N jobs, against Huey enqueuing N tasks to SqliteHuey."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from benchmarks.config import Config
from benchmarks.projects import loop_page, make_project, render
from benchmarks.stats import Measurement, Target, paired
from posjobs.store.sqlite import SQLiteStore

NAMES = ("enqueue",)


def posjobs_round(work: Path, count: int) -> tuple[float, int]:
    """Seconds one render of the loop page takes, into a fresh store; and the jobs stored."""
    project = make_project(work, {"bench": loop_page(count)})
    store = SQLiteStore(work / "posjobs.db")
    try:
        start = time.perf_counter()
        render(project, store, "bench")
        took = time.perf_counter() - start
        stored = sum(store.count_jobs().values())
    finally:
        store.close()
    return took, stored


def huey_round(work: Path, count: int) -> tuple[float, int]:
    """Seconds Huey takes to enqueue `count` tasks to a fresh SqliteHuey; and tasks queued."""
    from benchmarks.peers.huey_app import make_huey

    work.mkdir(parents=True, exist_ok=True)
    huey = make_huey(work / "huey.db")
    huey.pending_count()  # open the connection first, as posjobs' store is opened first
    start = time.perf_counter()
    for i in range(count):
        huey.noop(i)  # type: ignore[attr-defined]
    took = time.perf_counter() - start
    queued = huey.pending_count()
    huey.storage.close()
    return took, queued


def run(cfg: Config, work: Path, shared: dict[str, Any]) -> list[Measurement]:
    n = cfg.enqueue_jobs
    ours: list[float] = []
    peer: list[float] = []
    for r in range(cfg.enqueue_rounds):
        took, stored = posjobs_round(work / f"posjobs-{r}", n)
        _expect(stored, n, "posjobs jobs stored")
        ours.append(n / took)
        took, queued = huey_round(work / f"huey-{r}", n)
        _expect(queued, n, "Huey tasks queued")
        peer.append(n / took)
    return [paired(
        ours, peer, f"enqueue {n:,} jobs (one render vs {n:,} Huey calls)", "jobs/s",
        name="enqueue", peer_name="Huey SqliteHuey", ratio_meaning="posjobs rate / Huey rate",
        target=Target("ratio", ">=", 4.0, "posjobs >= 4x Huey's rate"),
        notes=["posjobs: render_page of `{% for %}{% background %}{% endfor %}` into a fresh "
               "store (parse, render, one transaction); Huey: task() calls, one commit each"],
    )]


def _expect(got: int, want: int, what: str) -> None:
    if got != want:
        raise RuntimeError(f"{what}: {got}, expected {want}")
