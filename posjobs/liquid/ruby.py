"""Values turned into text as Ruby (and so the platform) does it: `to_s`, `inspect`, output.

python-liquid prints Python's way (`None`, `True`, `1e-05`, `('k', 1)`); the platform runs
Ruby, where nil is empty, booleans are lowercase, floats print as `1.0e-05` and `3.0`, and
`{{ }}` joins an array's items. Every place a value becomes text goes through here; the
conformance suite (tests/conformance, recorded with Ruby Liquid) pins each rule.

One platform rule is not Ruby's: hashes print as JSON, and so do the arrays the platform
itself makes (`JsonArray`: array literals and the results of its own array filters), as
its reference shows; docs/compat.md gives the evidence.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from liquid import Undefined


class JsonArray(list):  # type: ignore[type-arg]
    """An array the platform made (a `[...]` literal, a platformOS array filter's result):
    `{{ }}` prints it as JSON, as the platform's reference shows, where Ruby Liquid's own
    arrays print their items joined."""


def float_to_s(value: float) -> str:
    """Ruby's `Float#to_s`: `3.0`, `0.1`, `1.0e-05`, `1.0e+16`, `Infinity`, `NaN`."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    # The shortest digits that read back as the same float (Python's repr and Ruby agree on
    # them), laid out by Ruby's rule: an exponent below 1e-4, from 1e16, and at 1e15 when
    # the digits have no fractional part (`1.0e+15`, but `1234567890123456.8`).
    exact = Decimal(repr(abs(value))).normalize().as_tuple()
    digits = "".join(str(d) for d in exact.digits)
    point = len(digits) + int(exact.exponent)
    sign = "-" if value < 0 else ""
    if point < -3 or point > 16 or (point == 16 and len(digits) <= 16):
        power = point - 1
        return (f"{sign}{digits[0]}.{digits[1:] or '0'}e{'-' if power < 0 else '+'}"
                f"{abs(power):02d}")
    if point <= 0:
        return f"{sign}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return f"{sign}{digits}{'0' * (point - len(digits))}.0"
    return f"{sign}{digits[:point]}.{digits[point:]}"


def to_s(value: object) -> str:
    """A value as text where Liquid turns it into a string (`append`, `join`, `{{ }}`):
    Ruby's `to_s`, except that a hash is JSON (the platform's rule)."""
    if isinstance(value, str):
        return value
    if value is None or isinstance(value, Undefined):
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float):
        return float_to_s(value)
    if isinstance(value, Decimal):
        return format(value, "f")  # ActiveSupport prints BigDecimal plainly
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Mapping):
        return to_json(value)
    if isinstance(value, (list, tuple)):
        return inspect(value)
    if isinstance(value, range):
        return f"{value.start}..{value.stop - 1}"
    return str(value)


def inspect(value: object) -> str:
    """Ruby's `inspect` (what `to_s` of an array gives): `[1, nil, "a", {"k"=>true}]`."""
    if value is None or isinstance(value, Undefined):
        return "nil"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return _string_inspect(value)
    if isinstance(value, float):
        return float_to_s(value)
    if isinstance(value, (int, Decimal)):
        return to_s(value)
    if isinstance(value, Mapping):
        pairs = ", ".join(f"{inspect(k)}=>{inspect(v)}" for k, v in value.items())
        return "{" + pairs + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(inspect(item) for item in value) + "]"
    return to_s(value)


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\x1b": "\\e"}


def _string_inspect(text: str) -> str:
    out = []
    for i, char in enumerate(text):
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif char == "#" and text[i + 1 : i + 2] in ("{", "$", "@"):
            out.append("\\#")
        elif ord(char) < 32:
            out.append(f"\\x{ord(char):02X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def output(value: object) -> str:
    """What `{{ value }}` prints: Ruby Liquid's `Array#join` (nested arrays flattened, each
    item's `to_s`) or `to_s`; a hash or a `JsonArray` as JSON, as the platform does."""
    if isinstance(value, JsonArray):
        return to_json(value)
    if isinstance(value, (list, tuple)):
        return "".join(output(item) for item in value)
    return to_s(value)


def to_json(value: object) -> str:
    """Compact JSON as the platform writes it (`{"a":1,"b":null}`)."""
    try:
        return json.dumps(_plain(value), ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError):
        return str(value)


def _plain(value: object) -> Any:
    if value is None or isinstance(value, Undefined):
        return None
    if isinstance(value, Mapping):
        return {to_s(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, range)):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (str, int, float, bool)):
        return value
    json_text = getattr(value, "json", None)  # times: the platform's ISO 8601 text
    return json_text() if callable(json_text) else str(value)
