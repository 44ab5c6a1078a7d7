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


def jobs_table(jobs: Sequence[Job], now: float, *, title: str | None = None) -> Table:
    table = Table(title=title, title_justify="left", box=None, header_style="bold",
                  pad_edge=False)
    for column in ("id", "source_name", "status", "priority", "runs at", "attempts", "kind"):
        table.add_column(column, justify="right" if column == "id" else "left",
                         no_wrap=column != "source_name")
    for job in jobs:
        what = f"partial {job.partial}" if job.partial else f"inline {job.template}:{job.line}"
        table.add_row(
            str(job.id),
            Text(safe(job.source_name)),
            Text(job.status.value, style=STATUS_STYLE[job.status]),
            Text(job.priority.value, style=PRIORITY_STYLE[job.priority.value]),
            when(job.run_at, now) if not job.status.is_final else "-",
            f"{job.attempts}/{job.max_attempts}",
            Text(safe(what)),
        )
    return table
