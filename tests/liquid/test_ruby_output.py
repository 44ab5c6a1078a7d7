"""Values printed as the platform prints them: the rules the Ruby oracle cannot pin.

Expected values come from the platform's reference (platformos-docset filters.json and
tags.json examples); Ruby Liquid's own behaviour is pinned by tests/conformance.
"""

from __future__ import annotations

import pytest

from posjobs.liquid.ruby import JsonArray, float_to_s, inspect, output, to_s


@pytest.mark.parametrize(("value", "text"), [
    # Each checked with `ruby -e 'puts x.to_s'` (Ruby 3.1).
    (3.0, "3.0"), (0.1, "0.1"), (1e-05, "1.0e-05"), (1e17, "1.0e+17"), (1e15, "1.0e+15"),
    (1234567890123456.8, "1234567890123456.8"), (100000000000000.5, "100000000000000.5"),
    (9999999999999998.0, "9.999999999999998e+15"), (0.0001, "0.0001"), (-0.0, "-0.0"),
    (float("inf"), "Infinity"), (float("nan"), "NaN"),
])
def test_floats_print_as_ruby_prints_them(value, text):
    assert float_to_s(value) == text


def test_to_s_and_inspect_spell_values_the_ruby_way():
    assert [to_s(v) for v in (None, True, False, 1.5)] == ["", "true", "false", "1.5"]
    assert to_s([1, None, "a", True]) == '[1, nil, "a", true]'
    assert inspect({"k": [None, 2.0]}) == '{"k"=>[nil, 2.0]}'
    assert output([1, None, [True, [False]], "x"]) == "1truefalsex"


def test_platform_arrays_print_as_json_and_liquid_arrays_join(render):
    # filters.json, array_compact: `{{ '1,' | split: ',' | array_add: false | array_add: '2'
    # | array_compact }} => ["1","2"]`
    assert render("{{ '1,' | split: ',' | array_add: false | array_add: '2' | array_compact }}"
                  ) == '["1","2"]'
    # filters.json, array_in_groups_of: `=> [[1, 2, 3], [4, null, null]]` (written loosely
    # there: the items are the strings split gives).
    assert render("{% assign e = '1,2,3,4' | split: ',' %}{{ e | array_in_groups_of: 3 }}"
                  ) == '[["1","2","3"],["4",null,null]]'
    assert render("{% assign e = '1,2,3,4' | split: ',' | array_in_groups_of: 3 %}"
                  "{% for g in e %}{{ g }};{% endfor %}") == '["1","2","3"];["4",null,null];'
    # filters.json, hash_keys: `=> ["foo", "bar"]`
    assert render("{% assign d = null | hash_merge: foo: 'x', bar: 'y' %}{{ d | hash_keys }}"
                  ) == '["foo","bar"]'
    # tags.json, function: `{% assign items = [] %} ... {{ items }} => ["item_1","item_2"]`
    assert render("{% assign items = [] %}{% assign items << 'item_1' %}"
                  "{% assign items << 'item_2' %}{{ items }}") == '["item_1","item_2"]'
    # filters.json, extract_url_params: `{"first":"a","second":["b","c"]}`; its arrays, and
    # those of parse_json, are the platform's wherever they sit.
    assert render('{% assign p = "/a/b/c/" | extract_url_params: "/{first}{/second*}" %}'
                  "{{ p }}|{{ p.second }}") == '{"first":"a","second":["b","c"]}|["b","c"]'
    assert render("{% assign j = '{\"a\": [1, null]}' | parse_json %}{{ j.a }}") == "[1,null]"
    # filters.json lists split and map as platformOS filters; the developer guide prints a
    # split array as JSON (api-reference/liquid/include: `["subaru","honda",...]`).
    assert render("{{ 'a,b' | split: ',' }}|{{ d | map: 'x' }}",
                  d=[{"x": 1}, {"x": None}]) == '["a","b"]|[1,null]'
    # Ruby Liquid's own arrays (sort, uniq, concat...) and data passed in join, as the
    # oracle records.
    assert render("{{ d }}|{{ n | sort }}|{{ n | concat: n }}", d=[{"x": 1}, {"x": None}],
                  n=[2, None, 1]) == '{"x":1}{"x":null}|12|2121'


def test_a_platform_array_stays_an_array():
    assert isinstance(JsonArray([1]), list)
    assert output(JsonArray([1, None, {"a": True}])) == '[1,null,{"a":true}]'


def test_nil_and_booleans_never_print_in_pythons_spelling(render):
    o = {"name": None, "ok": True}
    assert render("{{ 'Hello ' | append: o.name }}|{{ 'x' | append: o.ok }}", o=o) == (
        "Hello |xtrue")
    assert render("{{ a | join: ', ' }}|{{ a }}", a=["a", None, True, False]) == (
        "a, , true, false|atruefalse")
    assert render("{% for g in a %}[{{ g | join: ',' }}]{% endfor %}",
                  a=[[1, None], [True, False]]) == "[1,][true,false]"


def test_date_with_a_named_format_uses_the_translations(render):
    # filters.json, date: `{{ article.created_at | date: format: 'abbreviated_date' }}`; the
    # name is looked up as `l` looks up its formats (time.formats.<name>).
    r = render.with_files({"app/translations/en.yml": """
        en:
          time:
            formats:
              abbreviated_date: "%b %-d"
        """})
    assert r("{{ '2016-03-14 10:20' | date: format: 'abbreviated_date' }}") == "Mar 14"
    error = r.error("{{ '2016-03-14' | date: format: 'month_day_year' }}")
    assert "time.formats.month_day_year" in str(error)


def test_date_and_split_need_their_argument(render):
    assert "date: expects 1 argument" in str(render.error("{{ 'now' | date }}"))
    assert "split: expects 1 argument" in str(render.error("{{ 'a b' | split }}"))


@pytest.mark.parametrize("source", [
    "{% log 'x' # note %}",
    "{% liquid\n  log 'x', type: 'y' # note\n%}",
    "{% function r = 'p' # why %}",
    "{% background _ = 'p' # later %}",
    "{% render 'p' # TODO %}",
])
def test_a_comment_after_a_tags_arguments_is_ignored(render, source):
    r = render.with_files({"app/views/partials/p.liquid": "{% return 1 %}"})
    assert r(source) == ""
