"""The runtime under attack: a killed worker process, a killed process group, a full disk, a
locked store, a `posjobs` folder in the current directory. Real worker processes, real
SQLite files, real signals; each waits for events in the store, never for a job's delay."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from posjobs.jobs.model import JobStatus
from posjobs.store.base import JobFilter, LogFilter
from posjobs.store.sqlite import SQLiteStore
from tests.conftest import run_cli, write_project
from tests.services.test_worker_processes import (
    project_with,
    start_worker,
    statuses,
    store_of,
    wait_for,
    wait_for_line,
)

# About 5 s of work that never yields, within the loop limit.
FOREVER = "{% for i in (1..999999) %}{% assign x = i | plus: 1 %}{% endfor %}"
POSJOBS = str(Path(sys.executable).with_name("posjobs"))  # the installed command


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def started(store: SQLiteStore, job_id: int) -> bool:
    """The job's attempt is under way (its start is written 50 ms into it)."""
    return any(e.type == "job_started" for e in store.tail_logs(LogFilter(job_id=job_id), 5))


def cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def waiting(pid: int) -> bool:
    """The process used no CPU for 0.3 s: blocked (here, on SQLite's lock)."""
    before = cpu_ticks(pid)
    time.sleep(0.3)
    return cpu_ticks(pid) == before


linux_only = pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs /proc")


@linux_only
def test_a_slot_dies_with_its_worker_and_the_claims_it_never_started_are_released(tmp_path):
    """The issue's reproduction: SIGKILL the worker process (not its slots) while job 1
    runs; its slot dies with it; no other job loses an attempt it never ran."""
    root = project_with(tmp_path, jobs=4, loops=40_000, toml="lease_seconds = 1\n",
                        extra={"app/views/pages/index.liquid":
                               "{% background _ = 'forever', source_name: 'first' %}"
                               "{% for n in (1..3) %}{% background _ = 'work', n: n, "
                               "loops: 100 %}{% endfor %}",
                               "app/views/partials/forever.liquid": FOREVER})
    # max_attempts 1, as in the issue: an attempt wrongly used up makes the job dead.
    store = store_of(root)
    worker = start_worker(root, "--concurrency", "1")
    wait_for(lambda: started(store, 1))
    slots = children(worker.pid)
    assert slots
    worker.send_signal(signal.SIGKILL)
    worker.wait(10)
    wait_for(lambda: not any(alive(pid) for pid in slots), timeout=1)  # not after 5 s of work
    wait_for(lambda: store.get_job(1).lease_until < time.time())  # a crash test's one wait
    final = start_worker(root, "--burst", "--concurrency", "1")
    assert final.wait(60) == 0
    first = store.get_job(1)
    assert first.status is JobStatus.DEAD and first.last_error["class"] == "WorkerLost"
    for job_id in (2, 3, 4):  # never touched by the killed worker: one attempt each, done
        assert store.get_job(job_id).status is JobStatus.DONE
        assert [a.outcome for a in store.attempts(job_id)] == ["done"]


@linux_only
@pytest.mark.parametrize("group", [False, True], ids=["worker process", "process group"])
def test_many_kills_lose_no_job_and_count_only_the_attempts_in_flight(tmp_path, group):
    """Kill the worker (or its whole group) again and again mid-run; then count."""
    root = project_with(tmp_path, jobs=16, loops=20_000, toml="lease_seconds = 0.5\n")
    store = store_of(root)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    kills = 0
    for _ in range(3):
        worker = subprocess.Popen(
            [sys.executable, "-m", "posjobs", "-p", str(root), "worker", "-c", "2"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
            start_new_session=True)
        done_before = store.count_jobs()[JobStatus.DONE]
        wait_for(lambda goal=done_before + 2: store.count_jobs()[JobStatus.DONE] >= goal)
        wait_for(lambda: store.count_jobs()[JobStatus.RUNNING] > 0)
        if group:
            os.killpg(worker.pid, signal.SIGKILL)
        else:
            worker.send_signal(signal.SIGKILL)
        worker.wait(10)
        kills += 1
    final = start_worker(root, "--burst", "--concurrency", "2")
    assert final.wait(120) == 0
    assert statuses(store) == {JobStatus.DONE: 16}  # jobs lost: 0
    outcomes = {job.id: [a.outcome for a in store.attempts(job.id)]
                for job in store.list_jobs(JobFilter(limit=None))}
    interrupted = sum(o.count("interrupted") for o in outcomes.values())
    # Only attempts in flight when the worker died count: at most one per slot per kill.
    # (Before, a slot outlived its worker and claimed jobs it never ran.)
    assert interrupted <= kills * 2
    # A job ran more than once only after an attempt interrupted by a kill; it was done once.
    for attempts in outcomes.values():
        assert attempts.count("done") == 1
        assert set(attempts) <= {"done", "interrupted"}


@linux_only
def test_a_posjobs_folder_or_module_in_the_current_directory_breaks_nothing(tmp_path):
    root = project_with(tmp_path, jobs=2, loops=10)
    cwd = tmp_path / "elsewhere"
    (cwd / "posjobs").mkdir(parents=True)
    (cwd / "posjobs" / "__init__.py").write_text("raise ImportError('the wrong posjobs')\n")
    (cwd / "posjobs.py").write_text("raise ImportError('the wrong posjobs')\n")
    for args in (["worker", "--burst", "-c", "1"], ["worker", "--fast-forward"]):
        result = subprocess.run([POSJOBS, "-p", str(root), *args], cwd=cwd,
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
    assert statuses(store_of(root)) == {JobStatus.DONE: 2}


def test_a_job_s_log_entries_are_visible_while_it_runs(tmp_path):
    root = tmp_path / "project"
    write_project(root, {
        "app/views/pages/index.liquid": "{% background _ = 'slow', source_name: 'slow' %}",
        "app/views/partials/slow.liquid":
            "{% log 'step 1', type: 'progress' %}" + FOREVER,
        "posjobs.toml": "[time_limits]\ndefault = 20\n"})
    assert run_cli(["-p", str(root), "render", "/"]).exit_code == 0
    store = store_of(root)
    worker = start_worker(root, "-c", "1", "--grace", "0")
    try:
        wait_for(lambda: any(e.type == "progress"
                             for e in store.tail_logs(LogFilter(job_id=1), 10)), timeout=20)
        assert store.get_job(1).status is JobStatus.RUNNING
        types = [e.type for e in store.tail_logs(LogFilter(job_id=1), 10)]
        assert types[-2:] == ["job_started", "progress"]
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.communicate(timeout=30)


def test_a_locked_store_makes_no_flood_and_the_worker_carries_on(tmp_path):
    root = project_with(tmp_path, jobs=4, loops=10)
    lock = sqlite3.connect(root / ".posjobs" / "posjobs.db", isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    worker = start_worker(root, "--burst", "-c", "2")
    time.sleep(3)  # the lock's duration is what this test is about
    lock.execute("ROLLBACK")
    lock.close()
    _out, err = worker.communicate(timeout=60)
    assert worker.returncode == 0
    text = err.decode()
    assert "maximum number of running instances" not in text
    assert "Traceback" not in text
    assert len(text.splitlines()) <= 8
    assert statuses(store_of(root)) == {JobStatus.DONE: 4}


@pytest.fixture
def tiny_disk(tmp_path):
    """A 1 MB filesystem of its own (root only; skipped elsewhere)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)],
                          capture_output=True)
    if made.returncode != 0:
        pytest.skip("cannot mount a small filesystem here (needs root)")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_is_reported_once_a_burst_exits_5_and_nothing_is_lost(tmp_path,
                                                                           tiny_disk):
    root = tmp_path / "project"
    write_project(root, {
        "app/views/pages/index.liquid":
            "{% for n in (1..5) %}{% background _ = 'big', n: n %}{% endfor %}",
        "app/views/partials/big.liquid": "{% log n %}",
        "posjobs.toml": "store_patience = 2\n"})
    db = tiny_disk / "posjobs.db"
    assert run_cli(["-p", str(root), "--db", str(db), "render", "/"]).exit_code == 0
    # A reader keeps the file open (its write-ahead log and index stay, as under a running
    # worker) and pins its snapshot, so that new writes must grow the log.
    reader = sqlite3.connect(db, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM jobs").fetchone()
    filler = tiny_disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:  # fill the disk to the last byte
        while os.write(fd, b"\0" * 4096):
            pass
    except OSError:
        pass
    finally:
        os.close(fd)
    result = subprocess.run([POSJOBS, "-p", str(root), "--db", str(db), "worker", "--burst",
                             "-c", "2"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 5, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.count("store error") == 1
    reader.close()
    filler.unlink()  # space again: the same jobs run, none used up by the failures
    result = subprocess.run([POSJOBS, "-p", str(root), "--db", str(db), "worker", "--burst",
                             "-c", "2"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    store = SQLiteStore(db)
    assert statuses(store) == {JobStatus.DONE: 5}
    assert {len(store.attempts(j.id)) for j in store.list_jobs(JobFilter())} == {1}
    store.close()


@linux_only
def test_a_slot_killed_mid_job_is_recorded_as_a_crash_retried_and_replaced(tmp_path):
    root = tmp_path / "project"
    write_project(root, {
        "app/views/pages/index.liquid":
            "{% background _ = 'forever', source_name: 'victim', max_attempts: 2 %}",
        "app/views/partials/forever.liquid": FOREVER})
    assert run_cli(["-p", str(root), "render", "/"]).exit_code == 0
    store = store_of(root)
    worker = start_worker(root, "-c", "1", "--grace", "0")
    try:
        wait_for(lambda: started(store, 1))
        (slot,) = children(worker.pid)
        os.kill(slot, signal.SIGKILL)  # the slot alone, as the kernel's OOM killer would
        wait_for(lambda: store.get_job(1).status is not JobStatus.RUNNING, timeout=10)
        job = store.get_job(1)
        assert job.status is JobStatus.RETRY
        assert job.last_error["class"] == "WorkerCrash"
        assert "SIGKILL" in job.last_error["message"]
        assert [a.outcome for a in store.attempts(1)] == ["crashed"]
        wait_for(lambda: len(children(worker.pid)) == 1 and children(worker.pid) != [slot])
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.communicate(timeout=30)


def test_a_heartbeat_keeps_a_job_longer_than_its_lease_from_being_taken(tmp_path):
    root = tmp_path / "project"
    write_project(root, {
        "app/views/pages/index.liquid": "{% background _ = 'long' %}",
        # About 3 s: twice the lease.
        "app/views/partials/long.liquid":
            "{% for i in (1..600000) %}{% assign x = i | plus: 1 %}{% endfor %}",
        "posjobs.toml": "lease_seconds = 1.5\n"})
    assert run_cli(["-p", str(root), "render", "/"]).exit_code == 0
    store = store_of(root)
    first = start_worker(root, "-c", "1", "--grace", "30")
    wait_for(lambda: store.count_jobs()[JobStatus.RUNNING] == 1)
    other = start_worker(root, "-c", "1")  # recovers expired leases every 0.75 s
    wait_for(lambda: store.get_job(1).status is JobStatus.DONE)
    for worker in (first, other):
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(30) == 0
    assert [a.outcome for a in store.attempts(1)] == ["done"]  # never recovered meanwhile


def test_jobs_run_stops_an_attempt_at_its_time_limit(tmp_path):
    root = tmp_path / "project"
    write_project(root, {
        "app/views/pages/index.liquid": "{% background _ = 'forever', priority: 'low' %}",
        "app/views/partials/forever.liquid": FOREVER,
        "posjobs.toml": "[time_limits]\nlow = 0.3\n"})
    assert run_cli(["-p", str(root), "render", "/"]).exit_code == 0
    result = run_cli(["-p", str(root), "jobs", "run", "1"])
    assert result.exit_code == 1
    assert "stopped after its time limit of 0.3 s (low priority)" in result.stderr
    assert store_of(root).get_job(1).last_error["class"] == "Timeout"


def test_an_attempt_over_its_memory_limit_fails_with_a_clear_error(tmp_path):
    root = tmp_path / "project"
    write_project(root, {
        "app/views/pages/index.liquid": "{% background _ = 'hog' %}",
        # Under every filter's own limit, but 400 strings of a megabyte each, kept.
        "app/views/partials/hog.liquid":
            '{% assign big = "x" | pad_left: 1000000 %}{% assign all = "" | split: "," %}'
            "{% for i in (1..400) %}{% assign one = big | append: i %}"
            "{% assign all = all | array_add: one %}{% endfor %}",
        "posjobs.toml": "memory_limit_mb = 256\n"})
    result = run_cli(["-p", str(root), "render", "/", "--run"])
    assert result.exit_code == 1
    assert "the attempt went over its memory limit of 256 MB (memory_limit_mb)" in result.stderr
    assert store_of(root).get_job(1).last_error["class"] == "MemoryLimit"


def test_a_worker_carries_on_once_a_full_disk_has_room_again(tmp_path, tiny_disk):
    root = tmp_path / "project"
    write_project(root, {
        # Due 3 s after the render: the disk is full by then.
        "app/views/pages/index.liquid":
            "{% for n in (1..5) %}{% background _ = 'job', n: n, delay: 0.05 %}{% endfor %}",
        "app/views/partials/job.liquid": "{% log n %}"})
    db = tiny_disk / "posjobs.db"
    assert run_cli(["-p", str(root), "--db", str(db), "render", "/"]).exit_code == 0
    worker = subprocess.Popen([POSJOBS, "-p", str(root), "--db", str(db), "worker", "-c", "2"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    reader = sqlite3.connect(db, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM jobs").fetchone()
    filler = tiny_disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        while os.write(fd, b"\0" * 4096):
            pass
    except OSError:
        pass
    finally:
        os.close(fd)
    store = SQLiteStore(db)
    time.sleep(4)  # the jobs come due while there is no room
    assert statuses(store) == {JobStatus.SCHEDULED: 5}
    reader.close()
    filler.unlink()
    wait_for(lambda: statuses(store) == {JobStatus.DONE: 5}, timeout=30)
    worker.send_signal(signal.SIGTERM)
    _out, err = worker.communicate(timeout=30)
    assert worker.returncode == 0, err.decode()
    text = err.decode()
    assert text.count("store error") == 1 and "the store works again" in text
    assert "Traceback" not in text
    assert {len(store.attempts(j.id)) for j in store.list_jobs(JobFilter())} == {1}
    store.close()


@linux_only
def test_a_worker_killed_between_a_slot_s_finish_and_its_next_claim_costs_no_attempt(tmp_path):
    """Hold the store's write lock so that the slot waits inside the transaction that
    records job 1 and claims job 2; kill the worker there; let the transaction through. The
    slot sees its worker gone before job 2 starts, and releases it."""
    root = tmp_path / "project"
    write_project(root, {
        "app/views/pages/index.liquid":
            "{% background _ = 'work', n: 1 %}{% background _ = 'work', n: 2 %}",
        "app/views/partials/work.liquid":
            "{% for i in (1..20000) %}{% assign x = i | plus: 1 %}{% endfor %}{% log n %}"})
    assert run_cli(["-p", str(root), "render", "/"]).exit_code == 0
    store = store_of(root)
    worker = start_worker(root, "-c", "1")
    wait_for(lambda: store.get_job(1).status is JobStatus.RUNNING)
    (slot,) = children(worker.pid)
    lock = sqlite3.connect(root / ".posjobs" / "posjobs.db", isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")
    wait_for(lambda: waiting(slot), timeout=30)  # job 1 ended; its slot waits for the lock
    worker.send_signal(signal.SIGKILL)
    worker.wait(10)
    assert alive(slot)  # between attempts nothing kills it: it must see for itself
    lock.execute("ROLLBACK")
    lock.close()
    wait_for(lambda: not alive(slot), timeout=10)
    assert store.get_job(1).status is JobStatus.DONE
    second = store.get_job(2)
    assert (second.status, second.attempts) == (JobStatus.SCHEDULED, 0)
    assert store.attempts(2) == []
    assert [e.type for e in store.tail_logs(LogFilter(job_id=2), 10)] == ["job_enqueued"]


def test_slots_that_cannot_import_posjobs_are_reported_once_and_end_the_run(tmp_path,
                                                                            monkeypatch):
    from posjobs.services import slot_process

    root = project_with(tmp_path, jobs=1, loops=10)
    monkeypatch.setattr(slot_process, "_BOOT", slot_process._BOOT.replace(
        "posjobs.services.slot_process import", "posjobs.services.no_such_module import"))
    result = run_cli(["-p", str(root), "worker", "--fast-forward"])
    assert result.exit_code == 1
    assert "posjobs cannot be imported in it" in result.stderr
    assert "Traceback" not in result.stderr
    assert statuses(store_of(root)) == {JobStatus.SCHEDULED: 1}


def test_a_slot_process_that_cannot_be_started_is_a_message_not_a_traceback(tmp_path,
                                                                            monkeypatch):
    from posjobs.services import supervisor

    def no_fork(_config):  # type: ignore[no-untyped-def]
        raise BlockingIOError(11, "Resource temporarily unavailable")

    root = project_with(tmp_path, jobs=1, loops=10)
    monkeypatch.setattr(supervisor, "spawn", no_fork)
    result = run_cli(["-p", str(root), "render", "/", "--run"])
    assert result.exit_code == 1
    assert "cannot start a slot process: [Errno 11] Resource temporarily unavailable" \
        in result.stderr
    assert "Traceback" not in result.stderr


def test_ctrl_c_is_obeyed_while_another_process_holds_the_store_locked(tmp_path):
    root = tmp_path / "project"
    write_project(root, {
        "app/views/pages/index.liquid": "{% background _ = 'forever' %}",
        "app/views/partials/forever.liquid": FOREVER,
        "posjobs.toml": "lease_seconds = 0.6\n"})  # a heartbeat every 0.2 s
    assert run_cli(["-p", str(root), "render", "/"]).exit_code == 0
    store = store_of(root)
    worker = start_worker(root, "-c", "1")
    wait_for(lambda: started(store, 1))
    lock = sqlite3.connect(root / ".posjobs" / "posjobs.db", isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")
    try:
        time.sleep(0.5)  # the worker's next heartbeat now waits for the lock
        began = time.monotonic()
        worker.send_signal(signal.SIGINT)
        wait_for_line(worker, "stopping: 1 running attempt(s)")  # the first was heard
        worker.send_signal(signal.SIGINT)
        _out, err = worker.communicate(timeout=30)
        took = time.monotonic() - began
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    assert took < 20  # not the minute SQLite would wait for the lock
    assert worker.returncode == 5  # stopped while the store failed: said, not hidden
    text = err.decode()  # what wait_for_line did not read
    assert "stayed locked" in text and "Traceback" not in text
