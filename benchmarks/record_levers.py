"""What would make posjobs' per-job record cheaper, measured on the record loop beside Huey.

    python -m benchmarks.record_levers --jobs 10000 --rounds 2

Not a row of the suite (no posjobs code runs): the evidence behind BENCHMARKS.md's "What one
commit per job allows". Each round runs Huey's consumer, then the record loop (see
`benchmarks/peers/record_loop.py`) on posjobs' schema and on a slim one (secondary indexes
dropped, but the claim's, attempts by job and logs by job), as 2 processes with one
commit per job, or as one writer committing K jobs at once (group commit). It also prints
the WAL pages each variant writes per job (what a commit costs by).
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path

from benchmarks import procs
from benchmarks.measures import processing
from benchmarks.peers import record_loop

# Every secondary index a job's record writes to, but the claim's, `attempts` numbering's and
# `logs --job`'s (jobs_run and jobs_parent are written at enqueue only, so they stay).
SLIM_DROPS = ("logs_created", "logs_run", "jobs_status_priority", "jobs_status",
              "jobs_finished", "jobs_running")
WAL_HEADER, WAL_FRAME = 32, 24 + 4096  # SQLite's WAL format, at posjobs' 4 KiB pages
PAGE_JOBS = 2_000  # jobs a page count runs (in this process)
# (label, slim schema, processes, jobs per commit)
VARIANTS = (
    ("one commit per job, 2 processes (today's design)", False, 2, 1),
    ("one writer, 1 job per commit", False, 1, 1),
    ("one writer, 2 jobs per commit", False, 1, 2),
    ("one writer, 4 jobs per commit", False, 1, 4),
    ("one writer, 8 jobs per commit", False, 1, 8),
    ("slim record, one commit per job, 2 processes", True, 2, 1),
    ("slim record, one writer, 2 jobs per commit", True, 1, 2),
)


def filled(work: Path, count: int, slim: bool = False) -> Path:
    """A posjobs store holding `count` due jobs, rendered as the processing row renders them."""
    db = processing.filled_store(work, count)
    if slim:
        with sqlite3.connect(db) as conn:
            for index in SLIM_DROPS:
                conn.execute(f"DROP INDEX {index}")
    return db


def wal_pages_per_job(db: Path, count: int, run: Callable[[], object]) -> float:
    """The pages `run` writes per job: the write-ahead log's frames, with no checkpoint
    (a reader kept open stops the last connection's close from folding them back)."""
    with sqlite3.connect(db) as keep:
        keep.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        keep.execute("SELECT 1 FROM jobs LIMIT 1").fetchall()
        run()
        frames = (db.with_name(db.name + "-wal").stat().st_size - WAL_HEADER) / WAL_FRAME
    return frames / count


def record_pages_per_job(work: Path, count: int, slim: bool, batch: int) -> float:
    db = filled(work, count, slim)
    return wal_pages_per_job(db, count, lambda: record_loop.work(db, batch, checkpoints=False))


def posjobs_pages_per_job(work: Path, count: int) -> float:
    """The same figure for posjobs itself: one slot, driven in-process, draining the store."""
    from posjobs.config import Settings
    from posjobs.services.messages import Work
    from posjobs.services.slot import Resources, Slot, SlotConfig

    db = filled(work, count)

    def drain() -> None:
        resources = Resources.open(SlotConfig(str(work), str(db), Settings(), "levers"))
        resources.store._db._conn.execute("PRAGMA wal_autocheckpoint = 0")  # type: ignore[attr-defined]
        try:
            Slot(resources, Settings(), "levers").serve(Work(drain=True), lambda _m: None)
        finally:
            resources.close()

    return wal_pages_per_job(db, count, drain)


def record_rate(work: Path, count: int, slim: bool, processes: int, batch: int) -> float:
    db = filled(work, count, slim)
    processing.run_all(
        [procs.python_module(record_loop.__name__, db, "--batch", str(batch))] * processes,
        "record loop")
    return processing.posjobs_counts(db, count).rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    if args.jobs < 2 or args.rounds < 1:
        parser.error("a rate needs --jobs 2 or more and --rounds 1 or more")
    results: dict[str, list[str]] = {label: [] for label, *_ in VARIANTS}
    for r in range(args.rounds):
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            huey = processing.huey_round(work / "huey", args.jobs, 2).rate
            # Each round starts at another variant, so that drift on the host spreads.
            order = list(enumerate(VARIANTS))
            order = order[r % len(order):] + order[:r % len(order)]
            for n, (label, slim, processes, batch) in order:
                rate = record_rate(work / f"record-{n}", args.jobs, slim, processes, batch)
                results[label].append(f"{rate:,.0f} ({rate / huey:.2f}x)")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        pages = {label: record_pages_per_job(work / f"pages-{n}", PAGE_JOBS, slim, batch)
                 for n, (label, slim, _processes, batch) in enumerate(VARIANTS)}
        ours = posjobs_pages_per_job(work / "pages-posjobs", PAGE_JOBS)
    print("| record loop | WAL pages per job | rounds: jobs/s (over Huey's rate in the same "
          "round) |")
    print("| --- | --- | --- |")
    for label, cells in results.items():
        print(f"| {label} | {pages[label]:.1f} | {', '.join(cells)} |")
    print(f"\nposjobs itself (one slot, in-process): {ours:.1f} WAL pages per job")


if __name__ == "__main__":
    main()
