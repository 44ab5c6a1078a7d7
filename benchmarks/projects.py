"""Throw-away platformOS projects for the benchmarks, and posjobs stores filled through its API."""

from __future__ import annotations

import time
from pathlib import Path

from posjobs.clock import SystemClock
from posjobs.config import Settings
from posjobs.jobs.model import NewJob, Priority
from posjobs.project import Project
from posjobs.services.lifecycle import enqueued_entry
from posjobs.services.render import RenderResult, render_page
from posjobs.store.sqlite import SQLiteStore

# The trivial job body every throughput figure runs: one `{% log %}`.
PARTIAL = "{% log 'job ' | append: i, type: 'bench' %}\n"
BATCH = 50_000


def make_project(root: Path, pages: dict[str, str] | None = None) -> Project:
    """A project with the partial `p` and the given pages (name -> source)."""
    (root / "app/views/partials").mkdir(parents=True, exist_ok=True)
    (root / "app/views/pages").mkdir(parents=True, exist_ok=True)
    (root / "app/views/partials/p.liquid").write_text(PARTIAL)
    for name, source in (pages or {}).items():
        write_page(root, name, source)
    return Project(root)


def write_page(root: Path, name: str, source: str) -> None:
    path = root / "app/views/pages" / f"{name}.liquid"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source)


def loop_page(count: int) -> str:
    """A page whose one render enqueues `count` jobs of the partial `p`."""
    return f"{{% for i in (1..{count}) %}}{{% background _ = 'p', i: i %}}{{% endfor %}}\n"


def delayed_page(delays: list[float]) -> str:
    """A page enqueuing one job of `p` per delay (seconds; the tag takes minutes)."""
    return "".join(
        f"{{% background _ = 'p', delay: {seconds / 60:.9f}, i: {i} %}}\n"
        for i, seconds in enumerate(delays, 1)
    )


def render(project: Project, store: SQLiteStore, page: str) -> RenderResult:
    """Render `page` the way `posjobs render` does, its jobs stored in `store`."""
    return render_page(project, store, page, clock=SystemClock(), settings=Settings())


def new_job(job_id: int, run_at: float, i: int) -> NewJob:
    return NewJob(id=job_id, source_name="p", priority=Priority.DEFAULT, run_at=run_at,
                  max_attempts=1, arguments={"i": i}, partial="p",
                  body=None, template="app/views/pages/bench.liquid", line=1)


def fill_store(store: SQLiteStore, count: int, *, run_at: float | None = None,
               spread: float = 1.0, with_logs: bool = True) -> None:
    """Add `count` jobs of `p` through the store's own API, in big batches, each with the
    `job_enqueued` entry a render writes. Jobs run at `run_at` + i * `spread` seconds."""
    now = time.time()
    start = now + 86_400 if run_at is None else run_at
    done = 0
    while done < count:
        size = min(BATCH, count - done)
        ids = store.reserve_job_ids(size)
        jobs = [new_job(job_id, start + (done + k) * spread, done + k)
                for k, job_id in enumerate(ids)]
        logs = [enqueued_entry(job, now) for job in jobs] if with_logs else []
        store.enqueue(jobs, logs, now)
        done += size
