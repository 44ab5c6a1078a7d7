"""`posjobs render` with a request: params from slugs and query strings, user, headers,
cookies, session, environment; and what the page asked of its response."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_cli

FILES = {
    "app/views/pages/orders/show.liquid": """
        ---
        slug: orders/:id
        ---
        order {{ context.params.id }} tab {{ context.params.tab }}
        """,
    "app/views/pages/echo.liquid": """
        ---
        method: post
        ---
        user={{ context.current_user.email }}
        token={{ context.headers.HTTP_X_TOKEN }}
        cookie={{ context.cookies.theme }}
        cart={{ context.session.cart }}
        env={{ context.environment }}
        method={{ context.headers.REQUEST_METHOD }}
        {% log 'only in production', env: 'production' %}
        """,
    "app/views/pages/respond.liquid": """
        {% session visited = 'yes' %}
        {% response_status 201 %}
        {% response_headers '{"X-Frame-Options": "DENY"}' %}
        created
        """,
    "app/views/pages/go.liquid": "{% redirect_to '/thanks' %}",
}


@pytest.fixture
def root(make_project):
    return str(make_project(FILES).root)


def html(result) -> str:
    assert result.exit_code == 0, result.stderr
    return " ".join(result.stdout.split())


def test_slug_parameters_and_query_strings_fill_params(root):
    assert html(run_cli(["-p", root, "render", "orders/7?tab=items"])) == "order 7 tab items"


def test_user_headers_cookies_session_environment_and_method(root, tmp_path):
    user = tmp_path / "user.json"
    user.write_text('{"id": 1, "email": "ada@example.com"}')
    result = run_cli(["-p", root, "render", "echo", "--user", f"@{user}",
                      "-H", "X-Token: abc", "--cookie", "theme=dark", "--session", "cart=3",
                      "--environment", "production", "-X", "post", "--json"])
    data = json.loads(result.stdout)
    assert " ".join(data["html"].split()) == (
        "user=ada@example.com token=abc cookie=dark cart=3 env=production method=POST")
    assert [e["message"] for e in data["logs"]] == ["only in production"]
    assert data["logs"][0]["data"]["request"] == "POST /echo"


def test_user_as_inline_json(root):
    out = html(run_cli(["-p", root, "render", "echo", "--user", '{"email": "x@y.z"}']))
    assert "user=x@y.z" in out


@pytest.mark.parametrize(("argv", "message"), [
    (["--user", "{not json"], "--user is not JSON"),
    (["--user", "[1]"], "must be a JSON object"),
    (["--user", "@/nonexistent/user.json"], "cannot read"),
    (["-H", "no colon"], "is not 'Name: value'"),
    (["--cookie", "novalue"], "is not KEY=VALUE"),
])
def test_bad_request_options_are_usage_errors(root, argv, message):
    result = run_cli(["-p", root, "render", "echo", *argv])
    assert result.exit_code == 2
    assert message in result.stderr


def test_the_response_the_page_asked_for_is_shown(root):
    result = run_cli(["-p", root, "render", "respond"])
    assert "response 201 · X-Frame-Options: DENY" in result.stderr
    data = json.loads(run_cli(["-p", root, "render", "respond", "--json"]).stdout)
    assert data["response"]["status"] == 201
    assert data["response"]["headers"] == {"X-Frame-Options": "DENY"}
    assert data["response"]["session"] == {"visited": "yes"}


def test_a_redirect_is_a_302_to_its_target(root):
    data = json.loads(run_cli(["-p", root, "render", "go", "--json"]).stdout)
    assert data["response"]["redirect_to"] == "/thanks"
    assert data["response"]["status"] in (302, 301, 303, 307, 308)
