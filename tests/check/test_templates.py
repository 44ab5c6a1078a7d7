"""Template rules (PJ0xx): parse errors, unknown tags and filters, missing partials and layouts."""

from __future__ import annotations

from tests.check.conftest import PAGE, codes


def test_a_parse_error_is_reported_at_its_place_and_nothing_else_in_that_file(lint):
    findings = lint("ok\n{% if %}\n{{ x | nosuch }}")
    assert codes(findings) == [("PJ001", 2)]
    assert findings[0].spot.column == 4
    assert findings[0].message == "syntax error: missing expression"


def test_front_matter_that_is_not_yaml_is_a_parse_error(lint):
    findings = lint("---\nslug: [\n---\nhello")
    assert [f.code for f in findings] == ["PJ001"]
    assert "front matter" in findings[0].message


def test_an_unknown_tag_suggests_the_near_one(lint):
    findings = lint("line 1\n{% fucntion x = 'y' %}")
    assert codes(findings) == [("PJ002", 2)]
    assert findings[0].message == (
        "unsupported tag 'fucntion': posjobs does not know this tag (did you mean 'function'?)"
    )


def test_unknown_filters_anywhere(lint):
    findings = lint("""
        {{ 'a' | upcase | captialize }}
        {% assign x = 'a' | nosuch: 1 %}
        {% if true %}{{ x | default: 'b' | frobnicate }}{% endif %}
        {% graphql g = 'q' | dig: 'x' | nosuch_either %}
        {% background source_name: 'j', y: 1 %}{{ y | bogus }}{% endbackground %}
    """, select=["PJ003"])
    assert [(f.spot.line, f.message) for f in findings] == [
        (1, "unknown filter 'captialize' (did you mean 'capitalize'?)"),
        (2, "unknown filter 'nosuch'"),
        (3, "unknown filter 'frobnicate'"),
        (4, "unknown filter 'nosuch_either'"),
        (5, "unknown filter 'bogus'"),
    ]


def test_platform_filters_are_known(lint):
    assert lint("""
        {{ '{"a": 1}' | parse_json | hash_merge: b: 2 | json }}
        {{ 'now' | to_time | add_to_time: 1, 'd' | strftime: '%Y' }}
        {{ items | array_add: 1 | array_compact | map: 'x' }}
    """) == []


def test_a_missing_partial_named_by_each_tag(lint):
    findings = lint({
        PAGE: """
            {% include 'header' %}
            {% include 'headr' %}
            {% render 'nope/a' %}
            {% function r = 'nope/b' %}
            {% background _ = 'nope/c', source_name: 'c' %}
            {% include name_in_a_variable %}
            {% include 'modules/shop/cart' %}
            {% include 'modules/shop/basket' %}
        """,
        "app/views/partials/header.liquid": "",
        "modules/shop/public/views/partials/cart.liquid": "",
    })
    assert [(f.spot.line, f.message) for f in findings] == [
        (2, "include: partial 'headr' not found (did you mean 'header'?)"),
        (3, "render: partial 'nope/a' not found"),
        (4, "function: partial 'nope/b' not found"),
        (5, "background: partial 'nope/c' not found"),
        (8, "include: partial 'modules/shop/basket' not found (did you mean 'modules/shop/cart'?)"),
    ]
    assert findings[0].spot.column == len("{% include '")


def test_a_missing_layout(lint):
    findings = lint({
        "app/views/pages/a.liquid": "---\nslug: a\nlayout: aplication\n---\nA",
        "app/views/pages/b.liquid": "---\nlayout: ''\n---\nB",
        "app/views/pages/c.liquid": "---\nlayout: application\n---\nC",
        "app/views/pages/d.liquid": "D",
        "app/views/layouts/application.liquid": "{{ content_for_layout }}",
        "app/views/partials/not_a_page.liquid": "---\nlayout: nothing\n---\n",
    })
    assert [(f.code, f.spot.path, f.spot.line) for f in findings] == [
        ("PJ005", "app/views/pages/a.liquid", 3),
    ]
    assert findings[0].message == "layout 'aplication' not found in app/views/layouts"


def test_the_app_s_folders_are_checked_and_nothing_else(lint):
    broken = "{% if %}"
    findings = lint({
        "app/views/pages/p.liquid": broken,
        "app/views/layouts/l.liquid": broken,
        "app/views/partials/x.liquid": broken,
        "app/lib/y.liquid": broken,
        "app/modules/shop/public/views/partials/o.liquid": broken,
        "modules/shop/public/views/pages/mp.liquid": broken,
        "modules/shop/private/lib/ml.liquid": broken,
        "modules/shop/generators/crud/templates/g.liquid": broken,
        "modules/shop/docs/d.liquid": broken,
        "app/assets/a.liquid": broken,
        "app/views/partials/notes.txt": broken,
    })
    assert sorted(f.spot.path for f in findings) == [
        "app/lib/y.liquid",
        "app/modules/shop/public/views/partials/o.liquid",
        "app/views/layouts/l.liquid",
        "app/views/pages/p.liquid",
        "app/views/partials/x.liquid",
        "modules/shop/private/lib/ml.liquid",
        "modules/shop/public/views/pages/mp.liquid",
    ]
