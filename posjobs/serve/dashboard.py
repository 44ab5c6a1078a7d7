"""The dashboard under `/_posjobs/`: jobs, their logs and the outbox as pages, and its actions."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request as HttpRequest
from starlette.responses import (
    HTMLResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Route

from posjobs.errors import JobNotFound, PosjobsError, StoreError
from posjobs.jobs.model import JobStatus, LogEntry, Priority
from posjobs.serve import api
from posjobs.serve.queries import (
    BadQuery,
    filter_query,
    job_filter,
    log_filter,
    outbox,
    overview_data,
    parse_job_filter,
)
from posjobs.serve.security import same_origin
from posjobs.services import manage
from posjobs.services.reports import find_job
from posjobs.store.base import LogFilter, store_pause

if TYPE_CHECKING:
    from posjobs.serve.app import Site

LOG_LINES = 100
PARTIAL_SOURCE_LIMIT = 20_000  # characters of a partial shown on its job's page
STREAM_POLL_SECONDS = 0.2


def routes() -> list[Route]:
    return [
        Route("/", overview),
        Route("/jobs", jobs_page),
        Route("/jobs/confirm", confirm_page),
        Route("/jobs/bulk", bulk_action, methods=["POST"]),
        Route("/jobs/{job_id:int}", job_page),
        Route("/jobs/{job_id:int}/{action}", job_action, methods=["POST"]),
        Route("/logs", logs_page),
        Route("/logs/stream", logs_stream),
        Route("/mail", mail_page),
        *api.routes(),
    ]


def _site(request: HttpRequest) -> Site:
    site: Site = request.app.state.site
    return site


def _html(request: HttpRequest, name: str, status: int = 200, **values: Any) -> HTMLResponse:
    return HTMLResponse(_site(request).render_template(name, request=request, **values),
                        status_code=status)


def _bad_query(request: HttpRequest, err: BadQuery) -> Response:
    return _html(request, "message.html", 400, title="Bad request", message=str(err))


# --- pages -----------------------------------------------------------------------------
async def overview(request: HttpRequest) -> Response:
    """Counts per status and priority, throughput, recent failures."""
    site = _site(request)
    values = await run_in_threadpool(overview_data, site)
    return _html(request, "overview.html", statuses=list(JobStatus), priorities=list(Priority),
                 done=JobStatus.DONE, dead=JobStatus.DEAD, now=site.clock.now(), **values)


async def jobs_page(request: HttpRequest) -> Response:
    """The jobs matching the query's filter, newest first; `?fragment=rows` is the table's
    rows only (what the page's script fetches to stay current)."""
    try:
        flt = job_filter(request)
    except BadQuery as err:
        return _bad_query(request, err)
    site = _site(request)
    jobs = await run_in_threadpool(site.store.list_jobs, flt)
    values: dict[str, Any] = {"jobs": jobs, "now": site.clock.now()}
    if request.query_params.get("fragment") == "rows":
        return _html(request, "job_rows.html", **values)
    return _html(request, "jobs.html", flt=flt, query=filter_query(flt),
                 filtered=bool(flt.statuses or flt.source_names or flt.priorities),
                 statuses=list(JobStatus), priorities=list(Priority),
                 notice=request.query_params.get("notice"), **values)


async def job_page(request: HttpRequest) -> Response:
    """One job: options, arguments, its partial's source or its inline body, every attempt,
    its log entries, and the actions its state allows."""
    site = _site(request)
    job_id = int(request.path_params["job_id"])

    def gather() -> dict[str, Any]:
        job = find_job(site.store, job_id)
        return {"job": job, "attempts": site.store.attempts(job_id),
                "logs": site.store.tail_logs(LogFilter(job_id=job_id), 1000),
                "partial": _partial_source(site, job.partial) if job.partial else None}

    try:
        values = await run_in_threadpool(gather)
    except JobNotFound as err:
        return _html(request, "message.html", 404, title="Not found", message=err.message)
    return _html(request, "job.html", now=site.clock.now(),
                 notice=request.query_params.get("notice"),
                 error=request.query_params.get("error"), **values)


def _partial_source(site: Site, name: str) -> tuple[str, str] | None:
    """The file a job's partial names and its source as it is now, if it can be read."""
    path = site.project.find_partial(name)
    if path is None:
        return None
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    if len(text) > PARTIAL_SOURCE_LIMIT:
        text = text[:PARTIAL_SOURCE_LIMIT] + f"\n… ({len(text) - PARTIAL_SOURCE_LIMIT} more)"
    return site.project.relative(path), text


async def confirm_page(request: HttpRequest) -> Response:
    """Before "Retry all" or "Delete all": how many jobs the filter matches, and a button."""
    action = request.query_params.get("action")
    if action not in ("retry", "delete"):
        return _html(request, "message.html", 400, title="Bad request",
                     message="action must be retry or delete")
    try:
        flt = job_filter(request, limit=None)
    except BadQuery as err:
        return _bad_query(request, err)
    site = _site(request)
    jobs = await run_in_threadpool(site.store.list_jobs, flt)
    if action == "retry":
        jobs = [j for j in jobs if j.status in manage.RETRYABLE]
    else:
        jobs = [j for j in jobs if j.status is not JobStatus.RUNNING]
    return _html(request, "confirm.html", action=action, flt=flt, count=len(jobs),
                 query=filter_query(flt))


def _forbidden(request: HttpRequest, token: str | None) -> Response | None:
    """403 unless the request comes from a dashboard page: the same origin, and the token
    only its pages carry (a cross-site form can do neither)."""
    if same_origin(request.headers, request.url.scheme) and _site(request).signer.csrf_ok(token):
        return None
    return _html(request, "message.html", 403, title="Forbidden",
                 message="This request did not come from a posjobs dashboard page; nothing "
                         "was changed.")


async def job_action(request: HttpRequest) -> Response:
    """Retry, run now, kill or delete one job (a POST from the job's page)."""
    form = await request.form()
    token = form.get("csrf")
    denied = _forbidden(request, token if isinstance(token, str) else None)
    if denied is not None:
        return denied
    site = _site(request)
    job_id = int(request.path_params["job_id"])
    action = str(request.path_params["action"])
    base = site.jinja.globals["base"]
    back = f"{base}/jobs/{job_id}"
    try:
        if action == "retry":
            await run_in_threadpool(manage.retry, site.store, job_id, site.clock.now())
            notice = f"job {job_id} scheduled to run now"
        elif action == "run":
            await run_in_threadpool(_start_run_now, site, job_id)
            notice = f"job {job_id} is running now"
        elif action == "kill":
            from posjobs.services.runner import kill

            status = await run_in_threadpool(lambda: kill(site.store, job_id, wait=2.0))
            notice = (f"job {job_id} killed; it is {status.value}" if status is not None
                      else f"asked the worker to kill job {job_id}; it is still running")
        elif action == "delete":
            await run_in_threadpool(manage.delete, site.store, job_id)
            return RedirectResponse(f"{base}/jobs?" + urlencode({"notice":
                                                                 f"job {job_id} deleted"}),
                                    status_code=303)
        else:
            return _html(request, "message.html", 404, title="Not found",
                         message=f"no action {action!r}")
    except JobNotFound as err:
        return _html(request, "message.html", 404, title="Not found", message=err.message)
    except PosjobsError as err:
        return RedirectResponse(f"{back}?" + urlencode({"error": err.message}), status_code=303)
    return RedirectResponse(f"{back}?" + urlencode({"notice": notice}), status_code=303)


def _start_run_now(site: Site, job_id: int) -> None:
    """`jobs run`, on a thread of its own: the page does not wait for the attempt. The job
    is checked first, so a job that cannot run now is refused on the page."""
    manage.runnable(site.store, job_id)
    from posjobs.services.runner import run_one

    def run() -> None:
        try:
            run_one(site.project, site.store, site.settings, site.store_url, job_id,
                    clock=site.clock)
        except PosjobsError as err:  # another worker took it first: nothing to do
            site.notice(f"run now, job {job_id}: {err.message}")

    threading.Thread(target=run, name=f"posjobs-run-{job_id}", daemon=True).start()


async def bulk_action(request: HttpRequest) -> Response:
    """"Retry all" or "Delete all": exactly the jobs the filter in the form matches."""
    form = await request.form()
    token = form.get("csrf")
    denied = _forbidden(request, token if isinstance(token, str) else None)
    if denied is not None:
        return denied
    action = form.get("action")
    try:
        flt = parse_job_filter([str(v) for v in form.getlist("status")],
                               [str(v) for v in form.getlist("source_name")],
                               [str(v) for v in form.getlist("priority")], None, None)
    except BadQuery as err:
        return _bad_query(request, err)
    site = _site(request)
    if action == "retry":
        retried = await run_in_threadpool(manage.retry_matching, site.store, flt,
                                          site.clock.now())
        notice = f"{len(retried)} job(s) scheduled to run now"
    elif action == "delete":
        count = await run_in_threadpool(manage.delete_matching, site.store, flt)
        notice = f"{count} job(s) deleted"
    else:
        return _html(request, "message.html", 400, title="Bad request",
                     message="action must be retry or delete")
    query = filter_query(flt)
    return RedirectResponse(f"{site.jinja.globals['base']}/jobs?{query}"
                            + ("&" if query else "") + urlencode({"notice": notice}),
                            status_code=303)


async def logs_page(request: HttpRequest) -> Response:
    """The last entries, then a live tail (Server-Sent Events) with the same filter."""
    try:
        flt = log_filter(request)
    except BadQuery as err:
        return _bad_query(request, err)
    site = _site(request)

    def gather() -> tuple[int, list[LogEntry]]:
        last = site.store.last_log_id()
        return last, site.store.tail_logs(flt, LOG_LINES, up_to=last)

    last, entries = await run_in_threadpool(gather)
    query = request.url.query
    return _html(request, "logs.html", entries=entries, last_id=last, query=query,
                 flt=flt)


async def logs_stream(request: HttpRequest) -> Response:
    """New entries as Server-Sent Events: each an `entry` event whose data is the entry's
    row of HTML (rendered, and escaped, here) and whose id is the entry's id."""
    try:
        flt = log_filter(request)
    except BadQuery as err:
        return _bad_query(request, err)
    site = _site(request)
    start = request.headers.get("last-event-id") or request.query_params.get("after_id") or ""
    cursor = int(start) if start.isdigit() else await run_in_threadpool(site.store.last_log_id)
    row = site.jinja.get_template("log_entry.html")

    async def events() -> AsyncIterator[str]:
        nonlocal cursor
        yield "retry: 1000\n\n"
        failures = 0
        while not site.stopping.is_set() and not await request.is_disconnected():
            try:
                newest = await run_in_threadpool(site.store.last_log_id)
                while cursor < newest:
                    batch = await run_in_threadpool(site.store.logs_after, cursor, flt, 500,
                                                    newest)
                    for entry in batch:
                        html = row.render(entry=entry).replace("\n", " ")
                        yield f"id: {entry.id}\nevent: entry\ndata: {html}\n\n"
                    cursor = batch[-1].id if len(batch) == 500 and batch[-1].id else newest
            except StoreError:  # the store is away: the stream waits for it, as --follow does
                failures += 1
                yield ": store unavailable\n\n"
                waited = 0.0  # in short steps, so that a stopping server is not held up
                while waited < store_pause(failures) and not site.stopping.is_set():
                    await asyncio.sleep(STREAM_POLL_SECONDS)
                    waited += STREAM_POLL_SECONDS
                continue
            failures = 0
            yield ": keep-alive\n\n"
            await asyncio.sleep(STREAM_POLL_SECONDS)

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"cache-control": "no-cache", "x-accel-buffering": "no"})


async def mail_page(request: HttpRequest) -> Response:
    """The data layer's outbox: emails and API calls, as rendered (never sent)."""
    messages = await outbox(_site(request))
    if messages is None:
        return _html(request, "message.html", 404, title="No outbox",
                     message="This server runs without the data layer.")
    return _html(request, "mail.html", messages=messages)


