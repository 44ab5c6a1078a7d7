"""The SQLite file itself: opening it, checking it is a posjobs store of a schema this
posjobs knows, migrating it, and the transactions every query runs in."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from posjobs.errors import StoreError
from posjobs.store.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION

BUSY_TIMEOUT_MS = 60_000
# While another process holds the write lock, a write tries again after a pause that grows
# from 50 us to 1 ms while the wait is short. SQLite's own busy handler sleeps 1, 2, 5,
# 10... ms between tries; a worker's slots hold the lock for about half a millisecond per
# job, so each slept through several of the other's commits (a third of its time, measured
# with two slots). A lock held longer (another program's) is waited for in steps growing
# to a tenth of a second, which cost no CPU to speak of.
FIRST_PAUSE = 0.00005
SHORT_WAIT, SHORT_PAUSE, LONG_PAUSE = 0.05, 0.001, 0.1


class Database:
    """One connection to the store's file, safe to share between threads of one process."""

    def __init__(self, path: str | Path, busy_seconds: float = BUSY_TIMEOUT_MS / 1000) -> None:
        self.path = Path(path)
        self._busy_ms = int(busy_seconds * 1000)  # how long a write waits for the lock
        self._lock = threading.RLock()
        if str(path) != ":memory:":
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as err:
                raise StoreError(f"{self.path}: cannot create its folder: {err.strerror}") from None
            _refuse_empty(self.path)
        try:
            self._conn = sqlite3.connect(
                str(path), isolation_level=None, check_same_thread=False,
                timeout=self._busy_ms / 1000)
        except sqlite3.Error as err:
            raise self._cannot_open(err) from None
        try:
            self._conn.execute(f"PRAGMA busy_timeout = {self._busy_ms}")
            self._check_and_migrate()
            self._use_wal()
            self._conn.execute("PRAGMA synchronous = NORMAL")
        except BaseException as err:
            self._conn.close()
            if isinstance(err, sqlite3.Error):
                raise self._cannot_open(err) from None
            raise

    def _cannot_open(self, err: sqlite3.Error) -> StoreError:
        folder = self.path.parent
        if str(self.path) != ":memory:" and not os.access(folder, os.W_OK):
            return StoreError(
                f"{folder} is read-only, and posjobs must write its store there "
                f"({self.path.name}: {err})",
                hint="make the folder writable, or put the store elsewhere with --db PATH")
        return StoreError(f"{self.path}: cannot open the store: {err}")

    def _check_and_migrate(self) -> None:
        if self._check() == SCHEMA_VERSION:
            return
        db = self._conn
        with self.write():
            # Another process may have created or migrated the store since the check above.
            version = self._check()
            if version == SCHEMA_VERSION:
                return
            for target, script in MIGRATIONS:
                if target > version:
                    for statement in script:
                        db.execute(statement)
            db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _check(self) -> int:
        """The store's schema version, after making sure it is a store this posjobs can use."""
        # One statement, so the three values come from one snapshot of the file.
        app_id, version, tables = self._conn.execute(
            "SELECT a.application_id, v.user_version, (SELECT count(*) FROM sqlite_master) "
            "FROM pragma_application_id() AS a, pragma_user_version() AS v"
        ).fetchone()
        if tables and app_id != APPLICATION_ID:
            raise StoreError(
                f"{self.path} is an SQLite database but not a posjobs store",
                hint="point --db at another file, or remove this one",
            )
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} was written by a newer posjobs (schema {version}, "
                f"this one knows {SCHEMA_VERSION})",
                hint="upgrade posjobs",
            )
        return int(version)

    def _use_wal(self) -> None:
        """Switch to WAL mode. While other connections open the same new file, SQLite
        refuses the switch at once (the busy timeout does not apply), so retry a while."""
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                self._conn.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as err:
                if "locked" not in str(err) or time.monotonic() > deadline:
                    raise
                time.sleep(0.005)

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taking SQLite's write lock up front."""
        with self._lock, self._store_errors():
            self._begin()
            try:
                yield self._conn
            except BaseException:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise
            else:
                self._conn.execute("COMMIT")

    def _begin(self) -> None:
        """BEGIN IMMEDIATE, waiting for the write lock up to the busy timeout in short
        steps (see FIRST_PAUSE) instead of SQLite's."""
        self._conn.execute("PRAGMA busy_timeout = 0")
        try:
            began = 0.0
            pause = FIRST_PAUSE
            while True:
                try:
                    self._conn.execute("BEGIN IMMEDIATE")
                    return
                except sqlite3.OperationalError as err:
                    now = time.monotonic()
                    if "locked" not in str(err) and "busy" not in str(err):
                        raise
                    if not began:
                        began = now
                    elif now - began > self._busy_ms / 1000:
                        raise
                    time.sleep(pause)
                    longest = SHORT_PAUSE if now - began < SHORT_WAIT else LONG_PAUSE
                    pause = min(pause * 1.5, longest)
        finally:
            self._conn.execute(f"PRAGMA busy_timeout = {self._busy_ms}")

    def read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock, self._store_errors():
            return self._conn.execute(sql, params).fetchall()

    @contextmanager
    def _store_errors(self) -> Iterator[None]:
        """SQLite's errors as the user's: a damaged file, a lock held too long."""
        try:
            yield
        except sqlite3.OperationalError as err:
            if "locked" in str(err) or "busy" in str(err):
                raise StoreError(
                    f"{self.path} stayed locked by another process for "
                    f"{self._busy_ms / 1000:g} s",
                    hint="is a stuck posjobs process holding it?",
                ) from None
            raise StoreError(f"{self.path}: {err}") from None
        except sqlite3.DatabaseError as err:
            raise StoreError(f"{self.path} is damaged: {err}") from None

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def _refuse_empty(path: Path) -> None:
    """A 0-byte file where the store should be is damage (a failed copy, a truncation), not
    a new store: SQLite would silently start an empty one in it. (A file another process
    created a moment ago, and is making a store of, is left alone.)"""
    try:
        info = path.stat()
    except OSError:
        return
    if info.st_size == 0 and time.time() - info.st_mtime > 2.0 \
            and not path.with_name(path.name + "-wal").exists():
        raise StoreError(f"{path} is empty (0 bytes), so it is not a posjobs store",
                         hint="remove it to start a new store, or point --db at the right file")
