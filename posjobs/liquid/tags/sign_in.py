"""`{% sign_in user_id: id, timeout_in_minutes: 15 %}`: signs a user in for the request.

With the data layer, the user must exist in it; the run's data session then holds them as
the signed-in user (`RenderResult.user_id`, the `current_user` query). The user id (and
timeout, which posjobs does not enforce) are also recorded in the run's `response["sign_in"]`.
Like `session`, it fails in a background job, which has no request.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from liquid import Node, RenderContext, Tag, Token, TokenStream
from liquid.builtin.expressions import KeywordArgument
from liquid.expression import Expression
from liquid.token import TOKEN_TAG

from posjobs.data.session import DataSession
from posjobs.liquid.context import run_of
from posjobs.liquid.tags.common import PlatformTagError
from posjobs.liquid.tags.session import require_request
from posjobs.liquid.values import to_storable


class SignInNode(Node):
    __slots__ = ("args",)

    def __init__(self, token: Token, args: list[KeywordArgument]) -> None:
        super().__init__(token)
        self.args = args
        self.blank = True

    def __str__(self) -> str:
        return f"{{% sign_in {', '.join(str(arg) for arg in self.args)} %}}"

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        require_request(context, "sign_in", self.token)
        options = dict(arg.evaluate(context) for arg in self.args)
        user_id = options.get("user_id")
        if user_id is None or str(user_id).strip() == "":
            raise PlatformTagError("sign_in: user_id is required", token=self.token)
        timeout = options.get("timeout_in_minutes")
        run = run_of(context)
        if run.data is not None:
            run.data.sign_in(self._existing_user(run.data, user_id))
        run.response["sign_in"] = {
            "user_id": str(user_id),
            "timeout_in_minutes": to_storable(timeout, "timeout_in_minutes"),
        }
        return 0

    def _existing_user(self, data: DataSession, user_id: object) -> int:
        text = str(user_id).strip()
        if not text.isdigit() or data.store.get_user(int(text)) is None:
            raise PlatformTagError(f"sign_in: user {text!r} does not exist", token=self.token)
        return int(text)

    def expressions(self) -> Iterable[Expression]:
        return [arg.value for arg in self.args]


class SignInTag(Tag):
    name = "sign_in"
    block = False

    def parse(self, stream: TokenStream) -> Node:
        # python-liquid's convention: leave the stream on the tag's last token.
        token = stream.eat(TOKEN_TAG)
        return SignInNode(token, KeywordArgument.parse(self.env, stream.into_inner(tag=token,
                                                                                  eat=False)))


class SignInRcTag(SignInTag):
    """The deprecated alias of `sign_in`."""

    name = "sign_in_rc"
