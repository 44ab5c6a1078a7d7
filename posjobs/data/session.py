"""A run's access to the project's data: one connection, one transaction per render or
attempt, committed with it or rolled back.

`DataLayer` lives as long as a process needs data (a CLI command, a worker's slot): it holds
the connection and the project's tables. `DataLayer.session()` starts a run's `DataSession`;
the transaction begins on the run's first query, so a page without data costs nothing.
The resolvers (`resolvers/`) reach everything through the session in `info.context`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from posjobs.clock import Clock
from posjobs.data.tables import Tables, load_tables
from posjobs.project import Project
from posjobs.store.data import DataStore, is_postgres, open_data_store


@dataclass(frozen=True)
class Source:
    """Where a query comes from, for messages: its file and the line its text starts at."""

    name: str  # the query name, `users/find`, or an inline query's name
    path: str  # project-relative file path, or the template holding an inline query
    line: int = 1


class NotificationRenderer(Protocol):
    """Renders a notification template of the project (the Liquid dialect provides it)."""

    def render_notification(self, kind: str, name: str, data: Mapping[str, Any]
                            ) -> dict[str, Any]:
        """`kind` is "email" or "api_call"; returns the rendered fields (to, subject, body...)."""
        ...


class DataLayer:
    """The project's data for one process: its store connection and its tables."""

    def __init__(self, project: Project, path: str | Path, *, allow_network: bool = False
                 ) -> None:
        self.project = project
        self.url = str(path)  # an SQLite file path or a postgresql:// URL
        self.allow_network = allow_network
        self._store: DataStore | None = None
        self._tables: Tables | None = None

    @property
    def store(self) -> DataStore:
        if self._store is None:
            self._store = open_data_store(self.url)
        return self._store

    @property
    def exists(self) -> bool:
        """Whether there is stored data to read (without creating an empty store file)."""
        if self._store is not None or is_postgres(self.url):
            return True
        return self.url != ":memory:" and Path(self.url).is_file()

    @property
    def tables(self) -> Tables:
        """The project's tables, read once (the store indexes their properties)."""
        if self._tables is None:
            tables = load_tables(self.project)
            self.store.ensure_indexes(tables.property_names())
            self._tables = tables
        return self._tables

    def reload(self) -> None:
        """Read the schema files again on the next use (a long-running server after edits)."""
        self._tables = None

    def session(self, clock: Clock, **kwargs: Any) -> DataSession:
        return DataSession(self, clock, **kwargs)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


@dataclass
class DataSession:
    """One run's view of the data; `info.context` of every resolver."""

    layer: DataLayer
    clock: Clock
    # The signed-in user's id, if any; sign-in and sign-out change it (see `signed_in`).
    user_id: int | None = None
    # The request's session hash (`context.session`), or None in a background job.
    session: dict[str, Any] | None = None
    # Writes a log entry of the run: (type, message).
    log: Callable[[str, str], None] = field(default=lambda _type, _message: None)
    notifications: NotificationRenderer | None = None
    # Set by the graphql tag for each operation, for messages.
    source: Source | None = None
    # Whether sign-in (a user id) or sign-out (None) happened in this run, and its result.
    signed_in: bool = False
    # Values a run may keep between operations (temporary tokens, for example).
    scratch: dict[str, Any] = field(default_factory=dict)

    @property
    def project(self) -> Project:
        return self.layer.project

    @property
    def tables(self) -> Tables:
        return self.layer.tables

    @property
    def store(self) -> DataStore:
        """The store, inside this run's transaction (begun on first use)."""
        store = self.layer.store
        if not store.in_transaction:
            store.begin()
        return store

    @property
    def started(self) -> bool:
        return self.layer._store is not None and self.layer._store.in_transaction

    def now(self) -> float:
        return self.clock.now()

    def commit(self) -> None:
        if self.started:
            self.layer.store.commit()

    def rollback(self) -> None:
        if self.started:
            self.layer.store.rollback()

    @contextmanager
    def part(self) -> Iterator[None]:
        """An all-or-nothing part of the run (`{% transaction %}`)."""
        with self.store.savepoint():
            yield

    def sign_in(self, user_id: int | None) -> None:
        """Sign `user_id` in (None: sign out) for the rest of the request."""
        self.user_id = user_id
        self.signed_in = True

    def execute(self, text: str, variables: Mapping[str, Any], source: Source) -> dict[str, Any]:
        """Run one GraphQL operation (see `posjobs.data.graphql.run_operation`)."""
        from posjobs.data.graphql import run_operation

        self.source = source
        return run_operation(text, variables, source, self)
