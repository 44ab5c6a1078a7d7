"""The data store: the project's records, users, constants and outbox (see base.py)."""

from __future__ import annotations

from pathlib import Path

from posjobs.store.data.base import DataStore

DATA_FILE = "data.db"


def is_postgres(url: str | Path) -> bool:
    return str(url).startswith(("postgresql://", "postgres://"))


def open_data_store(url: str | Path) -> DataStore:
    """Open (creating if needed) the data store `url` names: a `postgresql://` URL, or the
    path of an SQLite file."""
    if is_postgres(url):
        from posjobs.store.data.postgres import PostgresDataStore

        return PostgresDataStore(str(url))
    from posjobs.store.data.sqlite import SQLiteDataStore

    return SQLiteDataStore(url)


def data_store_path(job_store: str | Path) -> str:
    """Where the data lives for a job store: `data.db` in the same folder (in memory for an
    in-memory job store); on PostgreSQL, the same database in a schema of its own
    (`posjobs_data`, or `<schema>_data` beside a job store's `?schema=<schema>`)."""
    if is_postgres(job_store):
        return _data_schema(str(job_store))
    if str(job_store) == ":memory:":
        return str(job_store)
    return str(Path(job_store).parent / DATA_FILE)


def _data_schema(url: str) -> str:
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    parts = urlsplit(url)
    query = parse_qsl(parts.query)
    if not any(k == "schema" for k, _ in query):
        return url
    query = [(k, v + "_data" if k == "schema" else v) for k, v in query]
    return urlunsplit(parts._replace(query=urlencode(query)))


__all__ = ["DATA_FILE", "DataStore", "data_store_path", "is_postgres", "open_data_store"]
