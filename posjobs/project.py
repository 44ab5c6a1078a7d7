"""A platformOS project directory: where its pages, layouts and partials are, by platform names."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from posjobs.errors import NotFoundError, PageNotFound, ProjectNotFound, TemplateError

TEMPLATE_SUFFIXES = (".liquid", ".html.liquid")
FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*\r?$\n?", re.DOTALL | re.MULTILINE)
# Folders under modules/<name>/ that hold templates of the running app; anything else
# (generators, docs) is not part of the app.
MODULE_SCOPES = ("public", "private")
# Where form configurations live: `forms/`, and `form_configurations/`, the platform's
# deprecated directory it still reads.
FORM_KINDS = ("forms", "form_configurations")


@dataclass(frozen=True)
class TemplateFile:
    """A template's source with its front matter parsed and blanked out.

    The front matter lines are kept as empty lines so that line numbers in errors and logs
    match the file; the dialect drops them from the output (`matter_lines` of them), as the
    platform prints nothing for front matter.
    """

    path: Path
    name: str  # project-relative path, as shown to users
    source: str
    matter: dict[str, Any] = field(default_factory=dict)
    matter_lines: int = 0  # the empty lines standing for the front matter


@dataclass(frozen=True)
class Page:
    file: TemplateFile
    slug: str
    layout: str | None  # platform layout name, None for no layout
    method: str
    format: str

    @property
    def metadata(self) -> dict[str, Any]:
        meta = self.file.matter.get("metadata")
        return meta if isinstance(meta, dict) else {}


class Project:
    """A platformOS project rooted at `root`."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._root_str = str(self.root)
        self._inside_cache: dict[str, bool] = {}

    # --- finding the project ------------------------------------------------------------
    @classmethod
    def locate(cls, explicit: str | os.PathLike[str] | None, cwd: Path | None = None) -> Project:
        """The project named by `explicit`, or the nearest ancestor of `cwd` that is one."""
        if explicit:
            root = Path(explicit).expanduser()
            if not root.is_dir():
                raise ProjectNotFound(f"project directory {explicit} does not exist")
            if not _looks_like_project(root):
                raise ProjectNotFound(
                    f"{explicit} is not a platformOS project (it has no app/ or modules/)"
                )
            return cls(root)
        here = (cwd or Path.cwd()).resolve()
        for candidate in (here, *here.parents):
            # app/ itself may hold modules/ (module overrides): it is not a project root.
            inside_app = candidate.name == "app" and not (candidate / "app").is_dir()
            if _looks_like_project(candidate) and not inside_app:
                return cls(candidate)
        raise ProjectNotFound(
            f"no platformOS project found in {here} or its parents",
            hint="run inside a project (a directory with app/ or modules/), "
            "or pass --project DIR",
        )

    def relative(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    # --- reading templates ----------------------------------------------------------------
    def read(self, path: Path) -> TemplateFile:
        """Read a template file, parsing its YAML front matter."""
        name = self.relative(path)
        try:
            # Bytes, not text mode: `\r\n` and `\r` stay as written (CSV and email bodies).
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError as err:
            raise TemplateError(f"not UTF-8 text ({err.reason})", path=name) from None
        except OSError as err:
            raise NotFoundError(f"{name}: cannot read: {err.strerror}") from None
        match = FRONT_MATTER.match(text)
        if not match:
            return TemplateFile(path, name, text)
        matter = _parse_front_matter(match.group(1), name)
        lines = match.group(0).count("\n")
        return TemplateFile(path, name, "\n" * lines + text[match.end() :], matter, lines)

    # --- pages --------------------------------------------------------------------------------
    def page_dirs(self) -> Iterator[Path]:
        yield self.root / "app" / "views" / "pages"
        for module in self._modules():
            for scope in MODULE_SCOPES:
                yield module / scope / "views" / "pages"

    def pages(self, broken: list[tuple[str, TemplateError]] | None = None) -> list[Page]:
        """Every page; one that cannot be read is left out (and added to `broken`, if given)
        rather than hiding all the others."""
        pages = []
        for base in self.page_dirs():
            if base.is_dir():
                for path in sorted(base.rglob("*.liquid")):
                    try:
                        if not _is_within(path, self.root, resolved=True):
                            shown = path.relative_to(self.root).as_posix()
                            raise TemplateError(
                                f"{shown} leads outside the project (a symbolic link to "
                                f"{path.resolve()}); it is not rendered", path=shown)
                        pages.append(self._page(path, base))
                    except TemplateError as err:
                        if broken is None:
                            raise
                        broken.append((_slug_from_path(path.relative_to(base)), err))
        return pages

    def find_page(self, name: str, cwd: Path | None = None) -> Page:
        """A page by file path (absolute, or relative to `cwd` or the project) or by slug."""
        return self.match_page(name, cwd)[0]

    def match_page(self, name: str, cwd: Path | None = None, method: str | None = None
                   ) -> tuple[Page, dict[str, str]]:
        """The page `name` names (a file, or a request path routed by slug, method and
        format: routing.py), and the parameters a slug like `orders/:id` takes from a path
        like `orders/7`."""
        from posjobs.routing import normalise, route

        for candidate in self._path_candidates(name, cwd):
            if candidate.is_file():
                if not _is_within(candidate, self.root, resolved=True):
                    raise PageNotFound(
                        f"{name} is outside the project {self.root}",
                        hint="posjobs renders only the project's own pages")
                base = next((d for d in self.page_dirs() if _is_within(candidate, d)), None)
                return self._page(candidate.resolve(), base), {}
        broken: list[tuple[str, TemplateError]] = []
        pages = self.pages(broken)
        try:
            return route(pages, name, method)
        except PageNotFound as err:
            slug = normalise(name)
            for path_slug, problem in broken:  # the page asked for may be one that is broken
                if path_slug == slug:
                    raise problem from None
            raise PageNotFound(f"{err.message} in {self.root}", hint=err.hint) from None

    def _path_candidates(self, name: str, cwd: Path | None) -> Iterator[Path]:
        path = Path(name).expanduser()
        if path.is_absolute():
            yield path
            return
        yield (cwd or Path.cwd()) / path
        yield self.root / path

    def _page(self, path: Path, base: Path | None) -> Page:
        file = self.read(path)
        matter = file.matter
        if isinstance(matter.get("slug"), str):
            slug = normalise_slug(matter["slug"])
        elif base is not None:
            slug = _slug_from_path(path.relative_to(base.resolve()))
        else:
            slug = _slug_from_path(Path(path.name))
        layout = matter.get("layout_name", matter.get("layout"))
        if layout is None and self.find_layout("application") is not None:
            layout = "application"  # the platform's default, when the project has one
        if layout in ("", None, False):
            layout = None
        fmt = str(matter.get("format") or _format_from_name(path.name))
        method = str(matter.get("method") or "get").lower()
        return Page(file, slug, str(layout) if layout else None, method, fmt)

    # --- partials and layouts -------------------------------------------------------------
    def find_partial(self, name: str) -> Path | None:
        """The file a platform partial name refers to (`include`, `render`, `function`...)."""
        return self._find(name, ("views/partials", "lib"))

    def find_layout(self, name: str) -> Path | None:
        return self._find(name, ("views/layouts",))

    def find_graphql(self, name: str) -> Path | None:
        """The query file a `{% graphql %}` name refers to (`app/graphql/<name>.graphql`,
        `modules/<m>/{public,private}/graphql/...` for `modules/<m>/<name>`)."""
        return self._find(name, ("graphql",), (".graphql",))

    def find_notification(self, folder: str, name: str) -> Path | None:
        """The notification a name refers to: `app/<folder>/<name>.liquid`, or
        `modules/<m>/{public,private}/<folder>/...` for `modules/<m>/<name>` (`folder` is
        `emails`, `api_calls` or `smses`)."""
        return self._find(name, (folder,))

    def find_form(self, name: str) -> Path | None:
        """The form configuration an `{% include_form %}` name refers to, as the platform
        finds it: the form whose front matter says `name: <name>`, or else the file at that
        path, under `app/forms/` or the legacy `app/form_configurations/` (and a module's)."""
        if _safe_parts(name) is None:
            return None
        for base in self.form_dirs():
            for path in sorted(base.rglob("*.liquid")) if base.is_dir() else ():
                try:
                    declared = self.read(path).matter.get("name")
                except (TemplateError, NotFoundError):
                    continue  # a broken form is reported when it is the one asked for
                if declared == name and self._inside(str(path)):
                    return path
        return self._find(name, FORM_KINDS)

    def form_dirs(self) -> list[Path]:
        """Where form configurations live: the app's, then the modules' (overrides first)."""
        dirs = [self.root / "app" / kind for kind in FORM_KINDS]
        for module in self._modules():
            for base in (self.root / "app" / "modules" / module.name, module):
                dirs += [base / scope / kind for scope in MODULE_SCOPES for kind in FORM_KINDS]
        return dirs

    def partial_outside(self, name: str) -> Path | None:
        """Where a partial name leads when a symbolic link takes it outside the project."""
        found = self._find(name, ("views/partials", "lib"), inside=False)
        return found if found is not None and not self._inside(str(found)) else None

    def _find(
        self, name: str, kinds: tuple[str, ...], suffixes: tuple[str, ...] = TEMPLATE_SUFFIXES,
        inside: bool = True,
    ) -> Path | None:
        # Plain strings and os.path: this runs for every partial of every render.
        parts = _safe_parts(name)
        if parts is None:
            return None
        root = self._root_str
        if parts[0] == "modules" and len(parts) > 2:
            module, rest = parts[1], "/".join(parts[2:])
            bases = [
                f"{base}/{scope}/{kind}"
                for base in (f"{root}/app/modules/{module}", f"{root}/modules/{module}")
                for scope in MODULE_SCOPES
                for kind in kinds
            ]
        else:
            rest = "/".join(parts)
            bases = [f"{root}/app/{kind}" for kind in kinds]
        for base in bases:
            for suffix in suffixes:
                candidate = f"{base}/{rest}{suffix}"
                if os.path.isfile(candidate) and (not inside or self._inside(candidate)):
                    return Path(candidate)
        return None

    def _inside(self, candidate: str) -> bool:
        """The name has no `..`, so only a symbolic link could lead out of the project;
        checked once per file, as links rarely change."""
        inside = self._inside_cache.get(candidate)
        if inside is None:
            real = os.path.realpath(candidate)
            inside = self._inside_cache[candidate] = real.startswith(self._root_str + os.sep)
        return inside

    def partial_names(self) -> list[str]:
        """Every partial name the project defines (for suggestions)."""
        names = []
        for kind in ("views/partials", "lib"):
            base = self.root / "app" / kind
            if base.is_dir():
                names += [
                    _strip_suffix(p.relative_to(base).as_posix()) for p in base.rglob("*.liquid")
                ]
        for module in self._modules():
            for scope in MODULE_SCOPES:
                for kind in ("views/partials", "lib"):
                    base = module / scope / kind
                    if base.is_dir():
                        names += [
                            f"modules/{module.name}/"
                            + _strip_suffix(p.relative_to(base).as_posix())
                            for p in base.rglob("*.liquid")
                        ]
        return sorted(set(names))

    def _modules(self) -> list[Path]:
        base = self.root / "modules"
        return sorted(p for p in base.iterdir() if p.is_dir()) if base.is_dir() else []


def normalise_slug(name: str) -> str:
    slug = name.strip().strip("/")
    return slug or "/"


def _slug_from_path(relative: Path) -> str:
    stem = _strip_suffix(relative.as_posix())
    parts = stem.split("/")
    if parts[-1] == "index":
        parts = parts[:-1]
    return normalise_slug("/".join(parts))


def _strip_suffix(name: str) -> str:
    for suffix in (".html.liquid", ".json.liquid", ".js.liquid", ".xml.liquid", ".csv.liquid",
                   ".txt.liquid", ".liquid"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _format_from_name(filename: str) -> str:
    parts = filename.split(".")
    return parts[-2] if len(parts) >= 3 else "html"


def _safe_parts(name: str) -> list[str] | None:
    """The parts of a platform name, or None if it tries to leave the project."""
    if not name or name.startswith(("/", "\\")) or "\\" in name or "\x00" in name:
        return None
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if not parts or any(p == ".." for p in parts):
        return None
    return parts


def _is_within(path: Path, base: Path, *, resolved: bool = False) -> bool:
    """Whether `path` lies inside `base` (`resolved`: base is already a real path)."""
    try:
        path.resolve().relative_to(base if resolved else base.resolve())
        return True
    except ValueError:
        return False


def _looks_like_project(path: Path) -> bool:
    return (path / "app").is_dir() or (path / "modules").is_dir()


def _parse_front_matter(text: str, name: str) -> dict[str, Any]:
    import yaml  # only pages with front matter pay for the import

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1  # +1 for 1-based, +1 for the '---'
        problem = getattr(err, "problem", None) or str(err)
        raise TemplateError(f"front matter is not valid YAML: {problem}", path=name, line=line,
                            error_class="FrontMatterError") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise TemplateError("front matter must be a YAML mapping", path=name, line=1,
                            error_class="FrontMatterError")
    return data


def template_from_source(source: str, name: str) -> TemplateFile:
    """A template given as text (standard input) rather than read from a file, its front
    matter parsed as `Project.read` parses a file's."""
    match = FRONT_MATTER.match(source)
    if not match:
        return TemplateFile(Path(name), name, source)
    matter = _parse_front_matter(match.group(1), name)
    blanked = "\n" * match.group(0).count("\n") + source[match.end() :]
    return TemplateFile(Path(name), name, blanked, matter)
