"""`posjobs eval 'LIQUID'`: render a snippet in the project's context, as `pos-cli exec liquid`
does on an instance."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from posjobs.cli.render import STDIN_NAME, build_request, finish, read_stdin
from posjobs.cli.state import DbOption, JsonOption, ProjectOption, state
from posjobs.errors import UsageError

EVAL_NAME = "<eval>"


def eval_command(
    ctx: typer.Context,
    source: Annotated[str | None, typer.Argument(
        metavar="LIQUID", help="The Liquid to render; - reads it from standard input.")
    ] = None,
    file: Annotated[Path | None, typer.Option(
        "--file", "-f", dir_okay=False, help="Render this file's Liquid instead.")] = None,
    param: Annotated[list[str] | None, typer.Option(
        "--param", "-P", metavar="KEY=VALUE",
        help="A request parameter for context.params (repeatable).")] = None,
    user: Annotated[str | None, typer.Option(
        "--user", metavar="ID|EMAIL|JSON|@FILE",
        help="The signed-in user, as for `posjobs render`.")] = None,
    environment: Annotated[str | None, typer.Option(
        "--environment", help="context.environment (default: posjobs.toml's, or staging).")
    ] = None,
    run: Annotated[bool, typer.Option(
        "--run", help="Then run the jobs it enqueued, and theirs, to the end; exit 1 if any "
                      "ended dead.")] = False,
    as_json: JsonOption = False,
    project: ProjectOption = None,
    db: DbOption = None,
) -> int:
    """Render a Liquid snippet in the project's context: its partials, queries and data.

    The output goes to stdout as it is (no layout). Jobs it enqueues are stored as a
    render's are; what it writes to the data store stays, as with `pos-cli exec liquid`.

    Examples:

      posjobs eval '{{ "now" | to_time | date: "%Y" }}'

      posjobs eval "{% graphql r = 'orders/search' %}{{ r | json }}" --json

      posjobs eval -f scripts/backfill.liquid --run
    """
    from posjobs.services.render import render_page, source_page

    app = state(ctx).use(project, db)
    if (source is None) == (file is None):
        raise UsageError("give the Liquid to render, or --file FILE (one of them)",
                         hint="posjobs eval '{{ context.environment }}'")
    if file is not None:
        try:
            text = file.expanduser().read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            reason = getattr(err, "strerror", None) or "not UTF-8 text"
            raise UsageError(f"--file {file}: cannot read: {reason}") from None
        name = app.project.relative(file)
    elif source == "-":
        text, name = read_stdin(app, "the Liquid", "eval"), STDIN_NAME
    else:
        text, name = source or "", EVAL_NAME
    request = build_request(app, param=param, user=user, environment=environment)
    result = render_page(app.project, app.store, source_page(app.project, text, name,
                                                              layout=False),
                         clock=app.clock, settings=app.settings, request=request,
                         data=app.data)
    if not as_json:
        app.output.data(result.html)
    return finish(app, result, run=run, as_json=as_json, head={"output": result.html})
