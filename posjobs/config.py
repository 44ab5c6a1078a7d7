"""Project settings from `posjobs.toml` at the project root, overridden by environment variables."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from posjobs.errors import UsageError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CONFIG_FILE = "posjobs.toml"


@dataclass(frozen=True)
class TimeLimits:
    """Seconds one attempt may take, per priority (the platform's: 1 min, 5 min, 4 h)."""

    high: float = 60.0
    default: float = 300.0
    low: float = 14_400.0

    def for_priority(self, priority: str) -> float:
        return float(getattr(self, priority))


@dataclass(frozen=True)
class Retention:
    done_jobs_days: float = 7.0
    max_done_jobs: int = 10_000
    log_days: float = 7.0
    max_logs: int = 1_000_000


@dataclass(frozen=True)
class Settings:
    time_limits: TimeLimits = field(default_factory=TimeLimits)
    retention: Retention = field(default_factory=Retention)
    environment: str = "staging"
    constants: dict[str, Any] = field(default_factory=dict)
    globals: dict[str, Any] = field(default_factory=dict)
    lease_seconds: float = 30.0

    @classmethod
    def load(cls, project_root: Path, environ: dict[str, str] | None = None) -> Settings:
        environ = dict(os.environ if environ is None else environ)
        path = project_root / CONFIG_FILE
        data: dict[str, Any] = {}
        if path.is_file():
            try:
                data = tomllib.loads(path.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
                raise UsageError(f"{path}: not valid TOML: {err}") from None
        limits = dict(data.get("time_limits", {}))
        for priority in ("high", "default", "low"):
            value = environ.get(f"POSJOBS_TIME_LIMIT_{priority.upper()}")
            if value is not None:
                limits[priority] = value
        try:
            time_limits = TimeLimits(**{k: _positive(k, v) for k, v in limits.items()})
            retention = Retention(**data.get("retention", {}))
        except TypeError as err:
            raise UsageError(f"{path}: {err}") from None
        return cls(
            time_limits=time_limits,
            retention=retention,
            environment=str(environ.get("POSJOBS_ENVIRONMENT")
                            or data.get("environment", "staging")),
            constants=dict(data.get("constants", {})),
            globals=dict(data.get("globals", {})),
            lease_seconds=_positive("lease_seconds", data.get("lease_seconds", 30.0)),
        )


def _positive(name: str, value: object) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise UsageError(f"{name} must be a number of seconds, got {value!r}") from None
    if number <= 0:
        raise UsageError(f"{name} must be more than 0 seconds, got {value!r}")
    return number
