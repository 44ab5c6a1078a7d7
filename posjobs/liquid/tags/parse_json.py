"""`{% parse_json name %}{ "a": {{ x | json }} }{% endparse_json %}`: renders the body and
assigns it parsed as JSON (deprecated, still common). Invalid JSON is an error at the tag."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TextIO

from liquid import BlockNode, Node, RenderContext, Tag, Token, TokenStream
from liquid.builtin.expressions import Identifier, parse_identifier
from liquid.parser import get_parser
from liquid.token import TOKEN_TAG

from posjobs.liquid.tags.common import PlatformTagError

TAG_PARSE_JSON = "parse_json"
TAG_ENDPARSE_JSON = "endparse_json"


class ParseJsonNode(Node):
    __slots__ = ("body", "name")

    def __init__(self, token: Token, name: Identifier, body: BlockNode) -> None:
        super().__init__(token)
        self.name = name
        self.body = body
        self.blank = True

    def __str__(self) -> str:
        return f"{{% parse_json {self.name} %}}{self.body}{{% endparse_json %}}"

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        text = context.get_buffer(buffer)
        self.body.render(context, text)
        try:
            # strict=False: raw newlines and tabs inside strings are fine, as on the platform
            # (a captured multi-line text interpolated into "...").
            value = json.loads(text.getvalue(), strict=False)
        except json.JSONDecodeError as err:
            raise PlatformTagError(
                f"parse_json: the body of {self.name!r} is not valid JSON: {err.msg} "
                f"(line {err.lineno}, column {err.colno} of the rendered body)",
                token=self.token,
            ) from None
        context.assign(self.name, value)
        return 0

    def children(
        self, static_context: RenderContext, *, include_partials: bool = True
    ) -> Iterable[Node]:
        return [self.body]


class ParseJsonTag(Tag):
    name = TAG_PARSE_JSON
    end = TAG_ENDPARSE_JSON

    def parse(self, stream: TokenStream) -> Node:
        # python-liquid's convention: leave the stream on the tag's last token.
        token = stream.eat(TOKEN_TAG)
        tokens = stream.into_inner(tag=token)
        name = parse_identifier(self.env, tokens, allow_trailing_question_mark=False)
        tokens.expect_eos()
        body = get_parser(self.env).parse_block(stream, (TAG_ENDPARSE_JSON,))
        stream.expect(TOKEN_TAG, value=TAG_ENDPARSE_JSON)
        return ParseJsonNode(token, name, body)
