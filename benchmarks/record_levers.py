"""What would make posjobs' per-job record cheaper, measured on the record loop beside Huey.

    python -m benchmarks.record_levers --jobs 10000 --rounds 2

Not a row of the suite (no posjobs code runs): the evidence behind BENCHMARKS.md's "What one
commit per job allows". Each round runs Huey's consumer, then the record loop (see
`benchmarks/peers/record_loop.py`) on posjobs' schema and on a slim one (secondary indexes
dropped, but the claim's, attempts by job and logs by job), as 2 processes with one
commit per job, or as one writer committing K jobs at once (group commit).
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
from pathlib import Path

from benchmarks import procs
from benchmarks.measures import processing
from benchmarks.peers import record_loop

# Every secondary index a claim, `attempts` numbering and `logs --job` can do without.
SLIM_DROPS = ("logs_created", "logs_run", "jobs_status_priority", "jobs_status",
              "jobs_finished", "jobs_running", "jobs_run", "jobs_parent")
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


def record_rate(work: Path, count: int, slim: bool, processes: int, batch: int) -> float:
    project = processing.make_project(work, {"bench": processing.loop_page(count)})
    db = work / "posjobs.db"
    store = processing.SQLiteStore(db)
    try:
        processing.render(project, store, "bench")
    finally:
        store.close()
    if slim:
        with sqlite3.connect(db) as conn:
            for index in SLIM_DROPS:
                conn.execute(f"DROP INDEX {index}")
    workers = [procs.spawn(procs.python_module(record_loop.__name__, db, "--batch", str(batch)))
               for _ in range(processes)]
    for worker in workers:
        if worker.wait(processing.TIMEOUT) != 0:
            raise RuntimeError(f"record loop exited {worker.returncode}")
    return processing.posjobs_counts(db, count).rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    results: dict[str, list[str]] = {label: [] for label, *_ in VARIANTS}
    for _ in range(args.rounds):
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            huey = processing.huey_round(work / "huey", args.jobs, 2).rate
            for n, (label, slim, processes, batch) in enumerate(VARIANTS):
                rate = record_rate(work / f"record-{n}", args.jobs, slim, processes, batch)
                results[label].append(f"{rate:,.0f} ({rate / huey:.2f}x)")
    print("| record loop | rounds: jobs/s (over Huey's rate in the same round) |")
    print("| --- | --- |")
    for label, cells in results.items():
        print(f"| {label} | {', '.join(cells)} |")


if __name__ == "__main__":
    main()
