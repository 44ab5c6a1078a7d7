"""`posjobs render PAGE`: render a page as the platform would and store the jobs it enqueued."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from posjobs.cli.state import DbOption, JsonOption, ProjectOption, state
from posjobs.cli.tables import jobs_table
from posjobs.errors import ExitCode, UsageError

ParamOption = Annotated[
    list[str] | None,
    typer.Option("--param", "-P", metavar="KEY=VALUE",
                 help="A request parameter for context.params (repeatable)."),
]


def render_command(
    ctx: typer.Context,
    page: Annotated[str, typer.Argument(
        help="The page: a file path (app/views/pages/orders/create.liquid) or a slug "
             "(orders/create, /).")],
    param: ParamOption = None,
    run: Annotated[bool, typer.Option(
        "--run", help="Then run the jobs this render caused, and theirs, to the end, "
                      "without waiting out delays; exit 1 if any ended dead (CI smoke check).")
    ] = False,
    as_json: JsonOption = False,
    project: ProjectOption = None,
    db: DbOption = None,
) -> int:
    """Render PAGE: HTML on stdout, the jobs it enqueued on stderr.

    Examples:

      posjobs render / --param user_id=7

      posjobs render app/views/pages/orders/create.liquid -P order_id=7 --json

      posjobs render orders/create -P order_id=7 --run
    """
    from posjobs.services.render import render_page

    app = state(ctx).use(project, db)
    out = app.output
    params = parse_params(param or [])
    result = render_page(app.project, app.store, page, clock=app.clock, settings=app.settings,
                         params=params, cwd=Path.cwd())
    outcomes = None
    if run:
        from posjobs.cli.worker import run_to_end

        outcomes = run_to_end(app, among={job.id for job in result.jobs}, quiet=as_json)
    if as_json:
        data: dict[str, object] = {
            "page": result.page.file.name,
            "slug": result.page.slug,
            "html": result.html,
            "jobs": [job.summary() for job in result.jobs],
            "logs": [entry.to_dict() for entry in result.logs],
        }
        if outcomes is not None:
            data["run"] = outcomes.to_dict()
        out.json(data)
    else:
        out.data(result.html)
        if result.jobs:
            out.err.print(jobs_table(result.jobs, app.clock.now(),
                                     title=f"{len(result.jobs)} job(s) enqueued"))
        else:
            out.note("no jobs enqueued")
        if outcomes is not None:
            outcomes.print(out)
    if outcomes is not None and not outcomes.ok:
        return ExitCode.FAILED
    return ExitCode.OK


def parse_params(pairs: list[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--param {pair!r} is not KEY=VALUE")
        params[key.strip()] = value
    return params
