"""`posjobs mail list / show`: the outbox through the real CLI, after real renders; and the
pages real modules use to read sent emails (pos-module-tests' `_tests/sent_mails`)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import run_cli, write_project

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "pos-modules"

FILES = {
    "app/graphql/emails/send.graphql": """
        mutation ($data: HashObject!, $template: String!) {
          email_send(template: { name: $template }, data: $data) { is_scheduled_to_send }
        }""",
    "app/graphql/api/send.graphql": """
        mutation ($data: HashObject!) {
          api_call_send(template: { name: "ping" }, data: $data) { response { status } }
        }""",
    "app/emails/welcome.liquid": """
        ---
        to: '{{ data.email }}'
        from: shop@example.com
        subject: 'Welcome [bold]{{ data.name }}[/bold]'
        layout: mailer
        ---
        <p>Hi {{ data.name }}, <b>welcome</b>!</p>
        """,
    "app/views/layouts/mailer.liquid": "<html><body>{{ content_for_layout }}</body></html>",
    "app/api_calls/ping.liquid": """
        ---
        to: 'https://hooks.example.com/{{ data.id }}'
        request_type: POST
        ---
        {"id": {{ data.id }}}""",
    "app/views/pages/signup.liquid": """
        ---
        layout: ''
        ---
        {% liquid
          assign d = context.params
          graphql r = 'emails/send', template: 'welcome', data: d
          graphql a = 'api/send', data: d
        %}signed up""",
}


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "project"
    write_project(root, FILES)
    return str(root)


def squeezed(text):
    """The lines of `text` with runs of spaces made one (tables pad their columns)."""
    return [" ".join(line.split()) for line in text.splitlines()]


def signup(project, name, email, id_):
    out = run_cli(["-p", project, "render", "signup", "-P", f"name={name}", "-P",
                   f"email={email}", "-P", f"id={id_}"])
    assert out.exit_code == 0, out.stderr
    return out


def test_mail_list_shows_the_emails_newest_first(project):
    signup(project, "Ada", "ada@example.com", 1)
    signup(project, "Bob", "bob@example.com", 2)
    out = run_cli(["-p", project, "mail", "list"])
    assert out.exit_code == 0
    lines = out.stdout.splitlines()
    assert lines[0].split() == ["id", "time", "to", "subject", "name"]
    # Emails and API calls share the outbox's numbering: each signup records one of each.
    assert lines[1].startswith("3 ") and "bob@example.com" in lines[1]
    # Text from templates is shown as written, never read as markup.
    assert "Welcome [bold]Bob[/bold]" in lines[1] and lines[1].rstrip().endswith("welcome")
    assert lines[2].startswith("1 ") and "ada@example.com" in lines[2]


def test_mail_list_json_and_limit(project):
    signup(project, "Ada", "ada@example.com", 1)
    signup(project, "Bob", "bob@example.com", 2)
    out = run_cli(["-p", project, "mail", "list", "--json", "-n", "1"])
    [mail] = json.loads(out.stdout)
    assert mail["id"] == 3 and mail["kind"] == "email" and mail["name"] == "welcome"
    assert mail["headers"]["to"] == ["bob@example.com"]
    assert mail["html"] == "<html><body><p>Hi Bob, <b>welcome</b>!</p>\n</body></html>"
    assert mail["created_at"].endswith("Z")


def test_mail_show_prints_headers_text_and_html_literally(project):
    signup(project, "Ada", "ada@example.com", 1)
    out = run_cli(["-p", project, "mail", "show", "1"])
    assert out.exit_code == 0
    text = out.stdout
    lines = squeezed(text)
    assert "to ada@example.com" in lines
    assert "subject Welcome [bold]Ada[/bold]" in lines
    assert "source app/emails/welcome.liquid" in lines
    assert "text:\nHi Ada, welcome!" in text
    assert "html:\n<html><body><p>Hi Ada, <b>welcome</b>!</p>" in text
    html = run_cli(["-p", project, "mail", "show", "1", "--html"]).stdout
    assert html == "<html><body><p>Hi Ada, <b>welcome</b>!</p>\n</body></html>\n"


def test_api_calls_are_listed_and_shown_with_their_request_and_answer(project):
    signup(project, "Ada", "ada@example.com", 7)
    out = run_cli(["-p", project, "mail", "list", "--kind", "api_call"])
    [header, row] = out.stdout.splitlines()
    assert header.split() == ["id", "time", "method", "url", "status", "answered", "by", "name"]
    assert row.split()[0] == "2"  # after the email, id 1
    assert "POST" in row and "https://hooks.example.com/7" in row and " 200 " in row
    assert "default" in row
    shown = run_cli(["-p", project, "mail", "show", "2"]).stdout
    assert "request POST https://hooks.example.com/7" in squeezed(shown)
    assert "answered by default" in squeezed(shown)
    assert "request body:\n{\"id\": 7}" in shown
    assert "response body:\n{}" in shown


def test_an_email_sent_by_a_background_job_is_in_the_outbox(project):
    Path(project, "app/views/pages/later.liquid").write_text(
        "---\nlayout: ''\n---\n"
        "{% background source_name: 'welcome', email: context.params.email %}"
        "{% assign d = '{\"name\": \"Job\"}' | parse_json %}"
        "{% hash_assign d['email'] = email %}"
        "{% graphql r = 'emails/send', template: 'welcome', data: d %}"
        "{% endbackground %}queued")
    out = run_cli(["-p", project, "render", "later", "-P", "email=job@example.com", "--run"])
    assert out.exit_code == 0, out.stderr
    [mail] = json.loads(run_cli(["-p", project, "mail", "list", "--json"]).stdout)
    assert mail["headers"]["to"] == ["job@example.com"]
    assert "Hi Job" in mail["html"]


def test_an_unknown_id_exits_3(project):
    out = run_cli(["-p", project, "mail", "show", "9"])
    assert out.exit_code == 3
    assert "no email or API call 9 in the outbox" in out.stderr
    assert out.stdout == ""


def test_an_empty_outbox_says_so_on_stderr(project):
    out = run_cli(["-p", project, "mail", "list"])
    assert (out.exit_code, out.stdout) == (0, "")
    assert "no emails" in out.stderr


def test_each_email_and_call_has_a_log_entry(project):
    signup(project, "Ada", "ada@example.com", 7)
    logs = run_cli(["-p", project, "logs", "--json"]).stdout.splitlines()
    entries = [(e["error_type"], e["message"]) for e in map(json.loads, logs)]
    assert ("email", "email welcome to ada@example.com: 'Welcome [bold]Ada[/bold]' "
                     "(posjobs mail show 1)") in entries
    assert ("api_call", "api_call ping: POST https://hooks.example.com/7 -> 200 "
                        "(default; posjobs mail show 2)") in entries


@pytest.mark.skipif(not (CORPUS / "pos-module-tests").is_dir(),
                    reason="the pos-modules corpus (../shared/corpus) is not here")
def test_pos_module_tests_sent_mails_pages_show_the_outbox(project):
    shutil.copytree(CORPUS / "pos-module-tests" / "modules" / "tests",
                    Path(project) / "modules" / "tests")
    signup(project, "Ada", "ada@example.com", 1)
    signup(project, "Bob", "bob@example.com", 2)
    listing = run_cli(["-p", project, "render", "_tests/sent_mails"])
    assert listing.exit_code == 0, listing.stderr
    rows = listing.stdout.split("<ul>")[1:]
    assert len(rows) == 2
    assert "<li>Welcome [bold]Bob[/bold]</li>" in rows[0]
    assert "<li>bob@example.com</li>" in rows[0]
    assert '<a href="/_tests/sent_mails/3">Show</a>' in rows[0]
    assert "<li>ada@example.com</li>" in rows[1]
    shown = run_cli(["-p", project, "render", "_tests/sent_mails/1"])
    assert shown.exit_code == 0, shown.stderr
    assert "<h2>To: ada@example.com</h2>" in shown.stdout
    assert "<p>Hi Ada, <b>welcome</b>!</p>" in shown.stdout


@pytest.mark.skipif(not (CORPUS / "pos-module-user").is_dir(),
                    reason="the pos-modules corpus (../shared/corpus) is not here")
def test_pos_module_users_password_reset_email_lands_in_the_outbox(tmp_path):
    """The user module's reset email, through pos-module-core's email command and generic
    email with the core's mailer layout: no mock involved."""
    root = tmp_path / "project"
    for module in ("core", "user"):
        shutil.copytree(CORPUS / "pos-module-user" / "modules" / module,
                        root / "modules" / module)
    write_project(root, {"app/views/pages/reset.liquid": """
        ---
        layout: ''
        ---
        {% liquid
          assign o = '{"email": "ada@example.com", "id": 3}' | parse_json
          hash_assign o['url'] = 'https://x.example/reset?t=1'
          function r = 'modules/user/commands/emails/auth-link', object: o
          echo r.valid
        %}"""})
    out = run_cli(["-p", str(root), "render", "reset"])
    assert out.exit_code == 0, out.stderr
    assert out.stdout.strip() == "true"
    [mail] = json.loads(run_cli(["-p", str(root), "mail", "list", "--json"]).stdout)
    assert mail["name"] == "modules/core/generic"
    assert mail["headers"]["to"] == ["ada@example.com"]
    assert mail["layout"] == "modules/core/mailer"
    assert 'href="https://x.example/reset?t=1"' in mail["html"]
    assert mail["headers"]["subject"]
