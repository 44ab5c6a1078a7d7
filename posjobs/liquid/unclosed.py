"""Syntax errors about a missing end tag, told as Ruby Liquid tells them: which block is open.

python-liquid reports a block left open at the end of a template as "expected tag endif,
found end of expression", with no line; Ruby Liquid says "'if' tag was never closed". This
finds the block that is still open (also inside `{% liquid %}`) and points the error at the
tag that opened it: `syntax.liquid:5: 'if' opened here is never closed`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from liquid import Environment, Token
from liquid.exceptions import LiquidSyntaxError
from liquid.token import TOKEN_TAG

_TAG = re.compile(r"\{%-?\s*(#|\w+)(.*?)-?%\}", re.DOTALL)
_SKIP_TO = {"raw": re.compile(r"\{%-?\s*endraw\s*-?%\}"),
            "comment": re.compile(r"\{%-?\s*endcomment\s*-?%\}")}
# Tags that are blocks in one form only: `{% background source_name: 'x' %}...` but
# `{% background id = 'partial' %}`; `{% graphql g %}...` but `{% graphql g = 'query' %}`.
_BLOCK_WITHOUT_ASSIGNMENT = frozenset({"background", "graphql"})
_ASSIGNMENT = re.compile(r"\s*[\w.\[\]'\"]+\s*(=(?!=)|<<)")
_ABOUT_END = re.compile(
    r"expected tag end\w+|unexpected tag '(end of expression|end\w+)'|unsupported tag 'raw'")


@dataclass(frozen=True)
class Opened:
    name: str
    index: int  # where its tag starts in the source


def explain(err: LiquidSyntaxError, source: str, env: Environment) -> LiquidSyntaxError:
    """`err`, or, when it is about a missing end tag, an error at the tag left open."""
    if not _ABOUT_END.search(str(err.message or "")):
        return err
    opened, stray = open_blocks(source, env)
    if not opened:
        return err
    block = opened[-1]
    message = f"'{block.name}' opened here is never closed"
    if stray is not None:
        line = source.count("\n", 0, stray[1]) + 1
        message += f" ('{stray[0]}' on line {line} does not close it)"
    explained = LiquidSyntaxError(message, token=Token(TOKEN_TAG, block.name, block.index,
                                                       source))
    explained.template_name = err.template_name
    return explained


def open_blocks(source: str, env: Environment) -> tuple[list[Opened], tuple[str, int] | None]:
    """The blocks still open where the template ends or where an end tag does not match
    the innermost open block (that end tag and where it is, then)."""
    blocks = {name for name, tag in env.tags.items() if getattr(tag, "block", False)}
    blocks |= {"raw"} | _BLOCK_WITHOUT_ASSIGNMENT
    stack: list[Opened] = []
    for name, arguments, index in _tags(source):
        if name.startswith("end"):
            if stack and stack[-1].name == name[3:]:
                stack.pop()
            elif stack:
                return stack, (name, index)
        elif name in blocks:
            if name in _BLOCK_WITHOUT_ASSIGNMENT and _ASSIGNMENT.match(arguments):
                continue
            stack.append(Opened(name, index))
    return stack, None


def _tags(source: str) -> list[tuple[str, str, int]]:
    """(name, arguments, index) of every tag, the lines of `{% liquid %}` tags included;
    the insides of `raw` and `comment` are skipped."""
    out: list[tuple[str, str, int]] = []
    pos = 0
    while (match := _TAG.search(source, pos)) is not None:
        name, arguments = match.group(1), match.group(2)
        pos = match.end()
        if name == "liquid":
            out += _liquid_lines(arguments, match.start(2))
            continue
        out.append((name, arguments, match.start()))
        skip = _SKIP_TO.get(name)
        if skip is not None:
            end = skip.search(source, pos)
            if end is None:
                return out
            out.append(("end" + name, "", end.start()))
            pos = end.end()
    return out


def _liquid_lines(body: str, offset: int) -> list[tuple[str, str, int]]:
    out: list[tuple[str, str, int]] = []
    in_comment = False
    start = 0
    for line in body.split("\n"):
        words = line.strip().split(None, 1)
        index = offset + start + (len(line) - len(line.lstrip()))
        start += len(line) + 1
        if not words or words[0].startswith("#"):
            continue
        name = words[0]
        if in_comment and name != "endcomment":
            continue
        in_comment = name == "comment"
        out.append((name, words[1] if len(words) > 1 else "", index))
    return out
