"""Static checks of a project's data files before anything runs: every `.graphql` file
parses and validates against the platform's schema, every table schema file reads.

`posjobs check` reports these as PJ301 and PJ302; the platform refuses such files on deploy.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from posjobs.data.tables import DataError, load_tables
from posjobs.project import MODULE_SCOPES, Project


@dataclass(frozen=True)
class Problem:
    path: str  # project-relative
    line: int
    column: int
    message: str


def graphql_files(project: Project) -> list[Path]:
    """Every `.graphql` file of the app and its modules."""
    root = project.root
    bases = [root / "app" / "graphql"]
    for parent in (root / "app" / "modules", root / "modules"):
        if parent.is_dir():
            bases += [m / scope / "graphql" for m in sorted(parent.iterdir())
                      for scope in MODULE_SCOPES]
    return sorted(p for base in bases if base.is_dir() for p in base.rglob("*.graphql")
                  if p.is_file())


def graphql_problems(project: Project, files: list[Path] | None = None) -> Iterator[Problem]:
    """Each file that does not parse or validate, at the line and column of its first error."""
    from graphql import GraphQLError, parse, validate

    from posjobs.data.graphql import platform_schema

    files = graphql_files(project) if files is None else files
    if not files:
        return
    schema = platform_schema()
    for path in files:
        name = project.relative(path)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            yield Problem(name, 1, 1, f"cannot read the query: {err}")
            continue
        try:
            errors = validate(schema, parse(text))
        except GraphQLError as err:
            errors = [err]
        for error in errors[:1]:
            where = error.locations[0] if error.locations else None
            yield Problem(name, where.line if where else 1, where.column if where else 1,
                          f"GraphQL: {error.message}")


def table_problems(project: Project) -> Iterator[Problem]:
    """A table schema file that cannot be read (bad YAML, an unknown property type)."""
    try:
        load_tables(project)
    except DataError as err:
        path, _, rest = err.message.partition(": ")
        line = 1
        head, sep, tail = path.rpartition(":")
        if sep and tail.isdigit():
            path, line = head, int(tail)
        yield Problem(path, line, 1, rest or err.message)
