"""`{% spam_protection "recaptcha_v3", action: "signup" %}`: the captcha's HTML placeholder.

Locally there is no site key; the markup has the shape the platform renders so pages and
forms look complete: recaptcha_v2 (the default), recaptcha_v3 or hcaptcha.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import TextIO

from liquid import Node, RenderContext, Tag, Token, TokenStream
from liquid.builtin.expressions import KeywordArgument, parse_primitive
from liquid.expression import Expression
from liquid.token import TOKEN_EXPRESSION, TOKEN_TAG

from posjobs.liquid.tags.common import PlatformTagError

STRATEGIES = {
    "recaptcha_v2": '<div class="g-recaptcha" data-sitekey=""></div>',
    "recaptcha_v3": '<input type="hidden" name="g-recaptcha-response" data-action="{action}">',
    "hcaptcha": '<div class="h-captcha" data-sitekey=""></div>',
}


class SpamProtectionNode(Node):
    __slots__ = ("args", "strategy")

    def __init__(
        self, token: Token, strategy: Expression | None, args: list[KeywordArgument]
    ) -> None:
        super().__init__(token)
        self.strategy = strategy
        self.args = args
        self.blank = False

    def __str__(self) -> str:
        args = "".join(f", {arg}" for arg in self.args)
        return f"{{% spam_protection {self.strategy or ''}{args} %}}"

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        strategy = self.strategy.evaluate(context) if self.strategy else "recaptcha_v2"
        if strategy not in STRATEGIES:
            raise PlatformTagError(
                f"spam_protection: unknown strategy {strategy!r} "
                f"(one of {', '.join(STRATEGIES)})",
                token=self.token,
            )
        action = dict(arg.evaluate(context) for arg in self.args).get("action") or ""
        return buffer.write(STRATEGIES[str(strategy)].format(action=escape(str(action))))

    def expressions(self) -> Iterable[Expression]:
        found = [self.strategy] if self.strategy else []
        return found + [arg.value for arg in self.args]


class SpamProtectionTag(Tag):
    name = "spam_protection"
    block = False

    def parse(self, stream: TokenStream) -> Node:
        # python-liquid's convention: leave the stream on the tag's last token.
        token = stream.expect(TOKEN_TAG)
        if stream.peek.kind != TOKEN_EXPRESSION:
            return SpamProtectionNode(token, None, [])
        next(stream)
        tokens = stream.into_inner(tag=token, eat=False)
        strategy = parse_primitive(self.env, tokens)
        return SpamProtectionNode(token, strategy, KeywordArgument.parse(self.env, tokens))
