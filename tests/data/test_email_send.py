"""email_send: the project's email notification rendered (front matter, layout, data) into
the local outbox, never sent; trigger_condition and enabled hold it back."""

from __future__ import annotations

import pytest

from posjobs.data.tables import iso_time
from tests.conftest import T0
from tests.liquid.tag_helpers import Pages

SEND = """
mutation ($data: HashObject!, $template: String!) {
  email_send(template: { name: $template }, data: $data) {
    is_scheduled_to_send
    errors { message }
  }
}
"""

# The docs' example (developer-guide/notifications/creating-email-notification), with a cc.
WELCOME = """
---
to: '{{ form.email }}'
from: 'Example Marketplace <info@example.com>'
reply_to: no-reply@example.com
cc: 'boss@example.com, {{ data.friend }}'
subject: 'Welcome {{ form.first_name }} in our marketplace!'
layout: mailer
---
<h1>Hi {{ data.first_name }}!</h1>

<p>Welcome in our <a href="https://example.com/{{ context.constants.shop }}">marketplace</a>!</p>
"""

# developer-guide/notifications/using-email-layouts: the layout wraps content_for_layout.
MAILER = """
<html><head><style>p { color: red }</style></head><body>
Header
{{ content_for_layout }}
Footer
</body></html>
"""


@pytest.fixture
def page(tmp_path):
    return Pages(tmp_path, {
        "app/graphql/emails/send.graphql": SEND,
        "app/emails/welcome_user.liquid": WELCOME,
        "app/views/layouts/mailer.liquid": MAILER,
    })


def send(page, template="welcome_user", **data):
    run = page.new_run()
    # A notification sees the run's context (the one its jobs would get).
    run.job_context["constants"] = {"shop": "books"}
    return page("{% graphql r = 'emails/send', template: t, data: d %}"
                "{{ r.email_send.is_scheduled_to_send }}", t=template, d=data, run=run)


def outbox(page, kind="email"):
    return page.data.store.messages(kind, newest_first=False)[0]


def test_an_email_is_rendered_with_its_front_matter_and_layout_into_the_outbox(page):
    out = send(page, email="michael@example.com", first_name="Michael",
               friend="dwight@example.com")
    assert out.html == "true"
    [message] = outbox(page)
    assert message.name == "welcome_user"
    assert message.created_at == T0
    payload = message.payload
    assert payload["headers"] == {
        "from": "Example Marketplace <info@example.com>",
        "to": ["michael@example.com"],
        "cc": ["boss@example.com", "dwight@example.com"],
        "bcc": [],
        "reply_to": ["no-reply@example.com"],
        "subject": "Welcome Michael in our marketplace!",
    }
    assert payload["layout"] == "mailer"
    assert payload["source"] == "app/emails/welcome_user.liquid"
    html = payload["html"]
    assert html.startswith("<html><head>")
    assert "Header\n<h1>Hi Michael!</h1>" in html  # no blank lines for the front matter
    assert '<a href="https://example.com/books">marketplace</a>' in html  # context.constants
    assert html.rstrip().endswith("Footer\n</body></html>")
    # The text body reads as the HTML does, without its style sheet.
    assert payload["text"].splitlines() == [
        "Header", "", "Hi Michael!", "", "Welcome in our marketplace (https://example.com/books)!",
        "", "Footer"]


def test_each_email_writes_a_log_entry_naming_its_recipients_and_subject(page):
    out = send(page, email="michael@example.com", first_name="Michael")
    [entry] = out.run.logs
    assert entry.type == "email"
    assert entry.message == ("email welcome_user to michael@example.com: "
                             "'Welcome Michael in our marketplace!' (posjobs mail show 1)")


def test_a_module_email_uses_its_module_layout(tmp_path):
    page = Pages(tmp_path, {
        "app/graphql/emails/send.graphql": SEND,
        "modules/shop/public/emails/receipt.liquid": (
            "---\nto: '{{ data.to }}'\nsubject: Receipt\nlayout: modules/shop/mailer\n---\n"
            "Order {{ data.id }}\n"),
        "modules/shop/private/views/layouts/mailer.html.liquid": "[{{ content_for_layout }}]",
    })
    send(page, "modules/shop/receipt", to="a@example.com", id=7)
    [message] = outbox(page)
    assert message.name == "modules/shop/receipt"
    assert message.payload["html"] == "[Order 7\n]"
    assert message.payload["text"] == "[Order 7\n]".strip()


def test_no_layout_when_the_layout_renders_empty(tmp_path):
    # pos-module-core's generic email: `layout: "{{ data.layout }}"`, often null.
    page = Pages(tmp_path, {
        "app/graphql/emails/send.graphql": SEND,
        "app/emails/plain.liquid": "---\nto: a@example.com\nlayout: '{{ data.layout }}'\n---\nHi",
    })
    send(page, "plain", layout=None)
    assert outbox(page)[0].payload["html"] == "Hi"
    assert outbox(page)[0].payload["layout"] is None


@pytest.mark.parametrize("condition, sent", [
    ("{% if data.should_send == 'yes' %}true{% endif %}", False),  # renders ''
    ("false", False),
    (" true ", True),  # only `true` sends: surrounding space does not matter
])
def test_trigger_condition_decides_whether_the_email_is_sent(tmp_path, condition, sent):
    page = Pages(tmp_path, {
        "app/graphql/emails/send.graphql": SEND,
        "app/emails/maybe.liquid": f"---\nto: a@example.com\ntrigger_condition: \"{condition}\"\n"
                                   "---\nHi",
    })
    out = send(page, "maybe", should_send="no")
    assert out.html == ("true" if sent else "false")
    assert len(outbox(page)) == (1 if sent else 0)
    [entry] = out.run.logs
    assert entry.type == "email"
    if not sent:
        assert "maybe not sent: trigger_condition rendered" in entry.message


def test_an_email_that_is_not_enabled_is_not_sent(tmp_path):
    page = Pages(tmp_path, {
        "app/graphql/emails/send.graphql": SEND,
        "app/emails/off.liquid": "---\nto: a@example.com\nenabled: false\n---\nHi",
    })
    assert send(page, "off").html == "false"
    assert outbox(page) == []


def test_a_missing_email_names_the_name_and_where_it_looked(page):
    err = page.error("{% graphql r = 'emails/send', template: 'modules/user/nope', data: d %}",
                     d={})
    assert err.path == "app/views/pages/t.liquid" and err.line == 1
    assert ("email notification 'modules/user/nope' not found (looked for its .liquid file "
            "in modules/user/{public,private}/emails/)") in err.message
    err = page.error("{% graphql r = 'emails/send', template: 'welcome', data: d %}", d={})
    assert "'welcome' not found" in err.message and "in app/emails/" in err.message


def test_recipients_may_be_a_yaml_list(tmp_path):
    page = Pages(tmp_path, {
        "app/graphql/emails/send.graphql": SEND,
        "app/emails/team.liquid": "---\nto: [a@example.com, '{{ data.b }}']\n---\nHi",
    })
    send(page, "team", b="b@example.com")
    assert outbox(page)[0].payload["headers"]["to"] == ["a@example.com", "b@example.com"]


def test_front_matter_that_is_not_yaml_names_the_email(tmp_path):
    page = Pages(tmp_path, {
        "app/graphql/emails/send.graphql": SEND,
        "app/emails/bad.liquid": "---\nto: {{ data.to }}\n---\nHi",  # unquoted: a YAML map
    })
    err = page.error("{% graphql r = 'emails/send', template: 'bad', data: d %}", d={})
    assert "app/emails/bad.liquid" in err.message
    assert "front matter is not valid YAML" in err.message


def test_a_liquid_error_in_the_email_names_the_email_file_and_line(tmp_path):
    page = Pages(tmp_path, {
        "app/graphql/emails/send.graphql": SEND,
        "app/emails/broken.liquid": "---\nto: a@example.com\n---\nline 4\n{{ data | nope }}\n",
    })
    err = page.error("{% graphql r = 'emails/send', template: 'broken', data: d %}", d={})
    assert "app/emails/broken.liquid:5" in err.message
    assert "nope" in err.message


def test_data_that_is_not_a_hash_is_a_clear_error(page):
    err = page.error("{% graphql r = 'emails/send', template: 'welcome_user', data: 'x' %}")
    assert "email_send: data must be a hash, got str 'x'" in err.message


def test_an_email_of_a_failed_render_is_not_in_the_outbox(page):
    page.error("{% graphql r = 'emails/send', template: 'welcome_user', data: d %}"
               "{{ 1 | nope }}", d={"email": "a@example.com"})
    assert outbox(page) == []


def test_an_email_given_whole_is_recorded_as_given(tmp_path):
    page = Pages(tmp_path, {"app/graphql/emails/direct.graphql": """
        mutation direct($to: String!) {
          email_send(email: { to: [$to], from: "shop@example.com", subject: "Hi",
                              content: "<p>{{ not rendered }}</p>" }) { is_scheduled_to_send }
        }"""})
    out = page("{% graphql r = 'emails/direct', to: 'a@example.com' %}"
               "{{ r.email_send.is_scheduled_to_send }}")
    assert out.html == "true"
    [message] = outbox(page)
    assert message.name == "emails/direct"  # named by the query that sent it
    assert message.payload["html"] == "<p>{{ not rendered }}</p>"
    assert message.payload["headers"]["to"] == ["a@example.com"]


def test_admin_sent_notifications_answers_from_the_outbox(page):
    for name in ("Michael", "Dwight"):
        send(page, email=f"{name.lower()}@example.com", first_name=name)
    page.dialect.project.root.joinpath("app/graphql/mails.graphql").write_text("""
        query mails($id: ID, $limit: Int = 20, $page: Int = 1) {
          mails: admin_sent_notifications(
            per_page: $limit, page: $page
            filter: { id: { value: $id }, notification_type: { value: EMAIL } }
            sort: { created_at: { order: DESC } }
          ) {
            total_entries total_pages current_page has_previous_page has_next_page
            results { id created_at content options notification_type }
          }
        }""")  # pos-module-tests' sent_mails/search.graphql
    out = page("{% graphql r = 'mails', limit: 1 %}{{ r | json }}")
    import json

    mails = json.loads(out.html)["mails"]
    assert (mails["total_entries"], mails["total_pages"], mails["has_next_page"]) == (2, 2, True)
    [latest] = mails["results"]
    assert latest["id"] == "2"
    assert latest["notification_type"] == "EMAIL"
    assert latest["created_at"] == iso_time(T0)
    assert latest["options"]["subject"] == "Welcome Dwight in our marketplace!"
    assert latest["options"]["to"] == ["dwight@example.com"]
    assert "<h1>Hi Dwight!</h1>" in latest["content"]
    one = json.loads(page("{% graphql r = 'mails', id: 1 %}{{ r | json }}").html)["mails"]
    assert [m["id"] for m in one["results"]] == ["1"]
