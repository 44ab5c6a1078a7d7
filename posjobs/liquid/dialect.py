"""The platformOS Liquid dialect on python-liquid: one environment per project."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from liquid import BoundTemplate, Environment
from liquid.exceptions import LiquidError, LiquidSyntaxError

from posjobs.errors import TemplateError
from posjobs.liquid import unclosed
from posjobs.liquid.compat import RubyCompatible
from posjobs.liquid.context import (
    PosContext,
    PosTemplate,
    output_buffer,
    without_front_matter,
)
from posjobs.liquid.deadline import deadline
from posjobs.liquid.loader import ProjectLoader
from posjobs.liquid.run import RunState
from posjobs.project import Project, TemplateFile


@dataclass(frozen=True)
class Limits:
    """Resource limits applied to every render, page or job (python-liquid's own limits)."""

    loop_iterations: int = 1_000_000
    output_bytes: int = 20_000_000
    namespace_bytes: int = 20_000_000
    context_depth: int = 30
    render_seconds: float | None = 60.0  # a page render's wall clock (jobs: their time limit)


def _environment_class(limits: Limits) -> type[Environment]:
    class PosEnvironment(RubyCompatible):
        template_class = PosTemplate
        loop_iteration_limit = limits.loop_iterations
        output_stream_limit = limits.output_bytes
        local_namespace_limit = limits.namespace_bytes
        context_depth_limit = limits.context_depth

    return PosEnvironment


class Dialect:
    """Parses and renders a project's templates with the platform's tags and filters."""

    def __init__(self, project: Project, limits: Limits | None = None) -> None:
        from posjobs.liquid import filters, tags

        self.project = project
        self.limits = limits or _limits(project)
        self.loader = ProjectLoader(project)
        self.env = _environment_class(self.limits)(loader=self.loader)
        # The runs being rendered, innermost last: a notification sent during a render
        # (`email_send` in a page or job) is rendered in that run.
        self._runs: list[RunState] = []
        tags.register(self.env)
        filters.register(self.env)

    # --- parsing ------------------------------------------------------------------------------
    def parse(self, file: TemplateFile) -> BoundTemplate:
        """Parse a template file; a syntax error becomes a `TemplateError` at path:line:col."""
        return without_front_matter(self.parse_source(file.source, file.name),
                                    file.matter_lines)

    def parse_source(self, source: str, name: str, line: int = 1, column: int = 0) -> BoundTemplate:
        """Parse source that starts at `line`:`column` of the template `name`."""
        padded = "\n" * (line - 1) + " " * column + source
        try:
            return self.env.from_string(padded, name=Path(name).name, path=name)
        except LiquidSyntaxError as err:
            raise to_template_error(unclosed.explain(err, padded, self.env), name) from None
        except LiquidError as err:
            raise to_template_error(err, name) from None

    def layout(self, name: str, page: str, *, context: dict[str, Any] | None = None
               ) -> BoundTemplate:
        """The layout `name` names; a name holding Liquid (the platform's modules write
        `layout: "{{ context.constants['modules/user/LAYOUT'] | default: 'application' }}"`)
        is rendered first, with `context` as the platform `context` object."""
        if "{{" in name or "{%" in name:
            name = self.layout_name(name, page, context or {})
        path = self.project.find_layout(name)
        if path is None:
            raise TemplateError(f"layout {name!r} not found", path=page, line=1,
                                error_class="LayoutNotFound",
                                hint="set `layout: ''` in the front matter for no layout")
        return self.parse(self.project.read(path))

    def layout_name(self, name: str, page: str, context: dict[str, Any]) -> str:
        """A layout name written as Liquid, rendered (errors name the page)."""
        template = self.parse_source(name, page)
        try:
            return template.render(context=context).strip()
        except LiquidError as err:
            raise to_template_error(err, page) from None

    # --- rendering ----------------------------------------------------------------------------
    def render(
        self,
        template: BoundTemplate,
        run: RunState,
        *,
        context: dict[str, Any],
        variables: dict[str, Any] | None = None,
    ) -> str:
        """Render with the platform's global `context` object and `variables` as the
        template's own local variables (not seen by `render` and `function` partials, as on
        the platform); errors become `TemplateError`."""
        self.loader.begin_render()
        liquid_context = PosContext(template, globals={"context": context}, run=run)
        liquid_context.locals.update(variables or {})
        buffer = output_buffer(self.limits.output_bytes)
        self._runs.append(run)
        limit = self.limits.render_seconds if run.job is None else None
        try:
            with deadline(limit):
                template.render_with_context(liquid_context, buffer)
        except LiquidError as err:
            raise to_template_error(err, str(template.path or template.name)) from None
        finally:
            self._runs.pop()
        return buffer.getvalue()

    def render_partial(
        self,
        name: str,
        run: RunState,
        *,
        context: dict[str, Any],
        variables: dict[str, Any] | None = None,
    ) -> str:
        try:
            template = self.env.get_template(name)
        except LiquidError as err:
            raise to_template_error(err, name) from None
        return self.render(template, run, context=context, variables=variables)

    def render_notification(self, kind: str, name: str, data: Mapping[str, Any]
                            ) -> dict[str, Any]:
        """Render the project's notification `name` ("email" or "api_call") with `data`, in
        the run being rendered (the data layer's `NotificationRenderer`)."""
        from posjobs.liquid.notifications import render_notification

        return render_notification(self, self._runs[-1] if self._runs else None, kind, name,
                                   data)


_PARSE_BUG = "unexpected liquid parsing error"  # python-liquid's wrapper of a Python exception


def to_template_error(err: LiquidError, fallback_name: str) -> TemplateError:
    """A python-liquid error as posjobs reports it: message and path:line:col."""
    cause = err.__cause__
    if (err.message == _PARSE_BUG and cause is not None
            and not isinstance(cause, LiquidError)):
        # python-liquid hides a Python exception raised while parsing behind "unexpected
        # liquid parsing error": it is a bug in a tag, so say which.
        return TemplateError(f"{type(cause).__name__}: {cause}", path=fallback_name,
                             error_class="InternalError")
    where = err.context()
    line = column = None
    source_line = None
    if where is not None:
        line, column, _prev, source_line, _next = where
        column += 1
    name = str(err.template_name) if err.template_name else fallback_name
    message = str(err.message) if err.message is not None else type(err).__name__
    return TemplateError(message, path=name, line=line, column=column, source_line=source_line,
                         error_class=type(err).__name__)


def _limits(project: Project) -> Limits:
    """The project's limits: `[limits]` and `[time_limits] render` in posjobs.toml."""
    from posjobs.config import Settings
    from posjobs.errors import UsageError

    try:
        settings = Settings.load(project.root)
    except UsageError:
        return Limits()  # the command that loads the settings reports the mistake
    liquid = settings.limits
    return Limits(loop_iterations=liquid.loop_iterations, output_bytes=liquid.output_bytes,
                  namespace_bytes=liquid.namespace_bytes, context_depth=liquid.context_depth,
                  render_seconds=settings.time_limits.render)
