"""String filters: Ruby regexps, inflections, slugs, prefixes, padding and split."""

from __future__ import annotations

import pytest


def test_matches_and_regex_matches(render):
    assert render("{{ 'foo' | matches: '[a-z]' }} {{ 'FOO' | matches: '^f', 'i' }}") == "true true"
    assert render("[{{ nothing | matches: 'a' }}]") == "[]"
    assert render("{{ 'abcdef' | regex_matches: '(.)(.)' | json }}") == (
        '[["a","b"],["c","d"],["e","f"]]')
    assert render("{{ 'a1b22' | regex_matches: '\\d+' | json }}") == '["1","22"]'
    html = ('<html><head><meta property="og:image" content="http://somehost.com/someimage.jpg" />'
            '</head><body>content</body></html>')
    out = render("""
        {%- liquid
          assign matches = text | regex_matches: '<meta\\s+property="og:image"\\s+content="([^"]+)"'
          if matches.size > 0
            echo matches[0][0]
          endif
        -%}
    """, text=html)
    assert out == "http://somehost.com/someimage.jpg"


def test_replace_regex_like_the_docset(render):
    assert render("{{ 'fooooo fooo' | replace_regex: 'o+', 'o' }}") == "fo fo"
    assert render("{{ 'fooooo fooo' | replace_regex: 'o+', 'o', '', false }}") == "fo fooo"
    assert render("{{ 'fooooo fooo' | replace_regex: 'o+', h }}",
                  h={"ooooo": "bbbbb", "ooo": "ccc"}) == "fbbbbb fccc"
    assert render("{{ 'FOOOOO' | replace_regex: 'o+', 'a', 'i' }}") == "Fa"
    assert render("{{ 'FOOOOO' | replace_regex: 'o+', 'a' }}") == "FOOOOO"
    assert render("{{ 'FOOOOO' | replace_regex: 'o+ #comment', 'a', 'ix' }}") == "Fa"
    assert render("{{ t | replace_regex: '.+', 'a', 'im' }}", t="abc\ndef\nghi") == "a"
    assert render("{{ t | replace_regex: '.+', 'a' }}", t="abc\ndef") == "a\na"
    out = render("""
        {%- assign array = "item 1,item 2,item 3,item 4" | split: "," -%}
        {{ array | join: ", " | replace_regex: "([^,]+),([^,]+)$", "\\1, &\\2" }}
    """)
    assert out == "item 1, item 2, item 3, & item 4"
    assert render("{{ 'ab' | replace_regex: '(?<first>a)', '[\\k<first>]' }}") == "[a]b"


def test_an_invalid_regexp_is_a_liquid_error(render):
    err = render.error("ok\n{{ 'x' | matches: '(' }}")
    assert err.line == 2
    assert "invalid regular expression" in err.message


@pytest.mark.parametrize(("source", "expected"), [
    ("{{ 'foo bar_zoo-xx' | titleize }}", "Foo Bar Zoo Xx"),
    ("{{ 'car_model' | humanize }}", "Car model"),
    ("{{ 'customer_id' | humanize }}", "Customer"),
    ("{{ 'dog' | pluralize: 1 }} {{ 'dog' | pluralize: 2 }} {{ 'dog' | pluralize }}",
     "dog dogs dogs"),
    ("{{ 'person' | pluralize }} {{ 'city' | pluralize }} {{ 'box' | pluralize }}",
     "people cities boxes"),
    ("{{ 'knife' | pluralize }} {{ 'sheep' | pluralize }} {{ 'status' | pluralize }}",
     "knives sheep statuses"),
    ("{{ 'John arrived_foo' | parameterize }}", "john-arrived_foo"),
    ("{{ 'Zażółć gęślą jaźń!' | parameterize: '_' }}", "zazolc_gesla_jazn"),
    ("{{ 'John arrived_foo' | slugify }}", "john-arrived-foo"),
])
def test_inflections(render, source, expected):
    assert render(source) == expected


def test_start_with_end_with(render):
    assert render("{{ 'my_example' | start_with: 'my' }} {{ 'my_example' | start_with: 'example' }}"
                  " {{ 'my_example' | start_with: p }}", p=["array", "example"]) == (
        "true false false")
    assert render("{{ 'my_example' | end_with: 'example' }} {{ 'my_example' | end_with: 'my' }}"
                  " {{ 'my_example' | end_with: p }}", p=["array", "example"]) == (
        "true false true")


def test_pad_left(render):
    assert render("[{{ 'foo' | pad_left: 5 }}] {{ 'Y' | pad_left: 3, 'X' }}"
                  " {{ 7 | pad_left: 3, '0' }}") == "[  foo] XXY 007"
    assert "whole number" in render.error("{{ 'a' | pad_left: 'many' }}").message


def test_split_passes_arrays_through_and_drops_trailing_empties(render):
    assert render("{% assign a = 'a,b,c' | split: ',' %}{{ a | split: ',' | json }}") == (
        '["a","b","c"]')
    assert render("{{ '1,,2,,' | split: ',' | json }} {{ ',' | split: ',' | json }}") == (
        '["1","","2"] []')
    assert render("{{ ' a  b ' | split: ' ' | json }} {{ nothing | split: ',' | json }}") == (
        '["a","b"] []')
