"""Suppression comments in platformos-check's shape: disable, enable, disable-next-line."""

from __future__ import annotations

from posjobs.services.check.suppress import Suppressions
from tests.check.conftest import PAGE

NO_SOURCE_NAME = "{% background _ = 'jobs/x' %}"  # PJ105 on its line


def lint_lines(lint, *lines: str):
    return [(f.code, f.spot.line) for f in lint({
        PAGE: "\n".join(lines), "app/lib/jobs/x.liquid": "",
    })]


def test_disable_next_line(lint):
    assert lint_lines(
        lint,
        "{% # posjobs-check-disable-next-line PJ105 %}",
        NO_SOURCE_NAME,
        NO_SOURCE_NAME,
    ) == [("PJ105", 3)]


def test_disable_next_line_names_other_rules_only(lint):
    assert lint_lines(
        lint,
        "{% # posjobs-check-disable-next-line PJ104, unused-argument %}",
        NO_SOURCE_NAME,
    ) == [("PJ105", 2)]


def test_disable_until_enable(lint):
    assert lint_lines(
        lint,
        NO_SOURCE_NAME,
        "{%- # posjobs-check-disable missing-source-name -%}",
        NO_SOURCE_NAME,
        NO_SOURCE_NAME,
        "{% # posjobs-check-enable missing-source-name %}",
        NO_SOURCE_NAME,
    ) == [("PJ105", 1), ("PJ105", 6)]


def test_a_bare_disable_covers_every_rule_to_the_end(lint):
    assert lint_lines(
        lint,
        "{{ 'x' | nosuch }}",
        "{% # posjobs-check-disable %}",
        "{{ 'x' | nosuch }}",
        NO_SOURCE_NAME,
    ) == [("PJ003", 1)]


def test_inside_liquid_tags_and_comment_blocks(lint):
    assert lint_lines(
        lint,
        "{% liquid",
        "  # posjobs-check-disable-next-line MissingSourceName",
        "  background _ = 'jobs/x'",
        "  background _ = 'jobs/x'",
        "%}",
        "{% comment %}posjobs-check-disable-next-line PJ1{% endcomment %}",
        NO_SOURCE_NAME,
    ) == [("PJ105", 4)]


def test_other_linters_comments_change_nothing(lint):
    assert lint_lines(
        lint,
        "{% # platformos-check-disable %}",
        "{% # posjobs-check-disable-next-line SomeOtherCheck %}",
        NO_SOURCE_NAME,
    ) == [("PJ105", 3)]


def test_enabling_one_rule_of_several():
    suppressions = Suppressions.parse(
        "{% # posjobs-check-disable PJ101 PJ102 %}\n\n{% # posjobs-check-enable PJ101 %}\n\n"
    )
    assert suppressions.hides("PJ101", 2) and not suppressions.hides("PJ101", 4)
    assert suppressions.hides("PJ102", 2) and suppressions.hides("PJ102", 4)
    assert not suppressions.hides("PJ103", 2)


def test_a_finding_in_a_partial_is_suppressed_there(lint):
    findings = lint({
        PAGE: "{% background _ = 'jobs/read', source_name: 'r' %}",
        "app/lib/jobs/read.liquid": "{% # posjobs-check-disable-next-line PJ202 %}\n"
                                    "{{ context.params.q }}\n{{ context.params.r }}",
    })
    assert [(f.code, f.spot.path, f.spot.line) for f in findings] == [
        ("PJ202", "app/lib/jobs/read.liquid", 3),
    ]
