"""Log follow latency: from a write (a store `add_logs` in this process) to its line on the
stdout of a `posjobs logs -f` child. The baseline is a bare loop polling the same log table
at the same 50 ms interval and printing each new row."""

from __future__ import annotations

import random
import re
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

from benchmarks import procs
from benchmarks.config import Config
from benchmarks.projects import make_project
from benchmarks.stats import Measurement, Target, pooled
from posjobs.jobs.model import LogEntry
from posjobs.store.sqlite import SQLiteStore

NAMES = ("log_follow_p50", "log_follow_p95")
PROBE = re.compile(r"probe (-?\d+)\b")
GAP = (0.08, 0.2)  # seconds between writes, at random, so writes never lock onto the poll


def follow_round(work: Path, probes: int, command: str, seed: int = 0) -> list[float]:
    """Latency (seconds) of `probes` log entries, followed by `command` ("posjobs" or "bare")."""
    make_project(work)
    db = work / "posjobs.db"
    store = SQLiteStore(db)
    argv = (procs.posjobs("logs", "--follow", "-n", "0", "--quiet", "--project", work,
                          "--db", db) if command == "posjobs"
            else procs.python_module("benchmarks.peers.follow_loop", db, "50"))
    child = procs.spawn(argv, stdout=subprocess.PIPE, text=True)
    seen: dict[int, float] = {}
    reader = threading.Thread(target=_read, args=(child, seen), daemon=True)
    reader.start()
    sent: dict[int, float] = {}
    rng = random.Random(seed)
    try:
        # Warm-up probes until the follower prints one: then it is surely following.
        procs.wait_until(lambda: _write(store, -1) or -1 in seen, 60, every=0.1,
                         what="the follower to start", proc=child)
        for n in range(probes):
            time.sleep(rng.uniform(*GAP))
            sent[n] = time.perf_counter()
            _write(store, n)
        procs.wait_until(lambda: all(n in seen for n in sent), 30,
                         what="every probe to be printed", proc=child)
    finally:
        procs.stop(child)
        store.close()
    return [seen[n] - sent[n] for n in range(probes)]


def _write(store: SQLiteStore, n: int) -> None:
    store.add_logs([LogEntry(type="bench", message=f"probe {n}", created_at=time.time())])


def _read(child: subprocess.Popen, seen: dict[int, float]) -> None:
    assert child.stdout is not None
    for line in child.stdout:
        arrived = time.perf_counter()
        match = PROBE.search(line)
        if match:
            seen.setdefault(int(match.group(1)), arrived)


def run(cfg: Config, work: Path, shared: dict[str, Any]) -> list[Measurement]:
    ours: list[list[float]] = []
    bare: list[list[float]] = []
    for r in range(cfg.follow_rounds):
        ours.append(follow_round(work / f"posjobs-{r}", cfg.follow_probes, "posjobs", seed=r))
        bare.append(follow_round(work / f"bare-{r}", cfg.follow_probes, "bare", seed=r))
    notes = [f"{cfg.follow_probes} writes per round, {GAP[0] * 1000:g}-{GAP[1] * 1000:g} ms "
             "apart at random; `posjobs logs -f -n 0 --quiet` (default 50 ms poll) through a "
             "pipe; time from just before add_logs to the line read in this process"]
    ms = [[s * 1000 for s in r] for r in ours]
    bare_ms = [[s * 1000 for s in r] for r in bare]
    return [
        pooled(ms, bare_ms, pct, f"log follow latency, p{pct}", "ms",
               name=f"log_follow_p{pct}", peer_name="bare SQLite poll loop (50 ms)",
               ratio_meaning=f"posjobs p{pct} / bare p{pct}",
               target=Target("ours", "<=", 150.0, "p95 <= 150 ms") if pct == 95 else None,
               notes=notes)
        for pct in (50, 95)
    ]
