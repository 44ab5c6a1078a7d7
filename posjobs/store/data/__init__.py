"""The data store: the project's records, users, constants and outbox (see base.py)."""

from __future__ import annotations

from pathlib import Path

from posjobs.store.data.base import DataStore

DATA_FILE = "data.db"


def open_data_store(url: str | Path) -> DataStore:
    """Open (creating if needed) the data store `url` names: today an SQLite file's path."""
    from posjobs.store.data.sqlite import SQLiteDataStore

    return SQLiteDataStore(url)


def data_store_path(job_store: str | Path) -> str:
    """Where the data lives for a job store: `data.db` in the same folder (in memory for an
    in-memory job store)."""
    if str(job_store) == ":memory:":
        return ":memory:"
    return str(Path(job_store).parent / DATA_FILE)


__all__ = ["DATA_FILE", "DataStore", "data_store_path", "open_data_store"]
