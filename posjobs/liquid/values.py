"""Turning Liquid values into what a job may store and what a log entry prints."""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from liquid import Undefined

from posjobs.liquid.ruby import JsonArray, output, to_json


class UnstorableValue(TypeError):
    """A value that cannot survive serialisation into a job's arguments."""

    def __init__(self, where: str, value: object) -> None:
        from posjobs.liquid.filters.support import type_name

        # The platform's (Ruby's) name, not Python's.
        kind = "Range" if isinstance(value, range) else type_name(value)
        super().__init__(
            f"{where} is of type {kind}, which a background job cannot store; pass strings, "
            "numbers, booleans, nil, arrays or hashes (convert it with a filter first)"
        )


def to_storable(value: object, where: str) -> Any:
    """A JSON-safe copy of `value`, or `UnstorableValue` naming `where` it came from."""
    if value is None or isinstance(value, Undefined):
        return None
    if isinstance(value, (bool, str)):
        return str(value) if isinstance(value, str) and type(value) is not str else value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise UnstorableValue(where, value)
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (datetime, date)):
        # Stored as the platform serialises a time: ISO 8601 text. `to_time` reads it back.
        json_text = getattr(value, "json", None)
        return json_text() if callable(json_text) else value.isoformat()
    if isinstance(value, dict):  # drops (forloop...) are Mappings too, but not data
        out = {}
        for key, item in value.items():
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                raise UnstorableValue(f"{where} (a key)", key)
            out[str(key)] = to_storable(item, f"{where}.{key}")
        return out
    if isinstance(value, (list, tuple)):
        return [to_storable(item, f"{where}[{i}]") for i, item in enumerate(value)]
    raise UnstorableValue(where, value)


def log_message(value: object) -> str:
    """How `{% log %}` prints a value: strings as they are, everything else as JSON."""
    if isinstance(value, str):
        return str(value)
    return to_json(value)


def output_string(value: object, autoescape: bool = False) -> str:
    """How `{{ }}` and `echo` print a value on the platform (ruby.output: Ruby's `to_s`,
    arrays joined, hashes and the platform's own arrays as JSON)."""
    from liquid import escape

    if autoescape and hasattr(value, "__html__"):
        return str(value)
    if autoescape and isinstance(value, (list, tuple)) and not isinstance(value, JsonArray):
        return "".join(output_string(item, autoescape) for item in value)
    text = output(value)
    return str(escape(text)) if autoescape else text
