"""Limits every render runs under: a wall clock for page renders, regexps that cannot run
away."""

from __future__ import annotations

import time

import pytest

from posjobs.errors import TemplateError
from posjobs.liquid import Dialect
from posjobs.liquid.dialect import Limits
from posjobs.services.render import render_page
from tests.conftest import run_cli

LOOP = "{% for i in (1..999999) %}{% assign x = i | plus: 1 %}{% endfor %}done"
BACKTRACKS = '{{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!" | matches: "^(a|aa)+$" }}'


def test_a_page_render_stops_at_its_time_limit(make_project, store, clock, settings):
    project = make_project({"app/views/pages/index.liquid": LOOP})
    dialect = Dialect(project, Limits(render_seconds=0.2))
    began = time.monotonic()
    with pytest.raises(TemplateError) as raised:
        render_page(project, store, "/", clock=clock, settings=settings, dialect=dialect)
    assert time.monotonic() - began < 3
    assert raised.value.message == "the render took longer than its time limit of 0.2 s"
    assert (raised.value.path, raised.value.line) == ("app/views/pages/index.liquid", 1)
    # The next render on the same dialect has its own full time.
    project_ok = make_project({"app/views/pages/ok.liquid": "fine"})
    assert render_page(project_ok, store, "ok", clock=clock, settings=settings,
                       dialect=dialect).html.strip() == "fine"


def test_the_render_time_limit_is_a_setting(make_project):
    project = make_project({"app/views/pages/index.liquid": LOOP,
                            "posjobs.toml": "[time_limits]\nrender = 0.3\n"})
    result = run_cli(["-p", str(project.root), "render", "/"])
    assert result.exit_code == 4
    assert "the render took longer than its time limit of 0.3 s" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_regexp_that_backtracks_without_end_fails_its_filter(make_project):
    project = make_project({"app/views/pages/index.liquid": BACKTRACKS})
    result = run_cli(["-p", str(project.root), "render", "/"])
    assert result.exit_code == 4
    assert "matches: the regular expression took longer than 1 s" in result.stderr


def test_a_try_block_cannot_swallow_the_time_limit(make_project, store, clock, settings):
    project = make_project({"app/views/pages/index.liquid":
                            "{% try %}" + LOOP + "{% catch err %}caught{% endtry %}"})
    dialect = Dialect(project, Limits(render_seconds=0.2))
    with pytest.raises(TemplateError, match=r"time limit of 0\.2 s"):
        render_page(project, store, "/", clock=clock, settings=settings, dialect=dialect)


@pytest.mark.parametrize(("template", "message"), [
    ('{{ "x" | pad_left: 1500000000 }}',
     "pad_left: would make 1,500,000,000 characters, over the limit of 20,000,000"),
    ("{{ (1..300000000) | join }}",
     "join: a range of 300,000,000 items is over the limit of 1,000,000"),
    ("{{ context.params.bomb | base64_decode | gzip_decompress }}",
     "gzip_decompress: would make 20,000,001 characters, over the limit of 20,000,000"),
    ('{{ "x" | pad_left: 19000000 | split: "" | size }}',
     "split: the result (19,000,000 items) is over the limit of 1,000,000"),
])
def test_one_filter_call_cannot_make_gigabytes(make_project, store, clock, settings,
                                               template, message):
    import base64
    import gzip

    project = make_project({"app/views/pages/index.liquid": template})
    bomb = base64.b64encode(gzip.compress(b"\0" * 30_000_000)).decode()
    with pytest.raises(TemplateError) as raised:
        render_page(project, store, "/", clock=clock, settings=settings,
                    params={"bomb": bomb})
    assert raised.value.message == message


def test_gzip_decompress_still_reads_every_member_of_ordinary_data(make_project, store, clock,
                                                                   settings):
    import base64
    import gzip

    data = base64.b64encode(gzip.compress(b"one ") + gzip.compress(b"two")).decode()
    project = make_project({"app/views/pages/index.liquid":
                            "{{ context.params.data | base64_decode | gzip_decompress }}"})
    html = render_page(project, store, "/", clock=clock, settings=settings,
                       params={"data": data}).html
    assert html.strip() == "one two"
