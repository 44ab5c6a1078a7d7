"""`{% include_form 'signup_form', id: user.id %}`: renders a form configuration.

The form configuration is found as the platform finds it: by the `name:` in its front
matter, else by its path (`app/forms/<name>.liquid`), under `forms/` or the legacy
`form_configurations/`, the app's or a module's. Its front matter is read, never rendered;
its body renders in its own scope with the arguments, `form_name` and `form` (the arguments
and the front matter), typically through `{% form %}`. A configuration without a body
renders an empty `{% form %}`. `render_form` is the deprecated alias.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from liquid import Node, RenderContext, Tag, Token, TokenStream
from liquid.builtin.expressions import KeywordArgument, parse_primitive
from liquid.exceptions import TemplateNotFoundError
from liquid.expression import Expression
from liquid.token import TOKEN_TAG
from liquid.utils import ReadOnlyChainMap

from posjobs.errors import TemplateError
from posjobs.liquid.context import without_front_matter
from posjobs.liquid.tags.common import PlatformTagError, project_of, template_name

EMPTY_FORM = "{% form %}{% endform %}"


class IncludeFormNode(Node):
    __slots__ = ("args", "form")

    def __init__(self, token: Token, form: Expression, args: list[KeywordArgument]) -> None:
        super().__init__(token)
        self.form = form
        self.args = args
        self.blank = False

    def __str__(self) -> str:
        args = "".join(f", {arg}" for arg in self.args)
        return f"{{% {self.token.value} {self.form}{args} %}}"

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        name = self.form.evaluate(context)
        if not isinstance(name, str) or not name:
            raise PlatformTagError(
                f"{self.token.value}: the form name must be a non-empty string, got {name!r}",
                token=self.form.token,
            )
        project = project_of(context)
        path = project.find_form(name)
        if path is None:
            raise TemplateNotFoundError(
                f"form {name!r} not found (looked for a form whose front matter says "
                f"`name: {name}`, and for {name}.liquid, in app/forms/, "
                "app/form_configurations/ and the modules' forms/ and form_configurations/)",
                token=self.form.token, filename=template_name(context),
            )
        try:
            file = project.read(path)
        except TemplateError as err:
            raise PlatformTagError(f"{self.token.value}: {err}", token=self.form.token) from None
        source = file.source if file.source.strip() else EMPTY_FORM
        template = without_front_matter(
            context.env.from_string(source, name=Path(file.name).name, path=file.name),
            file.matter_lines if source is file.source else 0)
        args = {arg.name: arg.value.evaluate(context) for arg in self.args}
        scope = {**args, "form_name": name, "form": {**file.matter, **args}}
        inner = context.copy(ReadOnlyChainMap(scope), carry_loop_iterations=True,
                             template=template)
        template.render_with_context(inner, buffer, partial=True, block_scope=True)
        return 1

    def expressions(self) -> Iterable[Expression]:
        return [self.form, *(arg.value for arg in self.args)]


class IncludeFormTag(Tag):
    name = "include_form"
    block = False

    def parse(self, stream: TokenStream) -> Node:
        # python-liquid's convention: leave the stream on the tag's last token.
        token = stream.eat(TOKEN_TAG)
        tokens = stream.into_inner(tag=token, eat=False)
        form = parse_primitive(self.env, tokens)
        return IncludeFormNode(token, form, KeywordArgument.parse(self.env, tokens))


class RenderFormTag(IncludeFormTag):
    """The deprecated alias of `include_form`."""

    name = "render_form"
