"""The store: the single source of truth for jobs, attempts and log entries."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from posjobs.errors import UsageError
from posjobs.store.base import AttemptResult, JobFilter, LogFilter, Store

if TYPE_CHECKING:
    from posjobs.store.sqlite import SQLiteStore


def is_postgres(url: str | Path) -> bool:
    return str(url).startswith(("postgresql://", "postgres://"))


def open_store(url: str | Path, *, busy_seconds: float = 60.0) -> Store:
    """Open (creating if needed) the store `url` names: a `postgresql://` URL (optionally
    with `?schema=NAME`), an `sqlite:///path` URL, or the path of an SQLite file. On SQLite,
    a write waits up to `busy_seconds` for another process's lock.

    Child processes reach the parent's store through this.
    """
    if is_postgres(url):
        from posjobs.store.postgres import PostgresStore

        return PostgresStore(str(url))
    from posjobs.store.sqlite import SQLiteStore

    return SQLiteStore(sqlite_path(url), busy_seconds)


def sqlite_path(url: str | Path) -> str | Path:
    """The file an `sqlite:///path` URL names (`sqlite:////abs` or `sqlite:///rel`); a
    plain path as it is."""
    text = str(url)
    if text.startswith("sqlite://"):
        rest = text[len("sqlite://"):]
        if not rest.startswith("/"):
            raise UsageError(f"{text}: an SQLite URL is sqlite:///PATH (three slashes)")
        return rest[1:] or ":memory:"
    return url


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
           "is_postgres", "open_store", "sqlite_path"]
