"""Loads partials by their platform names, caching parsed templates until files change."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from liquid import BaseLoader, BoundTemplate, Environment
from liquid.exceptions import TemplateNotFoundError
from liquid.loader import TemplateSource

from posjobs.project import Project


class ProjectLoader(BaseLoader):
    """Loads partials by their platform names, caching parsed templates until files change."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._cache: dict[str, tuple[float, BoundTemplate]] = {}

    def get_source(
        self, env: Environment, template_name: str, *, context: Any = None, **kwargs: object
    ) -> TemplateSource:
        path = self.project.find_partial(template_name)
        if path is None:
            raise TemplateNotFoundError(self._not_found(template_name), token=None)
        file = self.project.read(path)
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
        path = self.project.find_partial(name)
        if path is None:
            raise TemplateNotFoundError(self._not_found(name), token=None)
        mtime = path.stat().st_mtime
        cached = self._cache.get(name)
        if cached and cached[0] == mtime:
            return cached[1]
        file = self.project.read(path)
        template = env.from_string(file.source, name=Path(file.name).name, path=file.name,
                                   globals=globals)
        self._cache[name] = (mtime, template)
        return template

    def exists(self, name: str) -> bool:
        return self.project.find_partial(name) is not None

    def _not_found(self, name: str) -> str:
        near = difflib.get_close_matches(name, self.project.partial_names(), n=3, cutoff=0.6)
        hint = f" (did you mean {', '.join(repr(n) for n in near)}?)" if near else ""
        return f"partial {name!r} not found{hint}"
