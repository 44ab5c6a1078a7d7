"""Rendering Liquid snippets through the real dialect: one call renders, one call gets the error."""

from __future__ import annotations

import random
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from posjobs.clock import ManualClock
from posjobs.errors import TemplateError
from posjobs.liquid import Dialect, RunState
from posjobs.project import Project

TEMPLATE = "app/views/pages/t.liquid"


@dataclass
class Renderer:
    """Renders snippets as the page `app/views/pages/t.liquid` of a project."""

    make_project: Callable[[dict[str, str]], Project]
    clock: ManualClock
    files: dict[str, str] = field(default_factory=dict)
    seed: int = 7
    language: str = "en"
    _dialect: Dialect | None = None

    def with_files(self, files: dict[str, str]) -> Renderer:
        """The same renderer over a project that also holds `files`."""
        self.files = {**self.files, **files}
        self._dialect = None
        return self

    @property
    def dialect(self) -> Dialect:
        if self._dialect is None:
            self._dialect = Dialect(self.make_project(self.files))
        return self._dialect

    def run(self) -> RunState:
        run = RunState(clock=self.clock, reserve_id=lambda: 1,
                       job_context={"language": self.language})
        run.rng = random.Random(self.seed)
        return run

    def __call__(self, source: str, **variables: Any) -> str:
        text = textwrap.dedent(source).rstrip()
        text = text[1:] if text.startswith("\n") else text  # a triple-quoted source's first line
        template = self.dialect.parse_source(text, TEMPLATE)
        context = variables.pop("context", {})
        return self.dialect.render(template, self.run(), context=context, variables=variables)

    def error(self, source: str, **variables: Any) -> TemplateError:
        """The error rendering `source` raises (fails the test if it renders)."""
        with pytest.raises(TemplateError) as caught:
            self(source, **variables)
        return caught.value


@pytest.fixture
def render(make_project: Callable[[dict[str, str]], Project], clock: ManualClock) -> Renderer:
    return Renderer(make_project, clock)
