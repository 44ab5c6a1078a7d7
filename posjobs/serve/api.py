"""The dashboard's JSON under `/_posjobs/api/`: exactly what the CLI's `--json` prints."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request as HttpRequest
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from posjobs.clock import iso
from posjobs.errors import JobNotFound
from posjobs.jobs.model import JobStatus, Priority
from posjobs.serve.queries import BadQuery, job_filter, log_filter, outbox, overview_data
from posjobs.services.reports import entry_json, job_report, job_summary

if TYPE_CHECKING:
    from posjobs.serve.app import Site

LOG_LINES = 100


def routes() -> list[Route]:
    return [
        Route("/api/jobs", api_jobs),
        Route("/api/jobs/{job_id:int}", api_job),
        Route("/api/logs", api_logs),
        Route("/api/overview", api_overview),
        Route("/api/mail", api_mail),
    ]


def _site(request: HttpRequest) -> Site:
    site: Site = request.app.state.site
    return site


def _bad(err: BadQuery) -> Response:
    return JSONResponse({"error": str(err)}, status_code=400)


async def api_jobs(request: HttpRequest) -> Response:
    """`jobs list --json`: the same filter as the jobs page."""
    try:
        flt = job_filter(request)
    except BadQuery as err:
        return _bad(err)
    jobs = await run_in_threadpool(_site(request).store.list_jobs, flt)
    return JSONResponse([job_summary(job) for job in jobs])


async def api_job(request: HttpRequest) -> Response:
    """`jobs show --json`."""
    try:
        report = await run_in_threadpool(job_report, _site(request).store,
                                         int(request.path_params["job_id"]))
    except JobNotFound as err:
        return JSONResponse({"error": err.message}, status_code=404)
    return JSONResponse(report)


async def api_logs(request: HttpRequest) -> Response:
    """`logs --json`: entries after `after_id` (default: the last `limit`), oldest first."""
    try:
        flt = log_filter(request)
    except BadQuery as err:
        return _bad(err)
    query = request.query_params
    after, limit = query.get("after_id", ""), query.get("limit", str(LOG_LINES))
    if (after and not after.isdigit()) or not limit.isdigit() or not 1 <= int(limit) <= 10000:
        return JSONResponse({"error": "after_id must be an id, limit a number from 1 to 10000"},
                            status_code=400)
    store = _site(request).store
    if after:
        entries = await run_in_threadpool(store.logs_after, int(after), flt, int(limit))
    else:
        entries = await run_in_threadpool(store.tail_logs, flt, int(limit))
    return JSONResponse([entry_json(e) for e in entries])


async def api_overview(request: HttpRequest) -> Response:
    """The overview as JSON: `counts[status][priority]`, jobs finished per window,
    recent failures in the shape of `jobs list --json`."""
    values = await run_in_threadpool(overview_data, _site(request))
    counts = {s.value: {p.value: values["counts"].get((s, p), 0) for p in Priority}
              for s in JobStatus}
    return JSONResponse({
        "counts": counts,
        "throughput": [{"window_seconds": seconds, "done": finished[JobStatus.DONE],
                        "dead": finished[JobStatus.DEAD]}
                       for _label, seconds, finished in values["throughput"]],
        "failures": [job_summary(job) for job in values["failures"]],
    })


async def api_mail(request: HttpRequest) -> Response:
    """The outbox, newest first."""
    messages = await outbox(_site(request))
    if messages is None:
        return JSONResponse({"error": "no data layer"}, status_code=404)
    return JSONResponse([{"id": m.id, "kind": m.kind, "name": m.name, "payload": m.payload,
                          "created_at": iso(m.created_at)} for m in messages])
