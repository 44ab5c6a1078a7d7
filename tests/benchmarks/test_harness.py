"""The benchmark harness counts what it says it counts, and reports every measurement.

Tiny runs only, and no timing is asserted: timing goals live in the suite itself
(`python -m benchmarks.run`), measured as ratios in one run.
"""

from __future__ import annotations

import json
import re
import sqlite3
import sys
from pathlib import Path

import pytest

pytest.importorskip("huey")

from benchmarks import report
from benchmarks.config import TINY
from benchmarks.measures import enqueue, processing
from benchmarks.peers import sqlite_loop
from benchmarks.peers.huey_app import completion_times, make_huey
from benchmarks.run import ALL_NAMES, run_suite
from posjobs.jobs.model import JobStatus
from posjobs.store.base import JobFilter, LogFilter
from posjobs.store.sqlite import SQLiteStore

JOBS = 20
# Rows that say why they could not run, when a tool they need is not on this machine:
# each row's name, and what its note says. Every other row must run.
MAY_BE_UNAVAILABLE = {"serve_load": "wrk is not installed"}


def test_posjobs_completions_are_the_done_jobs_in_the_store(tmp_path: Path) -> None:
    run = processing.posjobs_round(tmp_path, JOBS, concurrency=2)

    store = SQLiteStore(tmp_path / "posjobs.db")
    counts = store.count_jobs()
    job_logs = store.tail_logs(LogFilter(types=("bench",)), 1000)
    store.close()
    assert run.completed == counts[JobStatus.DONE] == JOBS
    assert run.waiting == 0 == counts[JobStatus.SCHEDULED] + counts[JobStatus.RUNNING]
    assert len(run.times) == JOBS
    # Each job really ran its body: one `{% log %}` entry per job.
    assert sorted(e.message for e in job_logs) == sorted(f"job {i}" for i in range(1, JOBS + 1))


def test_huey_completions_are_the_results_in_its_store(tmp_path: Path) -> None:
    run = processing.huey_round(tmp_path, JOBS, concurrency=2)

    huey = make_huey(tmp_path / "huey.db")
    assert run.completed == huey.result_count() == JOBS
    assert run.waiting == huey.pending_count() == 0
    assert sorted(run.times) == sorted(completion_times(huey))


def test_bare_loop_completions_are_the_done_rows(tmp_path: Path) -> None:
    run = processing.bare_round(tmp_path, JOBS, concurrency=2)

    counts = sqlite_loop.counts(tmp_path / "bare.db")
    assert run.completed == counts[sqlite_loop.DONE] == JOBS
    assert run.waiting == 0 and sqlite_loop.WAITING not in counts
    assert len(run.times) == JOBS


def test_record_loop_writes_the_record_posjobs_writes(tmp_path: Path) -> None:
    # The record loop stands for "posjobs' record, nothing else": per job it must leave the
    # same rows a real worker leaves (if posjobs records more, the peer must follow).
    ours = processing.posjobs_round(tmp_path / "posjobs", JOBS, concurrency=2)
    loop = processing.record_round(tmp_path / "record", JOBS, concurrency=2)
    assert ours.completed == loop.completed == JOBS and loop.waiting == 0
    assert len(loop.times) == JOBS
    assert _record(tmp_path / "record/posjobs.db") == _record(tmp_path / "posjobs/posjobs.db")


def _record(db: Path) -> tuple[object, ...]:
    """What a store holds per job, and in all, without ids, times and worker names."""
    store = SQLiteStore(db)
    try:
        jobs = store.list_jobs(JobFilter(limit=None))
        per_job = []
        for job in sorted(jobs, key=lambda j: j.id):
            attempts = store.attempts(job.id)
            logs = store.tail_logs(LogFilter(job_id=job.id), 100)
            per_job.append((
                job.status, job.attempts, job.finished_at is not None, job.lease_until,
                job.last_error, job.kill_requested,
                [(a.number, a.outcome, a.error, a.ended_at is not None) for a in attempts],
                sorted((e.type, _timeless(e.message), e.source_name, e.attempt, e.max_attempts,
                        e.priority, e.template, e.line, e.page, e.request, e.simulated_at,
                        e.run_id is not None) for e in logs),
            ))
    finally:
        store.close()
    with sqlite3.connect(db) as conn:  # nothing written beside the jobs' own rows
        totals = [conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                  for table in ("jobs", "attempts", "logs")]
    return tuple(per_job), totals


def _timeless(message: str) -> str:
    """`done in 0.4 ms` says how long the attempt took: only its shape is compared."""
    return re.sub(r"\d+(\.\d+)?", "N", message) if message.startswith("done in ") else message


def test_a_peer_that_fails_says_why() -> None:
    ok = [sys.executable, "-c", "pass"]
    failing = [sys.executable, "-c", "import sys; sys.exit('database is locked')"]
    processing.run_all([ok, ok], "bare loop")
    with pytest.raises(RuntimeError, match="bare loop exited 1: database is locked"):
        processing.run_all([ok, failing], "bare loop")


def test_a_rate_needs_every_job_completed() -> None:
    with pytest.raises(RuntimeError, match="19 of 20"):
        _ = processing.Run(20, 19, 1, [1.0] * 19).rate
    assert processing.Run(3, 3, 0, [10.0, 10.5, 11.0]).rate == 2.0


def test_enqueue_stores_every_job_on_both_sides(tmp_path: Path) -> None:
    _took, stored = enqueue.posjobs_round(tmp_path / "posjobs", JOBS)
    _took, queued = enqueue.huey_round(tmp_path / "huey", JOBS)
    assert stored == queued == JOBS


def test_results_have_every_measurement_with_its_ratio_and_target(tmp_path: Path) -> None:
    results, _rows = run_suite(TINY, tmp_path / "work", parallel=True)
    report.write_json(results, tmp_path / "results.json")

    written = json.loads((tmp_path / "results.json").read_text())
    assert written["failed"] == []
    rows = {row["name"]: row for row in written["measurements"]}
    assert set(rows) == set(ALL_NAMES)
    for name, row in rows.items():
        assert {"posjobs", "peer", "ratio", "target", "met"} <= set(row), name
        if not row["available"]:  # only a row whose tool is missing on this machine
            assert name in MAY_BE_UNAVAILABLE, row
            assert MAY_BE_UNAVAILABLE[name] in row["notes"][0], row
            continue
        assert row["ratio"]["value"] > 0, name
        if row["target"] is not None:
            assert row["target"]["op"] in ("<=", ">=") and row["target"]["value"] > 0, name
            assert isinstance(row["met"], bool), name
    assert written["machine"]["cores"] and written["machine"]["python"]
