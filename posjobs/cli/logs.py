"""`posjobs logs`: the log in pos-cli's shape, filtered, followed, or as JSON lines."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from posjobs.cli.logformat import print_entry
from posjobs.cli.state import AppState, DbOption, JsonOption, ProjectOption, state
from posjobs.errors import ExitCode, JobNotFound, UsageError
from posjobs.jobs.model import JobStatus
from posjobs.services.reports import entry_json
from posjobs.store.base import LogFilter


def logs_command(
    ctx: typer.Context,
    lines: Annotated[int, typer.Option("--lines", "-n", min=0,
                                       help="How many of the last entries to show.")] = 20,
    follow: Annotated[bool, typer.Option("--follow", "-f",
                                         help="Keep printing new entries as they come.")] = False,
    filter_: Annotated[list[str] | None, typer.Option(
        "--filter", help="Only this type: exact, case-insensitive, as pos-cli (repeatable).")
    ] = None,
    type_glob: Annotated[list[str] | None, typer.Option(
        "--type", help="Only types matching this glob, e.g. 'job_*' (repeatable).")] = None,
    source_name: Annotated[list[str] | None, typer.Option(
        "--source-name", help="Only entries of jobs whose source_name matches this glob.")
    ] = None,
    job: Annotated[int | None, typer.Option(
        "--job", help="Only this job's entries; with --follow, exit when it ends "
                      "(0 done, 1 dead).")] = None,
    errors: Annotated[bool, typer.Option("--errors", help="Only error types.")] = False,
    run_id: Annotated[str | None, typer.Option(
        "--run", metavar="RUN_ID", help="Only entries of this render's run: its page and "
                                        "every job it caused.")] = None,
    since: Annotated[str | None, typer.Option(
        "--since", help="Only entries from then on: 10m, 2h, 1d or a timestamp.")] = None,
    until: Annotated[str | None, typer.Option(
        "--until", help="Only entries up to then: 10m, 2h, 1d or a timestamp.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q",
                                        help="Print only the main line of each entry.")] = False,
    interval: Annotated[int | None, typer.Option(
        "--interval", min=10, help="Poll interval in ms while following (default 50).")] = None,
    fail: Annotated[bool, typer.Option(
        "--fail", help="Exit 1 if any entry matched, like grep (e.g. with --errors in CI).")
    ] = False,
    as_json: JsonOption = False,
    clear: Annotated[bool, typer.Option(
        "--clear", help="Delete every log entry (asks first); takes no filters.")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="With --clear: do not ask.")] = False,
    project: ProjectOption = None,
    db: DbOption = None,
) -> int:
    """Show the log: what pages and jobs logged, and each job's life.

    Examples:

      posjobs logs -n 50

      posjobs logs --follow --source-name 'send_*'

      posjobs logs --errors --since 1h --json | jq .message

      posjobs logs --follow --job 42     # waits for job 42; exit 0 done, 1 dead

      posjobs logs --errors --fail -n 0  # CI: exit 1 if anything logged an error
    """
    from posjobs.services.logs import follow as follow_log
    from posjobs.services.logs import parse_time

    app = state(ctx).use(project, db)
    store = app.store
    if clear:
        given = [name for name, value in (
            ("--filter", filter_), ("--type", type_glob), ("--source-name", source_name),
            ("--job", job), ("--errors", errors), ("--run", run_id), ("--since", since),
            ("--until", until), ("--follow", follow), ("--fail", fail), ("--json", as_json),
        ) if value]
        if given:
            raise UsageError(f"--clear deletes every log entry; it cannot be combined with "
                             f"{', '.join(given)}",
                             hint="run `posjobs logs --clear` alone to delete them all")
        return clear_log(app, yes)
    now = app.clock.now()
    flt = LogFilter(
        types=tuple(filter_ or ()),
        type_globs=tuple(type_glob or ()),
        source_names=tuple(source_name or ()),
        job_id=job,
        since=parse_time(since, now) if since else None,
        until=parse_time(until, now) if until else None,
        errors_only=errors,
        run_id=run_id,
    )
    if job is not None and store.get_job(job) is None:
        raise JobNotFound(f"no job {job}")
    out = app.output

    followed = 0

    def show(entry):  # type: ignore[no-untyped-def]
        nonlocal followed
        followed += 1
        if as_json:
            out.json_line(entry_json(entry))
        else:
            print_entry(out, entry, quiet=quiet)

    start = store.last_log_id()
    # The tail ends where following begins, so no entry is shown twice. One more than asked
    # for tells whether -n cut older entries off.
    tail = store.tail_logs(flt, lines + 1, up_to=start)
    matched = len(tail)  # with -n 0 too, --fail knows whether anything matched
    cut = len(tail) > lines
    for entry in tail[len(tail) - lines:] if cut else tail:
        show(entry)
    if cut and lines:  # said last, where the reader looks; -n 0 asked for none
        out.note(f"older matching entries not shown (-n {lines}); raise -n to see them")
    if not follow:
        return ExitCode.FAILED if fail and matched else ExitCode.OK

    final: list[JobStatus] = []

    def job_finished() -> bool:
        if job is None:
            return False
        current = store.get_job(job)
        if current is None or current.status.is_final:
            final.append(current.status if current else JobStatus.DEAD)
            return True
        return False

    def trouble(message: str | None) -> None:  # said as the worker says it
        out.note("the store works again" if message is None
                 else f"store error: {message}; retrying")

    # Following one job ends (a CI step waits on it): a store that stays failing ends it
    # too, after the worker's patience, rather than hanging the step.
    patience = app.settings.store_patience if job is not None else None
    for entry in follow_log(store, flt, start, should_stop=job_finished,
                            poll_seconds=(interval or 50) / 1000, on_trouble=trouble,
                            patience=patience):
        show(entry)
    if final and final[-1] is not JobStatus.DONE:
        return ExitCode.FAILED
    return ExitCode.FAILED if fail and (matched or followed) else ExitCode.OK


def clear_log(app: AppState, yes: bool) -> int:
    if not yes:
        if sys.stdin is None or not sys.stdin.isatty():  # no one to ask (CI, a pipe)
            raise UsageError("--clear deletes every log entry: confirm with --yes")
        if not typer.confirm(f"Delete every log entry of {app.project.root}?", default=False,
                             err=True):
            app.output.note("nothing deleted")
            return ExitCode.OK
    removed = app.store.clear_logs()
    app.output.note(f"{removed} log entr{'y' if removed == 1 else 'ies'} deleted", style="green")
    return ExitCode.OK
