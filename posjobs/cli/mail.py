"""`posjobs mail ...`: the local outbox: emails and API calls the project's code sent."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from posjobs.cli.output import safe
from posjobs.cli.state import AppState, DbOption, JsonOption, ProjectOption, state
from posjobs.cli.tables import when
from posjobs.data.tables import iso_time
from posjobs.errors import ExitCode, NotFoundError
from posjobs.store.data.base import MessageRow

app = typer.Typer(help="Read the local outbox: emails and API calls (never sent by default).",
                  no_args_is_help=True, rich_markup_mode=None)


class Kind(str, Enum):
    email = "email"
    api_call = "api_call"


@app.command("list")
def list_command(
    ctx: typer.Context,
    kind: Annotated[Kind, typer.Option("--kind", "-k", help="Emails or recorded API calls.")
                    ] = Kind.email,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="At most this many.")] = 50,
    as_json: JsonOption = False,
    project: ProjectOption = None,
    db: DbOption = None,
) -> int:
    """List the outbox, newest first.

    Examples:

      posjobs mail list

      posjobs mail list --kind api_call --json
    """
    app_ = state(ctx).use(project, db)
    messages, total = app_.data.store.messages(kind.value, limit=limit)
    if as_json:
        app_.output.json([message_dict(m) for m in messages])
    elif not messages:
        app_.output.note("no emails" if kind is Kind.email else "no API calls")
    else:
        table = _emails(messages, app_) if kind is Kind.email else _api_calls(messages, app_)
        app_.output.out.print(table)
        if total > len(messages):
            app_.output.note(f"{len(messages)} of {total} shown (--limit)")
    return ExitCode.OK


def _emails(messages: list[MessageRow], app_: AppState) -> Table:
    table = _table("id", "time", "to", "subject", "name")
    now = app_.clock.now()
    for m in messages:
        headers = m.payload.get("headers", {})
        table.add_row(str(m.id), when(m.created_at, now),
                      Text(safe(", ".join(headers.get("to", [])))),
                      Text(safe(str(headers.get("subject", "")))), Text(safe(m.name)))
    return table


def _api_calls(messages: list[MessageRow], app_: AppState) -> Table:
    table = _table("id", "time", "method", "url", "status", "answered by", "name")
    now = app_.clock.now()
    for m in messages:
        request = m.payload.get("request", {})
        response = m.payload.get("response")
        status = str(response["status"]) if response else "failed"
        table.add_row(str(m.id), when(m.created_at, now), Text(safe(str(request.get("method")))),
                      Text(safe(str(request.get("url")))), status,
                      Text(safe(str(m.payload.get("answered_by", "")))), Text(safe(m.name)))
    return table


def _table(*columns: str) -> Table:
    table = Table(box=None, header_style="bold", pad_edge=False)
    for column in columns:
        table.add_column(column)
    return table


@app.command("show")
def show_command(
    ctx: typer.Context,
    message_id: Annotated[int, typer.Argument(help="The message's id (`mail list`).", min=1)],
    html_only: Annotated[bool, typer.Option(
        "--html", help="Print only the email's HTML body, exactly (to save or pipe it).")
    ] = False,
    as_json: JsonOption = False,
    project: ProjectOption = None,
    db: DbOption = None,
) -> int:
    """One email (headers, text and HTML) or API call (request and response)."""
    app_ = state(ctx).use(project, db)
    message = app_.data.store.get_message(message_id)
    if message is None:
        raise NotFoundError(f"no email or API call {message_id} in the outbox",
                            hint="`posjobs mail list` shows the emails there are")
    if as_json:
        app_.output.json(message_dict(message))
    elif html_only:
        app_.output.data(str(message.payload.get("html") or ""))
    elif message.kind == "email":
        _show_email(app_, message)
    else:
        _show_api_call(app_, message)
    return ExitCode.OK


def _show_email(app_: AppState, m: MessageRow) -> None:
    headers = m.payload.get("headers", {})
    rows = [("email", str(m.id)), ("name", m.name), ("sent", when(m.created_at, app_.clock.now())),
            ("from", headers.get("from", ""))]
    rows += [(key, ", ".join(headers.get(key) or [])) for key in ("to", "cc", "bcc", "reply_to")]
    rows += [("subject", headers.get("subject", "")), ("layout", m.payload.get("layout") or "-"),
             ("delay", f"{m.payload.get('delay') or 0:g} min"),
             ("source", m.payload.get("source") or "-")]
    _grid(app_, rows)
    _section(app_, "text", m.payload.get("text"))
    _section(app_, "html", m.payload.get("html"))


def _show_api_call(app_: AppState, m: MessageRow) -> None:
    request = m.payload.get("request", {})
    response = m.payload.get("response")
    rows = [("api call", str(m.id)), ("name", m.name),
            ("sent", when(m.created_at, app_.clock.now())),
            ("request", f"{request.get('method')} {request.get('url')}")]
    rows += [(f"  {k}", str(v)) for k, v in (request.get("headers") or {}).items()]
    if response is None:
        rows.append(("error", str(m.payload.get("error") or "the call failed")))
    else:
        rows.append(("status", str(response.get("status"))))
        rows += [(f"  {k}", str(v)) for k, v in (response.get("headers") or {}).items()]
    rows += [("answered by", str(m.payload.get("answered_by", ""))),
             ("source", m.payload.get("source") or "-")]
    _grid(app_, rows)
    _section(app_, "request body", request.get("body"))
    if response is not None:
        _section(app_, "response body", response.get("body"))


def _grid(app_: AppState, rows: list[tuple[str, str]]) -> None:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    for key, value in rows:
        grid.add_row(key, Text(safe(str(value))))
    app_.output.out.print(grid)


def _section(app_: AppState, title: str, body: Any) -> None:
    """A body printed as it is: user text, never read as markup."""
    app_.output.out.print(Text(f"\n{title}:", style="bold"))
    app_.output.out.print(Text(safe(str(body or "").strip("\n")) or "(empty)"))


def message_dict(m: MessageRow) -> dict[str, Any]:
    return {"id": m.id, "kind": m.kind, "name": m.name, "created_at": iso_time(m.created_at),
            **m.payload}
