"""What `posjobs check` reports, shaped for each format: text lines, JSON, SARIF 2.1.0."""

from __future__ import annotations

from typing import Any

from posjobs import __version__
from posjobs.services.check.findings import CheckReport, Finding
from posjobs.services.check.rules import RULES, RULES_DOC, Rule, Severity
from posjobs.services.check.walker import Spot

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SARIF_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
# Where docs/rules.md is published; rules link to their anchors there. Relative (to the
# posjobs repository) until the project has a public home.
DOCS_BASE = RULES_DOC


def help_uri(rule: Rule) -> str:
    return f"{DOCS_BASE}#{rule.anchor}"


# --- text ---------------------------------------------------------------------------------------
def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def summary_line(report: CheckReport) -> str:
    checked = plural(report.files_checked, "file")
    if not report.findings:
        return f"All checks passed ({checked} checked)."
    counts = [
        plural(report.count(Severity.ERROR), "error"),
        plural(report.count(Severity.WARNING), "warning"),
        f"{report.count(Severity.INFO)} info",
    ]
    return (f"Found {plural(len(report.findings), 'problem')} "
            f"({', '.join(counts)}) in {plural(report.files_with_findings(), 'file')}; "
            f"{checked} checked.")


def summary_rows(report: CheckReport) -> list[tuple[str, str, str, str]]:
    """One row per rule with findings: count, code, slug, severity."""
    return [(str(n), r.code, r.slug, r.severity.value) for r, n in report.by_rule()]


def rule_rows() -> list[tuple[str, str, str, str]]:
    """`--list-rules`: code, severity, slug, summary."""
    return [(r.code, r.severity.value, r.slug, r.summary) for r in RULES]


# --- JSON ---------------------------------------------------------------------------------------
def rule_dict(rule: Rule) -> dict[str, str]:
    return {"code": rule.code, "rule": rule.slug, "name": rule.name,
            "severity": rule.severity.value, "summary": rule.summary, "help": help_uri(rule)}


def report_json(report: CheckReport) -> dict[str, Any]:
    return {
        "root": str(report.root),
        "files_checked": report.files_checked,
        "skipped": list(report.skipped),
        "findings": [f.to_dict() for f in report.findings],
        "summary": {
            "errors": report.count(Severity.ERROR),
            "warnings": report.count(Severity.WARNING),
            "info": report.count(Severity.INFO),
            "by_rule": {r.code: n for r, n in report.by_rule()},
        },
    }


# --- SARIF --------------------------------------------------------------------------------------
def _location(spot: Spot, message: str | None = None, id_: int | None = None) -> dict[str, Any]:
    location: dict[str, Any] = {
        "physicalLocation": {
            "artifactLocation": {"uri": spot.path, "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": spot.line, "startColumn": spot.column},
        }
    }
    if id_ is not None:
        location["id"] = id_
    if message is not None:
        location["message"] = {"text": message}
    return location


def _sarif_rule(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "helpUri": help_uri(rule),
        "help": {"text": f"{rule.code} {rule.slug}: {rule.summary}. See {help_uri(rule)}."},
        "defaultConfiguration": {"level": SARIF_LEVELS[rule.severity]},
        "properties": {"tags": ["posjobs", rule.slug]},
    }


def _sarif_result(finding: Finding, index: dict[str, int]) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "ruleIndex": index[finding.code],
        "level": SARIF_LEVELS[finding.severity],
        "message": {"text": finding.message},
        "locations": [_location(finding.spot)],
    }
    if finding.job is not None:
        result["relatedLocations"] = [
            _location(finding.job, "the background tag whose job runs this code", 1)
        ]
    return result


def report_sarif(report: CheckReport) -> dict[str, Any]:
    """SARIF 2.1.0 for GitHub code scanning: paths relative to the project root (%SRCROOT%)."""
    index = {rule.code: i for i, rule in enumerate(RULES)}
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "posjobs",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": [_sarif_rule(rule) for rule in RULES],
            }},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": report.root.as_uri() + "/"}},
            "columnKind": "unicodeCodePoints",
            "results": [_sarif_result(f, index) for f in report.findings],
        }],
    }
