"""The data store on SQLite: `.posjobs/data.db` beside the job store, WAL mode, JSON rows.

Properties live in one JSON column per record, typed as the table's schema says. A filter on
a property compiles to `json_extract(properties, '$."name"')`; `ensure_indexes` creates one
expression index per property name on `(table_name, that expression)`, which SQLite uses for
equality, `IN` and ranges within a table.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from posjobs.errors import StoreError
from posjobs.store.data.base import (
    DATA_TABLES,
    RECORD_SELECT,
    USER_SELECT,
    AnyOf,
    Condition,
    DataStore,
    Filter,
    MessageRow,
    Query,
    RecordRow,
    Sort,
    UserRow,
    record_row,
    user_row,
)

# PRAGMA application_id of a posjobs data store ("posd").
APPLICATION_ID = 0x706F7364
SCHEMA_VERSION = 2
BUSY_TIMEOUT_MS = 60_000

# AUTOINCREMENT (schema 2): an id is never handed out again, even after the record or user
# that held the highest one is deleted, as the platform's ids are never reused: a job that
# holds the id of a deleted record must not find another record under it.
_RECORDS = """CREATE TABLE {name} (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        table_name TEXT NOT NULL,
        properties TEXT NOT NULL,
        user_id INTEGER,
        external_id TEXT,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL,
        deleted_at REAL
    )"""
_USERS = """CREATE TABLE {name} (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        email TEXT NOT NULL,
        password_hash TEXT,
        properties TEXT NOT NULL,
        fields TEXT NOT NULL,
        external_id TEXT,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL,
        deleted_at REAL
    )"""
_INSTANCE = "CREATE TABLE IF NOT EXISTS instance (name TEXT PRIMARY KEY, value TEXT NOT NULL)"
_INDEXES = {
    "records": ("CREATE INDEX records_table ON records (table_name, id)",),
    "users": ("CREATE UNIQUE INDEX users_email ON users (lower(email))",),
}
_SCHEMA = (
    _RECORDS.format(name="records"),
    *_INDEXES["records"],
    _USERS.format(name="users"),
    *_INDEXES["users"],
    """CREATE TABLE constants (
        name TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at REAL NOT NULL)""",
    """CREATE TABLE messages (
        id INTEGER PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL,
        payload TEXT NOT NULL, created_at REAL NOT NULL)""",
    "CREATE INDEX messages_kind ON messages (kind, id)",
    """CREATE TABLE activities (
        id INTEGER PRIMARY KEY, payload TEXT NOT NULL, created_at REAL NOT NULL)""",
    # The store's own values (the token secret): not constants, so no query lists them.
    _INSTANCE,
)

_RECORD_COLUMNS = {
    "id": "id", "table": "table_name", "user_id": "user_id", "external_id": "external_id",
    "created_at": "created_at", "updated_at": "updated_at", "deleted_at": "deleted_at",
}
_USER_COLUMNS = {
    "id": "id", "email": "email", "external_id": "external_id", "created_at": "created_at",
    "updated_at": "updated_at", "deleted_at": "deleted_at",
    **{name: f"json_extract(fields, '$.{name}')"
       for name in ("first_name", "last_name", "name", "slug")},
}
_TIME_COLUMNS = {"created_at", "updated_at", "deleted_at"}


def property_expression(name: str) -> str:
    """The SQL of a property's value: the same text in queries and indexes, so SQLite
    matches them."""
    return f"json_extract(properties, {_property_path(name)})"


def _property_path(name: str) -> str:
    """The JSON path of a property as an SQL string literal: `'$."name"'`.

    SQLite matches a quoted path key against the key as the stored JSON text spells it, so
    the key is spelt the way `_dumps` writes it (a backslash doubled, non-ASCII as is). A
    double quote ends a quoted key whatever precedes it, so such a name is refused."""
    if '"' in name:
        raise StoreError(f"property name {name!r}: a double quote cannot be part of a name")
    key = json.dumps(name, ensure_ascii=False)
    return "'$." + key.replace("'", "''") + "'"


class SQLiteDataStore(DataStore):
    """One connection to the project's data file."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._indexed: set[str] = set()
        if str(path) != ":memory:":
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as err:
                raise StoreError(f"{self.path}: cannot create its folder: {err.strerror}"
                                 ) from None
        try:
            self._db = sqlite3.connect(str(path), isolation_level=None, timeout=60)
        except sqlite3.Error as err:
            raise StoreError(f"{self.path}: cannot open the data store: {err}") from None
        try:
            with self._errors():
                self._db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                self._migrate()
                self._db.execute("PRAGMA journal_mode = WAL")
                self._db.execute("PRAGMA synchronous = NORMAL")
                self._indexed = {
                    name[len("records_prop_"):] for (name,) in self._db.execute(
                        "SELECT name FROM sqlite_master WHERE type = 'index' "
                        "AND name LIKE 'records_prop_%'")
                }
        except BaseException:
            self._db.close()
            raise

    def _migrate(self) -> None:
        db = self._db
        app_id, version, tables = db.execute(
            "SELECT a.application_id, v.user_version, (SELECT count(*) FROM sqlite_master) "
            "FROM pragma_application_id() AS a, pragma_user_version() AS v").fetchone()
        if tables and app_id != APPLICATION_ID:
            raise StoreError(f"{self.path} is an SQLite database but not a posjobs data store",
                             hint="remove it, or point posjobs at another folder")
        if version > SCHEMA_VERSION:
            raise StoreError(f"{self.path} was written by a newer posjobs (data schema "
                             f"{version}, this one knows {SCHEMA_VERSION})",
                             hint="upgrade posjobs")
        if version == SCHEMA_VERSION:
            return
        db.execute("BEGIN IMMEDIATE")
        try:
            (version,) = db.execute("PRAGMA user_version").fetchone()
            if version < 1:
                for statement in _SCHEMA:
                    db.execute(statement)
            elif version < 2:
                _never_reuse_ids(db)
            db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.OperationalError as err:
            if "locked" in str(err) or "busy" in str(err):
                raise StoreError(f"{self.path} stayed locked by another process for "
                                 f"{BUSY_TIMEOUT_MS // 1000} s") from None
            raise StoreError(f"{self.path}: {err}") from None
        except sqlite3.IntegrityError as err:
            # A write that breaks a uniqueness rule: a caller's mistake, not a damaged file.
            raise StoreError(f"{self.path}: {_conflict(str(err))}") from None
        except sqlite3.DatabaseError as err:
            if "not a database" in str(err):
                raise StoreError(f"{self.path} is not an SQLite database",
                                 hint="remove it, or point posjobs at another folder"
                                 ) from None
            raise StoreError(f"{self.path} is damaged: {err}") from None

    def _run(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        with self._errors():
            return self._db.execute(sql, params)

    # --- transactions --------------------------------------------------------------------------
    def begin(self) -> None:
        self._run("BEGIN IMMEDIATE")

    def commit(self) -> None:
        if self._db.in_transaction:
            self._run("COMMIT")

    def rollback(self) -> None:
        if self._db.in_transaction:
            self._run("ROLLBACK")

    @property
    def in_transaction(self) -> bool:
        return self._db.in_transaction

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        self._run("SAVEPOINT posjobs_part")
        try:
            yield
        except BaseException:
            self._run("ROLLBACK TO posjobs_part")
            self._run("RELEASE posjobs_part")
            raise
        self._run("RELEASE posjobs_part")

    def ensure_indexes(self, properties: Sequence[str]) -> None:
        missing = [name for name in dict.fromkeys(properties) if _index_name(name)
                   not in self._indexed]
        if not missing:
            return
        outer = self._db.in_transaction
        if not outer:
            self.begin()
        try:
            for name in missing:
                self._run(f"CREATE INDEX IF NOT EXISTS records_prop_{_index_name(name)} "
                          f"ON records (table_name, {property_expression(name)})")
        except BaseException:
            if not outer:
                self.rollback()
            raise
        if not outer:
            self.commit()
            # Only once committed: inside a caller's transaction, a rollback would take the
            # index with it, and the next call must create it again.
            self._indexed.update(_index_name(name) for name in missing)

    # --- records --------------------------------------------------------------------------------
    def insert_record(self, table: str, properties: dict[str, Any], now: float, *,
                      user_id: int | None = None, external_id: str | None = None,
                      record_id: int | None = None) -> RecordRow:
        cursor = self._run(
            "INSERT INTO records (id, table_name, properties, user_id, external_id, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (record_id, table, _dumps(properties), user_id, external_id, now, now))
        assert cursor.lastrowid is not None
        return RecordRow(cursor.lastrowid, table, dict(properties), now, now, user_id,
                         external_id)

    def update_record(self, record_id: int, properties: dict[str, Any], now: float, *,
                      table: str | None = None, user_id: int | None = None,
                      external_id: str | None = None) -> RecordRow | None:
        cursor = self._run(
            "UPDATE records SET properties = ?, updated_at = ?, "
            "table_name = coalesce(?, table_name), user_id = coalesce(?, user_id), "
            "external_id = coalesce(?, external_id) WHERE id = ?",
            (_dumps(properties), now, table, user_id, external_id, record_id))
        return self.get_record(record_id) if cursor.rowcount else None

    def delete_record(self, record_id: int) -> RecordRow | None:
        row = self.get_record(record_id)
        if row is not None:
            self._run("DELETE FROM records WHERE id = ?", (record_id,))
        return row

    def delete_all_records(self, table: str) -> int:
        return self._run("DELETE FROM records WHERE table_name = ?", (table,)).rowcount

    def get_record(self, record_id: int) -> RecordRow | None:
        row = self._run(f"SELECT {RECORD_SELECT} FROM records WHERE id = ?",
                        (record_id,)).fetchone()
        return _record(row) if row else None

    def find_records(self, query: Query) -> tuple[list[RecordRow], int]:
        rows, total = self._find("records", RECORD_SELECT, _RECORD_COLUMNS, query)
        return [_record(row) for row in rows], total

    def _find(self, table: str, select: str, columns: dict[str, str], query: Query
              ) -> tuple[list[Any], int]:
        """One page of `table`'s rows matching `query`, and how many match in all."""
        where, params = _where(query.filters, columns)
        total = self._run(f"SELECT count(*) FROM {table} WHERE {where}", params).fetchone()[0]
        order, order_params = _order(query.sort, columns)
        rows = self._run(f"SELECT {select} FROM {table} WHERE {where} ORDER BY {order}"
                         f"{_page(query)}", [*params, *order_params]).fetchall()
        return list(rows), int(total)

    def tables_in_use(self) -> dict[str, int]:
        return dict(self._run("SELECT table_name, count(*) FROM records GROUP BY table_name "
                              "ORDER BY table_name").fetchall())

    # --- users ----------------------------------------------------------------------------------
    def insert_user(self, email: str, password_hash: str | None, properties: dict[str, Any],
                    now: float, *, fields: dict[str, Any] | None = None,
                    external_id: str | None = None, user_id: int | None = None) -> UserRow:
        cursor = self._run(
            "INSERT INTO users (id, email, password_hash, properties, fields, external_id, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (user_id, email, password_hash, _dumps(properties), _dumps(fields or {}),
             external_id, now, now))
        assert cursor.lastrowid is not None
        return UserRow(cursor.lastrowid, email, password_hash, dict(properties), now, now,
                       dict(fields or {}), external_id)

    def update_user(self, user_id: int, now: float, *, email: str | None = None,
                    password_hash: str | None = None, properties: dict[str, Any] | None = None,
                    fields: dict[str, Any] | None = None, external_id: str | None = None
                    ) -> UserRow | None:
        cursor = self._run(
            "UPDATE users SET email = coalesce(?, email), "
            "password_hash = coalesce(?, password_hash), "
            "properties = coalesce(?, properties), fields = coalesce(?, fields), "
            "external_id = coalesce(?, external_id), updated_at = ? WHERE id = ?",
            (email, password_hash, None if properties is None else _dumps(properties),
             None if fields is None else _dumps(fields), external_id, now, user_id))
        return self.get_user(user_id) if cursor.rowcount else None

    def delete_user(self, user_id: int) -> UserRow | None:
        row = self.get_user(user_id)
        if row is not None:
            self._run("DELETE FROM users WHERE id = ?", (user_id,))
        return row

    def get_user(self, user_id: int) -> UserRow | None:
        row = self._run(f"SELECT {USER_SELECT} FROM users WHERE id = ?", (user_id,)).fetchone()
        return _user(row) if row else None

    def find_users(self, query: Query) -> tuple[list[UserRow], int]:
        rows, total = self._find("users", USER_SELECT, _USER_COLUMNS, query)
        return [_user(row) for row in rows], total

    # --- constants ------------------------------------------------------------------------------
    def set_constant(self, name: str, value: str, now: float) -> None:
        self._run("INSERT INTO constants (name, value, updated_at) VALUES (?, ?, ?) "
                  "ON CONFLICT (name) DO UPDATE SET value = excluded.value, "
                  "updated_at = excluded.updated_at", (name, value, now))

    def unset_constant(self, name: str) -> bool:
        return self._run("DELETE FROM constants WHERE name = ?", (name,)).rowcount > 0

    def constants(self) -> dict[str, str]:
        return dict(self._run("SELECT name, value FROM constants ORDER BY name").fetchall())

    def constant_rows(self) -> list[tuple[str, str, float]]:
        return [tuple(row) for row in self._run(  # type: ignore[misc]
            "SELECT name, value, updated_at FROM constants ORDER BY name").fetchall()]

    # --- the outbox and activities ----------------------------------------------------------
    def add_message(self, kind: str, name: str, payload: dict[str, Any], now: float
                    ) -> MessageRow:
        cursor = self._run("INSERT INTO messages (kind, name, payload, created_at) "
                           "VALUES (?, ?, ?, ?)", (kind, name, _dumps(payload), now))
        assert cursor.lastrowid is not None
        return MessageRow(cursor.lastrowid, kind, name, dict(payload), now)

    def messages(self, kind: str | None = None, *, limit: int | None = None, offset: int = 0,
                 newest_first: bool = True) -> tuple[list[MessageRow], int]:
        where, params = ("kind = ?", [kind]) if kind else ("1", [])
        total = self._run(f"SELECT count(*) FROM messages WHERE {where}", params).fetchone()[0]
        rows = self._run(
            f"SELECT id, kind, name, payload, created_at FROM messages WHERE {where} "
            f"ORDER BY id {'DESC' if newest_first else 'ASC'} LIMIT ? OFFSET ?",
            [*params, -1 if limit is None else limit, offset]).fetchall()
        return [MessageRow(r[0], r[1], r[2], json.loads(r[3]), r[4]) for r in rows], int(total)

    def get_message(self, message_id: int) -> MessageRow | None:
        r = self._run("SELECT id, kind, name, payload, created_at FROM messages WHERE id = ?",
                      (message_id,)).fetchone()
        return MessageRow(r[0], r[1], r[2], json.loads(r[3]), r[4]) if r else None

    def add_activity(self, payload: dict[str, Any], now: float) -> int:
        cursor = self._run("INSERT INTO activities (payload, created_at) VALUES (?, ?)",
                           (_dumps(payload), now))
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def activities(self, *, limit: int | None = None, offset: int = 0
                   ) -> tuple[list[tuple[int, dict[str, Any], float]], int]:
        total = self._run("SELECT count(*) FROM activities").fetchone()[0]
        rows = self._run("SELECT id, payload, created_at FROM activities ORDER BY id DESC "
                         "LIMIT ? OFFSET ?", (-1 if limit is None else limit, offset))
        return [(r[0], json.loads(r[1]), r[2]) for r in rows], int(total)

    # --- the store's own values -------------------------------------------------------------
    def instance_value(self, name: str, make: Callable[[], str]) -> str:
        found = self._run("SELECT value FROM instance WHERE name = ?", (name,)).fetchone()
        if found is not None:
            return str(found[0])
        value = make()
        self._run("INSERT INTO instance (name, value) VALUES (?, ?)", (name, value))
        return value

    # --- whole store ----------------------------------------------------------------------------
    def reset(self) -> None:
        outer = self._db.in_transaction
        if not outer:
            self.begin()
        for table in DATA_TABLES:
            self._run(f"DELETE FROM {table}")
        if not outer:
            self.commit()

    def close(self) -> None:
        self._db.close()


def _record(row: Sequence[Any]) -> RecordRow:
    return record_row(row, json.loads)


def _user(row: Sequence[Any]) -> UserRow:
    return user_row(row, json.loads)


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _never_reuse_ids(db: sqlite3.Connection) -> None:
    """Schema 1 to 2: records and users rebuilt with AUTOINCREMENT, rows and ids kept (the
    property indexes go with the old table; `ensure_indexes` makes them again); the
    `instance` table, which files of schema 1 may lack."""
    db.execute(_INSTANCE)
    for name, create in (("records", _RECORDS), ("users", _USERS)):
        db.execute(create.format(name=f"{name}_v2"))
        db.execute(f"INSERT INTO {name}_v2 SELECT * FROM {name}")
        db.execute(f"DROP TABLE {name}")
        db.execute(f"ALTER TABLE {name}_v2 RENAME TO {name}")
        for statement in _INDEXES[name]:
            db.execute(statement)


def _conflict(message: str) -> str:
    if "users_email" in message or "users.email" in message:
        return "a user with that email already exists (emails are unique, ignoring case)"
    if "records.id" in message:
        return "a record with that id already exists"
    if "users.id" in message:
        return "a user with that id already exists"
    return message


def _index_name(name: str) -> str:
    """An SQL-safe, unique index suffix for a property name."""
    if name.isidentifier() and name.isascii():
        return name
    return "x" + name.encode().hex()


# --- compiling queries -------------------------------------------------------------------------
def _subject(condition: Condition | Sort, columns: dict[str, str]) -> str:
    if condition.property is not None:
        return property_expression(condition.property)
    assert condition.column is not None
    try:
        return columns[condition.column]
    except KeyError:
        raise StoreError(f"cannot filter or sort by {condition.column!r}") from None


def _where(filters: Sequence[Filter], columns: dict[str, str]) -> tuple[str, list[Any]]:
    parts: list[str] = []
    params: list[Any] = []
    for item in filters:
        if isinstance(item, AnyOf):
            branches = []
            for branch in item.branches:
                sql, branch_params = _where(branch, columns)
                branches.append(f"({sql})")
                params += branch_params
            parts.append("(" + " OR ".join(branches or ["0"]) + ")")
        else:
            sql, condition_params = _condition(item, _subject(item, columns))
            parts.append(sql)
            params += condition_params
    return (" AND ".join(parts) or "1"), params


def _value(value: Any) -> Any:
    """A JSON value as SQLite compares it with json_extract's result."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int) and not -(2**63) <= value < 2**63:
        return float(value)  # what json_extract gives for such a number: SQLite has no wider int
    if isinstance(value, (list, dict)):
        return _dumps(value)
    return value


def _condition(c: Condition, subject: str) -> tuple[str, list[Any]]:
    op, value = c.op, c.value
    if op == "exists":
        return (f"{subject} IS {'NOT ' if value else ''}NULL", [])
    if op in ("eq", "ne"):
        if value is None:
            return (f"{subject} IS {'NOT ' if op == 'ne' else ''}NULL", [])
        if not c.case_sensitive:
            subject, value = f"lower({subject})", str(value).lower()
        if op == "eq":
            return (f"{subject} = ?", [_value(value)])
        return (f"({subject} IS NULL OR {subject} != ?)", [_value(value)])
    if op in ("in", "not_in"):
        values = [_value(v) for v in value]
        marks = ", ".join("?" for _ in values) or "NULL"
        if op == "in":
            return (f"{subject} IN ({marks})", values)
        if not values:  # `x NOT IN (NULL)` is never true: nothing is excluded
            return ("1", [])
        return (f"({subject} IS NULL OR {subject} NOT IN ({marks}))", values)
    if op in ("gt", "gte", "lt", "lte"):
        sign = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}[op]
        return (f"{subject} {sign} ?", [_value(value)])
    if op.endswith(("contains", "starts_with", "ends_with")) and not op.startswith(
            ("array", "not_array")):
        negate = op.startswith("not_")
        text = str(value)
        pattern = {"contains": "%{}%", "starts_with": "{}%", "ends_with": "%{}"}[
            op.removeprefix("not_")].format(_escape_like(text))
        if c.case_sensitive:  # LIKE ignores ASCII case: compare exactly instead
            sql, params = _exact_text(op.removeprefix("not_"), subject, text)
        else:
            sql, params = f"lower({subject}) LIKE lower(?) ESCAPE '\\'", [pattern]
        if negate:
            return (f"({subject} IS NULL OR NOT ({sql}))", params)
        return (sql, params)
    if op in ("array_contains", "not_array_contains", "array_overlaps", "not_array_overlaps",
              "array_within", "not_array_within"):
        values = [_value(v) for v in value]
        if c.property is not None:
            # A value that is not an array has no elements (json_each would take a scalar
            # as one, and fail on a text that is not JSON).
            path = _property_path(c.property)
            subject = (f"CASE WHEN json_type(properties, {path}) = 'array' "
                       f"THEN json_extract(properties, {path}) ELSE '[]' END")
        marks = ", ".join("?" for _ in values) or "NULL"
        if op.endswith("contains"):  # every value is in the array
            sql = (f"(SELECT count(DISTINCT value) FROM json_each({subject}) "
                   f"WHERE value IN ({marks})) = {len(set(values))}")
        elif op.endswith("within"):  # the array has elements, each of them among the values
            sql = (f"(EXISTS (SELECT 1 FROM json_each({subject})) AND NOT EXISTS "
                   f"(SELECT 1 FROM json_each({subject}) WHERE value NOT IN ({marks})))")
            return (f"NOT {sql}" if op.startswith("not_") else sql, values)
        else:  # some value is in the array
            sql = f"EXISTS (SELECT 1 FROM json_each({subject}) WHERE value IN ({marks}))"
        if op.startswith("not_"):
            return (f"NOT ({sql})", values)
        return (sql, values)
    raise StoreError(f"unknown filter operator {op!r}")  # pragma: no cover - the data layer's


def _exact_text(op: str, subject: str, text: str) -> tuple[str, list[Any]]:
    if not text:  # every text contains, starts and ends with the empty text
        return (f"{subject} IS NOT NULL", [])
    if op == "contains":
        return (f"instr({subject}, ?) > 0", [text])
    if op == "starts_with":
        return (f"substr({subject}, 1, ?) = ?", [len(text), text])
    return (f"substr({subject}, ?) = ?", [-len(text), text])


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _order(sorts: Sequence[Sort], columns: dict[str, str]) -> tuple[str, list[Any]]:
    parts: list[str] = []
    params: list[Any] = []
    for sort in sorts:
        if sort.random:
            parts.append("random()")
            continue
        subject = _subject(sort, columns)
        if sort.values:
            cases = " ".join(f"WHEN ? THEN {i}" for i in range(len(sort.values)))
            parts.append(f"CASE {subject} {cases} ELSE {len(sort.values)} END")
            params += list(sort.values)
        parts.append(f"{subject} {'DESC' if sort.descending else 'ASC'}")
    parts.append("id ASC")
    return ", ".join(parts), params


def _page(query: Query) -> str:
    if query.limit is None and not query.offset:
        return ""
    return f" LIMIT {-1 if query.limit is None else int(query.limit)} OFFSET {int(query.offset)}"
