"""The rules `posjobs check` applies: one registry of codes, slugs and severities, and selection."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from posjobs.errors import UsageError

# Where every rule is explained (bad and good example, why it matters); tests keep it complete.
RULES_DOC = "docs/rules.md"


class Severity(str, Enum):
    """How bad a finding is; `--fail-on` picks the lowest that fails the check."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "info": 1}[self.value]

    def at_least(self, threshold: Severity) -> bool:
        return self.rank >= threshold.rank

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Rule:
    code: str  # PJ001: stable, what users select, ignore and suppress
    slug: str  # parse-error: stable, readable
    severity: Severity
    summary: str  # one line: what the rule finds

    @property
    def name(self) -> str:
        """The slug as a rule name in platformos-check's style (`ParseError`)."""
        return "".join(part.capitalize() for part in self.slug.split("-"))

    @property
    def anchor(self) -> str:
        """The heading anchor of this rule in docs/rules.md (`## PJ001 parse-error`)."""
        return f"{self.code.lower()}-{self.slug}"


ERR, WARN, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

# PJ0xx: templates; PJ1xx: background options; PJ2xx: what a job's code sees and stores;
# PJ3xx: the project's data files.
RULES: tuple[Rule, ...] = (
    Rule("PJ001", "parse-error", ERR,
         "the template cannot be parsed (syntax, front matter, encoding)"),
    Rule("PJ002", "unknown-tag", ERR, "a tag posjobs and the platform do not know"),
    Rule("PJ003", "unknown-filter", ERR, "a filter posjobs and the platform do not know"),
    Rule("PJ004", "missing-partial", ERR,
         "include, render, function or background names a partial that does not exist"),
    Rule("PJ005", "missing-layout", ERR,
         "the page's front matter names a layout that does not exist"),
    Rule("PJ006", "missing-form", ERR,
         "include_form names a form that is not in the project"),
    Rule("PJ007", "missing-graphql", ERR,
         "graphql names a query file that is not in the project"),
    Rule("PJ101", "invalid-priority", ERR, "background priority is not low, default or high"),
    Rule("PJ102", "invalid-delay", ERR, "background delay is negative or not a number of minutes"),
    Rule("PJ103", "invalid-max-attempts", ERR, "background max_attempts is not a whole number"),
    Rule("PJ104", "max-attempts-out-of-range", WARN,
         "background max_attempts is outside 1..5 and will be clamped"),
    Rule("PJ105", "missing-source-name", INFO,
         "background has no source_name, so logs and job lists show a generated one"),
    Rule("PJ201", "unpassed-variable", WARN,
         "an inline job body reads a variable the background tag does not pass (nil in the job)"),
    Rule("PJ202", "request-data-in-job", ERR,
         "job code reads request data (params, session, current user, headers, cookies) or "
         "constants it was not passed"),
    Rule("PJ203", "request-tag-in-job", ERR,
         "job code uses session or sign_in, which fail in a job"),
    Rule("PJ204", "unused-argument", INFO, "a background argument the job's code never reads"),
    Rule("PJ205", "nested-inline-background", WARN,
         "an inline background inside another inline background's body"),
    Rule("PJ206", "unstorable-argument", ERR,
         "a background argument that cannot be stored as JSON (range, empty, blank, forloop)"),
    Rule("PJ301", "invalid-graphql", ERR,
         "a .graphql file does not parse or validate against the platform's GraphQL schema"),
    Rule("PJ302", "invalid-table-schema", ERR,
         "a table schema file (schema/*.yml, user.yml) cannot be read"),
)

BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES}


def rule(code: str) -> Rule:
    return BY_CODE[code]


def _matches(token: str) -> list[Rule]:
    """The rules one `--select`/`--ignore` word names: a code, a code prefix, a slug, a name."""
    word = token.strip()
    upper, lower = word.upper(), word.lower()
    if upper == "ALL":
        return list(RULES)
    return [
        r for r in RULES
        if r.code.startswith(upper) or r.slug == lower or r.name.lower() == lower
    ]


def split_words(values: Iterable[str] | None) -> list[str]:
    """`--select PJ1,PJ2 --select PJ3` as the words PJ1, PJ2, PJ3."""
    return [w.strip() for v in values or () for w in v.split(",") if w.strip()]


def selected_codes(select: Iterable[str] | None, ignore: Iterable[str] | None) -> frozenset[str]:
    """The codes `--select` (default: all) keeps and `--ignore` does not drop.

    An unknown code is a usage error, so that a typo never silently turns a rule off.
    """
    chosen: set[str] = set()
    select_words = split_words(select)
    for word in select_words or ["ALL"]:
        found = _matches(word)
        if not found:
            raise UsageError(f"--select {word!r}: no such rule",
                             hint="`posjobs check --list-rules` lists them")
        chosen.update(r.code for r in found)
    for word in split_words(ignore):
        found = _matches(word)
        if not found:
            raise UsageError(f"--ignore {word!r}: no such rule",
                             hint="`posjobs check --list-rules` lists them")
        chosen.difference_update(r.code for r in found)
    return frozenset(chosen)


def codes_named(words: Iterable[str]) -> frozenset[str]:
    """The codes a suppression comment names (codes, slugs or rule names); unknown words
    name nothing."""
    return frozenset(r.code for w in words for r in _matches(w) if w.strip().upper() != "ALL")
