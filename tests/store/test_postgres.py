"""What only the PostgreSQL job store does: connecting (and saying why it cannot), migrating
when many processes start at once, riding through lost connections, a pool of connections
for threads that query at once, NOTIFY wake-ups.

Runs on the test server (tests/conftest.py `pg_server`), each test in a schema of its own.
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing import get_context
from typing import Any

import psycopg
import pytest

from posjobs.errors import StoreError
from posjobs.jobs.model import JobStatus
from posjobs.store import open_store
from posjobs.store.base import NextClaim
from posjobs.store.postgres import PostgresStore, connection
from posjobs.store.postgres.connection import POOL_SIZE
from posjobs.store.postgres.logs import glob_regex
from posjobs.store.postgres.schema import SCHEMA_VERSION
from tests.conftest import T0
from tests.pgserver import Throwaway
from tests.store.test_contract import add, done, log


@pytest.fixture
def url(pg_server: str, pg_schema: str) -> str:
    return f"{pg_server}?schema={pg_schema}"


@pytest.fixture
def store(url: str) -> Iterator[PostgresStore]:
    s = PostgresStore(url)
    yield s
    s.close()


def test_open_store_picks_postgres_for_a_postgresql_url(url: str) -> None:
    s = open_store(url)
    try:
        assert isinstance(s, PostgresStore)
    finally:
        s.close()


def test_an_unreachable_server_is_a_store_error_without_the_password() -> None:
    with pytest.raises(StoreError) as caught:
        PostgresStore("postgresql://bob:s3cret@127.0.0.1:1/test")
    assert "s3cret" not in str(caught.value)
    assert "postgresql://bob:***@127.0.0.1:1/test" in str(caught.value)
    assert "cannot connect" in str(caught.value)
    assert caught.value.exit_code == 5


def test_an_unknown_user_or_database_is_a_store_error(pg_server: str) -> None:
    with pytest.raises(StoreError, match="nosuchuser"):
        PostgresStore(pg_server.replace("postgres@", "nosuchuser:pw@"))
    with pytest.raises(StoreError, match="nosuchdb"):
        PostgresStore(pg_server.rsplit("/", 1)[0] + "/nosuchdb")


def test_a_user_without_rights_is_told_so(pg_server: str, pg_schema: str) -> None:
    role = "pj_" + pg_schema
    with psycopg.connect(pg_server, autocommit=True) as admin:
        admin.execute(f"CREATE ROLE {role} LOGIN")
    try:
        limited = pg_server.replace("postgres@", f"{role}@") + f"?schema={pg_schema}"
        with pytest.raises(StoreError, match="no rights"):
            PostgresStore(limited)
    finally:
        with psycopg.connect(pg_server, autocommit=True) as admin:
            admin.execute(f"DROP ROLE {role}")


def test_a_schema_of_other_tables_is_refused(pg_server: str, pg_schema: str) -> None:
    with psycopg.connect(pg_server, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {pg_schema}")
        admin.execute(f"CREATE TABLE {pg_schema}.customers (id int)")
    with pytest.raises(StoreError, match="not a posjobs job store"):
        PostgresStore(f"{pg_server}?schema={pg_schema}")


def test_a_store_from_a_newer_posjobs_is_refused(store: PostgresStore, url: str) -> None:
    with psycopg.connect(url.split("?")[0], autocommit=True) as admin:
        admin.execute(f"UPDATE {store.schema}.meta SET value = %s WHERE key = 'version'",
                      (str(SCHEMA_VERSION + 1),))
    with pytest.raises(StoreError, match="newer posjobs"):
        PostgresStore(url)


def test_a_schema_of_the_previous_version_is_migrated_on_first_use(
        store: PostgresStore, url: str) -> None:
    first, second = add(store, 2)
    claimed = store.claim("w1", T0, 30)
    assert claimed is not None
    with psycopg.connect(url.split("?")[0], autocommit=True) as admin:  # as version 2 left it
        admin.execute(f"DROP FUNCTION {store.schema}.finish_and_claim")
        admin.execute(f"UPDATE {store.schema}.meta SET value = '2' WHERE key = 'version'")
    again = PostgresStore(url)
    try:
        status, following = again.finish_and_claim(claimed, done(T0 + 1),
                                                   NextClaim("w1", T0 + 1, 30))
        assert status is JobStatus.DONE
        assert following is not None and following.id == second.id
        assert again.get_job(first.id).status is JobStatus.DONE  # type: ignore[union-attr]
    finally:
        again.close()
    with psycopg.connect(url.split("?")[0], autocommit=True) as admin:
        assert admin.execute(f"SELECT value FROM {store.schema}.meta WHERE key = 'version'"
                             ).fetchone() == (str(SCHEMA_VERSION),)


def _open_and_add(url: str) -> list[int]:
    s = PostgresStore(url)
    try:
        return [job.id for job in add(s, 5)]
    finally:
        s.close()


def test_many_processes_creating_one_store_at_once_all_get_it(url: str) -> None:
    with get_context("spawn").Pool(6) as pool:
        results = pool.map(_open_and_add, [url] * 6)
    ids = sorted(i for batch in results for i in batch)
    assert ids == list(range(1, 31))


def _terminate_others(pg_server: str) -> int:
    with psycopg.connect(pg_server, autocommit=True) as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND application_name = 'posjobs-test-victim'").fetchall()
    return len(rows)


def test_a_dropped_connection_is_replaced_and_the_call_goes_through(
        pg_server: str, pg_schema: str) -> None:
    victim = PostgresStore(
        f"{pg_server}?schema={pg_schema}&application_name=posjobs-test-victim")
    try:
        [job] = add(victim, 1)
        assert _terminate_others(pg_server) >= 1
        claimed = victim.claim("w1", T0, 30)  # a write, on a connection the server closed
        assert claimed is not None and claimed.id == job.id
        assert _terminate_others(pg_server) >= 1
        assert victim.get_job(job.id) is not None  # a read, likewise
        assert victim.finish_attempt(claimed, done(T0 + 1)) is JobStatus.DONE
        time.sleep(1.1)  # quiet: the next write checks its connection first
        assert _terminate_others(pg_server) >= 1
        assert [j.id for j in add(victim, 1)] == [job.id + 1]  # an enqueue, likewise
        again = victim.claim("w1", T0 + 2, 30)
        assert again is not None
        time.sleep(1.1)
        assert _terminate_others(pg_server) >= 1  # the busiest path, one statement, likewise
        assert victim.finish_and_claim(again, done(T0 + 3), NextClaim("w1", T0 + 3, 30)) == \
            (JobStatus.DONE, None)
    finally:
        victim.close()


@contextmanager
def _row_locked(url: str, schema: str, job_id: int) -> Iterator[None]:
    """Another session holds job `job_id`'s row lock until the block ends."""
    with psycopg.connect(url.split("?")[0]) as admin:  # a transaction, not autocommit
        admin.execute(f"SELECT id FROM {schema}.jobs WHERE id = %s FOR UPDATE", (job_id,))
        yield
        admin.rollback()


def _backends(pg_server: str, app: str, *, waiting: bool = False) -> int:
    with psycopg.connect(pg_server, autocommit=True) as admin:
        row = admin.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s"
            + (" AND wait_event_type = 'Lock'" if waiting else ""), (app,)).fetchone()
    return int(row[0]) if row else 0


def _wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


@contextmanager
def _store_named(pg_server: str, pg_schema: str) -> Iterator[tuple[PostgresStore, str]]:
    """A store whose connections carry an application name of their own, and that name."""
    app = f"pool_{pg_schema}"
    store = PostgresStore(f"{pg_server}?schema={pg_schema}&application_name={app}")
    try:
        yield store, app
    finally:
        store.close()


def test_threads_query_at_once_each_on_a_connection_of_its_own(
        pg_server: str, pg_schema: str) -> None:
    # As `posjobs serve`'s request threads do: one waiting on the server holds up no other.
    with _store_named(pg_server, pg_schema) as (store, app):
        [job] = add(store, 1)
        deleted: list[bool] = []
        with _row_locked(pg_server, pg_schema, job.id):
            writer = threading.Thread(target=lambda: deleted.append(store.delete_job(job.id)))
            writer.start()
            _wait_until(lambda: _backends(pg_server, app, waiting=True) == 1)
            seen = store.get_job(job.id)  # while the delete still waits for the row
            assert seen is not None and seen.id == job.id
            assert writer.is_alive() and not deleted
        writer.join(10)
        assert deleted == [True]


def test_a_store_opens_at_most_its_pool_of_connections_and_the_rest_wait_their_turn(
        pg_server: str, pg_schema: str) -> None:
    with _store_named(pg_server, pg_schema) as (store, app):
        [job] = add(store, 1)
        results: list[bool] = []
        threads = [threading.Thread(target=lambda: results.append(store.delete_job(job.id)))
                   for _ in range(POOL_SIZE + 2)]
        with _row_locked(pg_server, pg_schema, job.id):
            for thread in threads:
                thread.start()
            _wait_until(lambda: _backends(pg_server, app, waiting=True) == POOL_SIZE)
            time.sleep(0.2)
            assert _backends(pg_server, app) == POOL_SIZE  # the two others wait in the pool
            assert not results
        for thread in threads:
            thread.join(10)
        assert sorted(results) == [False] * (POOL_SIZE + 1) + [True]


def test_a_thread_that_gets_no_connection_in_time_is_told_why(
        pg_server: str, pg_schema: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(connection, "POOL_SIZE", 1)
    with _store_named(pg_server, pg_schema) as (store, app):
        [job] = add(store, 1)
        monkeypatch.setattr(connection, "PROBE_AFTER", 0.1)
        monkeypatch.setattr(connection, "POOL_WAIT", 0.3)
        with _row_locked(pg_server, pg_schema, job.id):
            writer = threading.Thread(target=store.delete_job, args=(job.id,))
            writer.start()
            _wait_until(lambda: _backends(pg_server, app, waiting=True) == 1)
            with pytest.raises(StoreError) as caught:
                store.get_job(job.id)
            assert "none of the store's 1 connections came free within 0.3 s" in str(
                caught.value)
            assert caught.value.exit_code == 5
        writer.join(10)
        assert store.get_job(job.id) is None  # the waiting delete went through after all


def test_while_the_server_is_away_a_query_is_told_why_at_once_and_goes_on_when_it_is_back(
        own_server: tuple[Throwaway, str]) -> None:
    server, address = own_server
    store = PostgresStore(f"{address}?schema=away")
    try:
        [job] = add(store, 1)
        server.down()
        started = time.monotonic()
        with pytest.raises(StoreError) as caught:
            store.get_job(job.id)
        # Not after the pool's wait for a free connection: the server is not there.
        assert time.monotonic() - started < connection.POOL_WAIT
        assert "cannot connect" in str(caught.value) and caught.value.exit_code == 5
        server.up()
        assert store.get_job(job.id) is not None  # the pool reconnects on demand
    finally:
        store.close()


def _read_until(stream: Any, text: str, timeout: float = 30.0) -> str:
    """Read a process's pipe until it holds `text`; what was read."""
    deadline = time.monotonic() + timeout
    seen = b""
    while text.encode() not in seen:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([stream], [], [], left)[0]:
            raise AssertionError(f"no {text!r} in {seen.decode()!r}")
        chunk = os.read(stream.fileno(), 4096)
        assert chunk, f"closed before {text!r}: {seen.decode()!r}"
        seen += chunk
    return seen.decode()


def test_logs_follow_rides_through_a_server_stop_and_start(
        own_server: tuple[Throwaway, str]) -> None:
    server, address = own_server
    url = f"{address}?schema=followed"
    writer = PostgresStore(url)
    writer.add_logs([log("info", "before")])
    writer.close()
    follower = subprocess.Popen([sys.executable, "-m", "posjobs", "--db", url, "logs",
                                 "--follow"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        _read_until(follower.stdout, "info: before")
        server.down()
        said = _read_until(follower.stderr, "; retrying")
        assert said.startswith(f"store error: {url}: ")
        server.up()
        writer = PostgresStore(url)
        writer.add_logs([log("info", "after the restart")])
        writer.close()
        _read_until(follower.stdout, "info: after the restart")
        assert "the store works again" in _read_until(follower.stderr, "again")
        assert follower.poll() is None  # still following
    finally:
        follower.terminate()
        follower.wait(10)


def test_an_idle_waiter_is_woken_by_a_job_enqueued_elsewhere_within_50_ms(
        store: PostgresStore, url: str) -> None:
    other = PostgresStore(url)
    try:
        assert store.wait_for_change("jobs", 0.01) is False  # listening from now on
        woken: list[float] = []

        def waiter() -> None:
            if store.wait_for_change("jobs", 5.0):
                woken.append(time.monotonic())

        thread = threading.Thread(target=waiter)
        thread.start()
        time.sleep(0.2)
        started = time.monotonic()
        add(other, 1)
        thread.join(6)
        assert woken and woken[0] - started < 0.05
    finally:
        other.close()


def test_log_entries_wake_log_waiters_and_not_job_waiters(
        store: PostgresStore, url: str) -> None:
    other = PostgresStore(url)
    try:
        store.wait_for_change("logs", 0.01)
        other.add_logs([log("info")])
        assert store.wait_for_change("logs", 2.0) is True
        store.wait_for_change("jobs", 0.01)
        other.add_logs([log("info")])
        assert store.wait_for_change("jobs", 0.2) is False
    finally:
        other.close()


@pytest.mark.parametrize(("glob", "matches", "misses"), [
    ("send_*", ["send_email", "send_"], ["resend_email", "Send_email"]),
    ("a?c", ["abc"], ["ac", "abbc"]),
    ("[ab]x", ["ax", "bx"], ["cx"]),
    ("[!ab]x", ["cx"], ["ax"]),
    ("a.b(c)+", ["a.b(c)+"], ["axb(c)+", "a.bcc"]),
])
def test_globs_match_as_sqlite_glob_does(glob: str, matches: list[str],
                                         misses: list[str]) -> None:
    import re

    pattern = re.compile(glob_regex(glob))
    assert all(pattern.search(text) for text in matches)
    assert not any(pattern.search(text) for text in misses)


def test_follow_shows_entries_written_elsewhere_as_they_commit(
        store: PostgresStore, url: str) -> None:
    from posjobs.services.logs import follow
    from posjobs.store.base import LogFilter

    other = PostgresStore(url)
    seen: list[tuple[str, float]] = []
    stop = threading.Event()

    def tail() -> None:
        # A long poll: only a wake-up makes an entry appear soon after its commit.
        for entry in follow(store, LogFilter(), 0, poll_seconds=1.0, should_stop=stop.is_set):
            seen.append((entry.message, time.monotonic()))

    thread = threading.Thread(target=tail)
    thread.start()
    try:
        time.sleep(0.3)
        written = time.monotonic()
        other.add_logs([log("info", "hello from another host")])
        deadline = time.monotonic() + 3
        while not seen and time.monotonic() < deadline:
            time.sleep(0.005)
        assert seen and seen[0][0] == "hello from another host"
        assert seen[0][1] - written < 0.5
    finally:
        stop.set()
        thread.join(5)
        other.close()
