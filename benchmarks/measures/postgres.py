"""PostgreSQL: enqueue and processing with the job store on PostgreSQL, beside the same
rounds on the SQLite store and Huey's SqliteHuey, with 1, 2 and 4 worker processes.

The server is POSJOBS_BENCH_PG (default: the machine's, postgresql://postgres@127.0.0.1:5432/
test); every round uses a fresh schema, dropped afterwards. The ratio is PostgreSQL's rate
over SQLite's (target for processing: within 2x, so >= 0.5); Huey's rates are in the notes.
"""

from __future__ import annotations

import os
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any

from benchmarks import procs
from benchmarks.config import Config
from benchmarks.measures import enqueue, processing
from benchmarks.projects import loop_page, make_project, render
from benchmarks.stats import Measurement, Target, paired, unavailable
from posjobs.jobs.model import JobStatus
from posjobs.store.base import JobFilter
from posjobs.store.postgres import PostgresStore

WORKERS = (1, 2, 4)
NAMES = ("pg_enqueue", *(f"pg_processing_{n}" for n in WORKERS))
SERVER = os.environ.get("POSJOBS_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")


def _schema_url() -> tuple[str, str]:
    schema = "bench_" + uuid.uuid4().hex[:10]
    return f"{SERVER}?schema={schema}", schema


def _drop(schema: str) -> None:
    import psycopg

    with psycopg.connect(SERVER, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def enqueue_round(work: Path, count: int) -> float:
    """Jobs per second one render of the loop page enqueues into a fresh PostgreSQL store."""
    project = make_project(work, {"bench": loop_page(count)})
    url, schema = _schema_url()
    store = PostgresStore(url)
    try:
        start = time.perf_counter()
        render(project, store, "bench")
        took = time.perf_counter() - start
        if sum(store.count_jobs().values()) != count:
            raise RuntimeError("posjobs on PostgreSQL did not store every job")
    finally:
        store.close()
        _drop(schema)
    return count / took


def processing_round(work: Path, count: int, concurrency: int) -> float:
    """Completions per second of `posjobs worker --burst` on a fresh PostgreSQL store."""
    project = make_project(work, {"bench": loop_page(count)})
    url, schema = _schema_url()
    store = PostgresStore(url)
    try:
        render(project, store, "bench")
        done = subprocess.run(
            procs.posjobs("worker", "--burst", "--concurrency", str(concurrency),
                          "--project", work, "--db", url),
            env=procs.env(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, timeout=processing.TIMEOUT, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"posjobs worker exited {done.returncode}: "
                               f"{done.stderr[-2000:]!r}")
        finished = store.list_jobs(JobFilter(statuses=(JobStatus.DONE,), limit=None))
        run = processing.Run(count, len(finished), 0,
                             [j.finished_at for j in finished if j.finished_at is not None])
        return run.rate
    finally:
        store.close()
        _drop(schema)


def run(cfg: Config, work: Path, shared: dict[str, Any]) -> list[Measurement]:
    url, schema = _schema_url()
    try:
        PostgresStore(url).close()
    except Exception as err:  # noqa: BLE001 - any reason is reported, not raised
        return [unavailable(name, name, f"no PostgreSQL server: {err}") for name in NAMES]
    _drop(schema)
    rows = [_enqueue(cfg, work)]
    for workers in WORKERS:
        rows.append(_processing(cfg, work, workers))
    return rows


def _enqueue(cfg: Config, work: Path) -> Measurement:
    n = cfg.enqueue_jobs
    pg: list[float] = []
    lite: list[float] = []
    huey: list[float] = []
    for r in range(cfg.enqueue_rounds):
        pg.append(enqueue_round(work / f"pg-enqueue-{r}", n))
        took, _stored = enqueue.posjobs_round(work / f"lite-enqueue-{r}", n)
        lite.append(n / took)
        took, _queued = enqueue.huey_round(work / f"huey-enqueue-{r}", n)
        huey.append(n / took)
    return paired(pg, lite, f"enqueue {n:,} jobs (one render) on PostgreSQL", "jobs/s",
                  name="pg_enqueue", peer_name="posjobs on SQLite",
                  ratio_meaning="PostgreSQL rate / SQLite rate", target=None,
                  notes=[f"Huey SqliteHuey, same run: {_rates(huey)} jobs/s"])


def _processing(cfg: Config, work: Path, workers: int) -> Measurement:
    n = cfg.process_jobs
    pg: list[float] = []
    lite: list[float] = []
    huey: list[float] = []
    for r in range(cfg.process_rounds):
        pg.append(processing_round(work / f"pg-{workers}-{r}", n, workers))
        lite.append(processing.posjobs_round(work / f"lite-{workers}-{r}", n, workers).rate)
        huey.append(processing.huey_round(work / f"huey-{workers}-{r}", n, workers).rate)
    return paired(pg, lite, f"processing {n:,} trivial jobs on PostgreSQL, {workers} "
                  "worker process(es)", "jobs/s", name=f"pg_processing_{workers}",
                  peer_name="posjobs on SQLite", ratio_meaning="PostgreSQL rate / SQLite rate",
                  target=Target("ratio", ">=", 0.5, "PostgreSQL within 2x of SQLite"),
                  notes=[f"`posjobs worker --burst --concurrency {workers}` on each store; "
                         f"Huey consumer -k process -w {workers}, same run: "
                         f"{_rates(huey)} jobs/s"])


def _rates(rates: list[float]) -> str:
    return ", ".join(f"{r:,.0f}" for r in rates)
