"""Syntax found in the platform's public modules, as small snippets of the same shape.

Each test stands for a construct real platformOS code uses and posjobs once rejected (or
failed on with an internal error): JSON-style literals, `<<`, Ruby Liquid's lax argument lists,
`export` without a namespace, `log` with extra arguments, `contains` as a name.
"""

from __future__ import annotations

import json

import pytest
from liquid import Tag, TokenStream
from liquid.ast import Node

from posjobs.errors import TemplateError
from tests.liquid.tag_helpers import PAGE, Pages


@pytest.fixture
def page(tmp_path):
    return Pages(tmp_path, {
        "app/lib/echo_args.liquid": "{% return args %}",
        "app/lib/check.liquid": "{% liquid\n  assign c = { \"errors\": {}, \"valid\": true }\n"
                                "  assign c.valid = object.ok\n  return c\n%}",
        "app/views/partials/show.liquid": "{{ data.a }}-{{ data.b | join: '+' }}",
        "app/lib/job.liquid": "{% log payload %}",
        "app/views/layouts/application.liquid": "A{{ content_for_layout }}",
        "app/views/layouts/admin.liquid": "B{{ content_for_layout }}",
    })


# --- hash and array literals ---------------------------------------------------------------------
def test_hash_literal_with_variables_nested_literals_and_undefined_values(page):
    out = page('{% assign x = {"id": user.id, "tags": ["a", n], "meta": {}, "gone": nope} %}'
               "{{ x | json }}", user={"id": 7}, n=2)
    assert json.loads(out.html) == {"id": 7, "tags": ["a", 2], "meta": {}, "gone": None}


def test_array_literal_with_filters_and_one_string_arrays(page):
    out = page("{% assign ids = [a, b, a] | uniq | join: ',' %}{{ ids }}|"
               '{% assign roles = ["anonymous"] %}{{ roles.size }}{{ roles.first }}|'
               "{% assign one = [0] %}{{ one | json }}", a=1, b=2)
    assert out.html == "1,2|1anonymous|[0]"


def test_literals_are_values_anywhere_a_value_goes(page):
    out = page('{% for i in [3, 4] %}{{ i }}{% endfor %}|{{ {"k": "v"}.k }}|{{ [5, 6].size }}|'
               '{% render \'show\', data: {"a": 1, "b": [2, 3]} %}|'
               '{% function r = \'echo_args\', args: [{"q": 1}] %}{{ r | json }}')
    assert out.html == '34|v|2|1-2+3|[{"q":1}]'


def test_each_evaluation_builds_a_new_hash(page):
    out = page('{% for i in (1..2) %}{% assign h = {"n": 0} %}{% assign h.n = i %}'
               "{% assign all = all | add_to_array: h %}{% endfor %}{{ all | json }}", all=[])
    assert out.html == '[{"n":1},{"n":2}]'


def test_multi_line_literal_inside_the_liquid_tag(page):
    out = page("""
        {% liquid
          assign object = {
            "layout": layout,
            "to": ["a@example.com",
                   "b@example.com"],
            "data": { "n": 1 }
          }
          function c = 'check', object: object
          echo object | json
          echo '|'
          echo c | json
        %}""", layout="mailer")
    assert out.html == ('{"layout":"mailer","to":["a@example.com","b@example.com"],'
                        '"data":{"n":1}}|{"errors":{},"valid":null}')


def test_literal_as_a_background_argument_is_stored_as_json(page):
    out = page('{% background _ = \'job\', payload: {"ids": [1, 2], "who": user.id} %}',
               user={"id": 3})
    assert out.run.jobs[0].arguments == {"payload": {"ids": [1, 2], "who": 3}}


@pytest.mark.parametrize(("source", "message"), [
    ('{% assign x = {"a": 1 %}', "expected ',' or '}'"),
    ("{% assign x = {a: 1} %}", "expected a quoted key"),
    ("{% assign x = [1, 2 %}", "expected ',' or ']'"),
    ("{% assign x = 1 } %}", "unexpected '}'"),
])
def test_malformed_literals_are_syntax_errors_at_their_line(page, source, message):
    err = page.error("first line\n" + source)
    assert message in err.message
    assert err.line == 2


def test_standard_indexes_are_still_indexes(page):
    out = page('{{ h["a b"] }}{{ list[0] }}{{ list[i] }}{{ h[key] }}{{ list.first }}',
               h={"a b": "A", "k": "K"}, list=["x", "y"], i=1, key="k")
    assert out.html == "AxyKx"


# --- << ---------------------------------------------------------------------------------------
def test_assign_appends_with_double_less_than(page):
    out = page("{% assign list << 1 %}{% assign list << 'two' %}{{ list | json }}|"
               "{% assign row = [] %}{% assign row = row << a.b << 3 %}{{ row | json }}",
               a={"b": 2})
    assert out.html == '[1,"two"]|[2,3]'


def test_append_to_a_json_array_string_and_into_a_hash(page):
    out = page('{% assign errors = h.errors | default: "[]" %}{% assign errors << "bad" %}'
               "{{ errors | json }}|{% assign c = {\"roles\": [\"a\"]} %}"
               "{% assign c.roles = c.roles << 'b' %}{{ c | json }}", h={})
    assert out.html == '["bad"]|{"roles":["a","b"]}'


def test_appending_to_a_hash_or_a_number_is_a_clear_error(page):
    err = page.error("{% assign h = {} %}{% assign h << 1 %}")
    assert "cannot append to h: it is a hash, not an array" in err.message
    err = page.error("{% assign h = 5 %}{% assign x = h << 1 %}")
    assert "cannot append to h: it is a number, not an array" in err.message
    assert "expected a value after x <<" in page.error("{% assign x << %}").message


# --- lax argument lists ------------------------------------------------------------------------
def test_a_missing_comma_between_arguments(page):
    out = page("{% function r = 'echo_args', args: 'x' other: 1 %}{{ r }}|"
               "{% render 'show' data: d %}", d={"a": "A", "b": []})
    assert out.html == "x|A-"


def test_doubled_commas_and_a_trailing_semicolon(page):
    out = page("{% function r = 'echo_args', other: 1, , args: 'y'; %}{{ r }}")
    assert out.html == "y"


def test_a_second_colon_drops_the_rest_of_the_argument(page):
    out = page("{% function r = 'echo_args', junk: key: 'ignored', args: 'z' %}{{ r }}")
    assert out.html == "z"


def test_a_semicolon_inside_an_expression_is_still_an_error(page):
    assert "unexpected ';'" in page.error("{{ a; b }}").message


def test_filter_arguments_keep_their_own_keyword_arguments(page):
    out = page("{{ 'x' | default: 'y', allow_false: true | append: '!' }}")
    assert out.html == "x!"


# --- other tags ---------------------------------------------------------------------------------
def test_log_ignores_extra_positional_arguments(page):
    out = page("{% log object, 'ERROR: not a type' %}{% log 'a' | append: 'b', type: 'T' %}",
               object={"k": 1})
    assert [(e.type, e.message) for e in out.run.logs] == [("info", '{"k":1}'), ("T", "ab")]


def test_contains_is_a_variable_name_where_it_is_not_the_operator(page):
    out = page("{% for p in contains %}{{ p[0] }}{% endfor %}|{{ contains.a }}|"
               "{% if list contains 'b' %}yes{% endif %}",
               contains={"a": 1}, list=["a", "b"])
    assert out.html == "a|1|yes"


def test_parse_json_accepts_raw_newlines_inside_strings(page):
    out = page('{% capture text %}line one\nline two{% endcapture %}'
               '{% parse_json data %}{"message": "{{ text }}"}{% endparse_json %}'
               "{{ data.message | newline_to_br }}")
    assert out.html == "line one<br />\nline two"


def test_a_layout_name_written_as_liquid_is_rendered_with_the_context(page):
    name = "{{ context.constants['modules/user/LAYOUT'] | default: 'application' }}"
    assert str(page.dialect.layout(name, PAGE).path).endswith("layouts/application.liquid")
    layout = page.dialect.layout(name, PAGE,
                                 context={"constants": {"modules/user/LAYOUT": "admin"}})
    assert str(layout.path).endswith("layouts/admin.liquid")
    with pytest.raises(TemplateError) as caught:
        page.dialect.layout("{{ 'nope' }}", PAGE)
    assert "layout 'nope' not found" in caught.value.message


def test_a_python_exception_while_parsing_is_reported_as_internal(page):
    class Broken(Tag):
        name = "broken"

        def parse(self, stream: TokenStream) -> Node:
            raise KeyError(2)

    page.dialect.env.add_tag(Broken)
    with pytest.raises(TemplateError) as caught:
        page("{% broken %}")
    assert caught.value.error_class == "InternalError"
    assert caught.value.message == "KeyError: 2"
