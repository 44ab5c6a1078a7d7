"""The project's translation files (app's and modules') as the `t` and `l` filters read them."""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from liquid import RenderContext

from posjobs.liquid.context import run_of
from posjobs.liquid.filters.support import fail, is_nil, to_s
from posjobs.project import MODULE_SCOPES, Project

DEFAULT_LOCALE = "en"


class _Loaded:
    def __init__(self, signature: tuple[tuple[str, float], ...], tree: dict[str, Any]) -> None:
        self.signature = signature
        self.tree = tree
        self.checked_by: weakref.ref[Any] | None = None


_CACHE: dict[Path, _Loaded] = {}


def project_of(context: RenderContext) -> Project | None:
    project = getattr(context.env.loader, "project", None)
    return project if isinstance(project, Project) else None


def current_locale(context: RenderContext, explicit: object = None) -> str:
    """The `locale:` argument, else the context's language, else English."""
    if not is_nil(explicit) and explicit != "":
        return to_s(explicit)
    language = run_of(context).job_context.get("language")
    return to_s(language) if language else DEFAULT_LOCALE


def lookup(context: RenderContext, locale: str, key: str) -> object:
    """The value at `key` (dotted; `modules/<name>/a.b` for a module's) in `locale`, or None."""
    tree = _translations(context)
    namespace = ""
    if key.startswith("modules/"):
        parts = key.split("/", 2)
        if len(parts) == 3:
            namespace, key = f"modules/{parts[1]}", parts[2]
    node: object = tree.get(namespace, {}).get(locale)
    for part in key.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def date_names(context: RenderContext, locale: str) -> dict[str, list[str]]:
    """Day and month names of `locale` (`date.day_names`...), where the translations have them."""
    names: dict[str, list[str]] = {}
    for field in ("day_names", "abbr_day_names", "month_names", "abbr_month_names"):
        value = lookup(context, locale, f"date.{field}")
        if isinstance(value, list):
            items = [to_s(v) for v in value if not is_nil(v)]  # Rails lists start with nil
            if len(items) in (7, 12):
                names[field] = items
    return names


def _translations(context: RenderContext) -> dict[str, dict[str, Any]]:
    """Every translation file of the project, merged per namespace and locale.

    Re-read when a file changes; checked once per render, not once per lookup.
    """
    project = project_of(context)
    if project is None:
        return {}
    run = run_of(context)
    loaded = _CACHE.get(project.root)
    if loaded is not None and loaded.checked_by is not None and loaded.checked_by() is run:
        return loaded.tree
    files = list(_files(project))
    signature = tuple((str(path), path.stat().st_mtime) for _ns, path in files)
    if loaded is None or loaded.signature != signature:
        loaded = _Loaded(signature, _load(project, files))
        _CACHE[project.root] = loaded
    loaded.checked_by = weakref.ref(run)
    return loaded.tree


def _files(project: Project) -> list[tuple[str, Path]]:
    roots: list[tuple[str, Path]] = [("", project.root / "app" / "translations")]
    for base in (project.root / "modules", project.root / "app" / "modules"):
        if base.is_dir():
            for module in sorted(p for p in base.iterdir() if p.is_dir()):
                for scope in MODULE_SCOPES:
                    roots.append((f"modules/{module.name}", module / scope / "translations"))
    found = []
    for namespace, root in roots:
        if root.is_dir():
            for path in sorted(root.rglob("*.yml")):
                found.append((namespace, path))
    return found


def _load(project: Project, files: list[tuple[str, Path]]) -> dict[str, dict[str, Any]]:
    import yaml

    tree: dict[str, dict[str, Any]] = {}
    for namespace, path in files:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, OSError, UnicodeDecodeError) as err:
            fail("t", f"translation file {project.relative(path)} cannot be read: {err}")
        if isinstance(data, dict):
            _merge(tree.setdefault(namespace, {}), {to_s(k): v for k, v in data.items()})
    return tree


def _merge(into: dict[str, Any], data: Mapping[str, Any]) -> None:
    for key, value in data.items():
        if isinstance(value, Mapping) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = dict(value) if isinstance(value, Mapping) else value
