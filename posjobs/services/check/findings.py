"""What a check produces: findings at path:line:col, and the report over a whole project."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from posjobs.services.check.rules import Rule, Severity, rule
from posjobs.services.check.walker import Spot


@dataclass(frozen=True)
class Finding:
    """One problem: a rule broken at a spot, in one line of text.

    `job` is the background tag whose job runs the code at `spot`, when that is elsewhere
    (a partial the job reaches through include, render or function).
    """

    code: str
    spot: Spot
    message: str
    job: Spot | None = None

    @property
    def rule(self) -> Rule:
        return rule(self.code)

    @property
    def severity(self) -> Severity:
        return self.rule.severity

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.spot.path, self.spot.line, self.spot.column, self.code)

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "rule": self.rule.slug,
            "severity": self.severity.value,
            "path": self.spot.path,
            "line": self.spot.line,
            "column": self.spot.column,
            "message": self.message,
            "job": None if self.job is None else {
                "path": self.job.path, "line": self.job.line, "column": self.job.column,
            },
        }


@dataclass(frozen=True)
class CheckReport:
    """Every finding of one `posjobs check`, sorted by path, line and column."""

    root: Path
    findings: tuple[Finding, ...]
    files_checked: int
    skipped: tuple[str, ...] = field(default=())  # given paths that are not part of the app

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity is severity)

    def by_rule(self) -> list[tuple[Rule, int]]:
        """How many findings each rule has, most first."""
        counts = Counter(f.code for f in self.findings)
        return [(rule(code), n) for code, n in sorted(counts.items(), key=lambda c: (-c[1], c[0]))]

    def files_with_findings(self) -> int:
        return len({f.spot.path for f in self.findings})

    def fails(self, threshold: Severity) -> bool:
        """Whether any finding is at least as severe as `threshold` (`--fail-on`)."""
        return any(f.severity.at_least(threshold) for f in self.findings)
