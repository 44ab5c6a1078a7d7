"""`posjobs jobs ...`: inspect, retry, run and delete jobs."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from posjobs.cli.logformat import print_entry
from posjobs.cli.output import safe
from posjobs.cli.state import DbOption, JsonOption, ProjectOption, state
from posjobs.cli.tables import STATUS_STYLE, jobs_table, when
from posjobs.errors import ExitCode, UsageError
from posjobs.jobs.model import JobStatus, Priority
from posjobs.services import manage
from posjobs.services.reports import JOB_LOG_LIMIT, find_job, job_report, job_summary
from posjobs.store.base import JobFilter, LogFilter

app = typer.Typer(help="Inspect and manage jobs.", no_args_is_help=True,
                  rich_markup_mode=None)

JobId = Annotated[int, typer.Argument(help="The job's id.", min=1)]


@app.command("list")
def list_command(
    ctx: typer.Context,
    status: Annotated[list[JobStatus] | None, typer.Option(
        "--status", "-s", help="Only jobs in this state (repeatable).")] = None,
    source_name: Annotated[list[str] | None, typer.Option(
        "--source-name", help="Only jobs whose source_name matches this glob (repeatable).")
    ] = None,
    priority: Annotated[list[Priority] | None, typer.Option(
        "--priority", help="Only jobs of this priority (repeatable).")] = None,
    run_id: Annotated[str | None, typer.Option(
        "--run", metavar="RUN_ID", help="Only the jobs of this render's run (its id is in "
                                        "render's output and --json).")] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="At most this many.")] = 50,
    as_json: JsonOption = False,
    project: ProjectOption = None,
    db: DbOption = None,
) -> int:
    """List jobs, newest first.

    Examples:

      posjobs jobs list --status dead

      posjobs jobs list --source-name 'send_*' --json

      posjobs jobs list --run 3f9a1c2b7d40
    """
    app_ = state(ctx).use(project, db)
    jobs = app_.store.list_jobs(JobFilter(
        statuses=tuple(status or ()), source_names=tuple(source_name or ()),
        priorities=tuple(priority or ()), limit=limit, run_id=run_id,
    ))
    if as_json:
        app_.output.json([job_summary(job) for job in jobs])
    elif jobs:
        app_.output.out.print(jobs_table(jobs, app_.clock.now(), width=app_.output.out.width))
    else:
        app_.output.note("no jobs")
    return ExitCode.OK


@app.command("show")
def show_command(
    ctx: typer.Context,
    job_id: JobId,
    as_json: JsonOption = False,
    project: ProjectOption = None,
    db: DbOption = None,
) -> int:
    """Everything about one job: options, arguments, body or partial, attempts, errors, logs."""
    app_ = state(ctx).use(project, db)
    if as_json:
        app_.output.json(job_report(app_.store, job_id))
        return ExitCode.OK
    job = find_job(app_.store, job_id)
    attempts = app_.store.attempts(job_id)
    logs = app_.store.tail_logs(LogFilter(job_id=job_id), JOB_LOG_LIMIT)
    out = app_.output
    now = app_.clock.now()
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    rows: list[tuple[str, Text | str]] = [
        ("job", str(job.id)),
        ("source_name", Text(safe(job.source_name))),
        ("status", Text(job.status.value, style=STATUS_STYLE[job.status])),
        ("priority", job.priority.value),
        ("attempts", f"{job.attempts}/{job.max_attempts}"),
        ("delay", f"{job.delay:g} min"),
        ("runs at", when(job.run_at, now) if not job.status.is_final else "-"),
        ("created", when(job.created_at, now)),
        ("finished", when(job.finished_at, now)),
        ("enqueued by", Text(safe(f"{job.template}:{job.line}"
                                  + (f" (job {job.parent_job_id})" if job.parent_job_id else "")))),
        ("partial" if job.partial else "kind", Text(safe(job.partial or "inline"))),
    ]
    for key, value in rows:
        grid.add_row(key, value)
    for name, value in job.arguments.items():
        grid.add_row(f"  {name}", Text(safe(_short(value))))
    out.out.print(grid)
    # Errors are long: each on lines of its own, never squeezed into a table cell.
    if job.last_error:
        error = Text("error", style="bold")
        error.append("  " + safe(_error_text(job.last_error)), style="red")
        out.out.print(error)
    if job.body is not None:
        out.out.print(Text("body:", style="bold"))
        out.out.print(Text(safe(job.body.strip("\n"))))
    if attempts:
        table = Table(title="attempts", title_justify="left", box=None, header_style="bold",
                      pad_edge=False)
        for column in ("#", "started", "duration", "worker", "outcome"):
            table.add_column(column, no_wrap=True)
        for attempt in attempts:
            table.add_row(
                str(attempt.number), when(attempt.started_at, now),
                "-" if attempt.duration is None else f"{attempt.duration * 1000:.1f} ms",
                Text(safe(attempt.worker)), attempt.outcome or "running",
            )
        out.out.print(table)
        for attempt in attempts:
            if attempt.error:
                line = Text(f"  #{attempt.number} ", style="bold")
                line.append(safe(_error_text(attempt.error)), style="red")
                out.out.print(line)
    if logs:
        out.out.print(Text("logs:", style="bold"))
        for entry in logs:
            print_entry(out, entry, quiet=True)
    return ExitCode.OK


@app.command("retry")
def retry_command(
    ctx: typer.Context,
    job_id: Annotated[int | None, typer.Argument(help="The job's id.", min=1)] = None,
    all_dead: Annotated[bool, typer.Option("--all-dead", help="Retry every dead job.")] = False,
    project: ProjectOption = None,
    db: DbOption = None,
) -> int:
    """Run a dead (or done) job again, now, with a fresh set of attempts; exit 6 for a job
    in another state."""
    app_ = state(ctx).use(project, db)
    if (job_id is None) == (not all_dead):
        raise UsageError("give a job id or --all-dead (not both)")
    now = app_.clock.now()
    if all_dead:
        count = len(manage.retry_matching(app_.store, JobFilter(statuses=(JobStatus.DEAD,)), now))
    else:
        manage.retry(app_.store, job_id, now)  # type: ignore[arg-type]
        count = 1
    app_.output.note(f"{count} job(s) scheduled to run now", style="green")
    return ExitCode.OK


@app.command("run")
def run_command(
    ctx: typer.Context,
    job_id: JobId,
    project: ProjectOption = None,
    db: DbOption = None,
) -> int:
    """Run one waiting job now, whatever its run time; exit 1 unless it ends done (or is
    scheduled to retry), 6 if it is not waiting (scheduled or retry)."""
    from posjobs.cli.worker import print_outcome
    from posjobs.services.runner import run_one

    app_ = state(ctx).use(project, db)
    outcome = run_one(app_.project, app_.store, app_.settings, app_.store_url, job_id,
                      clock=app_.clock)
    print_outcome(app_.output, outcome)
    fine = outcome.status in (JobStatus.DONE, JobStatus.RETRY)
    return ExitCode.OK if fine else ExitCode.FAILED


@app.command("kill")
def kill_command(
    ctx: typer.Context,
    job_id: JobId,
    wait: Annotated[float, typer.Option("--wait", min=0,
                                        help="Seconds to wait for the worker to stop it.")] = 10.0,
    project: ProjectOption = None,
    db: DbOption = None,
) -> int:
    """Stop a running attempt. The job goes dead; `jobs retry` runs it again. Exits 1 if its
    worker does not stop it within --wait seconds, 6 if the job is not running."""
    from posjobs.services.runner import kill

    app_ = state(ctx).use(project, db)
    status = kill(app_.store, job_id, wait=wait)
    if status is None:
        app_.output.note(f"asked the worker to kill job {job_id}; it is still running "
                         f"(is its worker alive? `posjobs jobs show {job_id}`)", style="yellow")
        return ExitCode.FAILED
    app_.output.note(f"job {job_id} killed; it is {status.value}", style="green")
    return ExitCode.OK


class Finished(str, Enum):
    """What `jobs purge --status` accepts: the finished states only."""

    DONE = "done"
    DEAD = "dead"


@app.command("purge")
def purge_command(
    ctx: typer.Context,
    status: Annotated[list[Finished], typer.Option(
        "--status", "-s", help="Purge finished jobs in this state (repeatable).")],
    older_than: Annotated[str, typer.Option(
        "--older-than", help="Only jobs that finished this long ago: 7d, 12h, 30m.")] = "0s",
    project: ProjectOption = None,
    db: DbOption = None,
) -> int:
    """Delete finished jobs and their attempts (their log entries stay).

    Example:

      posjobs jobs purge --status done --older-than 7d
    """
    from posjobs.services.logs import parse_time

    app_ = state(ctx).use(project, db)
    before = parse_time(older_than, app_.clock.now())
    count = app_.store.purge_jobs(tuple(JobStatus(s.value) for s in status), before)
    app_.output.note(f"{count} job(s) purged", style="green")
    return ExitCode.OK


@app.command("delete")
def delete_command(
    ctx: typer.Context,
    job_id: JobId,
    project: ProjectOption = None,
    db: DbOption = None,
) -> int:
    """Delete a job and its attempts (its log entries stay); exit 6 while it runs (stop it
    first with `jobs kill`)."""
    app_ = state(ctx).use(project, db)
    manage.delete(app_.store, job_id)
    app_.output.note(f"job {job_id} deleted", style="green")
    return ExitCode.OK


def _short(value: object, width: int = 200) -> str:
    import json

    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= width else text[: width - 1] + "…"


def _error_text(error: dict[str, object]) -> str:
    where = ""
    if error.get("path"):
        where = f"{error['path']}:{error.get('line') or '?'}: "
    return f"{error.get('class', 'Error')}: {where}{error.get('message', '')}"
