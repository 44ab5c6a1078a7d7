"""Local answers to `{% graphql %}` queries: JSON mock files under `.posjobs/graphql/`.

A mock overrides the local data layer for one query: `users/find` is answered from
`.posjobs/graphql/users/find.json` when that file exists. The file holds either

- the result object itself, returned whatever the arguments:
      {"users": {"results": [{"id": "1", "email": "a@example.com"}]}}
- or a list of cases, the first whose `when` holds a subset of the query's arguments wins
  (a case without `when` matches anything):
      [{"when": {"id": 1}, "result": {"user": {"id": "1"}}},
       {"result": {"user": null}}]

An argument matches its `when` value when both are equal as JSON, or when one is a number and
the other its text (page params arrive as strings: "7" matches 7). With no mock file, or no
matching case, `answer` returns None and the query runs against the data layer.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MOCK_DIR = Path(".posjobs") / "graphql"


class MockError(ValueError):
    """A mock file that cannot be read as the format above."""


@dataclass(frozen=True)
class Answer:
    result: Any


def mock_path(root: Path, query: str) -> Path:
    return root / MOCK_DIR / f"{query}.json"


def answer(root: Path, query: str, arguments: Mapping[str, Any]) -> Answer | None:
    """The mocked result of `query` for `arguments` (JSON-safe values), or None when no mock
    answers it."""
    shown = (MOCK_DIR / f"{query}.json").as_posix()
    path = mock_path(root, query)
    if ".." in Path(query).parts or not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as err:
        raise MockError(f"graphql: cannot read the mock {shown}: {err}") from None
    except json.JSONDecodeError as err:
        raise MockError(
            f"graphql: the mock {shown} is not valid JSON: {err.msg} "
            f"(line {err.lineno}, column {err.colno})"
        ) from None
    if isinstance(data, dict):
        return Answer(data)
    if not isinstance(data, list):
        raise MockError(f"graphql: the mock {shown} must hold the result object or a list of "
                        '{"when": {...}, "result": {...}} cases')
    for number, case in enumerate(data, start=1):
        if not isinstance(case, dict) or "result" not in case or not isinstance(
            case.get("when", {}), dict
        ):
            raise MockError(f"graphql: case {number} of the mock {shown} must be "
                            '{"when": {...arguments...}, "result": {...}}')
        if matches(case.get("when", {}), arguments):
            return Answer(case["result"])
    return None


def matches(when: Mapping[str, Any], arguments: Mapping[str, Any]) -> bool:
    return all(key in arguments and same(arguments[key], value) for key, value in when.items())


def same(actual: object, expected: object) -> bool:
    """Equal as JSON values, a number also matching its text."""
    if isinstance(actual, bool) or isinstance(expected, bool):
        return type(actual) is type(expected) and actual == expected
    if isinstance(actual, (int, float)) and isinstance(expected, str):
        return _number_text(actual) == expected.strip()
    if isinstance(actual, str) and isinstance(expected, (int, float)):
        return actual.strip() == _number_text(expected)
    return actual == expected


def _number_text(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)
