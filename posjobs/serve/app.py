"""The server's Starlette app: the dashboard under `/_posjobs/`, the project's pages elsewhere."""

from __future__ import annotations

import json
import threading
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request as HttpRequest
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route

from posjobs.clock import Clock, iso
from posjobs.config import Settings
from posjobs.errors import StoreError
from posjobs.project import Project
from posjobs.serve import dashboard
from posjobs.serve.pages import PageTable, page_endpoint
from posjobs.serve.security import DashboardGuard, Signer, project_secret
from posjobs.store.base import Store

if TYPE_CHECKING:
    from posjobs.data import DataLayer
    from posjobs.liquid import Dialect

DASHBOARD = "/_posjobs"
ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


@dataclass
class Site:
    """Everything a request needs: the project, its stores, and the server's own parts."""

    project: Project
    store: Store
    settings: Settings
    clock: Clock
    store_url: str
    data_path: str | None = None  # the data layer's file; None runs pages without one
    notice: Callable[[str], None] = lambda _message: None
    # Listening on loopback only: the dashboard then answers only to loopback Host names.
    loopback_only: bool = True
    signer: Signer = field(init=False)
    # Pages render one at a time on this thread: it owns the data layer's connection (an
    # SQLite connection belongs to the thread that opened it) and keeps renders serial, as
    # their data transactions share that connection.
    renderer: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="posjobs-render"))
    stopping: threading.Event = field(default_factory=threading.Event)
    jinja: Environment = field(init=False)
    page_table: PageTable = field(init=False)
    _data: DataLayer | None = None
    _dialect: Dialect | None = None

    def __post_init__(self) -> None:
        self.signer = Signer(project_secret(self.project.root / ".posjobs"))
        self.page_table = PageTable(self.project)
        self.jinja = Environment(
            loader=PackageLoader("posjobs.serve", "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
            trim_blocks=True, lstrip_blocks=True,
        )
        self.jinja.globals.update(base=DASHBOARD, csrf_token=self.signer.csrf_token,
                                  project=self.project)
        self.jinja.filters["iso"] = iso
        self.jinja.filters["dumps"] = _dumps

    def data_layer(self) -> DataLayer | None:
        """The data layer, opened on first use (call it on the renderer thread only)."""
        if self._data is None and self.data_path is not None:
            from posjobs.data import DataLayer

            self._data = DataLayer(self.project, self.data_path)
        return self._data

    def dialect(self) -> Dialect:
        """The Liquid dialect, built once (its loader re-reads a partial or layout when the
        file changes, so edits are seen on the next request); renderer thread only."""
        if self._dialect is None:
            from posjobs.liquid import Dialect

            self._dialect = Dialect(self.project)
        return self._dialect

    def render_template(self, name: str, **values: Any) -> str:
        return self.jinja.get_template(name).render(**values)

    def close(self) -> None:
        def close_data() -> None:
            if self._data is not None:
                self._data.close()
                self._data = None

        self.renderer.submit(close_data).result()
        self.renderer.shutdown()


def _dumps(value: Any, indent: int | None = None) -> str:
    """JSON as text for a page (escaped there like any other text)."""
    return json.dumps(value, ensure_ascii=False, indent=indent, default=str)


def create_app(site: Site) -> Starlette:
    """The ASGI app of `posjobs serve`."""
    app = Starlette(
        routes=[
            Mount(DASHBOARD, routes=dashboard.routes(),
                  middleware=[Middleware(DashboardGuard)]),
            Route("/{path:path}", page_endpoint, methods=ALL_METHODS),
        ],
        exception_handlers={StoreError: _store_unavailable, Exception: _internal_error},
    )
    app.state.site = site
    return app


async def _store_unavailable(request: HttpRequest, err: Exception) -> Response:
    """The store failing (a server away, a lock held long): not a fault of posjobs, so a
    503 saying why, in the shape asked for, and one line on the server's terminal."""
    site: Site = request.app.state.site
    message = err.message if isinstance(err, StoreError) else str(err)
    hint = err.hint if isinstance(err, StoreError) else None
    site.notice(f"{request.method} {request.url.path} 503: {message}")
    if request.url.path.startswith(f"{DASHBOARD}/api/"):
        return JSONResponse({"error": message, **({"hint": hint} if hint else {})},
                            status_code=503)
    return HTMLResponse(site.render_template("message.html", request=request,
                                             title="The store is unavailable",
                                             message=message, hint=hint), status_code=503)


async def _internal_error(request: HttpRequest, err: Exception) -> Response:
    """A fault of posjobs itself (never a user's mistake): a plain 500, the traceback only on
    the server's terminal."""
    site: Site = request.app.state.site
    site.notice(f"{request.method} {request.url.path}: internal error\n"
                + "".join(traceback.format_exception(err)))
    return HTMLResponse(site.render_template("error.html", error=None, location=None,
                                             source=[]), status_code=500)
