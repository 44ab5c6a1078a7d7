"""`admin_liquid_partials` and `admin_pages`, answered from the project's own files.

A partial's `path` is its platform name: `consumers/order_created/send_receipt` for
`app/lib/consumers/order_created/send_receipt.liquid`, `modules/core/events/x` for
`modules/core/public/lib/events/x.liquid` (pos-module-core finds event consumers and event
checks this way); its `metadata` is its front matter's `metadata`. Ids are stable numbers
derived from the path, and times are the file's modification time.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from posjobs.data.graphql import resolver
from posjobs.data.resolvers.common import any_of, date_filter, id_filter, sorts, text_filter
from posjobs.data.resolvers.listing import select, unsupported
from posjobs.data.session import DataSession
from posjobs.data.tables import DataError, iso_time
from posjobs.errors import PosjobsError
from posjobs.project import FRONT_MATTER, MODULE_SCOPES, Page, Project, TemplateFile
from posjobs.store.data.base import Filter

PARTIAL_KINDS = ("views/partials", "lib")
_SUFFIXES = (".html.liquid", ".liquid")


def _stable_id(text: str) -> int:
    return zlib.crc32(text.encode("utf-8"))


def _read(project: Project, path: Path) -> TemplateFile:
    try:
        return project.read(path)
    except PosjobsError as err:
        raise DataError(str(err)) from None


def _content(file: TemplateFile) -> str:
    """The file's text after its front matter, as the platform stores a body."""
    raw = file.path.read_text(encoding="utf-8")
    match = FRONT_MATTER.match(raw)
    return raw[match.end():] if match else raw


@dataclass
class PartialFile:
    """A liquid partial of the project, read only as far as a query asks."""

    project: Project
    path: str  # the platform name
    file: Path

    @property
    def physical_file_path(self) -> str:
        return self.project.relative(self.file)

    @cached_property
    def template(self) -> TemplateFile:
        return _read(self.project, self.file)

    @property
    def modified(self) -> float:
        return self.file.stat().st_mtime

    def values(self) -> dict[str, Any]:
        return {"id": _stable_id(self.path), "path": self.path,
                "physical_file_path": self.physical_file_path, "created_at": self.modified,
                "updated_at": self.modified}


def partial_files(project: Project) -> list[PartialFile]:
    """Every partial, once per name (where two files share one, the one `include` would
    load), in name order."""
    found: dict[str, PartialFile] = {}
    root = project.root
    bases: list[tuple[str, Path]] = [("", root / "app" / kind) for kind in PARTIAL_KINDS]
    modules = sorted({p.name for base in (root / "app" / "modules", root / "modules")
                      if base.is_dir() for p in base.iterdir() if p.is_dir()})
    for module in modules:
        for owner in (root / "app" / "modules" / module, root / "modules" / module):
            bases += [(f"modules/{module}/", owner / scope / kind)
                      for scope in MODULE_SCOPES for kind in PARTIAL_KINDS]
    for prefix, base in bases:
        for file in _liquid_files(base):
            relative = file.relative_to(base).as_posix()
            name = prefix + next(relative[: -len(s)] for s in _SUFFIXES if relative.endswith(s))
            found.setdefault(name, PartialFile(project, name, file))
    return [found[name] for name in sorted(found)]


def _liquid_files(base: Path) -> Iterator[Path]:
    if not base.is_dir():
        return
    for folder, _dirs, files in os.walk(base):
        for name in sorted(files):
            if name.endswith(".liquid"):
                yield Path(folder) / name


@resolver("RootQuery", "admin_liquid_partials")
def resolve_admin_liquid_partials(_root: None, info: Any, per_page: int = 20, page: int = 1,
                                  filter: Mapping[str, Any] | None = None,
                                  sort: Sequence[Mapping[str, Any]] | None = None, **_: Any
                                  ) -> dict[str, Any]:
    data: DataSession = info.context
    filters = _partial_filters(filter)
    order = sorts(sort, {"id": "id", "path": "path", "physical_file_path": "physical_file_path",
                         "created_at": "created_at", "updated_at": "updated_at"})
    wants_body = _mentions(filter, "body")

    def values(partial: PartialFile) -> dict[str, Any]:
        found = partial.values()
        if wants_body:
            found["body"] = _content(partial.template)
        return found

    return select(partial_files(data.project), values, filters, order, page, per_page)


def _mentions(spec: Mapping[str, Any] | None, key: str) -> bool:
    if not spec:
        return False
    return spec.get(key) is not None or any(_mentions(b, key) for b in spec.get("or") or ())


def _partial_filters(spec: Mapping[str, Any] | None) -> list[Filter]:
    if not spec:
        return []
    unsupported(spec, ("path", "physical_file_path", "body", "id", "created_at", "updated_at",
                       "or"), "admin_liquid_partials")
    found: list[Filter] = []
    for column in ("path", "physical_file_path", "body"):
        found += text_filter({"column": column}, spec.get(column))
    found += id_filter("id", spec.get("id"))
    for column in ("created_at", "updated_at"):
        found += date_filter(column, spec.get(column))
    found += any_of(spec.get("or"), _partial_filters)
    return found


@resolver("LiquidPartial", "id")
def _partial_id(partial: PartialFile, _info: Any, **_: Any) -> int:
    return _stable_id(partial.path)


@resolver("LiquidPartial", "physical_file_path")
def _partial_file(partial: PartialFile, _info: Any, **_: Any) -> str:
    return partial.physical_file_path


@resolver("LiquidPartial", "body")
def _partial_body(partial: PartialFile, _info: Any, **_: Any) -> str:
    return _content(partial.template)


@resolver("LiquidPartial", "metadata")
def _partial_metadata(partial: PartialFile, _info: Any, **_: Any) -> dict[str, Any]:
    meta = partial.template.matter.get("metadata")
    return meta if isinstance(meta, dict) else {}


@resolver("LiquidPartial", "format")
def _partial_format(partial: PartialFile, _info: Any, **_: Any) -> str:
    return partial.template.matter.get("format") or "html"


for _field in ("created_at", "updated_at"):
    resolver("LiquidPartial", _field)(lambda partial, _info, **_: iso_time(partial.modified))
resolver("LiquidPartial", "manually_managed")(lambda _partial, _info, **_: False)


# --- admin_pages -------------------------------------------------------------------------
_PAGE_FILTERS = ("slug", "physical_file_path", "layout", "layout_name", "content", "id",
                 "format", "request_method", "redirect_to", "created_at", "updated_at", "or")


def _page_row(project: Project, page: Page) -> dict[str, Any]:
    matter = page.file.matter
    modified = iso_time(page.file.path.stat().st_mtime)
    content = _content(page.file)
    return {
        "id": _stable_id(page.file.name), "slug": page.slug, "format": page.format,
        "request_method": page.method, "layout": page.layout or "",
        "layout_name": page.layout or "", "physical_file_path": page.file.name,
        "metadata": page.metadata, "content": content,
        # posjobs does not convert a page's markdown: html_content is its content.
        "html_content": content,
        "redirect_to": matter.get("redirect_to"), "redirect_code": matter.get("redirect_code"),
        "response_headers": matter.get("response_headers"),
        "searchable": bool(matter.get("searchable", False)), "handler": None,
        "max_deep_level": matter.get("max_deep_level"), "manually_managed": False,
        "created_at": modified, "updated_at": modified, "content_updated_at": modified,
        "deleted_at": None, "authorization_policies": [],
        "_mtime": page.file.path.stat().st_mtime,
    }


@resolver("RootQuery", "admin_pages")
def resolve_admin_pages(_root: None, info: Any, per_page: int = 20, page: int = 1,
                        filter: Mapping[str, Any] | None = None,
                        sort: Sequence[Mapping[str, Any]] | None = None,
                        name: str | None = None, metadata: str | None = None,
                        has_key: str | None = None, value: str | None = None,
                        exclude: bool | None = None, **_: Any) -> dict[str, Any]:
    data: DataSession = info.context
    given = {"name": name, "metadata": metadata, "has_key": has_key, "value": value,
             "exclude": exclude}
    unsupported(given, (), "admin_pages")
    rows = [_page_row(data.project, p) for p in data.project.pages(broken=[])]
    order = sorts(sort, {"id": "id", "slug": "slug", "physical_file_path": "physical_file_path",
                         "redirect_to": "redirect_to", "redirect_code": "redirect_code",
                         "created_at": "_mtime", "updated_at": "_mtime",
                         "content_updated_at": "_mtime"})
    return select(rows, _page_values, _page_filters(filter), order, page, per_page)


def _page_values(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "created_at": row["_mtime"], "updated_at": row["_mtime"]}


def _page_filters(spec: Mapping[str, Any] | None) -> list[Filter]:
    if not spec:
        return []
    unsupported(spec, _PAGE_FILTERS, "admin_pages")
    found: list[Filter] = []
    for column in ("slug", "physical_file_path", "layout", "content", "redirect_to"):
        found += text_filter({"column": column}, spec.get(column))
    found += text_filter({"column": "layout"}, spec.get("layout_name"))
    found += id_filter("id", spec.get("id"))
    for column in ("format", "request_method"):
        found += text_filter({"column": column}, spec.get(column))
    for column in ("created_at", "updated_at"):
        found += date_filter(column, spec.get(column))
    found += any_of(spec.get("or"), _page_filters)
    return found
