"""Turning Liquid values into what a job may store and what a log entry prints."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from liquid import Undefined


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
    if isinstance(value, Undefined):
        return "null"
    try:
        return json.dumps(_plain(value), ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError):
        return str(value)


def _plain(value: object) -> Any:
    if isinstance(value, Undefined):
        return None
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, range)):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return float(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def output_string(value: object, autoescape: bool = False) -> str:
    """How `{{ }}` and `echo` print a value on the platform: a hash as JSON (python-liquid
    would print Python's repr), an array as its items joined, each item printed the same way.
    Everything else as standard Liquid prints it."""
    from liquid.stringify import to_liquid_string

    if isinstance(value, dict):
        return to_liquid_string(log_message(value), autoescape)
    if isinstance(value, list) and any(isinstance(item, (dict, list)) for item in value):
        return "".join(output_string(item, autoescape) for item in value)
    return to_liquid_string(value, autoescape)

