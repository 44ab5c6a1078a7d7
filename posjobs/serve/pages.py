"""The project's pages over HTTP: routed as the platform routes them, rendered by `render_page`."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.requests import Request as HttpRequest
from starlette.responses import PlainTextResponse, Response

from posjobs.errors import PageNotFound, PosjobsError, StoreError, TemplateError
from posjobs.project import Page, Project
from posjobs.serve.params import BadBody, request_params
from posjobs.serve.security import SESSION_COOKIE, SessionState
from posjobs.services.context import Request
from posjobs.services.render import RenderResult, render_page

if TYPE_CHECKING:
    from posjobs.serve.app import Site

# The formats a path's extension selects (`/orders.json` is `orders.json.liquid`), and what
# each is answered as.
CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "json": "application/json",
    "xml": "application/xml",
    "csv": "text/csv; charset=utf-8",
    "txt": "text/plain; charset=utf-8",
    "js": "application/javascript",
    "css": "text/css",
    "rss": "application/rss+xml",
    "ics": "text/calendar",
}
SOURCE_CONTEXT = 5  # lines shown either side of a template error


@dataclass
class Served:
    """What a page request came to: a rendered page, or a page that failed or was not there."""

    status: int
    body: str
    content_type: str = CONTENT_TYPES["html"]
    headers: dict[str, str] = field(default_factory=dict)
    session: SessionState | None = None  # the session to send back, if the page ran
    error: TemplateError | PosjobsError | None = None
    jobs: int = 0  # how many jobs the request enqueued


class PageTable:
    """The project's pages, read again only when a page or layout file is added, removed or
    edited: reading every page's front matter on every request costs tens of milliseconds
    in a project of a few hundred pages, a look at the files' times a few."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._key: tuple[tuple[str, int, int], ...] | None = None
        self._pages: list[Page] = []
        self._broken: list[tuple[str, TemplateError]] = []

    def pages(self) -> tuple[list[Page], list[tuple[str, TemplateError]]]:
        """Every page, and the page files that cannot be read (with why)."""
        key = self._files()
        if key != self._key:
            broken: list[tuple[str, TemplateError]] = []
            self._pages, self._broken = self.project.pages(broken), broken
            self._key = key
        return self._pages, self._broken

    def _files(self) -> tuple[tuple[str, int, int], ...]:
        # Layouts count too: whether `application` exists decides a page's default layout.
        bases = [*self.project.page_dirs(), self.project.root / "app" / "views" / "layouts"]
        found = []
        for base in bases:
            if base.is_dir():
                for path in base.rglob("*.liquid"):
                    try:
                        stat = path.stat()
                        found.append((str(path), stat.st_mtime_ns, stat.st_size))
                    except OSError:  # removed while we looked: the next request sees it
                        continue
        return tuple(sorted(found))


def route(table: PageTable, path: str, method: str) -> tuple[Page, dict[str, str]]:
    """The page a request names: its slug, method and format together (the project's own
    routing, posjobs/routing.py), over the table's cached pages.

    Pages are looked up by slug only, never by file path, so a URL cannot name a file. A
    slug that exists for another method is still 404, as on the platform.
    """
    from posjobs.routing import normalise
    from posjobs.routing import route as route_page

    pages, broken = table.pages()
    try:
        return route_page(pages, path, method)
    except PageNotFound:
        slug = normalise(path)
        for path_slug, err in broken:  # the page asked for may be one that cannot be read
            if path_slug == slug:
                raise err from None
        raise PageNotFound(f"no page for {method.upper()} {path}") from None


async def page_endpoint(request: HttpRequest) -> Response:
    """Any path outside `/_posjobs/`: the project's page for it."""
    site: Site = request.app.state.site
    try:
        params, override = await request_params(request)
    except BadBody as err:
        return PlainTextResponse(str(err), status_code=400)
    method = request.method.lower()
    if method == "head":  # a GET whose body the server leaves out
        method = "get"
    if method == "post" and override:  # platformOS forms send PUT and DELETE this way
        method = override.lower()
    cookies = dict(request.cookies)
    state = site.signer.load_session(cookies.pop(SESSION_COOKIE, None))
    headers = {k: v for k, v in request.headers.items() if k.lower() != "cookie"}
    path = request.url.path
    query = f"?{request.url.query}" if request.url.query else ""
    loop = asyncio.get_running_loop()
    served = await loop.run_in_executor(
        site.renderer, serve_page, site, path, method, params, headers, cookies, state)
    line = f"{method.upper()} {path}{query} {served.status}"
    if served.error is not None:
        site.notice(f"{line}: {served.error}")
    else:
        site.notice(line + (f" · {served.jobs} job(s) enqueued" if served.jobs else ""))
    response = Response(served.body, status_code=served.status, media_type=None,
                        headers={"content-type": served.content_type, **served.headers})
    if served.session is not None and served.session != state:
        response.set_cookie(SESSION_COOKIE, site.signer.dump_session(served.session),
                            httponly=True, samesite="lax", path="/")
    return response


def serve_page(site: Site, path: str, method: str, params: dict[str, Any],
               headers: dict[str, str], cookies: dict[str, str], state: SessionState) -> Served:
    """Route and render one request (on the renderer thread, which owns the data layer)."""
    try:
        page, slug_params = route(site.page_table, path, method)
        result = _render(site, page, method, {**slug_params, **params}, headers, cookies,
                         state)
    except PageNotFound as err:
        return not_found(site, path, err)
    except TemplateError as err:
        return Served(500, error_page(site, err), error=err)
    except PosjobsError as err:  # the store, a missing file: said plainly, no traceback
        # A store that fails (a server away) is the service being unavailable, as on the
        # dashboard; anything else is the page's error.
        status = 503 if isinstance(err, StoreError) else 500
        return Served(status, site.render_template("error.html", error=err, location=None,
                                                   source=[], status=status), error=err)
    return _answer(page, result, state)


def _render(site: Site, page: Page, method: str, params: dict[str, Any],
            headers: dict[str, str], cookies: dict[str, str], state: SessionState
            ) -> RenderResult:
    data = site.data_layer()
    if data is not None:
        data.reload()  # schema edits are seen on the next request, like template edits
    request = Request(params=params, headers=headers, cookies=cookies,
                      session=dict(state.session), user_id=state.user_id,
                      user=_current_user(site, state.user_id), method=method)
    return render_page(site.project, site.store, str(page.file.path), clock=site.clock,
                       settings=site.settings, request=request, data=data,
                       dialect=site.dialect())


def _answer(page: Page, result: RenderResult, before: SessionState) -> Served:
    response = result.response
    headers = {str(k): str(v) for k, v in (response.get("headers") or {}).items()}
    user_id = result.user_id
    sign_in = response.get("sign_in")
    if isinstance(sign_in, dict) and str(sign_in.get("user_id", "")).isdigit():
        user_id = int(sign_in["user_id"])
    session = SessionState(result.session, user_id)
    content_type = CONTENT_TYPES.get(page.format, CONTENT_TYPES["html"])
    for name in [n for n in headers if n.lower() == "content-type"]:
        content_type = headers.pop(name)
    status = int(response.get("status") or 200)
    if response.get("redirect_to"):
        headers["Location"] = str(response["redirect_to"])
        status = int(response.get("status") or 302)
        if status not in (301, 302, 303, 307, 308):
            status = 302
    return Served(status, result.html, content_type, headers, session, jobs=len(result.jobs))


def not_found(site: Site, path: str, err: PageNotFound) -> Served:
    """404: the project's own 404 page where it has one (slug `404`), else ours."""
    try:
        page, _ = route(site.page_table, "/404", "get")
    except PosjobsError:
        return Served(404, site.render_template("not_found.html", path=path, message=str(err)))
    try:
        result = _render(site, page, "get", {}, {}, {}, SessionState())
    except TemplateError as render_err:
        return Served(500, error_page(site, render_err), error=render_err)
    return Served(404, result.html, CONTENT_TYPES.get(page.format, CONTENT_TYPES["html"]))


def error_page(site: Site, err: TemplateError) -> str:
    """A development server's error page: the error, its file and line, the source around."""
    source: list[tuple[int, str, bool]] = []
    if err.path and err.line:
        try:
            lines = (site.project.root / err.path).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            lines = []
        first = max(1, err.line - SOURCE_CONTEXT)
        for number in range(first, min(len(lines), err.line + SOURCE_CONTEXT) + 1):
            source.append((number, lines[number - 1], number == err.line))
    return site.render_template("error.html", error=err, location=err.location, source=source)


def _current_user(site: Site, user_id: int | None) -> dict[str, Any] | None:
    """`context.current_user` for the session's signed-in user, from the data layer."""
    data = site.data_layer()
    if user_id is None or data is None:
        return None
    row = data.store.get_user(user_id)
    if row is None:
        return None
    return {**row.fields, "id": str(row.id), "email": row.email,
            "properties": dict(row.properties)}
