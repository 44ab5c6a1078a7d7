"""The dashboard over real HTTP: lists and filters, the JSON API (the CLI's JSON exactly),
actions and their cross-site guard, escaping, the live log stream."""

from __future__ import annotations

import json
import re
import socket
import time

import pytest

from tests.conftest import run_cli

EVIL = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(2)>"
FILES = {
    "app/views/pages/enqueue.liquid": """
        ---
        method: post
        ---
        {% background source_name: 'send_mail', priority: 'high', to: context.params.to %}
          {% log to %}
        {% endbackground %}
        {% background source_name: 'sync_stock', priority: 'low', delay: 60 %}
          {% log 'later' %}
        {% endbackground %}
        {% log context.params.to, type: 'page_note' %}
        queued
        """,
    "app/views/pages/fail.liquid": """
        ---
        method: post
        ---
        {% background source_name: 'doomed', max_attempts: 1 %}
          {{ 'x' | no_such_filter }}
        {% endbackground %}
        """,
}


@pytest.fixture
def server(serve_project):
    return serve_project(FILES, worker=True)


def enqueue(server, to: str = "ada@example.com") -> None:
    assert server.client.post("/enqueue", {"to": to}).status == 200


def fail(server) -> int:
    """Enqueue a job that fails; its id once it is dead."""
    def dead() -> list[dict]:
        return server.client.get("/_posjobs/api/jobs?status=dead&source_name=doomed").json()

    before = len(dead())
    assert server.client.post("/fail").status == 200
    return int(server.wait_for(lambda: len(dead()) > before and dead())[0]["id"])


def rows(body: str) -> list[tuple[int, str]]:
    return [(int(i), s) for i, s in
            re.findall(r'<tr data-job-id="(\d+)" data-status="(\w+)">', body)]


def cli_json(server, *argv: str):
    result = run_cli(["-p", str(server.project.root), "--db", server.db, *argv])
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_the_jobs_list_shows_every_state_and_filters_from_the_query_string(server):
    enqueue(server)
    dead_id = fail(server)
    server.wait_for(lambda: server.client.get("/_posjobs/api/jobs?status=done").json())
    page = server.client.get("/_posjobs/jobs")
    assert page.status == 200
    statuses = dict(rows(page.body))
    assert statuses[dead_id] == "dead"
    assert sorted(set(statuses.values())) == ["dead", "done", "scheduled"]
    assert rows(server.client.get("/_posjobs/jobs?status=dead").body) == [(dead_id, "dead")]
    by_glob = rows(server.client.get("/_posjobs/jobs?source_name=sync_*").body)
    assert [s for _, s in by_glob] == ["scheduled"]
    low = rows(server.client.get("/_posjobs/jobs?priority=low&priority=high").body)
    assert len(low) == 2
    assert server.client.get("/_posjobs/jobs?status=nope").status == 400


def test_the_json_api_is_the_cli_s_json(server):
    enqueue(server)
    dead_id = fail(server)
    api = server.client.get("/_posjobs/api/jobs?limit=50").json()
    assert api == json.loads(cli_json(server, "jobs", "list", "--json"))
    filtered = server.client.get("/_posjobs/api/jobs?status=dead").json()
    assert filtered == json.loads(cli_json(server, "jobs", "list", "--status", "dead",
                                           "--json"))
    assert server.client.get(f"/_posjobs/api/jobs/{dead_id}").json() == json.loads(
        cli_json(server, "jobs", "show", str(dead_id), "--json"))
    logs = server.client.get("/_posjobs/api/logs?limit=100").json()
    assert logs == [json.loads(line) for line in
                    cli_json(server, "logs", "-n", "100", "--json").splitlines()]
    first = logs[0]["id"]
    after = server.client.get(f"/_posjobs/api/logs?after_id={first}").json()
    assert [e["id"] for e in after] == [e["id"] for e in logs[1:]]
    missing = server.client.get("/_posjobs/api/jobs/999")
    assert missing.status == 404 and missing.json() == {"error": "no job 999"}
    assert server.client.get("/_posjobs/api/logs?after_id=x").status == 400
    bad = server.client.get("/_posjobs/api/jobs?status=bogus")
    assert bad.status == 400 and "bogus" in bad.json()["error"]


def test_the_overview_counts_statuses_and_priorities_and_lists_failures(server):
    enqueue(server)
    dead_id = fail(server)
    page = server.client.get("/_posjobs/")
    assert page.status == 200
    scheduled = re.search(r'<tr data-status="scheduled">(.*?)</tr>', page.body, re.S).group(1)
    assert re.findall(r">(\d+)</a>", scheduled) == ["0", "0", "1"]  # high, default, low
    assert f'data-job-id="{dead_id}"' in page.body
    assert "no_such_filter" in page.body
    server.wait_for(lambda: server.client.get("/_posjobs/api/jobs?status=done").json())
    page = server.client.get("/_posjobs/")
    minute = re.search(r"<td>last minute</td>(.*?)</tr>", page.body, re.S).group(1)
    assert re.findall(r'<td class="(\w+)">(\d+)</td>', minute) == [("done", "1"),
                                                                   ("dead", "1")]


def test_a_job_page_shows_its_attempts_logs_and_the_actions_its_state_allows(server):
    dead_id = fail(server)
    page = server.client.get(f"/_posjobs/jobs/{dead_id}")
    assert page.status == 200
    assert ">Retry</button>" in page.body and ">Delete</button>" in page.body
    assert ">Run now</button>" not in page.body and ">Kill</button>" not in page.body
    assert "no_such_filter" in page.body  # the body, and the attempt's error
    assert re.search(r"app/views/pages/fail.liquid:\d+", page.body)
    assert 'data-log-id="' in page.body
    assert f"/_posjobs/logs?job={dead_id}" in page.body
    enqueue(server)
    later = server.client.get("/_posjobs/api/jobs?source_name=sync_stock").json()[0]["id"]
    waiting = server.client.get(f"/_posjobs/jobs/{later}").body
    assert ">Run now</button>" in waiting and ">Retry</button>" not in waiting
    assert server.client.get("/_posjobs/jobs/999").status == 404


def csrf(server) -> str:
    return server.site.signer.csrf_token


def test_retry_from_the_dashboard_runs_a_dead_job_again(server):
    dead_id = fail(server)
    origin = {"Origin": server.url}
    response = server.client.post(f"/_posjobs/jobs/{dead_id}/retry", {"csrf": csrf(server)},
                                  headers=origin)
    assert response.status == 303
    assert response.headers["location"].startswith(f"/_posjobs/jobs/{dead_id}?notice=")
    job = server.wait_for(lambda: server.client.get(f"/_posjobs/api/jobs/{dead_id}").json()
                          if len(server.client.get(f"/_posjobs/api/jobs/{dead_id}").json()
                                 ["attempts"]) == 2 else None)
    assert job["status"] == "dead"  # it fails again, for the same reason
    refused = server.client.post(f"/_posjobs/jobs/{dead_id}/kill", {"csrf": csrf(server)},
                                 headers=origin)
    assert refused.status == 303 and "only+a+running+job" in refused.headers["location"]
    not_waiting = server.client.post(f"/_posjobs/jobs/{dead_id}/run", {"csrf": csrf(server)},
                                     headers=origin)
    assert "only+scheduled+or+retry+jobs" in not_waiting.headers["location"]


def test_run_now_runs_a_scheduled_job_before_its_time(server):
    enqueue(server)
    later = server.client.get("/_posjobs/api/jobs?source_name=sync_stock").json()[0]["id"]
    response = server.client.post(f"/_posjobs/jobs/{later}/run", {"csrf": csrf(server)},
                                  headers={"Origin": server.url})
    assert response.status == 303
    server.wait_for(lambda: server.client.get(f"/_posjobs/api/jobs/{later}").json()["status"]
                    == "done")


@pytest.mark.parametrize("headers", [
    {"Origin": "http://evil.example"},
    {"Referer": "http://evil.example/page"},
    {"Origin": "null"},
])
def test_a_cross_site_post_is_refused_and_changes_nothing(server, headers):
    dead_id = fail(server)
    for path in (f"/_posjobs/jobs/{dead_id}/retry", f"/_posjobs/jobs/{dead_id}/delete"):
        response = server.client.post(path, {"csrf": csrf(server)}, headers=headers)
        assert response.status == 403
    bulk = server.client.post("/_posjobs/jobs/bulk", {"csrf": csrf(server),
                                                      "action": "delete"}, headers=headers)
    assert bulk.status == 403
    job = server.client.get(f"/_posjobs/api/jobs/{dead_id}").json()
    assert job["status"] == "dead" and len(job["attempts"]) == 1


def test_a_post_without_the_dashboard_s_token_is_refused(server):
    dead_id = fail(server)
    assert server.client.post(f"/_posjobs/jobs/{dead_id}/delete").status == 403
    assert server.client.post(f"/_posjobs/jobs/{dead_id}/delete",
                              {"csrf": "guess"}).status == 403
    assert server.client.get(f"/_posjobs/api/jobs/{dead_id}").status == 200


def test_retry_all_and_delete_all_act_on_exactly_the_filtered_jobs(server):
    enqueue(server)
    first = fail(server)
    second = fail(server)
    server.wait_for(lambda: server.client.get(
        "/_posjobs/api/jobs?status=done&source_name=send_mail").json())
    confirm = server.client.get("/_posjobs/jobs/confirm?action=delete&status=dead")
    assert confirm.status == 200
    assert "Delete 2 job(s)?" in confirm.body
    form = {"csrf": csrf(server), "action": "delete", "status": "dead"}
    done = server.client.post("/_posjobs/jobs/bulk", form, headers={"Origin": server.url})
    assert done.status == 303 and "2+job%28s%29+deleted" in done.headers["location"]
    left = {j["id"]: j["status"] for j in server.client.get("/_posjobs/api/jobs").json()}
    assert first not in left and second not in left
    assert sorted(left.values()) == ["done", "scheduled"]
    retry = {"csrf": csrf(server), "action": "retry", "source_name": "send_*"}
    assert server.client.post("/_posjobs/jobs/bulk", retry).status == 303
    mail = server.client.get("/_posjobs/api/jobs?source_name=send_mail").json()[0]
    assert mail["attempts"] in (0, 1) and mail["status"] in ("scheduled", "running", "done")
    stock = server.client.get("/_posjobs/api/jobs?source_name=sync_stock").json()[0]
    assert stock["status"] == "scheduled" and stock["attempts"] == 0


def test_strings_from_arguments_and_log_messages_are_escaped(server):
    enqueue(server, to=EVIL + IMG)
    server.wait_for(lambda: server.client.get(
        "/_posjobs/api/jobs?status=done&source_name=send_mail").json())
    job_id = server.client.get("/_posjobs/api/jobs?source_name=send_mail").json()[0]["id"]
    pages = [server.client.get(path).body for path in (
        f"/_posjobs/jobs/{job_id}", "/_posjobs/logs", f"/_posjobs/logs?job={job_id}")]
    for body in pages:
        assert EVIL not in body and IMG not in body
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
        assert "&lt;img src=x onerror=alert(2)&gt;" in body


def test_the_logs_page_filters_and_marks_errors(server):
    enqueue(server)
    dead_id = fail(server)
    page = server.client.get(f"/_posjobs/logs?job={dead_id}").body
    entries = re.findall(r'<div class="log( log-error)?" data-log-id="\d+" data-type="(\w+)"',
                         page)
    assert entries and all(t.startswith("job_") for _, t in entries)
    assert all(err for err, t in entries if "error" in t)
    assert f'href="/_posjobs/jobs/{dead_id}"' in page
    notes = re.findall(r'data-type="(\w+)"', server.client.get(
        "/_posjobs/logs?type=page_*").body)
    assert notes == ["page_note"]


def test_the_log_stream_sends_new_entries_as_server_sent_events(server):
    host, port = server.url.removeprefix("http://").split(":")
    last = server.store.last_log_id()
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(f"GET /_posjobs/logs/stream?after_id={last}&type=page_note HTTP/1.1\r\n"
                     f"Host: {host}:{port}\r\n\r\n".encode())
        enqueue(server, to=EVIL)
        received = b""
        deadline = time.monotonic() + 5
        while b"event: entry" not in received and time.monotonic() < deadline:
            received += sock.recv(65536)
    text = received.decode()
    assert "text/event-stream" in text
    event = text[text.index("event: entry"):]
    assert 'data-type="page_note"' in event
    assert "&lt;script&gt;" in event and EVIL not in event
    assert re.search(r"id: \d+\nevent: entry", text)


def test_the_outbox_page_lists_the_data_layer_s_messages_escaped(serve_project, tmp_path):
    import time as clock

    from posjobs.data import DataLayer
    from posjobs.project import Project
    from posjobs.store.data import data_store_path
    from tests.conftest import write_project

    root = tmp_path / "project"
    write_project(root, FILES)
    data = DataLayer(Project(root), data_store_path(root / ".posjobs" / "posjobs.db"))
    data.store.add_message("email", "welcome", {"to": "ada@example.com", "subject": EVIL},
                           clock.time())
    data.close()
    server = serve_project({})
    page = server.client.get("/_posjobs/mail")
    assert page.status == 200
    assert "email · welcome" in page.body and "ada@example.com" in page.body
    assert EVIL not in page.body and "&lt;script&gt;" in page.body


def test_the_dashboard_answers_only_to_loopback_host_names(server):
    rebound = server.client.get("/_posjobs/jobs", Host="evil.example")
    assert rebound.status == 403
    assert server.client.get("/_posjobs/api/jobs", Host="evil.example:80").status == 403
    for host in ("localhost:3333", "127.0.0.1", "[::1]:3333"):
        assert server.client.get("/_posjobs/api/jobs", Host=host).status == 200
    page = server.client.get("/_posjobs/jobs")
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["x-content-type-options"] == "nosniff"


def test_overview_and_outbox_have_json_twins(server):
    enqueue(server)
    dead_id = fail(server)
    overview = server.client.get("/_posjobs/api/overview").json()
    assert overview["counts"]["scheduled"] == {"high": 0, "default": 0, "low": 1}
    assert overview["counts"]["dead"]["default"] == 1
    assert [w["window_seconds"] for w in overview["throughput"]] == [60.0, 3600.0]
    assert overview["throughput"][0]["dead"] == 1
    assert [j["id"] for j in overview["failures"]] == [dead_id]
    assert overview["failures"][0] == server.client.get(
        "/_posjobs/api/jobs?status=dead").json()[0]
    assert server.client.get("/_posjobs/api/mail").json() == []


def test_kill_asks_the_worker_running_the_job_to_stop_it(server):
    enqueue(server)
    later = server.client.get("/_posjobs/api/jobs?source_name=sync_stock").json()[0]["id"]
    # Another worker (here: a stand-in that never answers) is running the job.
    assert server.store.claim_job(later, "elsewhere", time.time(), 60) is not None
    page = server.client.get(f"/_posjobs/jobs/{later}").body
    assert ">Kill</button>" in page and ">Delete</button>" not in page
    response = server.client.post(f"/_posjobs/jobs/{later}/kill", {"csrf": csrf(server)},
                                  headers={"Origin": server.url})
    assert response.status == 303
    assert "still+running" in response.headers["location"]
    assert server.store.kill_requested([later]) == [later]
    refused = server.client.post(f"/_posjobs/jobs/{later}/delete", {"csrf": csrf(server)},
                                 headers={"Origin": server.url})
    assert "is+running" in refused.headers["location"]


def test_kill_stops_a_running_attempt_of_the_in_process_worker(serve_project):
    server = serve_project({
        "app/views/pages/long.liquid": "---\nmethod: post\n---\n"
                                       "{% background _ = 'work', loops: 1000000 %}",
        "app/views/partials/work.liquid":
            "{% for i in (1..loops) %}{% assign x = i | plus: 1 %}{% endfor %}",
    }, worker=True)
    assert server.client.post("/long").status == 200
    running = server.wait_for(lambda: server.client.get(
        "/_posjobs/api/jobs?status=running").json())
    job_id = running[0]["id"]
    response = server.client.post(f"/_posjobs/jobs/{job_id}/kill", {"csrf": csrf(server)},
                                  headers={"Origin": server.url})
    assert response.status == 303
    assert f"job+{job_id}+killed" in response.headers["location"]
    job = server.client.get(f"/_posjobs/api/jobs/{job_id}").json()
    assert job["status"] == "dead" and job["attempts"][0]["outcome"] == "killed"
