"""Requests routed as the platform routes them: slug, method and format together."""

from __future__ import annotations

import pytest

from posjobs.errors import PageNotFound

ROUTES = {
    "app/views/pages/sessions/new.liquid": "---\nslug: sessions\n---\nNEW",
    "app/views/pages/sessions/create.liquid": "---\nslug: sessions\nmethod: post\n---\nCREATE",
    "app/views/pages/sessions/destroy.liquid": "---\nslug: sessions\nmethod: delete\n---\nDEL",
    "app/views/pages/_tests/run_async.liquid": "HTML",
    "app/views/pages/_tests/run_async.js.liquid": "JS",
    "app/views/pages/api/orders.json.liquid": "---\nslug: api/orders/:id\n---\n{}",
    "app/views/pages/only_post.liquid": "---\nmethod: post\n---\nP",
}


@pytest.mark.parametrize(("name", "method", "path"), [
    ("sessions", None, "sessions/new.liquid"),
    ("sessions", "GET", "sessions/new.liquid"),
    ("sessions", "post", "sessions/create.liquid"),
    ("sessions", "DELETE", "sessions/destroy.liquid"),
    ("_tests/run_async", None, "_tests/run_async.liquid"),
    ("_tests/run_async.js", None, "_tests/run_async.js.liquid"),
    ("api/orders/7.json", None, "api/orders.json.liquid"),
    ("api/orders/7", None, "api/orders.json.liquid"),  # the slug's only page
    ("only_post", None, "only_post.liquid"),  # no method given: the page's own
])
def test_a_request_is_routed_by_slug_method_and_format(make_project, name, method, path):
    project = make_project(ROUTES)
    page, _params = project.match_page(name, method=method)
    assert page.file.name == f"app/views/pages/{path}"


def test_a_slug_shared_by_pages_lists_their_methods_and_formats(make_project):
    project = make_project(ROUTES)
    with pytest.raises(PageNotFound) as caught:
        project.match_page("sessions", method="PUT")
    assert "no page 'sessions' for PUT (html)" in str(caught.value)
    assert caught.value.hint is not None
    for shown in ("GET sessions (html", "POST sessions (html", "DELETE sessions (html"):
        assert shown in caught.value.hint
    with pytest.raises(PageNotFound) as caught:
        project.match_page("_tests/run_async.xml")
    assert "(js: app/views/pages/_tests/run_async.js.liquid)" in str(caught.value.hint)


def test_hints_name_each_page_once_and_never_the_name_typed(make_project):
    project = make_project({"app/views/pages/orders.liquid": "x",
                            "app/views/pages/order.json.liquid": "y"})
    with pytest.raises(PageNotFound) as caught:
        project.match_page("ordrs")
    hint = caught.value.hint or ""
    assert hint.count("'orders'") == 1
    with pytest.raises(PageNotFound) as caught:
        project.match_page("orders", method="POST")
    assert "did you mean" not in (caught.value.hint or "")


def test_a_hint_names_a_page_of_another_format_with_its_format(make_project):
    project = make_project(ROUTES)
    with pytest.raises(PageNotFound) as caught:
        project.match_page("_tests/run_asyn")
    assert "'_tests/run_async'" in (caught.value.hint or "")
    assert "'_tests/run_async.js'" in (caught.value.hint or "")


def test_a_slug_pattern_takes_a_request_the_exact_slug_has_no_page_for(make_project):
    # The platform routes by method and path together: GET orders/create reaches the GET
    # page at orders/:id when orders/create only takes POST (the shop fixture's shape).
    project = make_project({
        "app/views/pages/orders/create.liquid": "---\nmethod: post\n---\nc",
        "app/views/pages/orders/show.liquid": "---\nslug: orders/:id\n---\ns",
    })
    page, params = project.match_page("orders/create", method="GET")
    assert page.file.name == "app/views/pages/orders/show.liquid"
    assert params == {"id": "create"}
    page, params = project.match_page("orders/create", method="POST")
    assert page.file.name == "app/views/pages/orders/create.liquid" and params == {}
    with pytest.raises(PageNotFound, match="for DELETE"):
        project.match_page("orders/create", method="DELETE")
