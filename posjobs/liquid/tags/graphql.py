"""`{% graphql %}`: runs a GraphQL operation against the project's local data.

File form:    {% graphql g = 'users/find', id: params.id | dig: 'user' %}
Inline form:  {% graphql g, id: params.id %} query find_user($id: ID) { ... } {% endgraphql %}

The file form's query must exist (`app/graphql/<name>.graphql`, or
`modules/<m>/{public,private}/graphql/<name>.graphql` for `modules/<m>/<name>`). `args:` passes
a hash (or a JSON string) of arguments at once. Filters after the arguments apply to the result.
The operation runs in the data layer (`posjobs.data`) against the platform's schema, inside
the run's data transaction. A mock file `.posjobs/graphql/<name>.json` (see `graphql_mocks`)
overrides it; an inline query is mocked by its operation name (`find_user`), or when
anonymous by its first field's name.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TextIO

from liquid import Environment, Node, RenderContext, Tag, Token, TokenStream
from liquid.builtin.expressions import Filter, KeywordArgument, Path, parse_primitive
from liquid.exceptions import LiquidSyntaxError
from liquid.expression import Expression
from liquid.token import (
    TOKEN_ASSIGN,
    TOKEN_COLON,
    TOKEN_COMMA,
    TOKEN_EOF,
    TOKEN_EXPRESSION,
    TOKEN_PIPE,
    TOKEN_TAG,
    TOKEN_WORD,
)

from posjobs.data.session import Source
from posjobs.data.tables import DataError
from posjobs.liquid.compat import tokenize
from posjobs.liquid.context import run_of
from posjobs.liquid.tags import graphql_mocks
from posjobs.liquid.tags.common import PlatformTagError, line_of, project_of, template_name
from posjobs.liquid.tags.targets import Target, split_target
from posjobs.liquid.values import UnstorableValue, to_storable

TAG_GRAPHQL = "graphql"
TAG_ENDGRAPHQL = "endgraphql"

_OPERATION = re.compile(r"^\s*(?:query|mutation|subscription)\s+([A-Za-z_]\w*)")
_FIRST_FIELD = re.compile(r"\{\s*([A-Za-z_]\w*)")


class GraphqlNode(Node):
    __slots__ = ("args", "body", "filters", "query", "target")

    def __init__(
        self,
        token: Token,
        target: Target,
        *,
        query: Expression | None,
        body: str | None,
        args: list[KeywordArgument],
        filters: list[Filter],
    ) -> None:
        super().__init__(token)
        self.target = target
        self.query = query
        self.body = body
        self.args = args
        self.filters = filters
        self.blank = True

    def __str__(self) -> str:
        args = "".join(f", {arg}" for arg in self.args)
        filters = "".join(f" | {f}" for f in self.filters)
        if self.query is not None:
            return f"{{% graphql {self.target} {self.query}{args}{filters} %}}"
        return f"{{% graphql {self.target.path}{args} %}}{self.body}{{% endgraphql %}}"

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        if self.query is None:
            assert self.body is not None
            name = inline_query_name(self.body)
            query = InlineQuery(self.body, template_name(context), line_of(self.token))
        else:
            name = query_file_name(context, self.query, TAG_GRAPHQL)
            query = None
        arguments: dict[str, Any] = {}
        for arg in self.args:
            value = arg.value.evaluate(context)
            if arg.name == "args":
                arguments = {**_args_hash(value, arg.token), **arguments}
            else:
                arguments[arg.name] = value
        result = run_query(context, self.token, name, arguments, inline=query)
        for filter_ in self.filters:
            result = filter_.evaluate(result, context)
        self.target.assign(context, result)
        return 0

    def expressions(self) -> Iterable[Expression]:
        found = [self.query] if self.query is not None else []
        found += [arg.value for arg in self.args]
        for filter_ in self.filters:
            found += filter_.children()
        return found


def query_file_name(context: RenderContext, query: Expression, tag: str) -> str:
    """The query name `query` evaluates to; its .graphql file must exist in the project."""
    name = query.evaluate(context)
    if not isinstance(name, str) or not name:
        raise PlatformTagError(
            f"{tag}: the query name must be a non-empty string, got {name!r}", token=query.token
        )
    if project_of(context).find_graphql(name) is None:
        module = name.split("/")[1] if name.startswith("modules/") else None
        where = f"modules/{module}/{{public,private}}/graphql/" if module else "app/graphql/"
        raise PlatformTagError(
            f"{tag}: query {name!r} not found (looked for its .graphql file in {where})",
            token=query.token,
        )
    return name


@dataclass(frozen=True)
class InlineQuery:
    """An inline query's text and where it is written."""

    text: str
    template: str
    line: int


def run_query(context: RenderContext, token: Token, name: str, arguments: Mapping[str, Any],
              *, inline: InlineQuery | None = None) -> Any:
    """The result of query `name`: its mock when one answers, else the data layer's."""
    plain: dict[str, Any] = {}
    for key, value in arguments.items():
        try:
            plain[key] = to_storable(value, key)
        except UnstorableValue:
            raise PlatformTagError(
                f"{token.value}: argument {key!r} holds a {type(value).__name__}, which "
                "GraphQL cannot take; pass strings, numbers, booleans, nil, arrays or hashes",
                token=token,
            ) from None
    project = project_of(context)
    try:
        answer = graphql_mocks.answer(project.root, name, plain)
    except graphql_mocks.MockError as err:
        raise PlatformTagError(str(err), token=token) from None
    if answer is not None:
        return answer.result
    run = run_of(context)
    if run.data is None:
        raise PlatformTagError(f"{token.value}: query {name!r} needs the data layer, which "
                               "this run has not got; mock it in .posjobs/graphql/", token=token)
    if inline is not None:
        source = Source(name, inline.template, inline.line)
        text = inline.text
    else:
        path = project.find_graphql(name)
        assert path is not None  # query_file_name checked it
        source = Source(name, project.relative(path))
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise PlatformTagError(f"{source.path}: cannot read the query: {err}",
                                   token=token) from None
    try:
        result = run.data.execute(text, plain, source)
    except DataError as err:
        message = f"{err.message} (hint: {err.hint})" if err.hint else err.message
        raise PlatformTagError(message, token=token) from None
    if "errors" in result:
        messages = "; ".join(str(e.get("message")) for e in result["errors"])
        run.log("error", f"graphql {name}: {messages}", template_name(context), line_of(token))
    return result


def _args_hash(value: object, token: Token) -> Mapping[str, Any]:
    """`args:` is a hash of arguments, or a JSON string of one."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as err:
            raise PlatformTagError(f"graphql: args is not valid JSON: {err.msg}",
                                   token=token) from None
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise PlatformTagError(
            f"graphql: args must be a hash or a JSON string, got {type(value).__name__}",
            token=token,
        )
    return value


def inline_query_name(body: str) -> str:
    """The name an inline query is mocked by: its operation name, else its first field."""
    for pattern in (_OPERATION, _FIRST_FIELD):
        match = pattern.search(body)
        if match:
            return match.group(1)
    return "inline"


def parse_arguments_and_filters(
    env: Environment, tokens: TokenStream
) -> tuple[list[KeywordArgument], list[Filter]]:
    """`, name: value, ... | filter: x` up to the end of the expression."""
    args: list[KeywordArgument] = []
    while tokens.current.kind == TOKEN_COMMA:
        next(tokens)
        name = tokens.eat(TOKEN_WORD)
        tokens.eat_one_of(TOKEN_COLON, TOKEN_ASSIGN)
        args.append(KeywordArgument(name, name.value, parse_primitive(env, tokens)))
    filters = Filter.parse(env, tokens, delim=(TOKEN_PIPE,))
    if tokens.current.kind != TOKEN_EOF:
        raise LiquidSyntaxError(
            f"graphql: expected ', name: value' or a filter, found {tokens.current.value!r}",
            token=tokens.current,
        )
    return args, filters


class GraphqlTag(Tag):
    name = TAG_GRAPHQL
    end = TAG_ENDGRAPHQL
    block = False  # only the inline form has a body

    def parse(self, stream: TokenStream) -> Node:
        # python-liquid's convention: leave the stream on the tag's last token.
        token = stream.eat(TOKEN_TAG)
        expression = stream.current
        if expression.kind != TOKEN_EXPRESSION:
            raise LiquidSyntaxError(
                "graphql: expected `result = 'query_name', argument: value`", token=token
            )
        split = split_target(self.env, expression, TAG_GRAPHQL, append=False)
        if split is not None:
            target, rest = split
            tokens = TokenStream(tokenize(rest.value, rest))
            query = parse_primitive(self.env, tokens)
            args, filters = parse_arguments_and_filters(self.env, tokens)
            return GraphqlNode(token, target, query=query, body=None, args=args,
                               filters=filters)
        tokens = TokenStream(tokenize(expression.value, expression))
        target = Target(_variable(self.env, tokens))
        args, filters = parse_arguments_and_filters(self.env, tokens)
        return GraphqlNode(token, target, query=None, body=self._body(token, stream), args=args,
                           filters=filters)

    def _body(self, token: Token, stream: TokenStream) -> str:
        """The inline query's text, taken as it is written (it is not Liquid)."""
        start = stream.current
        next(stream)
        while not (stream.current.kind == TOKEN_TAG and stream.current.value == TAG_ENDGRAPHQL):
            if stream.current.kind == TOKEN_EOF:
                raise LiquidSyntaxError("graphql: the inline query has no {% endgraphql %}",
                                        token=token)
            next(stream)
        source = token.source
        begin = source.find("%}", start.start_index + len(start.value)) + 2
        return source[begin : source.rfind("{%", 0, stream.current.start_index)]


def _variable(env: Environment, tokens: TokenStream) -> Path:
    if tokens.current.kind != TOKEN_WORD:
        raise LiquidSyntaxError(
            f"graphql: expected the result's variable name, found {tokens.current.value!r}",
            token=tokens.current,
        )
    return Path.parse(env, tokens)
