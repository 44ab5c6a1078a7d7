"""Hash filters: building, reading, comparing and copying platformOS hashes (Python dicts)."""

from __future__ import annotations

import copy
import difflib
from collections.abc import Mapping
from typing import Any

from liquid.filter import liquid_filter

from posjobs.liquid.filters.support import as_hash, as_list, fail, is_nil, options_of, to_s


def _hash_key(name: str, key: object) -> object:
    """A value usable as a hash key (strings, numbers, booleans, nil)."""
    try:
        hash(key)
    except TypeError:
        fail(name, f"a hash key must be a string or a number, got {to_s(key)!r}")
    return None if is_nil(key) else key


@liquid_filter
def hash_merge(hash1: object, hash2: object = None, **pairs: Any) -> dict[Any, Any]:
    """A new hash: `hash1` with the keys of `hash2` (and of named arguments) laid over it."""
    merged = dict(as_hash("hash_merge", hash1))
    merged.update(as_hash("hash_merge", hash2))
    merged.update(pairs)
    return merged


@liquid_filter
def hash_add_key(hash_: object, key: object, value: object = None) -> dict[Any, Any]:
    """The hash with `key` set to `value`. Like the platform, an existing hash is changed."""
    target = {} if is_nil(hash_) else as_hash("hash_add_key", hash_)
    target[_hash_key("hash_add_key", key)] = value
    return target


@liquid_filter
def hash_delete_key(hash_: object, key: object) -> object:
    """Removes `key` from the hash and returns the value it held (nil when it was absent)."""
    if is_nil(hash_):
        return None
    return as_hash("hash_delete_key", hash_).pop(_hash_key("hash_delete_key", key), None)


@liquid_filter
def hash_dig(value: object, *keys: object) -> object:
    """The value found by following `keys` (strings into hashes, whole numbers into arrays)."""
    for key in keys:
        if is_nil(value):
            return None
        if isinstance(value, Mapping):
            key = _hash_key("hash_dig", key)
            value = value.get(key) if key in value else value.get(to_s(key))
        elif isinstance(value, list):
            if isinstance(key, bool) or not isinstance(key, int):
                fail("hash_dig", f"an array can only be dug into with a whole number, got {key!r}")
            value = value[key] if -len(value) <= key < len(value) else None
        else:
            fail("hash_dig", f"cannot dig into {to_s(value)!r} with {key!r}")
    return None if is_nil(value) else value


@liquid_filter
def hash_fetch(hash_: object, key: object) -> object:
    """One key of the hash (nil when absent)."""
    if is_nil(hash_):
        return None
    return as_hash("hash_fetch", hash_).get(_hash_key("hash_fetch", key))


@liquid_filter
def hash_keys(hash_: object) -> list[Any]:
    return list(as_hash("hash_keys", hash_).keys())


@liquid_filter
def hash_values(hash_: object) -> list[Any]:
    return list(as_hash("hash_values", hash_).values())


@liquid_filter
def hash_sort(hash_: object) -> dict[Any, Any]:
    """The hash with its keys in alphabetical order."""
    items = as_hash("hash_sort", hash_)
    return {key: items[key] for key in sorted(items, key=to_s)}


@liquid_filter
def hash_except(hash_: object, keys: object) -> dict[Any, Any]:
    """The hash without `keys` (an array of keys, or a single key)."""
    leave_out = as_list("hash_except", keys, wrap=True)
    return {k: v for k, v in as_hash("hash_except", hash_).items() if k not in leave_out}


@liquid_filter
def deep_clone(value: object) -> object:
    """A deep copy, so nested hashes and arrays can be changed independently."""
    return None if is_nil(value) else copy.deepcopy(value)


# --- hash_diff (the platform uses the Ruby hashdiff gem; this follows its output) ----------------
@liquid_filter
def hash_diff(hash1: object, hash2: object, options: object = None, **named: Any) -> list[Any]:
    """Changes from `hash1` to `hash2`, as `["-", path, old]`, `["~", path, old, new]` and
    `["+", path, new]` entries."""
    opts = options_of("hash_diff", options, named)
    left = {} if is_nil(hash1) else hash1
    right = {} if is_nil(hash2) else hash2
    for side in (left, right):
        if not isinstance(side, (Mapping, list)):
            fail("hash_diff", f"expected two hashes, got {to_s(side)!r}")
    return _Differ(opts).diff(left, right, [])


class _Differ:
    def __init__(self, options: dict[str, Any]) -> None:
        self.strict = options.get("strict", True) is not False
        self.strip = options.get("strip") is True
        self.case_insensitive = options.get("case_insensitive") is True
        tolerance = options.get("numeric_tolerance")
        self.tolerance = tolerance if isinstance(tolerance, (int, float)) else None
        self.delimiter = to_s(options.get("delimiter", "."))
        self.ignore = set(as_list("hash_diff", options.get("ignore_keys"), wrap=True))
        self.array_path = options.get("array_path") is True

    def path(self, parts: list[Any]) -> object:
        if self.array_path:
            return list(parts)
        out = ""
        for part in parts:
            if isinstance(part, int) and not isinstance(part, bool):
                out += f"[{part}]"
            else:
                out += (self.delimiter if out else "") + to_s(part)
        return out

    def diff(self, old: object, new: object, at: list[Any]) -> list[Any]:
        if isinstance(old, Mapping) and isinstance(new, Mapping):
            return self._hashes(old, new, at)
        if isinstance(old, list) and isinstance(new, list):
            return self._arrays(old, new, at)
        if self.same(old, new):
            return []
        return [["~", self.path(at), old, new]]

    def _hashes(self, old: Mapping[Any, Any], new: Mapping[Any, Any], at: list[Any]) -> list[Any]:
        keys_old = [k for k in old if k not in self.ignore]
        keys_new = [k for k in new if k not in self.ignore]
        out: list[Any] = []
        for key in sorted((k for k in keys_old if k not in new), key=to_s):
            out.append(["-", self.path([*at, key]), old[key]])
        for key in sorted((k for k in keys_old if k in new), key=to_s):
            out += self.diff(old[key], new[key], [*at, key])
        for key in sorted((k for k in keys_new if k not in old), key=to_s):
            out.append(["+", self.path([*at, key]), new[key]])
        return out

    def _arrays(self, old: list[Any], new: list[Any], at: list[Any]) -> list[Any]:
        matcher = difflib.SequenceMatcher(
            a=[_key(v) for v in old], b=[_key(v) for v in new], autojunk=False
        )
        removed: list[Any] = []
        added: list[Any] = []
        changed: list[Any] = []
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                continue
            pairs = min(i2 - i1, j2 - j1) if tag == "replace" else 0
            for offset in range(pairs):
                changed += self.diff(old[i1 + offset], new[j1 + offset], [*at, j1 + offset])
            removed += [["-", self.path([*at, i]), old[i]] for i in range(i1 + pairs, i2)]
            added += [["+", self.path([*at, j]), new[j]] for j in range(j1 + pairs, j2)]
        return list(reversed(removed)) + changed + added

    def same(self, a: object, b: object) -> bool:
        numbers = (int, float)
        if isinstance(a, numbers) and isinstance(b, numbers) and not isinstance(a, bool) \
                and not isinstance(b, bool):
            if self.tolerance is not None:
                return abs(a - b) <= self.tolerance
            return a == b and (not self.strict or type(a) is type(b))
        if isinstance(a, str) and isinstance(b, str):
            if self.strip:
                a, b = a.strip(), b.strip()
            if self.case_insensitive:
                a, b = a.lower(), b.lower()
        return a == b and type(a) is type(b) if self.strict else a == b


def _key(value: object) -> str:
    return repr(value)
