"""The store: the single source of truth for jobs, attempts and log entries."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from posjobs.errors import UsageError
from posjobs.store.base import AttemptResult, JobFilter, LogFilter, Store

if TYPE_CHECKING:
    from posjobs.store.sqlite import SQLiteStore


def open_store(url: str | Path, *, busy_seconds: float = 60.0) -> Store:
    """Open (creating if needed) the store `url` names: today, the path of an SQLite file.
    A write waits up to `busy_seconds` for another process's lock.

    Child processes reach the parent's store through this, so a store of another kind
    (PostgreSQL, for workers on many hosts) plugs in here.
    """
    from posjobs.store.sqlite import SQLiteStore

    return SQLiteStore(url, busy_seconds)


def at_speed(store: Store, speed: float) -> Store:
    """`store` with every wait passing `speed` times faster (`worker --speed`): a
    development aid some stores offer outside the storage contract."""
    if speed == 1.0:
        return store
    scaled = getattr(store, "at_speed", None)
    if scaled is None:
        raise UsageError(f"--speed is not available with a {type(store).__name__}")
    result: Store = scaled(speed)
    return result


def __getattr__(name: str) -> object:
    if name == "SQLiteStore":  # imported on first use: `posjobs --help` needs no store
        from posjobs.store.sqlite import SQLiteStore

        return SQLiteStore
    raise AttributeError(name)


__all__ = ["AttemptResult", "JobFilter", "LogFilter", "SQLiteStore", "Store", "at_speed",
           "open_store"]
