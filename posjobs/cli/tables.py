"""Tables and summaries of jobs, shared by `render`, `worker` and `jobs`."""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table
from rich.text import Text

from posjobs.cli.output import safe
from posjobs.clock import iso
from posjobs.jobs.model import Job, JobStatus

STATUS_STYLE = {
    JobStatus.SCHEDULED: "cyan",
    JobStatus.RUNNING: "blue",
    JobStatus.RETRY: "yellow",
    JobStatus.DEAD: "bold red",
    JobStatus.DONE: "green",
}
PRIORITY_STYLE = {"high": "bold", "default": "", "low": "dim"}


def when(ts: float | None, now: float) -> str:
    """`17:02:03Z (in 5m)`, with the date too when it is not today."""
    if ts is None:
        return "-"
    stamp = (iso(ts) or "").replace("T", " ")[:19] + "Z"
    today = (iso(now) or "")[:10]
    if stamp.startswith(today):
        stamp = stamp[11:]
    return f"{stamp} ({relative(ts - now)})"


def relative(seconds: float) -> str:
    if abs(seconds) < 1:
        return "now"
    ahead = seconds > 0
    s = abs(seconds)
    if s < 60:
        text = f"{s:.0f}s"
    elif s < 3600:
        text = f"{s / 60:.0f}m"
    elif s < 86400:
        text = f"{s / 3600:.1f}h"
    else:
        text = f"{s / 86400:.1f}d"
    return f"in {text}" if ahead else f"{text} ago"


GAP = 2  # the space Rich puts between two columns (padding 1 on each side)
KIND_MIN = 12  # narrower than this, the kind column says nothing useful: dropped


def jobs_table(jobs: Sequence[Job], now: float, *, title: str | None = None,
               width: int | None = None) -> Table:
    """A table of jobs that fits `width`: id, source_name and status are always whole;
    to make room, `kind` is cut and then dropped, the run time loses its clock time, then
    priority, attempts and the run time go, in that order."""
    rows = [_cells(job, now) for job in jobs]
    names = ["id", "source_name", "status", "priority", "runs at", "attempts", "kind"]
    keep = list(names)

    def needed(columns: list[str], kind_width: int = 0) -> int:
        total = sum(_width(name, rows, names.index(name)) for name in columns if name != "kind")
        if "kind" in columns:
            total += kind_width or _width("kind", rows, names.index("kind"))
        return total + GAP * (len(columns) - 1)

    kind_width: int | None = None
    if width is not None:
        if needed(keep) > width:
            spare = width - needed([n for n in keep if n != "kind"]) - GAP
            if spare >= KIND_MIN:
                kind_width = spare
            else:
                keep.remove("kind")
        if needed(keep, kind_width or 0) > width:
            # "in 5m" rather than "17:02:03Z (in 5m)"
            rows = [_cells(job, now, short_time=True) for job in jobs]
        for optional in ("priority", "attempts", "runs at"):
            if needed(keep, kind_width or 0) <= width:
                break
            keep.remove(optional)
    table = Table(title=title, title_justify="left", box=None, header_style="bold",
                  pad_edge=False)
    for name in keep:
        if name == "kind":
            table.add_column(name, no_wrap=True, overflow="ellipsis", max_width=kind_width)
        else:
            # source_name wraps only when it alone is wider than the terminal
            table.add_column(name, justify="right" if name == "id" else "left",
                             no_wrap=name != "source_name",
                             min_width=_width(name, rows, names.index(name))
                             if name in ("id", "status") else None)
    for cells in rows:
        table.add_row(*(cells[names.index(name)] for name in keep))
    return table


def _cells(job: Job, now: float, *, short_time: bool = False) -> list[Text | str]:
    what = f"partial {job.partial}" if job.partial else f"inline {job.template}:{job.line}"
    runs = "-" if job.status.is_final else (
        relative(job.run_at - now) if short_time else when(job.run_at, now))
    return [
        str(job.id),
        Text(safe(job.source_name)),
        Text(job.status.value, style=STATUS_STYLE[job.status]),
        Text(job.priority.value, style=PRIORITY_STYLE[job.priority.value]),
        runs,
        f"{job.attempts}/{job.max_attempts}",
        Text(safe(what)),
    ]


def _width(header: str, rows: list[list[Text | str]], index: int) -> int:
    cells = [Text(cell) if isinstance(cell, str) else cell for cell in
             (row[index] for row in rows)]
    return max([len(header), *(cell.cell_len for cell in cells)])
