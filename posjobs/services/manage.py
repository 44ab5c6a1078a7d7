"""Managing stored jobs: the rules for retrying and deleting them, one call each.

The CLI (`posjobs jobs retry|delete`) and the dashboard call these, so both refuse the
same things with the same messages.
"""

from __future__ import annotations

from dataclasses import replace

from posjobs.errors import WrongStateError
from posjobs.jobs.model import Job, JobStatus
from posjobs.services.reports import find_job
from posjobs.store.base import JobFilter, Store

RETRYABLE = (JobStatus.DEAD, JobStatus.DONE)
RUNNABLE = (JobStatus.SCHEDULED, JobStatus.RETRY)  # waiting: what "run now" may start


def retry(store: Store, job_id: int, now: float) -> Job:
    """Put a dead or done job back to run now with a fresh set of attempts."""
    job = find_job(store, job_id)
    retried = store.retry_job(job_id, now)
    if retried is None:
        raise WrongStateError(f"job {job_id} is {job.status.value}; only dead or done jobs can "
                              "be retried")
    return retried


def retry_matching(store: Store, flt: JobFilter, now: float) -> list[Job]:
    """Retry every dead or done job the filter matches (all of them, whatever its limit);
    jobs in other states are left alone."""
    statuses = tuple(s for s in (flt.statuses or RETRYABLE) if s in RETRYABLE)
    if not statuses:
        return []
    matching = store.list_jobs(replace(flt, statuses=statuses, limit=None))
    return [job for job in (store.retry_job(j.id, now) for j in matching) if job is not None]


def runnable(store: Store, job_id: int) -> Job:
    """The job, if it is waiting and so may be run now; WrongStateError otherwise."""
    job = find_job(store, job_id)
    if job.status not in RUNNABLE:
        raise WrongStateError(f"job {job_id} is {job.status.value}; only scheduled or retry "
                              "jobs can be run (use `posjobs jobs retry` for dead ones)")
    return job


def delete(store: Store, job_id: int) -> Job:
    """Delete a job and its attempts (its log entries stay); not while it runs."""
    job = find_job(store, job_id)
    if job.status is JobStatus.RUNNING:
        raise WrongStateError(f"job {job_id} is running; wait for it to finish, or stop it "
                              f"with `posjobs jobs kill {job_id}`")
    store.delete_job(job_id)
    return job


def delete_matching(store: Store, flt: JobFilter) -> int:
    """Delete every job the filter matches (whatever its limit), except running ones;
    returns how many."""
    matching = store.list_jobs(replace(flt, limit=None))
    return sum(1 for job in matching
               if job.status is not JobStatus.RUNNING and store.delete_job(job.id))
