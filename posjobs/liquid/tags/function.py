"""`{% function result = 'path/to/partial', arg: value %}`: calls a partial for its value.

The partial runs in its own scope, seeing only the arguments and the global `context`; what it
prints is discarded and `result` receives what it hands back with `{% return %}` (nil when it
returns nothing). The target may be a key or index (`data["foo"]["bar"] = ...`) or an array to
append to (`items << ...`). `function_rc` is the deprecated alias.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TextIO

from liquid import BoundTemplate, Node, RenderContext, Tag, Token, TokenStream
from liquid.builtin.expressions import KeywordArgument, parse_primitive
from liquid.exceptions import LiquidSyntaxError
from liquid.expression import Expression
from liquid.output import NullIO
from liquid.token import TOKEN_EXPRESSION, TOKEN_TAG
from liquid.utils import ReadOnlyChainMap

from posjobs.liquid.compat import tokenize
from posjobs.liquid.tags.common import load_partial
from posjobs.liquid.tags.return_ import returned_value
from posjobs.liquid.tags.targets import Target, split_target

TAG_FUNCTION = "function"


class FunctionNode(Node):
    __slots__ = ("args", "partial", "target")

    def __init__(
        self, token: Token, target: Target, partial: Expression, args: list[KeywordArgument]
    ) -> None:
        super().__init__(token)
        self.target = target
        self.partial = partial
        self.args = args
        self.blank = True

    def __str__(self) -> str:
        args = "".join(f", {arg}" for arg in self.args)
        return f"{{% {self.token.value} {self.target} {self.partial}{args} %}}"

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        template = load_partial(context, self.partial.evaluate(context), self.partial.token,
                                self.token.value)
        args = {arg.name: arg.value.evaluate(context) for arg in self.args}
        self.target.assign(context, call_partial(context, template, args))
        return 0

    def expressions(self) -> Iterable[Expression]:
        return [self.partial, *(arg.value for arg in self.args)]


def call_partial(
    context: RenderContext, template: BoundTemplate, args: Mapping[str, object]
) -> object:
    """Render `template` in its own scope, discarding its output; what it returned."""
    scope = context.copy(ReadOnlyChainMap(dict(args)), carry_loop_iterations=True,
                         template=template)
    template.render_with_context(scope, NullIO(), partial=True, block_scope=True)
    return returned_value(scope)


class FunctionTag(Tag):
    name = TAG_FUNCTION
    block = False

    def parse(self, stream: TokenStream) -> Node:
        # python-liquid's convention: leave the stream on the tag's last token.
        token = stream.eat(TOKEN_TAG)
        expression = stream.current
        split = split_target(self.env, expression, token.value) if (
            expression.kind == TOKEN_EXPRESSION) else None
        if split is None:
            raise LiquidSyntaxError(
                f"{token.value}: expected `result = 'path/to/partial', argument: value`",
                token=token,
            )
        target, rest = split
        tokens = TokenStream(tokenize(rest.value, rest))
        partial = parse_primitive(self.env, tokens)
        return FunctionNode(token, target, partial, KeywordArgument.parse(self.env, tokens))


class FunctionRcTag(FunctionTag):
    """The deprecated alias of `function`."""

    name = "function_rc"
