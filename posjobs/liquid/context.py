"""The render context and template classes that carry posjobs' run state through partials."""

from __future__ import annotations

from io import StringIO
from typing import Any, TextIO

from liquid import BoundTemplate, RenderContext, Token
from liquid.builtin.content import ContentNode
from liquid.exceptions import LiquidError, LiquidInterrupt, StopRender
from liquid.output import LimitedStringIO
from liquid.undefined import UNDEFINED

from posjobs.errors import StoreError
from posjobs.liquid.literals import PlatformLiteral
from posjobs.liquid.run import RunState


class OutputBuffer(LimitedStringIO):
    """python-liquid's size-limited output, keeping `\r` and `\r\n` as written (its own
    buffer translates them to `\n`, which changes CSV and email bodies)."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit=limit, newline="")


def output_buffer(limit: int | None) -> StringIO:
    return OutputBuffer(limit) if limit else StringIO(newline="")


def without_front_matter(template: BoundTemplate, lines: int) -> BoundTemplate:
    """`template` without the empty lines that stand for its front matter in the output: they
    keep line numbers right, but the platform prints nothing for front matter."""
    if lines and template.nodes and isinstance(template.nodes[0], ContentNode):
        first = template.nodes[0]
        padding = len(first.text) - len(first.text.lstrip("\n"))
        first.text = first.text[min(padding, lines):]
    return template


class PosContext(RenderContext):
    """A render context that knows the run it belongs to (copied into `render` partials)."""

    __slots__ = ("run",)

    def __init__(self, *args: Any, run: RunState | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.run = run

    def copy(self, *args: Any, **kwargs: Any) -> RenderContext:
        ctx = super().copy(*args, **kwargs)
        assert isinstance(ctx, PosContext)
        ctx.run = self.run
        return ctx

    def get_buffer(self, buf: TextIO | None = None) -> StringIO:
        """A buffer for captured output (`capture`, blocks), keeping line endings."""
        limit = self.env.output_stream_limit
        if limit is None:
            return StringIO(newline="")
        carry = buf.size if isinstance(buf, LimitedStringIO) else 0
        return OutputBuffer(limit - carry)

    def get_item(self, obj: Any, key: Any) -> Any:
        """python-liquid's lookup, with Ruby's `Integer#size` (8) for `{{ n.size }}`."""
        if key == "size" and isinstance(obj, int) and not isinstance(obj, bool):
            return 8
        return super().get_item(obj, key)

    def get(self, path: list[object], *, token: Token | None, default: object = UNDEFINED
            ) -> object:
        """A path's value; a path whose root is a hash or array literal (literals.py) starts
        from the literal's value."""
        if not path or not isinstance(path[0], PlatformLiteral):
            return super().get(path, token=token, default=default)
        value = path[0].evaluate(self)
        for segment in path[1:]:
            try:
                value = self.get_item(value, segment)
            except (KeyError, TypeError, IndexError):
                if default is UNDEFINED:
                    return self.env.undefined(str(path[0]), hint=f"{segment!r} is undefined",
                                              token=token)
                return default
        return value


def run_of(context: RenderContext) -> RunState:
    run = getattr(context, "run", None)
    if run is None:  # pragma: no cover - every posjobs render sets it
        raise LiquidError("posjobs tags need a posjobs render", token=None)
    return run


class InternalError(LiquidError):
    """A Python exception escaping a tag or filter, located at the node that raised it."""


class PosTemplate(BoundTemplate):
    """A template whose errors always name the template they happened in."""

    context_class = PosContext

    def _get_buffer(self) -> StringIO:
        return output_buffer(self.env.output_stream_limit)

    def render_with_context(
        self,
        context: RenderContext,
        buffer: TextIO,
        *args: Any,
        partial: bool = False,
        block_scope: bool = False,
        **kwargs: Any,
    ) -> None:
        namespace = self.make_partial_namespace(partial, dict(*args, **kwargs))
        with context.extend(namespace=namespace):
            for node in self.nodes:
                try:
                    node.render(context, buffer)
                except LiquidInterrupt:
                    if partial and not block_scope:
                        raise  # an `include`: the caller's loop breaks, as in Ruby Liquid
                    # Ruby Liquid: `break` outside a loop ends the template; platform
                    # helpers rely on it (`include 'modules/core/helpers/redirect_to'`).
                    break
                except StopRender:
                    break
                except LiquidError as err:
                    if not err.token:
                        err.token = node.token
                    raise self._named(err) from None
                except RecursionError:
                    raise self._named(
                        InternalError("maximum recursion depth reached", token=node.token)
                    ) from None
                except (StoreError, MemoryError):
                    # Not the template's fault: the store failed (its own error and exit
                    # code), or the attempt went over its memory limit (it reports that).
                    raise
                except Exception as err:  # a bug in a tag or filter, never a user's traceback
                    raise self._named(
                        InternalError(f"{type(err).__name__}: {err}", token=node.token)
                    ) from err

    def _named(self, err: LiquidError) -> LiquidError:
        if not err.template_name:
            err.template_name = str(self.path or self.name)
        return err
