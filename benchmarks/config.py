"""How big and how many: the sizes and rounds of a full, a quick and a tiny (test) run."""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Config:
    mode: str
    concurrency: int = 2
    # enqueue: one render enqueuing this many jobs, against Huey enqueuing as many tasks
    enqueue_jobs: int = 10_000
    enqueue_rounds: int = 5
    # processing: trivial jobs run by the real worker, Huey's consumer and a bare loop
    process_jobs: int = 20_000
    process_rounds: int = 3
    # scheduling lateness: delayed jobs coming due while the worker runs
    lateness_jobs: int = 80
    lateness_spacing: float = 0.1  # seconds between due times
    lateness_rounds: int = 2
    # log follow: probes written while `posjobs logs -f` runs
    follow_probes: int = 60
    follow_rounds: int = 2
    # scale: a big store of future jobs against a small one
    scale_big: int = 1_000_000
    scale_small: int = 1_000
    scale_rounds: int = 7
    rss_seconds: float = 5.0
    claims_per_round: int = 25
    # render: a demo page, posjobs against bare python-liquid
    render_loops: int = 500
    render_rounds: int = 7
    # check: a generated project
    check_files: int = 1_500
    check_rounds: int = 3
    # start-up
    startup_rounds: int = 15
    # data: a records query with a property filter, against a bare SQLite query
    data_records: int = 10_000
    data_lookups: int = 500
    data_rounds: int = 7
    # serve: HTTP against render_page; the dashboard on a big store
    serve_loops: int = 200
    serve_rounds: int = 3
    serve_jobs: int = 100_000


FULL = Config(mode="full")
QUICK = replace(
    FULL, mode="quick", enqueue_rounds=3, process_jobs=2_000, process_rounds=2,
    lateness_jobs=20, lateness_rounds=1, follow_probes=20, follow_rounds=1,
    scale_big=100_000, scale_rounds=3, rss_seconds=2.0, render_loops=200, render_rounds=3,
    check_rounds=1, startup_rounds=5, data_lookups=200, data_rounds=3, serve_loops=100,
    serve_rounds=2,
)
# For the harness's own tests: every measurement runs, on almost nothing.
TINY = replace(
    FULL, mode="tiny", enqueue_jobs=20, enqueue_rounds=1, process_jobs=20, process_rounds=1,
    lateness_jobs=3, lateness_spacing=0.05, lateness_rounds=1, follow_probes=3,
    follow_rounds=1, scale_big=200, scale_small=20, scale_rounds=1, rss_seconds=0.3,
    claims_per_round=2, render_loops=2, render_rounds=1, check_files=30, check_rounds=1,
    startup_rounds=1, data_records=50, data_lookups=5, data_rounds=1, serve_loops=3,
    serve_rounds=1, serve_jobs=200,
)
