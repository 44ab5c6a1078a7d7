"""`{% response_headers '{"X-Frame-Options": "DENY"}' %}`: records extra response headers.

The headers are a JSON string (or a hash); they are merged into the run's recorded response.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import TextIO

from liquid import Node, RenderContext, Tag, Token, TokenStream
from liquid.builtin.expressions import FilteredExpression
from liquid.expression import Expression
from liquid.token import TOKEN_TAG

from posjobs.liquid.context import run_of
from posjobs.liquid.tags.common import PlatformTagError


class ResponseHeadersNode(Node):
    __slots__ = ("headers",)

    def __init__(self, token: Token, headers: Expression) -> None:
        super().__init__(token)
        self.headers = headers
        self.blank = True

    def __str__(self) -> str:
        return f"{{% response_headers {self.headers} %}}"

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        headers = self.headers.evaluate(context)
        if isinstance(headers, str):
            try:
                headers = json.loads(headers) if headers.strip() else {}
            except json.JSONDecodeError as err:
                raise PlatformTagError(
                    f"response_headers: the headers are not valid JSON: {err.msg}",
                    token=self.token,
                ) from None
        if not isinstance(headers, Mapping):
            raise PlatformTagError(
                "response_headers: expected a JSON object of headers, "
                f"got {type(headers).__name__}",
                token=self.token,
            )
        recorded = run_of(context).response["headers"]
        recorded.update({str(name): str(value) for name, value in headers.items()})
        return 0

    def expressions(self) -> Iterable[Expression]:
        return [self.headers]


class ResponseHeadersTag(Tag):
    name = "response_headers"
    block = False

    def parse(self, stream: TokenStream) -> Node:
        # python-liquid's convention: leave the stream on the tag's last token.
        token = stream.eat(TOKEN_TAG)
        headers = FilteredExpression.parse(self.env, stream.into_inner(tag=token, eat=False))
        return ResponseHeadersNode(token, headers)
