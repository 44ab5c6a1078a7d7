"""`{% assign h["a"]["b"] = value %}`: standard `assign`, also setting keys inside hashes.

The platform's `assign` took over `hash_assign`'s syntax, and appends with `<<`:
`{% assign list << item %}`. A plain `{% assign x = ... %}` is python-liquid's own tag,
untouched.
"""

from __future__ import annotations

from typing import TextIO

from liquid import RenderContext, Token, TokenStream
from liquid.builtin.expressions import FilteredExpression, Identifier
from liquid.builtin.tags.assign_tag import AssignNode
from liquid.builtin.tags.assign_tag import AssignTag as StandardAssignTag
from liquid.exceptions import LiquidSyntaxError
from liquid.expression import Expression
from liquid.token import TOKEN_EXPRESSION, TOKEN_TAG

from posjobs.liquid.compat import tokenize
from posjobs.liquid.tags.targets import Target, split_target


class KeyAssignNode(AssignNode):
    """`assign` to a key or index inside a variable, or `assign list << item`."""

    __slots__ = ("target",)

    def __init__(self, token: Token, target: Target, expression: Expression) -> None:
        root = Identifier(str(target.path.head()), token=target.token)
        super().__init__(token, name=root, expression=expression)
        self.target = target

    def __str__(self) -> str:
        return f"{{% assign {self.target} {self.expression} %}}"

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        self.target.assign(context, self.expression.evaluate(context))
        return 0


class AssignTag(StandardAssignTag):
    def parse(self, stream: TokenStream) -> AssignNode:
        # python-liquid's convention: leave the stream on the tag's last token.
        token = stream.expect(TOKEN_TAG)
        expression = stream.peek
        if expression.kind == TOKEN_EXPRESSION:
            split = split_target(self.env, expression, self.name)
            if split is not None and (split[0].append or len(split[0].path.path) > 1):
                next(stream)
                target, rest = split
                if not rest.value.strip():
                    raise LiquidSyntaxError(f"assign: expected a value after {target}",
                                            token=expression)
                value = FilteredExpression.parse(self.env, TokenStream(tokenize(rest.value, rest)))
                return KeyAssignNode(token, target, value)
        return super().parse(stream)
