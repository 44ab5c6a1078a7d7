"""Ruby Liquid's math filters (Liquid 5.4, what the platform runs), where python-liquid's differ.

Numbers go through Liquid's `Utils.to_number`: a float becomes the BigDecimal of its printed
form, so `2.675 | round: 2` is 2.68 and `0.1 | plus: 0.2` is 0.3; a string holding `-1.5`
is a BigDecimal, any other string its leading integer, anything else 0. Pinned by the
conformance suite (tests/conformance, recorded with Ruby Liquid).
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, DivisionByZero
from decimal import InvalidOperation as DecimalInvalid

from liquid.exceptions import FilterArgumentError

from posjobs.liquid.filters.support import FilterT, fail, is_nil
from posjobs.liquid.ruby import to_s

Number = int | Decimal


_DECIMAL_TEXT = re.compile(r"-?\d+\.\d+")


def to_number(value: object) -> Number:
    """Liquid's `Utils.to_number`: a float is the BigDecimal of its printed form, a string
    holding `-1.5` a BigDecimal, any other string its leading integer, anything else 0."""
    if isinstance(value, bool) or is_nil(value):
        return 0
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            fail("number", f"{to_s(value)} is not a number Liquid can compute with")
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        return value
    if isinstance(value, str):
        text = value.strip()
        if _DECIMAL_TEXT.fullmatch(text):
            return Decimal(text)
        match = re.match(r"[+-]?\d+", text.replace("_", ""))
        return int(match.group()) if match else 0
    return 0


def _result(value: Number) -> int | float:
    """Liquid hands a BigDecimal result back as a float."""
    return float(value) if isinstance(value, Decimal) else value


def plus(value: object, operand: object) -> int | float:
    return _result(to_number(value) + to_number(operand))


def minus(value: object, operand: object) -> int | float:
    return _result(to_number(value) - to_number(operand))


def times(value: object, operand: object) -> int | float:
    return _result(to_number(value) * to_number(operand))


def divided_by(value: object, operand: object) -> int | float:
    """Integers divide to the floor (`-7 | divided_by: 2` is -4), as in Ruby."""
    left, right = to_number(value), to_number(operand)
    if isinstance(left, int) and isinstance(right, int):
        if right == 0:
            raise FilterArgumentError("divided_by: can't divide by 0", token=None)
        return left // right
    try:
        return _result(Decimal(left) / Decimal(right))
    except DivisionByZero:
        return math.copysign(math.inf, left) if left else math.nan
    except DecimalInvalid:
        return math.nan


def modulo(value: object, operand: object) -> int | float:
    """The remainder with the divisor's sign (Ruby's `%`): `-7 | modulo: 3` is 2."""
    left, right = to_number(value), to_number(operand)
    if right == 0:
        raise FilterArgumentError("modulo: can't divide by 0", token=None)
    if isinstance(left, int) and isinstance(right, int):
        return left % right
    left, right = Decimal(left), Decimal(right)
    return _result(left - right * (left / right).to_integral_value(ROUND_FLOOR))


def round_(value: object, digits: object = 0) -> int | float:
    """Half away from zero on the number as printed (`2.5` is 3, `2.675 | round: 2` 2.68)."""
    number, places = to_number(value), to_number(digits)
    if not isinstance(places, int):
        places = int(places)
    if isinstance(number, int):
        if places >= 0:
            return number
        step = 10 ** -places
        half = Decimal(number) / step
        return int(half.quantize(Decimal(1), ROUND_HALF_UP)) * step
    try:
        rounded = number.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    except DecimalInvalid:  # more digits asked for than the number has: Ruby returns it
        return float(number)
    if places <= 0 or digits == 0:
        return int(rounded)
    return float(rounded)


def ceil(value: object) -> int:
    number = to_number(value)
    return int(Decimal(number).to_integral_value(ROUND_CEILING))


def floor(value: object) -> int:
    number = to_number(value)
    return int(Decimal(number).to_integral_value(ROUND_FLOOR))


def abs_(value: object) -> int | float:
    number = to_number(value)
    return _result(-number if number < 0 else number)


def at_least(value: object, least: object) -> int | float:
    return _result(max(to_number(value), to_number(least)))


def at_most(value: object, most: object) -> int | float:
    return _result(min(to_number(value), to_number(most)))


def filters() -> dict[str, FilterT]:
    return {"plus": plus, "minus": minus, "times": times, "divided_by": divided_by,
            "modulo": modulo, "round": round_, "ceil": ceil, "floor": floor, "abs": abs_,
            "at_least": at_least, "at_most": at_most}
