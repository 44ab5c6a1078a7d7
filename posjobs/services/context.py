"""The `context` object: the full request context of a page, and the restricted copy jobs get."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

from posjobs.config import Settings
from posjobs.data.session import DataLayer
from posjobs.project import Page

# What a job's `context` keeps of the page's (tags.json, `background`: "you need to explicitly
# pass page/layout metadata ... as well as device and constants"): no params, session,
# current_user, headers, cookies, page/layout metadata, device or constants; its location
# without the request's query (location_without_params).
JOB_CONTEXT_KEYS = ("environment", "location", "globals", "language")
HOST = "localhost"


@dataclass
class Request:
    """What a page is rendered for: everything a browser would send, given on the command line."""

    params: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)  # as given: {"User-Agent": "x"}
    cookies: dict[str, str] = field(default_factory=dict)
    session: dict[str, Any] = field(default_factory=dict)
    user: dict[str, Any] | None = None
    user_id: int | None = None  # the signed-in user of the data layer, if any
    method: str | None = None  # default: the page's own
    environment: str | None = None  # default: posjobs.toml's
    language: str = "en"


def page_context(page: Page, request: Request, settings: Settings) -> dict[str, Any]:
    """The `context` a page sees, shaped like the platform's."""
    path = request_path(page, request)
    query = urlencode({k: v for k, v in request.params.items()
                       if isinstance(v, (str, int, float))})
    method = (request.method or page.method).upper()
    headers = {
        "HTTP_HOST": HOST,
        "PATH_INFO": path,
        "REQUEST_METHOD": method,
        "SERVER_NAME": HOST,
        "QUERY_STRING": query,
    }
    headers.update({_cgi_name(k): v for k, v in request.headers.items()})
    return {
        "params": dict(request.params),
        "session": dict(request.session),
        "current_user": request.user,
        "headers": headers,
        "cookies": dict(request.cookies),
        "location": location(path, query),
        "environment": request.environment or settings.environment,
        "constants": dict(settings.constants),
        "globals": dict(settings.globals),
        "language": request.language,
        "page": {
            "slug": page.slug,
            "format": page.format,
            "layout": page.layout,
            "metadata": page.metadata,
        },
        "device": {},
        "is_xhr": headers.get("HTTP_X_REQUESTED_WITH") == "XMLHttpRequest",
        "exports": {},
    }


def request_path(page: Page, request: Request) -> str:
    """The URL path of the request: the slug with its `:name` parts filled from params."""
    parts = []
    for part in page.slug.strip("/").split("/"):
        if part.startswith(":"):
            part = str(request.params.get(part[1:], part))
        parts.append(part)
    path = "/".join(p for p in parts if p)
    return f"/{path}"


def stored_constants(data: DataLayer) -> dict[str, str]:
    """Constants set with `constant_set`, which the platform shows in `context.constants`
    of later requests (over posjobs.toml's `[constants]`); none while no data is stored."""
    if not data.exists:
        return {}
    return data.store.constants()


def location(path: str, query: str) -> dict[str, Any]:
    """`context.location` as objects.json types it: `search` is the query as a hash (the
    platform's modules read `context.location.search.page`), the rest strings."""
    href = f"https://{HOST}{path}" + (f"?{query}" if query else "")
    return {"href": href, "url": href, "host": HOST, "pathname": path,
            "search": dict(parse_qsl(query))}


def job_context(context: dict[str, Any]) -> dict[str, Any]:
    """The restricted copy of a page's `context` its jobs get (JOB_CONTEXT_KEYS)."""
    restricted = {key: context[key] for key in JOB_CONTEXT_KEYS if key in context}
    where = restricted.get("location")
    if isinstance(where, dict):  # no request params reach a job through its location
        restricted["location"] = location(str(where.get("pathname") or "/"), "")
    return restricted


def _cgi_name(header: str) -> str:
    """`User-Agent` -> `HTTP_USER_AGENT`, as the platform's `context.headers` names them."""
    name = header.strip().upper().replace("-", "_")
    if name in ("CONTENT_TYPE", "CONTENT_LENGTH") or name.startswith("HTTP_"):
        return name
    return f"HTTP_{name}"
