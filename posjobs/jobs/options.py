"""The background tag's options, validated by the platform's rules."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from posjobs.jobs.model import Priority

MIN_ATTEMPTS = 1
MAX_ATTEMPTS = 5
OPTION_NAMES = frozenset({"delay", "priority", "max_attempts", "source_name"})


class OptionError(ValueError):
    """An option value the platform rejects (unknown priority, bad delay)."""


@dataclass(frozen=True)
class JobOptions:
    delay: float = 0.0  # minutes
    priority: Priority = Priority.DEFAULT
    max_attempts: int = 1
    source_name: str | None = None
    warnings: tuple[str, ...] = field(default=())


def parse_options(raw: dict[str, object]) -> JobOptions:
    """Validate the option values a background tag evaluated to.

    Real projects pass `max_attempts` outside 1..5; like the platform we accept it,
    clamp it and say so in `warnings`. A bad priority or delay raises `OptionError`.
    """
    warnings: list[str] = []
    delay = _delay(raw.get("delay"))
    priority = _priority(raw.get("priority"))
    max_attempts = _max_attempts(raw.get("max_attempts"), warnings)
    source_name = raw.get("source_name")
    if source_name is not None and not isinstance(source_name, str):
        source_name = str(source_name)
    if source_name == "":
        source_name = None
    return JobOptions(delay, priority, max_attempts, source_name, tuple(warnings))


def _delay(value: object) -> float:
    if value is None:
        return 0.0
    if isinstance(value, bool):
        raise OptionError(f"delay must be a number of minutes, got {value!r}")
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise OptionError(f"delay must be a number of minutes, got {value!r}") from None
    if not isinstance(value, (int, float)):
        raise OptionError(f"delay must be a number of minutes, got {value!r}")
    delay = float(value)
    if math.isnan(delay) or math.isinf(delay):
        raise OptionError(f"delay must be a finite number of minutes, got {value!r}")
    if delay < 0:
        raise OptionError(f"delay must be 0 or more minutes, got {value!r}")
    return delay


def _priority(value: object) -> Priority:
    if value is None:
        return Priority.DEFAULT
    try:
        return Priority(str(value).strip().lower())
    except ValueError:
        raise OptionError(
            f"priority must be one of 'low', 'default', 'high', got {value!r}"
        ) from None


def _max_attempts(value: object, warnings: list[str]) -> int:
    if value is None:
        return 1
    number: float
    if isinstance(value, bool):
        raise OptionError(f"max_attempts must be a whole number, got {value!r}")
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise OptionError(f"max_attempts must be a whole number, got {value!r}") from None
    elif isinstance(value, (int, float)):
        number = value
    else:
        raise OptionError(f"max_attempts must be a whole number, got {value!r}")
    if math.isnan(number) or math.isinf(number):
        raise OptionError(f"max_attempts must be a whole number, got {value!r}")
    attempts = int(number)
    clamped = min(MAX_ATTEMPTS, max(MIN_ATTEMPTS, attempts))
    if clamped != number:
        warnings.append(
            f"max_attempts {value!r} is outside {MIN_ATTEMPTS}..{MAX_ATTEMPTS}; using {clamped}"
        )
    return clamped
