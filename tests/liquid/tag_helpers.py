"""Rendering pages and jobs through the real dialect, for the tag tests.

    page = Pages(tmp_path, {"app/views/partials/x.liquid": "..."})
    out = page("{% render 'x' %}")        # out.html, out.run (RunState), out.context
    err = page.error("{% nope %}")         # the TemplateError, with .path, .line, .message
    out = page("...", job=True)            # renders as a job attempt (run.job is set)
"""

from __future__ import annotations

import itertools
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from posjobs.clock import ManualClock
from posjobs.data import DataLayer
from posjobs.errors import TemplateError
from posjobs.liquid import Dialect, JobInfo, RunState
from tests.conftest import T0, write_project

PAGE = "app/views/pages/t.liquid"
JOB = JobInfo(id=41, source_name="test job", attempt=1, max_attempts=1, priority="default")


@dataclass
class Rendered:
    html: str
    run: RunState
    context: dict[str, Any]  # the platform `context` object the render wrote to


class Pages:
    """Renders snippets as the page `app/views/pages/t.liquid` of a project of `files`."""

    def __init__(self, root: Path, files: dict[str, str] | None = None) -> None:
        self.project = write_project(root / "project", files or {})
        self.dialect = Dialect(self.project)
        # The project's data, on a real SQLite file; each render commits what it wrote.
        self.data = DataLayer(self.project, root / "project" / ".posjobs" / "data.db")

    def __call__(
        self,
        source: str,
        *,
        job: bool = False,
        context: dict[str, Any] | None = None,
        run: RunState | None = None,
        **variables: Any,
    ) -> Rendered:
        context = context if context is not None else {"session": {}, "language": "en"}
        run = run or self.new_run(job=job, language=context.get("language", "en"))
        template = self.dialect.parse_source(textwrap.dedent(source).strip("\n"), PAGE)
        try:
            html = self.dialect.render(template, run, context=context, variables=variables)
        except BaseException:
            if run.data is not None:
                run.data.rollback()
            raise
        if run.data is not None:
            run.data.commit()
        return Rendered(html, run, context)

    def new_run(self, *, job: bool = False, language: str = "en") -> RunState:
        """A fresh run of the page (or, with `job`, of a job attempt)."""
        ids = itertools.count(1)
        clock = ManualClock(T0)
        run = RunState(
            clock=clock, reserve_id=lambda: next(ids),
            job_context={"language": language},
            page=None if job else PAGE, job=JOB if job else None,
        )
        run.data = self.data.session(
            clock, log=lambda type_, message: run.log(type_, message, PAGE, None),
            notifications=self.dialect)
        return run

    def error(self, source: str, **kwargs: Any) -> TemplateError:
        """The error parsing or rendering `source` raises (fails the test if it renders)."""
        with pytest.raises(TemplateError) as caught:
            self(source, **kwargs)
        return caught.value
