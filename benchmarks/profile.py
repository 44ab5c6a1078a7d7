"""Profiles behind the figures that miss their targets: `python -m benchmarks.profile NAME`.

    enqueue   cProfile of one render enqueuing 10,000 jobs into a fresh store
    render    cProfile of the demo page rendered 2,000 times (templates parsed once)
    worker    py-spy (`--gil`: where the worker holds the GIL, every thread) of
              `posjobs worker --burst -c 2` running 8,000 trivial jobs; needs py-spy

Each prints its top lines, the way BENCHMARKS.md quotes them.
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import io
import pstats
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import procs
from benchmarks.projects import loop_page, make_project, render

TOP = 25
RATE = 250  # py-spy samples per second


def profile_enqueue(work: Path, top: int) -> str:
    from posjobs.store.sqlite import SQLiteStore

    project = make_project(work, {"bench": loop_page(10_000)})
    store = SQLiteStore(work / "posjobs.db")
    render(project, store, "bench")  # a first render: imports, caches
    store.close()
    store = SQLiteStore(work / "second.db")
    profiler = cProfile.Profile()
    profiler.enable()
    render(project, store, "bench")
    profiler.disable()
    store.close()
    return _stats(profiler, top)


def profile_render(work: Path, top: int) -> str:
    from benchmarks.measures.render import DEMO, posjobs_side

    profiler = cProfile.Profile()
    profiler.enable()
    posjobs_side(DEMO, 2_000)
    profiler.disable()
    return _stats(profiler, top)


def profile_worker(work: Path, top: int) -> str:
    from posjobs.store.sqlite import SQLiteStore

    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(spy).exists():
        raise SystemExit("py-spy is not installed: pip install py-spy")
    jobs = 8_000
    project = make_project(work, {"bench": loop_page(jobs)})
    store = SQLiteStore(work / "posjobs.db")
    render(project, store, "bench")
    store.close()
    raw = work / "worker.txt"
    start = time.perf_counter()
    subprocess.run([spy, "record", "--gil", "--subprocesses", "--rate", str(RATE), "--format",
                    "raw", "--output", str(raw), "--",
                    *procs.posjobs("worker", "--burst", "--concurrency", "2", "--project", work,
                                   "--db", work / "posjobs.db")],
                   env=procs.env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   check=True)
    wall = time.perf_counter() - start
    return (f"{jobs:,} jobs in {wall:.1f} s of wall time, sampled {RATE}/s while holding "
            f"the GIL\n" + collapsed(raw.read_text(), top, wall))


# Frames every stack shares, which say nothing about where the time goes.
PLUMBING = ("threading.py", "concurrent/futures/thread.py", "<frozen runpy>", "typer/",
            "posjobs/__main__.py", "posjobs/cli/app.py", "multiprocessing/process.py",
            "<module> (<string>)")


def _telling(frame: str) -> bool:
    """Whether a frame says where time goes (not a process label or shared plumbing)."""
    text = frame.strip()
    return bool(text) and not text.startswith(("process ", '"', "main(")) and not any(
        mark in text for mark in PLUMBING)


def collapsed(text: str, top: int, wall: float) -> str:
    """Inclusive and self shares per function, for the worker process and for its slot
    processes, from py-spy's raw (collapsed) stacks."""
    inclusive: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    own: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    totals: collections.Counter[str] = collections.Counter()
    for line in text.splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():  # py-spy's own notes between the stacks
            continue
        n = int(count)
        parts = stack.split(";")
        # Each stack starts with its process's label. A slot is a fresh interpreter whose
        # command line (`python -I -c <script>`, which runs `slot_process`) spans lines, so
        # its stacks start with the label's last line instead.
        label = parts[0]
        worker = label.startswith("process ") and "slot_process" not in label
        who = "worker process" if worker else "slot processes"
        frames = [re.sub(r":\d+\)$", ")", f) for f in parts[1:] if _telling(f)]
        totals[who] += n
        for frame in set(frames):
            inclusive[who][frame] += n
        if frames:
            own[who][frames[-1]] += n
    out: list[str] = []
    for who in ("worker process", "slot processes"):
        total = totals[who]
        if not total:
            continue
        busy = 100 * total / (RATE * wall)
        out.append(f"{who}: {total} samples, i.e. holding the GIL {busy:.0f}% of the wall "
                   "time (slots: summed over both); inclusive share:")
        out += [f"  {100 * c / total:5.1f}%  {f}" for f, c in inclusive[who].most_common(top)]
        out.append("  self share:")
        out += [f"  {100 * c / total:5.1f}%  {f}" for f, c in own[who].most_common(8)]
    return "\n".join(out)


def _stats(profiler: cProfile.Profile, top: int) -> str:
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.strip_dirs().sort_stats("cumulative").print_stats(top)
    return out.getvalue()


PROFILES = {"enqueue": profile_enqueue, "render": profile_render, "worker": profile_worker}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("name", choices=list(PROFILES))
    parser.add_argument("--top", type=int, default=TOP, help="how many lines (default 25)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="posjobs-profile-") as work:
        print(PROFILES[args.name](Path(work), args.top))


if __name__ == "__main__":
    main()
