"""Project settings from `posjobs.toml` at the project root, overridden by environment variables."""

from __future__ import annotations

import math
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
DAY = 86_400.0
MAX_DAYS = 36_500.0  # a hundred years: longer is a typo
MAX_COUNT = 2**62  # what SQLite's integers hold, with room


@dataclass(frozen=True)
class TimeLimits:
    """Seconds one attempt may take, per priority (the platform's: 1 min, 5 min, 4 h)."""

    high: float = 60.0
    default: float = 300.0
    low: float = 14_400.0
    render: float = 60.0  # a page render (`posjobs render`), not a job

    def for_priority(self, priority: str) -> float:
        return float(getattr(self, priority))


@dataclass(frozen=True)
class Retention:
    done_jobs_days: float = 7.0
    max_done_jobs: int = 10_000
    log_days: float = 7.0
    max_logs: int = 1_000_000


@dataclass(frozen=True)
class LiquidLimits:
    """`[limits]`: what one render (a page or a job attempt) may use. The platform does not
    publish its values; these are generous enough for real pages and stop runaway ones."""

    loop_iterations: int = 1_000_000  # iterations of all loops of a render together
    output_bytes: int = 20_000_000  # what a render may write (its output and captures)
    namespace_bytes: int = 20_000_000  # what its assigned variables may hold
    context_depth: int = 30  # nesting of includes, renders and blocks


LIMIT_UNITS = {"loop_iterations": "iterations", "output_bytes": "bytes",
               "namespace_bytes": "bytes", "context_depth": "levels"}


@dataclass(frozen=True)
class Settings:
    time_limits: TimeLimits = field(default_factory=TimeLimits)
    limits: LiquidLimits = field(default_factory=LiquidLimits)
    retention: Retention = field(default_factory=Retention)
    environment: str = "staging"
    constants: dict[str, Any] = field(default_factory=dict)
    globals: dict[str, Any] = field(default_factory=dict)
    lease_seconds: float = 30.0
    # [data] allow_network: API calls really sent (never by default; see posjobs/data/http.py)
    allow_network: bool = False
    memory_limit_mb: float | None = 2048.0  # address space of a slot process
    store_patience: float = 30.0  # seconds `worker --burst` retries a failing store
    # The store when no --db/POSJOBS_DB names one: a path (relative to the project) or a
    # postgresql:// URL.
    db: str | None = None

    @classmethod
    def load(cls, project_root: Path, environ: dict[str, str] | None = None) -> Settings:
        """The settings of the project at `project_root`; a mistake names the key."""
        environ = dict(os.environ if environ is None else environ)
        path = project_root / CONFIG_FILE
        data: dict[str, Any] = {}
        if path.is_file():
            try:
                data = tomllib.loads(path.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
                raise UsageError(f"{path}: not valid TOML: {err}") from None
        where = CONFIG_FILE
        limits = _table(data, "time_limits", where)
        unknown = set(limits) - {"high", "default", "low", "render"}
        if unknown:
            raise UsageError(f"{where}: [time_limits] has no {', '.join(sorted(unknown))}; "
                             "it takes high, default, low, render")
        for priority in ("high", "default", "low", "render"):
            value = environ.get(f"POSJOBS_TIME_LIMIT_{priority.upper()}")
            if value is not None:
                limits[priority] = value
        keep = _table(data, "retention", where)
        defaults = Retention()
        unknown = set(keep) - set(vars(defaults))
        if unknown:
            raise UsageError(f"{where}: [retention] has no {', '.join(sorted(unknown))}; "
                             f"it takes {', '.join(vars(defaults))}")
        retention = Retention(
            done_jobs_days=_positive("retention.done_jobs_days", keep.get(
                "done_jobs_days", defaults.done_jobs_days), "days", 1e-6, MAX_DAYS),
            max_done_jobs=int(_positive("retention.max_done_jobs", keep.get(
                "max_done_jobs", defaults.max_done_jobs), "jobs", 1, MAX_COUNT)),
            log_days=_positive("retention.log_days", keep.get("log_days", defaults.log_days),
                               "days", 1e-6, MAX_DAYS),
            max_logs=int(_positive("retention.max_logs", keep.get(
                "max_logs", defaults.max_logs), "entries", 1, MAX_COUNT)),
        )
        liquid = _table(data, "limits", where)
        liquid_defaults = LiquidLimits()
        unknown = set(liquid) - set(vars(liquid_defaults))
        if unknown:
            raise UsageError(f"{where}: [limits] has no {', '.join(sorted(unknown))}; "
                             f"it takes {', '.join(vars(liquid_defaults))}")
        liquid_limits = LiquidLimits(**{
            key: int(_positive(f"limits.{key}", liquid.get(key, default), LIMIT_UNITS[key], 1,
                               MAX_COUNT))
            for key, default in vars(liquid_defaults).items()})
        defaults_memory = Settings.memory_limit_mb
        environment = environ.get("POSJOBS_ENVIRONMENT") or data.get("environment", "staging")
        if not isinstance(environment, str) or not environment:
            raise UsageError(f"{where}: environment must be a name like \"staging\"")
        data_table = _table(data, "data", where)
        unknown = set(data_table) - {"allow_network"}
        if unknown:
            raise UsageError(f"{where}: [data] has no {', '.join(sorted(unknown))}; "
                             "it takes allow_network")
        allow_network = data_table.get("allow_network", False)
        if not isinstance(allow_network, bool):
            raise UsageError(f"{where}: data.allow_network must be true or false, got "
                             f"{allow_network!r}")
        db = data.get("db")
        if db is not None and (not isinstance(db, str) or not db):
            raise UsageError(f"{where}: db must be a file path or a postgresql:// URL, "
                             f"got {db!r}")
        return cls(
            db=db,
            time_limits=TimeLimits(**{k: _positive(f"time_limits.{k}", v, "seconds", 0.01,
                                                   MAX_DAYS * DAY)
                                      for k, v in limits.items()}),
            retention=retention,
            limits=liquid_limits,
            environment=environment,
            constants=_table(data, "constants", where),
            globals=_table(data, "globals", where),
            lease_seconds=_positive("lease_seconds", data.get("lease_seconds", 30.0),
                                    "seconds", 0.1, DAY),
            allow_network=allow_network,
            memory_limit_mb=_memory(data.get("memory_limit_mb", defaults_memory)),
            store_patience=_positive("store_patience", data.get("store_patience", 30.0),
                                     "seconds", 0.0, DAY, strict=False),
        )


def _table(data: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise UsageError(f"{where}: {key} must be a table ([{key}]), got {value!r}")
    return dict(value)


def _positive(name: str, value: object, unit: str = "seconds", low: float = 0.0,
              high: float = math.inf, *, strict: bool = True) -> float:
    """A finite number in [low, high] (and above 0 when `strict`); else an error naming
    the key and the range."""
    if isinstance(value, bool):
        raise UsageError(f"{name} must be a number of {unit}, got {value!r}")
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        raise UsageError(f"{name} must be a number of {unit}, got {value!r}") from None
    if not math.isfinite(number) or (strict and not number > 0):
        raise UsageError(f"{name} must be a finite number of {unit} above 0, got {value!r}")
    if not low <= number <= high:
        raise UsageError(f"{name} must be between {low:g} and {high:g} {unit}, got {value!r}")
    return number


def _memory(value: object) -> float | None:
    """`memory_limit_mb`: megabytes of address space per slot process; 0 for none."""
    if value == 0:
        return None
    return _positive("memory_limit_mb", value, "MB", 64, 1_048_576)
