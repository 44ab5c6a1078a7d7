"""The rule registry: stable codes and slugs, one severity each, and how rules are selected."""

from __future__ import annotations

import re

import pytest

from posjobs.errors import UsageError
from posjobs.services.check.rules import BY_CODE, RULES, Severity, selected_codes


def test_codes_and_slugs_are_unique_and_well_formed():
    assert len({r.code for r in RULES}) == len(RULES)
    assert len({r.slug for r in RULES}) == len(RULES)
    for rule in RULES:
        assert re.fullmatch(r"PJ\d{3}", rule.code)
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", rule.slug)
        assert isinstance(rule.severity, Severity)
        assert rule.summary and "\n" not in rule.summary
    assert BY_CODE["PJ201"].name == "UnpassedVariable"
    assert BY_CODE["PJ201"].anchor == "pj201-unpassed-variable"


def test_every_severity_is_used():
    assert {r.severity for r in RULES} == set(Severity)


@pytest.mark.parametrize(("select", "ignore", "expected"), [
    (None, None, {r.code for r in RULES}),
    (["PJ101,PJ102"], None, {"PJ101", "PJ102"}),
    (["PJ101", "PJ102"], None, {"PJ101", "PJ102"}),
    (["PJ2"], ["PJ204", "unstorable-argument"], {"PJ201", "PJ202", "PJ203", "PJ205"}),
    (["unpassed-variable", "RequestDataInJob"], None, {"PJ201", "PJ202"}),
    (["pj10"], ["pj105"], {"PJ101", "PJ102", "PJ103", "PJ104"}),
    (["ALL"], ["PJ0", "PJ1", "PJ3"], {r.code for r in RULES if r.code.startswith("PJ2")}),
])
def test_select_and_ignore(select, ignore, expected):
    assert selected_codes(select, ignore) == expected


@pytest.mark.parametrize(("select", "ignore"), [(["PJ999"], None), (None, ["no-such-rule"])])
def test_an_unknown_rule_is_a_usage_error(select, ignore):
    with pytest.raises(UsageError, match="no such rule"):
        selected_codes(select, ignore)
