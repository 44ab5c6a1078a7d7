"""hash_assign, parse_json and export: the platform's tags for building data."""

from __future__ import annotations

import pytest

from tests.liquid.tag_helpers import PAGE, Pages


@pytest.fixture
def page(tmp_path):
    return Pages(tmp_path, {
        "app/views/partials/exporter.liquid": """
            {% liquid
              assign a = 'value for a'
              assign b = 'value for b'
              export a, b, namespace: 'my_hash'
            %}""",
        "app/lib/more.liquid": "{% assign c = 3 %}{% export c, namespace: 'my_hash' %}",
    })


def test_hash_assign_sets_a_nested_key_with_filters(page):
    out = page("""{% hash_assign my_hash["a"]["e"] = "assign" | upcase %}{{ my_hash | json }}""",
               my_hash={"a": {"b": {"c": "12", "d": "hello"}}})
    assert out.html == '{"a":{"b":{"c":"12","d":"hello"},"e":"ASSIGN"}}'


def test_hash_assign_creates_missing_hashes(page):
    assert page("{% hash_assign h['a'][key] = 1 %}{{ h.a.x }}", key="x").html == "1"


def test_hash_assign_works_inside_the_liquid_tag(page):
    out = page("{% liquid\n  hash_assign res['errors'] = e\n  echo res.errors.size\n%}",
               res={}, e=[1, 2])
    assert out.html == "2"


def test_assign_sets_keys_too_and_plain_assign_is_unchanged(page):
    out = page("""
        {%- assign data = '{}' | parse_json -%}
        {%- assign data["foo"] = 'bar' | upcase -%}
        {%- assign data.nested['x'] = 1 -%}
        {%- assign plain = data.foo -%}
        {{ data | json }} {{ plain }}""")
    assert out.html == '{"foo":"BAR","nested":{"x":1}} BAR'


def test_hash_assign_into_a_string_is_an_error(page):
    err = page.error("{% hash_assign s['a'] = 1 %}", s="text")
    assert "cannot set 'a' in s" in err.message


def test_parse_json_assigns_the_parsed_body(page):
    out = page("""
        {%- parse_json car %}{ "type": "SUV", "gearbox": "AT" }{% endparse_json -%}
        {{ car.type }}/{{ car.gearbox }}""")
    assert out.html == "SUV/AT"


def test_parse_json_renders_liquid_in_the_body_first(page):
    out = page("""
        {%- parse_json nested %}{ "price": 100 }{% endparse_json -%}
        {%- parse_json data -%}
          { "color": {{ color | json }}, "car": {{ car | json }}, "nested": {{ nested | json }} }
        {%- endparse_json -%}
        {{ data | json }}""", color="red", car='Mazda "5"')
    assert out.html == '{"color":"red","car":"Mazda \\"5\\"","nested":{"price":100}}'


def test_parse_json_of_an_array(page):
    out = page('{% parse_json cars %}[{"maker": "Honda"}, {"maker": "Lexus"}]{% endparse_json %}'
               "{{ cars | map: 'maker' | join: ',' }}")
    assert out.html == "Honda,Lexus"


def test_invalid_json_is_an_error_at_the_tag_line(page):
    err = page.error('ok\n{% parse_json car %}\n  { "type": SUV }\n{% endparse_json %}')
    assert "parse_json" in err.message and "not valid JSON" in err.message
    assert (err.path, err.line) == (PAGE, 2)


def test_export_publishes_into_context_exports(page):
    out = page("{% render 'exporter' %}{{ context.exports.my_hash.a }}|"
               "{{ context.exports.my_hash.b }}")
    assert out.html == "value for a|value for b"
    assert out.context["exports"] == {"my_hash": {"a": "value for a", "b": "value for b"}}


def test_exports_to_one_namespace_add_up_across_partials(page):
    out = page("{% render 'exporter' %}{% function _ = 'more' %}"
               "{{ context.exports.my_hash | json }}")
    assert out.html == '{"a":"value for a","b":"value for b","c":3}'


def test_export_of_a_hash(page):
    out = page("{% export company, namespace: 'data' %}"
               "{{ context.exports.data.company.technologies | join: ',' }}",
               company={"name": "platformOS", "technologies": ["liquid", "graphql"]})
    assert out.html == "liquid,graphql"


def test_export_without_a_namespace_publishes_each_variable(page):
    # The reference marks namespace as optional; the platform's user module relies on it.
    out = page("{% assign current_profile = 'p' %}{% export current_profile %}"
               "{{ context.exports.current_profile }}")
    assert out.html == "p"
    assert out.context["exports"] == {"current_profile": "p"}


def test_export_namespace_given_as_a_bare_word_is_a_variable(page):
    # Liquid reads every argument as an expression: a bare word is a variable.
    out = page("{% assign ns = 'cart' %}{% assign a = 1 %}{% export a, namespace: ns %}"
               "{{ context.exports.cart.a }}")
    assert out.html == "1"
    err = page.error("{% assign a = 1 %}{% export a, namespace: cart %}")
    assert "namespace: cart is a variable, and it is nil here" in err.message
    assert "namespace: 'cart'" in err.message


def test_the_exports_print_as_json(page):
    # tags.json, export: `{{ context.exports.data }}` =>
    # {"company":{"name":"platformOS","technologies":["liquid","graphql"],...}}
    out = page('{% assign company = {"name": "platformOS", "technologies": ["liquid", "graphql"]}'
               ' %}{% export company, namespace: "data" %}{{ context.exports.data }}|'
               "{{ context.exports.data.company.technologies }}|"
               "{{ context.exports.data.company.name }}")
    assert out.html == ('{"company":{"name":"platformOS","technologies":["liquid","graphql"]}}'
                        '|["liquid","graphql"]|platformOS')
