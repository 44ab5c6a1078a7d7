"""`{% yield 'name', default: 'x' %}`: prints what `{% content_for 'name' %}` stored.

When nothing (or only whitespace) was stored under the name, `default` is printed instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from liquid import Node, RenderContext, Tag, Token, TokenStream
from liquid.builtin.expressions import KeywordArgument, parse_primitive
from liquid.expression import Expression
from liquid.token import TOKEN_TAG

from posjobs.liquid.context import run_of
from posjobs.liquid.tags.common import is_blank
from posjobs.liquid.values import output_string


class YieldNode(Node):
    __slots__ = ("args", "name")

    def __init__(self, token: Token, name: Expression, args: list[KeywordArgument]) -> None:
        super().__init__(token)
        self.name = name
        self.args = args
        self.blank = False

    def __str__(self) -> str:
        args = "".join(f", {arg}" for arg in self.args)
        return f"{{% yield {self.name}{args} %}}"

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        stored = run_of(context).content_for.get(str(self.name.evaluate(context)), "")
        if is_blank(stored):
            default = dict(arg.evaluate(context) for arg in self.args).get("default")
            stored = "" if default is None else output_string(default, context.autoescape)
        return buffer.write(stored)

    def expressions(self) -> Iterable[Expression]:
        return [self.name, *(arg.value for arg in self.args)]


class YieldTag(Tag):
    name = "yield"
    block = False

    def parse(self, stream: TokenStream) -> Node:
        # python-liquid's convention: leave the stream on the tag's last token.
        token = stream.eat(TOKEN_TAG)
        tokens = stream.into_inner(tag=token, eat=False)
        name = parse_primitive(self.env, tokens)
        return YieldNode(token, name, KeywordArgument.parse(self.env, tokens))
