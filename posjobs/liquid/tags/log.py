"""`{% log value, type: 'x', env: 'all' %}`: writes a log entry from a page or a job.

Other positional arguments after the value (`{% log object, 'ERROR: x' %}`, seen in the
platform's own modules) are accepted and ignored, as on the platform: the type is `type:`.
"""

from __future__ import annotations

from typing import TextIO

from liquid import Node, RenderContext, Tag, Token, TokenStream
from liquid.builtin.expressions import FilteredExpression, KeywordArgument
from liquid.expression import Expression
from liquid.token import (
    TOKEN_COLON,
    TOKEN_COMMA,
    TOKEN_EXPRESSION,
    TOKEN_PIPE,
    TOKEN_TAG,
    TOKEN_WORD,
)

from posjobs.liquid.compat import tokenize as tokenize_expression
from posjobs.liquid.context import run_of
from posjobs.liquid.tags.common import line_of, template_name
from posjobs.liquid.values import log_message

OPTION_NAMES = frozenset({"type", "env"})


class LogNode(Node):
    __slots__ = ("message", "options")

    def __init__(
        self, token: Token, message: Expression | None, options: list[KeywordArgument]
    ) -> None:
        super().__init__(token)
        self.message = message
        self.options = options
        self.blank = True

    def __str__(self) -> str:
        return f"{{% log {self.message} %}}"

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        run = run_of(context)
        value = self.message.evaluate(context) if self.message else None
        options = dict(arg.evaluate(context) for arg in self.options)
        env = str(options.get("env") or "all").lower()
        if env not in ("all", run.environment):
            return 0
        log_type = options.get("type")
        run.log(
            str(log_type) if log_type not in (None, "") else "info",
            log_message(value),
            template_name(context),
            line_of(self.token),
        )
        return 0

    def expressions(self) -> list[Expression]:
        found = [self.message] if self.message else []
        return found + [arg.value for arg in self.options]


class LogTag(Tag):
    name = "log"
    block = False

    def parse(self, stream: TokenStream) -> Node:
        # python-liquid's convention: leave the stream on the tag's last token.
        token = stream.expect(TOKEN_TAG)
        if stream.peek.kind != TOKEN_EXPRESSION:
            return LogNode(token, None, [])
        next(stream)
        expression = stream.current
        tokens = list(tokenize_expression(expression.value, parent_token=expression))
        # `type:` and `env:` follow the message; a filter's own arguments may not use them.
        cut = len(tokens)
        for i in range(len(tokens) - 2):
            if (
                tokens[i].kind == TOKEN_COMMA
                and tokens[i + 1].kind == TOKEN_WORD
                and tokens[i + 1].value in OPTION_NAMES
                and tokens[i + 2].kind == TOKEN_COLON
            ):
                cut = i
                break
        # Positional arguments after the message (`log object, 'ERROR: x'`) are ignored, as
        # the platform's argument scanner ignores them: only `type:` and `env:` count.
        end = next((i for i, t in enumerate(tokens[:cut]) if t.kind in (TOKEN_COMMA, TOKEN_PIPE)),
                   cut)
        if end < cut and tokens[end].kind == TOKEN_PIPE:
            end = cut
        message = FilteredExpression.parse(self.env, TokenStream(iter(tokens[:end])))
        options = KeywordArgument.parse(self.env, TokenStream(iter(tokens[cut:])))
        return LogNode(token, message, options)
