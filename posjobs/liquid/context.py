"""The render context and template classes that carry posjobs' run state through partials."""

from __future__ import annotations

from typing import Any, TextIO

from liquid import BoundTemplate, RenderContext, Token
from liquid.exceptions import LiquidError, LiquidInterrupt, StopRender
from liquid.undefined import UNDEFINED

from posjobs.errors import StoreError
from posjobs.liquid.literals import PlatformLiteral
from posjobs.liquid.run import RunState


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
                    raise  # not the template's fault: the attempt reports these itself
                except Exception as err:  # a bug in a tag or filter, never a user's traceback
                    raise self._named(
                        InternalError(f"{type(err).__name__}: {err}", token=node.token)
                    ) from err

    def _named(self, err: LiquidError) -> LiquidError:
        if not err.template_name:
            err.template_name = str(self.path or self.name)
        return err
