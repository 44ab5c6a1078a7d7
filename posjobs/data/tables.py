"""The project's tables: `app/schema/*.yml` and modules' `{public,private}/schema/*.yml`,
and user properties from `app/user.yml`; each property's type, and values coerced to it.

A module's table is named `modules/<module>/<name>` (`modules/user/profile`), as the
platform names it. A property without a type is a string.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import yaml

from posjobs.errors import PosjobsError
from posjobs.project import MODULE_SCOPES, Project

TYPES = ("string", "text", "integer", "float", "boolean", "date", "datetime", "array",
         "upload", "json", "object", "geojson")
USER_TABLE = "user"  # the name user properties are reported under


class DataError(PosjobsError):
    """A data problem a template caused or a schema file holds, reported at the graphql tag."""


@dataclass(frozen=True)
class Table:
    name: str
    properties: dict[str, str] = field(default_factory=dict)  # name -> type
    file: str = ""  # project-relative path of its schema file

    def type_of(self, name: str) -> str | None:
        return self.properties.get(name)


@dataclass
class Tables:
    """Every table of a project, and the user properties."""

    tables: dict[str, Table]
    user: Table

    def get(self, name: str) -> Table | None:
        return self.tables.get(name)

    def require(self, name: str) -> Table:
        table = self.tables.get(name)
        if table is None:
            known = ", ".join(sorted(self.tables)) or "none"
            raise DataError(f"table {name!r} does not exist (tables: {known})",
                            hint="define it in app/schema/<name>.yml")
        return table

    def property_names(self) -> list[str]:
        names = {p for t in self.tables.values() for p in t.properties}
        return sorted(names)


def load_tables(project: Project) -> Tables:
    """Read every schema file of the project; a bad file is a `DataError` naming it."""
    tables: dict[str, Table] = {}
    for path, name in _schema_files(project):
        table = _read_table(project, path, name)
        tables[table.name] = table
    user_file = project.root / "app" / "user.yml"
    user = Table(USER_TABLE)
    if user_file.is_file():
        user = _read_table(project, user_file, USER_TABLE)
    return Tables(tables, user)


def _schema_files(project: Project) -> Iterator[tuple[Path, str]]:
    """(file, default table name) for every schema file; app/ overrides a module's."""
    seen: dict[str, Path] = {}
    modules = project.root / "modules"
    if modules.is_dir():
        for module in sorted(p for p in modules.iterdir() if p.is_dir()):
            for scope in MODULE_SCOPES:
                for path in sorted((module / scope / "schema").glob("*.yml")):
                    seen[f"modules/{module.name}/{path.stem}"] = path
    overrides = project.root / "app" / "modules"
    if overrides.is_dir():
        for module in sorted(p for p in overrides.iterdir() if p.is_dir()):
            for scope in MODULE_SCOPES:
                for path in sorted((module / scope / "schema").glob("*.yml")):
                    seen[f"modules/{module.name}/{path.stem}"] = path
    for path in sorted((project.root / "app" / "schema").glob("*.yml")):
        seen[path.stem] = path
    yield from ((path, name) for name, path in seen.items())


def _read_table(project: Project, path: Path, default_name: str) -> Table:
    shown = project.relative(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError) as err:
        raise DataError(f"{shown}: cannot read the table schema: {err}") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(err, "problem", None) or str(err)
        raise DataError(f"{shown}{where}: the table schema is not valid YAML: {problem}"
                        ) from None
    if not isinstance(data, dict):
        raise DataError(f"{shown}: a table schema must be a mapping with name: and properties:")
    name = default_name
    if default_name.startswith("modules/") or default_name == USER_TABLE:
        pass  # a module's table is named by its path; the platform ignores `name:` there
    elif isinstance(data.get("name"), str) and data["name"].strip():
        name = data["name"].strip()
    properties: dict[str, str] = {}
    for number, prop in enumerate(data.get("properties") or [], start=1):
        if not isinstance(prop, dict) or not isinstance(prop.get("name"), str):
            raise DataError(f"{shown}: property {number} must be a mapping with a name:")
        type_ = str(prop.get("type") or "string")
        if type_ not in TYPES:
            raise DataError(f"{shown}: property {prop['name']!r} has unknown type {type_!r} "
                            f"(types: {', '.join(TYPES)})")
        properties[prop["name"]] = type_
    return Table(name, properties, shown)


# --- values --------------------------------------------------------------------------------
def coerce(value: Any, type_: str | None, where: str) -> Any:
    """`value` as a property of `type_` stores it (a JSON value); a value that cannot be one
    is a `DataError` naming `where` (the table and property)."""
    if value is None:
        return None
    try:
        if type_ in (None, "string", "text"):
            return _text(value)
        if type_ == "integer":
            if isinstance(value, str) and not value.strip():
                return None
            number = float(value) if not isinstance(value, int) else value
            if isinstance(number, float) and (not math.isfinite(number)
                                              or not number.is_integer()):
                raise ValueError
            return int(number)
        if type_ == "float":
            if isinstance(value, str) and not value.strip():
                return None
            number = float(value)
            if not math.isfinite(number):
                raise ValueError
            return number
        if type_ == "boolean":
            return _boolean(value)
        if type_ == "array":
            if isinstance(value, str):
                loaded = json.loads(value) if value.strip().startswith("[") else [value]
                return [_text(v) for v in loaded] if isinstance(loaded, list) else [value]
            if isinstance(value, (list, tuple)):
                return list(value)
            return [value]
        if type_ in ("json", "object", "geojson"):
            if isinstance(value, str):
                return json.loads(value) if value.strip() else None
            return value
        if type_ == "datetime":
            return _datetime(value)
        if type_ == "date":
            if _is_date(value):
                return date.fromisoformat(value.strip()).isoformat()  # a real day, or raises
            return _datetime(value)[:10]
        if type_ == "upload":
            return value if isinstance(value, (str, dict)) else _text(value)
    except (ValueError, TypeError, OverflowError, OSError, json.JSONDecodeError):
        pass  # OverflowError, OSError: a number of seconds no calendar holds
    raise DataError(f"{where}: {value!r} is not a valid {type_}")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return repr(value)  # Ruby prints 2.0 as "2.0"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value != 0
    text = str(value).strip().lower()
    if text in ("true", "t", "1", "yes", "on"):
        return True
    if text in ("false", "f", "0", "no", "off", ""):
        return False
    raise ValueError(value)


def _is_date(value: Any) -> bool:
    return isinstance(value, str) and len(value.strip()) == 10


def _datetime(value: Any) -> str:
    """ISO 8601 in UTC with milliseconds, as the platform's JSON shows times."""
    from dateutil import parser

    if isinstance(value, (int, float)) and not isinstance(value, bool):
        moment = datetime.fromtimestamp(value, tz=timezone.utc)
    elif isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    else:
        moment = parser.isoparse(str(value)) if "T" in str(value) else parser.parse(str(value))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return format_time(moment.timestamp())


def iso_time(ts: float | None) -> str | None:
    """A Unix time as the platform's JSON shows it: `2026-12-01T06:20:00.123Z`."""
    return None if ts is None else format_time(ts)


def format_time(ts: float) -> str:
    moment = datetime.fromtimestamp(ts, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
