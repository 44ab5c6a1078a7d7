"""The data store contract: the project's records, users, constants and outbox.

The data layer (`posjobs/data`) speaks GraphQL; it turns every operation into the calls
below. A query is a tree of `Condition`s over a record's or user's columns and properties,
which each implementation compiles to its own SQL, so a server database can take SQLite's
place behind the same calls. Values are JSON values throughout (properties are stored typed,
as the table's schema says), and rows hold JSON, never pickles.

Times are Unix timestamps (the injected clock's). A `DataStore` is one connection. A run (a
page render or a job attempt) works inside one transaction: `begin`, then reads and writes,
then `commit` or `rollback`; `savepoint` nests an all-or-nothing part (`{% transaction %}`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Union

# Columns a condition or a sort may name besides properties.
RECORD_COLUMNS = ("id", "table", "user_id", "external_id", "created_at", "updated_at",
                  "deleted_at")
USER_COLUMNS = ("id", "email", "external_id", "first_name", "last_name", "name", "slug",
                "created_at", "updated_at", "deleted_at")

# The operators a condition may use: eq, ne, in, not_in, exists, gt, gte, lt, lte, contains,
# not_contains, starts_with, not_starts_with, ends_with, not_ends_with, array_contains,
# not_array_contains, array_overlaps, not_array_overlaps, array_within (a non-empty array
# whose every element is among the values), not_array_within.
Op = str


@dataclass(frozen=True)
class Condition:
    """`subject op value`: a column (`column`) or a property (`property`) of the row.

    For `exists` the value is a bool. Text operators take `case_sensitive`; `array_*` take a
    list. Values are already of the property's type (the data layer coerces them).
    """

    op: Op
    value: Any
    column: str | None = None
    property: str | None = None
    case_sensitive: bool = True


@dataclass(frozen=True)
class AnyOf:
    """True when any of its branches is (a filter's `or:`); each branch is all-of."""

    branches: tuple[tuple[Filter, ...], ...]


Filter = Union[Condition, AnyOf]  # noqa: UP007 - a runtime alias, before 3.10's |


@dataclass(frozen=True)
class Sort:
    """Order by a column or a property; `values` puts those values first, in that order."""

    column: str | None = None
    property: str | None = None
    descending: bool = False
    values: tuple[str, ...] = ()
    random: bool = False


@dataclass(frozen=True)
class Query:
    """Which rows, in which order, which page. `limit` None means all."""

    filters: tuple[Filter, ...] = ()
    sort: tuple[Sort, ...] = ()
    limit: int | None = None
    offset: int = 0


@dataclass
class RecordRow:
    id: int
    table: str
    properties: dict[str, Any]
    created_at: float
    updated_at: float
    user_id: int | None = None
    external_id: str | None = None
    deleted_at: float | None = None


@dataclass
class UserRow:
    id: int
    email: str
    password_hash: str | None
    properties: dict[str, Any]
    created_at: float
    updated_at: float
    fields: dict[str, Any] = field(default_factory=dict)  # first_name, last_name, name, slug...
    external_id: str | None = None
    deleted_at: float | None = None


@dataclass
class MessageRow:
    """An entry of the outbox: an email or an API call, as rendered and (not) sent."""

    id: int
    kind: str  # "email" or "api_call"
    name: str  # the notification's name, e.g. "modules/user/password_reset"
    payload: dict[str, Any]  # headers, bodies, request, response: the kind says which
    created_at: float


# What every implementation selects and maps, in this order; `loads` turns a stored JSON
# column into its value (SQLite keeps text, PostgreSQL's jsonb arrives decoded).
RECORD_SELECT = ("id, table_name, properties, created_at, updated_at, user_id, external_id, "
                 "deleted_at")
USER_SELECT = ("id, email, password_hash, properties, created_at, updated_at, fields, "
               "external_id, deleted_at")
# The tables `reset` empties (the store's own values are kept).
DATA_TABLES = ("records", "users", "constants", "messages", "activities")


def record_row(row: Sequence[Any], loads: Callable[[Any], Any]) -> RecordRow:
    return RecordRow(row[0], row[1], loads(row[2]), row[3], row[4], row[5], row[6], row[7])


def user_row(row: Sequence[Any], loads: Callable[[Any], Any]) -> UserRow:
    return UserRow(row[0], row[1], row[2], loads(row[3]), row[4], row[5], loads(row[6]),
                   row[7], row[8])


class DataStore(ABC):
    """One connection to the project's data. Not shared between threads."""

    # --- transactions --------------------------------------------------------------------------
    @abstractmethod
    def begin(self) -> None:
        """Start the run's transaction (taking the write lock: a run reads then writes)."""

    @abstractmethod
    def commit(self) -> None: ...

    @abstractmethod
    def rollback(self) -> None: ...

    @property
    @abstractmethod
    def in_transaction(self) -> bool: ...

    @abstractmethod
    def savepoint(self) -> AbstractContextManager[None]:
        """A nested all-or-nothing part of the transaction: rolled back if its body raises."""

    @abstractmethod
    def ensure_indexes(self, properties: Sequence[str]) -> None:
        """Make filters on these property names fast (idempotent; its own transaction)."""

    # --- records --------------------------------------------------------------------------------
    @abstractmethod
    def insert_record(self, table: str, properties: dict[str, Any], now: float, *,
                      user_id: int | None = None, external_id: str | None = None,
                      record_id: int | None = None) -> RecordRow: ...

    @abstractmethod
    def update_record(self, record_id: int, properties: dict[str, Any], now: float, *,
                      table: str | None = None, user_id: int | None = None,
                      external_id: str | None = None) -> RecordRow | None:
        """Replace the record's properties (the caller merged them); None if it is gone."""

    @abstractmethod
    def delete_record(self, record_id: int) -> RecordRow | None: ...

    @abstractmethod
    def delete_all_records(self, table: str) -> int: ...

    @abstractmethod
    def get_record(self, record_id: int) -> RecordRow | None: ...

    @abstractmethod
    def find_records(self, query: Query) -> tuple[list[RecordRow], int]:
        """One page of matching records and how many match in all."""

    @abstractmethod
    def tables_in_use(self) -> dict[str, int]:
        """Each table that holds records, with how many."""

    # --- users ----------------------------------------------------------------------------------
    @abstractmethod
    def insert_user(self, email: str, password_hash: str | None, properties: dict[str, Any],
                    now: float, *, fields: dict[str, Any] | None = None,
                    external_id: str | None = None, user_id: int | None = None) -> UserRow: ...

    @abstractmethod
    def update_user(self, user_id: int, now: float, *, email: str | None = None,
                    password_hash: str | None = None, properties: dict[str, Any] | None = None,
                    fields: dict[str, Any] | None = None, external_id: str | None = None
                    ) -> UserRow | None:
        """Change what is given (None keeps the value); None if the user is gone."""

    @abstractmethod
    def delete_user(self, user_id: int) -> UserRow | None: ...

    @abstractmethod
    def get_user(self, user_id: int) -> UserRow | None: ...

    @abstractmethod
    def find_users(self, query: Query) -> tuple[list[UserRow], int]: ...

    # --- constants ------------------------------------------------------------------------------
    @abstractmethod
    def set_constant(self, name: str, value: str, now: float) -> None: ...

    @abstractmethod
    def unset_constant(self, name: str) -> bool: ...

    @abstractmethod
    def constants(self) -> dict[str, str]: ...

    @abstractmethod
    def constant_rows(self) -> list[tuple[str, str, float]]:
        """Every constant as (name, value, updated_at), by name."""

    # --- the outbox and activities ----------------------------------------------------------
    @abstractmethod
    def add_message(self, kind: str, name: str, payload: dict[str, Any], now: float
                    ) -> MessageRow: ...

    @abstractmethod
    def messages(self, kind: str | None = None, *, limit: int | None = None, offset: int = 0,
                 newest_first: bool = True) -> tuple[list[MessageRow], int]: ...

    @abstractmethod
    def get_message(self, message_id: int) -> MessageRow | None: ...

    @abstractmethod
    def add_activity(self, payload: dict[str, Any], now: float) -> int: ...

    @abstractmethod
    def activities(self, *, limit: int | None = None, offset: int = 0
                   ) -> tuple[list[tuple[int, dict[str, Any], float]], int]: ...

    # --- the store's own values -------------------------------------------------------------
    @abstractmethod
    def instance_value(self, name: str, make: Callable[[], str]) -> str:
        """The store's own value `name` (the secret that signs temporary tokens): made with
        `make` and kept on first use. Never a constant, never exported, kept by `reset`."""

    # --- whole-store operations -------------------------------------------------------------
    @abstractmethod
    def reset(self) -> None:
        """Delete every record, user, constant, message and activity."""

    @abstractmethod
    def close(self) -> None: ...

    def iter_all_records(self, batch: int = 1000) -> Iterator[RecordRow]:
        """Every record, oldest first, a batch at a time (export)."""
        offset = 0
        while True:
            rows, _total = self.find_records(Query(sort=(Sort(column="id"),), limit=batch,
                                                   offset=offset))
            yield from rows
            if len(rows) < batch:
                return
            offset += batch
