"""constant_set / constant_unset / constants, `context.constants` of later requests, and
activity feeds (activity_create, activities) as pos-module-core's events use them."""

from __future__ import annotations

import json

import pytest

from posjobs.config import Settings
from posjobs.data import DataLayer
from posjobs.services.render import render_page
from tests.liquid.tag_helpers import Pages

QUERIES = {
    # pos-module-core's graphql/variable/set.graphql
    "app/graphql/variable/set.graphql": """
        mutation ($name: String!, $value: String!) {
          variable: constant_set(name: $name, value: $value) { name value }
        }""",
    "app/graphql/variable/unset.graphql": """
        mutation ($name: String!) {
          constant_unset(name: $name) { name value deleted_at }
        }""",
    "app/graphql/variable/list.graphql": """
        query ($name: String) {
          constants(filter: { name: { starts_with: $name } }, sort: { name: { order: DESC } }) {
            total_entries results { name value created_at updated_at }
          }
        }""",
    # pos-module-core's graphql/events/create.graphql and events/search.graphql
    "app/graphql/events/create.graphql": """
        mutation create_event($payload: ActivityStreamsPayload!) {
          activity_create(payload: $payload) { payload }
        }""",
    "app/graphql/events/search.graphql": """
        query ac($limit: Int = 100 $page: Int = 1 $uuids: [String!]) {
          activities: activities(per_page: $limit, page: $page, uuids: $uuids
                                 sort: { created_at: { order: DESC } }) {
            total_entries total_pages results { id uuid payload }
          }
        }""",
}


@pytest.fixture
def page(tmp_path):
    return Pages(tmp_path, QUERIES)


def result(page, source, **variables):
    return json.loads(page(source + "{{ r | json }}", **variables).html)


def test_constant_set_then_constants_lists_it(page):
    set_ = result(page, "{% graphql r = 'variable/set', name: 'stripe_sk_key', value: 'sk_1' %}")
    assert set_ == {"variable": {"name": "stripe_sk_key", "value": "sk_1"}}
    page("{% graphql r = 'variable/set', name: 'stripe_pk_key', value: 'pk_1' %}")
    page("{% graphql r = 'variable/set', name: 'other', value: 'x' %}")
    page("{% graphql r = 'variable/set', name: 'stripe_sk_key', value: 'sk_2' %}")  # replaces
    listed = result(page, "{% graphql r = 'variable/list', name: 'stripe' %}")["constants"]
    assert listed["total_entries"] == 2
    assert [(c["name"], c["value"]) for c in listed["results"]] == [
        ("stripe_sk_key", "sk_2"), ("stripe_pk_key", "pk_1")]
    assert listed["results"][0]["created_at"].endswith("Z")


def test_constant_unset_returns_the_removed_constant_or_null(page):
    page("{% graphql r = 'variable/set', name: 'key', value: 'v' %}")
    gone = result(page, "{% graphql r = 'variable/unset', name: 'key' %}")["constant_unset"]
    assert (gone["name"], gone["value"]) == ("key", "v")
    assert gone["deleted_at"] is not None
    assert result(page, "{% graphql r = 'variable/unset', name: 'key' %}") == {
        "constant_unset": None}
    assert page.data.store.constants() == {}


def test_a_constant_set_in_one_request_is_in_context_constants_of_later_ones(
        make_project, store, clock, tmp_path):
    project = make_project({
        **QUERIES,
        "app/views/pages/set.liquid": "{% graphql r = 'variable/set', name: 'shop_name', "
                                      "value: context.params.name %}",
        "app/views/pages/show.liquid": "{{ context.constants.shop_name }}/"
                                       "{{ context.constants.currency }}",
    })
    (project.root / "posjobs.toml").write_text(
        '[constants]\nshop_name = "From the file"\ncurrency = "EUR"\n')
    settings = Settings.load(project.root)
    data = DataLayer(project, tmp_path / "data.db")

    def render(page_name, **params):
        return render_page(project, store, page_name, clock=clock, settings=settings, params=params,
                           data=data)

    assert render("show").html == "From the file/EUR"
    render("set", name="Book Shop")
    # The stored constant wins over posjobs.toml's; the others stay.
    assert render("show").html == "Book Shop/EUR"
    data.close()


def test_activity_create_stores_the_payload_and_activities_finds_it_by_uuid(page):
    created = []
    for kind in ("order_created", "order_paid"):
        r = result(page, "{% graphql r = 'events/create', payload: p %}",
                   p={"type": kind, "object": {"id": 7}})
        created.append(r["activity_create"]["payload"])
    # pos-module-core's event pages read event.uuid from the payload, and find events by it.
    assert [p["type"] for p in created] == ["order_created", "order_paid"]
    uuids = [p["uuid"] for p in created]
    assert len(set(uuids)) == 2 and all(len(u) == 36 for u in uuids)
    listed = result(page, "{% graphql r = 'events/search' %}")["activities"]
    assert listed["total_entries"] == 2
    assert [a["payload"]["type"] for a in listed["results"]] == ["order_paid", "order_created"]
    found = result(page, "{% graphql r = 'events/search', limit: 1, uuids: u %}",
                   u=[uuids[0]])["activities"]
    assert [a["payload"]["object"] for a in found["results"]] == [{"id": 7}]
    assert found["results"][0]["uuid"] == uuids[0]


def test_a_payload_with_its_own_uuid_keeps_it(page):
    r = result(page, "{% graphql r = 'events/create', payload: p %}",
               p={"type": "x", "uuid": "mine"})
    assert r["activity_create"]["payload"]["uuid"] == "mine"
