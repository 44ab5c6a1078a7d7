"""Helpers the dialect's tags share: source positions, errors that point at them, and the
project, partials and platform `context` a render works with."""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from typing import Any

from liquid import BoundTemplate, RenderContext, Token, Undefined
from liquid.builtin.expressions.primitive import Blank, Empty
from liquid.exceptions import LiquidError, TemplateNotFoundError

from posjobs.liquid.loader import ProjectLoader
from posjobs.project import Project


class PlatformTagError(LiquidError):
    """A platform tag used wrongly at render time (bad option, unstorable argument...)."""


def line_of(token: Token) -> int:
    return token.source.count("\n", 0, max(token.start_index, 0)) + 1


def template_name(context: RenderContext) -> str:
    template = context.template
    return str(template.path or template.name)


def platform_context(context: RenderContext, tag: str) -> MutableMapping[str, Any]:
    """The platform's `context` object of this render (the page's or the job's), to write to."""
    value = context.resolve("context", default=None)
    if not isinstance(value, MutableMapping):
        raise PlatformTagError(f"{tag}: this render has no platform `context` object", token=None)
    return value


def project_of(context: RenderContext) -> Project:
    """The project whose templates this render reads."""
    loader = context.env.loader
    if not isinstance(loader, ProjectLoader):  # pragma: no cover - every posjobs render has one
        raise PlatformTagError("posjobs tags need a project", token=None)
    return loader.project


def load_partial(context: RenderContext, name: object, token: Token, tag: str) -> BoundTemplate:
    """The partial a tag names, or a not-found error pointing at the name."""
    if not isinstance(name, str) or not name:
        raise PlatformTagError(
            f"{tag}: the partial name must be a non-empty string, got {name!r}", token=token
        )
    try:
        return context.env.get_template(name, context=context, tag=tag)
    except TemplateNotFoundError as err:
        err.token = token
        err.template_name = template_name(context)
        raise


def is_blank(value: object) -> bool:
    """Liquid's `blank`: nil, false, an empty or whitespace string, an empty array or hash."""
    if value is None or value is False or isinstance(value, (Undefined, Blank, Empty)):
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, (list, tuple, Mapping)) and not value
