"""The data layer on PostgreSQL: the same pages, the same answers as on SQLite.

The store contract suite (tests/store/test_data_contract.py) pins each operation; this runs
whole renders against a real server.
"""

from __future__ import annotations

import pytest

from posjobs.clock import ManualClock
from posjobs.config import Settings
from posjobs.data import DataLayer
from posjobs.errors import StoreError, TemplateError
from posjobs.services.render import render_page
from posjobs.store.data.postgres import PostgresDataStore, shown_url
from posjobs.store.sqlite import SQLiteStore
from tests.conftest import FIXTURES, T0


@pytest.fixture
def shop(tmp_path):
    import shutil

    from posjobs.project import Project

    root = tmp_path / "shop"
    shutil.copytree(FIXTURES / "shop", root, ignore=shutil.ignore_patterns("*.db*"))
    return Project(root)


def test_a_page_writes_and_another_reads_through_postgresql(shop, pg_server, pg_schema):
    data = DataLayer(shop, f"{pg_server}?schema={pg_schema}")
    store = SQLiteStore(shop.root / ".posjobs" / "posjobs.db")
    clock = ManualClock(T0)
    try:
        for sku, qty in (("BOOK-1", "2"), ("PEN-9", "1")):
            render_page(shop, store, "orders/create", clock=clock, settings=Settings(),
                        params={"sku": sku, "qty": qty}, data=data)
            clock.advance(1)
        html = render_page(shop, store, "orders", clock=clock, settings=Settings(),
                           data=data).html
        assert "2 order(s)" in html
        assert html.index("PEN-9 x 1: new") < html.index("BOOK-1 x 2: new")  # newest first
        # A failed render rolls back on PostgreSQL too.
        (shop.root / "app/views/pages/fails.liquid").write_text(
            "{% graphql r = 'orders/create', sku: 'LOST', qty: 1 %}{% include 'no/such' %}")
        with pytest.raises(TemplateError, match="no/such"):
            render_page(shop, store, "fails", clock=clock, settings=Settings(), data=data)
        assert "2 order(s)" in render_page(shop, store, "orders", clock=clock,
                                           settings=Settings(), data=data).html
    finally:
        data.close()
        store.close()


def test_an_unreachable_server_is_a_store_error_without_the_password():
    with pytest.raises(StoreError) as caught:
        PostgresDataStore("postgresql://ada:s3cret@127.0.0.1:1/nope")
    assert "s3cret" not in caught.value.message
    assert "postgresql://ada:***@127.0.0.1:1/nope" in caught.value.message
    assert shown_url("postgresql://u@h/db") == "postgresql://u@h/db"


def test_a_connection_the_server_dropped_is_replaced_at_the_next_run(shop, pg_server,
                                                                     pg_schema):
    # As after a server restart: a worker's slot keeps its data layer for its whole life.
    import psycopg

    app = f"data_{pg_schema}"
    data = DataLayer(shop, f"{pg_server}?schema={pg_schema}&application_name={app}")
    store = SQLiteStore(shop.root / ".posjobs" / "posjobs.db")
    clock = ManualClock(T0)

    def order(sku: str) -> None:
        render_page(shop, store, "orders/create", clock=clock, settings=Settings(),
                    params={"sku": sku, "qty": "1"}, data=data)

    try:
        order("BOOK-1")
        with psycopg.connect(pg_server, autocommit=True) as admin:
            dropped = admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                    "WHERE application_name = %s", (app,)).fetchall()
        assert len(dropped) == 1
        order("PEN-9")
        html = render_page(shop, store, "orders", clock=clock, settings=Settings(),
                           data=data).html
        assert "2 order(s)" in html
    finally:
        data.close()
        store.close()


def test_a_connection_lost_during_a_run_fails_the_rest_of_it_until_its_rollback(
        pg_server, pg_schema):
    # Nothing the run does after the loss may start a new transaction and commit half a
    # run, even if the template caught the error (a `{% try %}` around a failing call).
    import psycopg

    app = f"data_{pg_schema}"
    store = PostgresDataStore(f"{pg_server}?schema={pg_schema}&application_name={app}")

    def marks() -> list[int]:
        with psycopg.connect(pg_server) as admin:
            rows = admin.execute(f"SELECT (properties ->> 'n')::int FROM {pg_schema}.records "
                                 "ORDER BY 1").fetchall()
        return [row[0] for row in rows]

    try:
        store.begin()
        store.insert_record("mark", {"n": 1}, T0)
        with psycopg.connect(pg_server, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE application_name = %s", (app,))
        with pytest.raises(StoreError, match="terminating connection"):
            store.insert_record("mark", {"n": 2}, T0)
        assert store.in_transaction
        for step in (lambda: store.insert_record("mark", {"n": 3}, T0), store.commit,
                     store.begin):
            with pytest.raises(StoreError, match="lost during this run; nothing it wrote"):
                step()
        with pytest.raises(StoreError, match="lost during this run"), store.savepoint():
            pass
        store.rollback()
        assert not store.in_transaction
        store.begin()  # the next run, on a new connection
        store.insert_record("mark", {"n": 4}, T0)
        store.commit()
        assert marks() == [4]
    finally:
        store.close()
