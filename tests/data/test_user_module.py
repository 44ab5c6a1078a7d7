"""The platform's user module end to end, with no mock at all:
sign-up, sign-out, sign-in, password reset and two-factor sign-in rendered page after page
as a browser would drive them, each request carrying the session and signed-in user the last
one left.

The project is assembled at test time from ../shared/corpus/pos-modules (the user module
with its dependencies core and common-styling, as its template-values.json names them) and a
minimal app/: a layout and a page printing the current profile. Nothing is copied into the
repository; the tests skip when the corpus is absent.

The reset link is read from the email in the local outbox; the module's events find their
consumers with admin_liquid_partials and run them as jobs.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest

from posjobs.clock import ManualClock
from posjobs.config import Settings
from posjobs.data import DataLayer
from posjobs.project import Project
from posjobs.services.context import Request
from posjobs.services.render import RenderResult, render_page
from posjobs.store.base import LogFilter
from posjobs.store.data.base import Condition, Query
from posjobs.store.sqlite import SQLiteStore
from tests.conftest import T0

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "pos-modules"
MODULES = {  # module name -> the corpus repository holding it
    "user": "pos-module-user",
    "core": "pos-module-core",
    "common-styling": "pos-module-common-styling",
}
PAGES = "modules/user/public/views/pages"
APP = {
    "app/views/layouts/application.liquid": "{{ content_for_layout }}",
    # A consumer of the module's user_created event (core's README: lib/consumers/<event>/).
    "app/lib/consumers/user_created/welcome.liquid": """{% liquid
        log event.user_id, type: 'welcome'
    %}""",
    # What the module's own example app shows on its home page: the current profile.
    "app/views/pages/whoami.liquid": """{% liquid
        function profile = 'modules/user/helpers/current_profile'
        echo profile.user.email | default: 'anonymous'
        echo ' '
        echo profile.roles | join: ','
    %}""",
}


@dataclass
class Browser:
    """Renders the project's pages as one browser's requests: its session and signed-in
    user go from each response to the next request."""

    root: Path
    data: DataLayer
    store: SQLiteStore
    clock: ManualClock = field(default_factory=lambda: ManualClock(T0))
    session: dict[str, Any] = field(default_factory=dict)
    user_id: int | None = None
    jobs: list[Any] = field(default_factory=list)

    def request(self, page: str, method: str = "GET", **params: Any) -> RenderResult:
        request = Request(params=params, session=dict(self.session), user_id=self.user_id,
                          method=method)
        result = render_page(Project(self.root), self.store, page, clock=self.clock,
                             settings=Settings(), request=request, cwd=self.root,
                             data=self.data)
        self.session, self.user_id = result.session, result.user_id
        self.jobs += result.jobs
        return result

    def user(self, email: str) -> Any:
        rows, _ = self.data.store.find_users(Query((Condition("eq", email, column="email"),)))
        return rows[0] if rows else None


@pytest.fixture
def browser(tmp_path: Path):  # type: ignore[no-untyped-def]
    missing = [repo for repo in MODULES.values() if not (CORPUS / repo).is_dir()]
    if missing:
        pytest.skip(f"the corpus of platform modules is absent ({CORPUS / missing[0]})")
    root = tmp_path / "project"
    for name, repo in MODULES.items():
        shutil.copytree(CORPUS / repo / "modules" / name, root / "modules" / name)
    for name, text in APP.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    data = DataLayer(Project(root), root / ".posjobs" / "data.db")
    store = SQLiteStore(root / ".posjobs" / "jobs.db")
    yield Browser(root, data, store)
    store.close()
    data.close()


ADA = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com",
       "password": "Analytical1"}


def _sign_up(browser: Browser) -> RenderResult:
    return browser.request(f"{PAGES}/users/create.liquid", "POST", **ADA)


def test_sign_up_creates_the_user_and_profile_and_signs_in(browser):
    form = browser.request("users/new")
    assert 'action="/users"' in form.html and 'name="password"' in form.html
    result = _sign_up(browser)
    assert result.response["redirect_to"] == "/"
    user = browser.user("ada@example.com")
    assert user is not None and user.password_hash.startswith("scrypt$")
    assert result.user_id == user.id
    profiles, _ = browser.data.store.find_records(Query((Condition(
        "eq", "modules/user/profile", column="table"),)))
    assert [p.properties["user_id"] for p in profiles] == [str(user.id)]
    assert profiles[0].properties["first_name"] == "Ada"
    # The module publishes user_created and user_signed_in: each enqueues its broadcast job.
    assert sorted(j.source_name for j in result.jobs) == [
        "modules/core/commands/events/create:user_created",
        "modules/core/commands/events/create:user_signed_in"]
    assert browser.request("whoami").html.split() == ["ada@example.com", "authenticated"]


def test_signing_up_twice_shows_the_modules_error(browser):
    _sign_up(browser)
    browser.user_id = None
    again = _sign_up(browser)
    assert again.response["redirect_to"] is None and again.user_id is None
    assert "It seems you already have a registered account" in again.html


def test_sign_out_then_sign_in_with_the_password(browser):
    _sign_up(browser)
    user = browser.user("ada@example.com")
    # sessions/create and sessions/destroy share the slug `sessions` (POST and DELETE):
    # posjobs routes by slug alone, so the page is named by its path.
    out = browser.request(f"{PAGES}/sessions/destroy.liquid", "DELETE")
    assert out.user_id is None and out.response["redirect_to"] == "/"
    assert [j.source_name for j in out.jobs] == ["modules/core/commands/events/create:user_logout"]
    assert browser.request("whoami").html.split() == ["anonymous", "anonymous"]

    wrong = browser.request(f"{PAGES}/sessions/create.liquid", "POST", email=ADA["email"],
                            password="wrong")
    assert wrong.user_id is None and "Invalid email or password" in wrong.html
    right = browser.request(f"{PAGES}/sessions/create.liquid", "POST",
                            email="ADA@example.com", password=ADA["password"])
    assert right.user_id == user.id and right.response["redirect_to"] == "/"
    assert browser.request("whoami").html.split() == ["ada@example.com", "authenticated"]


def test_password_reset_by_emailed_link(browser):
    _sign_up(browser)
    browser.request(f"{PAGES}/sessions/destroy.liquid", "DELETE")
    form = browser.request("passwords/reset")
    assert 'action="/authentication_links"' in form.html
    link_page = f"{PAGES}/authentication_links/create.liquid"
    sent = browser.request(link_page, "POST", authentication_link={"email": ADA["email"]})
    assert sent.response["redirect_to"] == "/"
    messages, _ = browser.data.store.messages("email")
    assert messages[0].payload["headers"]["to"] == [ADA["email"]]
    url = re.search(r'href="([^"]*/passwords/new\?[^"]*)"', messages[0].payload["html"])
    assert url is not None
    query = url.group(1).split("?", 1)[1]
    fields = dict(parse_qsl(query.replace("&amp;", "&")))  # as a browser decodes the link
    new = browser.request("passwords/new", token=fields["token"], email=fields["email"])
    assert 'name="password[password]"' in new.html
    user = browser.user("ada@example.com")
    assert browser.session["reset_password_session_user_id"] == str(user.id)

    done = browser.request(f"{PAGES}/passwords/create.liquid", "POST", password={
        "password": "Difference2", "password_confirmation": "Difference2"})
    assert done.response["redirect_to"] == "/" and done.user_id == user.id
    assert "reset_password_session_user_id" not in browser.session
    browser.request(f"{PAGES}/sessions/destroy.liquid", "DELETE")
    old = browser.request(f"{PAGES}/sessions/create.liquid", "POST", email=ADA["email"],
                          password=ADA["password"])
    assert old.user_id is None
    new_password = browser.request(f"{PAGES}/sessions/create.liquid", "POST",
                                   email=ADA["email"], password="Difference2")
    assert new_password.user_id == user.id


def test_an_expired_reset_link_is_refused(browser):
    _sign_up(browser)
    browser.request(f"{PAGES}/sessions/destroy.liquid", "DELETE")
    token = _temporary_token(browser, ADA["email"])
    browser.clock.advance(49 * 3600)  # the module asks for 48 hours (user/find.graphql)
    out = browser.request("passwords/new", token=token, email=ADA["email"])
    assert out.response["redirect_to"] == "/sessions/new"
    assert "reset_password_session_user_id" not in browser.session
    # The module's flash goes through session_create_field (core's commands/session/set).
    flash = json.loads(browser.session["sflash"])
    assert flash["severity"] == "error" and "invalid or has expired" in flash["message"]


def test_two_factor_sign_in(browser):
    from posjobs.data.users import otp_code

    _sign_up(browser)
    setup = browser.request("profiles/2fa/new")
    user = browser.user("ada@example.com")
    secret = user.fields["otp_secrets"][""]
    assert secret in setup.html and 'name="2fa[otp_code]"' in setup.html

    def code() -> str:
        return otp_code(secret, browser.clock.now())

    wrong = browser.request(f"{PAGES}/profiles/2fa/create.liquid", "POST", **{"2fa": {
        "otp_code": "000000" if code() != "000000" else "111111", "password": ADA["password"]}})
    assert wrong.response["redirect_to"] is None
    on = browser.request(f"{PAGES}/profiles/2fa/create.liquid", "POST", **{"2fa": {
        "otp_code": code(), "password": ADA["password"]}})
    assert on.response["redirect_to"] == "/"
    browser.request(f"{PAGES}/sessions/destroy.liquid", "DELETE")

    asked = browser.request(f"{PAGES}/sessions/create.liquid", "POST", email=ADA["email"],
                            password=ADA["password"])
    assert asked.user_id is None and 'name="2fa[otp_code]"' in asked.html
    browser.clock.advance(60)
    done = browser.request(f"{PAGES}/sessions/2fa.liquid", "POST", **{"2fa": {
        "email": ADA["email"], "password": ADA["password"], "otp_code": code()}})
    assert done.user_id == user.id and done.response["redirect_to"] == "/"


def _temporary_token(browser: Browser, email: str) -> str:
    """The token the module's `modules/user/user/find` query makes, as its email carries."""
    (browser.root / "app" / "graphql").mkdir(parents=True, exist_ok=True)
    browser.root.joinpath("app/views/pages/token.liquid").write_text(
        "{% function u = 'modules/user/queries/user/find', email: context.params.email, "
        "with_token: true, id: null %}{{ u.token }}", encoding="utf-8")
    return browser.request("token", email=email).html.strip()


def _run_jobs(browser: Browser) -> Any:
    from posjobs.services import runner

    return runner.run_to_end(Project(browser.root), browser.store, Settings(),
                             str(browser.root / ".posjobs" / "jobs.db"), now=browser.clock.now(),
                             among={job.id for job in browser.jobs})


def test_the_events_broadcast_jobs_run_in_the_worker(browser):
    _sign_up(browser)
    summary = _run_jobs(browser)
    assert [job.status.value for job in summary.jobs] == ["done"] * len(summary.jobs)
    assert len(summary.jobs) >= 2


def test_user_created_runs_its_consumer_as_a_job(browser):
    _sign_up(browser)
    user = browser.user("ada@example.com")
    summary = _run_jobs(browser)
    assert [job.status.value for job in summary.jobs] == ["done"] * len(summary.jobs)
    logs = browser.store.tail_logs(LogFilter(types=("welcome",)), 10)
    assert [entry.message for entry in logs] == [str(user.id)]  # run once, by its own job
    assert logs[0].job_id not in {job.id for job in browser.jobs}
