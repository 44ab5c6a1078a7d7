"""admin_liquid_partials and admin_pages, answered from the project's own files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import run_cli, write_project
from tests.liquid.tag_helpers import Pages

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "pos-modules"

QUERIES = {
    # pos-module-core's graphql/events/consumers.graphql and events_checks.graphql
    "app/graphql/events/consumers.graphql": """
        query consumers($name: String) {
          admin_liquid_partials(filter: { path: { contains: $name } }
                                sort: { path: { order: ASC } }) {
            results { path metadata }
          }
        }""",
    "app/graphql/events/events_checks.graphql": """
        query events_checks($name: String) {
          admin_liquid_partials(filter: { path: { ends_with: $name } }) {
            total_entries results { path physical_file_path body id }
          }
        }""",
    # pos-module-openai's graphql/pages/search_for_openai.graphql
    "app/graphql/pages/search.graphql": """
        query search_for_openai($not_slugs: [String!], $limit: Int = 2000) {
          pages: admin_pages(per_page: $limit, filter: { slug: { not_value_in: $not_slugs } }) {
            total_entries results { slug content html_content metadata format layout }
          }
        }""",
}

PARTIALS = {
    "app/lib/consumers/order_created/send_receipt.liquid":
        "---\nmetadata:\n  priority: high\n  max_attempts: 3\n---\nreceipt",
    "app/lib/consumers/order_created/update_stock.liquid": "stock",
    "app/views/partials/consumers/order_paid/thank.liquid": "thanks",
    "modules/shop/public/lib/consumers/order_created/audit.liquid":
        "---\nmetadata:\n  delay: 1\n---\naudit",
    "modules/shop/private/lib/events/order_created.html.liquid": "{% return event %}",
    "app/modules/shop/public/lib/consumers/order_created/audit.liquid":  # an override
        "---\nmetadata:\n  delay: 2\n---\noverridden",
}


@pytest.fixture
def page(tmp_path):
    return Pages(tmp_path, {**QUERIES, **PARTIALS})


def result(page, source, **variables):
    return json.loads(page(source + "{{ r | json }}", **variables).html)


def test_consumers_are_found_by_path_with_their_front_matter_metadata(page):
    found = result(page, "{% graphql r = 'events/consumers', name: 'consumers/order_created/' %}")
    assert found["admin_liquid_partials"]["results"] == [
        {"path": "consumers/order_created/send_receipt",
         "metadata": {"priority": "high", "max_attempts": 3}},
        {"path": "consumers/order_created/update_stock", "metadata": {}},
        # A module's partial is named modules/<module>/...; app/modules/ overrides it, as
        # it does for `include`.
        {"path": "modules/shop/consumers/order_created/audit", "metadata": {"delay": 2}},
    ]


def test_a_partial_shows_its_file_and_its_body_without_front_matter(page):
    found = result(page, "{% graphql r = 'events/events_checks', name: 'events/order_created' %}")
    [check] = found["admin_liquid_partials"]["results"]
    assert check["path"] == "modules/shop/events/order_created"
    assert check["physical_file_path"] == (
        "modules/shop/private/lib/events/order_created.html.liquid")
    assert check["body"] == "{% return event %}"
    again = result(page, "{% graphql r = 'events/events_checks', name: 'events/order_created' %}")
    assert again["admin_liquid_partials"]["results"][0]["id"] == check["id"]  # stable


def test_without_a_filter_every_partial_is_listed_a_page_at_a_time(tmp_path):
    page = Pages(tmp_path, {**PARTIALS, "app/graphql/all.graphql": """
        query { admin_liquid_partials(per_page: 2, page: 2) {
          total_entries total_pages current_page results { path } } }"""})
    listed = result(page, "{% graphql r = 'all' %}")["admin_liquid_partials"]
    assert (listed["total_entries"], listed["total_pages"], listed["current_page"]) == (5, 3, 2)
    assert [p["path"] for p in listed["results"]] == [  # in path order
        "consumers/order_paid/thank", "modules/shop/consumers/order_created/audit"]


def test_a_filter_posjobs_does_not_emulate_is_a_clear_error(tmp_path):
    page = Pages(tmp_path, {"app/graphql/meta.graphql": """
        query { admin_liquid_partials(filter: { metadata: [{ has_key: "priority" }] }) {
          results { path } } }"""})
    err = page.error("{% graphql r = 'meta' %}")
    assert "the admin_liquid_partials filter 'metadata' is not emulated locally" in err.message


def test_admin_pages_lists_the_projects_pages(tmp_path):
    page = Pages(tmp_path, {**QUERIES,
                            "app/views/pages/about.liquid":
                                "---\nmetadata:\n  title: About\n---\n<p>About us</p>\n",
                            "app/views/pages/404.liquid": "missing",
                            "app/views/pages/feed.json.liquid": "{}"})
    found = result(page, "{% graphql r = 'pages/search', not_slugs: s %}", s=["404", "t"])
    pages = {p["slug"]: p for p in found["pages"]["results"]}
    assert set(pages) == {"about", "feed"}
    assert pages["about"]["content"] == "<p>About us</p>\n"
    assert pages["about"]["html_content"] == "<p>About us</p>\n"
    assert pages["about"]["metadata"] == {"title": "About"}
    assert pages["feed"]["format"] == "json"


@pytest.mark.skipif(not (CORPUS / "pos-module-core").is_dir(),
                    reason="the pos-modules corpus (../shared/corpus) is not here")
def test_pos_module_core_events_run_their_consumers_as_jobs(tmp_path):
    """pos-module-core's publish: activity_create stores the event, the event check is found
    with admin_liquid_partials, and the broadcast job enqueues one job per consumer with
    the priority its metadata declares."""
    root = tmp_path / "project"
    shutil.copytree(CORPUS / "pos-module-core" / "modules" / "core", root / "modules" / "core")
    write_project(root, {
        "app/lib/events/order_created.liquid": """
            {% liquid
              assign c = '{ "errors": {}, "valid": true }' | parse_json
              return c
            %}""",
        "app/lib/consumers/order_created/notify.liquid": """
            ---
            metadata:
              priority: high
            ---
            {% log event.id, type: 'consumed' %}""",
        "app/views/pages/publish.liquid": """
            {% liquid
              function e = 'modules/core/commands/events/publish', type: 'order_created',
                object: context.params
              echo e.valid
            %}""",
    })
    out = run_cli(["-p", str(root), "render", "publish", "-P", "id=7", "--run", "--json"])
    assert out.exit_code == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["html"].strip() == "true"
    jobs = {j["partial"]: j for j in data["run"]["jobs"]}
    consumer = jobs["consumers/order_created/notify"]
    assert (consumer["status"], consumer["priority"]) == ("done", "high")
    logs = run_cli(["-p", str(root), "logs", "--filter", "consumed", "--json"]).stdout
    assert [json.loads(line)["message"] for line in logs.splitlines()] == ["7"]
