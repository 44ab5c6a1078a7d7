"""A page's output is exactly what the platform sends: no front matter, line endings kept."""

from __future__ import annotations

import pytest

from posjobs.errors import TemplateError
from posjobs.services.render import render_page


def write_bytes(project, name: str, data: bytes) -> None:
    path = project.root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def test_front_matter_prints_nothing(make_project, store, clock, settings):
    project = make_project({"app/views/pages/sessions/create.liquid": """
        ---
        slug: sessions
        method: post
        layout: ''
        ---
        SESSIONS-CREATE
        """})
    result = render_page(project, store, "sessions", clock=clock, settings=settings)
    assert result.html == "SESSIONS-CREATE\n"


def test_a_blank_line_after_the_front_matter_is_the_pages_own(make_project, store, clock,
                                                               settings):
    project = make_project({"app/views/pages/x.liquid": "---\nlayout: ''\n---\n\nX\n"})
    assert render_page(project, store, "x", clock=clock, settings=settings).html == "\nX\n"


def test_errors_keep_the_files_line_numbers(make_project, store, clock, settings):
    project = make_project({"app/views/pages/x.liquid": "---\nlayout: ''\n---\nok\n"
                                                         "{{ 1 | divided_by: 0 }}\n"})
    with pytest.raises(TemplateError) as caught:
        render_page(project, store, "x", clock=clock, settings=settings)
    assert caught.value.line == 5


def test_crlf_and_cr_in_template_files_are_kept(make_project, store, clock, settings):
    project = make_project({})
    write_bytes(project, "app/views/pages/export.csv.liquid",
                b"---\r\nlayout: ''\r\n---\r\nid,name\r\n{% for i in (1..2) %}{{ i }},x\r\n"
                b"{% endfor %}old\rmac\r\n")
    write_bytes(project, "app/views/partials/row.liquid", b"a\r\nb\r\n")
    result = render_page(project, store, "export", clock=clock, settings=settings)
    assert result.html == "id,name\r\n1,x\r\n2,x\r\nold\rmac\r\n"
    write_bytes(project, "app/views/pages/p.liquid",
                b"---\nlayout: ''\n---\n{% render 'row' %}{% capture c %}x\r\n{% endcapture %}"
                b"{{ c }}")
    assert render_page(project, store, "p", clock=clock, settings=settings).html == (
        "a\r\nb\r\nx\r\n")


@pytest.mark.parametrize(("source", "line", "message"), [
    ("a\n{% if true %}\nb\n", 2, "'if' opened here is never closed"),
    ("{% for x in a %}\n{% if x %}\n{% endif %}", 1, "'for' opened here is never closed"),
    ("{% liquid\n  assign a = 1\n  unless a\n    echo 1\n%}", 3,
     "'unless' opened here is never closed"),
    ("{% if a %}\n{% for x in a %}\n{% endif %}", 2,
     "'for' opened here is never closed ('endif' on line 6 does not close it)"),
    ("x\n\n{% capture c %}", 3, "'capture' opened here is never closed"),
    ("{% background source_name: 'x' %}\n{% log 1 %}", 1,
     "'background' opened here is never closed"),
    ("{% raw %}\n{{ x }}", 1, "'raw' opened here is never closed"),
])
def test_a_block_left_open_is_named_with_where_it_opened(make_project, store, clock,
                                                          settings, source, line, message):
    project = make_project({"app/views/pages/syntax.liquid": "---\nlayout: ''\n---\n"
                                                              + source})
    with pytest.raises(TemplateError) as caught:
        render_page(project, store, "syntax", clock=clock, settings=settings)
    assert caught.value.path == "app/views/pages/syntax.liquid"
    assert caught.value.line == line + 3  # the front matter's three lines come first
    assert message in str(caught.value)


def test_a_partial_left_open_names_the_partial(make_project, store, clock, settings):
    project = make_project({
        "app/views/pages/x.liquid": "---\nlayout: ''\n---\n{% render 'card' %}",
        "app/views/partials/card.liquid": "<div>\n{% if true %}\n",
    })
    with pytest.raises(TemplateError) as caught:
        render_page(project, store, "x", clock=clock, settings=settings)
    assert "app/views/partials/card.liquid:2" in str(caught.value)
    assert "'if' opened here is never closed" in str(caught.value)
