"""Times as the platform reads and prints them: parsing (natural language too), zones, strftime."""

from __future__ import annotations

import functools
import re
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from dateutil import parser as dateutil_parser
from dateutil.relativedelta import relativedelta

from posjobs.liquid.filters.support import fail, is_nil, to_s

UTC = timezone.utc


class PosTime(datetime):
    """A time that prints like the platform's (Ruby's): `2026-11-18 08:26:40 UTC`."""

    def __str__(self) -> str:
        offset = self.utcoffset()
        stamp = self.strftime("%Y-%m-%d %H:%M:%S")
        if offset == timedelta(0) and _zone_name(self) in ("UTC", "Etc/UTC", "UTC+00:00"):
            return f"{stamp} UTC"
        return f"{stamp} {ruby_strftime(self, '%z')}"

    def json(self) -> str:
        """ISO 8601 with milliseconds, as the platform's `json` writes a time."""
        millis = f"{self.microsecond // 1000:03d}"
        if self.utcoffset() == timedelta(0):
            return self.strftime("%Y-%m-%dT%H:%M:%S.") + millis + "Z"
        return self.strftime("%Y-%m-%dT%H:%M:%S.") + millis + ruby_strftime(self, "%:z")


def pos_time(moment: datetime) -> PosTime:
    return PosTime(moment.year, moment.month, moment.day, moment.hour, moment.minute,
                   moment.second, moment.microsecond, tzinfo=moment.tzinfo, fold=moment.fold)


def _zone_name(moment: datetime) -> str:
    tz = moment.tzinfo
    return str(getattr(tz, "key", None) or moment.tzname() or "")


# --- zones --------------------------------------------------------------------------------------
def zone(name: str, value: object) -> tzinfo:
    """A zone argument: nil or '' is UTC, a name (IANA, or a city such as 'Sydney'), or an
    offset in hours (in seconds when its magnitude is above 13)."""
    if is_nil(value) or value == "":
        return UTC
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        hours = float(value)
        seconds = hours if abs(hours) > 13 else hours * 3600
        return timezone(timedelta(seconds=int(seconds)))
    text = to_s(value).strip()
    if text.upper() in ("UTC", "GMT", "Z"):
        return UTC
    found = _find_zone(text)
    if found is None:
        fail(name, f"unknown time zone {text!r}")
    return found


@functools.lru_cache(maxsize=64)
def _find_zone(text: str) -> tzinfo | None:
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        pass
    city = text.replace(" ", "_").lower()
    for key in sorted(available_timezones()):
        if key.rsplit("/", 1)[-1].lower() == city:
            return ZoneInfo(key)
    return None


# --- parsing ------------------------------------------------------------------------------------
_UNITS = {
    "y": "years", "year": "years", "years": "years",
    "mo": "months", "month": "months", "months": "months",
    "w": "weeks", "week": "weeks", "weeks": "weeks", "fortnight": "fortnights",
    "fortnights": "fortnights",
    "d": "days", "day": "days", "days": "days",
    "h": "hours", "hour": "hours", "hours": "hours",
    "m": "minutes", "min": "minutes", "mins": "minutes", "minute": "minutes",
    "minutes": "minutes",
    "s": "seconds", "sec": "seconds", "secs": "seconds", "second": "seconds",
    "seconds": "seconds",
}
_AMOUNT = r"(?P<n>\d+(?:\.\d+)?|an?|one)"
_UNIT = r"(?P<unit>[a-z]+)"
_RELATIVE = [
    (re.compile(rf"^{_AMOUNT}\s+{_UNIT}\s+ago$"), -1),
    (re.compile(rf"^{_AMOUNT}\s+{_UNIT}\s+(?:from\s+now|later|hence)$"), 1),
    (re.compile(rf"^in\s+{_AMOUNT}\s+{_UNIT}$"), 1),
    (re.compile(rf"^(?P<n>next)\s+{_UNIT}$"), 1),
    (re.compile(rf"^(?P<n>last)\s+{_UNIT}$"), -1),
]


def shift(moment: datetime, amount: float, unit: str) -> datetime:
    """`moment` moved by `amount` units: calendar units keep the wall clock, others are exact."""
    if unit == "fortnights":
        unit, amount = "weeks", amount * 2
    if unit in ("years", "months"):
        return moment + relativedelta(**{unit: int(amount)})
    if unit in ("weeks", "days"):
        return moment + timedelta(**{unit: amount})
    utc = moment.astimezone(UTC) + timedelta(**{unit: amount})
    return utc.astimezone(moment.tzinfo)


def to_time(name: str, value: object, now: float, tz: tzinfo = UTC) -> PosTime | None:
    """A time from a time, a date, seconds since the epoch or a string; nil for nil or ''."""
    moment = parse_time(value, now, tz)
    if moment is None and not (is_nil(value) or value == ""):
        fail(name, f"cannot read {to_s(value)!r} as a time")
    return moment


def parse_time(value: object, now: float, tz: tzinfo = UTC) -> PosTime | None:
    """Like `to_time`, but None where the value is not a time."""
    if is_nil(value) or isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=tz)
        return pos_time(moment.astimezone(tz))
    if isinstance(value, date):
        return pos_time(datetime.combine(value, time(), tzinfo=tz))
    if isinstance(value, (int, float, Decimal)):
        try:
            return pos_time(datetime.fromtimestamp(int(value), tz=tz))
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str):
        return None
    return _parse_text(value.strip(), datetime.fromtimestamp(now, tz=tz), tz)


def liquid_time(value: object, now: float) -> PosTime | None:
    """A time as Ruby Liquid's `date` reads it (`Utils.to_date`, `Time.parse` in UTC): a
    time keeps its zone, digits are seconds since the epoch, 'now' and 'today' the run's
    clock, a date without a time of day is midnight, and an explicit offset is kept
    (`2016-03-14 10:20:30 +0200` stays at +0200)."""
    if isinstance(value, datetime):
        return pos_time(value if value.tzinfo else value.replace(tzinfo=UTC))
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, str):
        return parse_time(value, now)
    text = value.strip().lower()
    if text in ("now", "today"):
        return pos_time(datetime.fromtimestamp(now, tz=UTC))
    if not text:
        return None
    try:
        today = datetime.fromtimestamp(now, tz=UTC).replace(
            hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
        parsed = dateutil_parser.parse(value, default=today)
    except (ValueError, OverflowError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return pos_time(parsed)


def _parse_text(text: str, now: datetime, tz: tzinfo) -> PosTime | None:
    lowered = text.lower()
    if not lowered:
        return None
    if lowered in ("now", "today"):
        return pos_time(now)
    if lowered in ("tomorrow", "yesterday"):
        return pos_time(now + timedelta(days=1 if lowered == "tomorrow" else -1))
    for pattern, sign in _RELATIVE:
        match = pattern.match(lowered)
        if match:
            unit = _UNITS.get(match["unit"])
            if unit is None:
                return None
            word = match["n"]
            amount = 1.0 if word in ("a", "an", "one", "next", "last") else float(word)
            return pos_time(shift(now, sign * amount, unit))
    # A date without a time of day is read as noon, as the platform's parser does.
    noon = now.replace(hour=12, minute=0, second=0, microsecond=0, tzinfo=None)
    try:
        parsed = dateutil_parser.parse(text, default=noon)
    except (ValueError, OverflowError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return pos_time(parsed.astimezone(tz))


def parse_with_format(name: str, text: str, fmt: str, tz: tzinfo) -> PosTime:
    """`text` read with an explicit strptime format (in zone `tz` unless it names one)."""
    try:
        parsed = datetime.strptime(text, _python_format(fmt))
    except ValueError as err:
        fail(name, f"cannot read {text!r} with format {fmt!r} ({err})")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return pos_time(parsed.astimezone(tz))


def _python_format(fmt: str) -> str:
    return re.sub(r"%-([a-zA-Z])", r"%\1", fmt).replace("%L", "%f").replace("%N", "%f")


# --- Ruby's strftime ----------------------------------------------------------------------------
_DIRECTIVE = re.compile(r"%([-_0^#]*)(\d*)(:{0,2}z|[a-zA-Z%+])")
_COMPOSITE = {"c": "%a %b %e %H:%M:%S %Y", "D": "%m/%d/%y", "F": "%Y-%m-%d", "x": "%m/%d/%y",
              "T": "%H:%M:%S", "X": "%H:%M:%S", "R": "%H:%M", "r": "%I:%M:%S %p",
              "+": "%a %b %e %H:%M:%S %Z %Y", "v": "%e-%^b-%Y"}
DAY_NAMES = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December"]


def ruby_strftime(moment: date, fmt: str, names: dict[str, list[str]] | None = None) -> str:
    """Format like Ruby's `Time#strftime`, flags (`-`, `_`, `0`, `^`, `#`) and widths included.

    `names` may override `day_names`, `abbr_day_names`, `month_names` and `abbr_month_names`
    (from a locale's translations).
    """
    names = names or {}
    if not isinstance(moment, datetime):
        moment = datetime.combine(moment, time(), tzinfo=UTC)

    def one(match: re.Match[str]) -> str:
        flags, width, code = match.group(1), match.group(2), match.group(3)
        if code == "N":  # the width of %N is its number of digits
            return f"{moment.microsecond:06d}000"[: int(width or 9)]
        if code in _COMPOSITE:
            return _pad(ruby_strftime(moment, _COMPOSITE[code], names), flags, width, "", " ")
        value, pad, default_width = _field(moment, code, names)
        if value is None:
            return match.group(0)
        if "^" in flags or ("#" in flags and code in "pZ"):
            value = value.upper() if code != "p" or "^" in flags else value.lower()
        elif "#" in flags:
            value = value.swapcase()
        return _pad(value, flags, width, default_width, pad)

    return _DIRECTIVE.sub(one, fmt)


def _pad(value: str, flags: str, width: str, default_width: str, pad: str) -> str:
    if "-" in flags:
        return value.lstrip("0 ") or ("0" if value else "")
    target = int(width) if width else (int(default_width) if default_width else 0)
    fill = " " if "_" in flags else "0" if "0" in flags else pad
    if value.startswith("-") and fill == "0":
        return "-" + value[1:].rjust(target - 1, fill)
    return value.rjust(target, fill)


def _field(m: datetime, code: str, names: dict[str, list[str]]) -> tuple[str | None, str, str]:
    """(text, padding character, default width) of one directive."""
    days = names.get("day_names") or DAY_NAMES
    abbr_days = names.get("abbr_day_names") or [d[:3] for d in DAY_NAMES]
    months = names.get("month_names") or MONTH_NAMES
    abbr_months = names.get("abbr_month_names") or [n[:3] for n in MONTH_NAMES]
    weekday = (m.weekday() + 1) % 7
    hour12 = m.hour % 12 or 12
    numeric: dict[str, tuple[int, str]] = {
        "Y": (m.year, ""), "C": (m.year // 100, "2"), "y": (m.year % 100, "2"),
        "m": (m.month, "2"), "d": (m.day, "2"), "j": (m.timetuple().tm_yday, "3"),
        "H": (m.hour, "2"), "I": (hour12, "2"), "M": (m.minute, "2"), "S": (m.second, "2"),
        "u": (weekday or 7, ""), "w": (weekday, ""), "G": (m.isocalendar()[0], ""),
        "g": (m.isocalendar()[0] % 100, "2"), "V": (m.isocalendar()[1], "2"),
        "U": (int(m.strftime("%U")), "2"), "W": (int(m.strftime("%W")), "2"),
    }
    if code in numeric:
        number, width = numeric[code]
        return str(number), "0", width
    if code in ("e", "k", "l"):
        return str(m.day if code == "e" else m.hour if code == "k" else hour12), " ", "2"
    if code == "L":
        return f"{m.microsecond // 1000:03d}", "0", ""
    texts = {
        "A": days[weekday], "a": abbr_days[weekday], "B": months[m.month - 1],
        "b": abbr_months[m.month - 1], "h": abbr_months[m.month - 1],
        "p": "AM" if m.hour < 12 else "PM", "P": "am" if m.hour < 12 else "pm",
        "Z": _zone_abbreviation(m), "n": "\n", "t": "\t", "%": "%",
        "s": str(int(m.timestamp())), "Q": str(int(m.timestamp() * 1000)),
    }
    if code in texts:
        return texts[code], " ", ""
    if code.endswith("z"):
        return _offset(m, code.count(":")), "0", ""
    return None, "", ""


def _zone_abbreviation(m: datetime) -> str:
    name = m.tzname() or ""
    if name.startswith("UTC") and m.utcoffset() == timedelta(0):
        return "UTC"
    return name


def _offset(m: datetime, colons: int) -> str:
    total = int((m.utcoffset() or timedelta(0)).total_seconds())
    sign = "-" if total < 0 else "+"
    hours, rest = divmod(abs(total), 3600)
    minutes, seconds = divmod(rest, 60)
    if colons == 0:
        return f"{sign}{hours:02d}{minutes:02d}"
    if colons == 1:
        return f"{sign}{hours:02d}:{minutes:02d}"
    return f"{sign}{hours:02d}:{minutes:02d}:{seconds:02d}"
