"""What the dashboard reads: its filters from query strings, the overview, the outbox."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from starlette.requests import Request as HttpRequest

from posjobs.jobs.model import JobStatus, Priority
from posjobs.store.base import JobFilter, LogFilter

if TYPE_CHECKING:
    from posjobs.serve.app import Site

LIST_LIMIT = 100
MAX_LIMIT = 1000
THROUGHPUT_WINDOWS = (("last minute", 60.0), ("last hour", 3600.0))


class BadQuery(ValueError):
    """A filter the dashboard cannot apply (answered with 400)."""


def job_filter(request: HttpRequest, limit: int | None = LIST_LIMIT) -> JobFilter:
    """The job filter a query string (or a bulk action's form) names: `status`,
    `source_name` (a glob) and `priority`, each repeatable; `limit`."""
    query = request.query_params
    return parse_job_filter(query.getlist("status"), query.getlist("source_name"),
                            query.getlist("priority"), query.get("limit"), limit)


def parse_job_filter(statuses: list[str], source_names: list[str], priorities: list[str],
                     limit_text: str | None, limit: int | None) -> JobFilter:
    try:
        status = tuple(JobStatus(s) for s in statuses if s)
        priority = tuple(Priority(p) for p in priorities if p)
    except ValueError as err:
        raise BadQuery(str(err)) from None
    if limit_text:
        if not limit_text.isdigit() or not 1 <= int(limit_text) <= MAX_LIMIT:
            raise BadQuery(f"limit must be a number from 1 to {MAX_LIMIT}")
        limit = int(limit_text)
    return JobFilter(statuses=status, source_names=tuple(s for s in source_names if s),
                     priorities=priority, limit=limit)


def filter_query(flt: JobFilter) -> str:
    pairs = ([("status", s.value) for s in flt.statuses]
             + [("source_name", s) for s in flt.source_names]
             + [("priority", p.value) for p in flt.priorities])
    return urlencode(pairs)


def log_filter(request: HttpRequest) -> LogFilter:
    """`type` (a glob, case-insensitive), `source_name` (a glob), `job` (an id)."""
    query = request.query_params
    job = query.get("job") or None
    if job is not None and not job.isdigit():
        raise BadQuery("job must be a job id")
    return LogFilter(type_globs=tuple(t for t in query.getlist("type") if t),
                     source_names=tuple(s for s in query.getlist("source_name") if s),
                     job_id=int(job) if job else None)


def overview_data(site: Site) -> dict[str, Any]:
    """Counts per status and priority, jobs finished per window, recent failures."""
    store = site.store
    now = site.clock.now()
    counts = store.count_jobs_by_priority()
    totals = dict.fromkeys(JobStatus, 0)
    for (status, _priority), n in counts.items():
        totals[status] += n
    return {
        "counts": counts,
        "totals": totals,
        "throughput": [(label, seconds, store.count_finished_since(now - seconds))
                       for label, seconds in THROUGHPUT_WINDOWS],
        "failures": store.list_jobs(JobFilter(statuses=(JobStatus.DEAD, JobStatus.RETRY),
                                              limit=10)),
    }


async def outbox(site: Site) -> list[Any] | None:
    """The outbox, newest first (None without a data layer); on the renderer thread, which
    owns the data layer's connection."""
    if site.data_path is None:
        return None

    def gather() -> list[Any]:
        data = site.data_layer()
        return [] if data is None else data.store.messages(limit=200)[0]

    return await asyncio.get_running_loop().run_in_executor(site.renderer, gather)
