"""Time filters: parsing, shifting, comparing and formatting times, against the run's clock."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from liquid import RenderContext
from liquid.filter import liquid_filter, with_context

from posjobs.liquid.filters import translations
from posjobs.liquid.filters.support import (
    as_int,
    fail,
    is_nil,
    now_of,
    to_number,
    to_s,
)
from posjobs.liquid.filters.timevalues import (
    _UNITS,
    PosTime,
    liquid_time,
    parse_time,
    parse_with_format,
    pos_time,
    ruby_strftime,
    shift,
    to_time,
    zone,
)

# The formats `l` uses when the project's translations define none (`time.formats.<name>`).
_NO_FORMAT: Any = object()  # `date` given no format at all (an error, as in Ruby Liquid)

DEFAULT_TIME_FORMATS = {
    "long": "%a, %b %-d, %Y at %H:%M",
    "default": "%a, %d %b %Y %H:%M:%S %z",
    "short": "%d %b %H:%M",
}


def _now_time(context: RenderContext, when: object, name: str, tz: Any) -> float:
    """The "now" an operation runs from: the run's clock, or the `now` argument if given."""
    now = now_of(context)
    if is_nil(when) or when == "":
        return now
    moment = to_time(name, when, now, tz)
    return moment.timestamp() if moment else now


@with_context
@liquid_filter
def to_time_filter(value: object, tz: object = None, fmt: object = None, now: object = None,
                   *, context: RenderContext) -> PosTime | None:
    """A time from a string ('2026-01-31 08:00', 'in 3 days', '1 day ago'...), a number of
    seconds since the epoch, or a time; in zone `tz`, read with `fmt`, relative to `now`."""
    zone_ = zone("to_time", tz)
    if not is_nil(fmt) and fmt != "" and isinstance(value, str):
        return parse_with_format("to_time", value, to_s(fmt), zone_)
    return to_time("to_time", value, _now_time(context, now, "to_time", zone_), zone_)


def _units(name: str, amount: object, unit: object) -> tuple[int, str]:
    number = to_number(amount)
    if number is None:
        fail(name, f"the number of units must be a number, got {to_s(amount)!r}")
    key = _UNITS.get(to_s(unit).strip().lower() or "d")
    if key is None or key == "fortnights":
        fail(name, f"unknown time unit {to_s(unit)!r} (use y, mo, w, d, h, m or s)")
    return math.trunc(number), key


@with_context
@liquid_filter
def add_to_time(value: object, amount: object = 1, unit: object = "d",
                *, context: RenderContext) -> PosTime | None:
    """The time plus `amount` units (y, mo, w, d, h, m, s)."""
    moment = to_time("add_to_time", value, now_of(context))
    if moment is None:
        return None
    count, key = _units("add_to_time", amount, unit)
    return pos_time(shift(moment, count, key))


@with_context
@liquid_filter
def date_add(value: object, amount: object = 1, unit: object = "d",
             *, context: RenderContext) -> date | None:
    """The date plus `amount` units; a date, printed as 2026-01-31."""
    moment = to_time("date_add", value, now_of(context))
    if moment is None:
        return None
    count, key = _units("date_add", amount, unit)
    return shift(moment, count, key).date()


@with_context
@liquid_filter
def to_date(value: object, *, context: RenderContext) -> date | None:
    moment = to_time("to_date", value, now_of(context))
    return None if moment is None else moment.date()


_DIFF_UNITS = {"d": 86400.0, "days": 86400.0, "h": 3600.0, "hours": 3600.0, "m": 60.0,
               "minutes": 60.0, "s": 1.0, "seconds": 1.0, "ms": 0.001, "milliseconds": 0.001}


@with_context
@liquid_filter
def time_diff(start: object, finish: object, unit: object = "ms", precision: object = 3,
              *, context: RenderContext) -> float | int | None:
    """The duration from `start` to `finish` in `unit` (d, h, m, s, ms), rounded."""
    now = now_of(context)
    first, last = to_time("time_diff", start, now), to_time("time_diff", finish, now)
    if first is None or last is None:
        return None
    seconds = _DIFF_UNITS.get(to_s(unit).strip().lower(), 0.001)
    digits = as_int("time_diff", precision, "precision")
    result = round((last - first).total_seconds() / seconds, digits)
    return int(result) if digits <= 0 else result


@with_context
@liquid_filter
def is_date_before(first: object, second: object, *, context: RenderContext) -> bool:
    """Whether the first time is earlier than the second."""
    now = now_of(context)
    a, b = to_time("is_date_before", first, now), to_time("is_date_before", second, now)
    return a is not None and b is not None and a < b


@with_context
@liquid_filter
def is_date_in_past(value: object, *, context: RenderContext) -> bool:
    now = now_of(context)
    moment = to_time("is_date_in_past", value, now)
    return moment is not None and moment.timestamp() < now


@with_context
@liquid_filter
def is_parsable_date(value: object, *, context: RenderContext) -> bool:
    return parse_time(value, now_of(context)) is not None


@with_context
@liquid_filter
def strftime(value: object, fmt: object, tz: object = None, now: object = None,
             *, context: RenderContext) -> str | None:
    """The time formatted with a Ruby strftime format, in zone `tz` (UTC by default)."""
    zone_ = zone("strftime", tz)
    moment = to_time("strftime", value, _now_time(context, now, "strftime", zone_), zone_)
    if moment is None:
        return None
    return ruby_strftime(moment, to_s(fmt))


@with_context
@liquid_filter
def localize(value: object, fmt: object = "long", tz: object = None,
             *, context: RenderContext) -> str | None:
    """The time in a named format from the translations (`time.formats.<name>`)."""
    if isinstance(value, float) and not value.is_integer():
        fail("l", "a number is read as whole seconds since the epoch; got a fraction")
    zone_ = zone("l", tz)
    moment = to_time("l", value, now_of(context), zone_)
    if moment is None:
        return None
    name = to_s(fmt) or "long"
    locale = translations.current_locale(context)
    pattern = name if "%" in name else translations.lookup(context, locale, f"time.formats.{name}")
    if not isinstance(pattern, str):
        pattern = DEFAULT_TIME_FORMATS.get(name)
    if pattern is None:
        fail("l", f"no time format {name!r} (define time.formats.{name} in the translations)")
    return ruby_strftime(moment, pattern, translations.date_names(context, locale))


@with_context
def date_filter(value: object, fmt: object = _NO_FORMAT, *, context: RenderContext,
                format: object = _NO_FORMAT) -> object:
    """Liquid's `date` (Ruby's `Time.parse` and `strftime`, 'now' from the run's clock): a
    date without a time is midnight, an explicit offset is kept, what cannot be read is
    returned unchanged. `date: format: 'name'` uses a named format, as `l` does."""
    if format is not _NO_FORMAT:
        return localize(value, format, context=context) if not is_nil(value) else None
    if fmt is _NO_FORMAT:  # Ruby Liquid's date takes exactly one argument
        fail("date", "expects 1 argument (a format), got 0")
    if to_s(fmt) == "":
        return value
    moment = liquid_time(value, now_of(context))
    if moment is None:
        return value
    return ruby_strftime(moment, to_s(fmt))
