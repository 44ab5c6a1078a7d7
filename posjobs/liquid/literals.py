"""Hash and array literals and `<<` in expressions, as the platform's Liquid accepts them.

    {% assign data = {"errors": {}, "valid": true, "user_id": user.id} %}
    {% assign ids = [current_profile.id, object.to_id] | uniq %}
    {% assign row = row << profile.id %}

Keys are strings; values are what a filter argument may be (strings, numbers, `true`, `nil`,
variables such as `a.b[0]`) or nested literals. A variable that is not defined is stored as nil,
so the result is plain JSON-like data. Each evaluation builds a new hash or array. `a << b`
appends `b` to the array `a` (nil starts a new array) and is that array.

python-liquid knows none of this syntax and its expression parser is module-level, so instead
of teaching it new syntax, `fold` replaces each literal (and each `a << b`) in a token list by
one word token whose value is the literal's own expression node. python-liquid parses that word
as a path of one segment; `PosContext.get` evaluates a path whose root is such a node (and any
`.size`, `[0]` after it) instead of looking a name up. Static analysis sees the node as the
path's child expression, with its values as children.
"""

from __future__ import annotations

import json
from typing import Any

from liquid import RenderContext, Token, Undefined
from liquid.builtin.expressions import Path
from liquid.builtin.expressions.primitive import (
    Blank,
    Empty,
    FalseLiteral,
    FloatLiteral,
    IntegerLiteral,
    Nil,
    StringLiteral,
    TrueLiteral,
)
from liquid.exceptions import LiquidSyntaxError, LiquidTypeError
from liquid.expression import Expression
from liquid.limits import to_int
from liquid.token import (
    TOKEN_BLANK,
    TOKEN_COLON,
    TOKEN_COMMA,
    TOKEN_DOT,
    TOKEN_EMPTY,
    TOKEN_EOF,
    TOKEN_FALSE,
    TOKEN_FLOAT,
    TOKEN_IDENTINDEX,
    TOKEN_IDENTSTRING,
    TOKEN_INTEGER,
    TOKEN_LBRACKET,
    TOKEN_NIL,
    TOKEN_NULL,
    TOKEN_RBRACKET,
    TOKEN_RPAREN,
    TOKEN_STRING,
    TOKEN_TRUE,
    TOKEN_WORD,
)

from posjobs.liquid.ruby import JsonArray

# Token kinds the dialect's expression tokenizer adds to python-liquid's (see compat.py).
TOKEN_LBRACE = "lbrace"
TOKEN_RBRACE = "rbrace"
TOKEN_APPEND = "append"  # <<

# Tokens a value ends with: a `[` right after one is an index, not an array literal.
VALUE_ENDS = frozenset({
    TOKEN_WORD, TOKEN_STRING, TOKEN_INTEGER, TOKEN_FLOAT, TOKEN_RBRACKET, TOKEN_RPAREN,
    TOKEN_IDENTINDEX, TOKEN_IDENTSTRING, TOKEN_TRUE, TOKEN_FALSE, TOKEN_NIL, TOKEN_NULL,
    TOKEN_EMPTY, TOKEN_BLANK, TOKEN_RBRACE,
})
_PATH_TAILS = frozenset({TOKEN_DOT, TOKEN_LBRACKET, TOKEN_IDENTINDEX, TOKEN_IDENTSTRING})
_FOLD_STARTS = frozenset({
    TOKEN_LBRACE, TOKEN_RBRACE, TOKEN_APPEND, TOKEN_LBRACKET, TOKEN_IDENTSTRING, TOKEN_IDENTINDEX,
})
_SCALARS = frozenset({
    TOKEN_STRING, TOKEN_INTEGER, TOKEN_FLOAT, TOKEN_TRUE, TOKEN_FALSE, TOKEN_NIL, TOKEN_NULL,
    TOKEN_EMPTY, TOKEN_BLANK,
})


class PlatformLiteral(Expression):
    """A hash or array literal, or `a << b`: evaluated by `PosContext.get` as a path's root."""

    __slots__ = ()

    def __repr__(self) -> str:
        return str(self)


class HashLiteral(PlatformLiteral):
    __slots__ = ("items",)

    def __init__(self, token: Token, items: list[tuple[str, Expression]]) -> None:
        super().__init__(token)
        self.items = items

    def __str__(self) -> str:
        return "{" + ", ".join(f"{json.dumps(k)}: {v}" for k, v in self.items) + "}"

    def evaluate(self, context: RenderContext) -> dict[str, Any]:
        return {key: plain(value.evaluate(context)) for key, value in self.items}

    def children(self) -> list[Expression]:
        return [value for _, value in self.items]


class ArrayLiteral(PlatformLiteral):
    __slots__ = ("items",)

    def __init__(self, token: Token, items: list[Expression]) -> None:
        super().__init__(token)
        self.items = items

    def __str__(self) -> str:
        return "[" + ", ".join(str(item) for item in self.items) + "]"

    def evaluate(self, context: RenderContext) -> list[Any]:
        return JsonArray(plain(item.evaluate(context)) for item in self.items)

    def children(self) -> list[Expression]:
        return list(self.items)


class AppendExpression(PlatformLiteral):
    """`array << value`: the array with `value` appended (in place, as the platform does)."""

    __slots__ = ("left", "right")

    def __init__(self, token: Token, left: Expression, right: Expression) -> None:
        super().__init__(token)
        self.left = left
        self.right = right

    def __str__(self) -> str:
        return f"{self.left} << {self.right}"

    def evaluate(self, context: RenderContext) -> list[Any]:
        return append_to(self.left.evaluate(context), plain(self.right.evaluate(context)),
                         self.token, str(self.left))

    def children(self) -> list[Expression]:
        return [self.left, self.right]


def plain(value: object) -> object:
    """What a literal stores for `value`: nil for an undefined variable."""
    return None if isinstance(value, Undefined) else value


def append_to(array: object, value: object, token: Token, name: str) -> list[Any]:
    """`array` with `value` appended: nil starts an array, a string holding a JSON array (as
    `errors[name] | default: "[]"` gives) is that array."""
    if array is None or isinstance(array, Undefined):
        return JsonArray([value])
    if isinstance(array, str):
        try:
            parsed = json.loads(array)
        except ValueError:
            parsed = None
        if isinstance(parsed, list):
            parsed.append(value)
            return JsonArray(parsed)
    if not isinstance(array, list):
        raise LiquidTypeError(f"cannot append to {name}: it is {_kind_of(array)}, not an array",
                              token=token)
    array.append(value)
    return array


def _kind_of(value: object) -> str:
    if isinstance(value, dict):
        return "a hash"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return f"a {type(value).__name__}"


# --- folding literals in a token list ------------------------------------------------------------
def fold(tokens: list[Token]) -> list[Token]:
    """`tokens` with each hash or array literal, and each `a << b`, folded into one word token
    whose value is its expression node."""
    if not any(t.kind in _FOLD_STARTS for t in tokens):
        return tokens  # the common case: nothing to do
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        previous = out[-1].kind if out else None
        if _opens_literal(tokens, i, previous):
            expression, i = _parse_value(tokens, i)
            assert isinstance(expression, PlatformLiteral)  # a bracket or brace opened it
            out.append(_word(expression))
            continue
        if token.kind == TOKEN_RBRACE:
            raise LiquidSyntaxError("unexpected '}'", token=token)
        out.append(token)
        i += 1
    return _fold_appends(out)


def _opens_literal(tokens: list[Token], i: int, previous: str | None) -> bool:
    kind = tokens[i].kind
    if kind == TOKEN_LBRACE:
        return True
    if previous in VALUE_ENDS:  # x[0], x["a"], x[y]: an index
        return False
    if kind == TOKEN_LBRACKET:
        return True
    if kind in (TOKEN_IDENTSTRING, TOKEN_IDENTINDEX):  # ["a"], [0]: an array, unless a path
        following = tokens[i + 1].kind if i + 1 < len(tokens) else TOKEN_EOF
        return following not in _PATH_TAILS
    return False


def _word(expression: PlatformLiteral) -> Token:
    token = expression.token
    return Token(TOKEN_WORD, expression, token.start_index, token.source)  # type: ignore[arg-type]


def _parse_value(tokens: list[Token], i: int) -> tuple[Expression, int]:
    """The value starting at `tokens[i]` (a literal or a primitive) and the index after it."""
    token = _at(tokens, i)
    if token.kind == TOKEN_LBRACE:
        return _parse_hash(tokens, i)
    if token.kind == TOKEN_LBRACKET:
        return _parse_array(tokens, i)
    if token.kind == TOKEN_IDENTSTRING and _kind_at(tokens, i + 1) not in _PATH_TAILS:
        return ArrayLiteral(token, [StringLiteral(token, token.value)]), i + 1
    if token.kind == TOKEN_IDENTINDEX and _kind_at(tokens, i + 1) not in _PATH_TAILS:
        return ArrayLiteral(token, [IntegerLiteral(token, to_int(token.value))]), i + 1
    return _parse_primitive(tokens, i)


def _parse_hash(tokens: list[Token], i: int) -> tuple[HashLiteral, int]:
    start = tokens[i]
    items: list[tuple[str, Expression]] = []
    i += 1
    while _kind_at(tokens, i) != TOKEN_RBRACE:
        key = _at(tokens, i)
        if key.kind != TOKEN_STRING:
            raise LiquidSyntaxError(
                f"expected a quoted key or '}}' in a hash literal, found {_shown(key)}", token=key
            )
        if _kind_at(tokens, i + 1) != TOKEN_COLON:
            raise LiquidSyntaxError(
                f"expected ':' after the key {key.value!r}, found {_shown(_at(tokens, i + 1))}",
                token=_at(tokens, i + 1),
            )
        value, i = _parse_value(tokens, i + 2)
        items.append((key.value, value))
        i = _separator(tokens, i, TOKEN_RBRACE, "'}'")
    return HashLiteral(start, items), i + 1


def _parse_array(tokens: list[Token], i: int) -> tuple[ArrayLiteral, int]:
    start = tokens[i]
    items: list[Expression] = []
    i += 1
    while _kind_at(tokens, i) != TOKEN_RBRACKET:
        value, i = _parse_value(tokens, i)
        items.append(value)
        i = _separator(tokens, i, TOKEN_RBRACKET, "']'")
    return ArrayLiteral(start, items), i + 1


def _separator(tokens: list[Token], i: int, close: str, shown: str) -> int:
    """Past the `,` after an item (a trailing one is fine), or at the closing bracket."""
    kind = _kind_at(tokens, i)
    if kind == TOKEN_COMMA:
        return i + 1
    if kind != close:
        raise LiquidSyntaxError(f"expected ',' or {shown}, found {_shown(_at(tokens, i))}",
                                token=_at(tokens, i))
    return i


def _parse_primitive(tokens: list[Token], i: int) -> tuple[Expression, int]:
    token = _at(tokens, i)
    kind = token.kind
    if kind == TOKEN_WORD and isinstance(token.value, PlatformLiteral):
        return token.value, i + 1
    if kind in _SCALARS:
        return _scalar(token), i + 1
    if kind in (TOKEN_WORD, TOKEN_IDENTSTRING):
        return _parse_path(tokens, i)
    raise LiquidSyntaxError(f"expected a value, found {_shown(token)}", token=token)


def _scalar(token: Token) -> Expression:
    kind, value = token.kind, token.value
    if kind == TOKEN_STRING:
        return StringLiteral(token, value)
    if kind == TOKEN_INTEGER:
        return IntegerLiteral(token, to_int(value))
    if kind == TOKEN_FLOAT:
        return FloatLiteral(token, float(value))
    if kind == TOKEN_TRUE:
        return TrueLiteral(token)
    if kind == TOKEN_FALSE:
        return FalseLiteral(token)
    if kind == TOKEN_EMPTY:
        return Empty(token)
    if kind == TOKEN_BLANK:
        return Blank(token)
    return Nil(token)


def _parse_path(tokens: list[Token], i: int) -> tuple[Path, int]:
    """`a.b[0]["c"][d.e]` as python-liquid's own path."""
    start = tokens[i]
    segments: list[str | int | Path] = [str(start.value)]
    i += 1
    while i < len(tokens):
        kind = tokens[i].kind
        if kind == TOKEN_DOT and _kind_at(tokens, i + 1) == TOKEN_WORD:
            segments.append(str(tokens[i + 1].value))
            i += 2
        elif kind == TOKEN_IDENTSTRING:
            segments.append(str(tokens[i].value))
            i += 1
        elif kind == TOKEN_IDENTINDEX:
            segments.append(to_int(tokens[i].value))
            i += 1
        elif kind == TOKEN_LBRACKET and _kind_at(tokens, i + 1) in (TOKEN_WORD,
                                                                   TOKEN_IDENTSTRING):
            nested, i = _parse_path(tokens, i + 1)
            if _kind_at(tokens, i) != TOKEN_RBRACKET:
                raise LiquidSyntaxError(f"expected ']', found {_shown(_at(tokens, i))}",
                                        token=_at(tokens, i))
            segments.append(nested)
            i += 1
        else:
            break
    return Path(start, segments), i


def _fold_appends(tokens: list[Token]) -> list[Token]:
    """Each `a << b` (at a value's place) folded into one token; `a << b << c` appends twice."""
    if not any(t.kind == TOKEN_APPEND for t in tokens):
        return tokens
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.kind == TOKEN_APPEND:
            left_start = _operand_start(out)
            if left_start is None:
                raise LiquidSyntaxError("expected a value before '<<'", token=token)
            left, _ = _parse_primitive(out[left_start:], 0)
            right, after = _parse_value(tokens, i + 1)
            del out[left_start:]
            out.append(_word(AppendExpression(token, left, right)))
            i = after
            continue
        out.append(token)
        i += 1
    return out


def _operand_start(out: list[Token]) -> int | None:
    """Where the value that ends `out` starts (a literal, a scalar or a path), if one does."""
    if not out:
        return None
    j = len(out) - 1
    if out[j].kind in _SCALARS or (out[j].kind == TOKEN_WORD
                                   and isinstance(out[j].value, PlatformLiteral)):
        return j
    depth = 0
    while j >= 0:
        kind = out[j].kind
        if kind == TOKEN_RBRACKET:
            depth += 1
        elif kind == TOKEN_LBRACKET:
            depth -= 1
        elif depth == 0 and kind == TOKEN_WORD and (j == 0 or out[j - 1].kind != TOKEN_DOT):
            return j
        elif depth == 0 and kind not in (TOKEN_DOT, TOKEN_IDENTINDEX, TOKEN_IDENTSTRING,
                                         TOKEN_WORD):
            return None
        j -= 1
    return None


def _at(tokens: list[Token], i: int) -> Token:
    if i < len(tokens):
        return tokens[i]
    last = tokens[-1]
    return Token(TOKEN_EOF, "", last.start_index + len(str(last.value)), last.source)


def _kind_at(tokens: list[Token], i: int) -> str:
    return tokens[i].kind if i < len(tokens) else TOKEN_EOF


def _shown(token: Token) -> str:
    return "the end of the expression" if token.kind == TOKEN_EOF else repr(str(token.value))
