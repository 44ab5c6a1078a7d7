"""The project scan: the app's files, each parsed once and checked; suppressions applied."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path, PurePosixPath

from posjobs.errors import PosjobsError, TemplateError, UsageError
from posjobs.liquid import Dialect
from posjobs.project import MODULE_SCOPES, Project, TemplateFile
from posjobs.services.check.checks import TemplateChecks, parse_finding
from posjobs.services.check.findings import CheckReport, Finding
from posjobs.services.check.rules import selected_codes
from posjobs.services.check.suppress import Suppressions
from posjobs.services.check.walker import Parsed, Spot

# Folders of an app (under app/, app/modules/<m>/<scope>/, modules/<m>/<scope>/) whose
# templates are pages, layouts or partials. Anything else (generators, docs) is not the app.
KINDS = {("views", "pages"): "page", ("views", "layouts"): "layout",
         ("views", "partials"): "partial", ("lib",): "partial",
         ("forms",): "form", ("form_configurations",): "form"}

Progress = Callable[[int, int], None]  # (files done, files in all)


def app_kind(relative: PurePosixPath) -> str | None:
    """`page`, `layout` or `partial` for a project-relative template path, None for a file
    that is not part of the app."""
    parts = relative.parts
    if not relative.name.endswith(".liquid") or not parts:
        return None
    if parts[0] == "app" and len(parts) > 4 and parts[1] == "modules":
        rest = parts[4:] if parts[3] in MODULE_SCOPES else ()
    elif parts[0] == "modules" and len(parts) > 3:
        rest = parts[3:] if parts[2] in MODULE_SCOPES else ()
    elif parts[0] == "app":
        rest = parts[1:]
    else:
        return None
    for prefix, kind in KINDS.items():
        if rest[: len(prefix)] == prefix and len(rest) > len(prefix):
            return kind
    return None


def app_files(project: Project) -> list[Path]:
    """Every page, layout, partial (views and lib) and form of the project, modules
    included."""
    root = project.root
    bases = [root / "app"]
    for parent in (root / "app" / "modules", root / "modules"):
        if parent.is_dir():
            bases += [m / scope for m in sorted(parent.iterdir()) for scope in MODULE_SCOPES]
    found: set[Path] = set()
    for base in bases:
        for prefix in KINDS:
            folder = base.joinpath(*prefix)
            if folder.is_dir():
                found.update(p for p in folder.rglob("*.liquid") if p.is_file())
    return sorted(found)


def chosen_files(project: Project, paths: Sequence[Path]) -> tuple[list[Path], list[str]]:
    """The app's files among `paths` (files or folders), and the ones skipped as not the app's."""
    chosen: set[Path] = set()
    skipped: set[str] = set()
    for given in paths:
        if not given.exists():
            raise UsageError(f"{given}: no such file or directory")
        path = given.resolve()
        candidates = sorted(path.rglob("*.liquid")) if path.is_dir() else [path]
        for candidate in candidates:
            if not candidate.is_file():
                continue
            try:
                relative = PurePosixPath(candidate.relative_to(project.root).as_posix())
            except ValueError:
                skipped.add(str(candidate))
                continue
            if app_kind(relative) is None:
                skipped.add(relative.as_posix())
            else:
                chosen.add(candidate)
    return sorted(chosen), sorted(skipped)


class _Templates:
    """Each file read and parsed at most once, whether checked or reached through a partial."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.dialect = Dialect(project)
        self.files: dict[str, TemplateFile] = {}
        self.errors: dict[Path, TemplateError] = {}
        self._parsed: dict[Path, Parsed | None] = {}
        self._partials: dict[str, Path | None] = {}
        self._suppressions: dict[str, Suppressions] = {}

    def load(self, path: Path) -> Parsed | None:
        if path not in self._parsed:
            self._parsed[path] = self._parse(path)
        return self._parsed[path]

    def _parse(self, path: Path) -> Parsed | None:
        try:
            file = self.project.read(path)
        except TemplateError as err:  # not UTF-8, front matter not YAML
            self.errors[path] = err
            return None
        except PosjobsError as err:  # unreadable
            self.errors[path] = TemplateError(err.message, path=self.project.relative(path))
            return None
        self.files[file.name] = file
        try:
            return Parsed(file.name, self.dialect.parse(file))
        except TemplateError as err:
            self.errors[path] = err
        except Exception as err:  # a bug in a tag's parser (or deep nesting) must not end the check
            self.errors[path] = TemplateError(
                f"posjobs cannot parse this template ({type(err).__name__}: {err})",
                path=file.name, line=1, error_class=type(err).__name__)
        return None

    def partial_path(self, name: str) -> Path | None:
        if name not in self._partials:
            self._partials[name] = self.project.find_partial(name)
        return self._partials[name]

    def partial(self, name: str) -> Parsed | None:
        path = self.partial_path(name)
        return None if path is None else self.load(path)

    def suppressions(self, name: str) -> Suppressions:
        if name not in self._suppressions:
            file = self.files.get(name)
            self._suppressions[name] = Suppressions.parse(file.source if file else "")
        return self._suppressions[name]


def check_project(
    project: Project,
    paths: Sequence[Path] | None = None,
    *,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] | None = None,
    progress: Progress | None = None,
) -> CheckReport:
    """Check every page, layout and partial of `project` (or those among `paths`).

    `select`/`ignore` name rules by code, code prefix or slug; an unknown one is a
    `UsageError`. `progress` is told after each file. Nothing is printed.
    """
    codes = selected_codes(select, ignore)
    skipped: list[str] = []
    if paths:
        files, skipped = chosen_files(project, paths)
    else:
        files = app_files(project)
    templates = _Templates(project)
    checks = TemplateChecks(project, templates.dialect.env.filters, templates.partial,
                            lambda name: templates.partial_path(name) is not None)
    found: dict[tuple[str, str, int, int], Finding] = {}

    def add(finding: Finding) -> None:
        key = (finding.code, finding.spot.path, finding.spot.line, finding.spot.column)
        found.setdefault(key, finding)  # a partial many jobs run is reported once

    for done, path in enumerate(files, start=1):
        parsed = templates.load(path)
        if parsed is None:
            add(parse_finding(templates.errors[path], project.relative(path)))
        else:
            try:
                for finding in checks.check(parsed):
                    add(finding)
            except RecursionError:
                add(Finding("PJ001", Spot(parsed.name, 1, 1), "too deeply nested to check"))
            if app_kind(PurePosixPath(parsed.name)) == "page":
                for finding in checks.layout(templates.files[parsed.name]):
                    add(finding)
        if progress is not None:
            progress(done, len(files))

    if not paths and codes & {"PJ301", "PJ302"}:
        files_checked = _check_data_files(project, codes, add)
    else:
        files_checked = 0
    kept = [
        f for f in found.values()
        if f.code in codes and not templates.suppressions(f.spot.path).hides(f.code, f.spot.line)
    ]
    return CheckReport(project.root, tuple(sorted(kept, key=lambda f: f.sort_key)),
                       len(files) + files_checked, tuple(skipped))


def _check_data_files(project: Project, codes: frozenset[str],
                      add: Callable[[Finding], None]) -> int:
    """PJ301 and PJ302 over the whole project; how many .graphql files were checked."""
    from posjobs.data.validate import graphql_files, graphql_problems, table_problems

    if "PJ302" in codes:
        for problem in table_problems(project):
            add(Finding("PJ302", Spot(problem.path, problem.line, problem.column),
                        problem.message))
    if "PJ301" not in codes:
        return 0
    files = graphql_files(project)
    for problem in graphql_problems(project, files):
        add(Finding("PJ301", Spot(problem.path, problem.line, problem.column), problem.message))
    return len(files)
