"""`posjobs test [NAME]`: run the project's platformOS tests with its tests module."""

from __future__ import annotations

import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from posjobs.cli.output import Output, safe
from posjobs.cli.state import JsonOption, ProjectOption, state
from posjobs.errors import ExitCode, TemplateError

if TYPE_CHECKING:
    from posjobs.services.testing import TestReport


def run_tests_command(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Argument(
        metavar="NAME", help="Run only the tests whose partial path contains NAME (test/orders, "
             "create_test).")] = None,
    junit: Annotated[Path | None, typer.Option(
        "--junit", metavar="FILE", dir_okay=False,
        help="Also write the results as JUnit XML to FILE, for CI.")] = None,
    run: Annotated[bool, typer.Option(
        "--run", help="Then run the jobs the tests enqueued, and theirs, to the end without "
                      "waiting out delays; exit 1 if any ended dead.")] = False,
    store_dir: Annotated[Path | None, typer.Option(
        "--store-dir", metavar="DIR", file_okay=False,
        help="Keep the run's job store and data in DIR (posjobs.db, data.db), created if "
             "missing and used as it is if not, instead of a temporary directory removed "
             "afterwards. `--store-dir .posjobs` runs against the project's own data.")
    ] = None,
    as_json: JsonOption = False,
    project: ProjectOption = None,
) -> int:
    """Run the project's tests (partials ending in _test) as the tests module runs them.

    Each test partial gets the module's `contract`; its assertions fill it. The tests run
    in the staging environment against a new data store of their own, where the project's
    migrations run first, so a test run never changes the project's data (see
    --store-dir; the global --db does not apply). Exit 0 when every test passed, 1 when one
    failed, 3 when the project has no tests module, 4 when a test or migration does not
    render.

    Examples:

      posjobs test

      posjobs test orders/create

      posjobs test --junit report.xml --run
    """
    from posjobs.services.testing import run_tests
    from posjobs.store.data import data_store_path

    app = state(ctx).use(project, None)
    out = app.output
    with ExitStack() as cleanup:
        if store_dir is None:
            scratch = cleanup.enter_context(tempfile.TemporaryDirectory(
                prefix="posjobs-test-", ignore_cleanup_errors=True))
            folder = Path(scratch)
        else:
            folder = store_dir.expanduser()
            folder.mkdir(parents=True, exist_ok=True)
        app.db_path = folder / "posjobs.db"
        # A new store is a new environment: its deploy would have run the migrations.
        fresh = not Path(data_store_path(app.db_path)).exists()
        cleanup.callback(app.close)  # before the folder goes
        started = time.monotonic()
        try:
            report = run_tests(app.project, app.store, app.data, clock=app.clock,
                               settings=app.settings, name=name, migrate=fresh)
        except TemplateError as err:
            if junit is not None:  # CI shows the error where it shows the tests
                from posjobs.services.junit import junit_error_xml, write_junit

                write_junit(junit_error_xml(err, time.monotonic() - started), junit)
            raise
        if report.migrations:
            out.note(f"ran {len(report.migrations)} migration(s) on the new test store: "
                     + ", ".join(Path(m).name for m in report.migrations))
        if report.legacy:
            out.note("modules/tests has no _tests/run.js (a version before 1.1.0): its tests "
                     "run through posjobs' copy of that page; `pos-cli modules update tests` "
                     "brings the module's own", style="yellow")
        if junit is not None:
            from posjobs.services.junit import write_junit

            write_junit(report, junit)
        if as_json:
            out.json(report.raw)
        else:
            print_report(out, report)
        jobs_ok = True
        if run and report.jobs:
            from posjobs.cli.worker import print_summary, run_to_end

            outcomes = run_to_end(app, among={job.id for job in report.jobs}, quiet=as_json)
            print_summary(out, outcomes)
            jobs_ok = outcomes.ok
        elif report.jobs and not as_json:
            out.note(f"the tests enqueued {len(report.jobs)} job(s); --run runs them")
        if junit is not None:
            out.note(f"JUnit report: {junit}")
    return ExitCode.OK if report.ok and jobs_ok else ExitCode.FAILED


def print_report(out: Output, report: TestReport) -> None:
    """Each test on a line (✓/✗ on a colour terminal; `ok`/`FAIL` for logs and grep), its
    failed assertions under it, and the `N passed, M failed` line last."""
    fancy = out.is_terminal and not out.out.no_color
    if not report.tests:
        out.note("no tests found (partials whose path ends with _test)", style="yellow")
    for test in report.tests:
        line = Text()
        if fancy:
            line.append("✓ " if test.success else "✗ ", style="green" if test.success else "red")
        else:
            line.append("ok   " if test.success else "FAIL ")
        line.append(safe(test.name), style="" if test.success else "bold")
        line.append(f"  {test.assertions} assertion{'s' if test.assertions != 1 else ''}",
                    style="dim")
        out.out.print(line)
        for field, message in test.failures:
            detail = Text("    ")
            if field:
                detail.append(safe(field) + ": ", style="bold")
            detail.append(safe(message), style="red")
            out.out.print(detail)
    verdict = Text(report.summary(), style="bold green" if report.ok else "bold red")
    out.out.print(verdict)
