"""`posjobs serve` in a real browser (Debian's Chromium driven by Playwright): a form that
creates a record, its job appearing live, a live log tail, Retry on a dead job.

Set POSJOBS_UPDATE_SCREENSHOTS=1 to refresh the screenshots README.md shows (docs/).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, REPO
from tests.serve.conftest import start_server

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LIVE_MS = 2000  # what "live" promises: a change shows within 2 s, without a reload

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="no Chromium at /usr/bin/chromium (apt-get install chromium); .ci/run installs it")

NEW_ORDER = """---
slug: orders/new
---
<form method="post" action="/orders/create">
  <input name="sku" value="LAMP"> <input name="qty" value="2">
  <button>Order</button>
</form>
"""
BROKEN = """---
method: post
---
{% background source_name: 'nightly_report', max_attempts: 1, recipient: context.params.to %}
  {% log recipient, type: 'report' %}
  {{ recipient | no_such_filter }}
{% endbackground %}
report queued
"""


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def shop(tmp_path):
    root = tmp_path / "shop"
    shutil.copytree(FIXTURES / "shop", root, ignore=shutil.ignore_patterns("*.db*"))
    (root / "app/views/pages/orders/new.liquid").write_text(NEW_ORDER)
    (root / "app/views/pages/report.liquid").write_text(BROKEN)
    running = start_server(root, worker=True)
    yield next(running)
    next(running, None)


def screenshot(page, name: str, tmp_path: Path) -> None:
    path = tmp_path / name
    page.screenshot(path=str(path), full_page=True)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if os.environ.get("POSJOBS_UPDATE_SCREENSHOTS"):
        shutil.copy(path, REPO / "docs" / name)


def test_a_form_creates_a_record_and_its_job_appears_in_the_list_live(browser, shop, tmp_path):
    jobs = browser.new_page()
    jobs.goto(f"{shop.url}/_posjobs/jobs")
    assert jobs.locator("tr[data-job-id]").count() == 0
    form = browser.new_page()
    form.goto(f"{shop.url}/orders/new")
    form.click("text=Order")
    assert "created order" in form.inner_text("body")
    order_id = form.inner_text("body").split()[-1]
    assert "LAMP x 2" in shop.client.get(f"/orders/{order_id}").body  # a real record
    # The order's job shows up in the open list, with no reload, and runs to done.
    jobs.wait_for_selector("tr[data-job-id] >> text=events/create:order_created",
                           timeout=LIVE_MS)
    jobs.wait_for_selector('tr[data-status="done"]', timeout=10_000)
    screenshot(jobs, "serve-jobs.png", tmp_path)


def test_the_logs_page_shows_a_new_entry_live(browser, shop, tmp_path):
    logs = browser.new_page()
    logs.goto(f"{shop.url}/_posjobs/logs")
    logs.wait_for_selector("#live >> text=live")
    shop.client.post("/report", {"to": "<script>alert(1)</script>"})
    entry = logs.wait_for_selector('[data-type="report"]', timeout=LIVE_MS + 1000)
    assert "<script>alert(1)</script>" in entry.inner_text()  # shown as text, not run
    logs.wait_for_selector(".log-error", timeout=10_000)
    assert logs.locator(".log-error .message").first.evaluate(
        "e => getComputedStyle(e).color") == "rgb(187, 0, 0)"
    screenshot(logs, "serve-logs.png", tmp_path)


def test_retry_on_a_dead_job(browser, shop):
    shop.client.post("/report", {"to": "ops@example.com"})
    dead = shop.wait_for(lambda: shop.client.get(
        "/_posjobs/api/jobs?status=dead&source_name=nightly_report").json())
    job_id = dead[0]["id"]
    page = browser.new_page()
    page.goto(f"{shop.url}/_posjobs/jobs/{job_id}")
    assert page.locator("button", has_text="Run now").count() == 0
    page.click("button:has-text('Retry')")
    assert f"job {job_id} scheduled to run now" in page.inner_text(".notice")
    # The page follows the job: its second attempt shows without a reload by hand.
    page.wait_for_selector("#attempts tr:nth-child(3)", timeout=10_000)
    page.wait_for_selector('#status[data-status="dead"]', timeout=10_000)
    assert len(shop.client.get(f"/_posjobs/api/jobs/{job_id}").json()["attempts"]) == 2
