"""Hash filters, rendered through the dialect (examples from the platform's docset)."""

from __future__ import annotations

import pytest


def test_hash_add_key_builds_a_hash(render):
    out = render("""
        {%- liquid
          assign accountants = "Angela,Kevin,Oscar" | split: ","
          assign company = null | hash_add_key: "name", "Dunder Mifflin"
          assign company = company | add_hash_key: "accountants", accountants
          assign company = company | assign_to_hash_key: "size", 3
        -%}
        {{ company | json }}
    """)
    assert out == '{"name":"Dunder Mifflin","accountants":["Angela","Kevin","Oscar"],"size":3}'


def test_hash_merge_takes_a_hash_or_named_arguments(render):
    out = render("""
        {%- assign a = '{"a": 1, "b": 2 }' | parse_json -%}
        {%- assign b = '{"b": 3, "c": 4 }' | parse_json -%}
        {{ a | hash_merge: b | json }} {{ null | hash_merge: foo: 'x', bar: 2 | json }}
        {{- ' ' }}{{ a | json }}
    """)
    assert out == '{"a":1,"b":3,"c":4} {"foo":"x","bar":2} {"a":1,"b":2}'


def test_hash_delete_key_returns_the_value_and_changes_the_hash(render):
    out = render("""
        {%- liquid
          assign hash = '{ "a": "1", "b": "2"}' | parse_json
          assign a_value = hash | hash_delete_key: "a"
          assign missing = hash | remove_hash_key: "zzz"
        -%}
        {{ a_value }} {{ hash | json }} [{{ missing }}] [{{ nothing | delete_hash_key: 'a' }}]
    """)
    assert out == '1 {"b":"2"} [] []'


def test_hash_dig_steps_into_hashes_and_arrays(render):
    data = {"name": {"first": "John"}, "images": [{"url": "/a.png"}]}
    assert render("{{ d | hash_dig: 'name', 'first' }}", d=data) == "John"
    assert render("{{ d | dig: 'images', 0, 'url' }}", d=data) == "/a.png"
    assert render("[{{ d | hash_dig: 'name', 'middle', 'x' }}]", d=data) == "[]"
    assert render("[{{ nothing | hash_dig: 'a' }}]") == "[]"


def test_hash_dig_into_an_array_with_a_string_is_an_error_at_the_line(render):
    err = render.error("ok\n{{ d | hash_dig: 'images', 'first' }}", d={"images": [1]})
    assert err.path == "app/views/pages/t.liquid"
    assert err.line == 2
    assert "hash_dig" in err.message


def test_hash_keys_values_fetch_sort_except(render):
    data = {"foo": "fooval", "bar": "barval", "baz": "bazval"}
    assert render("{{ d | hash_keys | json }}", d=data) == '["foo","bar","baz"]'
    assert render("{{ d | hash_values | json }}", d=data) == '["fooval","barval","bazval"]'
    assert render("{{ d | hash_fetch: 'bar' }}{{ d | fetch: 'x' }}", d=data) == "barval"
    assert render("{{ d | hash_sort | json }}", d=data) == (
        '{"bar":"barval","baz":"bazval","foo":"fooval"}')
    assert render("{% assign exc = 'foo,baz' | split: ',' %}{{ d | hash_except: exc | json }}",
                  d=data) == '{"bar":"barval"}'


def test_hash_diff_like_the_platform(render):
    source = """
        {%- liquid
          assign a = '{ "a": 1, "c": "5 ", "d": 6, "e": { "f": 5.12 } }' | parse_json
          assign b = '{ "b": 2, "c": "5",  "d": 5, "e": { "f": 5.13 } }' | parse_json
        -%}
        {{ a | hash_diff: b | json }}
        {{ a | hash_diff: b, strip: true | json }}
    """
    first, second = render(source).splitlines()
    assert first == (
        '[["-","a",1],["~","c","5 ","5"],["~","d",6,5],["~","e.f",5.12,5.13],["+","b",2]]')
    assert second == '[["-","a",1],["~","d",6,5],["~","e.f",5.12,5.13],["+","b",2]]'


def test_hash_diff_options_and_arrays(render):
    a = {"x": [1, 2, 3], "n": 1, "s": "A"}
    b = {"x": [1, 3, 4], "n": 1.0, "s": "a"}
    assert render("{{ a | hash_diff: b | json }}", a=a, b=b) == (
        '[["~","n",1,1.0],["~","s","A","a"],["-","x[1]",2],["+","x[2]",4]]')
    assert render("{{ a | hash_diff: b, strict: false, case_insensitive: true,"
                  " ignore_keys: 'x' | json }}", a=a, b=b) == "[]"


def test_deep_clone_is_independent(render):
    out = render("""
        {%- assign copy = h | deep_clone -%}
        {%- assign inner = copy.a | hash_add_key: 'z', 1 -%}
        {{ h | json }} {{ copy | json }}
    """, h={"a": {"b": 1}})
    assert out == '{"a":{"b":1}} {"a":{"b":1,"z":1}}'


@pytest.mark.parametrize("source", [
    "{{ 'text' | hash_merge: x }}",
    "{{ list | hash_keys }}",
    "{{ 5 | hash_add_key: 'a', 1 }}",
])
def test_non_hash_input_is_a_liquid_error(render, source):
    err = render.error(source, list=[1, 2])
    assert err.line == 1
    assert "expected a hash" in err.message
