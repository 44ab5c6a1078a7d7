"""`{% redirect_to '/path', status: 302 %}`: records the redirect the response would make.

posjobs does not follow it: the target and status (302 unless given, 3xx) are recorded in the
run's `response` for the caller to show, and rendering goes on, as on the platform.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from liquid import Node, RenderContext, Tag, Token, TokenStream
from liquid.builtin.expressions import KeywordArgument, parse_primitive
from liquid.expression import Expression
from liquid.token import TOKEN_TAG

from posjobs.liquid.context import run_of
from posjobs.liquid.tags.common import PlatformTagError
from posjobs.liquid.tags.response_status import status_code


class RedirectToNode(Node):
    __slots__ = ("args", "target")

    def __init__(self, token: Token, target: Expression, args: list[KeywordArgument]) -> None:
        super().__init__(token)
        self.target = target
        self.args = args
        self.blank = True

    def __str__(self) -> str:
        args = "".join(f", {arg}" for arg in self.args)
        return f"{{% redirect_to {self.target}{args} %}}"

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        target = self.target.evaluate(context)
        if not isinstance(target, str) or not target:
            raise PlatformTagError(
                f"redirect_to: the target must be a non-empty path or URL, got {target!r}",
                token=self.target.token,
            )
        options = dict(arg.evaluate(context) for arg in self.args)
        status = status_code(options.get("status", 302), "redirect_to", self.token, low=300,
                             high=399)
        response = run_of(context).response
        response["redirect_to"] = target
        response["status"] = status
        return 0

    def expressions(self) -> Iterable[Expression]:
        return [self.target, *(arg.value for arg in self.args)]


class RedirectToTag(Tag):
    name = "redirect_to"
    block = False

    def parse(self, stream: TokenStream) -> Node:
        # python-liquid's convention: leave the stream on the tag's last token.
        token = stream.eat(TOKEN_TAG)
        tokens = stream.into_inner(tag=token, eat=False)
        target = parse_primitive(self.env, tokens)
        return RedirectToNode(token, target, KeywordArgument.parse(self.env, tokens))
