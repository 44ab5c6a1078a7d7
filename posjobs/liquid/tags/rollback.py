"""`{% rollback %}`: abandons the enclosing `{% transaction %}` (see transaction.py)."""

from __future__ import annotations

from typing import TextIO

from liquid import Node, RenderContext, Tag, Token, TokenStream
from liquid.exceptions import LiquidError
from liquid.token import TOKEN_EXPRESSION, TOKEN_TAG


class Rollback(LiquidError):
    """Raised by `{% rollback %}`; the transaction catches it. Reaching the template level
    means there was no transaction to roll back."""

    def __init__(self, token: Token) -> None:
        super().__init__("rollback outside a {% transaction %}", token=token)


class RollbackNode(Node):
    __slots__ = ()

    def __str__(self) -> str:
        return "{% rollback %}"

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        raise Rollback(self.token)


class RollbackTag(Tag):
    name = "rollback"
    block = False

    def parse(self, stream: TokenStream) -> Node:
        # python-liquid's convention: leave the stream on the tag's last token.
        token = stream.expect(TOKEN_TAG)
        if stream.peek.kind == TOKEN_EXPRESSION:
            next(stream)  # rollback takes no arguments; ignore any, as the platform does
        return RollbackNode(token)
