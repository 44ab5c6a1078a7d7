"""api_call_send: the request recorded in the outbox and answered from a response mock
(.posjobs/http/<name>.json) or the default; sent for real only when the project opts in."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from tests.liquid.tag_helpers import Pages

# pos-module-core's graphql/api_calls/send.graphql
SEND = """
mutation ($template: String!, $data: HashObject!, $options: ApiCallSendOptions) {
  api_call: api_call_send(data: $data, template: { name: $template }, options: $options) {
    response { status body headers }
    errors { message }
  }
}
"""

# The docs' example (developer-guide/notifications/creating-api-call-notification).
PING = """
---
to: 'https://example.com/endpoint/{{ form.id }}'
format: http
callback: >
  {% assign response_hash = response.body | parse_json %}
  {% log response_hash.third_party_api_id, type: 'callback' %}
request_type: POST
request_headers: '{
  "Content-Type": "application/json"
}'
---
{
  "first_name": "{{ form.first_name }}",
  "id": "{{ form.id }}"
}
"""


def project(tmp_path, **files):
    return Pages(tmp_path, {
        "app/graphql/api_calls/send.graphql": SEND,
        "app/api_calls/ping.liquid": PING,
        **files,
    })


def call(page, template="ping", **data):
    out = page("{% graphql r = 'api_calls/send', template: t, data: d %}{{ r.api_call | json }}",
               t=template, d=data)
    return json.loads(out.html), out


def calls(page):
    return page.data.store.messages("api_call", newest_first=False)[0]


def test_without_a_mock_the_request_is_recorded_and_answered_with_the_default(tmp_path):
    page = project(tmp_path)
    answer, out = call(page, id="0386676", first_name="Michael")
    # The documented default: 200 and `{}`, which module code can parse_json.
    assert answer == {"response": {"status": 200, "body": "{}",
                                   "headers": {"Content-Type": "application/json"}},
                      "errors": []}
    [message] = calls(page)
    assert message.name == "ping"
    assert message.payload["request"] == {
        "method": "POST", "url": "https://example.com/endpoint/0386676",
        "headers": {"Content-Type": "application/json"},
        "body": '{\n  "first_name": "Michael",\n  "id": "0386676"\n}\n',
    }
    assert message.payload["answered_by"] == "default"
    assert message.payload["source"] == "app/api_calls/ping.liquid"
    api_entries = [e for e in out.run.logs if e.type == "api_call"]
    assert [e.message for e in api_entries] == [
        "api_call ping: POST https://example.com/endpoint/0386676 -> 200 "
        "(default; posjobs mail show 1)"]


def test_a_response_mock_answers_and_the_callback_sees_it(tmp_path):
    page = project(tmp_path, **{".posjobs/http/ping.json": json.dumps(
        {"status": 201, "body": {"third_party_api_id": "id-1"}})})
    answer, out = call(page, id="7")
    assert answer["response"] == {"status": 201, "body": '{"third_party_api_id": "id-1"}',
                                  "headers": {}}
    assert calls(page)[0].payload["answered_by"] == "mock .posjobs/http/ping.json"
    # developer-guide/notifications/parsing-api-response: the callback reads response.body.
    assert [e.message for e in out.run.logs if e.type == "callback"] == ["id-1"]


def test_mock_cases_are_chosen_by_method_and_url(tmp_path):
    generic = ("---\nto: '{{ data.to }}'\nrequest_type: '{{ data.request_type }}'\n"
               "request_headers: '{{ data.headers | json }}'\n---\n{{ data.payload }}")
    page = project(tmp_path, **{
        "modules/core/public/api_calls/generic.liquid": generic,  # pos-module-core's shape
        ".posjobs/http/modules/core/generic.json": json.dumps([
            {"when": {"method": "post", "url": "https://api.stripe.com/v1/charges*"},
             "response": {"body": {"id": "ch_1"}}},
            {"when": {"url": "https://api.stripe.com/*"}, "response": {"status": 404}},
        ])})
    charge, _ = call(page, "modules/core/generic", to="https://api.stripe.com/v1/charges",
                     request_type="POST", headers={"Authorization": "Bearer x"}, payload="a=1")
    assert charge["response"]["body"] == '{"id": "ch_1"}'
    assert calls(page)[0].payload["request"]["headers"] == {"Authorization": "Bearer x"}
    other, _ = call(page, "modules/core/generic", to="https://api.stripe.com/v1/customers",
                    request_type="GET", headers={}, payload="")
    assert other["response"] == {"status": 404, "body": "", "headers": {}}
    elsewhere, _ = call(page, "modules/core/generic", to="https://example.com/",
                        request_type="GET", headers={}, payload="")
    assert elsewhere["response"]["body"] == "{}"  # no case matched: the default
    # pos-module-payments' send_test passes no headers: `{{ nil | json }}` is `null`, none.
    bare, _ = call(page, "modules/core/generic", to="https://example.com/",
                   request_type="GET", payload="")
    assert bare["errors"] == []
    assert calls(page)[-1].payload["request"]["headers"] == {}


def test_an_inline_api_call_is_named_and_mocked_by_its_query(tmp_path):
    # pos-module-user's oauth_github/get_token.graphql, shortened.
    page = project(tmp_path, **{
        "app/graphql/oauth/get_token.graphql": """
            mutation ($headers: HashObject, $body: String) {
              api_call_send(api_call: { url: "https://github.com/login/oauth/access_token",
                                        method: "POST", body: $body, headers: $headers }) {
                response { body }
              }
            }""",
        ".posjobs/http/oauth/get_token.json": json.dumps({"body": {"access_token": "t0k"}}),
    })
    out = page("{% graphql r = 'oauth/get_token', body: 'code=1', headers: h %}"
               "{% assign result = r.api_call_send.response.body | parse_json %}"
               "{{ result.access_token }}", h={"Accept": "application/json"})
    assert out.html == "t0k"
    [message] = calls(page)
    assert message.name == "oauth/get_token"
    assert message.payload["request"] == {
        "method": "POST", "url": "https://github.com/login/oauth/access_token",
        "headers": {"Accept": "application/json"}, "body": "code=1"}


def test_a_trigger_condition_that_is_not_true_sends_nothing(tmp_path):
    page = project(tmp_path, **{"app/api_calls/never.liquid":
                                "---\nto: https://x.example\ntrigger_condition: 'false'\n---\n"})
    answer, out = call(page, "never")
    assert answer == {"response": None, "errors": []}
    assert calls(page) == []
    assert [e.type for e in out.run.logs] == ["api_call"]


@pytest.mark.parametrize("mock, message", [
    ("{not json", "the response mock .posjobs/http/ping.json is not valid JSON"),
    ('{"status": 200, "bodi": ""}', "has no bodi; it takes status, body, headers"),
    ('[{"when": {"host": "x"}, "response": {}}]', "case 1 of the response mock"),
])
def test_a_bad_response_mock_is_a_clear_error(tmp_path, mock, message):
    page = project(tmp_path, **{".posjobs/http/ping.json": mock})
    err = page.error("{% graphql r = 'api_calls/send', template: 'ping', data: d %}", d={})
    assert message in err.message
    assert err.path == "app/views/pages/t.liquid"


def test_request_headers_that_are_not_json_name_the_notification(tmp_path):
    page = project(tmp_path, **{"app/api_calls/bad.liquid":
                                "---\nto: https://x.example\nrequest_headers: '{nope'\n---\n"})
    err = page.error("{% graphql r = 'api_calls/send', template: 'bad', data: d %}", d={})
    assert "app/api_calls/bad.liquid: request_headers is not valid JSON" in err.message


class _Recorder(BaseHTTPRequestHandler):
    seen: ClassVar[list[tuple[str, str, str, bytes]]] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.seen.append((self.command, self.path, self.headers.get("X-Token", ""),
                          self.rfile.read(length)))
        self.send_response(202)
        self.send_header("X-Reply", "yes")
        self.end_headers()
        self.wfile.write(b'{"ok": true}')

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server():
    _Recorder.seen = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


LOCAL = ("---\nto: '{{ data.url }}/hook'\nrequest_type: POST\n"
         "request_headers: '{\"X-Token\": \"s3cret\"}'\n---\nhello {{ data.who }}")


def test_nothing_is_sent_by_default(tmp_path, server):
    page = project(tmp_path, **{"app/api_calls/local.liquid": LOCAL})
    answer, _ = call(page, "local", url=server, who="Ada")
    assert answer["response"]["status"] == 200  # the default answer
    assert _Recorder.seen == []


def test_the_project_may_opt_in_to_real_sending(tmp_path, server):
    page = project(tmp_path, **{"app/api_calls/local.liquid": LOCAL,
                                "posjobs.toml": "[data]\nallow_network = true\n"})
    answer, _ = call(page, "local", url=server, who="Ada")
    assert _Recorder.seen == [("POST", "/hook", "s3cret", b"hello Ada")]
    assert answer["response"]["status"] == 202
    assert answer["response"]["body"] == '{"ok": true}'
    assert answer["response"]["headers"]["X-Reply"] == "yes"
    assert calls(page)[0].payload["answered_by"] == "network"


def test_a_call_that_cannot_connect_answers_with_an_error(tmp_path, server):
    page = project(tmp_path, **{"app/api_calls/local.liquid": LOCAL})
    page.data.allow_network = True
    answer, _ = call(page, "local", url="http://127.0.0.1:9", who="Ada")  # nothing listens
    assert answer["response"] is None
    assert "http://127.0.0.1:9/hook" in answer["errors"][0]["message"]
    assert calls(page)[0].payload["response"] is None


def test_a_bad_allow_network_setting_is_a_clear_error(tmp_path):
    page = project(tmp_path, **{"posjobs.toml": "[data]\nallow_network = 'yes'\n"})
    err = page.error("{% graphql r = 'api_calls/send', template: 'ping', data: d %}", d={})
    assert "posjobs.toml: data.allow_network must be true or false, got 'yes'" in err.message
