"""Array filters: adding, removing, searching, grouping, ordering and summing arrays (lists)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from liquid import RenderContext
from liquid.filter import liquid_filter, with_context

from posjobs.liquid.filters.support import (
    as_int,
    as_list,
    describe,
    fail,
    is_blank,
    is_nil,
    options_of,
    rng_of,
    to_decimal,
    to_s,
)


def _same(a: object, b: object) -> bool:
    """Equality as the platform's array filters compare: strings match numbers that print alike."""
    if a == b and (type(a) is bool) == (type(b) is bool):
        return True
    scalars = (str, int, float, Decimal)
    return isinstance(a, scalars) and isinstance(b, scalars) and to_s(a) == to_s(b)


def _item(obj: object, key: object) -> object:
    """`obj[key]` for a hash (string keys) or an array (whole-number index); nil otherwise."""
    if isinstance(obj, Mapping) and not is_nil(obj):
        return obj.get(key, obj.get(to_s(key)) if not isinstance(key, str) else None)
    if isinstance(obj, list) and isinstance(key, int) and not isinstance(key, bool):
        return obj[key] if -len(obj) <= key < len(obj) else None
    return None


def _matches(obj: object, conditions: dict[Any, Any]) -> bool:
    return all(_same(_item(obj, key), value) for key, value in conditions.items())


# --- adding and removing ------------------------------------------------------------------------
@liquid_filter
def array_add(array: object, item: object) -> list[Any]:
    """A new array with `item` appended."""
    return [*as_list("array_add", array), item]


@liquid_filter
def array_prepend(array: object, item: object) -> list[Any]:
    """A new array with `item` inserted first."""
    return [item, *as_list("array_prepend", array)]


@liquid_filter
def array_delete(array: object, element: object) -> list[Any]:
    """The array without any occurrence of `element`."""
    return [v for v in as_list("array_delete", array) if not _same(v, element)]


@liquid_filter
def array_delete_at(array: object, index: object) -> list[Any]:
    """The array without the element at `index`."""
    items = as_list("array_delete_at", array)
    at = as_int("array_delete_at", index, "index")
    if not -len(items) <= at < len(items):
        fail("array_delete_at", f"index {at} is outside the array (size {len(items)})")
    out = list(items)
    del out[at]
    return out


@liquid_filter
def array_compact(array: object, prop: object = None) -> list[Any]:
    """The array without blank values (nil, false, '', [], {}), or without items whose `prop` is."""
    items = as_list("array_compact", array)
    if is_nil(prop):
        return [v for v in items if not is_blank(v)]
    return [v for v in items if not is_blank(_item(v, prop))]


@liquid_filter
def array_uniq(array: object, prop: object = None) -> list[Any]:
    """The array without duplicates (compared by `prop` when given)."""
    seen: list[Any] = []
    out = []
    for value in as_list("array_uniq", array, wrap=True):
        key = value if is_nil(prop) else _item(value, prop)
        if not any(key == s and type(key) is type(s) for s in seen):
            seen.append(key)
            out.append(value)
    return out


@liquid_filter
def array_subtract(array: object, other: object) -> list[Any]:
    """The elements of `array` that are not in `other`."""
    remove = as_list("array_subtract", other, wrap=True)
    return [v for v in as_list("array_subtract", array) if not any(_same(v, r) for r in remove)]


@liquid_filter
def array_intersect(array: object, other: object) -> list[Any]:
    """The elements present in both arrays, once each, in the order of the first."""
    keep = as_list("array_intersect", other, wrap=True)
    out: list[Any] = []
    for value in as_list("array_intersect", array):
        if any(_same(value, k) for k in keep) and not any(_same(value, o) for o in out):
            out.append(value)
    return out


@liquid_filter
def array_limit(array: object, limit: object) -> list[Any]:
    """At most the first `limit` elements."""
    count = as_int("array_limit", limit, "limit")
    if count < 0:
        fail("array_limit", f"limit must be a positive whole number, got {count}")
    return as_list("array_limit", array)[:count]


# --- searching ----------------------------------------------------------------------------------
@liquid_filter
def array_any(array: object = None, query: object = "true") -> bool:
    """Whether any element equals `query`."""
    return any(_same(v, query) for v in as_list("array_any", array))


@liquid_filter
def array_include(array: object, element: object) -> bool:
    return any(_same(v, element) for v in as_list("array_include", array))


@liquid_filter
def array_index_of(array: object, element: object) -> int | None:
    """The position of `element`, or nil."""
    for index, value in enumerate(as_list("array_index_of", array)):
        if _same(value, element):
            return index
    return None


@liquid_filter
def array_select(array: object, conditions: object = None, **named: Any) -> list[Any]:
    """The elements whose fields equal every condition (`array_select: status: 'paid'`)."""
    where = options_of("array_select", conditions, named)
    return [v for v in as_list("array_select", array) if _matches(v, where)]


@liquid_filter
def array_reject(array: object, conditions: object = None, **named: Any) -> list[Any]:
    """The elements that do not match every condition."""
    where = options_of("array_reject", conditions, named)
    return [v for v in as_list("array_reject", array) if not _matches(v, where)]


@liquid_filter
def array_detect(array: object, conditions: object = None, **named: Any) -> object:
    """The first element matching every condition, or nil."""
    where = options_of("array_detect", conditions, named)
    return next((v for v in as_list("array_detect", array) if _matches(v, where)), None)


@liquid_filter
def array_find_index(array: object, conditions: object = None, **named: Any) -> list[int]:
    """The indices of every element matching every condition."""
    where = options_of("array_find_index", conditions, named)
    return [i for i, v in enumerate(as_list("array_find_index", array)) if _matches(v, where)]


# --- reshaping ----------------------------------------------------------------------------------
@liquid_filter
def array_flatten(array: object) -> list[Any]:
    """Nested arrays flattened into one."""
    out: list[Any] = []
    stack = [iter(as_list("array_flatten", array))]
    while stack:
        for value in stack[-1]:
            if isinstance(value, (list, tuple)):
                stack.append(iter(value))
                break
            out.append(value)
        else:
            stack.pop()
    return out


@liquid_filter
def array_map(array: object, *keys: object) -> list[Any]:
    """For each element, the values of `keys`: `array_map: 'id', 'name'` -> [[1, 'a'], ...]."""
    return [[_item(v, k) for k in keys] for v in as_list("array_map", array)]


@liquid_filter
def array_group_by(array: object, key: object) -> dict[Any, list[Any]]:
    """A hash from each value of `key` to the elements that have it."""
    groups: dict[Any, list[Any]] = {}
    for value in as_list("array_group_by", array):
        group = _item(value, key)
        groups.setdefault(_hashable(group), []).append(value)
    return groups


def _hashable(value: object) -> object:
    try:
        hash(value)
    except TypeError:
        return to_s(value)
    return None if is_nil(value) else value


@liquid_filter
def array_in_groups_of(array: object, size: object) -> list[list[Any]]:
    """The array split into groups of `size`, the last one padded with nil."""
    n = as_int("array_in_groups_of", size, "group size")
    if n < 1:
        fail("array_in_groups_of", f"group size must be at least 1, got {n}")
    items = as_list("array_in_groups_of", array)
    groups = [list(items[i : i + n]) for i in range(0, len(items), n)]
    if groups:
        groups[-1] += [None] * (n - len(groups[-1]))
    return groups


@liquid_filter
def array_rotate(array: object, count: object = 1) -> list[Any]:
    """The array rotated left by `count` positions."""
    items = as_list("array_rotate", array)
    if not items:
        return []
    n = as_int("array_rotate", count, "count") % len(items)
    return items[n:] + items[:n]


@with_context
@liquid_filter
def array_shuffle(array: object, *, context: RenderContext) -> list[Any]:
    """The array in random order (the run's random source, so tests can fix it)."""
    items = list(as_list("array_shuffle", array))
    rng_of(context).shuffle(items)
    return items


@liquid_filter
def array_sort_by(array: object, prop: object) -> list[Any]:
    """Hashes sorted by the value of `prop`; elements without it come last."""
    return sorted(as_list("array_sort_by", array), key=lambda v: _order(_item(v, prop)))


def _order(value: object) -> tuple[int, Any]:
    if is_nil(value):
        return (3, "")
    if isinstance(value, bool):
        return (2, int(value))
    if isinstance(value, (int, float, Decimal)):
        return (0, value)
    if isinstance(value, str):
        return (1, value)
    return (2, to_s(value))


@liquid_filter
def array_sum(array: object) -> int | float:
    """The sum of the numbers (or numeric strings) in the array."""
    total = Decimal(0)
    floats = False
    for value in as_list("array_sum", array):
        if is_nil(value):
            continue
        number = to_decimal(value)
        if number is None:
            fail("array_sum", f"cannot add {describe(value)} to a number")
        floats = floats or number != number.to_integral_value() or isinstance(value, float)
        total += number
    return float(total) if floats else int(total)
