"""The bare SQLite baseline: claim-and-complete on a minimal table, nothing else.

What a job queue on one SQLite file cannot beat: WAL, `synchronous = NORMAL` (as posjobs),
one `BEGIN IMMEDIATE` transaction to claim a row and one to mark it done. Run one process
per worker: `python -m benchmarks.peers.sqlite_loop DB [--scheduled]`. Without
`--scheduled` a worker exits when nothing is due; with it, it sleeps until the next row
comes due and exits when no row waits.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path

WAITING, RUNNING, DONE = 0, 1, 2


def connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(str(path), isolation_level=None, timeout=60)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    return db


def create(path: Path, run_ats: Iterable[float]) -> int:
    """A queue file holding one waiting row per run time; returns how many."""
    db = connect(path)
    db.execute("CREATE TABLE IF NOT EXISTS q (id INTEGER PRIMARY KEY, status INTEGER NOT NULL, "
               "run_at REAL NOT NULL, payload TEXT NOT NULL, started_at REAL, done_at REAL)")
    db.execute("CREATE INDEX IF NOT EXISTS q_due ON q (run_at, id) WHERE status = 0")
    rows = [(WAITING, at, json.dumps({"i": i})) for i, at in enumerate(run_ats)]
    db.execute("BEGIN IMMEDIATE")
    db.executemany("INSERT INTO q (status, run_at, payload) VALUES (?, ?, ?)", rows)
    db.execute("COMMIT")
    db.close()
    return len(rows)


def work(path: Path, scheduled: bool = False) -> int:
    """Claim and complete rows until none is due (or, `scheduled`, none waits at all)."""
    db = connect(path)
    ran = 0
    while True:
        now = time.time()
        db.execute("BEGIN IMMEDIATE")
        row = db.execute(
            "UPDATE q SET status = 1, started_at = ? WHERE id = (SELECT id FROM q "
            "WHERE status = 0 AND run_at <= ? ORDER BY run_at, id LIMIT 1) "
            "RETURNING id, payload", (now, now)).fetchone()
        db.execute("COMMIT")
        if row is None:
            if not scheduled:
                break
            (next_at,) = db.execute("SELECT min(run_at) FROM q WHERE status = 0").fetchone()
            if next_at is None:
                break
            time.sleep(max(0.0, next_at - time.time()))
            continue
        json.loads(row[1])  # the job's arguments, as a real worker would read them
        db.execute("BEGIN IMMEDIATE")
        db.execute("UPDATE q SET status = 2, done_at = ? WHERE id = ?", (time.time(), row[0]))
        db.execute("COMMIT")
        ran += 1
    db.close()
    return ran


def counts(path: Path) -> dict[int, int]:
    """Rows by status (0 waiting, 1 running, 2 done)."""
    with sqlite3.connect(str(path)) as db:
        return dict(db.execute("SELECT status, count(*) FROM q GROUP BY status").fetchall())


def completion_times(path: Path) -> list[float]:
    with sqlite3.connect(str(path)) as db:
        return [r[0] for r in db.execute("SELECT done_at FROM q WHERE status = 2")]


def lateness(path: Path) -> list[float]:
    """Seconds from each row's run time to its claim."""
    with sqlite3.connect(str(path)) as db:
        return [r[0] for r in db.execute(
            "SELECT started_at - run_at FROM q WHERE started_at IS NOT NULL")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("db", type=Path)
    parser.add_argument("--scheduled", action="store_true")
    args = parser.parse_args()
    work(args.db, args.scheduled)


if __name__ == "__main__":
    main()
