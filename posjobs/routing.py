"""Which page a request reaches: slug, method and format together, as the platform routes.

`sessions` with DELETE reaches the page whose front matter says `method: delete`, not the
POST page that shares its slug; `_tests/run_async.js` reaches `run_async.js.liquid` and
`_tests/run_async` the HTML page. A slug with `:name` parts (`orders/:id`) matches any
value there; the most specific pattern wins.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import TYPE_CHECKING

from posjobs.errors import PageNotFound

if TYPE_CHECKING:
    from posjobs.project import Page

# The formats a request path may end with (`/export.csv`); anything else is part of the slug.
FORMATS = frozenset({"html", "json", "js", "xml", "csv", "txt", "css", "rss", "ics", "pdf",
                     "svg", "text", "atom", "vcf"})


def route(pages: Sequence[Page], name: str, method: str | None) -> tuple[Page, dict[str, str]]:
    """The page `name` (a request path: slug, optionally `.format`) reaches with `method`
    (None: the page's own, GET first), and the parameters its slug pattern takes."""
    readings = _readings(normalise(name))
    # A page's own slug first (`robots.txt` may be one), then slug patterns, the
    # `.format` reading first (`orders/7.json` is `orders/:id` as JSON).
    tries: list[tuple[str, str | None, list[Page], dict[str, str]]] = [
        (s, f, [p for p in pages if p.slug == s], {}) for s, f in readings]
    tries += [(s, f, *_pattern_matches(pages, s)) for s, f in reversed(readings)]
    first_miss: PageNotFound | None = None
    for _slug, wanted_format, at_slug, params in tries:
        if at_slug:
            page = _choose(at_slug, wanted_format, method)
            if page is not None:
                return page, params
            # Not for this method or format: a slug pattern further on may take the
            # request (GET orders/create reaches orders/:id when create is POST only).
            first_miss = first_miss or PageNotFound(
                f"no page {name!r} for {_request(method, wanted_format)}",
                hint="pages at this slug: " + ", ".join(_describe(p) for p in at_slug))
    if first_miss is not None:
        raise first_miss
    raise PageNotFound(f"no page {name!r}", hint=_near(pages, name))


def normalise(name: str) -> str:
    slug = name.strip().strip("/")
    return slug or "/"


def _readings(slug: str) -> list[tuple[str, str | None]]:
    """The slug as written (any format), then without a `.format` ending it has."""
    readings: list[tuple[str, str | None]] = [(slug, None)]
    stem, dot, suffix = slug.rpartition(".")
    if dot and stem and "/" not in suffix and suffix.lower() in FORMATS:
        readings.append((normalise(stem), suffix.lower()))
    return readings


def _pattern_matches(pages: Sequence[Page], slug: str) -> tuple[list[Page], dict[str, str]]:
    """The pages of the most specific slug pattern (fewest parameters) matching `slug`."""
    best: list[Page] = []
    best_params: dict[str, str] | None = None
    for page in pages:
        params = slug_params(page.slug, slug)
        if params is None:
            continue
        if best_params is None or len(params) < len(best_params):
            best, best_params = [page], params
        elif len(params) == len(best_params) and page.slug == best[0].slug:
            best.append(page)
    return best, best_params or {}


def slug_params(pattern: str, slug: str) -> dict[str, str] | None:
    """`{"id": "7"}` for pattern `orders/:id` and slug `orders/7`; None if they differ."""
    wanted, given = pattern.split("/"), slug.split("/")
    if len(wanted) != len(given) or not any(p.startswith(":") for p in wanted):
        return None
    params = {}
    for part, value in zip(wanted, given, strict=True):
        if part.startswith(":"):
            params[part[1:]] = value
        elif part != value:
            return None
    return params


def _choose(at_slug: list[Page], fmt: str | None, method: str | None) -> Page | None:
    """The page for `fmt` (None: HTML, or the slug's only page) and `method` (None: GET, or
    the only page left)."""
    if fmt is None:
        html = [p for p in at_slug if p.format == "html"]
        candidates = html or (at_slug if len({p.format for p in at_slug}) == 1 else [])
    else:
        candidates = [p for p in at_slug if p.format == fmt]
    if method is not None:
        chosen = [p for p in candidates if p.method == method.lower()]
    else:
        chosen = [p for p in candidates if p.method == "get"] or (
            candidates if len(candidates) == 1 else [])
    return chosen[0] if chosen else None


def _request(method: str | None, fmt: str | None) -> str:
    return f"{(method or 'GET').upper()} ({fmt or 'html'})"


def _describe(page: Page) -> str:
    return f"{page.method.upper()} {page.slug} ({page.format}: {page.file.name})"


def _near(pages: Sequence[Page], name: str) -> str | None:
    """Names close to `name` that would reach a page, each once, never `name` itself: slugs
    (with the format when it is not HTML: `export.csv`), and file paths for pages whose file
    name is what comes close (`indx` -> `app/views/pages/index.liquid`, whose slug is `/`);
    else a few pages."""
    typed = name.strip("/")
    suggestions: dict[str, str] = {}
    for page in pages:
        routed = page.slug if page.format == "html" or page.slug == "/" else (
            f"{page.slug}.{page.format}")
        suggestions.setdefault(routed, routed)
        stem = page.file.path.name.split(".")[0]
        suggestions.setdefault(stem, page.file.name)
        suggestions.setdefault(page.file.name, page.file.name)
    near: list[str] = []
    for match in difflib.get_close_matches(typed, sorted(suggestions), n=6, cutoff=0.5):
        suggestion = suggestions[match]
        if suggestion not in near and suggestion.strip("/") != typed:
            near.append(suggestion)
    if near:
        return "did you mean " + ", ".join(repr(n) for n in near[:3]) + "?"
    if pages:
        return "pages: " + ", ".join(sorted({p.slug for p in pages})[:8])
    return None
