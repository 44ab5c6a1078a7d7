"""Records through GraphQL on a real SQLite file: the `records` query (filters, sorts, pages,
property fields, related records) and record_create / record_update / record_delete /
records_delete_all, as a project's .graphql files use them.

Expected shapes come from the platform's docs (developer-guide/records/*) and the queries of
its own modules (pos-module-core's `modules/core/public/graphql/records/*`, pos-module-user).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from posjobs.clock import ManualClock
from posjobs.data import DataError, DataLayer
from posjobs.data.graphql import QueryError
from posjobs.data.session import Source
from posjobs.store.data.sqlite import SQLiteDataStore
from tests.conftest import T0, write_project
from tests.liquid.tag_helpers import Pages

PRODUCT = """
name: product
properties:
  - name: title
  - name: price
    type: float
  - name: stock
    type: integer
  - name: active
    type: boolean
  - name: tags
    type: array
  - name: released_at
    type: datetime
  - name: day
    type: date
  - name: photo
    type: upload
  - name: meta
    type: json
"""
REVIEW = """
name: review
properties:
  - name: product_id
    type: integer
  - name: stars
    type: integer
"""
FILES = {"app/schema/product.yml": PRODUCT, "app/schema/review.yml": REVIEW}

CREATE = """
mutation create($title: String, $price: Float, $stock: Int, $active: Boolean,
                $tags: [String], $released_at: String) {
  record: record_create(record: {
    table: "product"
    properties: [
      { name: "title", value: $title }
      { name: "price", value_float: $price }
      { name: "stock", value_int: $stock }
      { name: "active", value_boolean: $active }
      { name: "tags", value_array: $tags }
      { name: "released_at", value: $released_at }
    ]
  }) { id }
}
"""
PRODUCTS: list[dict[str, Any]] = [
    {"title": "Apple", "price": 1.5, "stock": 3, "active": True, "tags": ["red", "fruit"],
     "released_at": "2026-01-05T10:00:00Z"},
    {"title": "banana", "price": 0.25, "stock": 10, "active": False,
     "tags": ["yellow", "fruit"], "released_at": "2026-03-01T00:00:00Z"},
    {"title": "Cherry pie", "price": 12.0, "stock": 0, "active": True,
     "tags": ["red", "baked"], "released_at": "2025-12-31T23:59:59Z"},
    {"title": "Dates", "price": None, "stock": None, "active": None, "tags": None,
     "released_at": None},
]


class Data:
    """Runs operations as `app/graphql/test.graphql` would, each in its own committed run,
    one second apart."""

    def __init__(self, root: Path) -> None:
        self.project = write_project(root, FILES)
        self.layer = DataLayer(self.project, root / ".posjobs" / "data.db")
        self.clock = ManualClock(T0)

    def __call__(self, text: str, **variables: Any) -> dict[str, Any]:
        self.clock.advance(1)
        session = self.layer.session(self.clock)
        try:
            result = session.execute(text, variables, Source("test", "app/graphql/test.graphql"))
        except BaseException:
            session.rollback()
            raise
        session.commit()
        return result

    def products(self) -> list[int]:
        return [int(self(CREATE, **values)["record"]["id"]) for values in PRODUCTS]

    def titles(self, filter_: str = "", sort: str = "", **variables: Any) -> list[str | None]:
        """The titles of the products a filter (the inside of `filter: {...}`) finds."""
        declared = ", ".join(f"${name}: {kind}" for name, (kind, _v) in variables.items())
        result = self(f"""
            query q{f"({declared})" if declared else ""} {{
              records(per_page: 100, filter: {{ table: {{ value: "product" }} {filter_} }}
                      {f"sort: {sort}" if sort else ""}) {{
                total_entries
                results {{ title: property(name: "title") }}
              }}
            }}""", **{name: value for name, (_kind, value) in variables.items()})
        records = result["records"]
        assert records["total_entries"] == len(records["results"])
        return [r["title"] for r in records["results"]]


@pytest.fixture
def data(tmp_path: Path) -> Iterator[Data]:
    runner = Data(tmp_path / "project")
    yield runner
    runner.layer.close()


# --- create and find ---------------------------------------------------------------------
def test_create_then_find_by_id_returns_the_typed_properties(data: Data) -> None:
    [apple, *_] = data.products()
    found = data("""
        query find($id: ID!) {
          records(per_page: 1, filter: { id: { value: $id } }) {
            results { id table created_at updated_at properties }
          }
        }""", id=apple)
    [record] = found["records"]["results"]
    assert record["id"] == str(apple)
    assert record["table"] == "product"
    assert record["created_at"] == record["updated_at"] == "2026-11-18T11:06:41.000Z"
    # Every declared property, typed as the schema says; an absent one is null.
    assert record["properties"] == {
        "title": "Apple", "price": 1.5, "stock": 3, "active": True, "tags": ["red", "fruit"],
        "released_at": "2026-01-05T10:00:00.000Z", "day": None, "photo": None, "meta": None}


def test_property_fields_convert_as_the_platform_does(data: Data) -> None:
    data.products()
    result = data("""
        query {
          records(per_page: 1, filter: { table: { value: "product" } },
                  sort: [{ id: { order: ASC } }]) {
            results {
              title: property(name: "title")
              price_text: property(name: "price")
              stock: property_int(name: "stock")
              stock_float: property_float(name: "stock")
              active: property_boolean(name: "active")
              active_text: property(name: "active")
              tags: property_array(name: "tags")
              tags_text: property(name: "tags")
              missing: property(name: "nope")
              title_int: property_int(name: "title")
            }
          }
        }""")
    assert result["records"]["results"] == [{
        "title": "Apple", "price_text": "1.5", "stock": 3, "stock_float": 3.0,
        "active": True, "active_text": "true", "tags": ["red", "fruit"],
        "tags_text": '["red", "fruit"]', "missing": None, "title_int": None}]


def test_upload_json_and_properties_select(data: Data) -> None:
    created = data("""
        mutation {
          record_create(record: { table: "product", properties: [
            { name: "photo", value: "https://cdn.example.com/files/a%20b.png?v=1" }
            { name: "meta", value_json: { size: "L", n: [1, 2] } }
          ] }) {
            photo: property_upload(name: "photo") { url file_name extension }
            meta: property_json(name: "meta")
            meta_object: property_object(name: "meta")
          }
        }""")["record_create"]
    assert created["photo"] == {"url": "https://cdn.example.com/files/a%20b.png?v=1",
                                "file_name": "a%20b.png", "extension": "png"}
    assert created["meta"] == created["meta_object"] == {"size": "L", "n": [1, 2]}


# --- filters ---------------------------------------------------------------------------------
def test_value_filters_are_coerced_to_the_property_type(data: Data) -> None:
    data.products()
    assert data.titles('properties: [{ name: "title", value: "banana" }]') == ["banana"]
    # `value` is a String in the schema; an integer property compares as a number.
    assert data.titles('properties: [{ name: "stock", value: "10" }]') == ["banana"]
    assert data.titles('properties: [{ name: "stock", value_int: 3 }]') == ["Apple"]
    assert data.titles('properties: [{ name: "price", value_float: 12 }]') == ["Cherry pie"]
    assert data.titles('properties: [{ name: "active", value_boolean: false }]') == ["banana"]
    assert data.titles('properties: [{ name: "active", value: "true" }]') == [
        "Apple", "Cherry pie"]


def test_value_in_not_value_and_exists(data: Data) -> None:
    data.products()
    assert data.titles('properties: [{ name: "title", value_in: ["Dates", "Apple", "x"] }]'
                       ) == ["Apple", "Dates"]
    assert data.titles('properties: [{ name: "title", not_value_in: ["Dates", "Apple"] }]'
                       ) == ["banana", "Cherry pie"]
    assert data.titles('properties: [{ name: "title", not_value: "banana" }]') == [
        "Apple", "Cherry pie", "Dates"]
    assert data.titles('properties: [{ name: "price", exists: true }]') == [
        "Apple", "banana", "Cherry pie"]
    assert data.titles('properties: [{ name: "price", exists: false }]') == ["Dates"]


def test_text_filters_ignore_case_unless_told(data: Data) -> None:
    data.products()
    assert data.titles('properties: [{ name: "title", contains: "AN" }]') == ["banana"]
    assert data.titles('properties: [{ name: "title", contains: "AN", case_sensitive: true }]'
                       ) == []
    assert data.titles('properties: [{ name: "title", starts_with: "c" }]') == ["Cherry pie"]
    assert data.titles('properties: [{ name: "title", ends_with: "PIE" }]') == ["Cherry pie"]
    assert data.titles('properties: [{ name: "title", not_contains: "a" }]') == ["Cherry pie"]


def test_ranges_on_numbers_and_times(data: Data) -> None:
    data.products()
    assert data.titles('properties: [{ name: "stock", range: { gt: "0", lte: "10" } }]') == [
        "Apple", "banana"]
    assert data.titles('properties: [{ name: "price", range: { lt: "1.5" } }]') == ["banana"]
    assert data.titles('properties: [{ name: "released_at", range: { gte: "2026-01-01" } }]'
                       ) == ["Apple", "banana"]
    assert data.titles('properties: [{ name: "released_at", '
                       'range: { lt: "2026-01-05T10:00:00Z" } }]') == ["Cherry pie"]


def test_array_filters(data: Data) -> None:
    data.products()
    assert data.titles('properties: [{ name: "tags", array_contains: ["red"] }]') == [
        "Apple", "Cherry pie"]
    assert data.titles('properties: [{ name: "tags", array_contains: ["red", "fruit"] }]'
                       ) == ["Apple"]
    assert data.titles('properties: [{ name: "tags", array_overlaps: ["yellow", "baked"] }]'
                       ) == ["banana", "Cherry pie"]
    assert data.titles('properties: [{ name: "tags", not_array_contains: ["fruit"] }]') == [
        "Cherry pie", "Dates"]
    assert data.titles('properties: [{ name: "tags", not_array_overlaps: ["red"] }]') == [
        "banana", "Dates"]
    assert data.titles('properties: [{ name: "tags", value_array: ["red", "fruit"] }]') == [
        "Apple"]


def test_value_in_on_an_array_wants_each_element_in_the_list(data: Data) -> None:
    # pos-module-chat finds the conversation of exactly some participants this way
    # (conversations/search.graphql: `{ name: "participant_ids", value_in: $ids }`).
    data.products()
    assert data.titles('properties: [{ name: "tags", value_in: ["red", "fruit", "blue"] }]'
                       ) == ["Apple"]
    assert data.titles('properties: [{ name: "tags", value_in: ["red"] }]') == []


def test_or_id_and_created_at_filters(data: Data) -> None:
    ids = data.products()
    assert data.titles('or: [{ properties: [{ name: "title", value: "Apple" }] }, '
                       '{ properties: [{ name: "stock", value_int: 0 }] }]') == [
        "Apple", "Cherry pie"]
    assert data.titles(f'id: {{ value_in: ["{ids[3]}", "{ids[1]}"] }}') == ["banana", "Dates"]
    assert data.titles(f'id: {{ not_value_in: ["{ids[0]}"] }}') == [
        "banana", "Cherry pie", "Dates"]
    assert data.titles(f'id: {{ range: {{ gt: "{ids[0]}", lt: "{ids[3]}" }} }}') == [
        "banana", "Cherry pie"]
    # Created one second apart from T0 + 1: the third at T0 + 3.
    assert data.titles('created_at: { gte: "2026-11-18T11:06:43Z" }') == ["Cherry pie",
                                                                          "Dates"]
    assert data.titles('created_at: { lt: "2026-11-18T11:06:42Z" }') == ["Apple"]


def test_user_id_and_external_id_are_kept_and_filter(data: Data) -> None:
    data.products()
    created = data("""mutation { record_create(record: { table: "product", user_id: "7",
        external_id: "sku-1", properties: [{ name: "title", value: "Owned" }] })
        { external_id } }""")
    assert created["record_create"]["external_id"] == "sku-1"
    assert data.titles('user_id: { value: "7" }') == ["Owned"]
    assert data.titles('external_id: { value: "SKU-1", case_sensitive: false }') == ["Owned"]
    assert data.titles('external_id: { starts_with: "sku" }') == ["Owned"]


def test_a_filter_whose_value_is_null_is_ignored_as_the_platform_ignores_it(
        data: Data) -> None:
    # pos-module-user's queries pass optional filters this way (`value: $email`).
    data.products()
    every = ["Apple", "banana", "Cherry pie", "Dates"]
    assert data.titles('properties: [{ name: "title", value: $title }]',
                       title=("String", None)) == every
    assert data.titles('id: { value: $id }', id=("ID", None)) == every
    assert data.titles('properties: [{ name: "title", value: $title }]',
                       title=("String", "Dates")) == ["Dates"]


# --- sorting and pages -----------------------------------------------------------------------
def test_sorts_by_property_id_created_at_and_several(data: Data) -> None:
    data.products()
    assert data.titles('properties: [{ name: "stock", exists: true }]',
                       sort='[{ properties: [{ name: "stock", order: DESC }] }]') == [
        "banana", "Apple", "Cherry pie"]
    assert data.titles(sort='[{ properties: [{ name: "title", order: ASC }] }]')[:3] == [
        "Apple", "Cherry pie", "Dates"]  # binary order: capitals first
    assert data.titles(sort="[{ id: { order: DESC } }]") == [
        "Dates", "Cherry pie", "banana", "Apple"]
    assert data.titles(sort="[{ created_at: { order: ASC } }]") == [
        "Apple", "banana", "Cherry pie", "Dates"]
    data(CREATE, title="Apple", stock=1)
    assert data.titles('properties: [{ name: "title", value_in: ["Apple", "banana"] }]',
                       sort='[{ properties: [{ name: "title", order: ASC }] }, '
                            '{ properties: [{ name: "stock", order: ASC }] }]') == [
        "Apple", "Apple", "banana"]
    stocks = data("""query { records(per_page: 5, filter: { properties: [
        { name: "title", value: "Apple" }] }, sort: [
        { properties: [{ name: "title", order: ASC }] }, { id: { order: DESC } }])
        { results { stock: property_int(name: "stock") } } }""")
    assert [r["stock"] for r in stocks["records"]["results"]] == [1, 3]


def test_pages(data: Data) -> None:
    data.products()
    page = """
        query page($page: Int) {
          records(per_page: 3, page: $page, filter: { table: { value: "product" } },
                  sort: [{ id: { order: ASC } }]) {
            total_entries total_pages current_page per_page has_next_page has_previous_page
            results { title: property(name: "title") }
          }
        }"""
    first = data(page, page=1)["records"]
    assert {k: v for k, v in first.items() if k != "results"} == {
        "total_entries": 4, "total_pages": 2, "current_page": 1, "per_page": 3,
        "has_next_page": True, "has_previous_page": False}
    assert [r["title"] for r in first["results"]] == ["Apple", "banana", "Cherry pie"]
    second = data(page, page=2)["records"]
    assert [r["title"] for r in second["results"]] == ["Dates"]
    assert (second["has_next_page"], second["has_previous_page"]) == (False, True)
    beyond = data(page, page=3)["records"]
    assert (beyond["results"], beyond["total_entries"]) == ([], 4)


def test_counts_without_results(data: Data) -> None:
    data.products()
    count = data("""query { records(per_page: 0, filter: { table: { value: "product" },
                 properties: [{ name: "active", value_boolean: true }] }) { total_entries } }""")
    assert count == {"records": {"total_entries": 2}}


# --- updates and deletes ---------------------------------------------------------------------
UPDATE = """
mutation update($id: ID!) {
  record_update(id: $id, record: { properties: [
    { name: "stock", increment: 5 }
    { name: "price", decrement: 0.5 }
    { name: "tags", array_append: "sale" }
    { name: "title", value: "Green apple" }
  ] }) {
    id updated_at created_at properties
  }
}
"""


def test_update_sets_increments_and_appends_and_keeps_the_rest(data: Data) -> None:
    [apple, *_] = data.products()
    updated = data(UPDATE, id=apple)["record_update"]
    assert updated["properties"]["stock"] == 8
    assert updated["properties"]["price"] == 1.0
    assert updated["properties"]["tags"] == ["red", "fruit", "sale"]
    assert updated["properties"]["title"] == "Green apple"
    assert updated["properties"]["active"] is True  # not named: kept
    assert updated["updated_at"] > updated["created_at"]
    removed = data("""mutation r($id: ID!) { record_update(id: $id, record: { properties: [
        { name: "tags", array_remove: "red" }] }) { tags: property_array(name: "tags") } }""",
                   id=apple)
    assert removed["record_update"]["tags"] == ["fruit", "sale"]
    assert data.titles(f'id: {{ value: "{apple}" }}') == ["Green apple"]


def test_increment_of_a_missing_value_starts_at_zero(data: Data) -> None:
    dates = data.products()[3]
    result = data("""mutation i($id: ID!) { record_update(id: $id, record: { properties: [
        { name: "stock", increment: 2 }] }) { stock: property_int(name: "stock") } }""",
                  id=dates)
    assert result["record_update"]["stock"] == 2


@pytest.mark.parametrize(("given", "message"), [
    ('{ name: "title", increment: 1 }',
     "product.title: increment needs an integer or float property, and it is string"),
    ('{ name: "tags", decrement: 1 }',
     "product.tags: decrement needs an integer or float property, and it is array"),
    ('{ name: "title", array_append: "x" }',
     "product.title: array_append needs an array property, and it is string"),
    ('{ name: "stock", array_remove: "x" }',
     "product.stock: array_remove needs an array property, and it is integer"),
])
def test_increment_and_array_changes_need_a_property_of_their_kind(
        data: Data, given: str, message: str) -> None:
    [apple, *_] = data.products()
    # Refused in the result's errors, as the platform refuses a write it cannot make.
    result = data(f'mutation u($id: ID!) {{ record_update(id: $id, record: {{ properties: '
                  f'[{given}] }}) {{ id }} }}', id=apple)
    assert result["errors"][0]["message"] == message
    assert data.titles(f'id: {{ value: "{apple}" }}') == ["Apple"]  # nothing written


def test_delete_and_delete_all(data: Data) -> None:
    ids = data.products()
    data("""mutation { record_create(record: { table: "review",
            properties: [{ name: "stars", value_int: 5 }] }) { id } }""")
    deleted = data("mutation d($id: ID!) { record_delete(id: $id, table: \"product\") "
                   "{ id deleted_at title: property(name: \"title\") } }", id=ids[0])
    assert deleted["record_delete"]["id"] == str(ids[0])
    assert deleted["record_delete"]["title"] == "Apple"
    assert deleted["record_delete"]["deleted_at"] is not None
    assert data.titles() == ["banana", "Cherry pie", "Dates"]
    some = data("""mutation { records_delete_all(table: "product", filter: {
        properties: [{ name: "active", value_boolean: true }] }) { count } }""")
    assert some == {"records_delete_all": {"count": 1}}
    rest = data('mutation { records_delete_all(table: "product") { count } }')
    assert rest == {"records_delete_all": {"count": 2}}
    assert data.titles() == []
    reviews = data('query { records(per_page: 5, filter: { table: { value: "review" } }) '
                   "{ total_entries } }")
    assert reviews["records"]["total_entries"] == 1


def test_deleting_a_missing_record_is_an_error_in_the_result(data: Data) -> None:
    result = data('mutation { record_delete(id: "999") { id } }')
    assert result["errors"][0]["message"] == "record 999 does not exist"
    assert result["errors"][0]["path"] == ["record_delete"]


# --- related records -----------------------------------------------------------------------
def test_related_record_and_related_records(data: Data) -> None:
    ids = data.products()
    for product, stars in ((ids[0], 5), (ids[0], 3), (ids[1], 4)):
        data("""mutation r($p: String, $s: Int) { record_create(record: { table: "review",
                properties: [{ name: "product_id", value: $p }, { name: "stars", value_int: $s }]
                }) { id } }""", p=str(product), s=stars)
    reviews = data("""query { records(per_page: 10, filter: { table: { value: "review" } },
        sort: [{ id: { order: ASC } }]) { results {
          stars: property_int(name: "stars")
          product: related_record(table: "product", join_on_property: "product_id") {
            title: property(name: "title") }
        } } }""")
    assert [(r["stars"], r["product"]["title"]) for r in reviews["records"]["results"]] == [
        (5, "Apple"), (3, "Apple"), (4, "banana")]
    products = data("""query { records(per_page: 10, filter: { table: { value: "product" } },
        sort: [{ id: { order: ASC } }]) { results {
          title: property(name: "title")
          reviews: related_records(table: "review", join_on_property: "id",
                                   foreign_property: "product_id",
                                   sort: [{ properties: [{ name: "stars", order: DESC }] }]) {
            stars: property_int(name: "stars") }
        } } }""")
    assert {r["title"]: [x["stars"] for x in r["reviews"]]
            for r in products["records"]["results"]} == {
        "Apple": [5, 3], "banana": [4], "Cherry pie": [], "Dates": []}


# --- through the graphql tag, as a page uses them --------------------------------------------
def test_a_page_creates_then_lists_with_property_aliases(tmp_path: Path) -> None:
    page = Pages(tmp_path, {
        **FILES,
        "app/graphql/products/create.graphql": CREATE,
        "app/graphql/products/search.graphql": """
            query search($title: String) {
              records(per_page: 20, filter: { table: { value: "product" },
                      properties: [{ name: "title", contains: $title }] },
                      sort: [{ properties: [{ name: "price", order: DESC }] }]) {
                total_entries
                results { id title: property(name: "title") price: property_float(name: "price") }
              }
            }""",
    })
    page("{% graphql _ = 'products/create', title: 'Tea', price: 2.5 %}"
         "{% graphql _ = 'products/create', title: 'Green tea', price: 4 %}")
    out = page("""
        {%- graphql r = 'products/search', title: 'tea' -%}
        {{ r.records.total_entries }}:
        {%- for p in r.records.results %}{{ p.title }}={{ p.price }};{% endfor %}""")
    assert out.html == "2:Green tea=4.0;Tea=2.5;"


# --- errors ----------------------------------------------------------------------------------
def test_creating_in_a_table_that_does_not_exist_names_the_tables(data: Data) -> None:
    with pytest.raises(DataError) as caught:
        data('mutation { record_create(record: { table: "prodcut" }) { id } }')
    assert caught.value.message == "table 'prodcut' does not exist (tables: product, review)"


def test_an_undeclared_property_is_an_error_in_the_result(data: Data) -> None:
    result = data("""mutation { record_create(record: { table: "product",
        properties: [{ name: "colour", value: "red" }] }) { id } }""")
    assert result["errors"][0]["message"] == (
        "table 'product' has no property 'colour' (defined in app/schema/product.yml)")
    assert data.titles() == []


def test_a_value_of_the_wrong_type_names_the_table_and_property(data: Data) -> None:
    result = data("""mutation { record_create(record: { table: "product",
        properties: [{ name: "stock", value: "many" }] }) { id } }""")
    assert result["errors"][0]["message"] == "product.stock: 'many' is not a valid integer"
    assert result.get("record_create") is None
    assert data.titles() == []


@pytest.mark.parametrize(("given", "message"), [
    ('{ name: "released_at", value_float: 1e20 }', "product.released_at: 1e+20 is not a valid "
                                                    "datetime"),
    ('{ name: "day", value: "2026-13-45" }', "product.day: '2026-13-45' is not a valid date"),
    ('{ name: "day", value: "someday" }', "product.day: 'someday' is not a valid date"),
])
def test_a_time_or_date_that_is_none_is_refused_by_name(data: Data, given: str,
                                                         message: str) -> None:
    result = data(f'mutation {{ record_create(record: {{ table: "product", properties: '
                  f'[{given}] }}) {{ id }} }}')
    assert result["errors"][0]["message"] == message
    assert data.titles() == []


def test_dates_are_kept_as_dates(data: Data) -> None:
    created = data('mutation { record_create(record: { table: "product", properties: ['
                   '{ name: "day", value: "2026-02-28" }] }) { day: property(name: "day") } }')
    assert created["record_create"]["day"] == "2026-02-28"


def test_a_query_that_does_not_validate_names_the_file_and_line(data: Data) -> None:
    for _again in range(2):  # validated once per text, and refused every time
        with pytest.raises(QueryError) as caught:
            data("""query {
              records(per_page: 1) {
                results { nope }
              }
            }""")
        assert caught.value.message == (
            "app/graphql/test.graphql:3: Cannot query field 'nope' on type 'Record'. "
            "Did you mean 'name'?")


def test_at_the_tag_an_invalid_query_names_its_graphql_file(tmp_path: Path) -> None:
    page = Pages(tmp_path, {**FILES, "app/graphql/broken.graphql":
                            "query broken {\n  records(per_page: 1, filter: { tabel: {} })"
                            " { total_entries }\n}\n"})
    err = page.error("{% graphql r = 'broken' %}")
    assert "app/graphql/broken.graphql:2:" in err.message
    assert "tabel" in err.message


# --- speed: the property index ------------------------------------------------------------------
def test_a_records_query_filtering_a_property_by_equality_uses_its_index(data: Data) -> None:
    data.products()
    store = data.layer.store
    assert isinstance(store, SQLiteDataStore)
    statements: list[str] = []
    # Python's trace callback gives each statement with its parameters bound in.
    store._db.set_trace_callback(statements.append)
    try:
        found = data('query { records(per_page: 5, filter: { table: { value: "product" }, '
                     'properties: [{ name: "title", value: "banana" }] }) '
                     "{ total_entries results { id } } }")
    finally:
        store._db.set_trace_callback(None)
    assert found["records"]["total_entries"] == 1
    lookups = [s for s in statements if s.lstrip().upper().startswith("SELECT")
               and "FROM records" in s]
    assert len(lookups) == 2  # the count and the page
    for sql in lookups:
        plan = " | ".join(row[-1] for row in store._db.execute(
            f"EXPLAIN QUERY PLAN {sql}"))
        assert "USING INDEX records_prop_title" in plan, (sql, plan)
