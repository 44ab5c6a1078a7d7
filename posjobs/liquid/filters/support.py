"""What the platform's filters share: nil, coercions, binary strings, errors, time, randomness."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, NoReturn

from liquid import Markup, RenderContext, Undefined
from liquid.exceptions import FilterArgumentError

from posjobs.liquid import ruby
from posjobs.liquid.context import run_of

FilterT = Callable[..., Any]


class PlatformFilterError(FilterArgumentError):
    """A platform filter given a value it cannot work with (located at the filter)."""


class NotAvailableLocally(FilterArgumentError):
    """A platform filter that needs a service posjobs does not have."""


# What one filter call may take or make: the loop limit's items, the output limit's
# characters (posjobs.liquid.dialect.Limits).
MAX_ITEMS = 1_000_000
MAX_CHARS = 20_000_000


def check_size(name: str, size: int, what: str = "characters") -> None:
    """Fail before making something past the limit (`pad_left: 1500000000`)."""
    limit = MAX_CHARS if what == "characters" else MAX_ITEMS
    if size > limit:
        fail(name, f"would make {size:,} {what}, over the limit of {limit:,}")


def fail(name: str, message: str) -> NoReturn:
    raise PlatformFilterError(f"{name}: {message}", token=None)


def not_available(name: str, reason: str) -> FilterT:
    """A filter that always raises a clear "not available locally" error."""

    def unavailable(_value: object = None, *_args: object, **_kwargs: object) -> NoReturn:
        raise NotAvailableLocally(f"{name} is not available locally: {reason}", token=None)

    unavailable.__name__ = name
    unavailable.__doc__ = f"Not available locally: {reason}"
    return unavailable


class BinaryString(str):
    """Raw bytes (a digest, gzip data...) carried as a latin-1 string, like Ruby's ASCII-8BIT."""

    @classmethod
    def of(cls, data: bytes) -> BinaryString:
        return cls(data.decode("latin-1"))

    def to_bytes(self) -> bytes:
        return self.encode("latin-1")


def to_bytes(value: str) -> bytes:
    return value.to_bytes() if isinstance(value, BinaryString) else value.encode("utf-8")


def text_or_binary(data: bytes) -> str:
    """UTF-8 text when the bytes are valid UTF-8, otherwise a `BinaryString`."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return BinaryString.of(data)


# --- values ---------------------------------------------------------------------------------
def is_nil(value: object) -> bool:
    return value is None or isinstance(value, Undefined)


def is_blank(value: object) -> bool:
    """Ruby's `blank?`: nil, false, whitespace-only strings and empty collections."""
    if is_nil(value) or value is False:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (Mapping, list, tuple)):
        return len(value) == 0
    return False


def to_s(value: object) -> str:
    """A value as Ruby's `to_s` prints it in Liquid (nil is empty, booleans lowercase)."""
    return ruby.to_s(value)


def as_text(name: str, value: object) -> str:
    """The input of a string filter: nil is empty, numbers and booleans are stringified."""
    if isinstance(value, str):
        return value
    if is_nil(value) or isinstance(value, (int, float, Decimal)):
        return to_s(value)
    fail(name, f"expected a string, got {type_name(value)}")


def as_hash(name: str, value: object, *, nil_ok: bool = True) -> dict[Any, Any]:
    if is_nil(value):
        if nil_ok:
            return {}
        fail(name, "expected a hash, got nil")
    if isinstance(value, dict):
        return value
    if isinstance(value, Mapping):
        return dict(value)
    fail(name, f"expected a hash, got {type_name(value)}")


def as_list(name: str, value: object, *, wrap: bool = False) -> list[Any]:
    """An array input; nil is empty, and with `wrap` any other single value is wrapped."""
    if is_nil(value):
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, (tuple, range)):
        return list(value)
    if wrap:
        return [value]
    fail(name, f"expected an array, got {type_name(value)}")


def as_int(name: str, value: object, what: str) -> int:
    """A whole-number argument; numeric strings are accepted, anything else is an error."""
    if isinstance(value, bool):
        fail(name, f"{what} must be a whole number, got {to_s(value)}")
    if isinstance(value, int):
        return value
    if isinstance(value, (float, Decimal)) and value == int(value):
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    fail(name, f"{what} must be a whole number, got {describe(value)}")


def to_number(value: object) -> int | float | Decimal | None:
    """A number, or a string holding one; None when it is not numeric."""
    if isinstance(value, bool) or is_nil(value):
        return None
    if isinstance(value, (int, float, Decimal)):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            pass
        try:
            return float(text)
        except ValueError:
            return None
    return None


def to_decimal(value: object) -> Decimal | None:
    number = to_number(value)
    if number is None:
        return None
    try:
        return Decimal(str(number)) if isinstance(number, float) else Decimal(number)
    except InvalidOperation:
        return None


def options_of(name: str, positional: object, kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """Options given as a hash argument and/or as named arguments (named ones win)."""
    options = dict(as_hash(name, positional)) if not is_nil(positional) else {}
    options.update(kwargs)
    return options


def type_name(value: object) -> str:
    """The platform's (Ruby's) name for a value's type, as `type_of` answers it."""
    from datetime import date, datetime

    if is_nil(value):
        return "NilClass"
    if value is True:
        return "TrueClass"
    if value is False:
        return "FalseClass"
    if isinstance(value, BinaryString):
        return "String"
    if isinstance(value, str):
        return "String"
    if isinstance(value, int):
        return "Integer"
    if isinstance(value, float):
        return "Float"
    if isinstance(value, Decimal):
        return "BigDecimal"
    if isinstance(value, datetime):
        return "ActiveSupport::TimeWithZone"
    if isinstance(value, date):
        return "Date"
    if isinstance(value, Mapping):
        return "Hash"
    if isinstance(value, (list, tuple, range)):
        return "Array"
    return type(value).__name__


def describe(value: object) -> str:
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return repr(shown)
    if is_nil(value):
        return "nil"
    return type_name(value)


# --- the render: time, randomness, escaping --------------------------------------------------
def now_of(context: RenderContext) -> float:
    """The run's clock: seconds since the epoch, UTC."""
    return run_of(context).clock.now()


def rng_of(context: RenderContext) -> random.Random:
    """The run's random source (seeded in tests); a fresh one if the run has none."""
    rng = getattr(run_of(context), "rng", None)
    return rng if isinstance(rng, random.Random) else random.Random()


def safe_html(context: RenderContext, html: str) -> str:
    """HTML the template must not escape again (only matters when autoescape is on)."""
    return Markup(html) if context.env.autoescape else str(html)
