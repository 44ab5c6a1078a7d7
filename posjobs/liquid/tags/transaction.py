"""`{% transaction timeout: 5 %} ... {% endtransaction %}`: all or nothing.

posjobs has no database, so what a transaction guards locally is the jobs its `background` tags
enqueue: they are kept only if the block finishes. `{% rollback %}` inside it drops them and
rendering continues after `endtransaction`; an error drops them and propagates. Variables are
not scoped: what the block assigns stays assigned. `timeout` and `force_custom_plan` are
accepted and have no effect.
"""

from __future__ import annotations

from typing import TextIO

from liquid import RenderContext
from liquid.exceptions import LiquidInterrupt, StopRender

from posjobs.liquid.context import run_of
from posjobs.liquid.tags.block import ArgumentsBlockNode, ArgumentsBlockTag
from posjobs.liquid.tags.rollback import Rollback

TAG_TRANSACTION = "transaction"
TAG_ENDTRANSACTION = "endtransaction"


class TransactionNode(ArgumentsBlockNode):
    tag_name = TAG_TRANSACTION

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


class TransactionTag(ArgumentsBlockTag):
    name = TAG_TRANSACTION
    end = TAG_ENDTRANSACTION
    node_class = TransactionNode
