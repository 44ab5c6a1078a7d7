"""Run the benchmark suite: posjobs and its peers, side by side, in one run.

    python -m benchmarks.run            # full run, results in benchmarks/results.json
    python -m benchmarks.run --quick    # about a minute, benchmarks/results-quick.json
    python -m benchmarks.run --only processing --only render   # some measurements

Every figure is a ratio against a peer or a baseline measured in the same run: absolute
times on a shared machine are noise. See BENCHMARKS.md for what each figure means.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from rich.console import Console

from benchmarks import report
from benchmarks.config import FULL, QUICK, Config
from benchmarks.measures import (
    check,
    data,
    enqueue,
    follow,
    lateness,
    postgres,
    processing,
    render,
    scale,
    serve,
)
from benchmarks.measures import startup as startup_
from benchmarks.procs import ROOT
from benchmarks.stats import Measurement, unavailable

Measure = Callable[[Config, Path, dict[str, Any]], list[Measurement]]
# In this order: lateness under load uses the processing rate measured before it.
MEASURES: dict[str, tuple[Measure, tuple[str, ...]]] = {
    "enqueue": (enqueue.run, enqueue.NAMES),
    "processing": (processing.run, processing.NAMES),
    "lateness": (lateness.run, lateness.NAMES),
    "follow": (follow.run, follow.NAMES),
    "scale": (scale.run, scale.NAMES),
    "render": (render.run, render.NAMES),
    "check": (check.run, check.NAMES),
    "data": (data.run, data.NAMES),
    "startup": (startup_.run, startup_.NAMES),
    "serve": (serve.run, serve.NAMES),
    "postgres": (postgres.run, postgres.NAMES),
}
ALL_NAMES = tuple(name for _run, names in MEASURES.values() for name in names)


def run_suite(cfg: Config, work: Path, only: list[str] | None = None,
              progress: Console | None = None,
              parallel: bool = False) -> tuple[dict[str, Any], list[Measurement]]:
    """Run the measurements (all, or those in `only`); returns the results and their rows.

    A measurement that fails becomes a row saying so; the others still run. `parallel`
    runs them all at once, which makes every timing meaningless: for checking the harness
    itself on a tiny run, never for figures.
    """
    started = time.perf_counter()
    info = report.machine()
    shared: dict[str, Any] = {}
    chosen = [key for key in MEASURES if not only or key in only]
    failed: list[str] = []

    def one(key: str) -> list[Measurement]:
        measure, names = MEASURES[key]
        tick = time.perf_counter()
        try:
            found = measure(cfg, work / key, shared)
        except Exception as err:
            failed.append(key)
            detail = "".join(traceback.format_exception_only(type(err), err)).strip()
            if progress:
                progress.print(f"[bold]{key}[/bold] [red]failed[/red]: {detail}")
                progress.print(traceback.format_exc(), markup=False, style="dim")
            return [unavailable(name, name, f"FAILED: {detail}") for name in names]
        if progress:
            progress.print(f"[bold]{key}[/bold] {time.perf_counter() - tick:.1f} s")
        return found

    if parallel:
        with ThreadPoolExecutor(len(chosen) or 1) as pool:
            batches = list(pool.map(one, chosen))
    else:
        batches = [one(key) for key in chosen]
    rows = [row for batch in batches for row in batch]
    results = {
        "suite": "posjobs benchmarks",
        "mode": cfg.mode,
        "config": cfg.__dict__,
        "machine": info,
        "duration_s": round(time.perf_counter() - started, 1),
        "failed": sorted(failed),
        "measurements": [row.to_dict() for row in rows],
    }
    return results, rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="fewer rounds and smaller sizes: about a minute")
    parser.add_argument("--json", type=Path, metavar="PATH",
                        help="where to write the results (default benchmarks/results.json, "
                             "or results-quick.json with --quick)")
    parser.add_argument("--only", action="append", choices=list(MEASURES), metavar="NAME",
                        help=f"run only this measurement (repeatable): {', '.join(MEASURES)}")
    parser.add_argument("--markdown", action="store_true",
                        help="also print the table as Markdown (for BENCHMARKS.md)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args(argv)

    cfg = QUICK if args.quick else FULL
    out = args.json or ROOT / "benchmarks" / (
        "results-quick.json" if args.quick else "results.json")
    progress = Console(stderr=True)
    work = Path(tempfile.mkdtemp(prefix="posjobs-bench-"))
    progress.print(f"{cfg.mode} run in {work}", style="dim", markup=False)
    try:
        results, rows = run_suite(cfg, work, args.only, progress)
    finally:
        if args.keep:
            progress.print(f"kept {work}", style="dim", markup=False)
        else:
            shutil.rmtree(work, ignore_errors=True)
    report.write_json(results, out)
    report.print_results(results, rows)
    if args.markdown:
        print(report.markdown(results))
    progress.print(f"results written to {out}", style="dim", markup=False)
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
