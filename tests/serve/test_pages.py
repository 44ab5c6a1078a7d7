"""The project's pages over real HTTP: routing, params, sessions, responses, errors."""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import pytest

from posjobs.data import DataLayer
from posjobs.project import Project
from posjobs.store.data import data_store_path
from tests.conftest import FIXTURES
from tests.serve.conftest import start_server

PAGES = {
    "app/views/layouts/application.liquid": "<body>{{ content_for_layout }}</body>",
    "app/views/pages/index.liquid": "home",
    "app/views/pages/bare.liquid": "---\nlayout: ''\n---\nno layout",
    "app/views/pages/items/show.liquid": """
        ---
        slug: items/:id
        layout: ''
        ---
        item {{ context.params.id }} tab {{ context.params.tab }}
        """,
    "app/views/pages/items/destroy.liquid": """
        ---
        slug: items/:id
        method: delete
        layout: ''
        ---
        deleted {{ context.params.id }}
        """,
    "app/views/pages/items/update.liquid": """
        ---
        slug: items/:id
        method: put
        layout: ''
        ---
        updated {{ context.params.id }} to {{ context.params.item.name }}
        """,
    "app/views/pages/data.json.liquid": """
        ---
        layout: ''
        ---
        {"q": {{ context.params.q | json }}}
        """,
    "app/views/pages/echo.liquid": """
        ---
        method: post
        layout: ''
        ---
        {{ context.params | json }}
        """,
    "app/views/pages/go.liquid": "{% redirect_to '/thanks' %}",
    "app/views/pages/respond.liquid": """
        ---
        layout: ''
        ---
        {% response_status 201 %}{% response_headers '{"X-Frame-Options": "DENY"}' %}created
        """,
    "app/views/pages/count.liquid": """
        ---
        layout: ''
        ---
        {% liquid
          assign n = context.session.n | default: 0 | plus: 1
          session n = n
        %}count {{ n }} cookie {{ context.cookies.theme }}
        """,
    "app/views/pages/broken.liquid": """
        ---
        layout: ''
        ---
        line two
        {{ 'x' | no_such_filter }}
        line four
        """,
    "app/views/pages/enqueue.liquid": """
        ---
        method: post
        layout: ''
        ---
        {% background source_name: 'from_form', note: context.params.note %}
          {% log note %}
        {% endbackground %}queued
        """,
}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from tests.conftest import write_project

    root = tmp_path_factory.mktemp("pages") / "project"
    write_project(root, PAGES)
    running = start_server(root)
    yield next(running)
    next(running, None)


def text(body: str) -> str:
    return " ".join(body.split())


def test_a_page_is_served_at_its_slug_with_its_layout(server):
    home = server.client.get("/")
    assert home.status == 200
    assert home.headers["content-type"] == "text/html; charset=utf-8"
    assert text(home.body) == "<body>home</body>"
    assert text(server.client.get("/bare").body) == "no layout"
    head = server.client.request("HEAD", "/bare")
    assert head.status == 200 and head.body == ""


def test_slug_parameters_and_the_query_string_are_params(server):
    assert text(server.client.get("/items/7?tab=notes").body) == "item 7 tab notes"


def test_the_method_picks_the_page_and_a_form_field_overrides_post(server):
    client = server.client
    assert text(client.request("DELETE", "/items/7").body) == "deleted 7"
    assert text(client.post("/items/8", {"_method": "delete"}).body) == "deleted 8"
    updated = client.post("/items/9", [("_method", "put"), ("item[name]", "lamp")])
    assert text(updated.body) == "updated 9 to lamp"
    assert client.post("/items/9").status == 404  # no page takes POST there


def test_a_format_extension_picks_the_page_of_that_format_and_its_content_type(server):
    response = server.client.get("/data.json?q=%3Cb%3E")
    assert response.status == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"q": "<b>"}


def test_params_from_urlencoded_multipart_and_json_bodies(server):
    client = server.client
    form = client.post("/echo?from=query", [("order[sku]", "A1"), ("order[qty]", "2"),
                                            ("tags[]", "x"), ("tags[]", "y")]).json()
    assert form == {"from": "query", "order": {"sku": "A1", "qty": "2"}, "tags": ["x", "y"]}
    multi = client.post_multipart("/echo", {"name": "Ada"},
                                  {"avatar": ("a.txt", b"hello")}).json()
    assert multi["name"] == "Ada"
    assert multi["avatar"] == {"filename": "a.txt", "content_type": "text/plain", "size": 5}
    assert client.post_json("/echo", {"user": {"id": 3}}).json() == {"user": {"id": 3}}
    bad = client.request("POST", "/echo", body=b"{nope",
                         headers={"Content-Type": "application/json"})
    assert bad.status == 400
    assert "JSON body" in bad.body


def test_redirect_to_answers_302_with_location(server):
    response = server.client.get("/go")
    assert response.status == 302
    assert response.headers["location"] == "/thanks"


def test_response_status_and_headers_apply(server):
    response = server.client.get("/respond")
    assert response.status == 201
    assert response.headers["x-frame-options"] == "DENY"
    assert text(response.body) == "created"


def test_the_session_is_kept_across_requests_in_a_signed_cookie(server):
    from tests.serve.conftest import Client

    client = Client(server.url)
    assert text(client.get("/count").body) == "count 1 cookie"
    assert text(client.get("/count").body) == "count 2 cookie"
    assert text(Client(server.url).get("/count", Cookie="theme=dark").body) == (
        "count 1 cookie dark")
    session = next(c for c in client.cookies if c.name == "posjobs_session")
    forged = Client(server.url)
    response = forged.get("/count", Cookie="posjobs_session=" + session.value[:-3] + "abc")
    assert text(response.body) == "count 1 cookie"  # a forged cookie is a new session
    assert text(Client(server.url).get("/count").body) == "count 1 cookie"


def test_a_template_error_is_a_500_page_naming_file_line_and_source(server):
    response = server.client.get("/broken")
    assert response.status == 500
    assert "app/views/pages/broken.liquid:5" in response.body
    assert "no_such_filter" in response.body
    assert "line two" in response.body and "line four" in response.body
    assert "Traceback" not in response.body
    assert re.search(r'class="here">\s*5 \| \{\{ &#39;x&#39; \| no_such_filter \}\}',
                     response.body)
    logged = server.client.get("/_posjobs/api/logs?type=liquid_error").json()
    assert any("no_such_filter" in e["message"] for e in logged)
    assert any("GET /broken 500" in n for n in server.notices)


def test_an_unknown_route_is_404(server):
    response = server.client.get("/no/such/page")
    assert response.status == 404
    assert "no page for GET /no/such/page" in response.body


def test_a_url_never_names_a_file(server):
    assert server.client.get("/app/views/pages/index.liquid").status == 404
    assert server.client.get("/posjobs.toml").status == 404


def test_a_request_s_jobs_are_stored_when_it_succeeds(server):
    response = server.client.post("/enqueue", {"note": "hi"})
    assert text(response.body) == "queued"
    jobs = server.client.get("/_posjobs/api/jobs?source_name=from_form").json()
    assert [job["source_name"] for job in jobs] == ["from_form"]
    assert server.client.get(f"/_posjobs/api/jobs/{jobs[0]['id']}").json()["arguments"] == {
        "note": "hi"}


def test_edits_to_templates_are_seen_on_the_next_request(server):
    page = server.project.root / "app/views/pages/index.liquid"
    assert text(server.client.get("/").body) == "<body>home</body>"
    layout = server.project.root / "app/views/layouts/application.liquid"
    page.write_text("home, {% render 'greeting' %}")
    partial = server.project.root / "app/views/partials/greeting.liquid"
    partial.parent.mkdir(parents=True, exist_ok=True)
    partial.write_text("hello")
    try:
        assert text(server.client.get("/").body) == "<body>home, hello</body>"
        partial.write_text("hello again")
        # As a person's edit would be: not within the file system's mtime granularity.
        later = partial.stat().st_mtime + 2
        os.utime(partial, (later, later))
        layout.write_text("<main>{{ content_for_layout }}</main>")
        assert text(server.client.get("/").body) == "<main>home, hello again</main>"
    finally:
        page.write_text("home")
        layout.write_text(PAGES["app/views/layouts/application.liquid"])


def test_a_page_added_or_removed_while_serving_is_routed_on_the_next_request(server):
    page = server.project.root / "app/views/pages/fresh.liquid"
    assert server.client.get("/fresh").status == 404
    page.write_text("---\nlayout: ''\n---\nnew here")
    try:
        assert text(server.client.get("/fresh").body) == "new here"
    finally:
        page.unlink()
    assert server.client.get("/fresh").status == 404


def test_the_project_s_own_404_page(serve_project):
    server = serve_project({"app/views/pages/404.liquid": "---\nlayout: ''\n---\nlost: ours"})
    response = server.client.get("/nowhere")
    assert response.status == 404
    assert text(response.body) == "lost: ours"


def test_forms_create_records_and_their_jobs_run_in_the_worker(tmp_path):
    root = tmp_path / "shop"
    shutil.copytree(FIXTURES / "shop", root, ignore=shutil.ignore_patterns("*.db*"))
    running = start_server(root, worker=True)
    server = next(running)
    try:
        created = server.client.post("/orders/create", {"sku": "LAMP", "qty": "2"})
        assert created.status == 201
        order_id = re.search(r"created order (\d+)", created.body).group(1)
        assert "LAMP x 2" in server.client.get(f"/orders/{order_id}").body
        assert server.client.get("/orders/9999").status == 404  # the page's response_status
        done = server.wait_for(lambda: [j for j in server.client.get(
            "/_posjobs/api/jobs?status=done").json()
            if j["source_name"] == "order_created/send_receipt"])
        job_page = server.client.get(f"/_posjobs/jobs/{done[0]['id']}").body
        assert "app/lib/consumers/order_created/send_receipt.liquid" in job_page
        assert 'id="partial"' in job_page
    finally:
        next(running, None)


def test_the_signed_in_user_is_current_user(tmp_path):
    from tests.conftest import write_project

    root = tmp_path / "project"
    write_project(root, {
        "app/views/pages/sign_in.liquid": "---\nmethod: post\nlayout: ''\n---\n"
                                         "{% sign_in user_id: context.params.id %}signed in",
        "app/views/pages/me.liquid": "---\nlayout: ''\n---\n"
                                     "me={{ context.current_user.email }}",
    })
    data = DataLayer(Project(root), data_store_path(root / ".posjobs" / "posjobs.db"))
    user = data.store.insert_user("ada@example.com", None, {}, time.time())
    data.close()
    running = start_server(root)
    server = next(running)
    try:
        assert text(server.client.get("/me").body) == "me="
        assert server.client.post("/sign_in", {"id": str(user.id)}).status == 200
        assert text(server.client.get("/me").body) == "me=ada@example.com"
    finally:
        next(running, None)


def test_pages_of_the_shop_fixture_route(tmp_path: Path):
    root = tmp_path / "shop"
    shutil.copytree(FIXTURES / "shop", root, ignore=shutil.ignore_patterns("*.db*"))
    running = start_server(root)
    server = next(running)
    try:
        assert server.client.get("/orders").status == 200
        # GET orders/create is the orders/:id page (create takes only POST), as routed
        # on the platform: the page itself fails on the id, with its file and line.
        shown = server.client.get("/orders/create")
        assert shown.status == 500
        assert "app/lib/queries/orders/find.liquid:2" in shown.body
    finally:
        next(running, None)


def test_a_session_survives_a_restart_as_the_key_is_kept_in_the_project(tmp_path):
    from tests.conftest import write_project
    from tests.serve.conftest import Client

    root = tmp_path / "project"
    write_project(root, {"app/views/pages/count.liquid": PAGES["app/views/pages/count.liquid"]})
    first = start_server(root)
    server = next(first)
    client = Client(server.url)
    assert text(client.get("/count").body) == "count 1 cookie"
    cookie = next(c.value for c in client.cookies if c.name == "posjobs_session")
    next(first, None)
    secret = root / ".posjobs" / "serve.secret"
    assert secret.stat().st_mode & 0o777 == 0o600
    second = start_server(root)
    server = next(second)
    try:
        again = Client(server.url).get("/count", Cookie=f"posjobs_session={cookie}")
        assert text(again.body) == "count 2 cookie"
    finally:
        next(second, None)
