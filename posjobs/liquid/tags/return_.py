"""`{% return value %}`: ends a partial, handing `value` to the `{% function %}` that called it.

It works inside `{% liquid %}` (`return result`) and inside blocks and loops; with no value the
function receives nil. Outside a function it simply ends the template, as on the platform.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from liquid import Node, RenderContext, Tag, Token, TokenStream
from liquid.builtin.expressions import FilteredExpression
from liquid.exceptions import StopRender
from liquid.expression import Expression
from liquid.token import TOKEN_EXPRESSION, TOKEN_TAG

_RETURNED = "posjobs.returned"  # where the value waits in the partial's tag namespace


class ReturnNode(Node):
    __slots__ = ("value",)

    def __init__(self, token: Token, value: Expression | None) -> None:
        super().__init__(token)
        self.value = value
        self.blank = True

    def __str__(self) -> str:
        return f"{{% return {self.value or ''} %}}"

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        context.tag_namespace[_RETURNED] = self.value.evaluate(context) if self.value else None
        raise StopRender  # the partial's template stops rendering here

    def expressions(self) -> Iterable[Expression]:
        return [self.value] if self.value else []


def returned_value(context: RenderContext) -> object:
    """What the partial rendered with `context` returned (nil when it did not return)."""
    return context.tag_namespace.get(_RETURNED)


class ReturnTag(Tag):
    name = "return"
    block = False

    def parse(self, stream: TokenStream) -> Node:
        # python-liquid's convention: leave the stream on the tag's last token.
        token = stream.expect(TOKEN_TAG)
        if stream.peek.kind != TOKEN_EXPRESSION:
            return ReturnNode(token, None)
        next(stream)
        return ReturnNode(token, FilteredExpression.parse(self.env, stream.into_inner(eat=False)))


class ReturnRcTag(ReturnTag):
    """The deprecated alias of `return`."""

    name = "return_rc"
