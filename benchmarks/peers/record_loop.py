"""posjobs' record without posjobs: a bare loop writing what a worker writes per job, in
posjobs' own store file and schema, and nothing else (no render, no pipes, no supervisor).

Per job, as a slot does (`SQLiteStore.finish_and_claim`): one `BEGIN IMMEDIATE`
transaction that records the previous attempt (the job row, its attempt row, and its three
log entries: `job_started`, the body's `{% log %}`, `job_done`) and claims the next job (a
probe per priority, the job row, a new attempt row). So its rate is the most that any
worker keeping this record with one commit per job can reach on this file: the gap from the
bare claim loop is the record's cost, the gap from posjobs is posjobs' own.

`--batch K` records and claims K jobs per transaction instead: what a single writer
committing K slots' results at once (group commit) would pay. Run one process per worker:
`python -m benchmarks.peers.record_loop DB [--batch K]`.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import time
from pathlib import Path

WORKER = "record-loop"
LEASE = 300.0
FIRST_PAUSE, SHORT_PAUSE = 0.00005, 0.001  # posjobs/store/sqlite/connection.py
BUSY_MS = 60_000
# posjobs' statements (posjobs/store/sqlite/jobs.py), written out so no posjobs code runs.
PROBE = ("SELECT id FROM jobs WHERE status IN ('scheduled', 'retry') AND prio_rank = ? "
         "AND run_at <= ? ORDER BY run_at, id LIMIT 1")
TAKE = ("UPDATE jobs SET status = 'running', attempts = attempts + 1, worker = ?, "
        "lease_until = ? WHERE id = ? RETURNING id, source_name, priority, attempts, "
        "max_attempts, arguments, context, template, line, run_id, partial")
NEW_ATTEMPT = ("INSERT INTO attempts (job_id, number, started_at, worker) "
               "VALUES (?, (SELECT count(*) + 1 FROM attempts WHERE job_id = ?), ?, ?)")
FINISH = ("UPDATE jobs SET status = 'done', run_at = COALESCE(NULL, run_at), "
          "wait_from = COALESCE(NULL, wait_from), lease_until = NULL, kill_requested = 0, "
          "finished_at = ?, last_error = NULL "
          "WHERE id = ? AND status = 'running' AND worker = ? AND attempts = ?")
END_ATTEMPT = ("UPDATE attempts SET ended_at = ?, outcome = 'done', error = NULL, "
               "duration = ? WHERE job_id = ? AND ended_at IS NULL")
LOG = ("INSERT INTO logs (created_at, type, message, job_id, source_name, attempt, "
       "max_attempts, priority, template, line, page, request, run_id, simulated_at) "
       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?, NULL)")


def connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(str(path), isolation_level=None, timeout=60)
    db.execute("PRAGMA synchronous = NORMAL")  # as posjobs' store (the file is WAL already)
    return db


def begin(db: sqlite3.Connection) -> None:
    """BEGIN IMMEDIATE as posjobs' store takes it (`Database._begin`): SQLite's busy handler
    off, the lock retried after pauses growing from 50 us to 1 ms, the handler back on for
    the statements (a read may have to wait too)."""
    db.execute("PRAGMA busy_timeout = 0")
    try:
        pause = FIRST_PAUSE
        while True:
            try:
                db.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as err:
                if "locked" not in str(err) and "busy" not in str(err):
                    raise
                time.sleep(pause)
                pause = min(pause * 1.5, SHORT_PAUSE)
    finally:
        db.execute(f"PRAGMA busy_timeout = {BUSY_MS}")


def _claim(db: sqlite3.Connection, now: float) -> tuple | None:  # type: ignore[type-arg]
    for rank in (0, 1, 2):
        row = db.execute(PROBE, (rank, now)).fetchone()
        if row:
            job = db.execute(TAKE, (WORKER, now + LEASE, row[0])).fetchone()
            db.execute(NEW_ATTEMPT, (job[0], job[0], now, WORKER))
            # The job's arguments and context, decoded as a slot decodes them; the body's
            # entry says its `i`.
            arguments = json.loads(job[5])
            json.loads(job[6])
            return (*job[:5], arguments, *job[6:])
    return None


def _record(db: sqlite3.Connection, job: tuple, started: float, now: float) -> None:  # type: ignore[type-arg]
    job_id, source, priority, attempt, most, args, _ctx, template, line, run_id, partial = job
    db.execute(FINISH, (now, job_id, WORKER, attempt))
    db.execute(END_ATTEMPT, (now, now - started, job_id))
    about = (job_id, source, attempt, most, priority)
    # The body's entry says where its `{% log %}` is: line 1 of the job's partial.
    db.executemany(LOG, [
        (started, "job_started", f"attempt {attempt}/{most} started", *about, template, line,
         run_id),
        (now, "bench", f"job {args['i']}", *about, f"app/views/partials/{partial}.liquid", 1,
         run_id),
        (now, "job_done", "done in 0.1 ms", *about, template, line, run_id),
    ])


def work(path: Path, batch: int = 1, checkpoints: bool = True) -> int:
    """Record and claim until nothing is due; returns how many jobs were recorded. Without
    `checkpoints` the write-ahead log keeps every page written (to count them)."""
    db = connect(path)
    if not checkpoints:
        db.execute("PRAGMA wal_autocheckpoint = 0")
    held: list[tuple[tuple, float]] = []  # type: ignore[type-arg]
    ran = 0
    while True:
        now = time.time()
        begin(db)
        for job, started in held:
            _record(db, job, started, now)
        ran += len(held)
        held = []
        for _ in range(batch):
            claimed = _claim(db, now)
            if claimed is None:
                break
            held.append((claimed, now))
        db.execute("COMMIT")
        if not held:
            break
    db.close()
    return ran


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("db", type=Path)
    parser.add_argument("--batch", type=int, default=1)
    args = parser.parse_args()
    work(args.db, args.batch)


if __name__ == "__main__":
    main()
