"""The data store contract (`posjobs.store.data.base.DataStore`), checked against every
implementation.

Each test is an example of what the data layer sees. Stores are real: the SQLite store runs
on a file under `tmp_path`. Values are as the data layer stores them (already coerced to the
property's type: integers, floats, booleans, ISO-8601 texts for times, lists for arrays).

Every implementation is in `BACKENDS`: a function that, given the test's request and a fresh
temporary directory, returns an opener. Every call of the opener must return a new store
object (its own connection) on the same, initially empty, data. PostgreSQL runs against the
test server (tests/conftest.py `pg_server`), each test in a schema of its own, and is
skipped when there is none.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from posjobs.errors import StoreError
from posjobs.store.data import DataStore, open_data_store
from posjobs.store.data.base import AnyOf, Condition, Filter, Query, Sort
from posjobs.store.data.sqlite import (
    APPLICATION_ID,
    SCHEMA_VERSION,
    SQLiteDataStore,
    property_expression,
)
from tests.conftest import T0

Opener = Callable[[], DataStore]


def sqlite_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Opener:
    path = tmp_path / "data.db"
    return lambda: SQLiteDataStore(path)


def postgres_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Opener:
    """A fresh schema on the test server (skipped without one; dropped afterwards)."""
    from posjobs.store.data.postgres import PostgresDataStore

    server = request.getfixturevalue("pg_server")
    schema = request.getfixturevalue("pg_schema")
    return lambda: PostgresDataStore(f"{server}?schema={schema}")


# One entry per implementation of the contract.
BACKENDS = [
    pytest.param(sqlite_backend, id="sqlite"),
    pytest.param(postgres_backend, id="postgres"),
]


@pytest.fixture(params=BACKENDS)
def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opener]:
    """Opens store objects on one fresh, shared data store; closes them all afterwards."""
    backend: Callable[[pytest.FixtureRequest, Path], Opener] = request.param
    opener = backend(request, tmp_path)
    opened: list[DataStore] = []

    def open_() -> DataStore:
        store = opener()
        opened.append(store)
        return store

    yield open_
    for store in opened:
        store.close()


@pytest.fixture
def store(open_store: Opener) -> DataStore:
    return open_store()


# --- helpers ---------------------------------------------------------------------------------
# One table of things with every kind of property; `None` leaves the property out.
THINGS: list[dict[str, Any]] = [
    {"name": "Apple", "n": 3, "price": 1.5, "fresh": True, "at": "2026-01-05T10:00:00.000Z",
     "tags": ["red", "fruit"]},
    {"name": "banana", "n": 10, "price": 0.25, "fresh": False,
     "at": "2026-03-01T00:00:00.000Z", "tags": ["yellow", "fruit"]},
    {"name": "Cherry pie", "n": -2, "price": 12.0, "fresh": True,
     "at": "2025-12-31T23:59:59.999Z", "tags": ["red", "baked"]},
    {"name": "apple_50%", "n": 0, "price": None, "fresh": None, "at": None, "tags": []},
    {"name": None, "n": None, "price": None, "fresh": None, "at": None, "tags": None},
]


def fill(store: DataStore) -> list[int]:
    """THINGS as records of table `thing` (created one second apart), plus one `other`."""
    ids = []
    for i, values in enumerate(THINGS):
        properties = {k: v for k, v in values.items() if v is not None}
        ids.append(store.insert_record("thing", properties, T0 + i).id)
    store.insert_record("other", {"name": "Apple", "n": 3}, T0 + 10)
    return ids


def names(store: DataStore, *filters: Filter, sort: Sequence[Sort] = ()) -> list[str | None]:
    """The `name`s of the `thing` records that match, in id order unless `sort` says."""
    rows, total = store.find_records(Query(
        (Condition("eq", "thing", column="table"), *filters), tuple(sort)))
    assert total == len(rows)
    return [row.properties.get("name") for row in rows]


def prop(op: str, value: Any, name: str = "name", **kwargs: Any) -> Condition:
    return Condition(op, value, property=name, **kwargs)


ALL = ["Apple", "banana", "Cherry pie", "apple_50%", None]


# --- records: writing and reading --------------------------------------------------------------
def test_insert_returns_the_stored_record_and_get_reads_it_back(store: DataStore) -> None:
    row = store.insert_record("thing", {"name": "Apple", "tags": ["a"], "n": 1}, T0,
                              user_id=7, external_id="ext-1")
    assert row == store.get_record(row.id)
    assert (row.table, row.properties, row.created_at, row.updated_at, row.user_id,
            row.external_id) == ("thing", {"name": "Apple", "tags": ["a"], "n": 1}, T0, T0,
                                 7, "ext-1")
    assert store.get_record(row.id + 1) is None


def test_insert_keeps_a_given_id_and_refuses_one_in_use(store: DataStore) -> None:
    assert store.insert_record("thing", {}, T0, record_id=1000).id == 1000
    assert store.insert_record("thing", {}, T0).id > 1000
    with pytest.raises(StoreError, match="a record with that id already exists"):
        store.insert_record("thing", {}, T0, record_id=1000)


def test_an_id_is_never_handed_out_again(open_store: Opener) -> None:
    # The platform's ids are never reused: a job holding the id of a deleted record must
    # not find another record under it.
    store = open_store()
    first, last = (store.insert_record("thing", {}, T0) for _ in range(2))
    store.delete_record(last.id)
    again = open_store().insert_record("thing", {}, T0)
    assert again.id > last.id > first.id
    ada = store.insert_user("ada@example.com", None, {}, T0)
    store.delete_user(ada.id)
    assert store.insert_user("bob@example.com", None, {}, T0).id > ada.id


def test_update_replaces_the_properties_and_moves_updated_at(store: DataStore) -> None:
    row = store.insert_record("thing", {"name": "a", "n": 1}, T0, user_id=3)
    updated = store.update_record(row.id, {"name": "b"}, T0 + 5)
    assert updated is not None
    assert (updated.properties, updated.created_at, updated.updated_at, updated.user_id) == (
        {"name": "b"}, T0, T0 + 5, 3)
    assert store.update_record(row.id + 1, {}, T0) is None


def test_delete_returns_the_record_once(store: DataStore) -> None:
    row = store.insert_record("thing", {"name": "a"}, T0)
    deleted = store.delete_record(row.id)
    assert deleted is not None and deleted.properties == {"name": "a"}
    assert store.get_record(row.id) is None
    assert store.delete_record(row.id) is None


def test_delete_all_records_of_a_table_leaves_the_others(store: DataStore) -> None:
    fill(store)
    assert store.tables_in_use() == {"other": 1, "thing": 5}
    assert store.delete_all_records("thing") == 5
    assert store.tables_in_use() == {"other": 1}


def test_values_keep_their_json_types(store: DataStore) -> None:
    values = {"s": "x", "i": 2, "f": 2.5, "b": False, "n": None, "a": [1, "2", None],
              "o": {"k": [True]}, "unicode": "żółć ✓"}
    row = store.insert_record("thing", values, T0)
    assert store.get_record(row.id) == row
    assert row.properties == values


def test_iter_all_records_yields_every_record_oldest_first_in_batches(store: DataStore) -> None:
    ids = [store.insert_record("thing", {"i": i}, T0).id for i in range(7)]
    assert [row.id for row in store.iter_all_records(batch=3)] == ids


# --- conditions ----------------------------------------------------------------------------------
def test_eq_and_ne_on_text_numbers_and_booleans(store: DataStore) -> None:
    fill(store)
    assert names(store, prop("eq", "banana")) == ["banana"]
    assert names(store, prop("eq", 10, "n")) == ["banana"]
    assert names(store, prop("eq", 0.25, "price")) == ["banana"]
    assert names(store, prop("eq", True, "fresh")) == ["Apple", "Cherry pie"]
    assert names(store, prop("eq", False, "fresh")) == ["banana"]
    assert names(store, prop("eq", ["red", "fruit"], "tags")) == ["Apple"]
    assert names(store, prop("eq", [], "tags")) == ["apple_50%"]
    # ne keeps the records that lack the property, as SQL's `IS DISTINCT FROM` does.
    assert names(store, prop("ne", "banana")) == ["Apple", "Cherry pie", "apple_50%", None]
    assert names(store, prop("ne", True, "fresh")) == ["banana", "apple_50%", None]


def test_eq_and_ne_with_null_test_for_a_missing_value(store: DataStore) -> None:
    fill(store)
    assert names(store, prop("eq", None, "fresh")) == ["apple_50%", None]
    assert names(store, prop("ne", None, "fresh")) == ["Apple", "banana", "Cherry pie"]


def test_eq_and_ne_ignoring_case(store: DataStore) -> None:
    fill(store)
    assert names(store, prop("eq", "APPLE", case_sensitive=False)) == ["Apple"]
    assert names(store, prop("eq", "APPLE")) == []
    assert names(store, prop("ne", "APPLE", case_sensitive=False)) == [
        "banana", "Cherry pie", "apple_50%", None]


def test_in_and_not_in(store: DataStore) -> None:
    fill(store)
    assert names(store, prop("in", ["banana", "Apple", "nope"])) == ["Apple", "banana"]
    assert names(store, prop("in", [3, 0], "n")) == ["Apple", "apple_50%"]
    assert names(store, prop("in", [])) == []
    assert names(store, prop("not_in", ["banana", "Apple"])) == ["Cherry pie", "apple_50%",
                                                                 None]
    assert names(store, prop("not_in", [])) == ALL


def test_exists(store: DataStore) -> None:
    fill(store)
    assert names(store, prop("exists", True, "price")) == ["Apple", "banana", "Cherry pie"]
    assert names(store, prop("exists", False, "price")) == ["apple_50%", None]
    assert names(store, Condition("exists", True, column="user_id")) == []


def test_ranges_on_numbers(store: DataStore) -> None:
    fill(store)
    assert names(store, prop("gt", 0, "n")) == ["Apple", "banana"]
    assert names(store, prop("gte", 0, "n")) == ["Apple", "banana", "apple_50%"]
    assert names(store, prop("lt", 3, "n")) == ["Cherry pie", "apple_50%"]
    assert names(store, prop("lte", 3, "n"), prop("gt", -2, "n")) == ["Apple", "apple_50%"]
    assert names(store, prop("lt", 1.5, "price")) == ["banana"]


def test_numbers_wider_than_64_bits_compare_without_failing(store: DataStore) -> None:
    store.insert_record("thing", {"name": "huge", "n": 10**30}, T0)
    fill(store)
    assert names(store, prop("eq", 10**30, "n")) == ["huge"]
    assert names(store, prop("gt", 2**70, "n")) == ["huge"]
    assert names(store, prop("in", [10**30, 3], "n")) == ["huge", "Apple"]


def test_ranges_on_text_and_times(store: DataStore) -> None:
    fill(store)
    assert names(store, prop("gte", "a"), prop("lt", "b")) == ["apple_50%"]
    assert names(store, prop("gt", "2026-01-01T00:00:00.000Z", "at")) == ["Apple", "banana"]
    assert names(store, prop("lte", "2025-12-31T23:59:59.999Z", "at")) == ["Cherry pie"]
    # Columns hold Unix times.
    assert names(store, Condition("gte", T0 + 3, column="created_at")) == ["apple_50%", None]
    assert names(store, Condition("lt", T0 + 1, column="updated_at")) == ["Apple"]


def test_text_operators_are_case_sensitive_unless_told(store: DataStore) -> None:
    fill(store)
    assert names(store, prop("contains", "pple")) == ["Apple", "apple_50%"]
    assert names(store, prop("contains", "APP")) == []
    assert names(store, prop("contains", "APP", case_sensitive=False)) == ["Apple",
                                                                            "apple_50%"]
    assert names(store, prop("starts_with", "a")) == ["apple_50%"]
    assert names(store, prop("starts_with", "a", case_sensitive=False)) == ["Apple",
                                                                             "apple_50%"]
    assert names(store, prop("ends_with", "PIE", case_sensitive=False)) == ["Cherry pie"]
    assert names(store, prop("ends_with", "pie")) == ["Cherry pie"]
    assert names(store, prop("ends_with", "Pie")) == []


def test_negated_text_operators_keep_records_without_the_value(store: DataStore) -> None:
    fill(store)
    assert names(store, prop("not_contains", "pple")) == ["banana", "Cherry pie", None]
    assert names(store, prop("not_starts_with", "A", case_sensitive=False)) == [
        "banana", "Cherry pie", None]
    assert names(store, prop("not_ends_with", "pie")) == ["Apple", "banana", "apple_50%", None]


def test_like_wildcards_in_a_value_are_literal(store: DataStore) -> None:
    fill(store)
    assert names(store, prop("contains", "_50%", case_sensitive=False)) == ["apple_50%"]
    assert names(store, prop("contains", "%", case_sensitive=False)) == ["apple_50%"]
    assert names(store, prop("starts_with", "apple_", case_sensitive=False)) == ["apple_50%"]


def test_an_empty_text_matches_every_value(store: DataStore) -> None:
    fill(store)
    present = ["Apple", "banana", "Cherry pie", "apple_50%"]
    for op in ("contains", "starts_with", "ends_with"):
        for sensitive in (True, False):
            assert names(store, prop(op, "", case_sensitive=sensitive)) == present, (op,
                                                                                     sensitive)


def test_array_contains_wants_every_value_and_overlaps_any(store: DataStore) -> None:
    fill(store)
    assert names(store, prop("array_contains", ["red"], "tags")) == ["Apple", "Cherry pie"]
    assert names(store, prop("array_contains", ["red", "fruit"], "tags")) == ["Apple"]
    assert names(store, prop("array_overlaps", ["yellow", "baked"], "tags")) == [
        "banana", "Cherry pie"]
    assert names(store, prop("not_array_contains", ["red", "fruit"], "tags")) == [
        "banana", "Cherry pie", "apple_50%", None]
    assert names(store, prop("not_array_overlaps", ["red", "yellow"], "tags")) == [
        "apple_50%", None]


def test_array_within_wants_every_element_among_the_values(store: DataStore) -> None:
    fill(store)
    assert names(store, prop("array_within", ["red", "fruit", "blue"], "tags")) == ["Apple"]
    assert names(store, prop("array_within", ["red"], "tags")) == []
    assert names(store, prop("not_array_within", ["red", "fruit"], "tags")) == [
        "banana", "Cherry pie", "apple_50%", None]


def test_a_value_that_is_not_an_array_has_no_elements(store: DataStore) -> None:
    fill(store)
    assert names(store, prop("array_overlaps", ["banana"], "name")) == []
    assert names(store, prop("array_contains", ["banana"], "name")) == []
    assert names(store, prop("not_array_overlaps", ["banana"], "name")) == ALL


def test_column_conditions(store: DataStore) -> None:
    ids = fill(store)
    store.update_record(ids[1], {"name": "banana"}, T0, user_id=9, external_id="B")
    assert names(store, Condition("eq", ids[2], column="id")) == ["Cherry pie"]
    assert names(store, Condition("in", ids[:2], column="id")) == ["Apple", "banana"]
    assert names(store, Condition("eq", 9, column="user_id")) == ["banana"]
    assert names(store, Condition("eq", "b", column="external_id", case_sensitive=False)) == [
        "banana"]
    rows, total = store.find_records(Query((Condition("eq", "other", column="table"),)))
    assert (total, rows[0].properties["name"]) == (1, "Apple")


def test_an_unknown_column_is_a_store_error(store: DataStore) -> None:
    with pytest.raises(StoreError, match="nope"):
        store.find_records(Query((Condition("eq", 1, column="nope"),)))


def test_property_names_are_quoted_not_spliced(store: DataStore) -> None:
    odd = {"it's": 1, "a.b": 3, "$[0]": 4, "x') OR 1=1 --": 5, "żółć": 6, "back\\slash": 7}
    store.insert_record("thing", odd, T0)
    store.insert_record("thing", {}, T0)
    store.ensure_indexes(list(odd))
    for name, value in odd.items():
        rows, _total = store.find_records(Query((prop("eq", value, name),)))
        assert [row.properties for row in rows] == [odd], name
        rows, _total = store.find_records(Query(sort=(Sort(property=name, descending=True),)))
        assert rows[0].properties == odd, name


def test_sqlite_refuses_a_property_name_with_a_double_quote_by_name(tmp_path: Path) -> None:
    # SQLite's JSON paths cannot spell such a key (PostgreSQL's `->` can).
    store = SQLiteDataStore(tmp_path / "data.db")
    try:
        with pytest.raises(StoreError, match="say"):
            store.find_records(Query((prop("eq", 1, 'say "hi"'),)))
    finally:
        store.close()


def test_any_of_is_true_when_a_branch_is_and_branches_are_all_of(store: DataStore) -> None:
    fill(store)
    either = AnyOf(((prop("eq", "banana"),), (prop("eq", True, "fresh"), prop("lt", 0, "n"))))
    assert names(store, either) == ["banana", "Cherry pie"]
    assert names(store, AnyOf(())) == []
    assert names(store, either, prop("ne", "banana")) == ["Cherry pie"]


# --- sorting and paging --------------------------------------------------------------------------
def test_sort_by_column_and_property_in_either_direction(store: DataStore) -> None:
    fill(store)
    present = prop("exists", True, "n")
    assert names(store, present, sort=[Sort(property="n")]) == [
        "Cherry pie", "apple_50%", "Apple", "banana"]
    assert names(store, present, sort=[Sort(property="n", descending=True)]) == [
        "banana", "Apple", "apple_50%", "Cherry pie"]
    assert names(store, sort=[Sort(column="created_at", descending=True)]) == ALL[::-1]
    assert names(store, sort=[Sort(column="id")]) == ALL


def test_later_sorts_break_ties_and_id_breaks_the_last(store: DataStore) -> None:
    for name, group in (("b", 1), ("a", 2), ("c", 1), ("d", 2)):
        store.insert_record("thing", {"name": name, "group": group}, T0)
    assert names(store, sort=[Sort(property="group"), Sort(property="name",
                                                          descending=True)]) == [
        "c", "b", "d", "a"]
    assert names(store, sort=[Sort(property="group")]) == ["b", "c", "a", "d"]


def test_order_by_values_puts_those_first_in_that_order(store: DataStore) -> None:
    ids = fill(store)
    chosen = (str(ids[2]), str(ids[0]))
    assert names(store, sort=[Sort(column="id", values=chosen)]) == [
        "Cherry pie", "Apple", "banana", "apple_50%", None]
    assert names(store, sort=[Sort(property="name", values=("banana",))])[0] == "banana"


def test_random_sort_returns_every_record(store: DataStore) -> None:
    fill(store)
    assert sorted(names(store, sort=[Sort(random=True)]), key=str) == sorted(ALL, key=str)


def test_limit_and_offset_page_while_total_counts_every_match(store: DataStore) -> None:
    fill(store)
    table = Condition("eq", "thing", column="table")
    pages = [store.find_records(Query((table,), (Sort(column="id"),), limit=2, offset=o))
             for o in (0, 2, 4, 6)]
    assert [[r.properties.get("name") for r in rows] for rows, _ in pages] == [
        ["Apple", "banana"], ["Cherry pie", "apple_50%"], [None], []]
    assert {total for _, total in pages} == {5}
    rows, total = store.find_records(Query((table,), limit=0))
    assert (rows, total) == ([], 5)
    rows, _ = store.find_records(Query((table,), offset=3))
    assert len(rows) == 2


# --- transactions --------------------------------------------------------------------------------
def test_commit_makes_writes_visible_to_another_connection(open_store: Opener) -> None:
    writer, reader = open_store(), open_store()
    writer.begin()
    assert writer.in_transaction
    row = writer.insert_record("thing", {"name": "a"}, T0)
    assert reader.get_record(row.id) is None
    writer.commit()
    assert not writer.in_transaction
    assert reader.get_record(row.id) is not None


def test_rollback_undoes_every_write_of_the_transaction(store: DataStore) -> None:
    kept = store.insert_record("thing", {"name": "kept"}, T0)
    store.begin()
    store.insert_record("thing", {"name": "new"}, T0)
    store.update_record(kept.id, {"name": "changed"}, T0)
    store.insert_user("ada@example.com", None, {}, T0)
    store.set_constant("KEY", "v", T0)
    store.add_message("email", "welcome", {}, T0)
    store.add_activity({"a": 1}, T0)
    store.rollback()
    assert [r.properties for r in store.iter_all_records()] == [{"name": "kept"}]
    assert store.find_users(Query())[1] == 0
    assert store.constants() == {}
    assert store.messages()[1] == 0
    assert store.activities()[1] == 0


def test_a_savepoint_rolls_back_its_part_only_when_it_raises(store: DataStore) -> None:
    store.begin()
    store.insert_record("thing", {"name": "before"}, T0)
    with pytest.raises(RuntimeError), store.savepoint():
        store.insert_record("thing", {"name": "inside"}, T0)
        raise RuntimeError("the part failed")
    with store.savepoint():
        store.insert_record("thing", {"name": "kept part"}, T0)
    assert store.in_transaction
    store.insert_record("thing", {"name": "after"}, T0)
    store.commit()
    assert [r.properties["name"] for r in store.iter_all_records()] == [
        "before", "kept part", "after"]


def test_nested_savepoints_roll_back_the_inner_part_only(store: DataStore) -> None:
    store.begin()
    with store.savepoint():
        store.insert_record("thing", {"name": "outer"}, T0)
        with pytest.raises(ValueError), store.savepoint():
            store.insert_record("thing", {"name": "inner"}, T0)
            raise ValueError
    store.commit()
    assert [r.properties["name"] for r in store.iter_all_records()] == ["outer"]


def test_a_committed_savepoint_is_still_undone_by_the_transactions_rollback(
        store: DataStore) -> None:
    store.begin()
    with store.savepoint():
        store.insert_record("thing", {"name": "part"}, T0)
    store.rollback()
    assert list(store.iter_all_records()) == []


def test_commit_and_rollback_without_a_transaction_do_nothing(store: DataStore) -> None:
    store.commit()
    store.rollback()
    assert not store.in_transaction


# --- indexes -------------------------------------------------------------------------------------
def test_ensure_indexes_is_idempotent_and_survives_reopening(open_store: Opener) -> None:
    first = open_store()
    first.ensure_indexes(["name", "n", "name"])
    first.ensure_indexes(["name"])
    fill(first)
    again = open_store()
    again.ensure_indexes(["name", "n"])
    assert names(again, prop("eq", "banana")) == ["banana"]


def test_ensure_indexes_inside_a_rolled_back_transaction_is_not_lost(tmp_path: Path) -> None:
    store = SQLiteDataStore(tmp_path / "data.db")
    try:
        store.begin()
        store.ensure_indexes(["name"])
        store.rollback()
        store.ensure_indexes(["name"])
        assert "records_prop_name" in index_names(tmp_path / "data.db")
    finally:
        store.close()


def index_names(path: Path) -> set[str]:
    raw = sqlite3.connect(path)
    try:
        return {name for (name,) in raw.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index'")}
    finally:
        raw.close()


def query_plan(path: Path, sql: str, params: Sequence[Any]) -> str:
    raw = sqlite3.connect(path)
    try:
        return " | ".join(row[-1] for row in raw.execute(f"EXPLAIN QUERY PLAN {sql}", params))
    finally:
        raw.close()


def test_an_equality_filter_on_a_property_uses_its_expression_index(tmp_path: Path) -> None:
    path = tmp_path / "data.db"
    store = SQLiteDataStore(path)
    try:
        store.ensure_indexes(["email", "n"])
        store.begin()
        for i in range(200):
            store.insert_record("user_note", {"email": f"u{i}@example.com", "n": i}, T0)
        store.commit()
    finally:
        store.close()
    # The same SQL find_records runs: `table_name = ? AND <property expression> = ?`.
    where = f"table_name = ? AND {property_expression('email')} = ?"
    plan = query_plan(path, f"SELECT id FROM records WHERE {where}",
                      ["user_note", "u7@example.com"])
    assert "USING INDEX records_prop_email" in plan, plan
    ranged = f"table_name = ? AND {property_expression('n')} > ?"
    plan = query_plan(path, f"SELECT id FROM records WHERE {ranged}", ["user_note", 190])
    assert "USING INDEX records_prop_n" in plan, plan


# --- users ---------------------------------------------------------------------------------------
def test_users_are_written_read_and_found(store: DataStore) -> None:
    ada = store.insert_user("Ada@Example.com", "hash", {"age": 36}, T0,
                            fields={"first_name": "Ada", "slug": "ada"}, external_id="x1")
    assert store.get_user(ada.id) == ada
    assert (ada.email, ada.password_hash, ada.properties, ada.fields, ada.external_id) == (
        "Ada@Example.com", "hash", {"age": 36}, {"first_name": "Ada", "slug": "ada"}, "x1")
    store.insert_user("bob@example.com", None, {}, T0, fields={"first_name": "Bob"})
    found, total = store.find_users(Query((Condition("eq", "ada@example.com", column="email",
                                                     case_sensitive=False),)))
    assert (total, [u.id for u in found]) == (1, [ada.id])
    found, _ = store.find_users(Query((Condition("eq", "Bob", column="first_name"),)))
    assert [u.email for u in found] == ["bob@example.com"]
    found, _ = store.find_users(Query((prop("gt", 30, "age"),)))
    assert [u.email for u in found] == ["Ada@Example.com"]
    found, _ = store.find_users(Query(sort=(Sort(column="email", descending=True),)))
    assert [u.email for u in found] == ["bob@example.com", "Ada@Example.com"]


def test_a_users_email_is_unique_ignoring_case(store: DataStore) -> None:
    store.insert_user("ada@example.com", None, {}, T0)
    with pytest.raises(StoreError, match="a user with that email already exists"):
        store.insert_user("ADA@example.com", None, {}, T0)
    bob = store.insert_user("bob@example.com", None, {}, T0)
    with pytest.raises(StoreError, match="a user with that email already exists"):
        store.update_user(bob.id, T0, email="Ada@Example.COM")


def test_update_user_changes_only_what_it_is_given(store: DataStore) -> None:
    ada = store.insert_user("ada@example.com", "h1", {"age": 1}, T0, fields={"slug": "ada"})
    changed = store.update_user(ada.id, T0 + 1, properties={"age": 2})
    assert changed is not None
    assert (changed.email, changed.password_hash, changed.properties, changed.fields,
            changed.updated_at) == ("ada@example.com", "h1", {"age": 2}, {"slug": "ada"},
                                    T0 + 1)
    changed = store.update_user(ada.id, T0 + 2, email="a@example.com", password_hash="h2",
                                fields={"slug": "a"})
    assert changed is not None
    assert (changed.email, changed.password_hash, changed.fields) == ("a@example.com", "h2",
                                                                      {"slug": "a"})
    assert store.update_user(ada.id + 9, T0) is None


def test_update_user_sets_an_external_id(store: DataStore) -> None:
    ada = store.insert_user("ada@example.com", None, {}, T0)
    changed = store.update_user(ada.id, T0, external_id="crm-7")
    assert changed is not None and changed.external_id == "crm-7"
    kept = store.update_user(ada.id, T0, properties={"a": 1})
    assert kept is not None and kept.external_id == "crm-7"


def test_delete_user(store: DataStore) -> None:
    ada = store.insert_user("ada@example.com", None, {}, T0)
    assert store.delete_user(ada.id) == ada
    assert store.get_user(ada.id) is None
    assert store.delete_user(ada.id) is None
    # Its email is free again.
    assert store.insert_user("ada@example.com", None, {}, T0).email == "ada@example.com"


# --- constants, messages, activities -------------------------------------------------------------
def test_constants_set_replace_and_unset(store: DataStore) -> None:
    store.set_constant("B", "2", T0)
    store.set_constant("A", "1", T0)
    store.set_constant("B", "two", T0 + 1)
    assert store.constants() == {"A": "1", "B": "two"}
    assert list(store.constants()) == ["A", "B"]
    assert store.unset_constant("A") is True
    assert store.unset_constant("A") is False
    assert store.constants() == {"B": "two"}


def test_messages_by_kind_newest_first_and_paged(store: DataStore) -> None:
    first = store.add_message("email", "welcome", {"to": "a@example.com"}, T0)
    store.add_message("api_call", "hook", {"request": {"url": "https://x"}}, T0 + 1)
    last = store.add_message("email", "reset", {"to": "b@example.com"}, T0 + 2)
    emails, total = store.messages("email")
    assert total == 2 and [m.name for m in emails] == ["reset", "welcome"]
    oldest, total = store.messages(newest_first=False, limit=1, offset=1)
    assert total == 3 and [m.name for m in oldest] == ["hook"]
    assert store.get_message(first.id) == first
    assert store.get_message(last.id + 1) is None
    assert first.payload == {"to": "a@example.com"} and first.kind == "email"


def test_activities_newest_first_and_paged(store: DataStore) -> None:
    ids = [store.add_activity({"n": i}, T0 + i) for i in range(3)]
    rows, total = store.activities(limit=2)
    assert total == 3
    assert rows == [(ids[2], {"n": 2}, T0 + 2), (ids[1], {"n": 1}, T0 + 1)]
    rows, _ = store.activities(offset=2)
    assert rows == [(ids[0], {"n": 0}, T0)]


def test_an_instance_value_is_made_once_and_kept_by_reset(open_store: Opener) -> None:
    first, other = open_store(), open_store()
    made: list[str] = []

    def make() -> str:
        made.append("x")
        return f"secret-{len(made)}"

    assert first.instance_value("token_secret", make) == "secret-1"
    assert other.instance_value("token_secret", make) == "secret-1"
    first.reset()
    assert first.instance_value("token_secret", make) == "secret-1"
    assert first.constants() == {}  # not a constant
    assert made == ["x"]


# --- the whole store -----------------------------------------------------------------------------
def test_reset_deletes_everything_and_the_store_works_on(store: DataStore) -> None:
    fill(store)
    store.insert_user("ada@example.com", None, {}, T0)
    store.set_constant("K", "v", T0)
    store.add_message("email", "x", {}, T0)
    store.add_activity({}, T0)
    store.reset()
    assert store.tables_in_use() == {}
    assert store.find_users(Query())[1] == 0
    assert store.constants() == {}
    assert store.messages()[1] == 0 and store.activities()[1] == 0
    assert store.insert_record("thing", {"name": "again"}, T0).properties == {"name": "again"}


def test_reset_inside_a_transaction_is_rolled_back_with_it(store: DataStore) -> None:
    fill(store)
    store.begin()
    store.reset()
    store.rollback()
    assert store.tables_in_use() == {"other": 1, "thing": 5}


# --- opening files (SQLite) ----------------------------------------------------------------------
def refused(path: Path, *words: str) -> None:
    """Opening `path` raises StoreError naming the file, and leaves the file as it was."""
    before = path.read_bytes()
    with pytest.raises(StoreError) as caught:
        open_data_store(path)
    text = str(caught.value)
    assert str(path) in text
    for word in words:
        assert word in text
    assert path.read_bytes() == before


def test_an_sqlite_database_that_is_not_a_data_store_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "data.db"
    raw = sqlite3.connect(path)
    with raw:
        raw.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
    raw.close()
    refused(path, "not a posjobs data store")


def test_the_job_store_is_not_a_data_store(tmp_path: Path) -> None:
    from posjobs.store.sqlite import SQLiteStore

    path = tmp_path / "posjobs.db"
    SQLiteStore(path).close()
    refused(path, "not a posjobs data store")


def test_a_file_of_garbage_bytes_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "data.db"
    path.write_bytes(b"this is not a database\x00\xff" * 200)
    refused(path, "not an SQLite database")


def test_a_data_store_from_a_newer_posjobs_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "data.db"
    open_data_store(path).close()
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    raw.close()
    refused(path, "newer posjobs", f"data schema {SCHEMA_VERSION + 1}")


# The first data schema, as posjobs wrote it before ids were kept from reuse.
SCHEMA_1 = (
    """CREATE TABLE records (id INTEGER PRIMARY KEY, table_name TEXT NOT NULL,
        properties TEXT NOT NULL, user_id INTEGER, external_id TEXT, created_at REAL NOT NULL,
        updated_at REAL NOT NULL, deleted_at REAL)""",
    "CREATE INDEX records_table ON records (table_name, id)",
    """CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, password_hash TEXT,
        properties TEXT NOT NULL, fields TEXT NOT NULL, external_id TEXT,
        created_at REAL NOT NULL, updated_at REAL NOT NULL, deleted_at REAL)""",
    "CREATE UNIQUE INDEX users_email ON users (lower(email))",
    "CREATE TABLE constants (name TEXT PRIMARY KEY, value TEXT NOT NULL, "
    "updated_at REAL NOT NULL)",
    "CREATE TABLE messages (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL, "
    "payload TEXT NOT NULL, created_at REAL NOT NULL)",
    "CREATE INDEX messages_kind ON messages (kind, id)",
    "CREATE TABLE activities (id INTEGER PRIMARY KEY, payload TEXT NOT NULL, "
    "created_at REAL NOT NULL)",
    """CREATE INDEX records_prop_name ON records (table_name,
        json_extract(properties, '$."name"'))""",
)


def test_a_store_of_the_first_schema_keeps_its_data_and_stops_reusing_ids(
        tmp_path: Path) -> None:
    path = tmp_path / "data.db"
    raw = sqlite3.connect(path)
    with raw:
        for statement in SCHEMA_1:
            raw.execute(statement)
        raw.execute("INSERT INTO records VALUES (7, 'thing', '{\"name\":\"a\"}', 3, 'x', "
                    "1.0, 2.0, NULL)")
        raw.execute("INSERT INTO records VALUES (9, 'thing', '{\"name\":\"b\"}', NULL, NULL, "
                    "1.0, 1.0, NULL)")
        raw.execute("INSERT INTO users VALUES (4, 'Ada@example.com', 'h', '{}', "
                    "'{\"slug\":\"ada\"}', NULL, 1.0, 1.0, NULL)")
        raw.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        raw.execute("PRAGMA user_version = 1")
    raw.close()
    store = SQLiteDataStore(path)
    try:
        seven = store.get_record(7)
        assert seven is not None
        assert (seven.properties, seven.user_id, seven.external_id, seven.updated_at) == (
            {"name": "a"}, 3, "x", 2.0)
        user = store.get_user(4)
        assert user is not None and user.fields == {"slug": "ada"}
        store.delete_record(9)
        assert store.insert_record("thing", {}, T0).id == 10
        with pytest.raises(StoreError, match="email"):
            store.insert_user("ada@EXAMPLE.com", None, {}, T0)
        store.ensure_indexes(["name"])
        assert names(store, prop("eq", "a")) == ["a"]
        assert store.instance_value("secret", lambda: "s1") == "s1"  # a table schema 1 lacked
    finally:
        store.close()
    assert "records_prop_name" in index_names(path)
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
    raw.close()


def test_a_postgresql_store_of_the_first_schema_gets_what_it_lacks(pg_server: str,
                                                                   pg_schema: str) -> None:
    import psycopg

    from posjobs.store.data.postgres import PostgresDataStore

    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {pg_schema}")
        conn.execute(f"CREATE TABLE {pg_schema}.meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        conn.execute(f"INSERT INTO {pg_schema}.meta VALUES ('version', '1')")
    store = PostgresDataStore(f"{pg_server}?schema={pg_schema}")
    try:
        assert store.instance_value("secret", lambda: "s1") == "s1"
        assert store.insert_record("thing", {"name": "a"}, T0).id == 1
    finally:
        store.close()


def test_a_folder_that_cannot_be_created_is_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="cannot create its folder"):
        open_data_store(blocker / "sub" / "data.db")


def test_an_in_memory_store_works(tmp_path: Path) -> None:
    store = open_data_store(":memory:")
    try:
        row = store.insert_record("thing", {"name": "a"}, T0)
        assert store.get_record(row.id) == row
    finally:
        store.close()

