"""`{% transaction timeout: 5 %} ... {% endtransaction %}`: all or nothing.

posjobs has no database, so what a transaction guards locally is the jobs its `background` tags
enqueue: they are kept only if the block finishes. `{% rollback %}` inside it drops them and
rendering continues after `endtransaction`; an error drops them and propagates. Variables are
not scoped: what the block assigns stays assigned. `timeout` and `force_custom_plan` are
accepted and have no effect.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from liquid import BlockNode, Node, RenderContext, Tag, Token, TokenStream
from liquid.builtin.expressions import KeywordArgument
from liquid.exceptions import LiquidInterrupt, StopRender
from liquid.expression import Expression
from liquid.parser import get_parser
from liquid.token import TOKEN_EXPRESSION, TOKEN_TAG

from posjobs.liquid.context import run_of
from posjobs.liquid.tags.rollback import Rollback

TAG_TRANSACTION = "transaction"
TAG_ENDTRANSACTION = "endtransaction"


class TransactionNode(Node):
    __slots__ = ("args", "body")

    def __init__(self, token: Token, args: list[KeywordArgument], body: BlockNode) -> None:
        super().__init__(token)
        self.args = args
        self.body = body
        self.blank = body.blank

    def __str__(self) -> str:
        args = ", ".join(str(arg) for arg in self.args)
        return f"{{% transaction {args} %}}{self.body}{{% endtransaction %}}"

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        for arg in self.args:
            arg.evaluate(context)  # evaluated for their errors; nothing to time out locally
        jobs = run_of(context).jobs
        committed = len(jobs)
        try:
            return self.body.render(context, buffer)
        except Rollback:
            del jobs[committed:]
            return 0
        except (StopRender, LiquidInterrupt):
            raise  # `return` or `break` leaves the block normally: the transaction commits
        except BaseException:
            del jobs[committed:]
            raise

    def children(
        self, static_context: RenderContext, *, include_partials: bool = True
    ) -> Iterable[Node]:
        return [self.body]

    def expressions(self) -> Iterable[Expression]:
        return [arg.value for arg in self.args]


class TransactionTag(Tag):
    name = TAG_TRANSACTION
    end = TAG_ENDTRANSACTION

    def parse(self, stream: TokenStream) -> Node:
        # python-liquid's convention: leave the stream on the tag's last token.
        token = stream.eat(TOKEN_TAG)
        args: list[KeywordArgument] = []
        if stream.current.kind == TOKEN_EXPRESSION:
            args = KeywordArgument.parse(self.env, stream.into_inner(tag=token))
        body = get_parser(self.env).parse_block(stream, (TAG_ENDTRANSACTION,))
        stream.expect(TOKEN_TAG, value=TAG_ENDTRANSACTION)
        return TransactionNode(token, args, body)
