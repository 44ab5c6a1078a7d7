"""The shape several platform tags share: `{% name arguments %} body {% endname %}`.

A node subclass only says how it renders; parsing, `children` and `expressions` are here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar, TextIO

from liquid import BlockNode, Node, RenderContext, Tag, Token, TokenStream
from liquid.builtin.expressions import KeywordArgument, PositionalArgument, parse_arguments
from liquid.expression import Expression
from liquid.parser import get_parser
from liquid.token import TOKEN_EXPRESSION, TOKEN_TAG

Argument = PositionalArgument | KeywordArgument


class ArgumentsBlockNode(Node):
    """A block tag's node: its arguments and its body."""

    __slots__ = ("args", "body")
    tag_name: ClassVar[str] = ""

    def __init__(self, token: Token, args: list[Argument], body: BlockNode) -> None:
        super().__init__(token)
        self.args = args
        self.body = body
        self.blank = body.blank

    def __str__(self) -> str:
        args = ", ".join(str(arg) for arg in self.args)
        return f"{{% {self.tag_name} {args} %}}{self.body}{{% end{self.tag_name} %}}"

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        return self.body.render(context, buffer)

    def children(
        self, static_context: RenderContext, *, include_partials: bool = True
    ) -> Iterable[Node]:
        return [self.body]

    def expressions(self) -> Iterable[Expression]:
        return [arg.value for arg in self.args]


class ArgumentsBlockTag(Tag):
    """Parses `{% name a, k: v %} ... {% endname %}` into `node_class`."""

    node_class: ClassVar[type[ArgumentsBlockNode]]
    keywords_only: ClassVar[bool] = True

    def parse(self, stream: TokenStream) -> Node:
        # python-liquid's convention: leave the stream on the tag's last token.
        token = stream.eat(TOKEN_TAG)
        args: list[Argument] = []
        if stream.current.kind == TOKEN_EXPRESSION:
            tokens = stream.into_inner(tag=token)
            if self.keywords_only:
                args = list(KeywordArgument.parse(self.env, tokens))
            else:
                positional, keywords = parse_arguments(self.env, tokens)
                args = [*positional, *keywords]
        body = get_parser(self.env).parse_block(stream, (self.end,))
        stream.expect(TOKEN_TAG, value=self.end)
        return self.node_class(token, args, body)
