"""A slot's own rules, driven in-process: claims it never started are released, a store
failure under an attempt costs the job nothing, and a long attempt's log is written as it
runs."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from random import Random
from typing import Any

from posjobs.config import Settings
from posjobs.errors import StoreError
from posjobs.jobs.model import JobStatus
from posjobs.liquid import Dialect
from posjobs.services.messages import Finished, Idle, Started, StoreTrouble, Work
from posjobs.services.render import render_page
from posjobs.services.slot import Resources, Slot
from posjobs.store.base import LogFilter
from posjobs.store.sqlite import SQLiteStore
from tests.conftest import write_project


def slot_for(project, store, **options) -> Slot:  # type: ignore[no-untyped-def]
    return Slot(Resources(Dialect(project), store), Settings(), "w1", rng=Random(1),
                **options)


def test_a_claim_taken_with_the_previous_finish_but_never_started_is_released(
        make_project, store, clock, settings):
    project = make_project({"app/views/pages/index.liquid":
                            "{% background _ = 'p' %}{% background _ = 'p' %}",
                            "app/views/partials/p.liquid": "{% log 'ran' %}"})
    first, second = render_page(project, store, "/", clock=clock, settings=settings).jobs
    asked = []
    told = []
    # Told to stop after the first attempt, when the second is already claimed (in the
    # transaction that recorded the first), as when the supervisor dies at that moment.
    slot = slot_for(project, store)
    slot.serve(Work(drain=True), told.append,
               should_stop=lambda: len(asked.append(1) or asked) > 1)
    assert [type(m) for m in told] == [Started, Finished, Idle]
    assert store.get_job(first.id).status is JobStatus.DONE
    again = store.get_job(second.id)
    assert (again.status, again.attempts, again.worker) == (JobStatus.SCHEDULED, 0, None)
    assert store.attempts(second.id) == []
    logged = [e.type for e in store.tail_logs(LogFilter(job_id=second.id), 10)]
    assert logged == ["job_enqueued"]  # no job_started: it never started


class FailingIds(SQLiteStore):
    """A store whose id reservations fail, as a full disk would make them."""

    def reserve_job_ids(self, count: int) -> range:
        raise StoreError("database or disk is full")


def test_a_store_failure_under_an_attempt_does_not_use_it_up(tmp_path: Path, clock, settings):
    project = write_project(tmp_path / "p", {
        "app/views/pages/index.liquid": "{% background _ = 'parent', max_attempts: 1 %}",
        "app/views/partials/parent.liquid": "{% background _ = 'child' %}",
        "app/views/partials/child.liquid": ""})
    good = SQLiteStore(tmp_path / "s.db")
    (job,) = render_page(project, good, "/", clock=clock, settings=settings).jobs
    failing = FailingIds(tmp_path / "s.db")
    told = []
    slot_for(project, failing, sleep=lambda _s: None).serve(
        Work(now=clock.now()), told.append)
    kinds = [type(m) for m in told]
    assert kinds == [Started, StoreTrouble, Finished, Idle]  # the supervisor backs off
    finished = told[2]
    assert finished.released and finished.status is None
    again = good.get_job(job.id)
    assert (again.status, again.attempts) == (JobStatus.SCHEDULED, 0)
    assert good.attempts(job.id) == []


def test_a_failing_store_is_reported_and_the_order_ends(tmp_path: Path):
    class Locked(SQLiteStore):
        def claim(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            raise StoreError("stayed locked")

    project = write_project(tmp_path / "p", {})
    told = []
    slot_for(project, Locked(tmp_path / "s.db")).serve(Work(drain=True), told.append)
    assert told == [StoreTrouble("stayed locked"), Idle()]


def test_a_long_attempt_s_log_entries_are_stored_while_it_runs(make_project, store, clock,
                                                              settings):
    project = make_project({
        "app/views/pages/index.liquid": "{% background _ = 'slow' %}",
        "app/views/partials/slow.liquid":
            "{% log 'step 1', type: 'progress' %}"
            "{% for i in (1..120000) %}{% assign x = i | plus: 1 %}{% endfor %}"})
    (job,) = render_page(project, store, "/", clock=clock, settings=settings).jobs
    slot = slot_for(project, store)
    worker = threading.Thread(target=slot.serve, args=(Work(drain=True), lambda _m: None))
    worker.start()
    seen_running = False
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        types = [e.type for e in store.tail_logs(LogFilter(job_id=job.id), 10)]
        if "progress" in types:
            seen_running = store.get_job(job.id).status is JobStatus.RUNNING
            break
        time.sleep(0.01)
    worker.join()
    slot.close()
    assert seen_running  # seen before the attempt ended
    types = [e.type for e in store.tail_logs(LogFilter(job_id=job.id), 10)]
    assert types == ["job_enqueued", "job_started", "progress", "job_done"]  # once, in order


def answer_lost_once(method: str) -> Any:
    """A store class whose first call of `method` is committed but answers with an error,
    as when the connection to a server is cut during the COMMIT."""

    def lossy(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        answer = getattr(SQLiteStore, method)(self, *args, **kwargs)
        if not self.lost:
            self.lost += 1
            raise StoreError("server closed the connection unexpectedly")
        return answer

    return type(f"AnswerLost_{method}", (SQLiteStore,), {"lost": 0, method: lossy})


def single_attempt_jobs(tmp_path: Path, count: int, clock, settings):  # type: ignore[no-untyped-def]
    """A project, its store and `count` jobs of one attempt each, rendered into it."""
    project = write_project(tmp_path / "p", {
        "app/views/pages/index.liquid":
            f"{{% for i in (1..{count}) %}}{{% background _ = 'p', max_attempts: 1 %}}"
            "{% endfor %}",
        "app/views/partials/p.liquid": "{% log 'ran' %}"})
    good = SQLiteStore(tmp_path / "s.db")
    return project, good, render_page(project, good, "/", clock=clock,
                                      settings=settings).jobs


def test_a_claim_whose_answer_was_lost_is_released_not_left_to_expire_and_count(
        tmp_path: Path, clock, settings):
    project, good, jobs = single_attempt_jobs(tmp_path, 3, clock, settings)
    store = answer_lost_once("finish_and_claim")(tmp_path / "s.db")
    told = []
    slot_for(project, store, sleep=lambda _s: None).serve(Work(drain=True), told.append)
    assert store.lost == 1
    assert told[1:3] == [StoreTrouble("server closed the connection unexpectedly"),
                         StoreTrouble("", cleared=True)]
    finished = [m for m in told if isinstance(m, Finished)]
    # The first try recorded job 1 and claimed job 2, an answer the slot never got; the
    # retry reported job 1 done and claimed job 3. Job 2 was released unused, ran last.
    assert [(m.job.id, m.status) for m in finished] == [
        (jobs[0].id, JobStatus.DONE), (jobs[2].id, JobStatus.DONE),
        (jobs[1].id, JobStatus.DONE)]
    assert [good.get_job(j.id).status for j in jobs] == [JobStatus.DONE] * 3
    assert [len(good.attempts(j.id)) for j in jobs] == [1, 1, 1]


def test_a_claim_whose_own_answer_was_lost_is_released_at_the_next_claim(
        tmp_path: Path, clock, settings):
    project, good, jobs = single_attempt_jobs(tmp_path, 2, clock, settings)
    store = answer_lost_once("claim")(tmp_path / "s.db")
    slot = slot_for(project, store)
    told = []
    slot.serve(Work(drain=True), told.append)  # the supervisor then orders again
    assert told == [StoreTrouble("server closed the connection unexpectedly"), Idle()]
    assert good.get_job(jobs[0].id).status is JobStatus.RUNNING  # claimed, never got
    slot.serve(Work(drain=True), told.append)
    assert [good.get_job(j.id).status for j in jobs] == [JobStatus.DONE] * 2
    assert [len(good.attempts(j.id)) for j in jobs] == [1, 1]
