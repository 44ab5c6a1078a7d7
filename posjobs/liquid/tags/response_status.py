"""`{% response_status 404 %}`: records the HTTP status the response would have."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from liquid import Node, RenderContext, Tag, Token, TokenStream
from liquid.builtin.expressions import parse_primitive
from liquid.expression import Expression
from liquid.token import TOKEN_TAG

from posjobs.liquid.context import run_of
from posjobs.liquid.tags.common import PlatformTagError


def status_code(value: object, tag: str, token: Token, *, low: int = 100, high: int = 599) -> int:
    """`value` as an HTTP status in low..high, or an error naming the tag."""
    try:
        status = int(str(value).strip()) if not isinstance(value, bool) else None
    except ValueError:
        status = None
    if status is None or not low <= status <= high:
        raise PlatformTagError(
            f"{tag}: status must be an HTTP status code from {low} to {high}, got {value!r}",
            token=token,
        )
    return status


class ResponseStatusNode(Node):
    __slots__ = ("status",)

    def __init__(self, token: Token, status: Expression) -> None:
        super().__init__(token)
        self.status = status
        self.blank = True

    def __str__(self) -> str:
        return f"{{% response_status {self.status} %}}"

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        status = status_code(self.status.evaluate(context), "response_status", self.token)
        run_of(context).response["status"] = status
        return 0

    def expressions(self) -> Iterable[Expression]:
        return [self.status]


class ResponseStatusTag(Tag):
    name = "response_status"
    block = False

    def parse(self, stream: TokenStream) -> Node:
        # python-liquid's convention: leave the stream on the tag's last token.
        token = stream.eat(TOKEN_TAG)
        tokens = stream.into_inner(tag=token, eat=False)
        status = parse_primitive(self.env, tokens)
        tokens.expect_eos()
        return ResponseStatusNode(token, status)
