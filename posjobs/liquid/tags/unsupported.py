"""Tags posjobs does not know fail at parse time, naming the tag, the file and the line.

python-liquid reports any unknown tag as "unexpected tag"; for a tag that is simply not part
of posjobs' dialect that reads like a typo in the template, so it is reported as unsupported,
with the nearest known tag names as a hint. A stray closing or inner tag (`endif`, `else`,
`when`, `catch`) keeps python-liquid's message.
"""

from __future__ import annotations

import difflib

from liquid import TokenStream
from liquid.ast import IllegalNode
from liquid.builtin.illegal import Illegal
from liquid.exceptions import LiquidSyntaxError
from liquid.token import TOKEN_EXPRESSION, TOKEN_TAG, Token

from posjobs.liquid.tags.common import line_of

INNER_TAGS = frozenset({"else", "elsif", "when", "catch"})


class UnsupportedTagError(LiquidSyntaxError):
    """A tag posjobs cannot parse; the message names the tag and where it is."""

    def __init__(self, name: str, token: Token, near: list[str]) -> None:
        super().__init__(name, token=token)
        self.name = name
        self.near = near

    @property
    def message(self) -> object:
        where = f"{self.template_name or '<template>'}:{line_of(self.token)}" if self.token else ""
        hint = f" (did you mean {', '.join(repr(n) for n in self.near)}?)" if self.near else ""
        return f"unsupported tag '{self.name}' at {where}: posjobs does not know this tag{hint}"


class UnsupportedTag(Illegal):
    """Replaces python-liquid's handler for tags no registered tag claims."""

    def parse(self, stream: TokenStream) -> IllegalNode:
        token = stream.expect(TOKEN_TAG)
        if stream.peek.kind == TOKEN_EXPRESSION:
            next(stream)
        if not token.value:
            raise LiquidSyntaxError("missing tag name", token=token)
        if token.value.startswith("end") or token.value in INNER_TAGS:
            raise LiquidSyntaxError(f"unexpected tag '{token.value}'", token=token)
        known = [name for name in self.env.tags if name.isidentifier()]
        near = difflib.get_close_matches(token.value, known, n=2, cutoff=0.75)
        raise UnsupportedTagError(token.value, token, near)
