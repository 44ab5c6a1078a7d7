"""session, sign_in, redirect_to, response_status, response_headers and context: what a page
asks of its request and response, recorded for the caller."""

from __future__ import annotations

import pytest

from tests.liquid.tag_helpers import PAGE, Pages


@pytest.fixture
def page(tmp_path):
    return Pages(tmp_path, {
        "app/views/partials/commands/notify.liquid": "{{ context.language }}",
    })


def test_session_writes_into_the_pages_session(page):
    out = page("{% session foo = 'bar' %}{{ context.session.foo }}")
    assert out.html == "bar"
    assert out.context["session"] == {"foo": "bar"}


def test_session_takes_any_value(page):
    out = page('{% assign bar = "42" %}{% session foo = bar %}{{ context.session | json }}')
    assert out.html == '{"foo":"42"}'


@pytest.mark.parametrize("value", ["null", "blank", "''"])
def test_a_blank_or_null_value_deletes_the_field(page, value):
    out = page(f"{{% session foo = {value} %}}{{{{ context.session | json }}}}",
               context={"session": {"foo": "bar", "keep": 1}})
    assert out.html == '{"keep":1}'


def test_session_in_a_job_fails_the_attempt_clearly(page):
    err = page.error("ok\n{% session foo = 'bar' %}", job=True, context={})
    assert "session is not available in background jobs" in err.message
    assert (err.path, err.line) == (PAGE, 2)


def test_sign_in_records_the_user(page):
    run = page.new_run()
    assert run.data is not None
    for user_id in (12345, 7):  # sign_in signs in a user of the data store
        run.data.store.insert_user(f"u{user_id}@example.com", None, {}, 0, user_id=user_id)
    run.data.commit()
    out = page("{% sign_in user_id: '12345', timeout_in_minutes: 15 %}")
    assert out.run.response["sign_in"] == {"user_id": "12345", "timeout_in_minutes": 15}
    assert page("{% sign_in_rc user_id: 7 %}").run.response["sign_in"]["user_id"] == "7"


def test_sign_in_in_a_job_is_an_error(page):
    assert "background jobs" in page.error("{% sign_in user_id: 1 %}", job=True).message


def test_redirect_to_records_the_target_and_rendering_goes_on(page):
    out = page("{% redirect_to '/dashboard' %}after")
    assert out.html == "after"
    assert (out.run.response["redirect_to"], out.run.response["status"]) == ("/dashboard", 302)


def test_redirect_to_with_a_status(page):
    out = page("{% redirect_to 'https://example.com/signup', status: 301 %}")
    assert out.run.response["redirect_to"] == "https://example.com/signup"
    assert out.run.response["status"] == 301


def test_redirect_to_rejects_a_status_that_is_not_a_redirect(page):
    err = page.error("{% redirect_to '/x', status: 200 %}")
    assert "status must be an HTTP status code from 300 to 399" in err.message


def test_response_status(page):
    assert page("{% response_status 204 %}").run.response["status"] == 204
    assert page("{% response_status s %}", s="404").run.response["status"] == 404
    assert "from 100 to 599" in page.error("{% response_status 'nope' %}").message


def test_response_headers_merge_json_objects(page):
    out = page("""{% response_headers '{"foo": "bar"}' %}"""
               """{% response_headers '{"Content-Type": "application/json", """
               """"X-Frame-Options": "somevalue" }' %}""")
    assert out.run.response["headers"] == {
        "foo": "bar", "Content-Type": "application/json", "X-Frame-Options": "somevalue",
    }


def test_response_headers_must_be_a_json_object(page):
    assert "not valid JSON" in page.error("{% response_headers '{nope' %}").message


def test_a_run_records_nothing_by_default(page):
    assert page("plain").run.response == {
        "status": None, "headers": {}, "redirect_to": None, "sign_in": None,
    }


def test_context_sets_the_language_for_the_page_and_later_jobs(page):
    out = page("{% background _ = 'commands/notify' %}{% context language: 'de' %}"
               "{{ context.language }}{% background _ = 'commands/notify' %}")
    assert out.html == "de"
    assert [job.context["language"] for job in out.run.jobs] == ["en", "de"]


def test_context_takes_only_language(page):
    assert "only language" in page.error("{% context locale: 'de' %}").message
