"""`{% theme_render_rc 'product' %}`: `render`, searching the theme paths of app/config.yml.

`theme_search_paths` in app/config.yml lists folders (each may hold Liquid, such as
`theme/{{ context.constants.MY_THEME | default: "custom" }}`); the first `<folder>/<name>` that
exists is rendered, falling back to `<name>` itself. Otherwise it behaves as `render`: the same
`with`/`for`/`as` and arguments, and the same isolated scope.
"""

from __future__ import annotations

import re
from io import StringIO
from typing import Any, TextIO

from liquid import RenderContext
from liquid.builtin.expressions import Identifier, StringLiteral
from liquid.builtin.tags.render_tag import RenderNode, RenderTag
from liquid.exceptions import TemplateNotFoundError

from posjobs.liquid.loader import ProjectLoader
from posjobs.liquid.tags.common import PlatformTagError, project_of, template_name

_PATHS = re.compile(r"^theme_search_paths:[ \t]*\n((?:[ \t]*-[^\n]*\n?)+)", re.MULTILINE)
_ITEM = re.compile(r"^[ \t]*-[ \t]*(.*?)[ \t]*$", re.MULTILINE)


class ThemeRenderNode(RenderNode):
    tag = "theme_render_rc"

    def __str__(self) -> str:
        return super().__str__().replace("{% render", "{% theme_render_rc", 1)

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        if isinstance(self.name, Identifier):
            name = context.resolve(self.name, token=self.token, default=None)
        else:
            name = self.name.value
        if not isinstance(name, str) or not name:
            raise PlatformTagError(
                f"theme_render_rc: the partial name must be a non-empty string, got {name!r}",
                token=self.name.token,
            )
        found = StringLiteral(self.name.token, self._resolve(context, name))
        node = RenderNode(self.token, found, var=self.var, loop=self.loop, alias=self.alias,
                          args=self.args)
        return node.render_to_output(context, buffer)

    def _resolve(self, context: RenderContext, name: str) -> str:
        loader = context.env.loader
        assert isinstance(loader, ProjectLoader)
        searched = [f"{folder.rstrip('/')}/{name}" for folder in search_paths(context)]
        for candidate in [*searched, name]:
            if loader.exists(candidate):
                return candidate
        raise TemplateNotFoundError(
            f"can't find partial {name!r} in the theme search paths "
            f"({', '.join(searched) or 'none set in app/config.yml'})",
            token=self.name.token,
            filename=template_name(context),
        )


def search_paths(context: RenderContext) -> list[str]:
    """app/config.yml's `theme_search_paths`, each rendered as Liquid."""
    config = project_of(context).root / "app" / "config.yml"
    if not config.is_file():
        return []
    try:
        text = config.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise PlatformTagError(f"theme_render_rc: cannot read app/config.yml: {err}",
                               token=None) from None
    rendered = []
    for path in _configured_paths(text):
        template = context.env.from_string(path, path="app/config.yml")
        out = StringIO()
        template.render_with_context(context.copy({}, template=template), out, partial=True,
                                     block_scope=True)
        rendered.append(out.getvalue().strip())
    return [path for path in rendered if path]


def _configured_paths(text: str) -> list[str]:
    import yaml  # only projects that use themes pay for the import

    try:
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError:
        # The platform's own example, `- theme/{{ x | default: "custom" }}`, is not valid
        # YAML (": " inside a plain scalar), so read the list line by line.
        found = _PATHS.search(text)
        return [item.strip() for item in _ITEM.findall(found.group(1))] if found else []
    paths = data.get("theme_search_paths") if isinstance(data, dict) else None
    return [str(path) for path in paths] if isinstance(paths, list) else []


class ThemeRenderTag(RenderTag):
    name = "theme_render_rc"
    node_class = ThemeRenderNode
