"""`{% session name = value %}`: writes a field of the request's session (`context.session`).

A blank or nil value deletes the field. A job runs outside any request, so in a job the tag
fails the attempt with an error saying so.
"""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping
from typing import TextIO

from liquid import Node, RenderContext, Tag, Token, TokenStream
from liquid.builtin.expressions import FilteredExpression, Identifier, parse_identifier
from liquid.expression import Expression
from liquid.token import TOKEN_ASSIGN, TOKEN_TAG

from posjobs.liquid.context import run_of
from posjobs.liquid.tags.common import PlatformTagError, is_blank, platform_context


def require_request(context: RenderContext, tag: str, token: Token) -> None:
    """Fail with a clear error when a request-only tag runs in a background job."""
    if run_of(context).job is not None:
        raise PlatformTagError(
            f"{tag}: the session is not available in background jobs (a job runs outside any "
            "request); pass what the job needs as an argument of the background tag",
            token=token,
        )


class SessionNode(Node):
    __slots__ = ("name", "value")

    def __init__(self, token: Token, name: Identifier, value: Expression) -> None:
        super().__init__(token)
        self.name = name
        self.value = value
        self.blank = True

    def __str__(self) -> str:
        return f"{{% session {self.name} = {self.value} %}}"

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        require_request(context, "session", self.token)
        value = self.value.evaluate(context)
        page_context = platform_context(context, "session")
        session = page_context.get("session")
        if not isinstance(session, MutableMapping):
            session = page_context["session"] = {}
        if is_blank(value):
            session.pop(self.name, None)
        else:
            session[self.name] = value
        return 0

    def expressions(self) -> Iterable[Expression]:
        return [self.value]


class SessionTag(Tag):
    name = "session"
    block = False

    def parse(self, stream: TokenStream) -> Node:
        # python-liquid's convention: leave the stream on the tag's last token.
        token = stream.eat(TOKEN_TAG)
        tokens = stream.into_inner(tag=token, eat=False)
        name = parse_identifier(self.env, tokens, allow_trailing_question_mark=False)
        tokens.eat(TOKEN_ASSIGN)
        return SessionNode(token, name, FilteredExpression.parse(self.env, tokens))
