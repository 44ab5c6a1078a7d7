"""`posjobs check [PATH...]`: lint every background job and its templates; text, JSON or SARIF."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from posjobs.cli.output import Output, safe
from posjobs.cli.state import DbOption, ProjectOption, state
from posjobs.errors import ExitCode, UsageError
from posjobs.project import Project

if TYPE_CHECKING:
    from posjobs.services.check import CheckReport, Finding
    from posjobs.services.check.scan import Progress

PROGRESS_FROM = 200  # files; smaller projects finish before a bar would be worth drawing
SEVERITY_STYLES = {"error": "bold red", "warning": "yellow", "info": "cyan"}


class Format(str, Enum):
    text = "text"
    json = "json"
    sarif = "sarif"


class FailOn(str, Enum):
    error = "error"
    warning = "warning"
    info = "info"


def check_command(
    ctx: typer.Context,
    paths: Annotated[list[Path] | None, typer.Argument(
        metavar="PATH", show_default=False,
        help="Files or folders to check (default: every page, layout and partial).")] = None,
    output_format: Annotated[Format, typer.Option(
        "--format", "-f", help="text (like ruff), json, or sarif (GitHub code scanning).")
    ] = Format.text,
    select: Annotated[list[str] | None, typer.Option(
        "--select", metavar="CODES",
        help="Only these rules: codes, prefixes (PJ2) or slugs; comma-separated or repeated.")
    ] = None,
    ignore: Annotated[list[str] | None, typer.Option(
        "--ignore", metavar="CODES", help="Not these rules (same forms as --select).")] = None,
    fail_on: Annotated[FailOn, typer.Option(
        "--fail-on", help="Exit 1 when a finding is at least this severe.")] = FailOn.error,
    list_rules: Annotated[bool, typer.Option(
        "--list-rules", help="List the rules (with --format json: as JSON) and exit.")] = False,
    project: ProjectOption = None,
    db: DbOption = None,
) -> int:
    """Check every background job of the project before it runs: options, scope, partials.

    Reports path:line:col, a rule code and a message for each problem (docs/rules.md
    explains every rule). Exit 1 when an error (or, with --fail-on, a warning or info)
    is found, 0 otherwise. Silence a finding in a template with
    {% # posjobs-check-disable-next-line PJ201 %} (or -disable / -enable).

    Examples:

      posjobs check

      posjobs check app/views/pages/orders --select PJ2 --fail-on warning

      posjobs check --format sarif > posjobs.sarif
    """
    from posjobs.services.check import Severity, check_project, formats

    app = state(ctx).use(project, db)
    out = app.output
    if list_rules:
        print_rules(out, output_format)
        return ExitCode.OK
    found = _project(app.project_dir, paths) if paths else app.project
    with progress_bar(out) as progress:
        report = check_project(found, paths, select=select, ignore=ignore, progress=progress)
    if output_format is Format.json:
        out.json(formats.report_json(report))
    elif output_format is Format.sarif:
        out.json(formats.report_sarif(report))
    else:
        print_text(out, report)
    if report.skipped:
        out.note(f"skipped {len(report.skipped)} file(s) that are not part of the app "
                 f"(e.g. {report.skipped[0]})")
    return ExitCode.FAILED if report.fails(Severity(fail_on.value)) else ExitCode.OK


def _project(explicit: Path | None, paths: list[Path]) -> Project:
    """The project named by --project, else the one the first path is in."""
    for path in paths:
        if not path.exists():
            raise UsageError(f"{path}: no such file or directory")
    if explicit is not None:
        return Project.locate(explicit)
    first = paths[0].resolve()
    return Project.locate(None, cwd=first if first.is_dir() else first.parent)


def print_text(out: Output, report: CheckReport) -> None:
    from posjobs.services.check import formats

    for finding in report.findings:
        out.out.print(_finding_text(finding))
    out.err.print(Text(formats.summary_line(report),
                       style="bold red" if report.findings else "green"))
    for count, code, slug, severity in formats.summary_rows(report):
        line = Text(f"  {count:>4}  ")
        line.append(code, style=SEVERITY_STYLES[severity])
        line.append(f"  {slug:<28} {severity}", style="dim")
        out.err.print(line)


def _finding_text(finding: Finding) -> Text:
    text = Text()
    text.append(safe(str(finding.spot)), style="bold")
    text.append(": ")
    text.append(finding.code, style=SEVERITY_STYLES[finding.severity.value])
    text.append(" " + safe(finding.message))
    return text


def print_rules(out: Output, output_format: Format) -> None:
    from posjobs.services.check import RULES, formats

    if output_format is not Format.text:
        out.json([formats.rule_dict(rule) for rule in RULES])
        return
    for code, severity, slug, summary in formats.rule_rows():
        line = Text()
        line.append(code, style=SEVERITY_STYLES[severity])
        line.append(f"  {severity:<8} {slug:<26} ")
        line.append(summary, style="dim")
        out.out.print(line)


@contextmanager
def progress_bar(out: Output) -> Iterator[Progress | None]:
    """A Rich progress bar on stderr for large projects, only on a terminal."""
    if not out.err_is_terminal:
        yield None
        return
    from rich import progress

    bar = progress.Progress(progress.TextColumn("checking"), progress.BarColumn(),
                            progress.MofNCompleteColumn(), console=out.err, transient=True)
    task: list[progress.TaskID] = []

    def advance(done: int, total: int) -> None:
        if total < PROGRESS_FROM:
            return
        if not task:
            bar.start()
            task.append(bar.add_task("check", total=total))
        bar.update(task[0], completed=done)

    try:
        yield advance
    finally:
        if task:
            bar.stop()
