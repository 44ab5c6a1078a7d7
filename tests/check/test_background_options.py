"""The background tag's options (PJ1xx): checked by the same rules the tag applies when it runs."""

from __future__ import annotations

import pytest

from tests.check.conftest import PAGE


def lint_tag(lint, options: str, before: str = ""):
    return lint({
        PAGE: before + "{% background _ = 'jobs/x', " + options + " %}",
        "app/lib/jobs/x.liquid": "",
    })


@pytest.mark.parametrize(("options", "code", "message"), [
    ("priority: 'urgent', source_name: 's'", "PJ101",
     "background: priority must be one of 'low', 'default', 'high', got 'urgent'"),
    ("priority: 1, source_name: 's'", "PJ101", None),
    ("delay: -1, source_name: 's'", "PJ102", "background: delay must be 0 or more minutes, got -1"),
    ("delay: 'soon', source_name: 's'", "PJ102", None),
    ("delay: true, source_name: 's'", "PJ102", None),
    ("max_attempts: 'twice', source_name: 's'", "PJ103",
     "background: max_attempts must be a whole number, got 'twice'"),
    ("max_attempts: 0, source_name: 's'", "PJ104",
     "background: max_attempts 0 is outside 1..5; using 1"),
    ("max_attempts: 9, source_name: 's'", "PJ104", None),
    ("max_attempts: 2.5, source_name: 's'", "PJ104", None),
    ("delay: 1", "PJ105",
     "background without source_name: logs and job lists will show a generated name"),
])
def test_a_bad_literal_option(lint, options, code, message):
    findings = lint_tag(lint, options)
    assert [f.code for f in findings] == [code]
    if message is not None:
        assert findings[0].message == message


@pytest.mark.parametrize("options", [
    "priority: 'high', delay: 0.5, max_attempts: 5, source_name: 's'",
    "priority: 'LOW', delay: '2', max_attempts: '3', source_name: 's'",
    "priority: nil, delay: nil, max_attempts: nil, source_name: 's'",
    "priority: chosen, delay: later, max_attempts: tries, source_name: name",
    "delay: context.constants.delay, source_name: 's'",
])
def test_good_or_unknown_options_are_not_reported(lint, options):
    assert lint_tag(lint, options) == []


def test_an_option_from_a_literal_assigned_in_the_template(lint):
    findings = lint_tag(lint, "priority: level, delay: wait, source_name: 's'",
                        before="{% assign level = 'urgent' %}\n{% liquid\n  assign wait = -2\n%}\n")
    assert [(f.code, f.message) for f in findings] == [
        ("PJ101", "background: priority must be one of 'low', 'default', 'high', got 'urgent' "
                  "(`level` is assigned 'urgent' at line 1)"),
        ("PJ102", "background: delay must be 0 or more minutes, got -2 "
                  "(`wait` is assigned -2 at line 3)"),
    ]
    assert findings[0].spot.line == 5


def test_the_latest_assignment_before_the_tag_counts(lint):
    before = ("{% assign wait = -1 %}{% assign wait = 5 %}"
              "{% assign level = 'urgent' %}{% assign level = params.level %}")
    assert lint_tag(lint, "delay: wait, priority: level, source_name: 's'", before) == []


def test_inside_liquid_tags_and_inline_bodies(lint):
    findings = lint("""
        {% liquid
          background _ = 'jobs/x', source_name: 'a', max_attempts: 7
        %}
        {% background priority: 'top', source_name: 'b' %}{% endbackground %}
    """, select=["PJ1"])
    assert [(f.code, f.spot.line) for f in findings] == [("PJ104", 2), ("PJ101", 4)]
