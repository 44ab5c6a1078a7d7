"""`posjobs render PAGE`: render a page as the platform would and store the jobs it enqueued."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from posjobs.cli.state import AppState, DbOption, JsonOption, ProjectOption, state
from posjobs.cli.tables import jobs_table
from posjobs.errors import ExitCode, NotFoundError, UsageError

if TYPE_CHECKING:
    from posjobs.services.context import Request
    from posjobs.services.render import RenderResult
    from posjobs.store.data import DataStore


def render_command(
    ctx: typer.Context,
    page: Annotated[str, typer.Argument(
        help="The page: a file path (app/views/pages/orders/create.liquid), a slug "
             "(orders/create, /), a request path (orders/7 for orders/:id, "
             "'search?q=x'), or - for a page's source on standard input.")],
    param: Annotated[list[str] | None, typer.Option(
        "--param", "-P", metavar="KEY=VALUE",
        help="A request parameter for context.params (repeatable).")] = None,
    user: Annotated[str | None, typer.Option(
        "--user", metavar="ID|EMAIL|JSON|@FILE",
        help="The signed-in user: a user of the data store by id or email (signed in as "
             "after sign_in), or context.current_user given as a JSON object or @file.json.")
    ] = None,
    header: Annotated[list[str] | None, typer.Option(
        "--header", "-H", metavar="'NAME: VALUE'",
        help="A request header for context.headers (repeatable).")] = None,
    cookie: Annotated[list[str] | None, typer.Option(
        "--cookie", metavar="KEY=VALUE", help="A cookie for context.cookies (repeatable).")
    ] = None,
    session: Annotated[list[str] | None, typer.Option(
        "--session", metavar="KEY=VALUE",
        help="A value already in context.session (repeatable).")] = None,
    environment: Annotated[str | None, typer.Option(
        "--environment", help="context.environment (default: posjobs.toml's, or staging).")
    ] = None,
    method: Annotated[str | None, typer.Option(
        "--method", "-X", help="The request method (default: the page's).")] = None,
    run: Annotated[bool, typer.Option(
        "--run", help="Then run the jobs this render caused, and theirs, to the end, "
                      "without waiting out delays; exit 1 if any ended dead (CI smoke check).")
    ] = False,
    run_id: Annotated[str | None, typer.Option(
        "--run-id", metavar="ID",
        help="The run id this render and every job it causes carry (default: a random "
             "one); `logs --run ID` and `jobs list --run ID` show just that run.")] = None,
    as_json: JsonOption = False,
    project: ProjectOption = None,
    db: DbOption = None,
) -> int:
    """Render PAGE: HTML on stdout, the jobs it enqueued on stderr.

    Examples:

      posjobs render / --param user_id=7

      posjobs render app/views/pages/orders/create.liquid -P order_id=7 --json

      posjobs render orders/7 --user ada@example.com

      posjobs render orders/7 --user '{"id": 1, "email": "ada@example.com"}'

      posjobs render orders/create -P order_id=7 --run

      echo '{{ context.params.q }}' | posjobs render - -P q=x
    """
    from posjobs.services.render import render_page, source_page

    app = state(ctx).use(project, db)
    out = app.output
    request = build_request(app, param=param, user=user, header=header, cookie=cookie,
                            session=session, method=method, environment=environment)
    # `-`: the page's source from standard input, rendered as a page of the project.
    target = (source_page(app.project, read_stdin(app, "the page's source"), STDIN_NAME)
              if page == "-" else page)
    result = render_page(app.project, app.store, target, clock=app.clock,
                         settings=app.settings, request=request, cwd=Path.cwd(),
                         data=app.data, run_id=checked_run_id(run_id))
    response = result.response_summary()
    if not as_json:
        out.data(result.html)
        if response["status"] != 200 or response["headers"] or response["sign_in"]:
            out.note(response_line(response), style="cyan")
    return finish(app, result, run=run, as_json=as_json, head={
        "page": result.page.file.name,
        "slug": result.page.slug,
        "html": result.html,
        "response": response,
    })


STDIN_NAME = "<stdin>"
TABLE_ROWS = 20  # a render's jobs shown on stderr; the rest are counted
RUN_LOG_LIMIT = 100_000  # `render --json`'s `logs`: a run's entries, newest kept
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


def read_stdin(app: AppState, what: str, command: str = "render") -> str:
    """Standard input, whole; a terminal waiting for it would look like a hang."""
    if app.stdin.isatty():
        raise UsageError(f"`-` reads {what} from standard input, which is a terminal",
                         hint=f"pipe it in: `posjobs {command} - < file.liquid`")
    return app.stdin.read()


def build_request(
    app: AppState,
    *,
    param: list[str] | None = None,
    user: str | None = None,
    header: list[str] | None = None,
    cookie: list[str] | None = None,
    session: list[str] | None = None,
    method: str | None = None,
    environment: str | None = None,
) -> Request:
    """The request the command-line options describe."""
    from posjobs.services.context import Request

    # An id or an email names a stored user; anything else is the JSON form.
    stored = user is not None and (user.strip().isdigit() or (
        "@" in user.strip()[1:] and not user.lstrip().startswith(("{", "@"))))
    if method is not None and method.upper() not in METHODS:
        raise UsageError(f"--method {method!r} is not an HTTP method",
                         hint="one of " + ", ".join(METHODS))
    return Request(
        params=parse_pairs(param or [], "--param"),
        headers=parse_headers(header or []),
        cookies=parse_pairs(cookie or [], "--cookie"),
        session=parse_pairs(session or [], "--session"),
        user=parse_user(user) if user and not stored else None,
        user_id=stored_user(app.data.store, user) if user and stored else None,
        method=method,
        environment=environment,
    )


def finish(app: AppState, result: RenderResult, *, run: bool, as_json: bool,
           head: dict[str, object]) -> int:
    """After a render (page or snippet): its jobs on stderr, `--run` them, `--json` it all."""
    out = app.output
    if not as_json:
        if result.jobs:
            # Drawing thousands of rows would cost more than the render: the first ones,
            # then a count and where to see them all.
            shown = result.jobs[:TABLE_ROWS]
            out.err.print(jobs_table(shown, app.clock.now(), width=out.err.width,
                                     title=f"{len(result.jobs)} job(s) enqueued, "
                                           f"run {result.run_id}"))
            if len(result.jobs) > len(shown):
                out.note(f"and {len(result.jobs) - len(shown):,} more: posjobs jobs list "
                         f"--run {result.run_id}")
        else:
            out.note("no jobs enqueued")
    outcomes = None
    if run:
        from posjobs.cli.worker import print_summary, run_to_end

        outcomes = run_to_end(app, among={job.id for job in result.jobs}, quiet=as_json)
        if not as_json:
            print_summary(out, outcomes)
    if as_json:
        from posjobs.services.reports import entry_json
        from posjobs.store.base import LogFilter

        # Read back from the store: the fields of `logs --json` (ids included) and, after
        # --run, the entries of every job of the run.
        entries = app.store.tail_logs(LogFilter(run_id=result.run_id), RUN_LOG_LIMIT)
        data: dict[str, object] = {
            **head,
            "run_id": result.run_id,
            "jobs": [job.summary() for job in result.jobs],
            "logs": [entry_json(entry) for entry in entries],
        }
        if outcomes is not None:
            data["run"] = outcomes.to_dict()
        out.json(data)
    if outcomes is not None and not outcomes.ok:
        return ExitCode.FAILED
    return ExitCode.OK


def checked_run_id(run_id: str | None) -> str | None:
    if run_id is not None and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,99}", run_id):
        raise UsageError(f"--run-id {run_id!r}: letters, digits and . _ : - only (at most 100)")
    return run_id


def parse_pairs(pairs: list[str], option: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"{option} {pair!r} is not KEY=VALUE")
        found[key.strip()] = value
    return found


def parse_headers(headers: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for header in headers:
        name, sep, value = header.partition(":")
        if not sep or not name.strip():
            raise UsageError(f"--header {header!r} is not 'Name: value'")
        found[name.strip()] = value.strip()
    return found


def stored_user(store: DataStore, key: str) -> int:
    """`--user 7` or `--user ada@example.com`: that user of the data store, by id."""
    from posjobs.data.users import lookup

    found = lookup(store, key)
    if found is None:
        raise NotFoundError(f"--user {key!r}: no such user in the data store",
                            hint="create one (user_create), or give the user as JSON")
    return found.id


def parse_user(text: str) -> dict[str, object]:
    """`--user '{"id": 1}'` or `--user @user.json`."""
    if text.startswith("@"):
        try:
            text = Path(text[1:]).expanduser().read_text(encoding="utf-8")
        except OSError as err:
            raise UsageError(f"--user: cannot read {text[1:]}: {err.strerror}") from None
    try:
        user = json.loads(text)
    except json.JSONDecodeError as err:
        raise UsageError(
            f"--user is not JSON: {err.msg} (line {err.lineno}, column {err.colno})"
        ) from None
    if not isinstance(user, dict):
        raise UsageError("--user must be a JSON object, like '{\"id\": 1}'")
    return user


def response_line(response: dict[str, object]) -> str:
    parts = [f"response {response['status']}"]
    if response.get("redirect_to"):
        parts.append(f"redirect to {response['redirect_to']}")
    headers = response.get("headers") or {}
    if isinstance(headers, dict):
        parts += [f"{k}: {v}" for k, v in headers.items()]
    if response.get("sign_in"):
        parts.append(f"signs in {response['sign_in']}")
    return " · ".join(parts)
