"""HTML filters: escaping, html_safe, sanitize, markdown, html_to_text, JavaScript strings."""

from __future__ import annotations


def test_html_safe_unescapes_entities_unless_raw_text(render):
    assert render("{{ '<h1>Hello</h1>' | html_safe }}") == "<h1>Hello</h1>"
    assert render("{{ 'abc &quot; def' | html_safe: raw_text: true }}") == "abc &quot; def"
    assert render("{{ 'abc &quot; def' | html_safe: raw_text: false }}") == 'abc " def'
    # With autoescape off, a safe string is still an ordinary string for other filters.
    assert render("{{ 'a' | html_safe | append: '<b>' }}") == "a<b>"


def test_escaping(render):
    assert render("{{ 'foo<b>bar</b>' | raw_escape_string }}") == "foo&lt;b&gt;bar&lt;/b&gt;"
    assert render("{{ '<a href=\"x\">' | h }}") == "&lt;a href=&quot;x&quot;&gt;"
    assert render("{{ t | escape_javascript }}", t="it's a \"test\"") == 'it\\\'s a \\"test\\"'
    js = '<script>\n  let v = "\\t some text\\n";\n  let w = `We love ${v}.`;\n</script>'
    assert render("{{ js | escape_javascript | unescape_javascript }}", js=js) == js
    assert render("{{ t | new_line_to_br }}|{{ t | nl2br }}", t="a\nb") == (
        "a<br />\nb|a<br />\nb")


def test_strip_liquid(render):
    text = "Hello! {% comment %}This is a comment!{% endcomment %} {{ name }}"
    assert render("{{ t | strip_liquid }}", t=text) == "Hello! This is a comment! "


def test_sanitize_with_the_platform_defaults(render):
    assert render("{{ t | sanitize }}", t='<a href="javascript:prompt(1)">Link</a>') == (
        '<a rel="nofollow">Link</a>')
    assert render("{{ t | sanitize }}", t='<a href="/x" onclick="x()">ok</a><script>bad()</script>'
                  ) == '<a href="/x" rel="nofollow">ok</a>'
    assert render("{{ t | sanitize }}", t='<div class="c"><b>bold</b></div>') == "<b>bold</b>"


def test_sanitize_with_options(render):
    opts = '{ "elements": ["div"], "attributes": { "div": ["class"] } }'
    html = '<div class="hello" style="color: red">Foo<i>x</i></div>'
    assert render("{{ t | sanitize: o }}", t=html, o=opts) == '<div class="hello">Foo x</div>' \
        .replace(" x", "x")
    assert render("{{ t | sanitize: o }}", t=html, o=["div"]) == "<div>Foox</div>"


def test_markdown(render):
    assert render("{{ '**Foo**' | markdown }}") == "<p><strong>Foo</strong></p>"
    assert render("{{ '# Foo' | markdown }}") == "<h1>Foo</h1>"
    assert render("{{ '[Foo link](https://example.com)' | markdown }}") == (
        '<p><a href="https://example.com" rel="nofollow">Foo link</a></p>')
    div = '<div class="hello" style="font-color: red;">Foo</div>'
    assert render("{{ t | markdown }}", t=div) == "Foo"
    assert render("{{ t | markdownify: o }}", t=div, o='{ "elements": [ "div" ] }') == (
        "<div>Foo</div>")
    assert render("{{ t | markdown: o }}", t=div,
                  o='{ "elements": [ "div" ], "attributes": { "div": ["class"] } }') == (
        '<div class="hello">Foo</div>')


def test_markdown_extra_options_are_merged_over_the_defaults(render):
    link = "[Foo link](https://example.com)"
    out = render("{{ t | markdown: nil, o }}", t=link,
                 o='{ "add_attributes": { "a": { "custom_attr": "v", "rel": null } } }')
    assert out == '<p><a href="https://example.com" custom_attr="v">Foo link</a></p>'
    out = render("{{ t | markdown: nil, o }}", t=link, o='{ "add_attributes": { "a": {} } }')
    assert out == '<p><a href="https://example.com">Foo link</a></p>'


def test_bad_sanitize_options_are_a_liquid_error(render):
    err = render.error("{{ 'x' | sanitize: '{not json' }}")
    assert "not valid JSON" in err.message


def test_html_to_text(render):
    assert render("{{ '<h1>Hello <a href=\"#\">world</a></h1>' | html_to_text }}") == "Hello world"
    html = "<div><style>p{}</style><p id='main'>One\nTwo</p><p class='x y'>Three</p></div>"
    assert render("{{ t | html_to_text }}", t=html) == "One TwoThree"
    assert render("{{ t | html_to_text: root_element: '#main', replace_newline: '|' }}",
                  t=html) == "One|Two"
    assert render("{{ t | html_to_text: remove_nodes: 'p.y' }}", t=html) == "p{}One Two"
