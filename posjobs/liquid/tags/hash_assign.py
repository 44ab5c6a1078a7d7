"""`{% hash_assign h["a"]["b"] = value %}`: sets a key inside a hash (deprecated, still common).

Missing hashes on the way are created. The value may be filtered, as in `assign`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from liquid import Node, RenderContext, Tag, Token, TokenStream
from liquid.builtin.expressions import FilteredExpression
from liquid.exceptions import LiquidSyntaxError
from liquid.expression import Expression
from liquid.token import TOKEN_EXPRESSION, TOKEN_TAG

from posjobs.liquid.compat import tokenize
from posjobs.liquid.tags.targets import Target, split_target


class HashAssignNode(Node):
    __slots__ = ("target", "value")

    def __init__(self, token: Token, target: Target, value: Expression) -> None:
        super().__init__(token)
        self.target = target
        self.value = value
        self.blank = True

    def __str__(self) -> str:
        return f"{{% {self.token.value} {self.target} {self.value} %}}"

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        self.target.assign(context, self.value.evaluate(context))
        return 0

    def expressions(self) -> Iterable[Expression]:
        return [self.value]


class HashAssignTag(Tag):
    name = "hash_assign"
    block = False

    def parse(self, stream: TokenStream) -> Node:
        # python-liquid's convention: leave the stream on the tag's last token.
        token = stream.eat(TOKEN_TAG)
        expression = stream.current
        split = (
            split_target(self.env, expression, self.name, append=False)
            if expression.kind == TOKEN_EXPRESSION else None
        )
        if split is None:
            raise LiquidSyntaxError("hash_assign: expected `hash['key'] = value`", token=token)
        target, rest = split
        value = FilteredExpression.parse(self.env, TokenStream(tokenize(rest.value, rest)))
        return HashAssignNode(token, target, value)
