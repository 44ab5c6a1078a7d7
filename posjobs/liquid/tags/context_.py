"""`{% context language: 'de' %}`: switches the render's language (`context.language`).

Jobs enqueued afterwards get the new language in their context too, as `language` is part of
what a job's context keeps.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from liquid import Node, RenderContext, Tag, Token, TokenStream
from liquid.builtin.expressions import KeywordArgument
from liquid.exceptions import LiquidSyntaxError
from liquid.expression import Expression
from liquid.token import TOKEN_TAG

from posjobs.liquid.context import run_of
from posjobs.liquid.tags.common import PlatformTagError, platform_context


class ContextNode(Node):
    __slots__ = ("language",)

    def __init__(self, token: Token, language: Expression) -> None:
        super().__init__(token)
        self.language = language
        self.blank = True

    def __str__(self) -> str:
        return f"{{% context language: {self.language} %}}"

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        language = self.language.evaluate(context)
        if not isinstance(language, str) or not language.strip():
            raise PlatformTagError(
                f"context: language must be a language code such as 'en', got {language!r}",
                token=self.language.token,
            )
        platform_context(context, "context")["language"] = language
        run = run_of(context)
        # A new dict, not a change in place: jobs enqueued before share the old one.
        run.job_context = {**run.job_context, "language": language}
        return 0

    def expressions(self) -> Iterable[Expression]:
        return [self.language]


class ContextTag(Tag):
    name = "context"
    block = False

    def parse(self, stream: TokenStream) -> Node:
        # python-liquid's convention: leave the stream on the tag's last token.
        token = stream.eat(TOKEN_TAG)
        args = KeywordArgument.parse(self.env, stream.into_inner(tag=token, eat=False))
        for arg in args:
            if arg.name != "language":
                raise LiquidSyntaxError(f"{token.value}: unknown argument {arg.name!r} "
                                        "(only language: is allowed)", token=arg.token)
        if not args:
            raise LiquidSyntaxError(f"{token.value}: expected language: 'xx'", token=token)
        return ContextNode(token, args[-1].value)


class ContextRcTag(ContextTag):
    """The deprecated alias of `context`."""

    name = "context_rc"
