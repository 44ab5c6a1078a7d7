"""`posjobs test`: the project's platformOS tests run with the tests module, as a developer
and a CI job see them (fixtures/tests_demo with the module copied in from the corpus)."""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from posjobs.services.testing import TestRunError, parse_result
from tests.conftest import FIXTURES, run_cli

CORPUS = FIXTURES.parent.parent / "shared" / "corpus" / "pos-modules"
TESTS_MODULE = CORPUS / "pos-module-tests" / "modules" / "tests"
needs_module = pytest.mark.skipif(
    not TESTS_MODULE.is_dir(),
    reason=f"the tests module is copied from the corpus at {TESTS_MODULE}, which is not here")
SUMMARY = re.compile(r"^(\d+) passed, (\d+) failed \((\d+) total\) in \d+\.\d\ds$")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """fixtures/tests_demo with the tests module installed, as `pos-cli modules install`
    would leave it."""
    if not TESTS_MODULE.is_dir():
        pytest.skip(f"the tests module is not at {TESTS_MODULE}")
    root = tmp_path / "tests_demo"
    shutil.copytree(FIXTURES / "tests_demo", root)
    shutil.copytree(TESTS_MODULE, root / "modules" / "tests")
    return root


def test_every_test_is_listed_with_its_failed_assertions_and_the_summary_comes_last(project):
    result = run_cli(["--project", str(project), "test"])

    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert "FAIL test/failing/arithmetic_test  3 assertions" in lines
    assert "    product: expected 42 to equal 41" in lines
    assert "    flag: should be true" in lines
    assert "ok   test/math_test  2 assertions" in lines
    assert "ok   test/orders/create_test  3 assertions" in lines
    match = SUMMARY.match(lines[-1])
    assert match and match.groups() == ("3", "1", "4"), lines[-1]


def test_a_name_runs_the_tests_whose_path_contains_it_and_passing_exits_0(project):
    result = run_cli(["--project", str(project), "test", "orders"])

    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "ok   test/orders/create_test  3 assertions",
        result.stdout.splitlines()[-1],
    ]
    assert result.stdout.splitlines()[-1].startswith("1 passed, 0 failed (1 total) in ")
    # The test enqueued a job; without --run it is only mentioned.
    assert "enqueued 1 job(s); --run runs them" in result.stderr


def test_junit_report_has_a_testcase_per_test_and_a_failure_per_failed_one(project, tmp_path):
    report = tmp_path / "report.xml"
    result = run_cli(["--project", str(project), "test", "--junit", str(report)])

    assert result.exit_code == 1
    root = ET.parse(report).getroot()
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert len(suites) == 1
    suite = suites[0]
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("4", "1", "0")
    cases = {case.get("name"): case for case in suite.findall("testcase")}
    assert set(cases) == {"test/constants_test", "test/failing/arithmetic_test",
                          "test/math_test", "test/orders/create_test"}
    assert cases["test/math_test"].find("failure") is None
    failure = cases["test/failing/arithmetic_test"].find("failure")
    assert failure is not None
    assert failure.get("message") == "product: expected 42 to equal 41"
    assert failure.text == "product: expected 42 to equal 41\nflag: should be true"
    assert cases["test/failing/arithmetic_test"].get("classname") == "test.failing"


def test_json_prints_the_modules_own_result(project):
    result = run_cli(["--project", str(project), "test", "--json"])

    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert set(data) == {"success", "total_tests", "total_assertions", "total_errors",
                         "duration_ms", "tests"}
    assert (data["success"], data["total_tests"], data["total_assertions"],
            data["total_errors"]) == (False, 4, 9, 2)
    failing = next(t for t in data["tests"] if t["name"] == "test/failing/arithmetic_test")
    assert failing == {"name": "test/failing/arithmetic_test", "success": False,
                       "assertions": 3, "errors": {"product": ["expected 42 to equal 41"],
                                                   "flag": ["should be true"]}}


def test_tests_run_on_a_store_of_their_own_unless_a_store_dir_is_given(project, tmp_path):
    assert run_cli(["--project", str(project), "test", "orders"]).exit_code == 0
    # Nothing was written into the project: no job store, no data.
    assert not (project / ".posjobs").exists()

    kept = tmp_path / "kept"
    for _ in range(2):
        result = run_cli(["--project", str(project), "test", "orders", "--store-dir",
                          str(kept)])
    # The second run found the first run's order: its search counted two.
    assert result.exit_code == 1
    assert "    stored: expected 2 to equal 1" in result.stdout.splitlines()
    listed = run_cli(["--project", str(project), "--db", str(kept / "posjobs.db"),
                      "data", "list", "order", "--json"])
    assert len(json.loads(listed.stdout)) == 2


def test_migrations_run_first_on_a_new_store_as_a_deploy_runs_them(project, tmp_path):
    kept = tmp_path / "kept"
    first = run_cli(["--project", str(project), "test", "constants", "--store-dir", str(kept)])
    assert first.exit_code == 0, first.stdout
    assert ("ran 1 migration(s) on the new test store: 20260101120000_set_currency.liquid"
            in first.stderr)

    # A store that exists has had its migrations: they do not run twice.
    again = run_cli(["--project", str(project), "test", "constants", "--store-dir", str(kept)])
    assert again.exit_code == 0, again.stdout
    assert "migration" not in again.stderr

    (project / "app/migrations/20260102000000_broken.liquid").write_text(
        "{% liquid\n  assign x = 1 | nope\n%}\n", encoding="utf-8")
    broken = run_cli(["--project", str(project), "test"])
    assert broken.exit_code == 4
    assert "app/migrations/20260102000000_broken.liquid:2" in broken.stderr


def test_run_runs_the_jobs_the_tests_enqueued_to_the_end(project, tmp_path):
    kept = tmp_path / "kept"
    result = run_cli(["--project", str(project), "test", "orders", "--run",
                      "--store-dir", str(kept)])

    assert result.exit_code == 0, result.stderr
    assert "1 job(s), all done" in result.stderr
    logs = run_cli(["--project", str(project), "--db", str(kept / "posjobs.db"), "logs",
                    "--json", "--filter", "order_confirmed"])
    entries = [json.loads(line) for line in logs.stdout.splitlines()]
    assert [(e["message"], e["data"]["source_name"]) for e in entries] == [("1", "confirm_order")]


def test_a_template_error_in_a_test_names_its_file_and_line(project, tmp_path):
    (project / "app/lib/test/broken_test.liquid").write_text(
        "{% liquid\n  assign x = 1\n  if x\n%}\n", encoding="utf-8")
    report = tmp_path / "report.xml"
    result = run_cli(["--project", str(project), "test", "--junit", str(report)])

    assert result.exit_code == 4
    assert "app/lib/test/broken_test.liquid:" in result.stderr
    assert "Traceback" not in result.stderr
    # The JUnit report carries the error, so CI shows it with the tests.
    suite = ET.parse(report).getroot().find("testsuite")
    assert suite is not None and (suite.get("tests"), suite.get("errors")) == ("1", "1")
    [case] = suite.findall("testcase")
    assert case.get("name") == "app/lib/test/broken_test.liquid"
    error = case.find("error")
    assert error is not None and "broken_test.liquid:" in (error.text or "")


def test_without_the_tests_module_it_says_how_to_add_it(project):
    shutil.rmtree(project / "modules" / "tests")
    result = run_cli(["--project", str(project), "test"])

    assert result.exit_code == 3
    assert "has no tests module (modules/tests)" in result.stderr
    assert "pos-cli modules install tests" in result.stderr
    assert result.stdout == ""


def test_a_tests_module_before_1_1_runs_its_tests_through_posjobs_copy_of_run_js(project):
    # pos-module-user ships tests module 1.0.1: no _tests/run.js, no show_js partial.
    (project / "modules/tests/public/views/pages/_tests/run.js.liquid").unlink()
    (project / "modules/tests/public/views/partials/tests/show_js.liquid").unlink()
    result = run_cli(["--project", str(project), "test"])

    assert result.exit_code == 1
    assert "no _tests/run.js" in result.stderr
    assert result.stdout.splitlines()[-1].startswith("3 passed, 1 failed (4 total)")


def test_a_result_that_is_not_the_modules_json_is_a_clear_error():
    with pytest.raises(TestRunError, match="only be run in staging"):
        parse_result('{"success":false,"error":"Tests can only be run in staging"}', "run.js")
    with pytest.raises(TestRunError, match=r"did not print a JSON test result.*Oops"):
        parse_result("<h1>Oops</h1>", "run.js")
    assert parse_result('\n\n {"tests": []}\n', "run.js") == {"tests": []}


def test_on_a_colour_terminal_tests_are_ticked_and_crossed(monkeypatch):
    import io

    from posjobs.cli.output import Output
    from posjobs.cli.test import print_report
    from posjobs.services.testing import TestCase, TestReport

    monkeypatch.delenv("NO_COLOR", raising=False)
    out = io.StringIO()
    report = TestReport({"success": False}, [
        TestCase("test/a_test", True, 2),
        TestCase("test/b_test", False, 1, {"": ["should be true"]}),
    ], seconds=1.5)
    print_report(Output(out, io.StringIO(), color=True), report)

    plain = re.sub(r"\x1b\[[0-9;]*m", "", out.getvalue())
    assert plain.splitlines() == [
        "✓ test/a_test  2 assertions",
        "✗ test/b_test  1 assertion",
        "    should be true",
        "1 passed, 1 failed (2 total) in 1.50s",
    ]
    assert "\x1b[" in out.getvalue()
