"""`{% transaction timeout: 5 %} ... {% endtransaction %}`: all or nothing.

What the block writes to the data (records, users, emails in the outbox...) and the jobs its
`background` tags enqueue are kept only if the block finishes: it is a savepoint of the run's
data transaction. `{% rollback %}` inside it undoes them and rendering continues after
`endtransaction`; an error undoes them and propagates. Variables are not scoped: what the
block assigns stays assigned. `timeout` and `force_custom_plan` are accepted and have no
effect.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
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
        run = run_of(context)
        jobs = run.jobs
        committed = len(jobs)
        part: AbstractContextManager[None] = (
            run.data.part() if run.data is not None else nullcontext())
        left: BaseException | None = None
        try:
            with part:
                try:
                    written = self.body.render(context, buffer)
                except (StopRender, LiquidInterrupt) as err:
                    left = err  # leaves the block normally: the part is kept
            if left is not None:
                raise left
            return written
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
