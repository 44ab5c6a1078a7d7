"""`posjobs serve`: the project's pages and a dashboard of its jobs and logs, in a browser."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from posjobs.cli.state import DbOption, ProjectOption, state
from posjobs.errors import ExitCode, UsageError

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def serve_command(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="The address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535,
                                      help="The port (0: any free one).")] = 3333,
    no_worker: Annotated[bool, typer.Option(
        "--no-worker", help="Do not run jobs here (another `posjobs worker` runs them).")
    ] = False,
    concurrency: Annotated[int | None, typer.Option(
        "--concurrency", "-c", min=1, help="Jobs run at once (default: number of CPUs).")] = None,
    grace: Annotated[float, typer.Option(
        "--grace", min=0, help="On Ctrl-C or SIGTERM, seconds running attempts get to finish "
                               "before they are stopped and released.")] = 30.0,
    project: ProjectOption = None,
    db: DbOption = None,
) -> int:
    """Serve the project's pages at their routes and a dashboard of jobs and logs at
    /_posjobs/, and run the jobs the pages enqueue. Ctrl-C stops.

    Examples:

      posjobs serve                       # http://127.0.0.1:3333/

      posjobs serve --port 8080 --no-worker
    """
    from posjobs.cli.worker import print_outcome
    from posjobs.serve.run import ServeOptions, serve
    from posjobs.store.data import data_store_path

    app = state(ctx).use(project, db)
    out = app.output
    if host not in LOOPBACK:
        out.note(f"warning: --host {host} lets other machines reach this development server: "
                 "it has no authentication, and anyone who can reach it can run and delete "
                 "jobs", style="bold yellow")
    options = ServeOptions(host, port, None if no_worker else (concurrency or os.cpu_count() or 1),
                           grace)
    try:
        serve(app.project, app.store, app.settings, app.clock, app.store_url,
              data_store_path(app.store_path), options, notice=lambda m: out.note(m, style=""),
              on_outcome=lambda outcome: print_outcome(out, outcome))
    except OSError as err:  # the port is taken, the address is not ours
        raise UsageError(f"cannot listen on {host}:{port}: {err.strerror or err}") from None
    return ExitCode.OK
