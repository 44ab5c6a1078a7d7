"""The checks on one parsed template: filters, partial and layout names, every background tag."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Collection, Iterator
from pathlib import Path

from posjobs.errors import TemplateError
from posjobs.jobs.options import OPTION_NAMES, OptionError, parse_options
from posjobs.liquid.tags.background import BackgroundNode
from posjobs.liquid.tags.graphql import GraphqlNode
from posjobs.liquid.tags.include_form import IncludeFormNode
from posjobs.liquid.tags.theme_render import ThemeRenderNode, _configured_paths
from posjobs.project import Project, TemplateFile
from posjobs.services.check.findings import Finding
from posjobs.services.check.jobscope import JobReach, JobWalker
from posjobs.services.check.walker import (
    NO_VALUE,
    Parsed,
    Spot,
    bound_names,
    filters_of,
    literal_assignment,
    literal_name,
    literal_value,
    partial_reference,
    single_name,
    spot,
    unstorable_kind,
    walk,
)

OPTION_RULES = {"priority": "PJ101", "delay": "PJ102", "max_attempts": "PJ103"}
_UNSUPPORTED_WHERE = re.compile(r" at \S+:\d+:")  # the dialect's message repeats the place


def parse_finding(err: TemplateError, name: str) -> Finding:
    """A template that does not parse: PJ002 for a tag posjobs does not know, else PJ001."""
    where = Spot(err.path or name, err.line or 1, err.column or 1)
    if err.error_class == "UnsupportedTagError":
        return Finding("PJ002", where, _UNSUPPORTED_WHERE.sub(":", err.message, count=1))
    prefix = "syntax error: " if err.error_class == "LiquidSyntaxError" else ""
    return Finding("PJ001", where, prefix + err.message)


class TemplateChecks:
    """Checks templates of one project; partial lookups and job walks are shared and cached."""

    def __init__(
        self,
        project: Project,
        filters: Collection[str],
        partial: Callable[[str], Parsed | None],
        partial_exists: Callable[[str], bool],
    ) -> None:
        self.project = project
        self.filters = frozenset(filters)
        self.partial = partial
        self.partial_exists = partial_exists
        self.walker = JobWalker(partial)
        self._reach: dict[tuple[str, frozenset[str]], JobReach] = {}
        self._partial_names: list[str] | None = None

    # --- one template -------------------------------------------------------------------------
    def check(self, parsed: Parsed) -> Iterator[Finding]:
        literals: dict[str, tuple[Spot, object] | None] = {}  # last literal assigned, by name
        for node, inside in walk(parsed):
            for filter_ in filters_of(node):
                if filter_.name not in self.filters:
                    near = difflib.get_close_matches(filter_.name, self.filters, n=1, cutoff=0.75)
                    yield Finding("PJ003", spot(parsed.name, filter_.token),
                                  f"unknown filter '{filter_.name}'" + _did_you_mean(near))
            reference = partial_reference(node)
            name = literal_name(reference[1]) if reference else None
            if reference and name is not None and not self.partial_exists(name):
                token = getattr(reference[1], "token", node.token)
                outside = self.project.partial_outside(name)
                message = (f"{reference[0]}: partial '{name}' is outside the project (a "
                           "symbolic link leads out of it)" if outside is not None else
                           f"{reference[0]}: partial '{name}' not found"
                           + _did_you_mean(self._near_partials(name)))
                yield Finding("PJ004", spot(parsed.name, token), message)
            yield from self.targets(node, parsed)
            if isinstance(node, BackgroundNode):
                yield from self.background(node, inside, parsed, literals)
            assigned = literal_assignment(node)
            for bound in bound_names(node):
                literals[bound] = None
            if assigned is not None:
                literals[assigned[0]] = (spot(parsed.name, assigned[1].token), assigned[1])

    def targets(self, node: object, parsed: Parsed) -> Iterator[Finding]:
        """The files include_form, graphql and theme_render_rc name by a literal."""
        if isinstance(node, IncludeFormNode):
            name = literal_name(node.form)
            if name is not None and self.project.find_form(name) is None:
                yield Finding("PJ006", spot(parsed.name, node.form.token),
                              f"{node.token.value}: form '{name}' not found (by a form's "
                              f"`name:`, or {name}.liquid in app/forms/ or a module's forms/)")
        elif isinstance(node, GraphqlNode) and node.body is None and node.query is not None:
            name = literal_name(node.query)
            if name is not None and self.project.find_graphql(name) is None:
                yield Finding("PJ007", spot(parsed.name, node.query.token),
                              f"graphql: query '{name}' not found (app/graphql/{name}.graphql)")
        elif isinstance(node, ThemeRenderNode):
            name = literal_name(node.name)
            if name is None:
                return
            folders = theme_folders(self.project)
            if folders is None:
                return  # a search path made with Liquid: known only when rendering
            candidates = [f"{folder.rstrip('/')}/{name}" for folder in folders] + [name]
            if not any(self.partial_exists(candidate) for candidate in candidates):
                yield Finding("PJ004", spot(parsed.name, node.name.token),
                              f"theme_render_rc: partial '{name}' not found in the theme "
                              f"search paths ({', '.join(candidates[:-1]) or 'none set'}) "
                              "or as a partial")

    def layout(self, file: TemplateFile) -> Iterator[Finding]:
        """A page's front matter `layout:` must name a layout of the project."""
        for key in ("layout_name", "layout"):
            if key in file.matter:
                name = file.matter[key]
                if isinstance(name, str) and name and self.project.find_layout(name) is None:
                    yield Finding("PJ005", Spot(file.name, _matter_line(file.path, key), 1),
                                  f"layout '{name}' not found in app/views/layouts")
                return

    # --- background tags ----------------------------------------------------------------------
    def background(
        self,
        node: BackgroundNode,
        inside: tuple[BackgroundNode, ...],
        parsed: Parsed,
        literals: dict[str, tuple[Spot, object] | None],
    ) -> Iterator[Finding]:
        tag = spot(parsed.name, node.token)
        if inside and node.body is not None:
            outer = spot(parsed.name, inside[-1].token)
            yield Finding("PJ205", tag,
                          f"inline background inside the inline background at line {outer.line}: "
                          "it is enqueued only when that job runs, from that job's variables; "
                          "move it into a partial")
        for arg in node.args:
            value: object = arg.value
            via: Spot | None = None
            name = single_name(arg.value)
            known = literals.get(name) if name is not None else None
            if known is not None:
                via, value = known
            where = spot(parsed.name, arg.value.token)
            note = f" (`{name}` is assigned {value} at line {via.line})" if via else ""
            if arg.name in OPTION_NAMES:
                yield from _option(arg.name, value, where, note)
                continue
            kind = unstorable_kind(value)
            if kind is not None:
                yield Finding("PJ206", where,
                              f"argument '{arg.name}' is {kind}{note}, which a job cannot store "
                              "as JSON; pass strings, numbers, booleans, nil, arrays or hashes")
        if not any(arg.name == "source_name" for arg in node.args):
            yield Finding("PJ105", tag,
                          "background without source_name: logs and job lists will show a "
                          "generated name")
        yield from self.job_scope(node, parsed, tag)

    def job_scope(self, node: BackgroundNode, parsed: Parsed, tag: Spot) -> Iterator[Finding]:
        arguments = [arg for arg in node.args if arg.name not in OPTION_NAMES]
        if node.body is not None:
            reach = self.walker.inline(node, parsed)
            code_is = "the job's body"
        else:
            name = literal_name(node.partial)
            target = self.partial(name) if name is not None else None
            if name is None or target is None:
                return
            key = (name, frozenset(arg.name for arg in arguments))
            if key not in self._reach:
                self._reach[key] = self.walker.partial(target, key[1])
            reach = self._reach[key]
            code_is = f"partial '{name}'"
        reported: set[str] = set()
        for use in reach.unpassed:
            if use.name not in reported:
                reported.add(use.name)
                yield Finding("PJ201", use.spot,
                              f"'{use.name}' is not passed to this background job, so it is nil "
                              f"there; pass it: `{use.name}: {use.name}`")
        for use in reach.request_data:
            yield Finding("PJ202", use.spot,
                          f"`{use.name}` is request data, which a background job does not have "
                          "(nil there); read it in the page and pass what the job needs",
                          job=_elsewhere(tag, use.spot))
        for use in reach.request_tags:
            yield Finding("PJ203", use.spot,
                          f"`{use.name}` fails in a background job: a job runs outside any "
                          "request", job=_elsewhere(tag, use.spot))
        if reach.complete:
            for arg in arguments:
                if arg.name not in reach.used:
                    yield Finding("PJ204", spot(parsed.name, arg.token),
                                  f"argument '{arg.name}' is never read by {code_is}")

    def _near_partials(self, name: str) -> list[str]:
        if self._partial_names is None:
            self._partial_names = self.project.partial_names()
        return difflib.get_close_matches(name, self._partial_names, n=1, cutoff=0.6)


def _option(name: str, value: object, where: Spot, note: str) -> Iterator[Finding]:
    """A literal option value checked by the same rules the background tag applies."""
    literal = literal_value(value)
    if literal is NO_VALUE:
        return
    try:
        options = parse_options({name: literal})
    except OptionError as err:
        yield Finding(OPTION_RULES[name], where, f"background: {err}{note}")
        return
    for warning in options.warnings:
        yield Finding("PJ104", where, f"background: {warning}{note}")


def theme_folders(project: Project) -> list[str] | None:
    """app/config.yml's theme search paths, or None when one is made with Liquid."""
    config = project.root / "app" / "config.yml"
    try:
        text = config.read_text(encoding="utf-8") if config.is_file() else ""
    except (OSError, UnicodeDecodeError):
        return None
    paths = _configured_paths(text) if text else []
    return None if any("{{" in path or "{%" in path for path in paths) else paths


def _elsewhere(tag: Spot, use: Spot) -> Spot | None:
    """The background tag, when the job code it names is in another file."""
    return tag if tag.path != use.path else None


def _did_you_mean(near: list[str]) -> str:
    return f" (did you mean '{near[0]}'?)" if near else ""


def _matter_line(path: Path, key: str) -> int:
    """The line of `key:` in a file's front matter (1 when it cannot be found)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return 1
    for number, line in enumerate(lines[1:], start=2):
        if line.startswith(f"{key}:"):
            return number
        if line.rstrip() == "---":
            break
    return 1
