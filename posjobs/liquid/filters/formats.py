"""Number and money filters: sprintf, number formatting, prices, currency units, types."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import (
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_DOWN,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    ROUND_UP,
    Decimal,
)
from typing import Any, NamedTuple

from liquid.filter import liquid_filter

from posjobs.liquid.filters.support import (
    as_int,
    fail,
    is_nil,
    options_of,
    to_decimal,
    to_number,
    to_s,
    type_name,
)


class Currency(NamedTuple):
    symbol: str
    decimals: int
    symbol_first: bool
    thousands: str
    decimal_mark: str


# As the Money gem (which the platform uses) formats them; others fall back to `CODE` after the
# amount with two decimals.
CURRENCIES = {
    "USD": Currency("$", 2, True, ",", "."), "CAD": Currency("$", 2, True, ",", "."),
    "AUD": Currency("$", 2, True, ",", "."), "NZD": Currency("$", 2, True, ",", "."),
    "SGD": Currency("$", 2, True, ",", "."), "HKD": Currency("$", 2, True, ",", "."),
    "MXN": Currency("$", 2, True, ",", "."), "EUR": Currency("€", 2, True, ".", ","),
    "GBP": Currency("£", 2, True, ",", "."), "PLN": Currency("zł", 2, False, " ", ","),
    "JPY": Currency("¥", 0, True, ",", "."), "CNY": Currency("¥", 2, True, ",", "."),
    "KRW": Currency("₩", 0, True, ",", "."), "INR": Currency("₹", 2, True, ",", "."),
    "CHF": Currency("CHF", 2, True, ",", "."), "SEK": Currency("kr", 2, False, " ", ","),
    "NOK": Currency("kr", 2, False, ".", ","), "DKK": Currency("kr.", 2, False, ".", ","),
    "CZK": Currency("Kč", 2, False, " ", ","), "HUF": Currency("Ft", 2, False, " ", ","),
    "BRL": Currency("R$", 2, True, ".", ","), "ZAR": Currency("R", 2, True, ",", "."),
    "TRY": Currency("₺", 2, True, ".", ","), "UAH": Currency("₴", 2, False, " ", ","),
}


def currency(name: str, code: object) -> tuple[str, Currency]:
    text = to_s(code).strip().upper() or "USD"
    if not re.fullmatch(r"[A-Z]{3}", text):
        fail(name, f"unknown currency {to_s(code)!r}")
    return text, CURRENCIES.get(text, Currency(text, 2, False, ",", "."))


def _amount(name: str, value: object) -> Decimal:
    number = Decimal(0) if is_nil(value) else to_decimal(value)
    if number is None:
        fail(name, f"expected an amount, got {to_s(value)!r}")
    return number


@liquid_filter
def amount_to_fractional(amount: object, code: object = "USD") -> int:
    """The amount in the currency's smallest unit: 10.50 USD -> 1050 (half rounds up)."""
    _code, cur = currency("amount_to_fractional", code)
    scaled = _amount("amount_to_fractional", amount) * (10 ** cur.decimals)
    return int(scaled.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@liquid_filter
def fractional_to_amount(amount: object, code: object = "USD") -> int | float:
    """The whole amount from the smallest unit: 1050 USD -> 10.5."""
    _code, cur = currency("fractional_to_amount", code)
    value = _amount("fractional_to_amount", amount)
    if value != value.to_integral_value():
        fail("fractional_to_amount", f"a fractional amount must be whole, got {to_s(amount)}")
    result = value / (10 ** cur.decimals)
    return int(result) if cur.decimals == 0 else float(result)


def _group(digits: str, separator: str) -> str:
    head = len(digits) % 3 or 3
    rest = [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return separator.join([digits[:head], *rest])


def _price(name: str, value: Decimal, code: object, options: object,
           named: dict[str, Any]) -> str:
    opts = options_of(name, options, named)
    iso, cur = currency(name, code)
    rounded = value.quantize(Decimal(1).scaleb(-cur.decimals), rounding=ROUND_HALF_UP)
    whole = rounded == rounded.to_integral_value()
    digits = f"{abs(rounded):.{cur.decimals}f}"
    units, _, cents = digits.partition(".")
    text = _group(units, cur.thousands)
    if cents and not (whole and opts.get("no_cents_if_whole", True) is not False):
        text += cur.decimal_mark + cents
    sign = "-" if rounded < 0 else ""
    if opts.get("symbol", True) is not False:
        if cur.symbol_first:
            before = opts.get("sign_before_symbol", True) is not False
            text = f"{sign}{cur.symbol}{text}" if before else f"{cur.symbol}{sign}{text}"
        else:
            text = f"{sign}{text} {cur.symbol}"
    else:
        text = sign + text
    if opts.get("with_currency") is True:
        text += f" {iso}"
    return text


@liquid_filter
def pricify(amount: object, code: object = "USD", options: object = None, **named: Any) -> str:
    """A price: 1000000 -> $1,000,000, 1.2 -> $1.20, 1 PLN -> 1 zł."""
    return _price("pricify", _amount("pricify", amount), code, options, named)


@liquid_filter
def pricify_cents(amount: object, code: object = "USD", options: object = None,
                  **named: Any) -> str:
    """A price from an amount in the smallest unit: 100 -> $1."""
    _iso, cur = currency("pricify_cents", code)
    value = _amount("pricify_cents", amount) / (10 ** cur.decimals)
    return _price("pricify_cents", value, code, options, named)


_ROUNDING = {"up": ROUND_UP, "down": ROUND_DOWN, "ceiling": ROUND_CEILING, "floor": ROUND_FLOOR,
             "half_up": ROUND_HALF_UP, "half_down": ROUND_HALF_DOWN,
             "half_even": ROUND_HALF_EVEN, "banker": ROUND_HALF_EVEN}


@liquid_filter
def format_number(number: object, options: object = None, **named: Any) -> str:
    """The number with a precision (default 3), separator and thousands delimiter."""
    opts = options_of("format_number", options, named)
    if isinstance(number, datetime):
        number = int(number.timestamp())
    value = to_decimal(number) or Decimal(0)
    precision = as_int("format_number", opts.get("precision", 3), "precision")
    mode = to_s(opts.get("round_mode", "half_up"))
    if mode != "none" and mode not in _ROUNDING:
        fail("format_number", f"unknown round_mode {mode!r}")
    places = precision
    if opts.get("significant") is True and value != 0:
        places = precision - (value.adjusted() + 1)
    if mode != "none":
        value = value.quantize(Decimal(1).scaleb(-places), rounding=_ROUNDING[mode])
    text = f"{abs(value):.{max(places, 0)}f}" if mode != "none" else f"{abs(value):f}"
    units, _, fraction = text.partition(".")
    if opts.get("strip_insignificant_zeros") is True:
        fraction = fraction.rstrip("0")
    result = _group(units, to_s(opts.get("delimiter", "")))
    if fraction:
        result += to_s(opts.get("separator", ".")) + fraction
    return ("-" if value < 0 else "") + result


_SPEC = re.compile(r"%([-+ 0#]*)(\d+)?(?:\.(\d+))?([bBdiouxXeEfgGaAcs%])")


@liquid_filter
def advanced_format(value: object, fmt: object) -> str:
    """Ruby's sprintf with one value: `%.2f`, `%05d`, `%s`, `%x`, `%b`..."""
    pattern = to_s(fmt)
    used = [m for m in _SPEC.finditer(pattern) if m.group(4) != "%"]
    if len(used) > 1:
        fail("advanced_format", "too few arguments: the format wants more than one value")

    def one(match: re.Match[str]) -> str:
        flags, width, precision, kind = match.groups()
        if kind == "%":
            return "%"
        arg = _sprintf_arg(value, kind)
        if kind in "bB":
            digits = format(abs(int(arg)), "b")
            if precision:
                digits = digits.rjust(int(precision), "0")
            text = ("-" if int(arg) < 0 else "+" if "+" in flags else "") + digits
            size = int(width or 0)
            if "-" in flags:
                return text.ljust(size)
            return text.rjust(size, "0" if "0" in flags else " ")
        spec = "%" + flags + (width or "") + (f".{precision}" if precision else "")
        return (spec + ("d" if kind in "iu" else kind)) % arg

    return _SPEC.sub(one, pattern)


def _sprintf_arg(value: object, kind: str) -> Any:
    if kind == "s":
        return to_s(value)
    if kind == "c" and isinstance(value, str):
        return value[:1]
    if isinstance(value, datetime):
        value = value.timestamp()
    number = to_number(value)
    if number is None:
        fail("advanced_format", f"{to_s(value)!r} is not a number (for %{kind})")
    if kind in "diouxXbBc":
        return int(number)
    return float(number)


@liquid_filter
def to_positive_integer(value: object, default: object) -> int:
    """The value as a whole number above 0, or `default`."""
    fallback = as_int("to_positive_integer", default, "default")
    number = to_number(value)
    if number is None or number != int(number) or int(number) <= 0:
        return fallback
    return int(number)


@liquid_filter
def type_of(value: object) -> str:
    """The Ruby class name of the value: String, Integer, Float, Hash, Array, NilClass..."""
    return type_name(value)


_EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+$")


@liquid_filter
def is_email_valid(value: object) -> bool:
    return isinstance(value, str) and _EMAIL.match(value.strip()) is not None
