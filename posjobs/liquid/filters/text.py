"""String filters: Ruby regular expressions, inflections (titleize, pluralize...), slugs, tests."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any

import regex
from liquid.filter import liquid_filter

from posjobs.liquid.filters.support import (
    as_int,
    as_list,
    as_text,
    check_size,
    fail,
    is_nil,
    to_s,
)

# --- regular expressions, written the Ruby way --------------------------------------------------
REGEX_SECONDS = 1.0  # what one regexp filter call may take: a pattern cannot run away


class RubyRegex:
    """A Ruby regexp (with options i, x, m) compiled by the `regex` module, whose matching
    gives up after `REGEX_SECONDS` instead of backtracking for ever (`^(a|aa)+$`).

    In Ruby `^`/`$` always match at line ends and `m` lets `.` match a newline.
    """

    def __init__(self, name: str, pattern: object, options: object = "") -> None:
        self.name = name
        source = as_text(name, pattern)
        flags = regex.MULTILINE
        for option in to_s(options):
            flags |= {"i": regex.IGNORECASE, "x": regex.VERBOSE, "m": regex.DOTALL}.get(option, 0)
        source = re.sub(r"\(\?<(?=[A-Za-z_])", "(?P<", source)
        source = re.sub(r"\\k<(\w+)>", r"(?P=\1)", source)
        source = source.replace(r"\h", "[0-9a-fA-F]").replace(r"\z", r"\Z")
        try:
            self.pattern = regex.compile(source, flags)
        except regex.error as err:
            fail(name, f"invalid regular expression {to_s(pattern)!r}: {err}")
        self.groups: int = self.pattern.groups

    def search(self, text: str) -> Any:
        return self._timed(lambda: self.pattern.search(text, timeout=REGEX_SECONDS))

    def finditer(self, text: str) -> list[Any]:
        return self._timed(lambda: list(self.pattern.finditer(text, timeout=REGEX_SECONDS)))

    def sub(self, repl: Callable[[Any], str], text: str, count: int) -> str:
        return self._timed(lambda: self.pattern.sub(repl, text, count=count,
                                                    timeout=REGEX_SECONDS))

    def _timed(self, run: Callable[[], Any]) -> Any:
        try:
            return run()
        except TimeoutError:
            fail(self.name, f"the regular expression took longer than {REGEX_SECONDS:g} s "
                            "on this text (it backtracks without end); simplify it")


def ruby_regex(name: str, pattern: object, options: object = "") -> RubyRegex:
    return RubyRegex(name, pattern, options)


_RUBY_BACKREF = re.compile(r"\\(\d|&|k<\w+>|\\|'|`)")


def _expand(template: str, match: Any) -> str:
    def one(ref: re.Match[str]) -> str:
        token = ref.group(1)
        if token.isdigit():
            index = int(token)
            return (match.group(index) or "") if index <= (match.re.groups or 0) else ""
        if token == "&":
            return match.group(0)
        if token == "\\":
            return "\\"
        if token == "'":
            return match.string[match.end():]
        if token == "`":
            return match.string[: match.start()]
        return match.group(token[2:-1]) or ""

    return _RUBY_BACKREF.sub(one, template)


@liquid_filter
def matches(text: object, pattern: object, options: object = "") -> bool | None:
    """Whether the text matches the regexp; nil for nil text."""
    if is_nil(text):
        return None
    return ruby_regex("matches", pattern, options).search(to_s(text)) is not None


@liquid_filter
def regex_matches(text: object, pattern: object, options: object = "") -> list[Any]:
    """Every match, like Ruby's `scan`: lists of groups, or whole matches without groups."""
    compiled = ruby_regex("regex_matches", pattern, options)
    found = []
    for match in compiled.finditer(to_s(text)):
        found.append(list(match.groups()) if compiled.groups else match.group(0))
    return found


@liquid_filter
def replace_regex(text: object, pattern: object, replacement: object, options: object = "",
                  global_: object = True) -> str:
    """The text with regexp matches replaced (`\\1` refers to a group); a hash maps matches."""
    compiled = ruby_regex("replace_regex", pattern, options)
    if isinstance(replacement, Mapping) and not is_nil(replacement):
        table = replacement

        def repl(match: Any) -> str:
            return to_s(table.get(match.group(0)))
    else:
        template = to_s(replacement)

        def repl(match: Any) -> str:
            return _expand(template, match)

    return compiled.sub(repl, to_s(text), count=0 if global_ is not False else 1)


# --- inflections (ActiveSupport's rules, English) -----------------------------------------------
_UNCOUNTABLE = {"equipment", "information", "rice", "money", "species", "series", "fish",
                "sheep", "jeans", "police", "news", "data"}
_IRREGULAR = {"person": "people", "man": "men", "child": "children", "sex": "sexes",
              "move": "moves", "zombie": "zombies", "ox": "oxen", "woman": "women",
              "foot": "feet", "tooth": "teeth", "goose": "geese"}
_PLURALS = [
    (r"(quiz)$", r"\1zes"), (r"^(oxen)$", r"\1"), (r"^(ox)$", r"\1en"),
    (r"^(m|l)ice$", r"\1ice"), (r"^(m|l)ouse$", r"\1ice"),
    (r"(matr|vert|ind)(?:ix|ex)$", r"\1ices"), (r"(x|ch|ss|sh)$", r"\1es"),
    (r"([^aeiouy]|qu)y$", r"\1ies"), (r"(hive)$", r"\1s"), (r"(?:([^f])fe|([lr])f)$", r"\1\2ves"),
    (r"sis$", "ses"), (r"([ti])a$", r"\1a"), (r"([ti])um$", r"\1a"),
    (r"(buffal|tomat)o$", r"\1oes"),
    (r"(bu)s$", r"\1ses"), (r"(alias|status)$", r"\1es"), (r"(octop|vir)i$", r"\1i"),
    (r"(octop|vir)us$", r"\1i"), (r"^(ax|test)is$", r"\1es"), (r"s$", "s"), (r"$", "s"),
]


def pluralize_word(word: str) -> str:
    stem = re.split(r"([\s_-]+)", word)
    last = stem[-1]
    lowered = last.lower()
    if not last or lowered in _UNCOUNTABLE:
        return word
    if lowered in _IRREGULAR:
        plural = _IRREGULAR[lowered]
        plural = plural[0].upper() + plural[1:] if last[0].isupper() else plural
    else:
        plural = last
        for pattern, repl in _PLURALS:
            if re.search(pattern, last, re.IGNORECASE):
                plural = re.sub(pattern, repl, last, count=1, flags=re.IGNORECASE)
                break
    return "".join(stem[:-1]) + plural


@liquid_filter
def pluralize(text: object, count: object = 2) -> str:
    """The word as given for a count of 1, its English plural otherwise."""
    word = as_text("pluralize", text)
    if as_int("pluralize", count, "count") == 1:
        return word
    return pluralize_word(word)


def _humanize(text: str) -> str:
    text = re.sub(r"\A_+", "", text)
    text = re.sub(r"_id\Z", "", text)
    text = text.replace("_", " ").lower()
    return text[:1].upper() + text[1:]


@liquid_filter
def humanize(text: object) -> str:
    """'customer_id' -> 'Customer', 'car_model' -> 'Car model'."""
    return _humanize(as_text("humanize", text))


@liquid_filter
def titleize(text: object) -> str:
    """'foo bar_zoo-xx' -> 'Foo Bar Zoo Xx'."""
    value = as_text("titleize", text)
    underscored = re.sub(r"([A-Z\d]+)([A-Z][a-z])", r"\1_\2", value)
    underscored = re.sub(r"([a-z\d])([A-Z])", r"\1_\2", underscored).replace("-", "_")
    first_letters = r"\b(?<!\w['\u2019`()])[a-z]"
    return re.sub(first_letters, lambda m: m.group(0).upper(), _humanize(underscored))


# Latin letters that do not decompose into a base letter and an accent.
_LETTERS = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ß": "ss",
                          "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "þ": "th", "ð": "d",
                          "\u0131": "i"})  # dotless i


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(_LETTERS))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).encode(
        "ascii", "replace").decode("ascii")


@liquid_filter
def parameterize(text: object, separator: object = "-") -> str:
    """A URL-safe version: 'John arrived_foo' -> 'john-arrived_foo'."""
    sep = to_s(separator)
    value = re.sub(r"[^a-z0-9\-_]+", sep, _ascii(as_text("parameterize", text)).lower())
    if sep:
        quoted = re.escape(sep)
        value = re.sub(rf"{quoted}{{2,}}", sep, value)
        value = re.sub(rf"^{quoted}|{quoted}$", "", value)
    return value


@liquid_filter
def slugify(text: object) -> str:
    """A lowercase, dash-separated slug: 'John arrived_foo' -> 'john-arrived-foo'."""
    return re.sub(r"[^a-z0-9]+", "-", _ascii(as_text("slugify", text)).lower()).strip("-")


# --- tests and padding --------------------------------------------------------------------------
@liquid_filter
def start_with(text: object, prefixes: object) -> bool:
    value = as_text("start_with", text)
    return any(value.startswith(to_s(p)) for p in as_list("start_with", prefixes, wrap=True))


@liquid_filter
def end_with(text: object, suffixes: object) -> bool:
    value = as_text("end_with", text)
    return any(value.endswith(to_s(s)) for s in as_list("end_with", suffixes, wrap=True))


@liquid_filter
def pad_left(text: object, count: object, symbol: object = " ") -> str:
    """The text padded on the left with `symbol` to at least `count` characters."""
    value = to_s(text)
    width = as_int("pad_left", count, "count")
    fill = to_s(symbol)
    if not fill:
        fail("pad_left", "the padding string must not be empty")
    check_size("pad_left", width)
    missing = width - len(value)
    if missing <= 0:
        return value
    return (fill * (missing // len(fill) + 1))[:missing] + value


@liquid_filter
def split(value: object, separator: object) -> list[Any]:
    """The platform's `split`: a string split Ruby's way; an array passes through unchanged.
    The separator is required, as in Ruby Liquid (nil splits into characters)."""
    if isinstance(value, list):
        return value
    if is_nil(value):
        return []
    text = to_s(value)
    sep = "" if is_nil(separator) else to_s(separator)
    if not sep:
        return list(text)
    parts = text.split(None) if sep == " " else text.split(sep)
    while parts and parts[-1] == "":  # Ruby drops trailing empty fields
        parts.pop()
    return parts
