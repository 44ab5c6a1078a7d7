"""Array filters, rendered through the dialect (examples from the platform's docset)."""

from __future__ import annotations

import pytest

OBJECTS = [{"foo": 1, "bar": "a"}, {"foo": 2, "bar": "b"}, {"foo": 3, "bar": "c"},
           {"foo": 2, "bar": "d"}]


def test_add_prepend_and_their_old_names(render):
    assert render("{% assign a = 'a,b,c' | split: ',' %}{{ a | array_add: 'd' | json }}"
                  "{{ a | add_to_array: 'e' | json }}{{ a | array_prepend: 'd' | json }}"
                  "{{ a | prepend_to_array: 'z' | json }}") == (
        '["a","b","c","d"]["a","b","c","e"]["d","a","b","c"]["z","a","b","c"]')
    assert render("{{ nothing | array_add: 1 | json }}") == "[1]"


@pytest.mark.parametrize("extra", ["false", "null", "empty_object", "empty_array"])
def test_array_compact_removes_blank_values(render, extra):
    out = render(f"""
        {{%- assign empty_object = '{{}}' | parse_json -%}}
        {{%- assign empty_array = ',' | split: ',' -%}}
        {{{{ '1,' | split: ',' | array_add: {extra} | array_add: '2' | array_compact | json }}}}
    """)
    assert out == '["1","2"]'


def test_array_compact_by_property(render):
    items = [{"hello": None}, {"hello": "world"}, {"hello": ""}]
    assert render("{{ h | array_compact: 'hello' | json }}{{ h | compact: 'hello' | size }}",
                  h=items) == '[{"hello":"world"}]1'


def test_delete_and_delete_at(render):
    out = render("""
        {%- assign test = '["test", "test2", "test", "test3"]' | parse_json -%}
        {{ test | array_delete: 'test' | json }} {{ test | array_delete_at: 1 | json }}
    """)
    assert out == '["test2","test3"] ["test","test","test3"]'
    err = render.error("{{ a | array_delete_at: 5 }}", a=[1])
    assert "outside the array" in err.message


def test_select_reject_detect_find_index_with_named_conditions(render):
    assert render("{{ o | array_select: foo: 2 | json }}", o=OBJECTS) == (
        '[{"foo":2,"bar":"b"},{"foo":2,"bar":"d"}]')
    assert render("{{ o | array_reject: foo: 2 | json }}", o=OBJECTS) == (
        '[{"foo":1,"bar":"a"},{"foo":3,"bar":"c"}]')
    assert render("{{ o | array_detect: foo: 2 | json }}", o=OBJECTS) == '{"foo":2,"bar":"b"}'
    assert render("{{ o | array_find_index: foo: 2 | json }}", o=OBJECTS) == "[1,3]"
    assert render("{{ o | select: c | size }}{{ o | detect: foo: 9 | json }}",
                  o=OBJECTS, c={"foo": 2, "bar": "d"}) == "1null"


def test_flatten_group_by_in_groups_of(render):
    assert render("{{ a | array_flatten | json }}", a=[[1, 2], [3, [4]], [5, 6]]) == (
        "[1,2,3,4,5,6]")
    objects = [{"size": "xl", "color": "red"}, {"size": "xl", "color": "yellow"},
               {"size": "s", "color": "red"}]
    assert render("{{ o | array_group_by: 'size' | json }}", o=objects) == (
        '{"xl":[{"size":"xl","color":"red"},{"size":"xl","color":"yellow"}],'
        '"s":[{"size":"s","color":"red"}]}')
    assert render("{{ '1,2,3,4' | split: ',' | array_in_groups_of: 3 | json }}") == (
        '[["1","2","3"],["4",null,null]]')


def test_searching(render):
    assert render("{{ 'foo,bar' | split: ',' | array_any: 'foo' }}") == "true"
    assert render("{{ 'a,b,c,d' | split: ',' | array_include: 'c' }}") == "true"
    assert render("{{ o | array_index_of: 'abc' }}[{{ o | array_index_of: 'x' }}]",
                  o=[1, "abc", 3]) == "1[]"
    assert render("{{ a | array_any: 2 }} {{ a | any }}", a=["1", "2"]) == "true false"


def test_set_operations_limit_rotate_sum_uniq(render):
    assert render("{{ '1,2,3,4' | split: ',' | array_intersect: other | json }}",
                  other=["3", "4", "5"]) == '["3","4"]'
    assert render("{{ '1,2' | split: ',' | array_subtract: other | json }}", other=["2"]) == (
        '["1"]')
    assert render("{{ a | array_limit: 1 | json }}", a=[{"id": 1}, {"id": 2}]) == '[{"id":1}]'
    assert render("{{ '1,2,3' | split: ',' | array_rotate | json }}") == '["2","3","1"]'
    assert render("{{ a | rotate: 2 | json }}", a=[1, 2, 3, 4]) == "[3,4,1,2]"
    assert render("{{ '[1,2,3]' | parse_json | array_sum }} {{ a | sum_array }}",
                  a=[1, "2.5"]) == "6 3.5"
    assert render("{{ '[[1,2],[1,2],[3,4]]' | parse_json | array_uniq | json }}") == (
        "[[1,2],[3,4]]")
    assert render("{{ a | array_uniq: 'k' | size }} {{ 5 | array_uniq | json }}",
                  a=[{"k": 1}, {"k": 1}, {"k": 2}]) == "2 [5]"


def test_map_and_array_map(render):
    items = [{"id": 1, "name": "foo"}, None, {"id": 2, "name": "bar"}]
    # A nil item maps to nil, as in Ruby Liquid 5.4 (conformance case arrays/map).
    assert render("{{ o | map: 'name' | json }}", o=items) == '["foo",null,"bar"]'
    assert render("{{ o | array_map: 'id', 'name' | json }}", o=[items[0], items[2]]) == (
        '[[1,"foo"],[2,"bar"]]')
    assert render("{{ o | map_attributes: 0 | json }}", o=[[1, 2], [3, 4]]) == "[[1],[3]]"


def test_sort_by_puts_missing_values_last(render):
    a = [{"title": "Tester"}, {"title": "And"}, {}, {"title": "Be"}]
    assert render("{{ a | array_sort_by: 'title' | map: 'title' | json }}", a=a) == (
        '["And","Be","Tester",null]')


def test_shuffle_uses_the_run_random_source(render):
    first = render("{{ a | array_shuffle | json }}", a=list(range(10)))
    assert first == render("{{ a | shuffle_array | json }}", a=list(range(10)))
    assert sorted(int(x) for x in first.strip("[]").split(",")) == list(range(10))


@pytest.mark.parametrize("source", [
    "{{ 'text' | array_add: 1 }}",
    "{{ h | array_select: foo: 1 }}",
    "{{ a | array_limit: 'x' }}",
    "{{ a | array_sum }}",
    "{{ a | array_in_groups_of: 0 }}",
])
def test_wrong_inputs_are_liquid_errors_at_the_line(render, source):
    err = render.error("first line\n" + source, h={"a": 1}, a=["x"])
    assert err.line == 2
    assert err.path == "app/views/pages/t.liquid"


def test_nil_inputs_give_empty_answers(render):
    assert render("{{ x | array_compact | json }}{{ x | array_select: a: 1 | json }}"
                  "{{ x | array_flatten | json }}{{ x | array_any: 1 }}") == "[][][]false"
