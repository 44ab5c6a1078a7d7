"""`posjobs data ...`: the project's records, shown, exported, imported and reset."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from posjobs.cli.output import safe
from posjobs.cli.state import DbOption, JsonOption, ProjectOption, state
from posjobs.errors import ExitCode, UsageError

app = typer.Typer(help="Show, export, import and reset the project's data (.posjobs/data.db).",
                  no_args_is_help=True, rich_markup_mode=None)


@app.command("list")
def list_command(
    ctx: typer.Context,
    table: Annotated[str | None, typer.Argument(
        help="The table, e.g. `order` or `modules/user/profile`; without it, every table "
             "and how many records it holds.")] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="At most this many.")] = 50,
    as_json: JsonOption = False,
    project: ProjectOption = None,
    db: DbOption = None,
) -> int:
    """List a table's records, newest first (or, without TABLE, the tables).

    Examples:

      posjobs data list order -n 5

      posjobs data list modules/user/profile --json | jq '.[0].properties'
    """
    from posjobs.services import data

    app_ = state(ctx).use(project, db)
    out = app_.output
    if table is None:
        tables = data.tables(app_.data)
        if as_json:
            out.json([{"table": t.name, "records": t.records, "file": t.file} for t in tables])
        elif tables:
            grid = _table("table", "records", "schema file")
            for t in tables:
                grid.add_row(Text(safe(t.name)), str(t.records),
                             Text(safe(t.file or "(not in the schema any more)")))
            out.out.print(grid)
        else:
            out.note("no tables: define them in app/schema/<name>.yml")
        return ExitCode.OK
    listing = data.list_records(app_.data, table, limit)
    if as_json:
        out.json([data.record_json(row) for row in listing.records])
        return ExitCode.OK
    if not listing.records:
        out.note(f"no records in {table}")
        return ExitCode.OK
    grid = _table("id", "created_at", "properties")
    for row in listing.records:
        created = data.record_json(row)["created_at"]
        grid.add_row(str(row.id), created, Text(safe(_short(row.properties))))
    out.out.print(grid)
    out.note(f"{len(listing.records)} of {listing.total} record(s) in {table}")
    return ExitCode.OK


@app.command("show")
def show_command(
    ctx: typer.Context,
    record_id: Annotated[int, typer.Argument(help="The record's id.", min=1)],
    as_json: JsonOption = False,
    project: ProjectOption = None,
    db: DbOption = None,
) -> int:
    """Everything about one record: its table, times, owner and every property."""
    from posjobs.services import data

    app_ = state(ctx).use(project, db)
    row = data.get_record(app_.data, record_id)
    shown = data.record_json(row)
    if as_json:
        app_.output.json(shown)
        return ExitCode.OK
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    for key in ("id", "table", "created_at", "updated_at", "user_id", "external_id"):
        value = shown[key]
        grid.add_row(key, Text(safe("-" if value is None else str(value))))
    grid.add_row("properties", "" if row.properties else "-")
    for name, value in row.properties.items():
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        grid.add_row(Text(safe(f"  {name}")), Text(safe(text)))
    app_.output.out.print(grid)
    return ExitCode.OK


@app.command("export")
def export_command(
    ctx: typer.Context,
    file: Annotated[Path | None, typer.Argument(
        help="Where to write the JSON (default: standard output).", dir_okay=False)] = None,
    project: ProjectOption = None,
    db: DbOption = None,
) -> int:
    """Export every user and record as JSON, in the shape `pos-cli data import` takes:
    {"users": [...], "records": [...]}, ids kept.

    Examples:

      posjobs data export data.json

      posjobs data export | jq '.records | length'
    """
    from posjobs.services import data

    app_ = state(ctx).use(project, db)
    exported = data.export_data(app_.data)
    if file is None or str(file) == "-":
        app_.output.json(exported)
        return ExitCode.OK
    data.write_export(exported, file)
    app_.output.note(f"exported {len(exported['records'])} record(s) and "
                     f"{len(exported['users'])} user(s) to {file}", style="green")
    return ExitCode.OK


@app.command("import")
def import_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A JSON file: {\"users\": [...], "
                                              "\"records\": [...]}.", dir_okay=False)],
    project: ProjectOption = None,
    db: DbOption = None,
) -> int:
    """Import users and records from a JSON file in pos-cli's shape, all or nothing.

    Ids are kept; an entry whose id exists updates it (the file's properties replace those
    it names, the others stay). Properties are checked against the project's tables.
    Exit 2, with nothing written, when the file is not valid JSON or an entry does not fit.

    Example:

      posjobs data import data.json
    """
    from posjobs.services.data_import import import_file

    app_ = state(ctx).use(project, db)
    summary = import_file(app_.data, file, app_.clock.now())
    for note in summary.ignored:
        app_.output.note(f"ignored {note}", style="yellow")
    app_.output.note(
        f"imported {file}: {summary.records_created} record(s) created, "
        f"{summary.records_updated} updated; {summary.users_created} user(s) created, "
        f"{summary.users_updated} updated", style="green")
    return ExitCode.OK


@app.command("reset")
def reset_command(
    ctx: typer.Context,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask first.")] = False,
    project: ProjectOption = None,
    db: DbOption = None,
) -> int:
    """Delete all data: every record, user, constant, sent email and API call, activity.
    Jobs and logs stay (`posjobs jobs purge`, `posjobs logs --clear`)."""
    from posjobs.services import data

    app_ = state(ctx).use(project, db)
    if not yes:
        if sys.stdin is None or not sys.stdin.isatty():  # no one to ask (CI, a pipe)
            raise UsageError("data reset deletes all the project's data: confirm with --yes")
        there = data.counts(app_.data)
        if not typer.confirm(f"Delete all data of {app_.project.root} ({there.records} "
                             f"record(s), {there.users} user(s), and constants, emails, "
                             "API calls, activities)?", default=False, err=True):
            app_.output.note("nothing deleted")
            return ExitCode.OK
    removed = data.reset(app_.data)
    app_.output.note(f"data reset: {removed.records} record(s) and {removed.users} user(s) "
                     "deleted, with every constant, email, API call and activity",
                     style="green")
    return ExitCode.OK


def _table(*columns: str) -> Table:
    table = Table(box=None, header_style="bold", pad_edge=False)
    for column in columns:
        table.add_column(column, justify="right" if column in ("id", "records") else "left",
                         no_wrap=column != "properties")
    return table


def _short(value: Any, width: int = 200) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= width else text[: width - 1] + "…"

