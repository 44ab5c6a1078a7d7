"""`posjobs serve` on a PostgreSQL store: the pages enqueue into it, the in-process worker
runs what they enqueue, and the dashboard and the CLI read the same jobs and log."""

from __future__ import annotations

import json
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from tests.conftest import run_cli, write_project
from tests.pgserver import Throwaway
from tests.serve.test_command import free_port, start, wait_for_line

FILES = {
    "app/views/pages/index.liquid": """
        {% background source_name: 'greet', who: context.params.who %}
          {% log 'hello ' | append: who, type: 'greeting' %}
        {% endbackground %}
        queued
        """,
}


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as resp:
        return resp.read().decode()


def stop_cleanly(proc: subprocess.Popen[str]) -> None:
    """SIGTERM, as a terminal's Ctrl-C or a process manager sends: exit 0, no traceback."""
    proc.send_signal(signal.SIGTERM)
    _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "Traceback" not in err


def test_serve_runs_pages_jobs_and_the_dashboard_on_a_postgresql_store(
        tmp_path: Path, pg_server: str, pg_schema: str) -> None:
    write_project(tmp_path, FILES)
    url = f"{pg_server}?schema={pg_schema}"
    port = free_port()
    proc = start(tmp_path, "--db", url, "--port", str(port), "-c", "1")
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_line(proc, "Ctrl-C to stop")
        assert get(f"{base}/?who=ada").strip() == "queued"
        deadline = time.monotonic() + 30
        while True:
            jobs = json.loads(get(f"{base}/_posjobs/api/jobs?source_name=greet"))
            if (jobs and jobs[0]["status"] == "done") or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert [(j["source_name"], j["status"]) for j in jobs] == [("greet", "done")]
        listed = run_cli(["-p", str(tmp_path), "--db", url, "jobs", "list", "--json"])
        assert listed.exit_code == 0, listed.stderr
        assert [j["id"] for j in json.loads(listed.stdout)] == [jobs[0]["id"]]
        logs = run_cli(["-p", str(tmp_path), "--db", url, "logs", "-n", "20",
                        "--type", "greeting"])
        assert logs.exit_code == 0 and "hello ada" in logs.stdout, logs.stdout
        stop_cleanly(proc)
    finally:
        proc.kill()
    assert not (tmp_path / ".posjobs" / "posjobs.db").exists()  # nothing went to SQLite


def status_of(url: str, *, headers: bool = False) -> Any:
    """(status, body), and the headers (lower-case names) when asked."""
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:
            answer = resp.status, resp.read().decode(), resp.headers
    except urllib.error.HTTPError as err:
        answer = err.code, err.read().decode(), err.headers
    if headers:
        return answer[0], answer[1], {k.lower(): v for k, v in answer[2].items()}
    return answer[:2]


def test_while_the_server_is_away_the_dashboard_says_so_and_serve_goes_on(
        tmp_path: Path, own_server: tuple[Throwaway, str]) -> None:
    server, address = own_server
    write_project(tmp_path, FILES)
    port = free_port()
    proc = start(tmp_path, "--db", f"{address}?schema=away", "--port", str(port), "-c", "1")
    base = f"http://127.0.0.1:{port}/_posjobs"
    try:
        wait_for_line(proc, "Ctrl-C to stop")
        assert status_of(f"{base}/api/jobs")[0] == 200
        server.down()
        code, body = status_of(f"{base}/api/jobs")
        answer = json.loads(body)
        assert code == 503 and "cannot connect" in answer["error"]
        assert "is the server running" in answer["hint"]  # the hint the CLI prints, too
        code, body, headers = status_of(f"{base}/jobs", headers=True)
        assert code == 503 and "The store is unavailable" in body
        assert "hint: is the server running" in body
        assert headers["x-frame-options"] == "DENY"  # the dashboard's headers, as ever
        wait_for_line(proc, "GET /_posjobs/jobs 503: ")
        code, body = status_of(f"http://127.0.0.1:{port}/?who=ada")  # a page: its data
        assert code == 503 and "cannot connect" in body
        server.up()
        assert status_of(f"{base}/api/jobs") == (200, "[]")
        stop_cleanly(proc)
    finally:
        proc.kill()
