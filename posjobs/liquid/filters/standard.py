"""Ruby Liquid's standard filters where python-liquid computes or prints differently.

Each follows Liquid 5.4's StandardFilters (what the platform runs) and is pinned by the
conformance suite (tests/conformance, recorded with Ruby Liquid): text goes through Ruby's
`to_s` (nil is empty, booleans lowercase), arrays through Liquid's `InputIterator` (nil is
an empty array, nested arrays are flattened); the math filters are in numbers.py.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from typing import Any

from liquid import Undefined
from liquid.builtin.filters import string as _string
from liquid.exceptions import FilterArgumentError

from posjobs.liquid.filters import numbers
from posjobs.liquid.filters.numbers import to_number
from posjobs.liquid.filters.support import FilterT, fail, is_nil, type_name
from posjobs.liquid.ruby import to_s


# --- text ---------------------------------------------------------------------------------------
def _ruby_text(func: FilterT, *, arguments: bool) -> FilterT:
    """python-liquid's string filter `func`, given its input (and, with `arguments`, its
    text arguments) as Ruby's `to_s` prints them, not as Python's `str` does."""

    @functools.wraps(func)
    def call(value: object, *args: Any, **kwargs: Any) -> Any:
        if arguments:
            args = tuple(to_s(arg) for arg in args)
        return func(to_s(value), *args, **kwargs)

    return call


def join(value: object, separator: object = " ") -> str:
    """The items' `to_s` between `separator`s; nil is an empty array."""
    return to_s(separator).join(to_s(item) for item in _iterate(value))


def size(value: object) -> int:
    """The length of a string, array or hash; Ruby's `size` of a number (an Integer's is
    its 8 bytes); 0 for anything else."""
    if isinstance(value, (str, list, tuple, Mapping)) and not isinstance(value, Undefined):
        return len(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return 8
    return 0


def slice_(value: object, start: object, length: object = 1) -> object:
    """Ruby's slice of a string or array; nil and other values as their text."""
    if isinstance(value, (list, tuple)):
        return _string.slice_(list(value), start, length)
    return _string.slice_(to_s(value), start, length)


def escape(value: object) -> str | None:
    """CGI.escapeHTML: `&`, `<`, `>`, `"` and `'` (as `&#39;`)."""
    if is_nil(value):
        return None
    return _escape(to_s(value))


def _escape(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#39;"))


_ESCAPE_ONCE = re.compile(r"[\"><']|&(?!([a-zA-Z]+|(#\d+));)")


def escape_once(value: object) -> str:
    """Escapes what is not already an entity."""
    return _ESCAPE_ONCE.sub(lambda m: _escape(m.group()), to_s(value))


def truncatewords(value: object, words: object = 15, ellipsis: object = "...") -> str | None:
    """The first `words` words (at least one) and `ellipsis`; the text unchanged when it has
    no more words than that."""
    if is_nil(value):
        return None
    text, count = to_s(value), max(int(to_number(words)), 1)
    parts = _awk_split(text, count + 1)
    if len(parts) <= count:
        return text
    return " ".join(parts[:count]) + to_s(ellipsis)


_SPACE = " \t\n\v\f\r"


def _awk_split(text: str, limit: int) -> list[str]:
    """Ruby's `text.split(" ", limit)`: words, the last field the rest of the text, and an
    empty last field when whitespace ends the text before the limit is reached."""
    parts: list[str] = []
    pos, end = 0, len(text)
    while pos < end and text[pos] in _SPACE:
        pos += 1
    while pos < end:
        if len(parts) == limit - 1:
            parts.append(text[pos:])
            return parts
        stop = pos
        while stop < end and text[stop] not in _SPACE:
            stop += 1
        parts.append(text[pos:stop])
        pos = stop
        while pos < end and text[pos] in _SPACE:
            pos += 1
        if pos == end and stop < end and len(parts) < limit:
            parts.append("")
    return parts


def replace(value: object, search: object, replacement: object = "") -> str:
    """Every `search` replaced, the replacement read as Ruby's `gsub` reads it (`\\0` is the
    match)."""
    return _sub(value, search, replacement, 0)


def replace_first(value: object, search: object, replacement: object = "") -> str:
    return _sub(value, search, replacement, 1)


_BACKREFERENCE = re.compile(r"\\(\\|&|0|[1-9]|`|')")


def _sub(value: object, search: object, replacement: object, count: int) -> str:
    text, pattern, by = to_s(value), re.escape(to_s(search)), to_s(replacement)

    def expand(match: re.Match[str]) -> str:
        def one(ref: re.Match[str]) -> str:
            kind = ref.group(1)
            if kind == "\\":
                return "\\"
            if kind in ("&", "0"):
                return match.group()
            if kind == "`":
                return text[:match.start()]
            if kind == "'":
                return text[match.end():]
            return ""  # a group the plain-text pattern does not have

        return _BACKREFERENCE.sub(one, by)

    return re.sub(pattern, expand, text, count=count)


# --- arrays -------------------------------------------------------------------------------------
def _iterate(value: object) -> list[Any]:
    """Liquid's InputIterator: nil is empty, an array is flattened, a hash or a single value is
    a one-element array."""
    if is_nil(value):
        return []
    if isinstance(value, (list, tuple)):
        return _flatten(value)
    if isinstance(value, range):
        return list(value)
    return [value]


def _flatten(items: list[Any] | tuple[Any, ...]) -> list[Any]:
    out: list[Any] = []
    for item in items:
        if isinstance(item, (list, tuple)):
            out += _flatten(item)
        else:
            out.append(item)
    return out


def map_(value: object, key: object) -> list[Any]:
    """Each item's `key`: a hash's value, nil for an item that has none (nil, a string,
    a boolean); an error for a number, as in Ruby Liquid."""
    name = to_s(key)
    out: list[Any] = []
    for item in _iterate(value):
        if isinstance(item, Mapping):
            out.append(item.get(name))
        elif isinstance(item, str):  # Ruby's String#[]: the substring, if it is there
            out.append(name if name in item else None)
        elif isinstance(item, int) and not isinstance(item, bool):  # Integer#[] is bits
            fail("map", f"cannot select the property {name!r} of {type_name(item)}")
        else:
            out.append(None)
    return out


def first(value: object) -> object:
    """The first item of an array, the first character of a string (ActiveSupport)."""
    if isinstance(value, str):
        return value[:1]
    if isinstance(value, (list, tuple)):
        return value[0] if value else None
    if isinstance(value, Mapping) and value:
        return next(iter(value.items()))
    return None


def last(value: object) -> object:
    if isinstance(value, str):
        return value[-1:]
    if isinstance(value, (list, tuple)):
        return value[-1] if value else None
    return None


def reverse(value: object) -> list[Any]:
    return list(reversed(_iterate(value)))


def uniq(value: object, key: object = None) -> list[Any]:
    out: list[Any] = []
    seen: list[Any] = []
    for item in _iterate(value):
        marker = item.get(to_s(key)) if key is not None and isinstance(item, Mapping) else item
        if not any(_same(marker, s) for s in seen):
            seen.append(marker)
            out.append(item)
    return out


def _same(a: object, b: object) -> bool:
    return a == b and isinstance(a, bool) == isinstance(b, bool)


def sort(value: object, key: object = None) -> list[Any]:
    """Ascending; with `key`, items missing it last; values that cannot be compared (a
    number and a string) are an error, as in Ruby."""
    return _sorted("sort", _iterate(value), key, lambda v: v)


def sort_natural(value: object, key: object = None) -> list[Any]:
    """Case-insensitive ascending order."""
    return _sorted("sort_natural", _iterate(value), key,
                   lambda v: to_s(v).casefold() if not is_nil(v) else v)


def _sorted(name: str, items: list[Any], key: object, by: Callable[[Any], Any]) -> list[Any]:
    if key is None:
        present, missing = [v for v in items if not is_nil(v)], [v for v in items if is_nil(v)]
        getter: Callable[[Any], Any] = by
    else:
        field = to_s(key)

        def getter(item: Any) -> Any:
            return by(item.get(field)) if isinstance(item, Mapping) else None

        present = [v for v in items if getter(v) is not None]
        missing = [v for v in items if getter(v) is None]
    try:
        return sorted(present, key=lambda v: _comparable(getter(v))) + missing
    except TypeError:
        raise FilterArgumentError(f"{name}: cannot sort values of incompatible types",
                                  token=None) from None


def _comparable(value: Any) -> Any:
    if isinstance(value, bool):
        raise TypeError("booleans do not compare")
    return value


def concat(value: object, other: object) -> list[Any]:
    if not isinstance(other, (list, tuple)):
        fail("concat", f"expected an array, got {type_name(other)}")
    return [*_iterate(value), *_flatten(other)]


_TEXT_FILTERS = ("capitalize", "downcase", "upcase", "lstrip", "rstrip", "strip",
                 "newline_to_br", "strip_html", "strip_newlines", "truncate",
                 "url_encode", "url_decode", "base64_decode", "base64_url_safe_encode",
                 "base64_url_safe_decode")
_TEXT_WITH_ARGUMENTS = ("append", "prepend", "remove", "remove_first", "remove_last",
                        "replace_last")


def filters() -> dict[str, FilterT]:
    """Every standard filter posjobs replaces, by name."""
    out: dict[str, FilterT] = numbers.filters()
    for name in _TEXT_FILTERS:
        out[name] = _ruby_text(getattr(_string, name), arguments=False)
    for name in _TEXT_WITH_ARGUMENTS:
        out[name] = _ruby_text(getattr(_string, name), arguments=True)
    out.update({
        "truncatewords": truncatewords, "replace": replace, "replace_first": replace_first,
        "join": join, "size": size, "slice": slice_, "escape": escape,
        "escape_once": escape_once, "h": escape,
        "map": map_, "first": first, "last": last, "reverse": reverse, "uniq": uniq,
        "sort": sort, "sort_natural": sort_natural, "concat": concat,
    })
    return out
