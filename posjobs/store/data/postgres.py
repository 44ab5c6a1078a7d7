"""The data store on PostgreSQL (psycopg 3): the same contract as SQLite's, for a team that
shares one server. Properties are one `jsonb` column per record.

Each store lives in its own PostgreSQL schema (`posjobs_data` unless the URL's `schema`
query parameter names another), created with its tables on first use under an advisory lock, so
that processes starting at once do not race. A filter on a property compiles to
`properties -> 'name'` compared as jsonb (numbers as numbers, text as text), which the
expression index `ensure_indexes` creates per property name serves.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

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

# 2: the `instance` table (its CREATE ... IF NOT EXISTS runs again on a store of 1).
SCHEMA_VERSION = 2
DEFAULT_SCHEMA = "posjobs_data"
_LOCK_KEY = 0x706F7364  # "posd": the advisory lock taken while creating the schema
CONNECT_TIMEOUT = 10  # seconds; an unreachable host is reported, not waited on forever

_TABLES = (
    """CREATE TABLE IF NOT EXISTS {s}.records (
        id BIGSERIAL PRIMARY KEY, table_name TEXT NOT NULL, properties JSONB NOT NULL,
        user_id BIGINT, external_id TEXT, created_at DOUBLE PRECISION NOT NULL,
        updated_at DOUBLE PRECISION NOT NULL, deleted_at DOUBLE PRECISION)""",
    "CREATE INDEX IF NOT EXISTS records_table ON {s}.records (table_name, id)",
    """CREATE TABLE IF NOT EXISTS {s}.users (
        id BIGSERIAL PRIMARY KEY, email TEXT NOT NULL, password_hash TEXT,
        properties JSONB NOT NULL, fields JSONB NOT NULL, external_id TEXT,
        created_at DOUBLE PRECISION NOT NULL, updated_at DOUBLE PRECISION NOT NULL,
        deleted_at DOUBLE PRECISION)""",
    "CREATE UNIQUE INDEX IF NOT EXISTS users_email ON {s}.users (lower(email))",
    """CREATE TABLE IF NOT EXISTS {s}.constants (
        name TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at DOUBLE PRECISION NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS {s}.messages (
        id BIGSERIAL PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL,
        payload JSONB NOT NULL, created_at DOUBLE PRECISION NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS messages_kind ON {s}.messages (kind, id)",
    """CREATE TABLE IF NOT EXISTS {s}.activities (
        id BIGSERIAL PRIMARY KEY, payload JSONB NOT NULL,
        created_at DOUBLE PRECISION NOT NULL)""",
    "CREATE TABLE IF NOT EXISTS {s}.meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {s}.instance (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
)
_RECORD_COLUMNS = {
    "id": "id", "table": "table_name", "user_id": "user_id", "external_id": "external_id",
    "created_at": "created_at", "updated_at": "updated_at", "deleted_at": "deleted_at",
}
_USER_COLUMNS = {
    "id": "id", "email": "email", "external_id": "external_id", "created_at": "created_at",
    "updated_at": "updated_at", "deleted_at": "deleted_at",
    **{name: f"(fields ->> '{name}')" for name in ("first_name", "last_name", "name", "slug")},
}
_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_CONFLICTS = {
    "records_pkey": "a record with that id already exists",
    "users_pkey": "a user with that id already exists",
    "users_email": "a user with that email already exists (emails are unique, ignoring case)",
}


def shown_url(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


def split_schema(url: str, default: str = DEFAULT_SCHEMA) -> tuple[str, str]:
    """(the connection URL, the schema name) from `postgresql://...?schema=name`."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query)
    schema = next((v for k, v in query if k == "schema"), default)
    rest = urlencode([(k, v) for k, v in query if k != "schema"])
    if not _NAME.match(schema):
        raise StoreError(f"{shown_url(url)}: schema {schema!r} is not a plain lower-case name")
    return urlunsplit(parts._replace(query=rest)), schema


def connect(url: str, conninfo: str, connection_class: Any = None) -> Any:
    """A connection in autocommit mode (of `connection_class`, psycopg's by default), or a
    StoreError naming `url` without its password, with the server's reason. Both
    PostgreSQL stores connect here."""
    import psycopg

    try:
        return (connection_class or psycopg.Connection).connect(
            conninfo, autocommit=True, connect_timeout=CONNECT_TIMEOUT)
    except psycopg.Error as err:
        raise StoreError(f"{shown_url(url)}: cannot connect: {reason(err)}",
                         hint="is the server running, and are the user, password and "
                         "database in the URL right?") from None


def reason(err: Exception) -> str:
    """The first line of a server's or driver's error, for messages."""
    text = str(err).strip().splitlines()
    return text[0] if text else type(err).__name__


def property_expression(name: str) -> str:
    """A property's value as jsonb: the same text in queries and indexes."""
    return "(properties -> " + _literal(name) + ")"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class PostgresDataStore(DataStore):
    """One connection to the project's data on a PostgreSQL server."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._conninfo, self.schema = split_schema(url)
        self._indexed: set[str] = set()
        self._lost = False  # the connection died during a run's transaction
        self._db = connect(self.url, self._conninfo)
        try:
            with self._errors():
                self._migrate()
                self._indexed = {row[0] for row in self._db.execute(
                    "SELECT indexname FROM pg_indexes WHERE schemaname = %s "
                    "AND indexname LIKE 'records_prop_%%'", (self.schema,))}
        except BaseException:
            self._db.close()
            raise

    def _migrate(self) -> None:
        s = self.schema
        exists = self._db.execute("SELECT to_regclass(%s)", (f"{s}.meta",)).fetchone()
        if exists and exists[0] is not None:
            row = self._db.execute(f"SELECT value FROM {s}.meta WHERE key = 'version'"
                                   ).fetchone()
            version = int(row[0]) if row else 0
            if version > SCHEMA_VERSION:
                raise StoreError(f"{shown_url(self.url)} was written by a newer posjobs (data "
                                 f"schema {version}, this one knows {SCHEMA_VERSION})",
                                 hint="upgrade posjobs")
            if version == SCHEMA_VERSION:
                return
        with self._db.transaction():
            self._db.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
            self._db.execute(f"CREATE SCHEMA IF NOT EXISTS {s}")
            for statement in _TABLES:
                self._db.execute(statement.format(s=s))
            self._db.execute(f"INSERT INTO {s}.meta (key, value) VALUES ('version', %s) "
                             "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                             (str(SCHEMA_VERSION),))

    @contextmanager
    def _errors(self) -> Iterator[None]:
        import psycopg

        try:
            yield
        except psycopg.OperationalError as err:
            raise StoreError(f"{shown_url(self.url)}: {reason(err)}") from None
        except psycopg.errors.UniqueViolation as err:
            # A write that breaks a uniqueness rule: said as the SQLite store says it.
            raise StoreError(f"{shown_url(self.url)}: "
                             f"{_CONFLICTS.get(err.diag.constraint_name or '', reason(err))}"
                             ) from None
        except psycopg.errors.InsufficientPrivilege as err:
            raise StoreError(f"{shown_url(self.url)}: no rights: {reason(err)}") from None
        except psycopg.DatabaseError as err:
            raise StoreError(f"{shown_url(self.url)}: {reason(err)}") from None

    def _run(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """One statement. Outside a run's transaction, one that finds the connection dead
        (the server restarted, or ended the session) is run again on a new connection:
        those are reads, BEGIN, and writes that change nothing when run twice (indexes,
        `data reset`). A connection lost during a run fails the run for good: every later
        statement and the commit fail too, until its rollback (the server has already
        dropped what it wrote)."""
        if self._lost:
            raise StoreError(f"{shown_url(self.url)}: the connection to the server was lost "
                             "during this run; nothing it wrote was kept")
        outside = not self.in_transaction
        for tries_left in (1, 0) if outside else (0,):
            if self._db.closed or self._db.broken:
                self._db.close()
                self._db = connect(self.url, self._conninfo)
            try:
                with self._errors():
                    return self._db.execute(sql.replace("{s}", self.schema), params)
            except StoreError:
                if self._db.broken and not outside:
                    self._lost = True
                if not (tries_left and self._db.broken):
                    raise
        raise AssertionError("unreachable")

    # --- transactions --------------------------------------------------------------------------
    def begin(self) -> None:
        self._run("BEGIN")

    def commit(self) -> None:
        if self.in_transaction:
            self._run("COMMIT")

    def rollback(self) -> None:
        if self._lost:
            self._lost = False  # the server rolled it back when the connection went
            self._db.close()
        elif self.in_transaction:
            self._run("ROLLBACK")

    @property
    def in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus

        return self._lost or self._db.info.transaction_status in (
            TransactionStatus.INTRANS, TransactionStatus.INERROR)

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        self._run("SAVEPOINT posjobs_part")
        try:
            yield
        except BaseException:
            if not self._lost:  # else the run is failing whole, with the first error
                self._run("ROLLBACK TO SAVEPOINT posjobs_part")
                self._run("RELEASE SAVEPOINT posjobs_part")
            raise
        self._run("RELEASE SAVEPOINT posjobs_part")

    def ensure_indexes(self, properties: Sequence[str]) -> None:
        for name in dict.fromkeys(properties):
            index = "records_prop_" + (name if _NAME.match(name) and len(name) < 40
                                       else name.encode().hex()[:40])
            if index in self._indexed:
                continue
            self._run(f"CREATE INDEX IF NOT EXISTS {index} ON {{s}}.records "
                      f"(table_name, {property_expression(name)})")
            self._indexed.add(index)

    # --- records --------------------------------------------------------------------------------
    def insert_record(self, table: str, properties: dict[str, Any], now: float, *,
                      user_id: int | None = None, external_id: str | None = None,
                      record_id: int | None = None) -> RecordRow:
        if record_id is None:
            row = self._run("INSERT INTO {s}.records (table_name, properties, user_id, "
                            "external_id, created_at, updated_at) VALUES (%s, %s, %s, %s, %s, "
                            "%s) RETURNING id",
                            (table, _json(properties), user_id, external_id, now, now)).fetchone()
        else:
            row = self._run("INSERT INTO {s}.records (id, table_name, properties, user_id, "
                            "external_id, created_at, updated_at) VALUES (%s, %s, %s, %s, %s, "
                            "%s, %s) RETURNING id",
                            (record_id, table, _json(properties), user_id, external_id, now,
                             now)).fetchone()
            self._run("SELECT setval(pg_get_serial_sequence('{s}.records', 'id'), "
                      "greatest((SELECT max(id) FROM {s}.records), 1))")
        return RecordRow(row[0], table, dict(properties), now, now, user_id, external_id)

    def update_record(self, record_id: int, properties: dict[str, Any], now: float, *,
                      table: str | None = None, user_id: int | None = None,
                      external_id: str | None = None) -> RecordRow | None:
        cursor = self._run(
            "UPDATE {s}.records SET properties = %s, updated_at = %s, "
            "table_name = coalesce(%s, table_name), user_id = coalesce(%s, user_id), "
            "external_id = coalesce(%s, external_id) WHERE id = %s",
            (_json(properties), now, table, user_id, external_id, record_id))
        return self.get_record(record_id) if cursor.rowcount else None

    def delete_record(self, record_id: int) -> RecordRow | None:
        row = self._run(f"DELETE FROM {{s}}.records WHERE id = %s RETURNING {RECORD_SELECT}",
                        (record_id,)).fetchone()
        return _record(row) if row else None

    def delete_all_records(self, table: str) -> int:
        return int(self._run("DELETE FROM {s}.records WHERE table_name = %s",
                             (table,)).rowcount)

    def get_record(self, record_id: int) -> RecordRow | None:
        row = self._run(f"SELECT {RECORD_SELECT} FROM {{s}}.records WHERE id = %s",
                        (record_id,)).fetchone()
        return _record(row) if row else None

    def find_records(self, query: Query) -> tuple[list[RecordRow], int]:
        rows, total = self._find("records", RECORD_SELECT, _RECORD_COLUMNS, query)
        return [_record(row) for row in rows], total

    def _find(self, table: str, select: str, columns: dict[str, str], query: Query
              ) -> tuple[list[Any], int]:
        """One page of `table`'s rows matching `query`, and how many match in all."""
        where, params = _where(query.filters, columns)
        total = self._run(f"SELECT count(*) FROM {{s}}.{table} WHERE {where}", params).fetchone()[0]
        order, order_params = _order(query.sort, columns)
        rows = self._run(f"SELECT {select} FROM {{s}}.{table} WHERE {where} ORDER BY {order}"
                         f"{_page(query)}", [*params, *order_params]).fetchall()
        return list(rows), int(total)

    def tables_in_use(self) -> dict[str, int]:
        return dict(self._run("SELECT table_name, count(*) FROM {s}.records "
                              "GROUP BY table_name ORDER BY table_name").fetchall())

    # --- users ----------------------------------------------------------------------------------
    def insert_user(self, email: str, password_hash: str | None, properties: dict[str, Any],
                    now: float, *, fields: dict[str, Any] | None = None,
                    external_id: str | None = None, user_id: int | None = None) -> UserRow:
        columns = "email, password_hash, properties, fields, external_id, created_at, updated_at"
        values: list[Any] = [email, password_hash, _json(properties), _json(fields or {}),
                             external_id, now, now]
        if user_id is not None:
            columns, values = "id, " + columns, [user_id, *values]
        marks = ", ".join("%s" for _ in values)
        row = self._run(f"INSERT INTO {{s}}.users ({columns}) VALUES ({marks}) RETURNING id",
                        values).fetchone()
        if user_id is not None:
            self._run("SELECT setval(pg_get_serial_sequence('{s}.users', 'id'), "
                      "greatest((SELECT max(id) FROM {s}.users), 1))")
        return UserRow(row[0], email, password_hash, dict(properties), now, now,
                       dict(fields or {}), external_id)

    def update_user(self, user_id: int, now: float, *, email: str | None = None,
                    password_hash: str | None = None, properties: dict[str, Any] | None = None,
                    fields: dict[str, Any] | None = None, external_id: str | None = None
                    ) -> UserRow | None:
        cursor = self._run(
            "UPDATE {s}.users SET email = coalesce(%s, email), "
            "password_hash = coalesce(%s, password_hash), "
            "properties = coalesce(%s, properties), fields = coalesce(%s, fields), "
            "external_id = coalesce(%s, external_id), updated_at = %s WHERE id = %s",
            (email, password_hash, None if properties is None else _json(properties),
             None if fields is None else _json(fields), external_id, now, user_id))
        return self.get_user(user_id) if cursor.rowcount else None

    def delete_user(self, user_id: int) -> UserRow | None:
        row = self._run(f"DELETE FROM {{s}}.users WHERE id = %s RETURNING {USER_SELECT}",
                        (user_id,)).fetchone()
        return _user(row) if row else None

    def get_user(self, user_id: int) -> UserRow | None:
        row = self._run(f"SELECT {USER_SELECT} FROM {{s}}.users WHERE id = %s",
                        (user_id,)).fetchone()
        return _user(row) if row else None

    def find_users(self, query: Query) -> tuple[list[UserRow], int]:
        rows, total = self._find("users", USER_SELECT, _USER_COLUMNS, query)
        return [_user(row) for row in rows], total

    # --- constants ------------------------------------------------------------------------------
    def set_constant(self, name: str, value: str, now: float) -> None:
        self._run("INSERT INTO {s}.constants (name, value, updated_at) VALUES (%s, %s, %s) "
                  "ON CONFLICT (name) DO UPDATE SET value = excluded.value, "
                  "updated_at = excluded.updated_at", (name, value, now))

    def unset_constant(self, name: str) -> bool:
        return bool(self._run("DELETE FROM {s}.constants WHERE name = %s", (name,)).rowcount)

    def constants(self) -> dict[str, str]:
        return dict(self._run("SELECT name, value FROM {s}.constants ORDER BY name").fetchall())

    def constant_rows(self) -> list[tuple[str, str, float]]:
        return [(r[0], r[1], r[2]) for r in self._run(
            "SELECT name, value, updated_at FROM {s}.constants ORDER BY name").fetchall()]

    # --- the outbox and activities ----------------------------------------------------------
    def add_message(self, kind: str, name: str, payload: dict[str, Any], now: float
                    ) -> MessageRow:
        row = self._run("INSERT INTO {s}.messages (kind, name, payload, created_at) "
                        "VALUES (%s, %s, %s, %s) RETURNING id",
                        (kind, name, _json(payload), now)).fetchone()
        return MessageRow(row[0], kind, name, dict(payload), now)

    def messages(self, kind: str | None = None, *, limit: int | None = None, offset: int = 0,
                 newest_first: bool = True) -> tuple[list[MessageRow], int]:
        where, params = ("kind = %s", [kind]) if kind else ("TRUE", [])
        total = self._run(f"SELECT count(*) FROM {{s}}.messages WHERE {where}", params
                          ).fetchone()[0]
        rows = self._run(
            f"SELECT id, kind, name, payload, created_at FROM {{s}}.messages WHERE {where} "
            f"ORDER BY id {'DESC' if newest_first else 'ASC'} LIMIT %s OFFSET %s",
            [*params, limit, offset]).fetchall()
        return [MessageRow(r[0], r[1], r[2], r[3], r[4]) for r in rows], int(total)

    def get_message(self, message_id: int) -> MessageRow | None:
        r = self._run("SELECT id, kind, name, payload, created_at FROM {s}.messages "
                      "WHERE id = %s", (message_id,)).fetchone()
        return MessageRow(r[0], r[1], r[2], r[3], r[4]) if r else None

    def add_activity(self, payload: dict[str, Any], now: float) -> int:
        return int(self._run("INSERT INTO {s}.activities (payload, created_at) "
                             "VALUES (%s, %s) RETURNING id", (_json(payload), now)
                             ).fetchone()[0])

    def activities(self, *, limit: int | None = None, offset: int = 0
                   ) -> tuple[list[tuple[int, dict[str, Any], float]], int]:
        total = self._run("SELECT count(*) FROM {s}.activities").fetchone()[0]
        rows = self._run("SELECT id, payload, created_at FROM {s}.activities ORDER BY id DESC "
                         "LIMIT %s OFFSET %s", (limit, offset)).fetchall()
        return [(r[0], r[1], r[2]) for r in rows], int(total)

    # --- the store's own values -------------------------------------------------------------
    def instance_value(self, name: str, make: Callable[[], str]) -> str:
        found = self._run("SELECT value FROM {s}.instance WHERE name = %s", (name,)).fetchone()
        if found is not None:
            return str(found[0])
        self._run("INSERT INTO {s}.instance (name, value) VALUES (%s, %s) "
                  "ON CONFLICT (name) DO NOTHING", (name, make()))
        return str(self._run("SELECT value FROM {s}.instance WHERE name = %s", (name,)
                             ).fetchone()[0])

    # --- whole store ----------------------------------------------------------------------------
    def reset(self) -> None:
        outer = self.in_transaction
        if not outer:
            self.begin()
        for table in DATA_TABLES:
            self._run(f"DELETE FROM {{s}}.{table}")
        if not outer:
            self.commit()

    def close(self) -> None:
        self._db.close()


def _record(row: Sequence[Any]) -> RecordRow:
    return record_row(row, _as_is)


def _user(row: Sequence[Any]) -> UserRow:
    return user_row(row, _as_is)


def _as_is(value: Any) -> Any:
    return value  # jsonb columns arrive decoded


def _json(value: object) -> Any:
    from psycopg.types.json import Jsonb

    return Jsonb(value)


# --- compiling queries -------------------------------------------------------------------------
def _subject(item: Condition | Sort, columns: dict[str, str]) -> tuple[str, bool]:
    """The SQL of what a condition or sort is about, and whether it is a jsonb value."""
    if item.property is not None:
        return property_expression(item.property), True
    assert item.column is not None
    try:
        return columns[item.column], False
    except KeyError:
        raise StoreError(f"cannot filter or sort by {item.column!r}") from None


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
            parts.append("(" + " OR ".join(branches or ["FALSE"]) + ")")
        else:
            subject, is_json = _subject(item, columns)
            sql, condition_params = _condition(item, subject, is_json)
            parts.append(sql)
            params += condition_params
    return (" AND ".join(parts) or "TRUE"), params


def _condition(c: Condition, subject: str, is_json: bool) -> tuple[str, list[Any]]:
    op, value = c.op, c.value
    # A stored JSON null is no value, as a missing key is.
    present = f"{subject} IS NOT NULL" + (f" AND {subject} <> 'null'::jsonb" if is_json else "")
    text = f"({subject} #>> '{{}}')" if is_json else f"({subject})::text"
    if op == "exists":
        return (f"({present})" if value else f"NOT ({present})", [])
    if op in ("eq", "ne") and value is None:
        return (f"({present})" if op == "ne" else f"NOT ({present})", [])
    if op in ("eq", "ne") and not c.case_sensitive:
        sql = f"lower({text}) = lower(%s)"
        return (sql, [str(value)]) if op == "eq" else (f"NOT ({present} AND {sql})",
                                                      [str(value)])
    if op in ("eq", "ne", "gt", "gte", "lt", "lte"):
        sign = {"eq": "=", "ne": "=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}[op]
        sql = f"{subject} {sign} {_param(is_json)}"
        param = _as_param(value, is_json)
        return (sql, [param]) if op != "ne" else (f"NOT ({present} AND {sql})", [param])
    if op in ("in", "not_in"):
        values = [_as_param(v, is_json) for v in value]
        if not values:
            return ("FALSE", []) if op == "in" else ("TRUE", [])
        marks = ", ".join(_param(is_json) for _ in values)
        sql = f"{subject} IN ({marks})"
        return (sql, values) if op == "in" else (f"NOT ({present} AND {sql})", values)
    base = op.removeprefix("not_")
    if base in ("contains", "starts_with", "ends_with"):
        pattern = {"contains": "%{}%", "starts_with": "{}%", "ends_with": "%{}"}[base].format(
            str(value).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_"))
        sql = f"{text} {'LIKE' if c.case_sensitive else 'ILIKE'} %s"
        if op.startswith("not_"):
            return (f"NOT ({present} AND {sql})", [pattern])
        return (sql, [pattern])
    if base in ("array_contains", "array_overlaps", "array_within"):
        values = [_as_param(v, True) for v in value]
        if base == "array_within":  # the array has elements, each of them among the values
            sql = (f"(jsonb_typeof({subject}) = 'array' AND jsonb_array_length({subject}) > 0 "
                   f"AND {subject} <@ %s::jsonb)")
            params: list[Any] = [_as_param(list(value), True)]
        elif base == "array_contains":
            sql = f"{subject} @> %s::jsonb" if is_json else "FALSE"
            params = [_as_param(list(value), True)]
        else:
            marks = ", ".join("%s::jsonb" for _ in values) or "NULL"
            sql = (f"EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN "
                   f"jsonb_typeof({subject}) = 'array' THEN {subject} ELSE '[]'::jsonb END) "
                   f"AS e(v) WHERE e.v IN ({marks}))")
            params = values
        if op.startswith("not_"):
            return (f"NOT coalesce({sql}, FALSE)", params)
        return (sql, params)
    raise StoreError(f"unknown filter operator {op!r}")  # pragma: no cover - the data layer's


def _param(is_json: bool) -> str:
    return "%s::jsonb" if is_json else "%s"


def _as_param(value: Any, is_json: bool) -> Any:
    return json.dumps(value) if is_json else value


def _order(sorts: Sequence[Sort], columns: dict[str, str]) -> tuple[str, list[Any]]:
    parts: list[str] = []
    params: list[Any] = []
    for sort in sorts:
        if sort.random:
            parts.append("random()")
            continue
        subject, is_json = _subject(sort, columns)
        if sort.values:
            text = f"({subject} #>> '{{}}')" if is_json else f"({subject})::text"
            cases = " ".join(f"WHEN {text} = %s THEN {i}" for i in range(len(sort.values)))
            parts.append(f"CASE {cases} ELSE {len(sort.values)} END")
            params += list(sort.values)
        # NULLs first ascending, last descending: as SQLite orders them.
        parts.append(f"{subject} {'DESC NULLS LAST' if sort.descending else 'ASC NULLS FIRST'}")
    parts.append("id ASC")
    return ", ".join(parts), params


def _page(query: Query) -> str:
    if query.limit is None and not query.offset:
        return ""
    limit = "ALL" if query.limit is None else str(int(query.limit))
    return f" LIMIT {limit} OFFSET {int(query.offset)}"
