"""The module-shaped fixture: commands and queries through `function`, GraphQL against the
local data (records created by the page, updated by its jobs), and the events pattern
(publish, then one background job per consumer, by its metadata: the consumers are found
with `admin_liquid_partials`, answered from the fixture's files)."""

from __future__ import annotations

import json
import shutil

import pytest

from posjobs.project import Project
from tests.conftest import FIXTURES, run_cli


@pytest.fixture
def shop(tmp_path):
    root = tmp_path / "shop"
    shutil.copytree(FIXTURES / "shop", root, ignore=shutil.ignore_patterns("*.db*"))
    return str(root)


def test_creating_an_order_publishes_an_event_its_consumers_handle(shop):
    result = run_cli(["-p", shop, "render", "orders/create", "-P", "sku=BOOK-1", "-P", "qty=2",
                      "--run", "--json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["response"]["status"] == 201
    assert "created order 1" in data["html"]
    jobs = {j["source_name"]: j for j in data["run"]["jobs"]}
    assert set(jobs) == {"events/create:order_created", "order_created/send_receipt",
                         "order_created/update_stock"}
    assert all(j["status"] == "done" for j in jobs.values())
    assert jobs["events/create:order_created"]["priority"] == "high"
    receipt, stock = jobs["order_created/send_receipt"], jobs["order_created/update_stock"]
    assert (receipt["priority"], receipt["max_attempts"]) == ("high", 3)
    assert stock["priority"] == "low"
    assert receipt["parent_job_id"] == stock["parent_job_id"] == \
        jobs["events/create:order_created"]["id"]
    logs = run_cli(["-p", shop, "logs", "-n", "50", "--quiet"]).stdout
    assert "] - email: receipt for order 1 from Book Shop" in logs
    assert "] - stock: BOOK-1 stock now 8" in logs


def test_a_job_updates_the_record_its_page_created_and_a_later_page_shows_it(shop):
    run_cli(["-p", shop, "render", "orders/create", "-P", "sku=BOOK-1", "-P", "qty=2"])
    run_cli(["-p", shop, "render", "orders/create", "-P", "sku=PEN-9", "-P", "qty=1"])
    before = run_cli(["-p", shop, "render", "orders"]).stdout
    assert "2 order(s)" in before
    assert "BOOK-1 x 2: new" in before and "PEN-9 x 1: new" in before
    assert run_cli(["-p", shop, "worker", "--fast-forward"]).exit_code == 0
    after = run_cli(["-p", shop, "render", "orders"]).stdout
    assert "BOOK-1 x 2: stock_reserved" in after and "PEN-9 x 1: stock_reserved" in after
    # newest first, as the query sorts
    assert after.index('data-order-id="2"') < after.index('data-order-id="1"')
    filtered = run_cli(["-p", shop, "render", "orders?status=new"]).stdout
    assert "0 order(s)" in filtered
    logs = run_cli(["-p", shop, "logs", "-n", "50", "--quiet", "--type", "stock"]).stdout
    assert "BOOK-1 stock now 8" in logs and "PEN-9 stock now 9" in logs


def test_a_consumers_delay_comes_from_its_metadata(shop):
    run_cli(["-p", shop, "render", "orders/create", "-P", "sku=BOOK-1", "-P", "qty=2"])
    assert run_cli(["-p", shop, "worker", "--burst"]).exit_code == 0
    jobs = {j["source_name"]: j for j in json.loads(
        run_cli(["-p", shop, "jobs", "list", "--json"]).stdout)}
    assert jobs["order_created/send_receipt"]["status"] == "done"
    assert jobs["order_created/update_stock"]["status"] == "scheduled"  # a minute later


def test_an_invalid_order_publishes_nothing(shop):
    data = json.loads(run_cli(["-p", shop, "render", "orders/create", "--json"]).stdout)
    assert data["response"]["status"] == 422
    assert data["jobs"] == []


@pytest.mark.parametrize(("path", "status", "text"), [
    ("orders/1", 200, "BOOK-1 x 2 (new)"), ("orders/77", 404, "no such order")])
def test_queries_are_answered_from_the_records_the_pages_wrote(shop, path, status, text):
    run_cli(["-p", shop, "render", "orders/create", "-P", "sku=BOOK-1", "-P", "qty=2"])
    data = json.loads(run_cli(["-p", shop, "render", path, "--json"]).stdout)
    assert data["response"]["status"] == status
    assert text in data["html"]


def test_generator_templates_are_not_part_of_the_app():
    project = Project(FIXTURES / "shop")
    assert not any("generators" in name for name in project.partial_names())
    assert all("generators" not in page.file.name for page in project.pages())
