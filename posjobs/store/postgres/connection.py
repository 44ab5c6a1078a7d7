"""The PostgreSQL job store's connection: connecting, checking and migrating the schema,
transactions that survive a lost connection, and LISTEN/NOTIFY wake-ups.

Queries run on connections from a psycopg_pool `ConnectionPool` (one connection kept open,
up to `POOL_SIZE` while threads query at once, as `posjobs serve`'s requests do). The first
connection is made directly, so a wrong URL, password or database is told at once with the
server's reason rather than after the pool's timeout. A connection the server dropped (a
restart, `pg_terminate_backend`) is replaced; a transaction it broke before its COMMIT was
sent is run again on a new one, so a worker rides through a server restart without a stray
error.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import Any, TypeVar

import psycopg
from psycopg import sql
from psycopg_pool import ConnectionPool, PoolClosed, PoolTimeout

from posjobs.errors import StoreError
from posjobs.store.data.postgres import (
    CONNECT_TIMEOUT,
    connect,
    reason,
    shown_url,
    split_schema,
)
from posjobs.store.postgres.schema import (
    DEFAULT_SCHEMA,
    MIGRATION_LOCK,
    MIGRATIONS,
    SCHEMA_VERSION,
)

T = TypeVar("T")
TOPICS = ("jobs", "logs")
IDLE_CHECK = 1.0  # seconds of quiet after which a connection is checked before a pipeline
# Connections one store opens at most: the worker's heartbeats and serve's request threads
# query beside the main loop; more threads than this wait their turn, up to POOL_WAIT.
POOL_SIZE = 4
POOL_WAIT = 10.0  # seconds a query waits for a connection while the server is up
# No connection from the pool within this: see whether the server is there at all (when it
# is not, the caller is told at once instead of after POOL_WAIT).
PROBE_AFTER = 0.5
# How long the pool itself retries a lost connection (its pauses double from 1 s): kept
# short, so once the server is back the next query's demand reconnects at once.
RECONNECT_FOR = 2.0

# psycopg logs what it copes with (the pool's failed attempts while the server is away, a
# pipeline ended on a lost connection) as warnings, which Python would print bare on
# stderr. posjobs reports the failure itself (a StoreError naming the URL), so they are not
# printed unless the application configures logging.
logging.getLogger("psycopg").addHandler(logging.NullHandler())


class StoreConnection(psycopg.Connection[Any]):
    """A connection that remembers when it last served a query."""

    used_at = 0.0


def _configure(conn: psycopg.Connection[Any]) -> None:
    # As the SQLite store's `synchronous = NORMAL`: a commit does not wait for its WAL
    # flush, so a server crash may forget the last fraction of a second (a job then runs
    # again: at least once holds), but never corrupts anything.
    conn.execute("SET synchronous_commit = off")


class Connection:
    """The store's connections to its server, and the schema its tables are in."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.shown = shown_url(url)
        self.conninfo, self.schema = split_schema(url, DEFAULT_SCHEMA)
        # Channels are identifiers (63 bytes at most); schema names are plain lower-case.
        self.channel = f"posjobs_{self.schema}"[:63]
        self._listen_lock = threading.Lock()
        self._listener: psycopg.Connection[Any] | None = None
        self._closed = False
        first = self._connect()
        try:
            with self._errors():
                self._migrate(first)
        finally:
            first.close()
        self._pool = ConnectionPool(
            self.conninfo, connection_class=StoreConnection, configure=_configure,
            kwargs={"autocommit": True, "connect_timeout": CONNECT_TIMEOUT},
            min_size=1, max_size=POOL_SIZE, timeout=POOL_WAIT, num_workers=1,
            reconnect_timeout=RECONNECT_FOR, name=self.shown, open=True)

    # --- connecting ------------------------------------------------------------------------
    def _connect(self) -> psycopg.Connection[Any]:
        """A connection of its own (the pool's are made alike), or the reason there is none."""
        conn: psycopg.Connection[Any] = connect(self.url, self.conninfo, StoreConnection)
        try:
            with self._errors():
                _configure(conn)
        except BaseException:
            conn.close()
            raise
        return conn

    def _take(self) -> StoreConnection:
        """A connection from the pool. When none comes soon, a direct connection tells
        whether the server is away (a StoreError with its reason, at once); if it is there,
        the wait goes on up to POOL_WAIT, after which every connection was busy."""
        if self._closed:
            raise StoreError(f"{self.shown}: the store is closed")
        try:
            try:
                return self._pool.getconn(timeout=min(PROBE_AFTER, POOL_WAIT))  # type: ignore[return-value]
            except PoolTimeout:
                self._connect().close()  # raises with the server's reason, if it is away
            return self._pool.getconn(timeout=POOL_WAIT)  # type: ignore[return-value]
        except PoolClosed:
            raise StoreError(f"{self.shown}: the store is closed") from None
        except PoolTimeout:
            raise StoreError(f"{self.shown}: none of the store's {POOL_SIZE} connections "
                             f"came free within {POOL_WAIT:g} s",
                             hint="its queries are waiting on the server (a lock held by "
                             "another session?)") from None

    @contextmanager
    def _checked_out(self, *, check_idle: bool = False) -> Iterator[StoreConnection]:
        """A pooled connection for one transaction. With `check_idle`, one that sat idle
        is checked first (a round trip), where replacing a dead one is sure to be safe."""
        conn = self._take()
        if check_idle and time.monotonic() - conn.used_at > IDLE_CHECK:
            try:
                conn.execute("SELECT 1")
            except BaseException as err:
                dead = isinstance(err, psycopg.OperationalError) and conn.broken
                self._give_back(conn)  # closed and replaced when dead
                if not dead:
                    raise
                conn = self._take()
        try:
            yield conn
            conn.used_at = time.monotonic()
        finally:
            self._give_back(conn)

    def _give_back(self, conn: StoreConnection) -> None:
        """Return `conn` to the pool. A dead one is closed and replaced, and the others
        idle in the pool are checked: when the server dropped one, it dropped them all."""
        if not conn.broken and not conn.closed:
            self._pool.putconn(conn)
            return
        conn.close()
        self._pool.putconn(conn)
        self._pool.check()

    def _migrate(self, conn: psycopg.Connection[Any]) -> None:
        if self._version(conn) == SCHEMA_VERSION:
            return
        with conn.transaction():
            # Processes starting at once: one migrates, the others wait here, then see it done.
            conn.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))",
                         (MIGRATION_LOCK, self.schema))
            version = self._version(conn)
            for target, script in MIGRATIONS:
                if target > version:
                    for statement in script:
                        conn.execute(statement.format(s=self.schema))  # type: ignore[arg-type]
            conn.execute(f"INSERT INTO {self.schema}.meta (key, value) "  # type: ignore[arg-type]
                         "VALUES ('version', %s) ON CONFLICT (key) DO UPDATE "
                         "SET value = excluded.value", (str(SCHEMA_VERSION),))

    def _version(self, conn: psycopg.Connection[Any]) -> int:
        """The schema's version (0 when absent), after making sure posjobs can use it."""
        tables = {row[0] for row in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            (self.schema,))}
        if not tables:
            return 0
        if "meta" not in tables or "jobs" not in tables:
            raise StoreError(f"{self.shown}: schema {self.schema!r} holds tables that are not "
                             "a posjobs job store",
                             hint="name another schema with ?schema=NAME in the URL")
        row = conn.execute(f"SELECT value FROM {self.schema}.meta "  # type: ignore[arg-type]
                           "WHERE key = 'version'").fetchone()
        version = int(row[0]) if row else 0
        if version > SCHEMA_VERSION:
            raise StoreError(f"{self.shown} was written by a newer posjobs (schema {version}, "
                             f"this one knows {SCHEMA_VERSION})", hint="upgrade posjobs")
        return version

    # --- running queries -------------------------------------------------------------------
    def write(self, body: Callable[[psycopg.Connection[Any]], T], *,
              pipelined: bool = False) -> T:
        """`body(conn)` in one transaction, committed when it returns; `pipelined` sends it
        in one round trip. Run again, once, on a new connection when the old one turns out
        dead before the COMMIT was sent (nothing of it was written); a connection lost
        during the COMMIT is an error, as its outcome is unknown."""
        with self._errors():
            for tries_left in (1, 0):
                with self._checked_out(check_idle=pipelined) as conn:
                    committing = False
                    try:
                        with conn.pipeline() if pipelined else nullcontext():
                            conn.execute("BEGIN")
                            result = body(conn)
                            committing = True
                            conn.execute("COMMIT")
                        return result
                    except psycopg.OperationalError:
                        if not conn.broken:
                            self._rollback(conn)
                            raise
                        conn.close()
                        if committing or not tries_left:
                            raise
                    except BaseException:
                        self._rollback(conn)
                        raise
            raise AssertionError("unreachable")

    def call(self, query: str, params: Any = ()) -> tuple[Any, ...] | None:
        """The first row of one statement that is its own transaction (one round trip, as
        the connections are in autocommit mode). A connection lost during the statement
        is an error, as its outcome is unknown."""
        with self._errors(), self._checked_out(check_idle=True) as conn:
            return conn.execute(self.sql(query), params).fetchone()

    def read(self, query: str, params: Any = ()) -> list[tuple[Any, ...]]:
        """The rows of one query (on a new connection if the old one died since)."""
        with self._errors():
            for tries_left in (1, 0):
                with self._checked_out() as conn:
                    try:
                        return conn.execute(self.sql(query), params).fetchall()
                    except psycopg.OperationalError:
                        if not conn.broken or not tries_left:
                            raise
                        conn.close()
            raise AssertionError("unreachable")

    def sql(self, query: str) -> Any:
        """`query` with `{s}` naming this store's schema."""
        return query.replace("{s}", self.schema)

    @staticmethod
    def _rollback(conn: psycopg.Connection[Any]) -> None:
        if not conn.broken and conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            try:
                conn.execute("ROLLBACK")
            except psycopg.Error:
                conn.close()

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """The server's errors as the user's, naming the URL without its password."""
        try:
            yield
        except psycopg.errors.InsufficientPrivilege as err:
            raise StoreError(f"{self.shown}: no rights: {reason(err)}",
                             hint="grant the user rights on the database (CREATE, and USAGE "
                             "on the schema), or use another user") from None
        except psycopg.OperationalError as err:
            raise StoreError(f"{self.shown}: {reason(err)}",
                             hint="the connection is opened again on the next try") from None
        except psycopg.Error as err:
            raise StoreError(f"{self.shown}: {reason(err)}") from None

    # --- wake-ups ----------------------------------------------------------------------------
    def notify(self, conn: psycopg.Connection[Any], topic: str) -> None:
        """Tell listeners, when this transaction commits, that `topic` changed."""
        conn.execute("SELECT pg_notify(%s, %s)", (self.channel, topic))

    def wait(self, topic: str, timeout: float) -> bool:
        """Block until some process commits a change to `topic`, or `timeout` seconds pass;
        True when woken. Waits on a connection of its own, so queries go on meanwhile."""
        deadline = time.monotonic() + timeout
        with self._listen_lock:
            try:
                listener = self._listening()
                while (left := deadline - time.monotonic()) > 0:
                    # Each generator runs to its end (it holds the connection until then).
                    notes = [n.payload for n in listener.notifies(timeout=left, stop_after=1)]
                    if topic in notes:
                        # Several changes come as several notes: take the rest at once.
                        for _ in listener.notifies(timeout=0.0):
                            pass
                        return True
            except (psycopg.Error, StoreError):
                # No wake-ups while the server is away: the caller polls meanwhile.
                self._drop_listener()
                time.sleep(max(deadline - time.monotonic(), 0.0))
            if self._closed:
                self._drop_listener()
        return False

    def _listening(self) -> psycopg.Connection[Any]:
        if self._closed:
            raise StoreError(f"{self.shown}: the store is closed")
        if self._listener is None or self._listener.closed:
            listener = self._connect()
            listener.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.channel)))
            self._listener = listener
        return self._listener

    def _drop_listener(self) -> None:
        if self._listener is not None:
            self._listener.close()
            self._listener = None

    def close(self) -> None:
        self._closed = True
        self._pool.close(timeout=1.0)
        # A `wait` under way closes the listener itself when its timeout ends.
        if self._listen_lock.acquire(timeout=0.1):
            try:
                self._drop_listener()
            finally:
                self._listen_lock.release()

