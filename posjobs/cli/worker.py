"""`posjobs worker`: run jobs as they come due, or everything at once for CI."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from posjobs.cli.output import Output, safe
from posjobs.cli.state import AppState, DbOption, ProjectOption, state
from posjobs.cli.tables import STATUS_STYLE
from posjobs.clock import Clock
from posjobs.errors import ExitCode
from posjobs.jobs.model import Job, JobStatus

if TYPE_CHECKING:
    from posjobs.services.worker import Outcome, Worker


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
        summary.print(app.output)
        return ExitCode.OK if summary.ok else ExitCode.FAILED

    from posjobs.services.scheduler import RealtimeWorker

    slots = concurrency or os.cpu_count() or 1
    worker = make_worker(app, app.clock, slots, lambda o: print_outcome(app.output, o))
    worker.speed = speed
    app.output.note(
        f"worker {worker.name} on {app.project.root}: {slots} slot(s)"
        + (f", speed x{speed:g}" if speed != 1.0 else "")
        + (", burst" if burst else ", Ctrl-C to stop")
    )
    RealtimeWorker(worker, concurrency=slots, burst=burst, grace=grace,
                   on_notice=lambda message: app.output.note(message, style="yellow")).run()
    app.output.note("worker stopped")
    return ExitCode.OK


@dataclass
class RunSummary:
    """Where each job of a fast-forward run ended."""

    jobs: list[Job]
    durations: dict[int, float]

    @property
    def ok(self) -> bool:
        return not any(job.status is JobStatus.DEAD for job in self.jobs)

    def to_dict(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "jobs": [
                {**job.summary(), "duration_ms": round(self.durations.get(job.id, 0) * 1000, 1)}
                for job in self.jobs
            ],
        }

    def print(self, out: Output) -> None:
        if not self.jobs:
            out.note("no jobs ran")
            return
        table = Table(title="run summary", title_justify="left", box=None, header_style="bold",
                      pad_edge=False)
        for column in ("id", "source_name", "status", "attempts", "duration", "error"):
            table.add_column(column, justify="right" if column == "id" else "left")
        for job in self.jobs:
            error = job.last_error or {}
            table.add_row(
                str(job.id), Text(safe(job.source_name)),
                Text(job.status.value, style=STATUS_STYLE[job.status]),
                f"{job.attempts}/{job.max_attempts}",
                f"{self.durations.get(job.id, 0) * 1000:.1f} ms",
                Text(safe(str(error.get("message", ""))) if job.status is JobStatus.DEAD else ""),
            )
        out.err.print(table)
        dead = sum(job.status is JobStatus.DEAD for job in self.jobs)
        verdict = f"{len(self.jobs)} job(s), " + (f"{dead} dead" if dead else "all done")
        out.note(Text(verdict, style="bold red" if dead else "bold green"))


def run_to_end(app: AppState, among: set[int] | None, quiet: bool) -> RunSummary:
    """Fast-forward: run jobs (all, or `among` and their descendants) to a final state."""
    from posjobs.clock import ManualClock
    from posjobs.services.worker import fast_forward

    clock = ManualClock(app.clock.now())
    worker = make_worker(app, clock, 1, None if quiet else lambda o: print_outcome(app.output, o))
    try:
        outcomes = fast_forward(worker, clock, among)
    finally:
        worker.executor.close()
    durations: dict[int, float] = {}
    for outcome in outcomes:
        durations[outcome.job.id] = durations.get(outcome.job.id, 0) + outcome.duration
    ids = sorted(durations) if among is None else sorted(
        among | {j.id for j in app.store.descendants(sorted(among))})
    jobs = [job for job in (app.store.get_job(i) for i in ids) if job is not None]
    return RunSummary(jobs, durations)


def make_worker(
    app: AppState, clock: Clock, slots: int, on_outcome: Callable[[Outcome], None] | None
) -> Worker:
    """A worker whose attempts run in child processes, under their time limits."""
    from posjobs.services.slots import ProcessExecutor, SlotConfig
    from posjobs.services.worker import Worker

    config = SlotConfig(str(app.project.root), str(app.store_path), app.settings.environment)
    return Worker(app.project, app.store, app.settings, clock=clock,
                  executor=ProcessExecutor(config, slots), on_outcome=on_outcome)


def print_outcome(out: Output, outcome: Outcome) -> None:
    job = outcome.job
    status = outcome.status
    text = Text()
    text.append(f"job {job.id} ", style="bold")
    text.append(safe(job.source_name))
    text.append(f"  attempt {job.attempts}/{job.max_attempts}  ")
    if outcome.released:
        text.append("released (the worker is stopping)", style="yellow")
    elif status is None:
        text.append("lost its claim", style="yellow")
    else:
        text.append(status.value, style=STATUS_STYLE[status])
    text.append(f"  {outcome.duration * 1000:.1f} ms", style="dim")
    if outcome.error:
        where = outcome.error.get("path")
        line = outcome.error.get("line")
        text.append("  " + safe(f"{where}:{line}: " if where and line else ""), style="dim")
        text.append(safe(str(outcome.error.get("message"))), style="red")
    out.err.print(text)


