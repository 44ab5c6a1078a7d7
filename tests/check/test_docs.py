"""Every rule is documented in docs/rules.md (its code, severity, a bad and a good example),
and the README lists the command. Like sqlite-utils' tests/test_docs.py."""

from __future__ import annotations

import re

import pytest

from posjobs.services.check.rules import RULES, RULES_DOC
from tests.conftest import REPO

DOC = (REPO / RULES_DOC).read_text(encoding="utf-8")
SECTIONS = dict(re.findall(r"^## (PJ\d{3}) [a-z-]+\n(.*?)(?=^## |\Z)", DOC, re.M | re.S))


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_every_rule_is_documented(rule):
    heading = f"## {rule.code} {rule.slug}"
    assert f"\n{heading}\n" in DOC, f"docs/rules.md has no '{heading}'"
    section = SECTIONS[rule.code]
    assert f"Severity: {rule.severity.value}\n" in section
    assert "Why it matters" in section
    language = {"PJ301": "graphql", "PJ302": "yaml"}.get(rule.code, "liquid")
    assert re.search(rf"^Bad:\n\n```{language}\n.+?\n```", section, re.M | re.S)
    assert re.search(rf"^Good:\n\n```{language}\n.+?\n```", section, re.M | re.S)


def test_no_rule_is_documented_that_does_not_exist():
    assert set(SECTIONS) == {r.code for r in RULES}


def test_the_readme_lists_the_command():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "| `posjobs check" in readme
    assert "docs/rules.md" in readme
