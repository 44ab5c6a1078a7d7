"""`{% execute_query 'get_models', result_name: 'g', model_id: model_id %}`: the deprecated
forerunner of `graphql` (alias `query_graph`), answered from the same mocks.

The result goes to the variable `result_name` names (`g` by default). Every other argument
names a variable of the current scope whose value is passed to the query: a quoted name is
looked up, an unquoted one is already that variable.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TextIO

from liquid import Node, RenderContext, Tag, Token, TokenStream
from liquid.builtin.expressions import KeywordArgument, StringLiteral, parse_primitive
from liquid.expression import Expression
from liquid.token import TOKEN_TAG

from posjobs.liquid.tags.common import PlatformTagError
from posjobs.liquid.tags.graphql import query_file_name, run_query


class ExecuteQueryNode(Node):
    __slots__ = ("args", "query")

    def __init__(self, token: Token, query: Expression, args: list[KeywordArgument]) -> None:
        super().__init__(token)
        self.query = query
        self.args = args
        self.blank = True

    def __str__(self) -> str:
        args = "".join(f", {arg}" for arg in self.args)
        return f"{{% {self.token.value} {self.query}{args} %}}"

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        name = query_file_name(context, self.query, self.token.value)
        result_name = "g"
        arguments: dict[str, Any] = {}
        for arg in self.args:
            value = arg.value.evaluate(context)
            if arg.name == "result_name":
                if not isinstance(value, str) or not value:
                    raise PlatformTagError(f"{self.token.value}: result_name must be a "
                                           f"variable name, got {value!r}", token=arg.token)
                result_name = value
            elif isinstance(arg.value, StringLiteral):
                arguments[arg.name] = context.resolve(str(value), default=None)
            else:
                arguments[arg.name] = value
        context.assign(result_name, run_query(context, self.token, name, arguments))
        return 0

    def expressions(self) -> Iterable[Expression]:
        return [self.query, *(arg.value for arg in self.args)]


class ExecuteQueryTag(Tag):
    name = "execute_query"
    block = False

    def parse(self, stream: TokenStream) -> Node:
        # python-liquid's convention: leave the stream on the tag's last token.
        token = stream.eat(TOKEN_TAG)
        tokens = stream.into_inner(tag=token, eat=False)
        query = parse_primitive(self.env, tokens)
        return ExecuteQueryNode(token, query, KeywordArgument.parse(self.env, tokens))


class QueryGraphTag(ExecuteQueryTag):
    """The other deprecated name; it differs on the platform only in how failures read."""

    name = "query_graph"
