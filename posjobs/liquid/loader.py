"""Loads partials by their platform names, caching parsed templates until files change."""

from __future__ import annotations

import difflib
import os
from pathlib import Path
from typing import Any

from liquid import BaseLoader, BoundTemplate, Environment
from liquid.exceptions import LiquidSyntaxError, TemplateNotFoundError
from liquid.loader import TemplateSource

from posjobs.liquid import unclosed
from posjobs.liquid.context import without_front_matter
from posjobs.project import Project


class ProjectLoader(BaseLoader):
    """Loads partials by their platform names, caching parsed templates until files change."""

    def __init__(self, project: Project) -> None:
        self.project = project
        # name -> (file, its mtime, parsed template): parsed once, again only when edited.
        self._cache: dict[str, tuple[Path, float, BoundTemplate]] = {}
        # name -> file, for the render under way: a page with ten thousand background tags
        # resolves each name once; the next render sees files added meanwhile (an override).
        self._resolved: dict[str, Path] = {}

    def begin_render(self) -> None:
        self._resolved.clear()

    def get_source(
        self, env: Environment, template_name: str, *, context: Any = None, **kwargs: object
    ) -> TemplateSource:
        file = self.project.read(self._path(template_name))
        return TemplateSource(file.source, file.name, None, None)

    def load(
        self,
        env: Environment,
        name: str,
        *,
        globals: Any = None,
        context: Any = None,
        **kwargs: object,
    ) -> BoundTemplate:
        path = self._path(name)
        mtime = path.stat().st_mtime
        cached = self._cache.get(name)
        if cached is not None and cached[0] == path and cached[1] == mtime:
            return cached[2]
        file = self.project.read(path)
        try:
            parsed = env.from_string(file.source, name=Path(file.name).name, path=file.name,
                                     globals=globals)
        except LiquidSyntaxError as err:
            raise unclosed.explain(err, file.source, env) from None
        template = without_front_matter(parsed, file.matter_lines)
        self._cache[name] = (path, mtime, template)
        return template

    def exists(self, name: str) -> bool:
        try:
            self._path(name)
        except TemplateNotFoundError:
            return False
        return True

    def _path(self, name: str) -> Path:
        """The file a partial name resolves to (once per render)."""
        known = self._resolved.get(name)
        if known is not None:
            return known
        path = self.project.find_partial(name)
        if path is None:
            self._resolved.pop(name, None)
            raise TemplateNotFoundError(self._not_found(name), token=None)
        self._resolved[name] = path
        return path

    def _not_found(self, name: str) -> str:
        outside = self.project.partial_outside(name)
        if outside is not None:
            return (f"partial {name!r} is outside the project (a symbolic link to "
                    f"{os.path.realpath(outside)}); it is not rendered")
        near = difflib.get_close_matches(name, self.project.partial_names(), n=3, cutoff=0.6)
        hint = f" (did you mean {', '.join(repr(n) for n in near)}?)" if near else ""
        return f"partial {name!r} not found{hint}"
