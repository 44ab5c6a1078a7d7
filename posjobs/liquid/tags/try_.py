"""`{% try %} ... {% catch err %} ... {% endtry %}`: renders the fallback when the body fails.

The body renders into its own buffer: when it fails, what it printed is dropped and the
`catch` block renders with `err` holding `message` (platform-style, e.g. `Liquid error: can't
find partial "x"`), `class`, `template` and `line`. Without `catch`, a failure renders nothing.
`return`, `break`, `rollback` and resource limits pass through untouched. `try_rc` ...
`endtry_rc` is the deprecated alias.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, TextIO

from liquid import BlockNode, Node, RenderContext, Tag, Token, TokenStream
from liquid.builtin.expressions import Identifier, parse_identifier
from liquid.exceptions import (
    LiquidError,
    LiquidInterrupt,
    ResourceLimitError,
    StopRender,
    TemplateNotFoundError,
)
from liquid.parser import get_parser
from liquid.token import TOKEN_EXPRESSION, TOKEN_TAG

from posjobs.errors import StoreError
from posjobs.liquid.tags.common import line_of, template_name
from posjobs.liquid.tags.rollback import Rollback

TAG_TRY = "try"
TAG_CATCH = "catch"
TAG_ENDTRY = "endtry"
# Not the template's errors: a failing store and an exhausted memory limit go to the attempt.
_PASS_THROUGH = (StopRender, LiquidInterrupt, Rollback, ResourceLimitError, RecursionError,
                 StoreError, MemoryError)
_NOT_FOUND = re.compile(r"partial '(?P<name>[^']*)' not found")


class TryNode(Node):
    __slots__ = ("body", "fallback", "name")

    def __init__(
        self, token: Token, body: BlockNode, name: Identifier | None, fallback: BlockNode | None
    ) -> None:
        super().__init__(token)
        self.body = body
        self.name = name
        self.fallback = fallback
        self.blank = body.blank and (fallback is None or fallback.blank)

    def __str__(self) -> str:
        catch = f"{{% catch {self.name or ''} %}}{self.fallback}" if self.fallback else ""
        tag = self.token.value
        return f"{{% {tag} %}}{self.body}{catch}{{% end{tag} %}}"

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        attempt = context.get_buffer(buffer)
        try:
            self.body.render(context, attempt)
        except _PASS_THROUGH:
            raise
        except Exception as err:  # the platform's try catches every error
            if self.fallback is None:
                return 0
            if self.name:
                context.assign(self.name, error_object(err, context, self.token))
            return self.fallback.render(context, buffer)
        return buffer.write(attempt.getvalue())

    def children(
        self, static_context: RenderContext, *, include_partials: bool = True
    ) -> Iterable[Node]:
        return [self.body] + ([self.fallback] if self.fallback else [])


def error_object(err: Exception, context: RenderContext, token: Token) -> dict[str, Any]:
    """What `catch err` sees of an error."""
    if isinstance(err, LiquidError):
        message = str(err.message) if err.message is not None else type(err).__name__
        where = err.context()
        template = str(err.template_name) if err.template_name else template_name(context)
        line = where[0] if where else line_of(token)
    else:
        message, template, line = f"{type(err).__name__}: {err}", template_name(context), None
    found = _NOT_FOUND.search(message)
    if isinstance(err, TemplateNotFoundError) or found:
        name = found.group("name") if found else message
        message = f"Liquid error: can't find partial \"{name}\""
    else:
        message = f"Liquid error: {message}"
    return {"message": message, "class": type(err).__name__, "template": template, "line": line}


class TryTag(Tag):
    name = TAG_TRY
    end = TAG_ENDTRY

    def parse(self, stream: TokenStream) -> Node:
        # python-liquid's convention: leave the stream on the tag's last token.
        token = stream.eat(TOKEN_TAG)
        parser = get_parser(self.env)
        body = parser.parse_block(stream, (TAG_CATCH, self.end))
        name: Identifier | None = None
        fallback: BlockNode | None = None
        if stream.current.kind == TOKEN_TAG and stream.current.value == TAG_CATCH:
            catch = next(stream)
            if stream.current.kind == TOKEN_EXPRESSION:
                tokens = stream.into_inner(tag=catch)
                name = parse_identifier(self.env, tokens, allow_trailing_question_mark=False)
                tokens.expect_eos()
            fallback = parser.parse_block(stream, (self.end,))
        stream.expect(TOKEN_TAG, value=self.end)
        return TryNode(token, body, name, fallback)


class TryRcTag(TryTag):
    """The deprecated alias of `try`, closed by `endtry_rc`."""

    name = "try_rc"
    end = "endtry_rc"
