"""The store contract (`posjobs.store.base.Store`), checked against every implementation.

Each test is an example of what a caller sees. Stores are real: the SQLite store runs on a
file under `tmp_path`. Times are plain floats around `T0`; nothing sleeps or reads the clock.

To check another implementation, add one entry to `BACKENDS`: a function that, given a
fresh temporary directory, returns an opener. Every call of the opener must return a new
store object (its own connection, as another process would have) on the same shared data.
"""

from __future__ import annotations

import dataclasses
import sqlite3
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from posjobs.errors import StoreError
from posjobs.jobs.model import Attempt, Job, JobStatus, LogEntry, NewJob, Priority
from posjobs.store.base import AttemptResult, JobFilter, LogFilter, NextClaim, Store
from posjobs.store.schema import SCHEMA_VERSION
from posjobs.store.sqlite import SQLiteStore
from tests.conftest import T0

Opener = Callable[[], Store]


def sqlite_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Opener:
    path = tmp_path / "store.db"
    return lambda: SQLiteStore(path)


def postgres_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Opener:
    """A schema of its own on the test server (skipped when there is none)."""
    from posjobs.store.postgres import PostgresStore

    schema: str = request.getfixturevalue("pg_schema")
    url = f"{request.getfixturevalue('pg_server')}?schema={schema}"
    return lambda: PostgresStore(url)


# One entry per implementation of the contract.
BACKENDS = [
    pytest.param(sqlite_backend, id="sqlite"),
    pytest.param(postgres_backend, id="postgres"),
]


@pytest.fixture(params=BACKENDS)
def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opener]:
    """Opens store objects on one fresh, shared store; closes them all afterwards."""
    backend: Callable[[pytest.FixtureRequest, Path], Opener] = request.param
    opener = backend(request, tmp_path)
    opened: list[Store] = []

    def open_() -> Store:
        store = opener()
        opened.append(store)
        return store

    yield open_
    for store in opened:
        store.close()


@pytest.fixture
def store(open_store: Opener) -> Store:
    return open_store()


# --- helpers ---------------------------------------------------------------------------------


def new_job(job_id: int, **changes: Any) -> NewJob:
    fields: dict[str, Any] = {
        "id": job_id,
        "source_name": "send_email",
        "priority": Priority.DEFAULT,
        "run_at": T0,
        "max_attempts": 1,
        "arguments": {"order_id": job_id},
        "partial": "commands/send_email",
        "body": None,
        "template": "app/views/pages/orders/create.liquid",
        "line": 3,
    }
    fields.update(changes)
    return NewJob(**fields)


def add(store: Store, count: int = 1, *, now: float = T0, **changes: Any) -> list[Job]:
    """Enqueue `count` jobs with fresh ids (like one render), returning them as stored."""
    ids = store.reserve_job_ids(count)
    return store.enqueue([new_job(i, **changes) for i in ids], [], now)


def add_one(store: Store, **changes: Any) -> Job:
    return add(store, **changes)[0]


def log(type_: str, message: str = "m", at: float = T0, **changes: Any) -> LogEntry:
    return LogEntry(type=type_, message=message, created_at=at, **changes)


def claim_ids(store: Store, now: float = T0, among: set[int] | None = None) -> list[int]:
    """Claim until nothing is due; the ids in claim order."""
    taken = []
    while (job := store.claim("w1", now, 30, among)) is not None:
        taken.append(job.id)
    return taken


def done(at: float, **changes: Any) -> AttemptResult:
    return AttemptResult("done", at, JobStatus.DONE, **changes)


ERROR = {"class": "LiquidError", "message": "undefined partial", "line": 4}


def failed(at: float, retry_at: float | None = None, **changes: Any) -> AttemptResult:
    """A failed attempt: a retry at `retry_at` when given, else the job's death."""
    status = JobStatus.RETRY if retry_at is not None else JobStatus.DEAD
    return AttemptResult("failed", at, status, error=ERROR, retry_at=retry_at, **changes)


LOST = {"class": "WorkerLost", "message": "lost"}


def lost(job: Job, at: float) -> AttemptResult:
    """Lease recovery's verdict, as a simple rule: run again now, or dead on the last attempt."""
    if job.attempts < job.max_attempts:
        return AttemptResult("interrupted", at, JobStatus.RETRY, error=LOST, retry_at=at)
    return AttemptResult("interrupted", at, JobStatus.DEAD, error=LOST)


def recover(store: Store, at: float) -> list[Job]:
    return store.recover_expired(at, lambda job: lost(job, at))


def run_to(store: Store, job: Job, status: JobStatus, at: float = T0) -> Job:
    """Claim `job` and finish its attempt so that it ends in `status` (done or dead)."""
    claimed = store.claim_job(job.id, "w1", at, 30)
    assert claimed is not None
    result = done(at + 1) if status is JobStatus.DONE else failed(at + 1)
    assert store.finish_attempt(claimed, result) is status
    stored = store.get_job(job.id)
    assert stored is not None
    return stored


def get(store: Store, job_id: int) -> Job:
    job = store.get_job(job_id)
    assert job is not None
    return job


# --- reserving ids ---------------------------------------------------------------------------


def test_reservations_never_overlap(store: Store) -> None:
    blocks = [store.reserve_job_ids(n) for n in (1, 3, 8, 2)]
    ids = [i for block in blocks for i in block]
    assert len(ids) == len(set(ids)) == 14
    assert all(len(block) == n for block, n in zip(blocks, (1, 3, 8, 2), strict=True))


def test_reservations_never_overlap_across_store_objects(open_store: Opener) -> None:
    a, b = open_store(), open_store()
    blocks = [a.reserve_job_ids(4), b.reserve_job_ids(4), a.reserve_job_ids(2)]
    ids = [i for block in blocks for i in block]
    assert len(ids) == len(set(ids)) == 10


def test_concurrent_reservations_from_many_store_objects_never_overlap(
    open_store: Opener,
) -> None:
    stores = [open_store() for _ in range(4)]
    start = threading.Barrier(len(stores))

    def reserve(store: Store) -> list[int]:
        start.wait()
        return [i for n in range(1, 26) for i in store.reserve_job_ids(n % 5 + 1)]

    with ThreadPoolExecutor(len(stores)) as pool:
        ids = [i for got in pool.map(reserve, stores) for i in got]
    assert len(ids) == len(set(ids))


def test_released_tail_is_handed_out_again_when_nobody_reserved_after_it(store: Store) -> None:
    block = store.reserve_job_ids(10)
    store.release_job_ids(block[3:])
    again = store.reserve_job_ids(2)
    assert list(again) == [block.start + 3, block.start + 4]


def test_released_tail_stays_used_when_someone_reserved_after_it(open_store: Opener) -> None:
    a, b = open_store(), open_store()
    first = a.reserve_job_ids(10)
    second = b.reserve_job_ids(5)
    a.release_job_ids(first[3:])
    later = a.reserve_job_ids(3)
    assert set(later).isdisjoint(first) and set(later).isdisjoint(second)


def test_releasing_nothing_changes_nothing(store: Store) -> None:
    block = store.reserve_job_ids(3)
    store.release_job_ids(range(block.stop, block.stop))
    assert store.reserve_job_ids(1).start == block.stop


# --- enqueueing ------------------------------------------------------------------------------


def test_enqueue_returns_the_stored_jobs_scheduled_with_no_attempts(store: Store) -> None:
    ids = store.reserve_job_ids(2)
    jobs = [
        new_job(ids[0], run_at=T0 + 30, delay=0.5, priority=Priority.HIGH, max_attempts=3,
                column=7, source_name="sync"),
        new_job(ids[1], partial=None, body="{% log user_id %}", body_line=12, parent_job_id=99),
    ]
    stored = store.enqueue(jobs, [], now=T0)

    assert [j.id for j in stored] == list(ids)
    first, second = stored
    assert first.status is JobStatus.SCHEDULED and second.status is JobStatus.SCHEDULED
    assert first.attempts == second.attempts == 0
    assert (first.run_at, first.created_at, first.delay) == (T0 + 30, T0, 0.5)
    assert (first.priority, first.max_attempts, first.source_name) == (Priority.HIGH, 3, "sync")
    assert (first.partial, first.body, first.kind) == ("commands/send_email", None, "partial")
    assert (first.template, first.line, first.column) == (jobs[0].template, 3, 7)
    assert (second.partial, second.body, second.kind) == (None, "{% log user_id %}", "inline")
    assert (second.body_line, second.parent_job_id) == (12, 99)
    for job in stored:
        assert (job.worker, job.lease_until, job.finished_at, job.last_error) == (None,) * 4
        assert store.get_job(job.id) == job
        assert store.attempts(job.id) == []


def test_enqueue_writes_jobs_and_their_log_entries_together(store: Store) -> None:
    (job_id,) = store.reserve_job_ids(1)
    entry = log("job_enqueued", f"job {job_id} enqueued", job_id=job_id, source_name="send_email")
    store.enqueue([new_job(job_id)], [entry], now=T0)

    assert store.get_job(job_id) is not None
    (logged,) = store.tail_logs(LogFilter(job_id=job_id), 10)
    assert (logged.type, logged.message, logged.source_name) == (
        "job_enqueued", f"job {job_id} enqueued", "send_email")
    assert logged.id is not None


def test_enqueue_that_fails_writes_neither_jobs_nor_logs(store: Store) -> None:
    (taken,) = add(store)
    fresh = store.reserve_job_ids(1).start
    # The second job reuses an existing id, so the whole batch is refused. The contract does
    # not name the error class (each store raises its driver's integrity error).
    with pytest.raises(Exception):  # noqa: B017
        store.enqueue([new_job(fresh), new_job(taken.id)], [log("info", "lost")], now=T0)

    assert store.get_job(fresh) is None
    assert store.tail_logs(LogFilter(), 10) == []
    assert store.count_jobs()[JobStatus.SCHEDULED] == 1


def test_enqueue_of_log_entries_alone_returns_no_jobs(store: Store) -> None:
    assert store.enqueue([], [log("info", "page rendered", page="orders/create")], now=T0) == []
    assert [e.message for e in store.tail_logs(LogFilter(), 10)] == ["page rendered"]


def test_arguments_and_context_survive_a_json_round_trip(store: Store) -> None:
    arguments = {
        "order": {"id": 7, "lines": [{"sku": "käse", "qty": 2, "price": 9.5}], "note": None},
        "tags": ["x", "日本語", "emoji 🎉", ""],
        "flag": True,
        "off": False,
        "nothing": None,
        "nested": [[1, [2, [3]]], {"a": {"b": {"c": []}}}],
        "quote": 'he said "hi"\n\t\\',
    }
    context = {"environment": "development", "language": "pl", "globals": {"ąę": None}}
    (job_id,) = store.reserve_job_ids(1)
    (stored,) = store.enqueue([new_job(job_id, arguments=arguments, context=context)], [], T0)

    assert stored.arguments == arguments and stored.context == context
    assert get(store, job_id).arguments == arguments
    claimed = store.claim("w1", T0, 30)
    assert claimed is not None
    assert (claimed.arguments, claimed.context) == (arguments, context)


def test_empty_arguments_and_context_come_back_as_empty_hashes(store: Store) -> None:
    job = add_one(store, arguments={}, context={})
    assert (job.arguments, job.context) == ({}, {})


# --- claiming --------------------------------------------------------------------------------


def test_due_high_jobs_run_before_default_before_low(store: Store) -> None:
    # Enqueued low first, and the high job came due last: priority still decides.
    low = add_one(store, priority=Priority.LOW, run_at=T0 - 300)
    default = add_one(store, priority=Priority.DEFAULT, run_at=T0 - 200)
    high = add_one(store, priority=Priority.HIGH, run_at=T0 - 100)
    assert claim_ids(store) == [high.id, default.id, low.id]


def test_within_a_priority_the_earlier_run_time_goes_first(store: Store) -> None:
    later = add_one(store, run_at=T0 - 10)
    earliest = add_one(store, run_at=T0 - 30)
    middle = add_one(store, run_at=T0 - 20)
    assert claim_ids(store) == [earliest.id, middle.id, later.id]


def test_within_a_priority_and_run_time_jobs_go_in_enqueue_order(store: Store) -> None:
    first = add(store, 3, run_at=T0 - 5)
    second = add(store, 2, run_at=T0 - 5)
    assert claim_ids(store) == [j.id for j in first + second]


def test_future_jobs_are_never_claimed(store: Store) -> None:
    soon = add_one(store, run_at=T0 + 1, priority=Priority.HIGH)
    add_one(store, run_at=T0 + 3600, priority=Priority.HIGH)
    due_low = add_one(store, run_at=T0, priority=Priority.LOW)

    # A far-future high job does not stand in front of a due low one.
    assert claim_ids(store, now=T0) == [due_low.id]
    assert store.claim("w1", T0 + 0.999, 30) is None
    assert claim_ids(store, now=T0 + 1) == [soon.id]  # due exactly at its run time


def test_claim_among_takes_only_the_given_jobs(store: Store) -> None:
    high, mine, other = (
        add_one(store, priority=Priority.HIGH),
        add_one(store, priority=Priority.LOW),
        add_one(store),
    )
    assert store.claim("w1", T0, 30, among=set()) is None
    assert claim_ids(store, among={mine.id, 10_000}) == [mine.id]
    assert claim_ids(store, among={other.id, high.id}) == [high.id, other.id]


def test_claim_marks_the_job_running_and_opens_an_attempt(store: Store) -> None:
    job = add_one(store, max_attempts=3)
    claimed = store.claim("host:1:ab", T0 + 5, lease_seconds=30)

    assert claimed is not None and claimed.id == job.id
    assert claimed.status is JobStatus.RUNNING
    assert (claimed.attempts, claimed.worker, claimed.lease_until) == (1, "host:1:ab", T0 + 35)
    assert get(store, job.id) == claimed
    assert store.attempts(job.id) == [Attempt(job.id, 1, T0 + 5, "host:1:ab")]


def test_a_running_job_is_not_claimed_again(store: Store) -> None:
    add_one(store)
    assert store.claim("w1", T0, 30) is not None
    assert store.claim("w2", T0, 30) is None


def test_claim_on_an_empty_store_finds_nothing(store: Store) -> None:
    assert store.claim("w1", T0, 30) is None


def test_claim_job_takes_a_waiting_job_whatever_its_run_time(store: Store) -> None:
    future = add_one(store, run_at=T0 + 3600)
    claimed = store.claim_job(future.id, "w1", T0, 30)
    assert claimed is not None
    assert (claimed.status, claimed.attempts, claimed.lease_until) == (
        JobStatus.RUNNING, 1, T0 + 30)
    assert store.claim_job(future.id, "w2", T0, 30) is None  # already running
    assert store.claim_job(10_000, "w1", T0, 30) is None  # no such job
    finished = run_to(store, add_one(store), JobStatus.DONE)
    assert store.claim_job(finished.id, "w1", T0, 30) is None


def test_concurrent_claims_from_separate_store_objects_take_each_job_once(
    open_store: Opener,
) -> None:
    jobs = add(open_store(), 200)
    stores = [open_store() for _ in range(4)]
    start = threading.Barrier(len(stores))

    def drain(worker: int) -> list[int]:
        store = stores[worker]
        start.wait()
        taken = []
        while (job := store.claim(f"w{worker}", T0, 30)) is not None:
            taken.append(job.id)
        return taken

    with ThreadPoolExecutor(len(stores)) as pool:
        results = list(pool.map(drain, range(len(stores))))  # re-raises any store error

    claimed = [i for taken in results for i in taken]
    assert len(claimed) == len(set(claimed)) == 200
    assert set(claimed) == {j.id for j in jobs}
    check = stores[0]
    assert check.count_jobs()[JobStatus.RUNNING] == 200
    assert all(len(check.attempts(j.id)) == 1 for j in jobs)


# --- finishing an attempt --------------------------------------------------------------------


def test_a_done_attempt_marks_the_job_done(store: Store) -> None:
    job = add_one(store, max_attempts=3)
    claimed = store.claim("w1", T0, 30)
    assert claimed is not None
    entry = log("job_done", "done in 5 ms", at=T0 + 2, job_id=job.id)

    assert store.finish_attempt(claimed, done(T0 + 2, logs=[entry])) is JobStatus.DONE

    stored = get(store, job.id)
    assert (stored.status, stored.finished_at, stored.lease_until) == (
        JobStatus.DONE, T0 + 2, None)
    assert (stored.attempts, stored.last_error) == (1, None)
    assert store.attempts(job.id) == [Attempt(job.id, 1, T0, "w1", T0 + 2, "done")]
    assert [e.message for e in store.tail_logs(LogFilter(job_id=job.id), 10)] == [
        "done in 5 ms"]


def test_jobs_enqueued_by_a_done_attempt_are_stored(store: Store) -> None:
    parent = add_one(store)
    claimed = store.claim("w1", T0, 30)
    assert claimed is not None
    ids = store.reserve_job_ids(2)
    children = [new_job(i, parent_job_id=parent.id, run_at=T0 + 60) for i in ids]

    assert store.finish_attempt(claimed, done(T0 + 1, new_jobs=children)) is JobStatus.DONE

    stored = [get(store, i) for i in ids]
    assert all(c.status is JobStatus.SCHEDULED and c.attempts == 0 for c in stored)
    assert all(c.parent_job_id == parent.id and c.run_at == T0 + 60 for c in stored)
    assert all(c.created_at == T0 + 1 for c in stored)


@pytest.mark.parametrize("retry_at", [T0 + 20, None])
def test_jobs_enqueued_by_a_failed_attempt_are_not_stored(
    store: Store, retry_at: float | None
) -> None:
    add_one(store, max_attempts=2)
    claimed = store.claim("w1", T0, 30)
    assert claimed is not None
    (child_id,) = store.reserve_job_ids(1)
    result = failed(T0 + 1, retry_at, new_jobs=[new_job(child_id, parent_job_id=claimed.id)])

    assert store.finish_attempt(claimed, result) in (JobStatus.RETRY, JobStatus.DEAD)
    assert store.get_job(child_id) is None


def test_a_failed_attempt_with_attempts_left_waits_for_its_retry(store: Store) -> None:
    job = add_one(store, max_attempts=3)
    claimed = store.claim("w1", T0, 30)
    assert claimed is not None

    assert store.finish_attempt(claimed, failed(T0 + 1, retry_at=T0 + 16)) is JobStatus.RETRY

    stored = get(store, job.id)
    assert (stored.status, stored.run_at, stored.attempts) == (JobStatus.RETRY, T0 + 16, 1)
    assert (stored.finished_at, stored.lease_until, stored.last_error) == (None, None, ERROR)
    assert store.attempts(job.id) == [Attempt(job.id, 1, T0, "w1", T0 + 1, "failed", ERROR)]
    assert store.next_run_at() == T0 + 16
    assert store.claim("w1", T0 + 15.9, 30) is None

    again = store.claim("w2", T0 + 16, 30)
    assert again is not None and again.id == job.id
    assert (again.attempts, again.status) == (2, JobStatus.RUNNING)
    assert [a.number for a in store.attempts(job.id)] == [1, 2]


def test_a_failed_attempt_without_attempts_left_makes_the_job_dead(store: Store) -> None:
    job = add_one(store, max_attempts=1)
    claimed = store.claim("w1", T0, 30)
    assert claimed is not None

    assert store.finish_attempt(claimed, failed(T0 + 3)) is JobStatus.DEAD

    stored = get(store, job.id)
    assert (stored.status, stored.finished_at, stored.last_error) == (
        JobStatus.DEAD, T0 + 3, ERROR)
    assert store.attempts(job.id)[-1].outcome == "failed"
    assert store.claim("w1", T0 + 10_000, 30) is None


def test_the_store_writes_the_status_it_is_given_and_decides_nothing(store: Store) -> None:
    job = add_one(store, max_attempts=5)  # attempts left, but the rule said dead
    claimed = store.claim("w1", T0, 30)
    assert claimed is not None
    status = store.finish_attempt(claimed, AttemptResult("killed", T0 + 1, JobStatus.DEAD,
                                                         error=ERROR, retry_at=T0 + 20))
    assert status is JobStatus.DEAD
    stored = get(store, job.id)
    assert (stored.status, stored.attempts, stored.finished_at) == (JobStatus.DEAD, 1, T0 + 1)


def test_recovery_concludes_each_expired_claim_as_it_is_told(store: Store) -> None:
    kept, lost_job = add(store, 2, max_attempts=3)
    store.claim_job(kept.id, "w1", T0, 60)
    store.claim_job(lost_job.id, "w2", T0, 30)
    assert store.request_kill(lost_job.id)
    seen: list[Job] = []

    def conclude(job: Job) -> AttemptResult:
        seen.append(job)
        return AttemptResult("killed", T0 + 31, JobStatus.DEAD, error=ERROR)

    (recovered,) = store.recover_expired(T0 + 31, conclude)
    assert [j.id for j in seen] == [lost_job.id]
    assert seen[0].kill_requested  # so the rule can keep a kill asked before the worker died
    assert (recovered.id, recovered.status) == (lost_job.id, JobStatus.DEAD)
    assert get(store, kept.id).status is JobStatus.RUNNING


def test_finishing_a_claim_lost_to_recovery_writes_nothing(store: Store) -> None:
    job = add_one(store, max_attempts=3)
    stale = store.claim("w1", T0, 30)
    assert stale is not None
    recover(store, T0 + 31)
    before = get(store, job.id)
    (child_id,) = store.reserve_job_ids(1)
    result = done(T0 + 40, logs=[log("job_done", "late")], new_jobs=[new_job(child_id)])

    assert store.finish_attempt(stale, result) is None

    assert get(store, job.id) == before
    assert [a.outcome for a in store.attempts(job.id)] == ["interrupted"]
    assert store.get_job(child_id) is None
    assert store.tail_logs(LogFilter(), 10) == []


@pytest.mark.parametrize("second_worker", ["w2", "w1"])
def test_finishing_a_claim_taken_over_by_a_new_attempt_writes_nothing(
    store: Store, second_worker: str
) -> None:
    job = add_one(store, max_attempts=3)
    stale = store.claim("w1", T0, 30)
    assert stale is not None
    recover(store, T0 + 31)
    current = store.claim(second_worker, T0 + 31, 30)
    assert current is not None and current.attempts == 2

    assert store.finish_attempt(stale, failed(T0 + 32, retry_at=T0 + 50)) is None

    assert get(store, job.id) == current
    last = store.attempts(job.id)[-1]
    assert (last.number, last.worker, last.ended_at) == (2, second_worker, None)
    # The live claim still finishes normally.
    assert store.finish_attempt(current, done(T0 + 33)) is JobStatus.DONE


# --- heartbeat, release, recovery ------------------------------------------------------------


def test_heartbeat_extends_only_this_workers_running_jobs(store: Store) -> None:
    mine, theirs, waiting = add(store, 3, max_attempts=2)
    mine = store.claim_job(mine.id, "w1", T0, 30) or pytest.fail("not claimed")
    theirs = store.claim_job(theirs.id, "w2", T0, 30) or pytest.fail("not claimed")

    store.heartbeat("w1", [mine.id, theirs.id, waiting.id], lease_until=T0 + 100)

    assert get(store, mine.id).lease_until == T0 + 100
    assert get(store, theirs.id) == theirs
    assert get(store, waiting.id) == waiting
    assert [j.id for j in recover(store, T0 + 50)] == [theirs.id]
    assert get(store, mine.id).status is JobStatus.RUNNING


def test_heartbeat_does_not_revive_a_finished_or_recovered_job(store: Store) -> None:
    finished, lost = add(store, 2, max_attempts=2)
    claimed = store.claim_job(finished.id, "w1", T0, 30)
    assert claimed is not None
    store.finish_attempt(claimed, done(T0 + 1))
    store.claim_job(lost.id, "w1", T0, 30)
    recover(store, T0 + 31)
    before = [get(store, finished.id), get(store, lost.id)]

    store.heartbeat("w1", [finished.id, lost.id], lease_until=T0 + 100)
    store.heartbeat("w1", [], lease_until=T0 + 100)

    assert [get(store, finished.id), get(store, lost.id)] == before


def test_release_puts_a_first_attempt_back_as_if_never_claimed(store: Store) -> None:
    job = add_one(store, max_attempts=3)
    claimed = store.claim("w1", T0, 30)
    assert claimed is not None

    store.release(claimed, T0 + 5)

    assert get(store, job.id) == job
    assert store.attempts(job.id) == []
    again = store.claim("w2", T0 + 5, 30)
    assert again is not None and again.attempts == 1


def test_release_puts_a_retry_back_to_retry(store: Store) -> None:
    job = add_one(store, max_attempts=3)
    first = store.claim("w1", T0, 30)
    assert first is not None
    store.finish_attempt(first, failed(T0 + 1, retry_at=T0 + 16))
    second = store.claim("w1", T0 + 16, 30)
    assert second is not None

    store.release(second, T0 + 17)

    stored = get(store, job.id)
    assert (stored.status, stored.attempts, stored.run_at) == (JobStatus.RETRY, 1, T0 + 16)
    assert (stored.lease_until, stored.last_error) == (None, ERROR)
    assert store.attempts(job.id) == [Attempt(job.id, 1, T0, "w1", T0 + 1, "failed", ERROR)]


def test_release_of_a_lost_claim_changes_nothing(store: Store) -> None:
    job = add_one(store, max_attempts=3)
    stale = store.claim("w1", T0, 30)
    assert stale is not None
    recover(store, T0 + 31)
    current = store.claim("w2", T0 + 31, 30)
    assert current is not None

    store.release(stale, T0 + 32)

    assert get(store, job.id) == current
    assert [a.outcome for a in store.attempts(job.id)] == ["interrupted", None]


def test_expired_leases_are_recovered_for_a_retry_now(store: Store) -> None:
    job = add_one(store, max_attempts=3)
    store.claim("w1", T0, 30)

    (recovered,) = recover(store, T0 + 31)

    assert recovered.id == job.id
    assert (recovered.status, recovered.run_at, recovered.attempts) == (
        JobStatus.RETRY, T0 + 31, 1)
    assert (recovered.lease_until, recovered.finished_at) == (None, None)
    assert recovered.last_error is not None
    assert get(store, job.id) == recovered
    assert store.attempts(job.id) == [
        Attempt(job.id, 1, T0, "w1", T0 + 31, "interrupted", recovered.last_error)]
    again = store.claim("w2", T0 + 31, 30)
    assert again is not None and again.attempts == 2


def test_an_expired_lease_on_the_last_attempt_makes_the_job_dead(store: Store) -> None:
    job = add_one(store, max_attempts=1)
    store.claim("w1", T0, 30)

    (recovered,) = recover(store, T0 + 60)

    assert (recovered.id, recovered.status, recovered.finished_at) == (
        job.id, JobStatus.DEAD, T0 + 60)
    assert store.attempts(job.id)[0].outcome == "interrupted"
    assert store.claim("w1", T0 + 60, 30) is None


def test_live_leases_are_not_recovered(store: Store) -> None:
    short, long_ = add(store, 2, max_attempts=2)
    store.claim_job(short.id, "w1", T0, 30)
    live = store.claim_job(long_.id, "w2", T0, 300)

    assert [j.id for j in recover(store, T0 + 30)] == []  # lease ends at now: still live
    assert [j.id for j in recover(store, T0 + 30.5)] == [short.id]
    assert get(store, long_.id) == live
    assert store.attempts(long_.id)[0].outcome is None
    assert recover(store, T0 + 31) == []


# --- next run time ---------------------------------------------------------------------------


def test_next_run_at_is_the_earliest_waiting_run_time(store: Store) -> None:
    assert store.next_run_at() is None
    running = add_one(store, run_at=T0 - 100)
    store.claim_job(running.id, "w1", T0, 30)
    finished = run_to(store, add_one(store, run_at=T0 - 50), JobStatus.DONE)
    low = add_one(store, priority=Priority.LOW, run_at=T0 + 10)
    high = add_one(store, priority=Priority.HIGH, run_at=T0 + 20)

    assert store.next_run_at() == T0 + 10
    assert store.next_run_at(among={high.id}) == T0 + 20
    assert store.next_run_at(among={high.id, low.id}) == T0 + 10
    assert store.next_run_at(among={running.id, finished.id}) is None
    assert store.next_run_at(among=set()) is None


def test_next_run_at_counts_jobs_waiting_for_a_retry(store: Store) -> None:
    add_one(store, max_attempts=2)
    claimed = store.claim("w1", T0, 30)
    assert claimed is not None
    assert store.next_run_at() is None
    store.finish_attempt(claimed, failed(T0 + 1, retry_at=T0 + 17))
    assert store.next_run_at() == T0 + 17


# --- listing and managing jobs ---------------------------------------------------------------


@pytest.fixture
def mixed(store: Store) -> dict[str, Job]:
    """Jobs in every state, with assorted names and priorities (ids in this order)."""
    jobs = {
        "email": add_one(store, source_name="send_email"),
        "sms": add_one(store, source_name="send_sms", priority=Priority.HIGH),
        "sync": add_one(store, source_name="sync_orders", priority=Priority.LOW),
        "running": add_one(store, source_name="send_push", run_at=T0 + 900),
        "done": add_one(store, source_name="report", run_at=T0 + 900),
        "dead": add_one(store, source_name="send_invoice", run_at=T0 + 900),
    }
    store.claim_job(jobs["running"].id, "w1", T0, 30)
    for name, status in (("done", JobStatus.DONE), ("dead", JobStatus.DEAD)):
        run_to(store, jobs[name], status)
    return {name: get(store, job.id) for name, job in jobs.items()}


def ids_of(jobs: list[Job]) -> list[int]:
    return [j.id for j in jobs]


def test_list_jobs_shows_newest_first_by_default(store: Store, mixed: dict[str, Job]) -> None:
    everything = sorted(j.id for j in mixed.values())
    assert ids_of(store.list_jobs(JobFilter())) == everything[::-1]
    assert ids_of(store.list_jobs(JobFilter(newest_first=False))) == everything
    assert store.list_jobs(JobFilter(ids=(mixed["done"].id,))) == [mixed["done"]]


def test_list_jobs_by_status(store: Store, mixed: dict[str, Job]) -> None:
    dead = store.list_jobs(JobFilter(statuses=(JobStatus.DEAD,)))
    assert dead == [mixed["dead"]]
    finished = store.list_jobs(JobFilter(statuses=(JobStatus.DONE, JobStatus.DEAD)))
    assert ids_of(finished) == [mixed["dead"].id, mixed["done"].id]
    assert store.list_jobs(JobFilter(statuses=(JobStatus.RETRY,))) == []


def test_list_jobs_by_source_name_glob(store: Store, mixed: dict[str, Job]) -> None:
    sends = store.list_jobs(JobFilter(source_names=("send_*",), newest_first=False))
    assert ids_of(sends) == [mixed[n].id for n in ("email", "sms", "running", "dead")]
    either = store.list_jobs(JobFilter(source_names=("sync_*", "report"), newest_first=False))
    assert ids_of(either) == [mixed["sync"].id, mixed["done"].id]
    one_char = store.list_jobs(JobFilter(source_names=("send_s?s",)))
    assert ids_of(one_char) == [mixed["sms"].id]
    assert store.list_jobs(JobFilter(source_names=("send",))) == []  # a glob, not a prefix


def test_list_jobs_by_priority_and_id(store: Store, mixed: dict[str, Job]) -> None:
    assert ids_of(store.list_jobs(JobFilter(priorities=(Priority.HIGH,)))) == [mixed["sms"].id]
    urgent_or_lazy = store.list_jobs(
        JobFilter(priorities=(Priority.HIGH, Priority.LOW), newest_first=False))
    assert ids_of(urgent_or_lazy) == [mixed["sms"].id, mixed["sync"].id]
    by_id = store.list_jobs(JobFilter(ids=(mixed["sync"].id, mixed["email"].id, 10_000)))
    assert ids_of(by_id) == [mixed["sync"].id, mixed["email"].id]


def test_list_jobs_filters_combine(store: Store, mixed: dict[str, Job]) -> None:
    flt = JobFilter(source_names=("send_*",), statuses=(JobStatus.SCHEDULED,),
                    priorities=(Priority.DEFAULT,))
    assert store.list_jobs(flt) == [mixed["email"]]


def test_list_jobs_limit(store: Store) -> None:
    jobs = add(store, 60)
    assert ids_of(store.list_jobs(JobFilter())) == ids_of(jobs[10:])[::-1]  # default 50
    assert ids_of(store.list_jobs(JobFilter(limit=3, newest_first=False))) == ids_of(jobs[:3])
    assert len(store.list_jobs(JobFilter(limit=None))) == 60


def test_count_jobs_counts_every_status(store: Store, mixed: dict[str, Job]) -> None:
    assert store.count_jobs() == {
        JobStatus.SCHEDULED: 3,
        JobStatus.RUNNING: 1,
        JobStatus.RETRY: 0,
        JobStatus.DEAD: 1,
        JobStatus.DONE: 1,
    }


def test_count_jobs_of_an_empty_store_is_all_zero(store: Store) -> None:
    assert store.count_jobs() == dict.fromkeys(JobStatus, 0)


def test_count_jobs_by_priority_counts_each_status_and_priority(
    store: Store, mixed: dict[str, Job]
) -> None:
    assert store.count_jobs_by_priority() == {
        (JobStatus.SCHEDULED, Priority.DEFAULT): 1,
        (JobStatus.SCHEDULED, Priority.HIGH): 1,
        (JobStatus.SCHEDULED, Priority.LOW): 1,
        (JobStatus.RUNNING, Priority.DEFAULT): 1,
        (JobStatus.DONE, Priority.DEFAULT): 1,
        (JobStatus.DEAD, Priority.DEFAULT): 1,
    }


def test_count_finished_since_counts_jobs_that_ended_from_then_on(
    store: Store, mixed: dict[str, Job]
) -> None:
    done_at, dead_at = mixed["done"].finished_at, mixed["dead"].finished_at
    assert done_at is not None and dead_at is not None
    assert store.count_finished_since(min(done_at, dead_at)) == {
        JobStatus.DONE: 1, JobStatus.DEAD: 1}
    assert store.count_finished_since(max(done_at, dead_at) + 1) == {
        JobStatus.DONE: 0, JobStatus.DEAD: 0}


def test_descendants_are_children_grandchildren_and_so_on(store: Store) -> None:
    root, other_root = add(store, 2)
    child = add_one(store, parent_job_id=root.id)
    sibling = add_one(store, parent_job_id=root.id)
    grandchild = add_one(store, parent_job_id=child.id)
    great = add_one(store, parent_job_id=grandchild.id)
    add_one(store, parent_job_id=other_root.id)

    assert ids_of(store.descendants([root.id])) == [child.id, sibling.id, grandchild.id, great.id]
    assert ids_of(store.descendants([child.id])) == [grandchild.id, great.id]
    assert store.descendants([great.id]) == []
    assert store.descendants([]) == []
    assert len(store.descendants([root.id, other_root.id])) == 5


def test_delete_job_removes_the_job_and_its_attempts(store: Store) -> None:
    job = run_to(store, add_one(store), JobStatus.DEAD)
    keep = add_one(store)

    assert store.delete_job(job.id) is True

    assert store.get_job(job.id) is None
    assert store.attempts(job.id) == []
    assert store.delete_job(job.id) is False
    assert store.get_job(keep.id) == keep


@pytest.mark.parametrize("status", [JobStatus.DEAD, JobStatus.DONE])
def test_retry_job_puts_a_finished_job_back_with_fresh_attempts(
    store: Store, status: JobStatus
) -> None:
    job = run_to(store, add_one(store, max_attempts=2, run_at=T0 - 100), status)

    again = store.retry_job(job.id, T0 + 500)

    assert again is not None
    assert (again.status, again.attempts, again.run_at) == (JobStatus.SCHEDULED, 0, T0 + 500)
    assert (again.finished_at, again.last_error, again.max_attempts) == (None, None, 2)
    assert get(store, job.id) == again
    claimed = store.claim("w1", T0 + 500, 30)
    assert claimed is not None and (claimed.id, claimed.attempts) == (job.id, 1)


def test_retry_job_leaves_waiting_and_running_jobs_alone(store: Store) -> None:
    scheduled, running, retrying = add(store, 3, max_attempts=2)
    store.claim_job(running.id, "w1", T0, 30)
    claimed = store.claim_job(retrying.id, "w1", T0, 30)
    assert claimed is not None
    store.finish_attempt(claimed, failed(T0 + 1, retry_at=T0 + 20))
    before = [get(store, j.id) for j in (scheduled, running, retrying)]

    assert [store.retry_job(j.id, T0 + 5) for j in before] == [None, None, None]
    assert store.retry_job(10_000, T0 + 5) is None
    assert [get(store, j.id) for j in before] == before


def test_purge_jobs_removes_finished_jobs_by_status_and_age(store: Store) -> None:
    old_done = run_to(store, add_one(store), JobStatus.DONE, at=T0)  # finished at T0 + 1
    old_dead = run_to(store, add_one(store), JobStatus.DEAD, at=T0 + 1)  # at T0 + 2
    new_done = run_to(store, add_one(store), JobStatus.DONE, at=T0 + 9)  # at T0 + 10
    waiting = add_one(store)

    assert store.purge_jobs([JobStatus.DONE], finished_before=T0 + 5) == 1
    assert store.get_job(old_done.id) is None
    assert store.attempts(old_done.id) == []
    assert store.get_job(old_dead.id) is not None

    assert store.purge_jobs([JobStatus.DONE, JobStatus.DEAD], finished_before=T0 + 10) == 1
    assert store.get_job(old_dead.id) is None
    assert store.get_job(new_done.id) is not None  # finished exactly at the cut-off
    assert store.purge_jobs([], finished_before=T0 + 1000) == 0
    assert store.purge_jobs(list(JobStatus), finished_before=T0 + 1000) == 1
    assert ids_of(store.list_jobs(JobFilter())) == [waiting.id]


# --- the log ---------------------------------------------------------------------------------


def test_tail_logs_returns_the_last_entries_oldest_first(store: Store) -> None:
    store.add_logs([log("info", f"entry {n}", at=T0 + n) for n in range(5)])
    tail = store.tail_logs(LogFilter(), 3)
    assert [e.message for e in tail] == ["entry 2", "entry 3", "entry 4"]
    assert [e.id for e in tail] == sorted(e.id for e in tail if e.id is not None)
    assert len(store.tail_logs(LogFilter(), 100)) == 5


def test_log_entries_keep_every_field(store: Store) -> None:
    entry = log("job_error", "attempt 1/3 failed: boom ✗", at=T0 + 0.125, job_id=7,
                source_name="send_email", attempt=1, max_attempts=3, priority="high",
                template="app/views/partials/commands/send.liquid", line=12)
    page = log("info", '{"a":[1,null]}', page="app/views/pages/index.liquid", line=2)
    store.add_logs([entry, page])
    stored_entry, stored_page = store.tail_logs(LogFilter(), 2)
    assert stored_entry.id is not None and stored_page.id == stored_entry.id + 1
    stored_entry.id = stored_page.id = None
    assert (stored_entry, stored_page) == (entry, page)


def test_logs_after_pages_through_the_log_in_id_order(store: Store) -> None:
    store.add_logs([log("info", f"entry {n}") for n in range(7)])
    newest = store.last_log_id()
    store.add_logs([log("info", "written while paging")])

    seen: list[str] = []
    cursor = 0
    while page := store.logs_after(cursor, LogFilter(), 3, up_to=newest):
        assert len(page) <= 3
        seen += [e.message for e in page]
        cursor = page[-1].id or 0
    assert seen == [f"entry {n}" for n in range(7)]
    assert [e.message for e in store.logs_after(cursor, LogFilter(), 10)] == [
        "written while paging"]
    assert store.logs_after(store.last_log_id(), LogFilter(), 10) == []


def test_last_log_id_is_the_id_of_the_newest_entry(store: Store) -> None:
    assert store.last_log_id() == 0
    store.add_logs([log("info", "a"), log("info", "b")])
    (newest,) = store.tail_logs(LogFilter(), 1)
    assert store.last_log_id() == newest.id


@pytest.fixture
def logged(store: Store) -> Store:
    store.add_logs([
        log("info", "page", at=T0, page="app/views/pages/index.liquid"),
        log("INFO", "shouting", at=T0 + 1, job_id=1, source_name="send_email"),
        log("info_extra", "near miss", at=T0 + 2, job_id=1, source_name="send_email"),
        log("job_error", "attempt failed", at=T0 + 3, job_id=2, source_name="sync_orders"),
        log("job_dead_error", "dead", at=T0 + 4, job_id=2, source_name="sync_orders"),
        log("Error", "custom", at=T0 + 5, job_id=3, source_name="send_sms"),
        log("debug", "noise", at=T0 + 6, job_id=3, source_name="send_sms"),
    ])
    return store


def messages(store: Store, **filter_fields: Any) -> list[str]:
    flt = LogFilter(**filter_fields)
    tail = [e.message for e in store.tail_logs(flt, 100)]
    assert [e.message for e in store.logs_after(0, flt, 100)] == tail  # same filter, same rows
    return tail


def test_log_type_filter_is_exact_and_case_insensitive(logged: Store) -> None:
    assert messages(logged, types=("info",)) == ["page", "shouting"]
    assert messages(logged, types=("Info", "DEBUG")) == ["page", "shouting", "noise"]
    assert messages(logged, types=("error",)) == ["custom"]


def test_log_type_globs_are_case_insensitive(logged: Store) -> None:
    assert messages(logged, type_globs=("job_*",)) == ["attempt failed", "dead"]
    assert messages(logged, type_globs=("INFO*",)) == ["page", "shouting", "near miss"]
    assert messages(logged, type_globs=("*error", "debug")) == [
        "attempt failed", "dead", "custom", "noise"]


def test_log_source_name_globs(logged: Store) -> None:
    assert messages(logged, source_names=("send_*",)) == [
        "shouting", "near miss", "custom", "noise"]
    assert messages(logged, source_names=("sync_orders", "send_sms")) == [
        "attempt failed", "dead", "custom", "noise"]


def test_log_filter_by_job(logged: Store) -> None:
    assert messages(logged, job_id=2) == ["attempt failed", "dead"]
    assert messages(logged, job_id=99) == []


def test_log_filter_by_time_includes_both_ends(logged: Store) -> None:
    assert messages(logged, since=T0 + 4) == ["dead", "custom", "noise"]
    assert messages(logged, until=T0 + 1) == ["page", "shouting"]
    assert messages(logged, since=T0 + 2, until=T0 + 3) == ["near miss", "attempt failed"]


def test_log_errors_only_keeps_types_containing_error(logged: Store) -> None:
    assert messages(logged, errors_only=True) == ["attempt failed", "dead", "custom"]


def test_log_filters_combine(logged: Store) -> None:
    assert messages(logged, errors_only=True, source_names=("send_*",)) == ["custom"]
    assert messages(logged, types=("info",), job_id=1, since=T0) == ["shouting"]
    tail = logged.tail_logs(LogFilter(source_names=("send_*",)), 2)
    assert [e.message for e in tail] == ["custom", "noise"]
    first = logged.logs_after(0, LogFilter(source_names=("send_*",)), 2)
    assert [e.message for e in first] == ["shouting", "near miss"]


def test_clear_logs_removes_every_entry_and_says_how_many(logged: Store) -> None:
    assert logged.clear_logs() == 7
    assert logged.tail_logs(LogFilter(), 100) == []
    assert logged.clear_logs() == 0


def test_log_ids_are_never_reused_after_a_clear(store: Store) -> None:
    store.add_logs([log("info", "a"), log("info", "b"), log("info", "c")])
    before = store.last_log_id()
    store.clear_logs()
    store.add_logs([log("info", "after")])
    (entry,) = store.tail_logs(LogFilter(), 10)
    assert entry.id is not None and entry.id > before
    # A follower whose cursor was at `before` still sees the new entry.
    assert [e.message for e in store.logs_after(before, LogFilter(), 10)] == ["after"]


def test_add_logs_of_nothing_is_fine(store: Store) -> None:
    store.add_logs([])
    assert store.last_log_id() == 0


def test_data_written_through_one_store_object_is_seen_by_another(open_store: Opener) -> None:
    writer, reader = open_store(), open_store()
    job = add_one(writer)
    writer.add_logs([log("info", "hello")])
    assert reader.get_job(job.id) == job
    assert [e.message for e in reader.tail_logs(LogFilter(), 1)] == ["hello"]
    claimed = reader.claim("w1", T0, 30)
    assert claimed is not None and writer.get_job(job.id) == claimed


# --- the SQLite file -------------------------------------------------------------------------
# How the embedded store treats the file it is pointed at; not part of the abstract contract.


def test_a_new_sqlite_store_uses_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "fresh" / "posjobs.db"
    SQLiteStore(path).close()
    raw = sqlite3.connect(path)
    try:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        raw.close()


def test_a_sqlite_write_waits_for_another_process_s_lock_then_goes_through(
        tmp_path: Path) -> None:
    path = tmp_path / "posjobs.db"
    store = SQLiteStore(path)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process's write under way
    holder.execute("UPDATE id_sequence SET next = next + 10")
    waiting = ThreadPoolExecutor(1).submit(lambda: store.reserve_job_ids(1))
    try:
        with pytest.raises(TimeoutError):
            waiting.result(timeout=0.05)  # still waiting for the lock
        holder.execute("COMMIT")
        assert list(waiting.result(timeout=10)) == [11]
        assert store._db._conn.execute("PRAGMA busy_timeout").fetchone() == (60_000,)
    finally:
        holder.close()
        store.close()


def test_a_sqlite_write_gives_up_after_the_busy_timeout_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "posjobs.db"
    store = SQLiteStore(path, busy_seconds=0.2)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StoreError, match=r"stayed locked by another process for 0\.2 s"):
            store.reserve_job_ids(1)
        holder.execute("ROLLBACK")
        assert list(store.reserve_job_ids(1)) == [1]  # and works once the lock is free
    finally:
        holder.close()
        store.close()


def test_a_sqlite_store_reopens_with_its_data(tmp_path: Path) -> None:
    path = tmp_path / "posjobs.db"
    first = SQLiteStore(path)
    job = add_one(first)
    first.close()
    again = SQLiteStore(path)
    try:
        assert again.get_job(job.id) == job
        assert set(again.reserve_job_ids(1)).isdisjoint({job.id})
    finally:
        again.close()


def test_many_processes_opening_one_new_file_at_once_all_get_the_store(
    tmp_path: Path,
) -> None:
    path = tmp_path / "posjobs.db"
    start = threading.Barrier(6)

    def open_() -> SQLiteStore:
        start.wait()
        return SQLiteStore(path)

    with ThreadPoolExecutor(6) as pool:
        futures = [pool.submit(open_) for _ in range(6)]
        stores = [f.result() for f in futures]
    try:
        ids = [i for s in stores for i in s.reserve_job_ids(2)]
        assert len(set(ids)) == 12
    finally:
        for s in stores:
            s.close()


def refused(path: Path, *words: str) -> None:
    """Opening `path` raises StoreError naming the file, and leaves the file as it was."""
    before = path.read_bytes()
    with pytest.raises(StoreError) as caught:
        SQLiteStore(path)
    text = str(caught.value)
    assert str(path) in text
    for word in words:
        assert word in text
    assert path.read_bytes() == before


def test_an_sqlite_database_of_another_application_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    raw = sqlite3.connect(path)
    with raw:
        raw.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
        raw.execute("INSERT INTO customers (name) VALUES ('Ada')")
    raw.close()
    refused(path, "not a posjobs store")


def test_a_file_of_garbage_bytes_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "garbage.db"
    path.write_bytes(b"this is not a database\x00\xff" * 200)
    refused(path)


def test_a_store_from_a_newer_posjobs_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "posjobs.db"
    store = SQLiteStore(path)
    add_one(store)
    store.close()
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    raw.close()
    refused(path, "newer")


# --- kill requests and retention -------------------------------------------------------------


def test_a_kill_request_reaches_only_a_running_job(store: Store) -> None:
    waiting, running = add(store, 2)
    claimed = store.claim_job(running.id, "w1", T0, 30)
    assert claimed is not None
    assert store.request_kill(waiting.id) is False
    assert store.kill_requested([waiting.id, running.id]) == []
    assert store.request_kill(running.id) is True
    assert store.kill_requested([waiting.id, running.id]) == [running.id]
    assert store.kill_requested([]) == []


def test_a_kill_request_ends_with_the_attempt(store: Store) -> None:
    job = add_one(store, max_attempts=2)
    claimed = store.claim_job(job.id, "w1", T0, 30)
    assert claimed is not None
    store.request_kill(job.id)
    store.finish_attempt(claimed, failed(T0 + 1, retry_at=T0 + 20))
    again = store.claim_job(job.id, "w1", T0 + 20, 30)
    assert again is not None
    assert store.kill_requested([job.id]) == []


def test_purge_jobs_keeps_only_the_newest_when_asked(store: Store) -> None:
    jobs = add(store, 4)
    for n, job in enumerate(jobs):
        run_to(store, job, JobStatus.DONE, at=T0 + n)
    assert store.purge_jobs([JobStatus.DONE], finished_before=T0 - 1, keep_newest=1) == 3
    (left,) = store.list_jobs(JobFilter())
    assert left.id == jobs[-1].id
    assert store.attempts(jobs[0].id) == []


def test_purge_logs_by_age_and_by_count(store: Store) -> None:
    store.add_logs([log("info", str(n), at=T0 + n) for n in range(10)])
    assert store.purge_logs(T0 + 3) == 3  # written before T0 + 3
    assert [e.message for e in store.tail_logs(LogFilter(), 100)] == [str(n) for n in range(3, 10)]
    assert store.purge_logs(T0, keep_newest=2) == 5
    assert [e.message for e in store.tail_logs(LogFilter(), 100)] == ["8", "9"]


def test_many_ids_are_one_parameter_whatever_sqlites_limit(store: Store) -> None:
    jobs = add(store, 3)
    among = {job.id for job in jobs} | set(range(10_000, 50_000))
    assert claim_ids(store, among=among) == [job.id for job in jobs]
    assert [j.id for j in store.list_jobs(JobFilter(ids=tuple(among), newest_first=False))] == \
        [job.id for job in jobs]


def test_finish_and_claim_records_the_attempt_and_takes_the_next_due_job(store: Store) -> None:
    first, second = add(store, 2)
    claimed = store.claim("w1", T0, 30)
    assert claimed is not None and claimed.id == first.id
    status, following = store.finish_and_claim(
        claimed, done(T0 + 1, logs=[log("job_done", job_id=first.id)]),
        NextClaim("w1", T0 + 1, 30))
    assert status is JobStatus.DONE
    assert following is not None and following.id == second.id
    assert get(store, second.id).status is JobStatus.RUNNING
    assert [e.job_id for e in store.tail_logs(LogFilter(types=("job_done",)), 10)] == \
        [first.id]
    status, following = store.finish_and_claim(following, done(T0 + 2),
                                               NextClaim("w1", T0 + 2, 30))
    assert (status, following) == (JobStatus.DONE, None)


def test_finish_and_claim_returns_the_next_job_as_stored_and_keeps_every_log_field(
        store: Store) -> None:
    first, second = add(store, 2, arguments={"text": "héllo ✓", "n": 0.1 + 0.2})
    claimed = store.claim("w1", T0, 30)
    assert claimed is not None
    entry = log("info", "line one\nzwei ✓", at=T0 + 1.123456789, job_id=first.id,
                source_name="send_email", attempt=1, max_attempts=3, priority="high",
                template="app/views/partials/x.liquid", line=7, run_id="r1",
                simulated_at=T0 + 60.5)
    status, following = store.finish_and_claim(
        claimed, failed(T0 + 1, retry_at=T0 + 31, logs=[entry]), NextClaim("w2", T0 + 1, 30))
    assert status is JobStatus.RETRY
    assert following is not None and following == get(store, second.id)
    assert following.worker == "w2"
    assert following.arguments == {"text": "héllo ✓", "n": 0.1 + 0.2}
    (stored_entry,) = store.tail_logs(LogFilter(job_id=first.id), 5)
    assert stored_entry == dataclasses.replace(entry, id=stored_entry.id)
    retried = get(store, first.id)
    assert (retried.status, retried.run_at, retried.last_error) == \
        (JobStatus.RETRY, T0 + 31, ERROR)
    assert [(a.outcome, a.error) for a in store.attempts(first.id)] == [("failed", ERROR)]


def test_finish_and_claim_after_a_lost_claim_writes_nothing_of_it_and_still_claims(
        store: Store) -> None:
    first, second = add(store, 2)
    claimed = store.claim("w1", T0, 30)
    assert claimed is not None
    store.recover_expired(T0 + 60, lambda job: lost(job, T0 + 60))  # its lease ran out
    status, following = store.finish_and_claim(
        claimed, done(T0 + 61, logs=[log("job_done", job_id=first.id)]),
        NextClaim("w1", T0 + 61, 30))
    assert status is None
    assert following is not None and following.id == second.id
    assert store.tail_logs(LogFilter(types=("job_done",)), 5) == []
    assert get(store, first.id).status is JobStatus.DEAD
