"""function, return and their targets, as the platformOS docset describes them."""

from __future__ import annotations

import pytest

from tests.liquid.tag_helpers import PAGE, Pages


@pytest.fixture
def page(tmp_path):
    return Pages(tmp_path, {
        "app/views/partials/partials/greeting.liquid": "{% return 'Hello ' | append: name %}",
        "app/lib/partials/fetch_item.liquid": """
            {% liquid
              assign result = 'item_' | append: id
              return result
            %}""",
        "app/lib/partials/count_users.liquid": "{% return 2 %}",
        "app/lib/compute.liquid": """
            {% liquid
              assign result = 1 | plus: 3
              return result
            %}""",
        "app/lib/noisy.liquid": "printed {% assign hidden = 1 %}{% return 'value' %} never",
        "app/lib/silent.liquid": "{% assign x = 1 %}",
        "app/lib/sees.liquid": "{% return outer | default: 'nothing' %}",
        "app/lib/context.liquid": "{% return context.language %}",
        "app/lib/first_even.liquid": """
            {%- for n in numbers -%}
              {%- assign r = n | modulo: 2 -%}
              {%- if r == 0 %}{% return n %}{% endif -%}
            {%- endfor -%}
            {% return 'none' %}""",
        "app/lib/stops.liquid": "{% liquid\n  if stop\n    break\n  endif\n  return 'went on'\n%}",
        "app/lib/nested.liquid": "{% function inner = 'compute' %}{% return inner | plus: 1 %}",
        "modules/core/public/lib/commands/execute.liquid": "{% return 'from the module' %}",
    })


def test_the_result_is_what_the_partial_returns(page):
    assert page("{% function result = 'partials/greeting', name: 'Alice' %}{{ result }}"
                ).html == "Hello Alice"


def test_return_works_inside_the_liquid_tag(page):
    assert page("{% function r = 'compute' %}{{ r }}").html == "4"


def test_the_partials_output_is_discarded_and_its_variables_stay_inside(page):
    out = page("{% function r = 'noisy' %}[{{ r }}][{{ hidden }}]")
    assert out.html == "[value][]"


def test_a_partial_that_returns_nothing_gives_nil(page):
    assert page("{% assign r = 1 %}{% function r = 'silent' %}[{{ r }}]").html == "[]"


def test_only_passed_arguments_are_visible_but_the_context_object_is(page):
    assert page("{% assign outer = 'x' %}{% function r = 'sees' %}{{ r }}").html == "nothing"
    assert page("{% function r = 'sees', outer: 'passed' %}{{ r }}").html == "passed"
    assert page("{% function r = 'context' %}{{ r }}",
                context={"language": "pl"}).html == "pl"


def test_return_inside_a_loop_ends_the_partial(page):
    assert page("{% function r = 'first_even', numbers: ns %}{{ r }}", ns=[1, 3, 4, 6]
                ).html == "4"
    assert page("{% function r = 'first_even', numbers: ns %}{{ r }}", ns=[1]).html == "none"


def test_break_outside_a_loop_ends_the_partial(page):
    assert page("{% function r = 'stops', stop: true %}[{{ r }}]").html == "[]"
    assert page("{% function r = 'stops', stop: false %}[{{ r }}]").html == "[went on]"


def test_functions_nest(page):
    assert page("{% function r = 'nested' %}{{ r }}").html == "5"


def test_bracket_dot_and_mixed_targets(page):
    out = page("""
        {%- liquid
          hash_assign data['foo'] = null
          function data["foo"]["bar"] = 'partials/fetch_item', id: 'baz'
          function user.profile["name"] = 'partials/fetch_item', id: 'John'
        -%}
        {{ data.foo.bar }} {{ user.profile.name }}""", data={"foo": {}}, user={"profile": {}})
    assert out.html == "item_baz item_John"


def test_append_targets_build_arrays(page):
    out = page("""
        {%- function items << 'partials/fetch_item', id: 1 -%}
        {%- function items << 'partials/fetch_item', id: 2 -%}
        {%- function response["data"] << 'partials/fetch_item', id: 3 -%}
        {%- function response["metadata"]["total"] = 'partials/count_users' -%}
        {{ items | join: ',' }} {{ response.data | join: ',' }} {{ response.metadata.total }}""",
        items=[], response={})
    assert out.html == "item_1,item_2 item_3 2"


def test_appending_to_something_not_an_array_is_an_error(page):
    err = page.error("{% function s << 'compute' %}", s="text")
    assert "cannot append to s" in err.message
    assert (err.path, err.line) == (PAGE, 1)


def test_module_partials_and_app_overrides(page, tmp_path):
    assert page("{% function r = 'modules/core/commands/execute' %}{{ r }}"
                ).html == "from the module"
    override = tmp_path / "project/app/modules/core/public/lib/commands/execute.liquid"
    override.parent.mkdir(parents=True)
    override.write_text("{% return 'overridden' %}")
    assert page("{% function r = 'modules/core/commands/execute' %}{{ r }}"
                ).html == "overridden"


def test_function_rc_is_an_alias(page):
    assert page("{% function_rc r = 'compute' %}{{ r }}").html == "4"


def test_a_missing_partial_is_an_error_at_the_tag(page):
    err = page.error("first line\n{% function r = 'nope' %}")
    assert "partial 'nope' not found" in err.message
    assert (err.path, err.line) == (PAGE, 2)


def test_a_malformed_function_is_a_parse_error(page):
    err = page.error("{% function 'compute' %}")
    assert "function: expected `result = 'path/to/partial'" in err.message


def test_return_in_a_page_ends_the_page(page):
    assert page("before{% return %}after").html == "before"
