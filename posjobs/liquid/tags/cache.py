"""`{% cache 'key', expire: 20 %} ... {% endcache %}`: renders its body every time.

On the platform the body's output is cached under the key; locally every render is the first,
so the body always renders. The key and `expire` are evaluated (for their errors) and ignored.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from liquid import BlockNode, Node, RenderContext, Tag, Token, TokenStream
from liquid.builtin.expressions import KeywordArgument, PositionalArgument, parse_arguments
from liquid.expression import Expression
from liquid.parser import get_parser
from liquid.token import TOKEN_EXPRESSION, TOKEN_TAG

TAG_CACHE = "cache"
TAG_ENDCACHE = "endcache"


class CacheNode(Node):
    __slots__ = ("args", "body")

    def __init__(
        self,
        token: Token,
        args: list[PositionalArgument | KeywordArgument],
        body: BlockNode,
    ) -> None:
        super().__init__(token)
        self.args = args
        self.body = body
        self.blank = body.blank

    def __str__(self) -> str:
        args = ", ".join(str(arg) for arg in self.args)
        return f"{{% cache {args} %}}{self.body}{{% endcache %}}"

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        for arg in self.args:
            arg.evaluate(context)
        return self.body.render(context, buffer)

    def children(
        self, static_context: RenderContext, *, include_partials: bool = True
    ) -> Iterable[Node]:
        return [self.body]

    def expressions(self) -> Iterable[Expression]:
        return [arg.value for arg in self.args]


class CacheTag(Tag):
    name = TAG_CACHE
    end = TAG_ENDCACHE

    def parse(self, stream: TokenStream) -> Node:
        # python-liquid's convention: leave the stream on the tag's last token.
        token = stream.eat(TOKEN_TAG)
        args: list[PositionalArgument | KeywordArgument] = []
        if stream.current.kind == TOKEN_EXPRESSION:
            positional, keywords = parse_arguments(self.env, stream.into_inner(tag=token))
            args = [*positional, *keywords]
        body = get_parser(self.env).parse_block(stream, (TAG_ENDCACHE,))
        stream.expect(TOKEN_TAG, value=TAG_ENDCACHE)
        return CacheNode(token, args, body)
