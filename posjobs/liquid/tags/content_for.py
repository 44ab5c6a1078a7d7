"""`{% content_for 'name', flush: true %} ... {% endcontent_for %}`: keeps a block for later.

The rendered block is stored under the name for the whole render (page and layout), where
`{% yield 'name' %}` prints it. Blocks for the same name are appended, unless `flush: true`
replaces what was there. The tag itself prints nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from liquid import BlockNode, Node, RenderContext, Tag, Token, TokenStream
from liquid.builtin.expressions import KeywordArgument, parse_primitive
from liquid.expression import Expression
from liquid.parser import get_parser
from liquid.token import TOKEN_TAG

from posjobs.liquid.context import run_of
from posjobs.liquid.tags.common import PlatformTagError

TAG_CONTENT_FOR = "content_for"
TAG_ENDCONTENT_FOR = "endcontent_for"


class ContentForNode(Node):
    __slots__ = ("args", "body", "name")

    def __init__(
        self, token: Token, name: Expression, args: list[KeywordArgument], body: BlockNode
    ) -> None:
        super().__init__(token)
        self.name = name
        self.args = args
        self.body = body
        self.blank = True

    def __str__(self) -> str:
        args = "".join(f", {arg}" for arg in self.args)
        return f"{{% content_for {self.name}{args} %}}{self.body}{{% endcontent_for %}}"

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        name = self.name.evaluate(context)
        if not isinstance(name, str) or not name:
            raise PlatformTagError(
                f"content_for: the name must be a non-empty string, got {name!r}",
                token=self.name.token,
            )
        options = dict(arg.evaluate(context) for arg in self.args)
        block = context.get_buffer(buffer)
        self.body.render(context, block)
        stored = run_of(context).content_for
        previous = "" if options.get("flush") is True else stored.get(name, "")
        stored[name] = previous + block.getvalue()
        return 0

    def children(
        self, static_context: RenderContext, *, include_partials: bool = True
    ) -> Iterable[Node]:
        return [self.body]

    def expressions(self) -> Iterable[Expression]:
        return [self.name, *(arg.value for arg in self.args)]


class ContentForTag(Tag):
    name = TAG_CONTENT_FOR
    end = TAG_ENDCONTENT_FOR

    def parse(self, stream: TokenStream) -> Node:
        # python-liquid's convention: leave the stream on the tag's last token.
        token = stream.eat(TOKEN_TAG)
        tokens = stream.into_inner(tag=token)
        name = parse_primitive(self.env, tokens)
        args = KeywordArgument.parse(self.env, tokens)
        body = get_parser(self.env).parse_block(stream, (TAG_ENDCONTENT_FOR,))
        stream.expect(TOKEN_TAG, value=TAG_ENDCONTENT_FOR)
        return ContentForNode(token, name, args, body)
