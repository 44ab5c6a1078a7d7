"""Standard Liquid keeps its behaviour in the platform dialect: a regression suite of the
standard tags and filters, rendered through the real dialect (with its compatibility layer)."""

from __future__ import annotations

import pytest

from tests.liquid.tag_helpers import Pages

PRODUCTS = [
    {"title": "Hat", "price": 10, "tags": ["red", "wool"]},
    {"title": "Scarf", "price": 25, "tags": ["blue"]},
    {"title": "Gloves", "price": 15, "tags": []},
]


@pytest.fixture
def page(tmp_path):
    return Pages(tmp_path, {
        "app/views/partials/product.liquid": "{{ product.title }}",
        "app/views/partials/shared.liquid": "{% assign leaked = 'yes' %}{{ greeting }}",
        "app/views/partials/isolated.liquid": "{% assign leaked = 'no' %}[{{ greeting }}]",
        "app/views/partials/counter.liquid": "{{ forloop.index }}:{{ product.title }} ",
    })


CASES = [
    # assign and capture
    ("{% assign x = 'a' | upcase %}{{ x }}", "A"),
    ("{% capture c %}{{ 1 | plus: 2 }}-{{ 'x' }}{% endcapture %}{{ c }}", "3-x"),
    ("{% increment n %}{% increment n %}{% decrement m %}", "01-1"),
    # conditions
    ("{% if 1 > 2 %}a{% elsif 2 > 1 %}b{% else %}c{% endif %}", "b"),
    ("{% if 'abc' contains 'b' and true or false %}yes{% endif %}", "yes"),
    ("{% unless false %}u{% else %}x{% endunless %}", "u"),
    ("{% case 2 %}{% when 1 %}one{% when 2, 3 %}two{% else %}other{% endcase %}", "two"),
    ("{% if empty_list == empty %}e{% endif %}{% if ' ' == blank %}b{% endif %}", "eb"),
    ("{% if nothing %}x{% else %}nil is falsy{% endif %}", "nil is falsy"),
    # loops
    ("{% for p in products %}{{ p.title }}{% unless forloop.last %},{% endunless %}{% endfor %}",
     "Hat,Scarf,Gloves"),
    ("{% for p in products limit: 2 %}{{ p.title }}{% endfor %}", "HatScarf"),
    ("{% for p in products offset: 1 %}{{ p.title }}{% endfor %}", "ScarfGloves"),
    ("{% for p in products reversed %}{{ p.title }}{% endfor %}", "GlovesScarfHat"),
    ("{% for i in (1..5) %}{% if i == 2 %}{% continue %}{% endif %}{% if i == 4 %}{% break %}"
     "{% endif %}{{ i }}{% endfor %}", "13"),
    ("{% for i in none %}x{% else %}empty{% endfor %}", "empty"),
    ("{% for i in (1..3) %}{{ forloop.index0 }}{{ forloop.rindex }}{% endfor %}", "031221"),
    ("{% for a in (1..2) %}{% for b in (1..2) %}{{ forloop.parentloop.index }}{{ b }} "
     "{% endfor %}{% endfor %}", "11 12 21 22 "),
    ("{% for i in (1..4) %}{% cycle 'a', 'b' %}{% endfor %}", "abab"),
    ("{% tablerow i in (1..2) %}{{ i }}{% endtablerow %}",
     '<tr class="row1">\n<td class="col1">1</td><td class="col2">2</td></tr>\n'),
    # output, echo, whitespace control, raw and comments
    ("a  {{- ' b ' -}}  c", "a b c"),
    ("x\n  {%- assign y = 1 -%}\n  z", "xz"),
    ("{% raw %}{{ not rendered }}{% endraw %}", "{{ not rendered }}"),
    ("a{% comment %}{{ hidden }} {% if %}{% endcomment %}b", "ab"),
    ("a{% # an inline comment %}b", "ab"),
    ("{% echo 'e' | append: '!' %}", "e!"),
    ("{% liquid\n  assign t = 'liquid'\n  if t\n    echo t | capitalize\n  endif\n%}", "Liquid"),
    # standard filters
    ("{{ 'Hello' | downcase | append: ' World' | size }}", "11"),
    ("{{ 'a,b,c' | split: ',' | reverse | join: '-' }}", "c-b-a"),
    ("{{ products | map: 'title' | sort | first }}", "Gloves"),
    ("{{ products | where: 'price', 25 | map: 'title' | join }}", "Scarf"),
    ("{{ 7 | times: 3 | minus: 1 | divided_by: 4 | modulo: 3 }}", "2"),
    ("{{ 4.567 | round: 1 }} {{ -3 | abs }} {{ 1.2 | ceil }} {{ 1.8 | floor }}", "4.6 3 2 1"),
    ("{{ nothing | default: 'fallback' }} {{ false | default: 'f', allow_false: true }}",
     "fallback false"),
    ("{{ '  pad  ' | strip }}|{{ 'long sentence here' | truncate: 8 }}", "pad|long ..."),
    ("{{ '<b>&</b>' | escape }}", "&lt;b&gt;&amp;&lt;/b&gt;"),
    ("{{ 'a b' | replace: ' ', '_' | prepend: '>' | slice: 0, 2 }}", ">a"),
    ("{{ products | size }} {{ products.first.title }} {{ products.last.tags.size }}",
     "3 Hat 0"),
    ("{{ 'now' | date: '%Y' | size }}", "4"),
]


@pytest.mark.parametrize(("source", "expected"), CASES)
def test_standard_liquid_renders_as_before(page, source, expected):
    assert page(source, products=PRODUCTS, empty_list=[]).html == expected


def test_include_shares_the_callers_scope(page):
    out = page("{% assign greeting = 'hi' %}{% include 'shared' %}{{ leaked }}")
    assert out.html == "hiyes"


def test_render_isolates_the_partial(page):
    out = page("{% assign greeting = 'hi' %}{% render 'isolated' %}{{ leaked }}|"
               "{% render 'isolated', greeting: 'passed' %}")
    assert out.html == "[]|[passed]"


def test_render_with_and_for(page):
    out = page("{% render 'product' with products.first %}|"
               "{% render 'counter' for products as product %}", products=PRODUCTS)
    assert out.html == "Hat|1:Hat 2:Scarf 3:Gloves "


@pytest.mark.parametrize(("source", "message"), [
    ("{% for x %}{% endfor %}", "expected in"),
    ("{% if x %}", "'if' opened here is never closed"),
    ("{{ x | no_such_filter }}", "unknown filter 'no_such_filter'"),
    ("{% assign = 1 %}", "expected"),
    ("{% render 'missing' %}", "partial 'missing' not found"),
])
def test_standard_mistakes_are_still_errors(page, source, message):
    assert message in page.error(source).message
