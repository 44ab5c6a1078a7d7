"""Running a project's platformOS tests as the tests module runs them on an instance.

The tests module (`modules/tests`, pos-cli's `modules install tests`) finds the partials
whose path ends with `_test` (its `test_files/search` query over `admin_liquid_partials`),
includes each with a `contract`, and its `_tests/run.js` page prints one JSON result. This
renders that page in the `staging` environment, as `pos-cli test run` has the instance do,
and reads the result; the module decides what a test is and whether it passed.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from posjobs.clock import Clock
from posjobs.config import Settings
from posjobs.data import DataLayer
from posjobs.errors import NotFoundError, PosjobsError
from posjobs.jobs.model import Job
from posjobs.project import Page, Project
from posjobs.services.context import Request
from posjobs.services.render import render_page, source_page
from posjobs.store.base import Store

MODULE = "modules/tests"
RUN_PAGE = "public/views/pages/_tests/run.js.liquid"
ENVIRONMENT = "staging"  # the module runs tests only in staging or development

# The tests module before 1.1.0 has no `_tests/run.js`: its `commands/run` loop, with the
# JSON its later `tests/show_js` partial prints. Only the module's own query, partials
# and assertions run; this replaces the page that would print their result as JSON.
LEGACY_RUN = """{% liquid
  assign ctx = context
  hash_assign ctx['tests'] = true
  assign __start = "now" | to_time
  graphql found = 'modules/tests/test_files/search', path: context.params.name
  assign tests = found.admin_liquid_partials.results
  assign total_errors = 0
  assign total_assertions = 0
  assign tests_array = '[]' | parse_json
  for test in tests
    log test, type: "test:"
    assign contract = '{ "errors": {}, "success": true, "total": 0 }' | parse_json
    include test.path, registry: test.path, contract: contract
    assign total_errors = total_errors | plus: contract.errors.size
    assign total_assertions = total_assertions | plus: contract.total
    assign test_result = '{}' | parse_json
    hash_assign test_result['name'] = test.path
    hash_assign test_result['success'] = contract.success
    hash_assign test_result['assertions'] = contract.total
    hash_assign test_result['errors'] = contract.errors
    assign tests_array = tests_array | add_to_array: test_result
  endfor
  assign __stop = "now" | to_time
  assign result = '{}' | parse_json
  if total_errors > 0
    hash_assign result['success'] = false
  else
    hash_assign result['success'] = true
  endif
  hash_assign result['total_tests'] = tests_array.size
  hash_assign result['total_assertions'] = total_assertions
  hash_assign result['total_errors'] = total_errors
  hash_assign result['duration_ms'] = __start | time_diff: __stop, 'ms' | round
  hash_assign result['tests'] = tests_array
%}{{ result | json }}"""


class TestsModuleMissing(NotFoundError):
    """The project has no tests module to run its tests with."""

    __test__ = False


class TestRunError(PosjobsError):
    """The tests module ran but did not print a result posjobs can read."""

    __test__ = False


@dataclass
class TestCase:
    """One test partial and what its contract collected."""

    __test__ = False  # not a pytest class

    name: str  # the partial's platform name: test/orders/create_test
    success: bool
    assertions: int
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def failures(self) -> list[tuple[str, str]]:
        """(field_name, message) of each failed assertion."""
        return [(name, message) for name, messages in self.errors.items()
                for message in messages]


@dataclass
class TestReport:
    """The module's result, as it printed it (`raw`) and read into test cases."""

    __test__ = False

    raw: dict[str, Any]
    tests: list[TestCase]
    seconds: float  # wall time of the whole run, as the user waited for it
    legacy: bool = False  # run with posjobs' copy of run.js (module before 1.1.0)
    jobs: list[Job] = field(default_factory=list)  # what the migrations and tests enqueued
    migrations: list[str] = field(default_factory=list)  # the migrations run first

    @property
    def passed(self) -> int:
        return sum(1 for test in self.tests if test.success)

    @property
    def failed(self) -> int:
        return len(self.tests) - self.passed

    @property
    def ok(self) -> bool:
        return self.failed == 0 and bool(self.raw.get("success", True))

    def summary(self) -> str:
        """The last line, `N passed, M failed` first, as CI tools look for it."""
        return (f"{self.passed} passed, {self.failed} failed ({len(self.tests)} total) "
                f"in {self.seconds:.2f}s")


def tests_module(project: Project) -> Path:
    """The tests module's folder, or a clear error saying how to add it."""
    for base in (project.root / "modules" / "tests", project.root / "app" / "modules" / "tests"):
        if (base / "public" / "graphql" / "test_files" / "search.graphql").is_file():
            return base
    raise TestsModuleMissing(
        f"{project.root} has no tests module (modules/tests), which finds and runs the "
        "project's *_test partials",
        hint="add it with `pos-cli modules install tests` then `pos-cli modules download "
             "tests`, or copy the module's modules/tests folder into the project")


def run_tests(
    project: Project,
    store: Store,
    data: DataLayer,
    *,
    clock: Clock,
    settings: Settings,
    name: str | None = None,
    migrate: bool = False,
) -> TestReport:
    """Run the tests whose partial path contains `name` (all when None) and read the result.

    With `migrate`, the project's migrations run first, as a deploy to a new environment
    runs them before anyone can run tests there. The tests' data writes, emails and
    enqueued jobs are committed as a page render's are; a template error in a migration or
    a test fails the run as it fails the deploy or the module's page (exit 4).
    """
    module = tests_module(project)
    started = time.monotonic()
    migrations: list[str] = []
    jobs: list[Job] = []
    if migrate:
        from posjobs.services.migrations import run_migrations

        migrations, jobs = run_migrations(project, store, data, clock=clock, settings=settings,
                                          environment=ENVIRONMENT)
    page_file = module / RUN_PAGE
    legacy = not page_file.is_file()
    page: Page | str = (source_page(project, LEGACY_RUN, "<posjobs test runner>", layout=False)
                        if legacy else str(page_file))
    result = render_page(project, store, page, clock=clock, settings=settings, data=data,
                         request=Request(params={"name": name} if name else {},
                                         environment=ENVIRONMENT),
                         cwd=project.root)
    seconds = time.monotonic() - started
    raw = parse_result(result.html, project.relative(page_file) if not legacy else "posjobs")
    return TestReport(raw, [_case(test) for test in raw.get("tests") or []], seconds,
                      legacy=legacy, jobs=jobs + result.jobs, migrations=migrations)


def parse_result(output: str, page: str) -> dict[str, Any]:
    """The JSON object the module printed; anything else is a `TestRunError` quoting it."""
    text = output.strip()
    try:
        raw = json.loads(text)
    except json.JSONDecodeError:
        start = text.find("{")
        try:  # a layout or stray output around the object
            raw = json.JSONDecoder().raw_decode(text[start:])[0] if start >= 0 else None
        except json.JSONDecodeError:
            raw = None
    if not isinstance(raw, dict):
        shown = text[:300] + ("..." if len(text) > 300 else "")
        raise TestRunError(f"{page} did not print a JSON test result; it printed: {shown!r}")
    if "tests" not in raw:
        raise TestRunError(f"{page}: {raw.get('error') or 'no tests in its result'}")
    return raw


def _case(test: Any) -> TestCase:
    test = test if isinstance(test, dict) else {}
    errors = test.get("errors")
    found: dict[str, list[str]] = {}
    if isinstance(errors, dict):
        for key, messages in errors.items():
            items = messages if isinstance(messages, list) else [messages]
            found[str(key) if key is not None else ""] = [str(m) for m in items]
    assertions = test.get("assertions")
    return TestCase(
        name=str(test.get("name") or "?"),
        success=bool(test.get("success")) and not found,
        assertions=assertions if isinstance(assertions, int) else 0,
        errors=found,
    )
