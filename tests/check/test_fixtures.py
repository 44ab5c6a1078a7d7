"""fixtures/check_violations plants exactly one problem per rule, in files named after it;
fixtures/demo is clean."""

from __future__ import annotations

import json
import re

import pytest

from posjobs.project import Project
from posjobs.services.check import RULES, check_project
from tests.conftest import FIXTURES, run_cli

VIOLATIONS = FIXTURES / "check_violations"
PAGES = "app/views/pages"
# (code, path, line): every problem planted in the fixture, and nothing else.
PLANTED = {
    ("PJ001", f"{PAGES}/pj001_parse_error.liquid", 2),
    ("PJ002", f"{PAGES}/pj002_unknown_tag.liquid", 2),
    ("PJ003", f"{PAGES}/pj003_unknown_filter.liquid", 2),
    ("PJ004", f"{PAGES}/pj004_missing_partial.liquid", 2),
    ("PJ005", f"{PAGES}/pj005_missing_layout.liquid", 3),
    ("PJ006", f"{PAGES}/pj006_missing_form.liquid", 2),
    ("PJ007", f"{PAGES}/pj007_missing_graphql.liquid", 2),
    ("PJ101", f"{PAGES}/pj101_invalid_priority.liquid", 1),
    ("PJ102", f"{PAGES}/pj102_invalid_delay.liquid", 3),
    ("PJ103", f"{PAGES}/pj103_invalid_max_attempts.liquid", 1),
    ("PJ104", f"{PAGES}/pj104_max_attempts_out_of_range.liquid", 1),
    ("PJ105", f"{PAGES}/pj105_missing_source_name.liquid", 1),
    ("PJ201", f"{PAGES}/pj201_unpassed_variable.liquid", 3),
    # Read in the partial the job runs; the job is the background tag on the page.
    ("PJ202", "app/views/partials/jobs/pj202_request_data_in_job.liquid", 2),
    ("PJ203", f"{PAGES}/pj203_request_tag_in_job.liquid", 2),
    ("PJ204", f"{PAGES}/pj204_unused_argument.liquid", 1),
    ("PJ205", f"{PAGES}/pj205_nested_inline_background.liquid", 2),
    ("PJ206", f"{PAGES}/pj206_unstorable_argument.liquid", 1),
    ("PJ301", "app/graphql/pj301_invalid_graphql.graphql", 3),
    ("PJ302", "app/schema/pj302_invalid_table_schema.yml", 1),
}


def test_the_violations_fixture_reports_exactly_the_planted_problems():
    report = check_project(Project(VIOLATIONS))
    assert {(f.code, f.spot.path, f.spot.line) for f in report.findings} == PLANTED
    assert len(report.findings) == len(PLANTED)


def test_the_violations_fixture_has_one_problem_per_rule_in_a_file_named_after_it():
    assert sorted(code for code, _, _ in PLANTED) == [r.code for r in RULES]
    for code, path, _ in PLANTED:
        rule = next(r for r in RULES if r.code == code)
        suffix = {"PJ301": ".graphql", "PJ302": ".yml"}.get(code, ".liquid")
        assert path.rsplit("/", 1)[1] == f"{code.lower()}_{rule.slug.replace('-', '_')}{suffix}"


def test_the_request_data_finding_names_the_job_that_runs_the_partial():
    report = check_project(Project(VIOLATIONS))
    [finding] = [f for f in report.findings if f.code == "PJ202"]
    assert finding.job is not None
    assert (finding.job.path, finding.job.line) == (f"{PAGES}/pj202_request_data_in_job.liquid", 2)


def test_generator_templates_are_not_part_of_the_app():
    report = check_project(Project(VIOLATIONS))
    assert not any("generators" in f.spot.path for f in report.findings)
    # Named explicitly, a generator is skipped and said so.
    generators = VIOLATIONS / "modules" / "sample" / "generators"
    report = check_project(Project(VIOLATIONS), [generators])
    assert report.files_checked == 0
    assert report.skipped == ("modules/sample/generators/templates/page.liquid",)


def test_the_cli_reports_the_fixture_like_ruff_and_fails():
    result = run_cli(["-p", str(VIOLATIONS), "check"])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == len(PLANTED)
    found = set()
    for line in lines:
        match = re.fullmatch(r"(\S+):(\d+):(\d+): (PJ\d{3}) .+", line)
        assert match, line
        found.add((match[4], match[1], int(match[2])))
    assert found == PLANTED
    assert "Found 20 problems (15 errors, 3 warnings, 2 info) in 20 files" in result.stderr


def test_the_demo_is_clean():
    report = check_project(Project(FIXTURES / "demo"))
    assert report.findings == ()
    assert report.files_checked == 8
    result = run_cli(["-p", str(FIXTURES / "demo"), "check", "--fail-on", "info", "--format",
                      "json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["findings"] == []


def test_the_graphql_finding_points_at_the_field_the_schema_does_not_have():
    report = check_project(Project(VIOLATIONS), select=["PJ301"])
    [finding] = report.findings
    assert (finding.spot.line, finding.spot.column) == (3, 18)
    assert "Cannot query field 'propertee' on type 'Record'" in finding.message


def test_the_modules_of_the_platform_validate_against_its_schema(tmp_path):
    # The platform's own user module (with core): every one of its .graphql files is valid,
    # so the check's schema and rules agree with what the platform deploys.
    corpus = FIXTURES.parent.parent / "shared" / "corpus" / "pos-modules" / "pos-module-user"
    if not corpus.is_dir():
        pytest.skip(f"{corpus} is not here")
    report = check_project(Project(corpus), select=["PJ3"])
    assert report.findings == ()
    assert report.files_checked > 60
