"""Rendering a page as the platform would, and storing the jobs it enqueued."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from posjobs.clock import Clock
from posjobs.config import Settings
from posjobs.data import DataLayer, DataSession
from posjobs.errors import TemplateError
from posjobs.jobs.model import Job, LogEntry
from posjobs.liquid import Dialect, RunState
from posjobs.project import Page, Project, TemplateFile, normalise_slug, template_from_source
from posjobs.services.context import Request, job_context, page_context, stored_constants
from posjobs.services.ids import IdReservation
from posjobs.services.lifecycle import enqueued_entry
from posjobs.store.base import Store


@dataclass
class RenderResult:
    page: Page
    html: str
    jobs: list[Job] = field(default_factory=list)
    logs: list[LogEntry] = field(default_factory=list)
    # What the page asked of its response: status, headers, redirect_to, sign_in.
    response: dict[str, Any] = field(default_factory=dict)
    session: dict[str, Any] = field(default_factory=dict)  # the session after the render
    # The signed-in user's id after the render (a sign-in or sign-out changes it).
    user_id: int | None = None
    run_id: str | None = None  # carried by every job it caused and every entry of theirs

    def response_summary(self) -> dict[str, Any]:
        """The response as `render --json` shows it."""
        return {
            "status": self.response.get("status") or (302 if self.response.get("redirect_to")
                                                      else 200),
            "headers": self.response.get("headers") or {},
            "redirect_to": self.response.get("redirect_to"),
            "sign_in": self.response.get("sign_in"),
            "session": self.session,
            "user_id": self.user_id,
        }


def render_page(
    project: Project,
    store: Store,
    page_name: str | Page,
    *,
    clock: Clock,
    settings: Settings,
    params: dict[str, Any] | None = None,
    request: Request | None = None,
    cwd: Path | None = None,
    dialect: Dialect | None = None,
    data: DataLayer | None = None,
    run_id: str | None = None,
) -> RenderResult:
    """Render a page with its layout; its jobs become durable together only if it succeeds.

    A failed render enqueues nothing and writes no data (its data transaction is rolled
    back), but what it logged is kept, with the error. A successful render commits its data
    first, then its jobs, so a job never runs before the data its page wrote.
    """
    request = request or Request()
    slug_params: dict[str, str] = {}
    query = ""
    if isinstance(page_name, Page):
        page = page_name
    else:
        name, _, query = page_name.partition("?")
        page, slug_params = project.match_page(name, cwd, method=request.method)
    request.params = {**dict(parse_qsl(query)), **slug_params, **request.params,
                      **(params or {})}
    dialect = dialect or Dialect(project)
    ids = IdReservation(store)
    context = page_context(page, request, settings)
    if data is not None:
        context["constants"].update(stored_constants(data))
    run = RunState(
        clock=clock,
        reserve_id=ids,
        job_context=job_context(context),
        environment=context["environment"],
        page=page.file.name,
        run_id=run_id or new_run_id(),
    )
    if data is not None:
        run.data = data.session(
            clock, user_id=request.user_id, session=context["session"],
            log=lambda type_, message: run.log(type_, message, page.file.name, None),
            notifications=dialect)
        if request.user_id is not None:
            context["current_user"] = signed_in_user(run.data)
    try:
        html = dialect.render(dialect.parse(page.file), run, context=context)
        if page.layout:
            layout = dialect.layout(page.layout, page.file.name, context=context)
            html = dialect.render(layout, run, context=context,
                                  variables={"content_for_layout": html})
    except BaseException as err:
        if run.data is not None:
            run.data.rollback()
        if not isinstance(err, TemplateError):
            raise
        ids.abandon()
        run.log("liquid_error", str(err), err.path, err.line)
        store.add_logs(_with_request(run.logs, context))
        raise
    if run.data is not None:
        run.data.commit()
    now = clock.now()
    _with_request(run.logs, context)
    run.logs += [enqueued_entry(job, now) for job in run.jobs]
    jobs = store.enqueue(run.jobs, run.logs, now)
    ids.release_unused()
    return RenderResult(page, html, jobs, run.logs, response=run.response,
                        session=dict(context.get("session") or {}),
                        user_id=run.data.user_id if run.data is not None else request.user_id,
                        run_id=run.run_id)


def new_run_id() -> str:
    """A render's run id: short, random, safe in a shell and a file name."""
    import secrets

    return secrets.token_hex(6)


def source_page(project: Project, source: str, name: str, *, layout: bool = True) -> Page:
    """A page of `project` whose source is given (`render -`, `eval`) rather than a file:
    `name` stands for its path in errors and logs. With `layout`, its front matter is read
    as a page's (the project's default layout applies); without, it is a bare snippet."""
    file = template_from_source(source, name) if layout else TemplateFile(Path(name), name,
                                                                          source)
    if not layout:
        return Page(file, "/", None, "get", "html")
    matter = file.matter
    chosen = matter.get("layout_name", matter.get("layout"))
    if chosen is None and project.find_layout("application") is not None:
        chosen = "application"
    slug = matter.get("slug")
    return Page(file, normalise_slug(slug if isinstance(slug, str) else "/"),
                str(chosen) if chosen else None,
                str(matter.get("method") or "get").lower(),
                str(matter.get("format") or "html"))


def signed_in_user(data: DataSession) -> dict[str, Any] | None:
    """`context.current_user` for the request's signed-in user, read at render start; a user
    deleted since signing in is signed out, as a session outliving its user is."""
    from posjobs.data.users import context_user

    user = data.store.get_user(data.user_id) if data.user_id is not None else None
    if user is None:
        data.user_id = None
        return None
    return context_user(user)


def _with_request(entries: list[LogEntry], context: dict[str, Any]) -> list[LogEntry]:
    """Mark the page's entries with the request that rendered it."""
    headers = context.get("headers", {})
    location = context.get("location", {})
    request = f"{headers.get('REQUEST_METHOD', 'GET')} {location.get('pathname', '/')}"
    query = headers.get("QUERY_STRING")
    request += f"?{query}" if query else ""
    for entry in entries:
        entry.request = request
    return entries
