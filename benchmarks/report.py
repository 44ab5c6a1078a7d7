"""The results: the machine they ran on, the table printed with Rich, and the JSON file."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from benchmarks.procs import ROOT
from benchmarks.stats import Figure, Measurement


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    return {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "cores": os.cpu_count(),
        "cpu": _cpu_model(),
        "memory_gb": _memory_gb(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "versions": {name: _version(name) for name in
                     ("posjobs", "huey", "python-liquid", "typer", "APScheduler")},
        "sqlite": __import__("sqlite3").sqlite_version,
        "commit": _commit(),
    }


def _cpu_model() -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def _memory_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _commit() -> str | None:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "posjobs"], cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return head + (" (posjobs/ has uncommitted changes)" if dirty else "")


def write_json(results: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2) + "\n")


def number(value: float) -> str:
    if value >= 1000:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    if value >= 0.1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def figure(fig: Figure | None, unit: str = "") -> str:
    """`12.3 ms (11.9-13.0)`: the figure, its unit, and the lowest and highest round."""
    if fig is None:
        return "-"
    spread = f" ({number(fig.lo)}-{number(fig.hi)})" if fig.rounds > 1 else ""
    unit = unit if unit in ("", "x") else f" {unit}"
    return f"{number(fig.value)}{unit}{spread}"


def verdict(m: Measurement) -> Text:
    if not m.available:
        return Text("n/a", style="dim")
    if m.met is None:
        return Text("info", style="dim")
    return Text("met", style="green") if m.met else Text("MISSED", style="bold red")


def table(measurements: list[Measurement], title: str) -> Table:
    out = Table(title=title, title_justify="left", header_style="bold")
    for column in ("measurement", "posjobs", "peer / baseline", "ratio", "target", ""):
        out.add_column(column, overflow="fold")
    for m in measurements:
        if not m.available:
            out.add_row(m.title, "not available", "-", "-", "-", verdict(m))
            continue
        target = m.target.text if m.target else "-"
        out.add_row(m.title, figure(m.ours, m.unit),
                    f"{figure(m.peer, m.unit)}\n[dim]{m.peer_name}[/dim]" if m.peer else "-",
                    figure(m.ratio, "x"), target, verdict(m))
    return out


def markdown(results: dict[str, Any]) -> str:
    """The results as a Markdown table (for BENCHMARKS.md)."""
    lines = ["| measurement | posjobs | peer / baseline | ratio (min-max) | target | |",
             "| --- | --- | --- | --- | --- | --- |"]
    for row in results["measurements"]:
        if not row["available"]:
            lines.append(f"| {row['title']} | not available | - | - | - | n/a |")
            continue
        unit = row["unit"]
        ours, peer, ratio = (_fig(row["posjobs"], unit), _fig(row["peer"], unit),
                             _fig(row["ratio"], "x"))
        peer_cell = f"{peer}<br>{row['peer_name']}" if row["peer"] else "-"
        target = row["target"]["text"] if row["target"] else "-"
        met = {True: "met", False: "**missed**", None: "info"}[row["met"]]
        lines.append(f"| {row['title']} | {ours} | {peer_cell} | {ratio} | {target} | {met} |")
    return "\n".join(lines)


def _fig(data: dict[str, Any] | None, unit: str) -> str:
    if not data:
        return "-"
    fig = Figure(data["value"], data["min"], data["max"], data["rounds"])
    return figure(fig, unit)


def print_results(results: dict[str, Any], measurements: list[Measurement]) -> None:
    console = Console(file=sys.stdout, width=None if sys.stdout.isatty() else 170)
    m = results["machine"]
    console.print(table(measurements, f"posjobs benchmarks ({results['mode']} run)"))
    console.print(f"{m['cores']} cores, {m['cpu']}, Python {m['python']}, {m['date']}, "
                  f"load average at start {m['load_average']}; {results['duration_s']:.0f} s",
                  style="dim", markup=False)
