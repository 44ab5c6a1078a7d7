"""The `context` object: the full request context of a page, and the restricted copy jobs get."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from posjobs.config import Settings
from posjobs.project import Page

# What a job's `context` keeps of the page's (the platform's rule): no params, session,
# current_user, headers, cookies, page/layout metadata or device.
JOB_CONTEXT_KEYS = ("environment", "location", "constants", "globals", "language")


def page_context(page: Page, params: dict[str, Any], settings: Settings) -> dict[str, Any]:
    path = "/" if page.slug == "/" else f"/{page.slug}"
    query = urlencode({k: v for k, v in params.items() if isinstance(v, (str, int, float))})
    host = "localhost"
    return {
        "params": dict(params),
        "session": {},
        "current_user": None,
        "headers": {
            "HTTP_HOST": host,
            "PATH_INFO": path,
            "REQUEST_METHOD": page.method.upper(),
            "SERVER_NAME": host,
        },
        "cookies": {},
        "location": {
            "href": f"https://{host}{path}" + (f"?{query}" if query else ""),
            "host": host,
            "pathname": path,
            "search": f"?{query}" if query else "",
        },
        "environment": settings.environment,
        "constants": dict(settings.constants),
        "globals": dict(settings.globals),
        "language": "en",
        "page": {
            "slug": page.slug,
            "format": page.format,
            "layout": page.layout,
            "metadata": page.metadata,
        },
        "device": {},
        "is_xhr": False,
    }


def job_context(context: dict[str, Any]) -> dict[str, Any]:
    return {key: context[key] for key in JOB_CONTEXT_KEYS if key in context}
