"""The retry-or-dead rule: every way an attempt ends, and what becomes of its job."""

from __future__ import annotations

from random import Random

import pytest

from posjobs.jobs.backoff import retry_delay
from posjobs.jobs.model import Job, JobError, JobStatus, Priority
from posjobs.services.outcome import Ended, Ending, conclude
from tests.conftest import T0


def job(attempts: int = 1, max_attempts: int = 3, kill_requested: bool = False) -> Job:
    return Job(id=7, status=JobStatus.RUNNING, source_name="sync", priority=Priority.HIGH,
               run_at=T0, created_at=T0, attempts=attempts, max_attempts=max_attempts,
               arguments={}, partial="sync", body=None, template="app/views/pages/a.liquid",
               line=3, column=1, body_line=3, delay=0, context={}, worker="w1",
               kill_requested=kill_requested)


def types(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [entry.type for entry in result.logs]


def test_a_failure_with_attempts_left_is_retried_after_the_sidekiq_backoff():
    error = JobError("LiquidError", "boom", "app/lib/sync.liquid", 2)
    result = conclude(job(), Ended(Ending.FAILED, error, 0.01), T0, Random(5))
    assert result.status is JobStatus.RETRY
    assert result.retry_at == T0 + retry_delay(0, Random(5))
    assert types(result) == ["job_error", "job_retry"]
    assert result.logs[0].message == "attempt 1/3 failed: boom (app/lib/sync.liquid:2)"
    assert result.error == error.to_dict()


@pytest.mark.parametrize("ending", [Ending.FAILED, Ending.TIMEOUT, Ending.CRASHED])
def test_the_last_attempt_dies_whatever_ended_it(ending):
    result = conclude(job(attempts=3), Ended(ending, JobError("X", "no")), T0, Random(1))
    assert (result.status, result.retry_at) == (JobStatus.DEAD, None)
    assert types(result)[-1] == "job_dead_error"


def test_a_killed_job_is_never_retried():
    result = conclude(job(attempts=1, max_attempts=5), Ended.killed(job()), T0, Random(1))
    assert result.status is JobStatus.DEAD
    assert types(result) == ["job_killed_error", "job_dead_error"]
    assert result.error is not None and result.error["class"] == "Killed"


def test_a_timeout_names_the_limit_and_the_priority():
    ended = Ended.timeout(job(), 60)
    assert ended.error is not None
    assert ended.error.message == "stopped after its time limit of 60 s (high priority)"
    assert conclude(job(), ended, T0, Random(1)).outcome == "timeout"


def test_a_vanished_worker_s_job_runs_again_at_once_and_its_attempt_counts():
    result = conclude(job(), Ended.lost(job()), T0, Random(1))
    assert (result.status, result.retry_at, result.outcome) == (
        JobStatus.RETRY, T0, "interrupted")
    assert types(result) == ["job_recovered"]
    last = conclude(job(attempts=3), Ended.lost(job(attempts=3)), T0, Random(1))
    assert last.status is JobStatus.DEAD
    assert last.error is not None and last.error["class"] == "WorkerLost"


def test_a_kill_requested_before_the_worker_vanished_still_holds():
    lost = job(kill_requested=True)
    result = conclude(lost, Ended.lost(lost), T0, Random(1))
    assert result.status is JobStatus.DEAD
    assert result.error is not None and result.error["class"] == "Killed"


def test_a_done_attempt_keeps_the_jobs_it_enqueued_and_says_how_long_it_took():
    result = conclude(job(), Ended(Ending.DONE, duration=0.0015), T0, Random(1))
    assert (result.status, result.error) == (JobStatus.DONE, None)
    assert result.logs[-1].message == "done in 1.5 ms"
