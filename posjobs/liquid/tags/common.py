"""Helpers the dialect's tags share: source positions and errors that point at them."""

from __future__ import annotations

from liquid import RenderContext, Token
from liquid.exceptions import LiquidError


class PlatformTagError(LiquidError):
    """A platform tag used wrongly at render time (bad option, unstorable argument...)."""


def line_of(token: Token) -> int:
    return token.source.count("\n", 0, max(token.start_index, 0)) + 1


def template_name(context: RenderContext) -> str:
    template = context.template
    return str(template.path or template.name)
