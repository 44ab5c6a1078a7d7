"""Real worker processes: killed mid-job, several at once, stopped by signals, time limits.

These start `python -m posjobs worker` as subprocesses on one store. They wait for events
in the store (a job running, a job done) by polling it; they never sleep out a job delay.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from posjobs.jobs.model import JobStatus
from posjobs.store.base import JobFilter, LogFilter
from posjobs.store.sqlite import SQLiteStore
from tests.conftest import run_cli, write_project

# About 0.1 s of Liquid work; `loops` scales it.
WORK = "{% for i in (1..loops) %}{% assign x = i | plus: 1 %}{% endfor %}{% log n %}"


def project_with(tmp_path: Path, jobs: int, loops: int = 20_000, toml: str = "",
                 extra: dict[str, str] | None = None) -> Path:
    root = tmp_path / "project"
    write_project(root, {
        "app/views/pages/index.liquid":
            f"{{% for n in (1..{jobs}) %}}{{% background _ = 'work', n: n, loops: {loops}, "
            "max_attempts: 5 %}{% endfor %}",
        "app/views/partials/work.liquid": WORK,
        "posjobs.toml": toml,
        **(extra or {}),
    })
    assert run_cli(["-p", str(root), "render", "/"]).exit_code == 0
    return root


def start_worker(root: Path, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    return subprocess.Popen(
        [sys.executable, "-m", "posjobs", "-p", str(root), "worker", *args],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
    )


def wait_for(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the store")
        time.sleep(0.02)


def wait_for_line(process: subprocess.Popen[bytes], text: str, timeout: float = 30.0) -> None:
    """Read the process's stderr until a line holds `text`."""
    assert process.stderr is not None
    deadline = time.monotonic() + timeout
    seen = b""
    while text.encode() not in seen:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([process.stderr], [], [], remaining)[0]:
            raise AssertionError(f"no line with {text!r}; got {seen.decode()!r}")
        chunk = os.read(process.stderr.fileno(), 4096)
        if not chunk:
            raise AssertionError(f"stderr closed; got {seen.decode()!r}")
        seen += chunk


def attempt_under_way(store: SQLiteStore, job_id: int = 1) -> bool:
    """The job's attempt has started (its start is written 50 ms into it), not only been
    claimed."""
    return any(e.type == "job_started" for e in store.tail_logs(LogFilter(job_id=job_id), 5))


def store_of(root: Path) -> SQLiteStore:
    return SQLiteStore(root / ".posjobs" / "posjobs.db")


def statuses(store: SQLiteStore) -> dict[JobStatus, int]:
    return {k: v for k, v in store.count_jobs().items() if v}


def attempts_per_job(store: SQLiteStore) -> dict[int, int]:
    return {job.id: len(store.attempts(job.id))
            for job in store.list_jobs(JobFilter(limit=None))}


def test_killed_workers_lose_no_job_and_duplicate_at_most_once_per_kill(tmp_path):
    root = project_with(tmp_path, jobs=30, toml="lease_seconds = 0.6\n")
    store = store_of(root)
    kills = 0
    for _ in range(3):
        worker = start_worker(root, "--concurrency", "2")
        done_before = store.count_jobs()[JobStatus.DONE]
        wait_for(lambda goal=done_before + 3: store.count_jobs()[JobStatus.DONE] >= goal)
        wait_for(lambda: store.count_jobs()[JobStatus.RUNNING] > 0)
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
        kills += 1
    # The last worker recovers what the killed ones held once their leases expire.
    wait_for(lambda: all(j.lease_until is None or j.lease_until < time.time()
                         for j in store.list_jobs(JobFilter(statuses=(JobStatus.RUNNING,)))))
    final = start_worker(root, "--burst", "--concurrency", "2")
    assert final.wait(120) == 0, final.stderr.read() if final.stderr else ""
    assert statuses(store) == {JobStatus.DONE: 30}
    runs = attempts_per_job(store)
    duplicates = sum(n - 1 for n in runs.values())
    assert duplicates <= kills * 2  # at most the attempts in flight (2 slots) per kill
    interrupted = [a for job in runs for a in store.attempts(job) if a.outcome == "interrupted"]
    assert len(interrupted) == duplicates  # every extra run is an interrupted attempt that counted


def test_three_workers_on_one_store_run_each_job_exactly_once(tmp_path):
    root = project_with(tmp_path, jobs=45, loops=2_000)
    workers = [start_worker(root, "--burst", "--concurrency", "2") for _ in range(3)]
    for worker in workers:
        assert worker.wait(120) == 0, worker.stderr.read() if worker.stderr else ""
    store = store_of(root)
    assert statuses(store) == {JobStatus.DONE: 45}
    assert set(attempts_per_job(store).values()) == {1}
    ran_by = {a.worker for job in attempts_per_job(store) for a in store.attempts(job)}
    assert len(ran_by) >= 2  # the work was shared


def test_sigterm_lets_a_running_attempt_finish(tmp_path):
    root = project_with(tmp_path, jobs=1, loops=150_000)  # about a second of work
    store = store_of(root)
    worker = start_worker(root, "--concurrency", "1", "--grace", "30")
    wait_for(lambda: attempt_under_way(store))
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(60) == 0
    assert statuses(store) == {JobStatus.DONE: 1}


def test_sigterm_with_no_grace_releases_the_job_unrun(tmp_path):
    root = project_with(tmp_path, jobs=1, loops=2_000_000 // 2)  # far longer than the test
    store = store_of(root)
    worker = start_worker(root, "--concurrency", "1", "--grace", "0")
    wait_for(lambda: store.count_jobs()[JobStatus.RUNNING] == 1)
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(30) == 0
    (job,) = store.list_jobs(JobFilter())
    assert job.status is JobStatus.SCHEDULED
    assert job.attempts == 0  # released: as if it had never been claimed
    assert store.attempts(job.id) == []


def test_a_second_signal_stops_at_once_losing_nothing(tmp_path):
    root = project_with(tmp_path, jobs=1, loops=2_000_000 // 2)
    store = store_of(root)
    worker = start_worker(root, "--concurrency", "1", "--grace", "600")
    wait_for(lambda: attempt_under_way(store))
    worker.send_signal(signal.SIGINT)  # starts the grace period...
    wait_for_line(worker, "stopping: 1 running attempt(s) get 600 s")
    worker.send_signal(signal.SIGINT)  # ...and this one ends it
    assert worker.wait(30) == 0
    assert statuses(store) == {JobStatus.SCHEDULED: 1}


def test_a_job_over_its_time_limit_is_stopped_while_others_complete(tmp_path):
    root = tmp_path / "project"
    write_project(root, {
        "app/views/pages/index.liquid":
            "{% background _ = 'forever', source_name: 'forever' %}"
            "{% for n in (1..6) %}{% background _ = 'quick', n: n %}{% endfor %}",
        # Never yields to anything but its loop limit, which is far away.
        "app/views/partials/forever.liquid":
            "{% for i in (1..999999) %}{% assign x = i | plus: 1 %}{% endfor %}",
        "app/views/partials/quick.liquid": "{% log n %}",
        "posjobs.toml": "[time_limits]\ndefault = 0.5\n",
    })
    assert run_cli(["-p", str(root), "render", "/"]).exit_code == 0
    worker = start_worker(root, "--burst", "--concurrency", "2")
    assert worker.wait(60) == 0
    store = store_of(root)
    (forever,) = store.list_jobs(JobFilter(source_names=("forever",)))
    assert forever.status is JobStatus.DEAD
    assert forever.last_error["class"] == "Timeout"
    assert "0.5 s" in forever.last_error["message"]
    assert statuses(store) == {JobStatus.DEAD: 1, JobStatus.DONE: 6}


def test_time_limits_come_from_the_environment_too(tmp_path):
    root = tmp_path / "project"
    write_project(root, {
        "app/views/pages/index.liquid": "{% background _ = 'forever', priority: 'high' %}",
        "app/views/partials/forever.liquid":
            "{% for i in (1..999999) %}{% assign x = i | plus: 1 %}{% endfor %}",
    })
    os.environ["POSJOBS_TIME_LIMIT_HIGH"] = "0.3"
    try:
        result = run_cli(["-p", str(root), "render", "/", "--run"])
    finally:
        del os.environ["POSJOBS_TIME_LIMIT_HIGH"]
    assert result.exit_code == 1
    assert "stopped after its time limit of 0.3 s (high priority)" in result.stderr


def test_jobs_kill_stops_a_running_attempt(tmp_path):
    root = project_with(tmp_path, jobs=1, loops=2_000_000 // 2)
    store = store_of(root)
    worker = start_worker(root, "--concurrency", "1")
    try:
        wait_for(lambda: attempt_under_way(store))
        result = run_cli(["-p", str(root), "jobs", "kill", "1"])
        assert result.exit_code == 0, result.stderr
        job = store.get_job(1)
        assert job.status is JobStatus.DEAD
        assert job.last_error["class"] == "Killed"
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(30)


SLOW_WITH_LOG = ("{% log 'step 1 reached', type: 'progress' %}"
                 "{% for i in (1..999999) %}{% assign x = i | plus: 1 %}{% endfor %}"
                 "{% log 'never reached', type: 'progress' %}")


@pytest.mark.parametrize("how", ["worker", "render --run"])
def test_what_a_stopped_attempt_logged_is_kept(tmp_path, how):
    root = tmp_path / "project"
    write_project(root, {
        "app/views/pages/index.liquid": "{% background _ = 'slow', source_name: 'slow' %}",
        "app/views/partials/slow.liquid": SLOW_WITH_LOG,
        "posjobs.toml": "[time_limits]\ndefault = 0.5\n",
    })
    if how == "worker":
        assert run_cli(["-p", str(root), "render", "/"]).exit_code == 0
        assert start_worker(root, "--burst", "--concurrency", "1").wait(60) == 0
    else:
        assert run_cli(["-p", str(root), "render", "/", "--run"]).exit_code == 1
    store = store_of(root)
    entries = store.tail_logs(LogFilter(job_id=1), 50)
    assert [e.message for e in entries if e.type == "progress"] == ["step 1 reached"]
    assert [e.type for e in entries][-2:] == ["job_timeout_error", "job_dead_error"]
