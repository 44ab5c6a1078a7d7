"""Records: the `records` query, `record_create`, `record_update`, `record_delete`,
`records_delete_all`, and the fields of a Record (properties, related records and users)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from posjobs.data.graphql import RecordInvalid, resolver
from posjobs.data.resolvers.common import (
    any_of,
    date_filter,
    id_filter,
    page_of,
    paging,
    property_filters,
    register_property_fields,
    sorts,
    text_filter,
    to_id,
    type_lookup,
)
from posjobs.data.session import DataSession
from posjobs.data.tables import DataError, Table, coerce, iso_time
from posjobs.store.data.base import Condition, Filter, Query, RecordRow

SORT_COLUMNS = {"id": "id", "created_at": "created_at", "updated_at": "updated_at",
                "deleted_at": "deleted_at", "external_id": "external_id"}


def record_filters(data: DataSession, spec: Mapping[str, Any] | None) -> list[Filter]:
    """A RecordsFilterInput as store conditions."""
    if not spec:
        return []
    if spec.get("fulltext") is not None or spec.get("related_records") or spec.get(
            "related_users") or spec.get("table_id") is not None:
        key = next(k for k in ("fulltext", "related_records", "related_users", "table_id")
                   if spec.get(k))
        raise DataError(f"graphql: the records filter {key!r} is not emulated locally",
                        hint="filter by table and properties, or mock this query "
                             "(docs/data.md)")
    tables = _table_names(spec.get("table"))
    found: list[Filter] = []
    found += text_filter({"column": "table"}, spec.get("table"))
    found += id_filter("id", spec.get("id"))
    found += id_filter("user_id", spec.get("user_id"))
    found += text_filter({"column": "external_id"}, spec.get("external_id"))
    for column in ("created_at", "updated_at", "deleted_at"):
        found += date_filter(column, spec.get(column))
    found += property_filters(spec.get("properties"), type_lookup(data.tables, tables))
    found += any_of(spec.get("or"), lambda branch: record_filters(data, branch))
    return found


def _table_names(spec: Mapping[str, Any] | None) -> list[str]:
    if not spec:
        return []
    names = [spec.get("value"), spec.get("exact"), *(spec.get("value_in") or [])]
    return [n for n in names if isinstance(n, str)]


@resolver("RootQuery", "records")
def resolve_records(_root: None, info: Any, per_page: int, page: int = 1,
                    filter: Mapping[str, Any] | None = None,
                    sort: Sequence[Mapping[str, Any]] | None = None, **_: Any
                    ) -> dict[str, Any]:
    data: DataSession = info.context
    page, per_page, offset = paging(page, per_page)
    query = Query(tuple(record_filters(data, filter)), tuple(sorts(sort, SORT_COLUMNS)),
                  limit=per_page, offset=offset)
    rows, total = data.store.find_records(query)
    return page_of(rows, total, page, per_page)


# --- writes ------------------------------------------------------------------------------------
def property_values(table: Table, inputs: Sequence[Mapping[str, Any]] | None,
                    current: Mapping[str, Any]) -> dict[str, Any]:
    """The record's properties after applying PropertyInputType entries to `current`."""
    properties = dict(current)
    for spec in inputs or ():
        name = spec["name"]
        type_ = table.type_of(name)
        if type_ is None:
            raise RecordInvalid(f"table {table.name!r} has no property {name!r} "
                                f"(defined in {table.file or 'no schema file'})")
        try:
            properties[name] = _new_value(spec, type_, properties.get(name),
                                          f"{table.name}.{name}")
        except DataError as err:  # the platform refuses the write in the result's errors
            raise RecordInvalid(err.message) from None
    return properties


def _new_value(spec: Mapping[str, Any], type_: str, current: Any, where: str) -> Any:
    """A property's value after one PropertyInputType."""
    given = {k: v for k, v in spec.items() if k != "name"}
    operation = next((k for k in ("increment", "decrement", "array_append", "array_remove")
                      if k in given), None)
    numeric = operation in ("increment", "decrement")
    if operation is not None and type_ not in (("integer", "float") if numeric else ("array",)):
        kind = "an integer or float" if numeric else "an array"
        raise DataError(f"{where}: {operation} needs {kind} property, and it is {type_}")
    if "increment" in given or "decrement" in given:
        step = given.get("increment") or -(given.get("decrement") or 0)
        return coerce((current or 0) + step, type_, where)
    if "array_append" in given:
        return [*(current or []), given["array_append"]]
    if "array_remove" in given:
        return [v for v in current or [] if v != given["array_remove"]]
    if given:
        # value, value_int, value_array...: whichever the input gave (the last wins)
        key, value = list(given.items())[-1]
        if key == "value_upload":
            value = (value or {}).get("path") or (value or {}).get("url")
        return coerce(value, type_, where)
    return current  # named with no value (an unset variable): unchanged, or empty if new


def _properties_input(record: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Property inputs with only the keys the caller set: GraphQL gives omitted input fields
    no key, and a key set to null means "store null"."""
    return list(record.get("properties") or [])


@resolver("RootMutation", "record_create")
def resolve_record_create(_root: None, info: Any, record: Mapping[str, Any], **_: Any
                          ) -> RecordRow:
    data: DataSession = info.context
    name = record.get("table")
    if not name:
        raise DataError("record_create: record.table is required")
    table = data.tables.require(name)
    properties = property_values(table, _properties_input(record), {})
    user_id = to_id(record["user_id"]) if record.get("user_id") is not None else None
    return data.store.insert_record(table.name, properties, data.now(), user_id=user_id,
                                    external_id=record.get("external_id"))


@resolver("RootMutation", "record_update")
def resolve_record_update(_root: None, info: Any, id: Any,
                          record: Mapping[str, Any], **_: Any) -> RecordRow:
    data: DataSession = info.context
    row = _existing(data, id, record.get("table"))
    table = data.tables.get(row.table) or Table(row.table)
    properties = property_values(table, _properties_input(record), row.properties)
    user_id = to_id(record["user_id"]) if record.get("user_id") is not None else None
    updated = data.store.update_record(row.id, properties, data.now(), user_id=user_id,
                                       external_id=record.get("external_id"))
    assert updated is not None
    return updated


@resolver("RootMutation", "record_delete")
def resolve_record_delete(_root: None, info: Any, id: Any, table: str | None = None,
                          **_: Any) -> RecordRow:
    data: DataSession = info.context
    row = _existing(data, id, table)
    data.store.delete_record(row.id)
    row.deleted_at = data.now()
    return row


@resolver("RootMutation", "records_delete_all")
def resolve_records_delete_all(_root: None, info: Any, table: str | None = None,
                               filter: Mapping[str, Any] | None = None,
                               any_table: bool | None = None, **_: Any) -> dict[str, int]:
    data: DataSession = info.context
    filters = record_filters(data, filter)
    if table:
        data.tables.require(table)
        filters.append(Condition("eq", table, column="table"))
    elif not any_table and not filters:
        raise DataError("records_delete_all: name a table (or pass any_table: true)")
    rows, _total = data.store.find_records(Query(tuple(filters)))
    for row in rows:
        data.store.delete_record(row.id)
    return {"count": len(rows)}


def _existing(data: DataSession, record_id: Any, table: str | None) -> RecordRow:
    row = data.store.get_record(to_id(record_id))
    if row is None or (table and row.table != table):
        where = f" in table {table!r}" if table else ""
        raise RecordInvalid(f"record {record_id}{where} does not exist")
    return row


# --- the fields of a Record --------------------------------------------------------------------
def _table(info: Any, row: RecordRow) -> Table | None:
    tables = info.context.tables
    return tables.get(row.table)


for _name in ("table", "model_schema_name", "name"):
    resolver("Record", _name)(lambda row, _info, **_: row.table)


@resolver("Record", "table_id")
def _table_id(row: RecordRow, info: Any, **_: Any) -> int:
    """A stable number per table (the platform's table ids are its own)."""
    names = sorted(info.context.tables.tables)
    return names.index(row.table) + 1 if row.table in names else 0


resolver("Record", "model_schema_id")(_table_id)


@resolver("Record", "created_at")
def _created_at(row: RecordRow, _info: Any, **_: Any) -> str | None:
    return iso_time(row.created_at)


@resolver("Record", "updated_at")
def _updated_at(row: RecordRow, _info: Any, **_: Any) -> str | None:
    return iso_time(row.updated_at)


@resolver("Record", "deleted_at")
def _deleted_at(row: RecordRow, _info: Any, **_: Any) -> str | None:
    return iso_time(row.deleted_at)


register_property_fields("Record", lambda row, info: _table(info, row))


def join_value(row: Any, name: str) -> Any:
    """The value a related_* field joins on: the id, the user_id, a user's email or
    external_id, or a property."""
    if name == "id":
        return str(row.id)
    if name in ("user_id", "email", "external_id") and getattr(row, name, None) is not None:
        return str(getattr(row, name))
    return row.properties.get(name)


def related_records(info: Any, row: Any, table: Sequence[str] | str, join_on_property: str,
                    foreign_property: str, filter: Mapping[str, Any] | None,
                    sort: Sequence[Mapping[str, Any]] | None, limit: int | None
                    ) -> list[RecordRow]:
    data: DataSession = info.context
    value = join_value(row, join_on_property)
    if value is None or value == []:
        return []
    values = value if isinstance(value, list) else [value]
    names = [table] if isinstance(table, str) else [t for t in table if t]
    filters = record_filters(data, filter)
    filters.append(Condition("in", names, column="table"))
    type_of = type_lookup(data.tables, names)
    # `user_id` is the record's column unless its table declares a `user_id` property, as
    # the user module's profile table does (joined from users by foreign_property: "user_id").
    if foreign_property == "id" or (foreign_property == "user_id" and type_of("user_id") is None):
        ids = [int(v) for v in values if str(v).strip().lstrip("-").isdigit()]
        filters.append(Condition("in", ids, column=foreign_property))
    else:
        type_ = type_of(foreign_property)
        typed = [coerce(v, "string" if type_ == "array" else type_, foreign_property)
                 for v in values]
        op = "array_overlaps" if type_ == "array" else "in"
        filters.append(Condition(op, typed, property=foreign_property))
    rows, _total = data.store.find_records(Query(tuple(filters), tuple(sorts(sort, SORT_COLUMNS)),
                                                 limit=limit))
    return rows


# Records and users both have related records (and, in users.py, related users).
@resolver("Record", "related_records")
@resolver("User", "related_records")
def _related_records(row: Any, info: Any, table: Sequence[str], join_on_property: str,
                     foreign_property: str, filter: Mapping[str, Any] | None = None,
                     sort: Sequence[Mapping[str, Any]] | None = None,
                     limit: int | None = None) -> list[RecordRow]:
    return related_records(info, row, table, join_on_property, foreign_property, filter, sort,
                           limit)


@resolver("Record", "related_record")
@resolver("User", "related_record")
def _related_record(row: Any, info: Any, table: Sequence[str], join_on_property: str,
                    foreign_property: str = "id",
                    filter: Mapping[str, Any] | None = None,
                    sort: Sequence[Mapping[str, Any]] | None = None) -> RecordRow | None:
    found = related_records(info, row, table, join_on_property, foreign_property, filter, sort,
                            1)
    return found[0] if found else None
