"""Inline suppression comments, in platformos-check's shape, read from a template's source.

    {% # posjobs-check-disable PJ201 %}             off from here (every rule when none named)
    {% # posjobs-check-enable PJ201 %}              on again (a bare -enable ends every -disable)
    {% # posjobs-check-disable-next-line PJ105 %}   off for the next line only

The same words work as `#` lines inside `{% liquid %}` and in `{% comment %}` blocks. Rules are
named by code (PJ201), code prefix (PJ2), slug (unpassed-variable) or name (UnpassedVariable).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from posjobs.services.check.rules import codes_named

_WORDS = r"posjobs-check-(?P<kind>disable-next-line|disable|enable)(?![\w-])(?P<rules>[^%\n]*)"
_TAG_COMMENT = re.compile(r"\{%-?\s*#\s*" + _WORDS)
_BLOCK_COMMENT = re.compile(r"\{%-?\s*comment\s*-?%\}\s*" + _WORDS)
_LIQUID_TAG = re.compile(r"\{%-?\s*liquid\b(?P<body>.*?)-?%\}", re.DOTALL)
_LIQUID_LINE = re.compile(r"^[ \t]*#[ \t]*" + _WORDS, re.MULTILINE)
_RULE_WORD = re.compile(r"[A-Za-z][\w-]*")

EVERY_RULE = frozenset({"*"})


@dataclass(frozen=True)
class _Directive:
    line: int
    kind: str  # disable, enable, disable-next-line
    codes: frozenset[str]  # EVERY_RULE when none is named


@dataclass(frozen=True)
class _Span:
    codes: frozenset[str]
    start: int
    end: int | None  # inclusive; None: to the end of the file


class Suppressions:
    """Which findings a template's comments switch off, by rule code and line."""

    def __init__(self, spans: list[_Span]) -> None:
        self._spans = spans

    @classmethod
    def parse(cls, source: str) -> Suppressions:
        if "posjobs-check-" not in source:
            return cls([])
        spans: list[_Span] = []
        open_: dict[frozenset[str], int] = {}
        for directive in sorted(_directives(source), key=lambda d: d.line):
            if directive.kind == "disable-next-line":
                spans.append(_Span(directive.codes, directive.line + 1, directive.line + 1))
            elif directive.kind == "disable":
                open_.setdefault(directive.codes, directive.line)
            else:
                for codes in list(open_):
                    if directive.codes == EVERY_RULE or codes == directive.codes:
                        spans.append(_Span(codes, open_.pop(codes), directive.line))
                    elif codes != EVERY_RULE and codes & directive.codes:
                        start = open_.pop(codes)
                        spans.append(_Span(codes & directive.codes, start, directive.line))
                        open_[codes - directive.codes] = start
        spans += [_Span(codes, start, None) for codes, start in open_.items()]
        return cls(spans)

    def hides(self, code: str, line: int) -> bool:
        return any(
            (span.codes == EVERY_RULE or code in span.codes)
            and span.start <= line and (span.end is None or line <= span.end)
            for span in self._spans
        )


def _directives(source: str) -> list[_Directive]:
    found: dict[tuple[int, int], _Directive] = {}

    def add(match: re.Match[str], offset: int = 0) -> None:
        index = offset + match.start("kind")
        line = source.count("\n", 0, index) + 1
        words = _RULE_WORD.findall(match.group("rules"))
        codes = codes_named(words) if words else EVERY_RULE
        if words and not codes:
            return  # names no rule posjobs has (perhaps another linter's): nothing to do
        found[(line, index)] = _Directive(line, match.group("kind"), codes)

    for pattern in (_TAG_COMMENT, _BLOCK_COMMENT):
        for match in pattern.finditer(source):
            add(match)
    for tag in _LIQUID_TAG.finditer(source):
        for match in _LIQUID_LINE.finditer(tag.group("body")):
            add(match, tag.start("body"))
    return list(found.values())
