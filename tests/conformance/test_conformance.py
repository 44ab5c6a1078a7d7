"""posjobs' Liquid against Ruby Liquid 5.4 + ActiveSupport: every recorded case renders alike.

The expected outputs in recorded.json were produced by Ruby Liquid (`make
conformance-record`, record.rb), not written by hand. Where platformOS itself differs from
plain Ruby Liquid, the case says so with `platform:` and `reason:` (docs/compat.md lists
them all; `platform_error:` marks an error posjobs raises on purpose). Error cases expect
an error: the messages are posjobs' own.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
import yaml

from posjobs.clock import ManualClock
from posjobs.errors import TemplateError
from posjobs.liquid import Dialect, RunState
from posjobs.project import Project

HERE = Path(__file__).resolve().parent
RECORDED = json.loads((HERE / "recorded.json").read_text(encoding="utf-8"))
PAGE = "app/views/pages/case.liquid"


def declared_cases() -> dict[str, dict[str, Any]]:
    """The cases files expanded as record.rb expands them (`each` -> name[i])."""
    out: dict[str, dict[str, Any]] = {}
    for file in sorted((HERE / "cases").glob("*.yml")):
        for entry in yaml.safe_load(file.read_text(encoding="utf-8")):
            names = [entry["name"]]
            if "each" in entry:
                (values,) = entry["each"].values()
                names = [f"{entry['name']}[{i}]" for i in range(len(values))]
            for name in names:
                out[f"{file.stem}/{name}"] = entry
    return out


DECLARED = declared_cases()
CASES = {case["name"]: case for case in RECORDED["cases"]}


def test_the_recording_is_up_to_date() -> None:
    """A case added or changed without `make conformance-record` fails here."""
    assert sorted(CASES) == sorted(DECLARED)
    stale = [name for name, case in CASES.items()
             if case["template"] != DECLARED[name]["template"]]
    assert stale == []


def test_every_intentional_difference_has_a_reason_in_docs() -> None:
    compat = (HERE.parent.parent / "docs" / "compat.md").read_text(encoding="utf-8")
    for name, entry in DECLARED.items():
        if "platform" in entry or "platform_error" in entry:
            assert entry.get("reason"), name
            assert name.split("[")[0] in compat, f"{name} is not listed in docs/compat.md"


# Cases where posjobs still differs from Ruby (strict: fixing one fails until it is removed).
KNOWN_DIFFERENCES: frozenset[str] = frozenset()


_projects: dict[str, Dialect] = {}


def dialect_for(case: dict[str, Any], root: Path) -> Dialect:
    partials: dict[str, str] = case["partials"]
    key = json.dumps(partials, sort_keys=True)
    if key not in _projects:
        base = root / f"p{len(_projects)}"
        for name, text in partials.items():
            path = base / "app" / "views" / "partials" / f"{name}.liquid"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="")
        (base / "app").mkdir(parents=True, exist_ok=True)
        _projects[key] = Dialect(Project(base))
    return _projects[key]


def render(case: dict[str, Any], root: Path) -> str:
    dialect = dialect_for(case, root)
    run = RunState(clock=ManualClock(1_458_000_000.0), reserve_id=lambda: 1, job_context={})
    run.rng = random.Random(7)
    template = dialect.parse_source(case["template"], PAGE)
    return dialect.render(template, run, context={}, variables=dict(case["assigns"]))


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("conformance")


@pytest.mark.parametrize("name", sorted(CASES))
def test_renders_as_ruby_liquid(name: str, root: Path, request: pytest.FixtureRequest) -> None:
    case = CASES[name]
    if name in KNOWN_DIFFERENCES:
        request.applymarker(pytest.mark.xfail(strict=True, reason="a known difference"))
    declared = DECLARED.get(name, {})
    if "error" in case or declared.get("platform_error"):
        with pytest.raises(TemplateError):
            output = render(case, root)
            pytest.fail(f"expected an error ({case.get('error') or declared['reason']}); "
                        f"posjobs rendered {output!r}")
        return
    expected = declared.get("platform", case["output"])
    assert render(case, root) == expected
