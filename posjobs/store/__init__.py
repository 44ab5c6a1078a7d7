"""The store: the single source of truth for jobs, attempts and log entries."""

from posjobs.store.base import AttemptResult, JobFilter, LogFilter, Store
from posjobs.store.sqlite import SQLiteStore, open_store

__all__ = ["AttemptResult", "JobFilter", "LogFilter", "SQLiteStore", "Store", "open_store"]
