"""The `posjobs` command: global options, the sub-commands, and turning errors into exit codes."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from posjobs import __version__
from posjobs.cli import check, data, evaluate, jobs, logs, mail, render, serve, test, worker
from posjobs.cli.output import Output, error_json
from posjobs.cli.state import AppState, DbOption, ProjectOption
from posjobs.errors import ExitCode, PosjobsError, UsageError

app = typer.Typer(
    name="posjobs",
    help="Render platformOS pages locally, run their background jobs, and tail their logs.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog="Exit codes: 0 ok; 1 a job ended dead, a test failed, check found errors, or the "
    "work failed; 2 bad usage; 3 not found (project, page, job, outbox message, table, "
    "record, the tests module); 4 template error (a missing partial too); 5 store error; "
    "6 a job in the wrong state (jobs kill on a dead job, jobs run on a done one); "
    "130 interrupted. With --json a failure also prints {\"error\": {...}} on stdout.",
)
app.command("render")(render.render_command)
app.command("eval")(evaluate.eval_command)
app.command("worker")(worker.worker_command)
app.command("logs")(logs.logs_command)
app.add_typer(jobs.app, name="jobs")
app.add_typer(mail.app, name="mail")
app.command("check")(check.check_command)
app.command("test")(test.run_tests_command)
app.add_typer(data.app, name="data")
app.command("serve")(serve.serve_command)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"posjobs {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    project: ProjectOption = None,
    db: DbOption = None,
    no_color: Annotated[bool, typer.Option("--no-color", help="Never colour the output.")] = False,
    version: Annotated[
        bool | None,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = None,
) -> None:
    """Render platformOS pages locally, run their background jobs, and tail their logs."""
    if ctx.obj is None:
        ctx.obj = AppState()
    if no_color:
        out = ctx.obj.output
        ctx.obj.output = Output(out.stdout, out.stderr, color=False)
    ctx.obj.project_dir = project
    ctx.obj.db_path = db


def main(argv: list[str] | None = None, state: AppState | None = None) -> None:
    """Run the CLI; user mistakes end with a message and an exit code, never a traceback."""
    state = state or AppState()
    code: int = ExitCode.OK
    argv = list(sys.argv[1:] if argv is None else argv)
    as_json = "--json" in (argv[: argv.index("--")] if "--" in argv else argv)
    try:
        _check_utf8(argv)
        argv = hoist_global_options(argv)
        # standalone_mode=False: Click returns exit codes and raises errors, so that every
        # way out passes through here and closes the store.
        result = app(args=argv, obj=state, standalone_mode=False)
        code = result if isinstance(result, int) else ExitCode.OK
        if code == ExitCode.INTERRUPTED:  # Typer turns Ctrl-C into this exit code
            state.output.note("interrupted", style="yellow")
    except BrokenPipeError:
        # The reader went away (`posjobs logs | head -1`): that is not a failure of ours.
        # Point stdout at /dev/null so that Python's own flush at exit stays quiet.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = ExitCode.OK
    except PosjobsError as err:
        state.output.error(err)
        code = err.exit_code
        if as_json:  # a pipeline parses one shape, whatever went wrong
            state.output.json(error_json(code, err.message, err))
    except typer.TyperException as err:  # Typer's own usage errors (bad option, missing argument)
        show = getattr(err, "show", None)
        if show is not None:
            show(file=state.output.stderr)
        else:
            state.output.note(f"error: {err.format_message()}", style="red")
        code = ExitCode.USAGE if err.exit_code == 2 else err.exit_code
        if as_json:
            state.output.json(error_json(code, err.format_message()))
    except (typer.Abort, KeyboardInterrupt):
        state.output.note("interrupted", style="yellow")
        code = ExitCode.INTERRUPTED
    finally:
        state.close()
    sys.exit(int(code))


GLOBAL_FLAGS = ("--no-color",)
GLOBAL_WITH_VALUE = ("--project", "-p", "--db")


def hoist_global_options(argv: list[str]) -> list[str]:
    """Global options may come anywhere (`posjobs logs --no-color`, `posjobs jobs --project .
    list`): move them in front of the command name, where Click looks for them. Nothing
    after `--` moves."""
    hoisted: list[str] = []
    rest: list[str] = []
    index = 0
    while index < len(argv):
        arg = argv[index]
        if arg == "--":
            rest += argv[index:]
            break
        name = arg.split("=", 1)[0] if arg.startswith("--") else arg
        if arg in GLOBAL_FLAGS or (name in GLOBAL_WITH_VALUE and "=" in arg):
            hoisted.append(arg)
        elif arg in GLOBAL_WITH_VALUE and index + 1 < len(argv):
            hoisted += argv[index:index + 2]
            index += 1
        else:
            rest.append(arg)
        index += 1
    return hoisted + rest


def _check_utf8(argv: list[str]) -> None:
    """Bytes that are not UTF-8 arrive as lone surrogates; refuse them here, by position,
    before they reach a file name, the store or the terminal."""
    for position, arg in enumerate(argv, 1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            shown = arg.encode("utf-8", "surrogateescape").decode("ascii", "backslashreplace")
            raise UsageError(f"argument {position} ({shown}) is not valid UTF-8") from None
