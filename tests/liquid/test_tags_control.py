"""try/catch, transaction/rollback and cache."""

from __future__ import annotations

import pytest

from tests.liquid.tag_helpers import PAGE, Pages


@pytest.fixture
def page(tmp_path):
    return Pages(tmp_path, {
        "app/views/partials/fallback.liquid": "fallback",
        "app/views/partials/broken.liquid": "line one\n{{ 1 | no_such_filter }}",
        "app/views/partials/commands/send.liquid": "sent",
        "app/lib/commands/order/create.liquid": "{% return order %}",
        "app/lib/commands/fail.liquid": "{% include 'missing' %}",
    })


def test_try_renders_the_body_when_it_succeeds(page):
    assert page("{% try %}ok{% catch err %}no{% endtry %}").html == "ok"


def test_catch_gets_the_error_and_the_failed_body_prints_nothing(page):
    out = page("{% try %}partial output{% include 'missing' %}{% catch err %}"
               "[{{ err.message }}]{% endtry %}")
    assert out.html == """[Liquid error: can't find partial "missing"]"""


def test_the_docset_example_falls_back_on_a_missing_partial(page):
    out = page("""
        {%- liquid
          try
            include template_path
          catch err
            unless err.message contains "can't find partial"
              log err, type: 'error when including template file'
            endunless
            include fallback_template_path
          endtry
        -%}""", template_path="nope", fallback_template_path="fallback")
    assert out.html == "fallback"
    assert out.run.logs == []


def test_the_error_says_where_it_happened(page):
    out = page("{% try %}{% include 'broken' %}{% catch e %}"
               "{{ e.class }} {{ e.template }}:{{ e.line }}{% endtry %}")
    assert out.html == "UnknownFilterError app/views/partials/broken.liquid:2"


def test_without_catch_a_failure_renders_nothing(page):
    assert page("a{% try %}b{% include 'missing' %}{% endtry %}c").html == "ac"


def test_an_error_in_catch_propagates(page):
    err = page.error("{% try %}{% include 'a' %}{% catch e %}{% include 'b' %}{% endtry %}")
    assert "partial 'b' not found" in err.message


def test_try_does_not_swallow_return(page, tmp_path):
    (tmp_path / "project/app/lib/early.liquid").write_text(
        "{% try %}{% return 1 %}{% catch e %}{% return 2 %}{% endtry %}{% return 3 %}"
    )
    assert page("{% function r = 'early' %}{{ r }}").html == "1"


def test_a_committed_transaction_keeps_its_jobs(page):
    out = page("{% transaction timeout: 5 %}{% background _ = 'commands/send' %}"
               "{% endtransaction %}")
    assert [job.partial for job in out.run.jobs] == ["commands/send"]


def test_rollback_drops_the_transactions_jobs_and_rendering_goes_on(page):
    out = page("""
        {%- liquid
          background _ = 'commands/send', n: 1
          transaction
            background _ = 'commands/send', n: 2
            function order = 'commands/order/create', order: order
            unless order.valid
              rollback
            endunless
            echo 'not reached'
          endtransaction
          background _ = 'commands/send', n: 3
          echo 'after'
        -%}""", order={"valid": False})
    assert out.html == "after"
    assert [job.arguments["n"] for job in out.run.jobs] == [1, 3]


def test_variables_assigned_in_a_transaction_stay_assigned(page):
    assert page("{% transaction %}{% assign x = 1 %}{% endtransaction %}{{ x }}").html == "1"


def test_an_error_in_a_transaction_drops_its_jobs_and_propagates(page):
    run = page.new_run()
    err = page.error("{% background _ = 'commands/send' %}{% transaction %}"
                     "{% background _ = 'commands/send' %}{% function r = 'commands/fail' %}"
                     "{% endtransaction %}", run=run)
    assert "partial 'missing' not found" in err.message
    assert len(run.jobs) == 1  # the one enqueued before the transaction


def test_an_error_caught_around_a_transaction_leaves_no_jobs(page):
    out = page("{% try %}{% transaction %}{% background _ = 'commands/send' %}"
               "{% include 'missing' %}{% endtransaction %}{% catch e %}caught{% endtry %}")
    assert out.html == "caught"
    assert out.run.jobs == []


def test_rollback_outside_a_transaction_is_an_error(page):
    err = page.error("ok\n{% rollback %}")
    assert "rollback outside a {% transaction %}" in err.message
    assert (err.path, err.line) == (PAGE, 2)


def test_cache_renders_its_body_every_time(page):
    out = page("{% cache 'this is my key', expire: 20 %}{% for i in (1..3) %}{{ i }}"
               "{% endfor %}{% endcache %}|{% cache key %}x{% endcache %}", key="k")
    assert out.html == "123|x"


def test_try_rc_is_the_deprecated_alias(page):
    out = page("{% try_rc %}{% include 'missing' %}{% catch e %}caught{% endtry_rc %}")
    assert out.html == "caught"
