"""Tags posjobs does not support fail at parse time, naming the tag and where it is."""

from __future__ import annotations

import pytest

from posjobs.liquid.tags import TAGS
from tests.liquid.tag_helpers import PAGE, Pages


@pytest.fixture
def page(tmp_path):
    return Pages(tmp_path, {"app/views/partials/uses_unknown.liquid": "ok\n{% frobnicate %}"})


def test_an_unknown_tag_is_unsupported_with_its_name_path_and_line(page):
    err = page.error("line one\n{% frobnicate x: 1 %}")
    assert "unsupported" in err.message
    assert "'frobnicate'" in err.message
    assert f"{PAGE}:2" in err.message
    assert (err.path, err.line) == (PAGE, 2)


def test_inside_the_liquid_tag_too(page):
    err = page.error("{% liquid\n  assign a = 1\n  frobnicate a\n%}")
    assert "unsupported tag 'frobnicate'" in err.message
    assert err.line == 3


def test_in_a_partial_the_partial_is_named(page):
    err = page.error("{% render 'uses_unknown' %}")
    assert "unsupported tag 'frobnicate' at app/views/partials/uses_unknown.liquid:2" in (
        err.message
    )


def test_a_misspelt_tag_gets_a_hint(page):
    err = page.error("{% fucntion r = 'x' %}")
    assert "unsupported tag 'fucntion'" in err.message
    assert "did you mean 'function'?" in err.message


def test_a_stray_end_tag_is_still_unexpected(page):
    err = page.error("{% endif %}")
    assert err.message == "unexpected tag 'endif'"


def test_the_platform_tags_are_registered():
    names = {tag.name for tag in TAGS}
    assert {"function", "function_rc", "return", "graphql", "hash_assign", "parse_json",
            "export", "try", "transaction", "rollback", "cache", "content_for", "yield",
            "print", "session", "redirect_to", "response_status", "response_headers",
            "sign_in", "context", "theme_render_rc", "spam_protection", "include_form",
            "form", "background", "log", "execute_query", "query_graph", "try_rc"} <= names
