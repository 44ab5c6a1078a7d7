"""Filters, sorts and pages over lists held in memory: the project's files (partials,
pages), constants and the outbox, which are few enough to select in Python.

The conditions are the store's (`Condition`, `AnyOf`, `Sort`), made by the same filter
helpers as records' (`common.py`), so a StringFilter means the same everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from posjobs.data.resolvers.common import page_of, paging
from posjobs.data.tables import DataError
from posjobs.store.data.base import AnyOf, Condition, Filter, Sort

T = TypeVar("T")
Values = Callable[[T], Mapping[str, Any]]


def select(items: Sequence[T], values: Values[T], filters: Sequence[Filter],
           sort: Sequence[Sort], page: int | None, per_page: int) -> dict[str, Any]:
    """One page (a *Collection) of the `items` whose `values` pass every filter."""
    page, per_page, offset = paging(page, per_page)
    chosen = [item for item in items if all(passes(f, values(item)) for f in filters)]
    for order in reversed(sort):  # a stable sort per key, the last key first
        if order.column is None:
            raise DataError("sorting these results by a property is not emulated locally")
        column = order.column

        def key(item: T, column: str = column) -> tuple[int, Any]:
            return _sort_key(values(item).get(column))

        chosen.sort(key=key, reverse=order.descending)
    return page_of(chosen[offset:offset + per_page], len(chosen), page, per_page)


def passes(condition: Filter, row: Mapping[str, Any]) -> bool:
    if isinstance(condition, AnyOf):
        return any(all(passes(c, row) for c in branch) for branch in condition.branches)
    assert condition.column is not None, "in-memory filters name columns"
    return _test(condition, row.get(condition.column))


def _test(c: Condition, actual: Any) -> bool:
    op, expected = c.op, c.value
    if op == "exists":
        return (actual is not None and actual != "") == bool(expected)
    if op in ("eq", "ne", "in", "not_in"):
        found = _fold(actual, c.case_sensitive) in {
            _fold(v, c.case_sensitive) for v in (expected if op.endswith("in") else [expected])}
        return found if op in ("eq", "in") else not found
    if op in ("gt", "gte", "lt", "lte"):
        if actual is None:
            return False
        try:
            return {"gt": actual > expected, "gte": actual >= expected,
                    "lt": actual < expected, "lte": actual <= expected}[op]
        except TypeError:
            return False
    text, part = _fold(actual, c.case_sensitive), _fold(expected, c.case_sensitive)
    if not isinstance(text, str) or not isinstance(part, str):
        return op.startswith("not_")
    positive = op.removeprefix("not_")
    hit = {"contains": part in text, "starts_with": text.startswith(part),
           "ends_with": text.endswith(part)}.get(positive)
    if hit is None:
        raise DataError(f"the filter {op!r} is not emulated for this query")
    return not hit if op.startswith("not_") else hit


def _fold(value: Any, case_sensitive: bool) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(int(value)) if float(value).is_integer() else str(value)
    if isinstance(value, str) and not case_sensitive:
        return value.lower()
    return value


def _sort_key(value: Any) -> tuple[int, Any]:
    """None last (ascending), numbers by value, the rest as text."""
    if value is None:
        return (2, "")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (0, value)
    return (1, str(value))


def unsupported(spec: Mapping[str, Any] | None, supported: Sequence[str], what: str) -> None:
    """A clear error for a filter key this query does not emulate (never a silent match)."""
    for key, value in (spec or {}).items():
        if value is not None and key not in supported:
            raise DataError(f"graphql: the {what} filter {key!r} is not emulated locally",
                            hint=f"filter by {', '.join(supported)}, or mock this query "
                                 "(docs/data.md)")
