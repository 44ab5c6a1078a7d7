"""Ruby Liquid compatibility: where python-liquid parses stricter than the platform, we relax it.

Everything here only accepts templates python-liquid rejects; a template standard Liquid
accepts parses and renders exactly as before, with one exception: `["a"]` or `[0]` where a
value starts is a one-element array, as on the platform (python-liquid reads it as the
variable named `a`). After a name it is still an index: `x["a"]`.

- Words python-liquid reserves as keywords (`limit`, `offset`, `reversed`, `cols`, `continue`,
  `in`, `with`, `for`, `as`, `required`, `contains`) are names wherever they are not in the
  keyword's own place: `{% assign limit = limit | default: 20 %}`, `{{ offset }}`,
  `{% render 'x', required: true %}`, `{{ page.for }}`. In `for`/`tablerow` loops and after a
  `render`/`include` name they keep their meaning.
- `{% liquid %}` accepts blank lines holding only spaces, an empty tag, a tag continued on the
  next line after a trailing comma (`graphql g = 'q',` then `id: 1`) or inside an open hash or
  array literal (`assign x = {` ... `}`), and any text inside a `comment` block; `#` lines are
  comments.
- Hash and array literals and `<<` in expressions: `{% assign x = {"a": [1, y]} %}`,
  `{% assign list << item %}`, `{% assign row = row << value %}` (literals.py).
- Argument lists as Ruby Liquid reads them: `function r = 'p', a: 1 b: 2` (a missing comma),
  `a: 1, , b: 2`, a trailing `;` or `|`, and `name: a: b` (the part after the second colon is
  dropped, as Ruby Liquid's argument scanner does).
- `{{ }}` prints nothing.
- A `#` after a tag's arguments starts a comment to the end of the tag (or of the line in
  `{% liquid %}`): `{% render 'x' # TODO %}`, `log data # note`, as Ruby Liquid ignores it.
- String literals are taken literally, backslashes included, as in Ruby Liquid:
  `'^https?:\\/\\/[\\S]+'` is that regular expression. python-liquid already does this; the
  tests pin it.

Beyond parsing, a few evaluations follow Ruby: `== blank` is Rails' `blank?`, `contains` is
Ruby's `include?` (a number contains nothing; `'true' contains true` holds), `{{ s.first }}`
is ActiveSupport's `String#first`, and `{{ }}` prints values as ruby.py does.

The expression tokenizer is module-level in python-liquid, so rather than patching it for the
whole process, `RubyCompatible` routes this environment's parsing through `tokenize` below.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from typing import TextIO

from liquid import Environment, RenderContext
from liquid.ast import BlockNode, Node
from liquid.builtin.expressions import FilteredExpression
from liquid.builtin.expressions import _tokenize as _strict
from liquid.builtin.expressions import logical as _logical
from liquid.builtin.expressions.primitive import Blank, Nil
from liquid.builtin.output import Output, OutputNode
from liquid.builtin.tags import case_tag as _case_tag
from liquid.builtin.tags.echo_tag import EchoNode, EchoTag
from liquid.builtin.tags.liquid_tag import LiquidTag
from liquid.exceptions import LiquidSyntaxError
from liquid.parser import get_parser
from liquid.stream import TokenStream
from liquid.token import (
    TOKEN_AS,
    TOKEN_ASSIGN,
    TOKEN_BLANK,
    TOKEN_COLON,
    TOKEN_COLS,
    TOKEN_COMMA,
    TOKEN_CONTAINS,
    TOKEN_CONTINUE,
    TOKEN_DOT,
    TOKEN_EMPTY,
    TOKEN_EOF,
    TOKEN_EXPRESSION,
    TOKEN_FALSE,
    TOKEN_FLOAT,
    TOKEN_FOR,
    TOKEN_IDENTINDEX,
    TOKEN_IDENTSTRING,
    TOKEN_ILLEGAL,
    TOKEN_IN,
    TOKEN_INTEGER,
    TOKEN_LBRACKET,
    TOKEN_LIMIT,
    TOKEN_NIL,
    TOKEN_NULL,
    TOKEN_OFFSET,
    TOKEN_OUTPUT,
    TOKEN_PIPE,
    TOKEN_RBRACKET,
    TOKEN_REQUIRED,
    TOKEN_REVERSED,
    TOKEN_RPAREN,
    TOKEN_SKIP,
    TOKEN_STRING,
    TOKEN_TAG,
    TOKEN_TRUE,
    TOKEN_WITH,
    TOKEN_WORD,
    Token,
    operators,
)
from liquid.undefined import Undefined, is_undefined

from posjobs.liquid import literals
from posjobs.liquid.literals import TOKEN_APPEND, TOKEN_LBRACE, TOKEN_RBRACE, VALUE_ENDS
from posjobs.liquid.ruby import to_s
from posjobs.liquid.values import output_string

# Keywords Ruby Liquid also accepts as variable and argument names.
SOFT_KEYWORDS = frozenset({
    TOKEN_LIMIT, TOKEN_OFFSET, TOKEN_COLS, TOKEN_REVERSED, TOKEN_CONTINUE, TOKEN_IN,
    TOKEN_WITH, TOKEN_FOR, TOKEN_AS, TOKEN_REQUIRED, TOKEN_CONTAINS,
})
_LOOP_ARGUMENTS = frozenset({TOKEN_LIMIT, TOKEN_OFFSET, TOKEN_COLS})
_BINDERS = frozenset({TOKEN_WITH, TOKEN_FOR})
_SEPARATORS = frozenset({TOKEN_COLON, TOKEN_ASSIGN})
# Tokens a value can end with; a keyword between two values is a keyword.
_VALUE_ENDS = frozenset({
    TOKEN_WORD, TOKEN_STRING, TOKEN_INTEGER, TOKEN_FLOAT, TOKEN_RBRACKET, TOKEN_RPAREN,
    TOKEN_IDENTINDEX, TOKEN_IDENTSTRING, TOKEN_TRUE, TOKEN_FALSE, TOKEN_NIL, TOKEN_NULL,
    TOKEN_EMPTY, TOKEN_BLANK,
})
# Tokens that continue a path: a keyword before one of these is the path's first segment.
_PATH_TAILS = frozenset({TOKEN_DOT, TOKEN_LBRACKET, TOKEN_IDENTINDEX, TOKEN_IDENTSTRING})


TOKEN_SEMICOLON = "semicolon"

# python-liquid's expression rules, plus the braces of hash literals, `<<` and `;`, which it
# rejects as unexpected characters (so nothing it accepts is tokenized differently).
_EXTRA_RULES = (
    (TOKEN_LBRACE, r"\{"), (TOKEN_RBRACE, r"\}"), (TOKEN_APPEND, r"<<"), (TOKEN_SEMICOLON, r";"),
)
_RULES = [
    rule
    for name, pattern in _strict._rules
    for rule in ((*_EXTRA_RULES, (name, pattern)) if name == "OP" else ((name, pattern),))
]
_RE = re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in _RULES), re.DOTALL)


def tokenize(source: str, parent_token: Token) -> Iterator[Token]:
    """python-liquid's expression tokenizer, with soft keywords turned into words by place,
    hash and array literals and `<<` folded into values (literals.py) and Ruby Liquid's lax
    argument lists accepted (see `relax`)."""
    return iter(relax(literals.fold(soften(scan(source, parent_token)))))


def scan(source: str, parent: Token) -> list[Token]:
    """The expression's tokens, as python-liquid's tokenizer reads them (with `{`, `}`, `<<`
    and `;` besides)."""
    tokens = []
    for match in _RE.finditer(source):
        kind = match.lastgroup
        assert kind is not None
        value = match.group()
        index = parent.start_index + match.start()
        if kind == TOKEN_SKIP:
            continue
        if kind == TOKEN_WORD and value in _strict._keywords:
            kind = value
        elif kind == TOKEN_IDENTINDEX:
            value = match.group(_strict.GROUP_IDENTINDEX)
        elif kind == TOKEN_IDENTSTRING:
            value = match.group(_strict.GROUP_IDENTQUOTED)
            if match.group(_strict.GROUP_IDENTQUOTE) in value:  # ["a", "b"]: not one name
                tokens.extend(_bracketed(source, match, parent))
                continue
        elif kind == TOKEN_STRING:
            value = match.group(_strict.GROUP_QUOTED)
        elif kind == "OP":
            if value not in operators:
                raise LiquidSyntaxError(f"unknown operator {value!r}",
                                        token=Token(kind, value, index, parent.source))
            kind = operators[value]
        elif kind == TOKEN_ILLEGAL and value == "#":
            break  # `{% render 'x' # TODO %}`: Ruby Liquid ignores what follows the `#`
        elif kind == TOKEN_ILLEGAL:
            raise LiquidSyntaxError(f"unexpected {value!r}",
                                    token=Token(kind, value, index, parent.source))
        tokens.append(Token(kind, value, index, parent.source))
    return tokens


def _bracketed(source: str, match: re.Match[str], parent: Token) -> list[Token]:
    """`[`, the tokens inside the brackets `match` spans, and `]`."""
    start, stop = match.start() + 1, match.end() - 1
    index = parent.start_index
    inner = Token(TOKEN_EXPRESSION, source[start:stop], index + start, parent.source)
    return [
        Token(TOKEN_LBRACKET, "[", index + match.start(), parent.source),
        *scan(inner.value, inner),
        Token(TOKEN_RBRACKET, "]", index + stop, parent.source),
    ]


def relax(tokens: list[Token]) -> list[Token]:
    """Argument lists as Ruby Liquid reads them: a missing comma between arguments
    (`'x' object: object`), doubled commas and a trailing `;` are fine, and in `name: a: b`
    what follows the second colon is dropped (Ruby Liquid's `name: a` argument scanner)."""
    while tokens and tokens[-1].kind in (TOKEN_SEMICOLON, TOKEN_PIPE):  # `{{ x | }}` is x
        tokens = tokens[:-1]
    out: list[Token] = []
    skipping = False
    for i, token in enumerate(tokens):
        kind = token.kind
        previous = out[-1].kind if out else None
        if kind == TOKEN_SEMICOLON:
            raise LiquidSyntaxError("unexpected ';'", token=token)
        if skipping:
            if kind != TOKEN_COMMA:
                continue
            skipping = False
        if kind == TOKEN_COMMA and previous == TOKEN_COMMA:
            continue
        following = tokens[i + 1].kind if i + 1 < len(tokens) else TOKEN_EOF
        if (kind == TOKEN_WORD and following == TOKEN_COLON and previous in VALUE_ENDS
                and not _in_filter(out)):
            out.append(Token(TOKEN_COMMA, ",", token.start_index, token.source))
        elif kind == TOKEN_COLON and _second_colon(out):
            skipping = True
            continue
        out.append(token)
    return out


def _in_filter(before: list[Token]) -> bool:
    """Whether the tokens so far are inside a filter's arguments."""
    return any(t.kind == TOKEN_PIPE for t in before)


def _second_colon(before: list[Token]) -> bool:
    """`..., name: value` just ended (outside filters): another `:` would be a second one."""
    return (
        len(before) >= 3
        and before[-1].kind in VALUE_ENDS
        and before[-2].kind == TOKEN_COLON
        and before[-3].kind == TOKEN_WORD
        and (len(before) == 3 or before[-4].kind == TOKEN_COMMA)
        and not _in_filter(before)
    )


def soften(tokens: list[Token]) -> list[Token]:
    """Turn each soft keyword that is not in its keyword's place into a plain word."""
    loop = (
        len(tokens) > 1
        and tokens[1].kind == TOKEN_IN
        and tokens[0].kind in (TOKEN_WORD, *SOFT_KEYWORDS)
    )
    out: list[Token] = []
    bound = False  # a `with`/`for` keyword came before: `as` may follow
    for i, token in enumerate(tokens):
        if token.kind in SOFT_KEYWORDS:
            following = tokens[i + 1].kind if i + 1 < len(tokens) else TOKEN_EOF
            if _is_keyword(token.kind, i, out, following, loop=loop, bound=bound):
                bound = bound or token.kind in _BINDERS
            else:
                token = token._replace(kind=TOKEN_WORD)
        out.append(token)
    return out


def _is_keyword(
    kind: str, index: int, before: list[Token], following: str, *, loop: bool, bound: bool
) -> bool:
    previous = before[-1].kind if before else None
    if kind == TOKEN_IN:
        return loop and index == 1  # for item in items
    if previous in (TOKEN_DOT, TOKEN_LBRACKET):
        return False  # a property or an index: page.for, x[limit]
    if loop:
        if kind in _LOOP_ARGUMENTS:  # for x in xs limit: 2
            return index > 2 and following in _SEPARATORS and previous not in _SEPARATORS
        if kind == TOKEN_REVERSED:  # for x in xs reversed
            return (index > 2 and previous in _VALUE_ENDS
                    and following not in _PATH_TAILS | _SEPARATORS)
        if kind == TOKEN_CONTINUE:  # for x in xs offset: continue
            return previous == TOKEN_COLON and len(before) > 1 and before[-2].kind == TOKEN_OFFSET
        return False
    if following in _PATH_TAILS or following in _SEPARATORS or following == TOKEN_EOF:
        return False
    if kind == TOKEN_CONTAINS:  # a contains b; `contains` alone is a name
        return previous in _VALUE_ENDS
    if kind in _BINDERS:  # render 'card' with product / for products
        return previous in _VALUE_ENDS
    if kind == TOKEN_AS:  # ... as item
        return bound and previous in _VALUE_ENDS
    return False


class CompatTokenStream(TokenStream):
    """A template token stream whose tag expressions are tokenized with `tokenize`."""

    def into_inner(self, *, tag: Token | None = None, eat: bool = True) -> TokenStream:
        token = self.current
        if token.kind != TOKEN_EXPRESSION:
            raise LiquidSyntaxError("missing expression", token=tag or token)
        if eat:
            next(self)
        return TokenStream(tokenize(token.value, parent_token=token))


class PlatformOutputNode(OutputNode):
    """`{{ ... }}` printing hashes as JSON, as the platform does."""

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        return buffer.write(output_string(self.expression.evaluate(context),
                                          context.autoescape))


class PlatformEchoNode(EchoNode):
    """`echo` printing hashes as JSON, as the platform does."""

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        return buffer.write(output_string(self.expression.evaluate(context),
                                          context.autoescape))


class CompatEcho(EchoTag):
    node_class = PlatformEchoNode


class CompatOutput(Output):
    """`{{ ... }}` with soft keywords."""

    node_class = PlatformOutputNode

    def parse(self, stream: TokenStream) -> OutputNode:
        token = stream.eat(TOKEN_OUTPUT)
        expression = stream.expect(TOKEN_EXPRESSION)
        if not expression.value.strip():  # `{{ }}` prints nothing, as in Ruby Liquid
            return self.node_class(token, Nil(expression))
        tokens = TokenStream(tokenize(expression.value, expression))
        return self.node_class(token, FilteredExpression.parse(self.env, tokens))


class CompatLiquidTag(LiquidTag):
    """`{% liquid %}` as Ruby Liquid reads it (see the module docstring)."""

    def parse(self, stream: TokenStream) -> Node:
        token = stream.expect(TOKEN_TAG)
        if stream.peek.kind != TOKEN_EXPRESSION:
            return self.node_class(token, None, block=BlockNode(token, []))
        next(stream)
        expression = stream.current
        lines = CompatTokenStream(
            liquid_lines(expression.value, expression), block_depth_carry=stream.block_depth
        )
        block = get_parser(self.env).parse_block(lines, end=())
        return self.node_class(token, expression, block=block)


_LINE = re.compile(r"[ \t]*(?P<name>#|\w+)[ \t]*(?P<expr>[^\n]*?)[ \t\r]*(?:\n|\Z)")
_CONTINUATION = re.compile(r"(?P<text>[^\n]*?)[ \t\r]*(?:\n|\Z)")
_BLANK = re.compile(r"[ \t\r\n]+")


def liquid_lines(source: str, parent: Token) -> Iterator[Token]:
    """The tag and expression tokens of a `{% liquid %}` tag's lines."""
    pos, end = 0, len(source)
    in_comment = False
    while pos < end:
        blank = _BLANK.match(source, pos)
        if blank:
            pos = blank.end()
            continue
        line = _LINE.match(source, pos)
        if line is None:
            if in_comment:  # a comment's text need not look like tags
                pos = source.find("\n", pos) + 1 or end
                continue
            raise LiquidSyntaxError(
                f"expected newline delimited tag expressions, found {source[pos]!r}",
                token=Token(TOKEN_TAG, source[pos], parent.start_index + pos, parent.source),
            )
        pos = line.end()
        name = line.group("name")
        if name == "#":
            continue
        if in_comment:
            if name == "endcomment":
                in_comment = False
                yield _tag(name, line.start("name"), parent)
            continue
        start, stop = line.start("expr"), line.end("expr")
        while pos < end and (source[start:stop].endswith(",") or _unclosed(source[start:stop])):
            more = _CONTINUATION.match(source, pos)
            assert more is not None  # it matches any line, even an empty one
            if more.group("text").strip():
                stop = more.end("text")
            pos = more.end()
        yield _tag(name, line.start("name"), parent)
        if stop > start:
            yield Token(
                TOKEN_EXPRESSION, source[start:stop], parent.start_index + start, parent.source
            )
        in_comment = name == "comment"


_QUOTED_OR_BRACKET = re.compile(r"'[^']*'|\"[^\"]*\"|[\[{]|[\]}]")


def _unclosed(text: str) -> bool:
    """Whether `text` opens more hash or array brackets than it closes (outside strings)."""
    depth = 0
    for match in _QUOTED_OR_BRACKET.finditer(text):
        char = match.group()
        if char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
    return depth > 0


def _tag(name: str, index: int, parent: Token) -> Token:
    return Token(TOKEN_TAG, name, parent.start_index + index, parent.source)


class RubyCompatible(Environment):
    """An environment whose templates parse as Ruby Liquid's do (see the module docstring)."""

    # `{{ name.first }}` is the first character: the platform loads ActiveSupport, whose
    # String#first Ruby Liquid calls.
    string_first_and_last = True

    def setup_tags_and_filters(self, *, extra: bool = False) -> None:
        super().setup_tags_and_filters(extra=extra)
        self.add_tag(CompatOutput)
        self.add_tag(CompatEcho)
        self.add_tag(CompatLiquidTag)

    def _parse(self, source: str) -> list[Node]:
        return get_parser(self).parse(CompatTokenStream(self.tokenizer()(source)))


# --- `blank` as Rails' blank? --------------------------------------------------------------
# The platform compares with `blank` through Rails' `blank?`: nil, false, "", "  ", [] and {}
# are all blank, so `{% if order == blank %}` holds for a missing order. python-liquid treats
# only empty strings and collections so. Its comparison is one module-level function that
# its tags look up at call time, so this wraps it: the one process-wide change posjobs makes
# to python-liquid, and it only widens what equals `blank`.
_strict_eq = _logical._eq


def _ruby_eq(left: object, right: object) -> bool:
    if isinstance(left, Blank):
        left, right = right, left
    if isinstance(right, Blank) and (left is None or left is False or is_undefined(left)):
        return True
    return bool(_strict_eq(left, right))


_logical._eq = _ruby_eq
_case_tag._eq = _ruby_eq


# `contains` as Ruby Liquid's: a string holds the right side's `to_s` (`true`, not `True`),
# and a left side that has no `include?` (a number, a boolean) contains nothing rather than
# being an error. Wrapped the same way, and only for values python-liquid rejects or prints
# in Python's spelling.
_strict_contains = _logical._contains


def _ruby_contains(token: Token, left: object, right: object) -> bool:
    if isinstance(left, str) and not is_undefined(right) and right is not None:
        return to_s(right) in left
    if isinstance(left, (str, Collection)) and not isinstance(left, Undefined):
        return bool(_strict_contains(token, left, right))
    return False


_logical._contains = _ruby_contains
