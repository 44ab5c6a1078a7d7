"""Real worker processes on one PostgreSQL store: killed at random, several at once, an idle
one woken by a job enqueued elsewhere, one whose connections the server drops, and one whose
server restarts under it (a throwaway server of its own).

The project names its store with `db = "postgresql://...?schema=..."` in posjobs.toml (a
schema per test, with an application_name of its own, so that the test can drop exactly its
workers' connections). Helpers are those of the SQLite worker tests.
"""

from __future__ import annotations

import random
import signal
import time
from pathlib import Path

import psycopg
import pytest

from posjobs.jobs.model import JobStatus
from posjobs.store.base import JobFilter
from posjobs.store.postgres import PostgresStore
from tests.conftest import run_cli
from tests.pgserver import Throwaway
from tests.services.test_worker_processes import (
    WORK,
    attempts_per_job,
    project_with,
    start_worker,
    statuses,
    wait_for,
    wait_for_line,
)


@pytest.fixture
def url(pg_server: str, pg_schema: str) -> str:
    return f"{pg_server}?schema={pg_schema}&application_name=pj_{pg_schema}"


@pytest.fixture
def store(url: str):  # type: ignore[no-untyped-def]
    s = PostgresStore(url)
    yield s
    s.close()


def toml_for(url: str, lease: float = 30.0) -> str:
    return f'db = "{url}"\nlease_seconds = {lease}\n'


def test_the_project_store_is_the_postgresql_one_named_in_posjobs_toml(
        tmp_path: Path, url: str, store: PostgresStore) -> None:
    root = project_with(tmp_path, jobs=3, loops=10, toml=toml_for(url))
    assert statuses(store) == {JobStatus.SCHEDULED: 3}
    assert not (root / ".posjobs" / "posjobs.db").exists()
    result = run_cli(["-p", str(root), "worker", "--burst"])
    assert result.exit_code == 0, result.stderr
    assert statuses(store) == {JobStatus.DONE: 3}
    listed = run_cli(["-p", str(root), "jobs", "list", "--json"])
    assert listed.exit_code == 0 and listed.stdout.count('"status": "done"') == 3
    logs = run_cli(["-p", str(root), "logs", "-n", "10"])
    assert logs.exit_code == 0 and "info: 3" in logs.stdout


def test_killed_workers_on_postgres_lose_no_job_and_rerun_only_interrupted_ones(
        tmp_path: Path, url: str, store: PostgresStore) -> None:
    root = project_with(tmp_path, jobs=40, toml=toml_for(url, lease=0.6))
    rng = random.Random(13)
    kills = 0
    workers = [start_worker(root, "--concurrency", "2") for _ in range(3)]
    try:
        for _ in range(4):
            done_before = store.count_jobs()[JobStatus.DONE]
            wait_for(lambda goal=done_before + 3: store.count_jobs()[JobStatus.DONE] >= goal)
            victim = workers.pop(rng.randrange(len(workers)))
            victim.send_signal(signal.SIGKILL)
            victim.wait(10)
            kills += 1
            workers.append(start_worker(root, "--concurrency", "2"))
        for worker in workers:  # the survivors recover what the killed ones held, and end
            wait_for_line(worker, "Ctrl-C to stop")  # started: SIGTERM now stops it cleanly
            worker.send_signal(signal.SIGTERM)
            assert worker.wait(60) == 0
    finally:  # a failure leaves no worker holding the server's connections
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
    final = start_worker(root, "--burst", "--concurrency", "2")
    wait_for(lambda: store.count_jobs()[JobStatus.RUNNING] == 0 or final.poll() is not None)
    assert final.wait(120) == 0, final.stderr.read() if final.stderr else ""
    assert statuses(store) == {JobStatus.DONE: 40}
    runs = attempts_per_job(store)
    duplicates = sum(n - 1 for n in runs.values())
    assert duplicates <= kills * 2  # at most the attempts in flight (2 slots) per kill
    interrupted = [a for job in runs for a in store.attempts(job) if a.outcome == "interrupted"]
    assert len(interrupted) == duplicates  # every extra run follows an interrupted attempt


def test_three_workers_on_postgres_run_each_job_exactly_once(
        tmp_path: Path, url: str, store: PostgresStore) -> None:
    root = project_with(tmp_path, jobs=45, loops=2_000, toml=toml_for(url))
    workers = [start_worker(root, "--burst", "--concurrency", "2") for _ in range(3)]
    for worker in workers:
        assert worker.wait(120) == 0, worker.stderr.read() if worker.stderr else ""
    assert statuses(store) == {JobStatus.DONE: 45}
    assert set(attempts_per_job(store).values()) == {1}
    ran_by = {a.worker for job in attempts_per_job(store) for a in store.attempts(job)}
    assert len(ran_by) >= 2  # the work was shared


def test_an_idle_worker_starts_a_job_enqueued_elsewhere_at_once(
        tmp_path: Path, url: str, store: PostgresStore) -> None:
    root = project_with(tmp_path, jobs=1, loops=10, toml=toml_for(url))
    worker = start_worker(root, "--concurrency", "1")
    try:
        wait_for(lambda: statuses(store) == {JobStatus.DONE: 1})
        time.sleep(1.0)  # idle: listening, between polls
        waits = []
        for _ in range(5):
            assert run_cli(["-p", str(root), "render", "/"]).exit_code == 0
            job = store.list_jobs(JobFilter(limit=1))[0]
            wait_for(lambda job_id=job.id: store.attempts(job_id) != [])
            waits.append(store.attempts(job.id)[0].started_at - job.created_at)
            time.sleep(0.3)
        # The poll alone would take up to 0.1 s; NOTIFY wakes the worker well before.
        assert sorted(waits)[2] < 0.05, waits
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(30)


def test_worker_speed_shortens_delays_on_postgres_as_on_sqlite(
        tmp_path: Path, url: str, store: PostgresStore) -> None:
    root = project_with(tmp_path, jobs=2, loops=10, toml=toml_for(url), extra={
        "app/views/pages/index.liquid":
            "{% background _ = 'work', n: 1, loops: 1, delay: 1 %}"
            "{% background _ = 'work', n: 2, loops: 1, delay: 600 %}"})
    first, later = sorted(store.list_jobs(JobFilter()), key=lambda job: job.id)
    worker = start_worker(root, "--speed", "600")  # a minute passes in 0.1 s
    try:
        wait_for(lambda: store.get_job(first.id).status is JobStatus.DONE,  # type: ignore[union-attr]
                 timeout=30)
        started = store.attempts(first.id)[0].started_at
        assert started - first.created_at < 5.0  # not the 60 s its delay says
        assert store.get_job(later.id).status is JobStatus.SCHEDULED  # type: ignore[union-attr]
    finally:
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(30) == 0


def _drop_connections(pg_server: str, app: str) -> int:
    with psycopg.connect(pg_server, autocommit=True) as admin:
        return len(admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE application_name = %s AND pid <> pg_backend_pid()", (app,)).fetchall())


def test_a_worker_whose_connections_the_server_drops_goes_on_losing_no_job(
        tmp_path: Path, url: str, pg_server: str, pg_schema: str,
        store: PostgresStore) -> None:
    root = project_with(tmp_path, jobs=20, loops=5_000, toml=toml_for(url, lease=1.0))
    worker = start_worker(root, "--concurrency", "2")
    try:
        wait_for(lambda: store.count_jobs()[JobStatus.DONE] >= 3)
        dropped = _drop_connections(pg_server, f"pj_{pg_schema}")
        assert dropped >= 2  # the supervisor's and the slots' (and the test store's own)
        wait_for(lambda: store.count_jobs()[JobStatus.DONE] >= 10)
        _drop_connections(pg_server, f"pj_{pg_schema}")
        assert run_cli(["-p", str(root), "render", "/"]).exit_code == 0  # 20 more
        wait_for(lambda: store.count_jobs()[JobStatus.DONE] == 40, timeout=120)
        assert worker.poll() is None  # still running
    finally:
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(60) == 0
    assert statuses(store) == {JobStatus.DONE: 40}


def test_a_worker_rides_through_a_server_restart_losing_no_job(
        tmp_path: Path, own_server: tuple[Throwaway, str]) -> None:
    server, address = own_server
    url = f"{address}?schema=restarted"
    # Each job also writes a record: the slots' data layer must ride through it too.
    root = project_with(tmp_path, jobs=30, loops=5_000, toml=toml_for(url), extra={
        "app/views/partials/work.liquid":
            "{% graphql r = 'marks/create', n: n %}" + WORK,
        "app/schema/mark.yml": "name: mark\nproperties:\n  - name: n\n    type: integer\n",
        "app/graphql/marks/create.graphql":
            "mutation create_mark($n: Int!) {\n  record: record_create(record: {\n"
            "    table: \"mark\"\n    properties: [{ name: \"n\", value_int: $n }]\n"
            "  }) {\n    id\n  }\n}\n"})
    store = PostgresStore(url)
    worker = start_worker(root, "--concurrency", "2")
    try:
        wait_for(lambda: store.count_jobs()[JobStatus.DONE] >= 3)
        server.restart()
        wait_for(lambda: store.count_jobs()[JobStatus.DONE] == 30, timeout=120)
        assert worker.poll() is None  # still running
    finally:
        worker.send_signal(signal.SIGTERM)
        code = worker.wait(60)
        store.close()
    assert code == 0
    assert worker.stderr is not None
    # Only the worker's own lines: its jobs, and the trouble said once and then cleared.
    said = worker.stderr.read().decode().splitlines()
    assert [line for line in said if not line.startswith(
        ("job ", "worker ", "store error: ", "the store works again"))] == []
    again = PostgresStore(url)
    try:
        assert statuses(again) == {JobStatus.DONE: 30}
        # The restart rolled back what was in flight; a job runs again only if a commit
        # went through and its answer was lost (at most one per slot).
        extra = sum(n - 1 for n in attempts_per_job(again).values())
        assert extra <= 2
        with psycopg.connect(address) as admin:  # a record per attempt that ran to its end
            marks = admin.execute("SELECT count(DISTINCT properties -> 'n'), count(*) "
                                  "FROM restarted_data.records").fetchone()
        assert marks is not None and marks[0] == 30 and 30 <= marks[1] <= 30 + extra
    finally:
        again.close()
