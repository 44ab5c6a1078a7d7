"""`posjobs serve` as a user runs it: a process that prints its URLs, serves, and stops
cleanly on SIGTERM or Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from posjobs.jobs.model import JobStatus
from posjobs.store.base import JobFilter
from posjobs.store.sqlite import SQLiteStore
from tests.conftest import run_cli, write_project

FILES = {"app/views/pages/index.liquid": "hello from the project"}


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def start(root: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.Popen([sys.executable, "-m", "posjobs", "-p", str(root), "serve", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def wait_for_line(proc: subprocess.Popen[str], text: str, timeout: float = 20) -> list[str]:
    assert proc.stderr is not None
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        lines.append(line)
        if text in line:
            return lines
    proc.kill()
    raise AssertionError(f"no {text!r} in {lines}")


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGINT])
def test_serve_prints_its_urls_serves_and_stops_cleanly(tmp_path, how):
    write_project(tmp_path, FILES)
    port = free_port()
    proc = start(tmp_path, "--port", str(port), "-c", "1")
    try:
        lines = wait_for_line(proc, "Ctrl-C to stop")
        said = "".join(lines)
        assert f"pages:     http://127.0.0.1:{port}/" in said
        assert f"dashboard: http://127.0.0.1:{port}/_posjobs/" in said
        assert "1 slot(s)" in said
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as resp:
            assert resp.read().decode().strip() == "hello from the project"
        proc.send_signal(how)
        _out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    assert "server stopped" in err
    assert "Traceback" not in err


def test_no_worker_and_another_host_warns(tmp_path):
    write_project(tmp_path, FILES)
    port = free_port("127.0.0.2")
    proc = start(tmp_path, "--host", "127.0.0.2", "--port", str(port), "--no-worker")
    try:
        said = "".join(wait_for_line(proc, "Ctrl-C to stop"))
        assert "warning: --host 127.0.0.2" in said
        assert "worker:    none (--no-worker)" in said
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 0


def test_a_taken_port_is_a_clear_error(tmp_path):
    write_project(tmp_path, FILES)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = start(tmp_path, "--port", str(port), "--no-worker")
        _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in err
    assert "Traceback" not in err


def long_job_project(root: Path, loops: int) -> SQLiteStore:
    """A project with one job of `loops` Liquid iterations waiting in its store."""
    write_project(root, {
        "app/views/pages/index.liquid": f"{{% background _ = 'work', loops: {loops} %}}",
        "app/views/partials/work.liquid":
            "{% for i in (1..loops) %}{% assign x = i | plus: 1 %}{% endfor %}done",
    })
    assert run_cli(["-p", str(root), "render", "/"]).exit_code == 0
    return SQLiteStore(root / ".posjobs" / "posjobs.db")


def wait_running(store: SQLiteStore, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while store.count_jobs()[JobStatus.RUNNING] != 1:
        assert proc.poll() is None and time.monotonic() < deadline, "the job never started"
        time.sleep(0.02)


def test_sigterm_gives_a_running_attempt_the_worker_s_grace(tmp_path):
    store = long_job_project(tmp_path, 150_000)  # about a second of work
    proc = start(tmp_path, "--port", str(free_port()), "-c", "1", "--grace", "30")
    try:
        wait_running(store, proc)
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    assert "1 running attempt(s) get up to 30 s" in err
    assert [j.status for j in store.list_jobs(JobFilter())] == [JobStatus.DONE]
    store.close()


def test_a_second_ctrl_c_stops_at_once_and_releases_the_job(tmp_path):
    store = long_job_project(tmp_path, 1_000_000)  # far longer than the test
    proc = start(tmp_path, "--port", str(free_port()), "-c", "1", "--grace", "600")
    try:
        wait_running(store, proc)
        proc.send_signal(signal.SIGINT)
        wait_for_line(proc, "1 running attempt(s) get up to 600 s")
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    (job,) = store.list_jobs(JobFilter())
    assert job.status is JobStatus.SCHEDULED and job.attempts == 0  # released, unrun
    store.close()
