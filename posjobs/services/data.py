"""The project's data as `posjobs data` shows it: records of a table, one record, the whole
store exported in pos-cli's JSON shape, and reset. (Import: `services/data_import.py`.)"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from posjobs.data import DataLayer
from posjobs.data.tables import iso_time
from posjobs.errors import NotFoundError, PosjobsError
from posjobs.store.data.base import Condition, Query, RecordRow, Sort, UserRow

# The user fields an export writes (each when set) and an import reads: UserImport's in the
# platform's schema, and `language`, which posjobs keeps for a user as user_create does.
USER_FIELDS = ("first_name", "last_name", "middle_name", "name", "slug", "language")
BATCH = 1000


class RecordNotFound(NotFoundError):
    """No record by that id, or no table by that name."""


@dataclass(frozen=True)
class TableInfo:
    name: str
    records: int
    file: str | None  # its schema file; None for a table only the store still holds


@dataclass(frozen=True)
class Listing:
    table: str
    records: list[RecordRow]
    total: int


def record_json(row: RecordRow) -> dict[str, Any]:
    """A record as `data list --json` and `data show --json` print it."""
    return {
        "id": row.id,
        "table": row.table,
        "created_at": iso_time(row.created_at),
        "updated_at": iso_time(row.updated_at),
        "user_id": row.user_id,
        "external_id": row.external_id,
        "properties": row.properties,
    }


def tables(layer: DataLayer) -> list[TableInfo]:
    """The project's tables (its schema files) and any table only the store still holds,
    each with how many records it holds."""
    counts = layer.store.tables_in_use()
    declared = layer.tables.tables
    names = sorted(set(declared) | set(counts))
    return [TableInfo(name, counts.get(name, 0),
                      declared[name].file if name in declared else None) for name in names]


def list_records(layer: DataLayer, table: str, limit: int | None) -> Listing:
    """The newest `limit` records of `table`; an unknown table names the known ones."""
    known = tables(layer)
    if table not in {t.name for t in known}:
        names = ", ".join(t.name for t in known) or "none"
        raise RecordNotFound(f"table {table!r} does not exist (tables: {names})",
                             hint="tables come from app/schema/*.yml and modules' schema/")
    rows, total = layer.store.find_records(Query(
        filters=(Condition("eq", table, column="table"),),
        sort=(Sort(column="id", descending=True),), limit=limit))
    return Listing(table, rows, total)


def get_record(layer: DataLayer, record_id: int) -> RecordRow:
    row = layer.store.get_record(record_id)
    if row is None:
        raise RecordNotFound(f"no record {record_id}",
                             hint="`posjobs data list TABLE` shows a table's records")
    return row


# --- export ----------------------------------------------------------------------------------
def record_export(row: RecordRow) -> dict[str, Any]:
    """A record in the shape of the platform's CustomizationImport (what pos-cli's JSON
    import takes): `type_name` is its table."""
    entry: dict[str, Any] = {
        "id": row.id,
        "type_name": row.table,
        "user_id": row.user_id,
        "created_at": iso_time(row.created_at),
        "updated_at": iso_time(row.updated_at),
        "properties": row.properties,
    }
    if row.external_id is not None:  # posjobs' own: the platform's import has no such key
        entry["external_id"] = row.external_id
    return entry


def user_export(row: UserRow) -> dict[str, Any]:
    """A user in the shape of the platform's UserImport; the password as its hash."""
    entry: dict[str, Any] = {"id": row.id, "email": row.email}
    for name in USER_FIELDS:
        if row.fields.get(name) is not None:
            entry[name] = row.fields[name]
    if row.external_id is not None:
        entry["external_id"] = row.external_id
    if row.password_hash is not None:
        entry["encrypted_password"] = row.password_hash
    entry["created_at"] = iso_time(row.created_at)
    entry["updated_at"] = iso_time(row.updated_at)
    entry["properties"] = row.properties
    return entry


def export_data(layer: DataLayer) -> dict[str, Any]:
    """Every user and record, oldest first: `{"users": [...], "records": [...]}`, the shape
    `pos-cli data import` takes (developer-guide/data-import-export/json-import)."""
    store = layer.store
    users: list[dict[str, Any]] = []
    offset = 0
    while True:
        rows, _total = store.find_users(Query(sort=(Sort(column="id"),), limit=BATCH,
                                              offset=offset))
        users += [user_export(row) for row in rows]
        if len(rows) < BATCH:
            break
        offset += BATCH
    records = [record_export(row) for row in store.iter_all_records(BATCH)]
    return {"users": users, "records": records}


def write_export(data: dict[str, Any], path: Path) -> None:
    """Write the export to `path` whole or not at all (a temporary file renamed over it)."""
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    temporary: str | None = None
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except OSError as err:
        if temporary is not None and os.path.exists(temporary):
            os.unlink(temporary)
        raise PosjobsError(f"{path}: cannot write the export: {err.strerror or err}") from None


# --- reset -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Counts:
    records: int
    users: int


def counts(layer: DataLayer) -> Counts:
    store = layer.store
    _rows, users = store.find_users(Query(limit=0))
    return Counts(sum(store.tables_in_use().values()), users)


def reset(layer: DataLayer) -> Counts:
    """Delete every record, user, constant, message and activity; returns what was there."""
    before = counts(layer)
    layer.store.reset()
    return before


__all__ = ["Counts", "Listing", "RecordNotFound", "TableInfo", "counts",
           "export_data", "get_record", "list_records", "record_json", "reset", "tables",
           "write_export"]
