"""`posjobs worker`: run jobs as they come due, or everything at once for CI."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from posjobs.cli.output import Output, safe
from posjobs.cli.state import AppState, DbOption, ProjectOption, state
from posjobs.cli.tables import STATUS_STYLE
from posjobs.errors import ExitCode
from posjobs.jobs.model import JobStatus

if TYPE_CHECKING:
    from posjobs.services.runner import RunSummary
    from posjobs.services.supervisor import Outcome


def worker_command(
    ctx: typer.Context,
    burst: Annotated[bool, typer.Option("--burst", help="Run what is due now, then exit.")] = False,
    fast_forward: Annotated[bool, typer.Option(
        "--fast-forward",
        help="Run everything, future and retrying jobs too, jumping the clock to the next due "
             "time instead of waiting; then exit.")] = False,
    concurrency: Annotated[int | None, typer.Option(
        "--concurrency", "-c", min=1, help="Jobs run at once (default: number of CPUs).")] = None,
    speed: Annotated[float, typer.Option(
        "--speed", min=0.001, help="Make delays and retry waits N times shorter.")] = 1.0,
    grace: Annotated[float, typer.Option(
        "--grace", min=0, help="On Ctrl-C or SIGTERM, seconds running attempts get to finish "
                               "before they are stopped and released.")] = 30.0,
    project: ProjectOption = None,
    db: DbOption = None,
) -> int:
    """Run due jobs: highest priority first, retrying failures with backoff. Ctrl-C stops.

    Examples:

      posjobs worker                      # real time, until Ctrl-C

      posjobs worker --burst              # what is due now, then exit

      posjobs worker --fast-forward       # everything, without waiting out delays
    """
    app = state(ctx).use(project, db)
    if fast_forward:
        summary = run_to_end(app, among=None, quiet=False)
        print_summary(app.output, summary)
        return ExitCode.OK if summary.ok else ExitCode.FAILED

    from posjobs.services.supervisor import Supervisor
    from posjobs.services.worker import RealtimeWorker

    slots = concurrency or os.cpu_count() or 1

    def show(outcome: Outcome) -> None:
        print_outcome(app.output, outcome)

    def notice(message: str) -> None:
        app.output.note(message, style="yellow")

    from posjobs.services.worker import DUTY_BUSY_SECONDS
    from posjobs.store import at_speed, open_store

    # The supervisor's own connection waits only briefly for a lock another process holds,
    # so that a long one never keeps it from its duties or from obeying Ctrl-C.
    store = at_speed(open_store(app.store_url, busy_seconds=DUTY_BUSY_SECONDS), speed)
    supervisor = Supervisor(app.project, store, app.settings, app.store_url, size=slots,
                            speed=speed, on_outcome=show, on_notice=notice)
    runtime = RealtimeWorker(supervisor, burst=burst, grace=grace, on_notice=notice,
                             store_patience=app.settings.store_patience)
    app.output.note(
        f"worker {supervisor.name} on {app.project.root}: {slots} slot(s)"
        + (f", speed x{speed:g}" if speed != 1.0 else "")
        + (", burst" if burst else ", Ctrl-C to stop")
    )
    try:
        runtime.run()  # its first step takes the signals: from the line above on, Ctrl-C
    finally:
        store.close()
    app.output.note("worker stopped")
    return ExitCode.OK


SUMMARY_ROWS = 20


def print_summary(out: Output, summary: RunSummary) -> None:
    """The table of a run's jobs, and the verdict."""
    if summary.jobs:
        table = Table(title="run summary", title_justify="left", box=None,
                      header_style="bold", pad_edge=False)
        for column in ("id", "source_name", "status", "attempts", "duration", "error"):
            table.add_column(column, justify="right" if column == "id" else "left",
                             no_wrap=column != "source_name",
                             overflow="ellipsis" if column == "error" else "fold")
        # Dead jobs first; thousands of rows would cost more than the run (`jobs list` has
        # them all).
        ordered = sorted(summary.jobs, key=lambda j: (j.status is not JobStatus.DEAD, j.id))
        for job in ordered[:SUMMARY_ROWS]:
            error = job.last_error or {}
            duration = summary.durations.get(job.id)
            table.add_row(
                str(job.id), Text(safe(job.source_name)),
                Text(job.status.value, style=STATUS_STYLE[job.status]),
                f"{job.attempts}/{job.max_attempts}",
                "-" if duration is None else f"{duration * 1000:.1f} ms",
                Text(safe(str(error.get("message", ""))) if job.status is JobStatus.DEAD
                     else ""),
            )
        out.err.print(table)
        if len(ordered) > SUMMARY_ROWS:
            out.note(f"and {len(ordered) - SUMMARY_ROWS:,} more: posjobs jobs list")
    if not summary.total:
        out.note("no jobs ran")
        return
    dead = summary.counts.get(JobStatus.DEAD, 0)
    verdict = f"{summary.total} job(s), " + (f"{dead} dead" if dead else "all done")
    out.note(Text(verdict, style="bold green" if summary.ok else "bold red"))


def run_to_end(app: AppState, among: set[int] | None, quiet: bool) -> RunSummary:
    """Fast-forward: run jobs (all, or `among` and their descendants) to a final state."""
    from posjobs.services import runner

    return runner.run_to_end(
        app.project, app.store, app.settings, app.store_url, now=app.clock.now(), among=among,
        on_outcome=None if quiet else lambda o: print_outcome(app.output, o))


def print_outcome(out: Output, outcome: Outcome) -> None:
    """One line per attempt: styled on a terminal; off one, a plain line built without Rich
    (the worker process prints one per job, next to its slots' work)."""
    job = outcome.job
    status = outcome.status
    parts: list[tuple[str, str]] = [
        (f"job {job.id} ", "bold"),
        (safe(job.source_name), ""),
        (f"  attempt {job.attempts}/{job.max_attempts}  ", ""),
    ]
    if outcome.released:
        parts.append(("released unrun", "yellow"))
    elif status is None:
        parts.append(("lost its claim", "yellow"))
    else:
        parts.append((status.value, STATUS_STYLE[status]))
    parts.append((f"  {outcome.duration * 1000:.1f} ms", "dim"))
    if outcome.error:
        where = outcome.error.where
        parts.append(("  " + safe(f"{where}: " if where else ""), "dim"))
        parts.append((safe(outcome.error.message), "red"))
    if out.err_is_terminal:
        text = Text()
        for piece, style in parts:
            text.append(piece, style=style)
        out.progress(text)
    else:
        out.stderr.write("".join(piece for piece, _ in parts) + "\n")
