"""What records and users share: filter inputs turned into store conditions, sorts,
pages of results, and property values as the `property*` fields return them.

The platform ignores a filter whose value is null, which is how optional filters are
written (`email: { value: $email }` with no `$email`): so does this.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from posjobs.data.graphql import NotEmulated
from posjobs.data.tables import DataError, Table, Tables, coerce
from posjobs.store.data.base import AnyOf, Condition, Filter, Sort

# PropertyFilterInput keys posjobs does not run (geo search): a clear error, not a guess.
_GEO = ("distance_sphere", "within_radius", "not_within_radius")


def page_of(rows: list[Any], total: int, page: int, per_page: int) -> dict[str, Any]:
    """A RecordCollection / UserCollection."""
    return {
        "results": rows,
        "total_entries": total,
        "total_pages": math.ceil(total / per_page) if per_page > 0 else 0,
        "current_page": page,
        "per_page": per_page,
        "has_next_page": page * per_page < total,
        "has_previous_page": page > 1,
    }


def paging(page: int | None, per_page: int) -> tuple[int, int, int]:
    """(page, per_page, offset), with the platform's bounds."""
    if per_page < 0:
        raise DataError(f"per_page must not be negative, got {per_page}")
    page = max(int(page or 1), 1)
    return page, per_page, (page - 1) * per_page


def text_filter(subject: dict[str, Any], spec: Mapping[str, Any] | None) -> list[Filter]:
    """A StringFilter on a column (`subject` is `{"column": name}`)."""
    if not spec:
        return []
    sensitive = bool(spec.get("case_sensitive", True))
    found: list[Filter] = []
    for key, op in (("value", "eq"), ("exact", "eq"), ("not_value", "ne"), ("value_in", "in"),
                    ("not_value_in", "not_in")):
        if spec.get(key) is not None:
            found.append(Condition(op, spec[key], case_sensitive=sensitive, **subject))
    insensitive = bool(spec.get("case_sensitive", False))
    for key in ("contains", "not_contains", "starts_with", "not_starts_with", "ends_with",
                "not_ends_with"):
        if spec.get(key) is not None:
            found.append(Condition(key, spec[key], case_sensitive=insensitive,
                                   **subject))
    return found


def id_filter(column: str, spec: Mapping[str, Any] | None) -> list[Filter]:
    """A UniqIdFilter: value, value_in, not_value_in, range."""
    if not spec:
        return []
    found: list[Filter] = []
    if spec.get("value") is not None:
        found.append(Condition("eq", to_id(spec["value"]), column=column))
    if spec.get("value_in") is not None:
        found.append(Condition("in", [to_id(v) for v in spec["value_in"]], column=column))
    if spec.get("not_value_in") is not None:
        found.append(Condition("not_in", [to_id(v) for v in spec["not_value_in"]],
                               column=column))
    for key, value in (spec.get("range") or {}).items():
        if value is not None:
            found.append(Condition(key, to_id(value), column=column))
    return found


def date_filter(column: str, spec: Mapping[str, Any] | None) -> list[Filter]:
    """A DateFilter on a time column: value, value_in, not_value, gt/gte/lt/lte, exists."""
    if not spec:
        return []
    found: list[Filter] = []
    for key, op in (("value", "eq"), ("not_value", "ne"), ("gt", "gt"), ("gte", "gte"),
                    ("lt", "lt"), ("lte", "lte")):
        if spec.get(key) is not None:
            found.append(Condition(op, to_timestamp(spec[key], column), column=column))
    for key, op in (("value_in", "in"), ("not_value_in", "not_in")):
        if spec.get(key) is not None:
            found.append(Condition(op, [to_timestamp(v, column) for v in spec[key]],
                                   column=column))
    if spec.get("exists") is not None:
        found.append(Condition("exists", bool(spec["exists"]), column=column))
    return found


def property_filters(specs: Sequence[Mapping[str, Any]] | None,
                     type_of: Callable[[str], str | None]) -> list[Filter]:
    """PropertyFilterInput entries; values are coerced to each property's type."""
    found: list[Filter] = []
    for spec in specs or ():
        name = spec["name"]
        type_ = type_of(name)
        where = f"filter on property {name!r}"

        def typed(value: Any, type_: str | None = type_, where: str = where) -> Any:
            return coerce(value, "string" if type_ == "array" else type_, where)

        sensitive = bool(spec.get("case_sensitive", False))
        for key, op in (("value", "eq"), ("not_value", "ne")):
            if spec.get(key) is not None:
                found.append(Condition(op, typed(spec[key]), property=name))
        for suffix in ("int", "float", "boolean"):
            for key, op in ((f"value_{suffix}", "eq"), (f"not_value_{suffix}", "ne")):
                if spec.get(key) is not None:
                    found.append(Condition(op, spec[key], property=name))
        for key, op in (("value_array", "eq"), ("not_value_array", "ne")):
            if spec.get(key) is not None:
                found.append(Condition(op, list(spec[key]), property=name))
        for key, op in (("value_in", "in"), ("not_value_in", "not_in")):
            if spec.get(key) is not None:
                if type_ == "array":
                    # An array's value is in the list when each of its elements is: how
                    # pos-module-chat finds the conversation of exactly these participants.
                    op = "array_within" if op == "in" else "not_array_within"
                found.append(Condition(op, [typed(v) for v in spec[key]], property=name))
        if spec.get("exists") is not None:
            found.append(Condition("exists", bool(spec["exists"]), property=name))
        for key in ("contains", "not_contains", "starts_with", "not_starts_with", "ends_with",
                    "not_ends_with"):
            if spec.get(key) is not None:
                found.append(Condition(key, str(spec[key]), property=name,
                                       case_sensitive=sensitive))
        for key in ("array_contains", "not_array_contains", "array_overlaps",
                    "not_array_overlaps"):
            if spec.get(key) is not None:
                found.append(Condition(key, list(spec[key]), property=name))
        for key, value in (spec.get("range") or {}).items():
            if value is not None:
                found.append(Condition(key, typed(value), property=name))
        for key in _GEO:
            if spec.get(key) is not None:
                raise NotEmulated(f"graphql: the property filter {key!r} (geo search) is not "
                                  "emulated locally", hint="mock this query (docs/data.md)")
    return found


def any_of(branches: Sequence[Mapping[str, Any]] | None,
           one: Callable[[Mapping[str, Any]], list[Filter]]) -> list[Filter]:
    if not branches:
        return []
    return [AnyOf(tuple(tuple(one(branch)) for branch in branches))]


def sorts(specs: Sequence[Mapping[str, Any]] | None, columns: Mapping[str, str]) -> list[Sort]:
    """RecordsSortInput / UsersSortInput entries, in the order written."""
    found: list[Sort] = []
    for spec in specs or ():
        for key, value in spec.items():
            if value is None:
                continue
            if key == "random_sort":
                if value:
                    found.append(Sort(random=True))
            elif key in ("properties", "profile_properties"):
                found += [Sort(property=p["name"], descending=p["order"] == "DESC")
                          for p in value]
            elif key in columns:
                found.append(Sort(column=columns[key], descending=value["order"] == "DESC",
                                  values=tuple(value.get("order_by_values") or ())))
            else:
                raise NotEmulated(f"graphql: sorting by {key!r} is not emulated locally",
                                  hint="sort by id, created_at, updated_at or a property")
    return found


def to_id(value: Any) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        raise DataError(f"{value!r} is not an id") from None


def to_timestamp(value: Any, what: str) -> float:
    from dateutil import parser

    from posjobs.data.tables import _datetime

    try:
        return parser.isoparse(_datetime(value)).timestamp()
    except (ValueError, TypeError, OverflowError):
        raise DataError(f"{what}: {value!r} is not a time") from None


# --- property values, as the property* fields give them ---------------------------------
def property_text(value: Any) -> str | None:
    """`property(name:)`: a String, as the platform prints each type."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def property_of(kind: str, value: Any) -> Any:
    """The `property_<kind>` fields: the value converted, nil when it cannot be."""
    if value is None:
        return None
    try:
        if kind == "int":
            return int(float(value)) if not isinstance(value, bool) else int(value)
        if kind == "float":
            return float(value)
        if kind == "boolean":
            return coerce(value, "boolean", "")
        if kind == "array":
            array = coerce(value, "array", "")
            return [property_text(v) for v in array]
        if kind in ("json", "object"):
            if isinstance(value, str):
                return json.loads(value)
            return value
    except (ValueError, TypeError, DataError, json.JSONDecodeError):
        return None
    return value


def declared(properties: Mapping[str, Any], table: Table | None) -> dict[str, Any]:
    """The properties a record shows: those its table declares (the platform hides a
    property removed from the schema), all of them when the table is unknown."""
    if table is None or not table.properties:
        return dict(properties)
    return {name: properties.get(name) for name in table.properties}


def type_lookup(tables: Tables, names: Sequence[str]) -> Callable[[str], str | None]:
    """A property's type within the tables a query names (all tables when it names none)."""
    chosen = [t for n in names if (t := tables.get(n)) is not None] or list(
        tables.tables.values())

    def type_of(name: str) -> str | None:
        for table in chosen:
            found = table.type_of(name)
            if found is not None:
                return found
        return None

    return type_of


def register_property_fields(type_name: str, table_of: Callable[[Any, Any], Table | None]
                             ) -> None:
    """The PropertiesInterface fields of `type_name` (Record, User): `properties` (those the
    table declares), `property` and the typed `property_*` family, `property_upload`.
    `table_of(row, info)` is the row's table."""
    from posjobs.data.graphql import resolver

    resolver(type_name, "properties")(
        lambda row, info, **_: declared(row.properties, table_of(row, info)))
    resolver(type_name, "property")(
        lambda row, _info, name: property_text(row.properties.get(name)))
    for kind in ("int", "float", "boolean", "array", "json", "object"):
        resolver(type_name, f"property_{kind}")(
            lambda row, _info, name, kind=kind: property_of(kind, row.properties.get(name)))
    resolver(type_name, "property_upload")(
        lambda row, _info, name, **_: upload(row.properties.get(name)))


def upload(value: Any) -> dict[str, Any] | None:
    """An upload property as a PropertyUpload: its URL (stored as given), name, extension."""
    if value is None:
        return None
    url = value.get("url") if isinstance(value, dict) else str(value)
    file_name = str(url).rsplit("/", 1)[-1].split("?", 1)[0] if url else None
    extension = file_name.rsplit(".", 1)[-1] if file_name and "." in file_name else None
    return {"url": url, "file_name": file_name, "extension": extension, "versions": {}}
