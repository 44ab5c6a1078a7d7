"""The bare log-follow baseline: poll a posjobs store's log table, print new rows, flush.

`python -m benchmarks.peers.follow_loop DB [INTERVAL_MS]`: what following an SQLite log
costs with nothing but a query per poll (the same 50 ms interval `posjobs logs -f` uses).
"""

from __future__ import annotations

import sqlite3
import sys
import time


def main() -> None:
    path = sys.argv[1]
    interval = (float(sys.argv[2]) if len(sys.argv) > 2 else 50.0) / 1000
    db = sqlite3.connect(path, isolation_level=None)
    (cursor,) = db.execute("SELECT coalesce(max(id), 0) FROM logs").fetchone()
    while True:
        rows = db.execute("SELECT id, type, message FROM logs WHERE id > ? ORDER BY id",
                          (cursor,)).fetchall()
        for row_id, type_, message in rows:
            sys.stdout.write(f"{type_}: {message}\n")
            cursor = row_id
        if rows:
            sys.stdout.flush()
        time.sleep(interval)


if __name__ == "__main__":
    main()
