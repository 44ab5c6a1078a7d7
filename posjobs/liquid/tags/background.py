"""`{% background %}`: defers a partial or an inline body to a job.

Partial form:  {% background job_id = 'commands/sync', delay: 0.5, priority: 'high', id: x %}
Inline form:   {% background source_name: 'x', user_id: user.id %} ... {% endbackground %}

The tag prints nothing. The inline body is kept as Liquid source and rendered only when the
job runs; its parse errors are still reported when the page is parsed.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import TextIO

from liquid import BlockNode, Node, RenderContext, Tag, Token, TokenStream
from liquid.builtin.expressions import KeywordArgument, parse_primitive
from liquid.expression import Expression
from liquid.parser import get_parser
from liquid.token import TOKEN_ASSIGN, TOKEN_EXPRESSION, TOKEN_TAG, TOKEN_WORD

from posjobs.jobs.model import NewJob
from posjobs.jobs.options import OPTION_NAMES, OptionError, parse_options
from posjobs.liquid.context import run_of
from posjobs.liquid.loader import ProjectLoader
from posjobs.liquid.tags.common import PlatformTagError, line_of, template_name
from posjobs.liquid.values import UnstorableValue, to_storable

TAG_BACKGROUND = "background"
TAG_ENDBACKGROUND = "endbackground"


class BackgroundNode(Node):
    __slots__ = ("args", "body", "body_column", "body_line", "body_source", "partial", "variable")

    def __init__(
        self,
        token: Token,
        *,
        variable: str | None = None,
        partial: Expression | None = None,
        args: list[KeywordArgument],
        body: BlockNode | None = None,
        body_source: str | None = None,
        body_line: int = 1,
        body_column: int = 0,
    ) -> None:
        super().__init__(token)
        self.variable = variable
        self.partial = partial
        self.args = args
        self.body = body
        self.body_source = body_source
        self.body_line = body_line
        self.body_column = body_column
        self.blank = True

    def __str__(self) -> str:
        args = ", ".join(str(a) for a in self.args)
        if self.partial is not None:
            return f"{{% background {self.variable} = {self.partial}, {args} %}}"
        return f"{{% background {args} %}}{self.body_source}{{% endbackground %}}"

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        run = run_of(context)
        here = template_name(context)
        raw_options: dict[str, object] = {}
        arguments: dict[str, object] = {}
        for arg in self.args:
            name, value = arg.evaluate(context)
            if name in OPTION_NAMES:
                raw_options[name] = value
            else:
                arguments[name] = self._storable(value, f"argument {name!r}", arg.token)
        try:
            options = parse_options(raw_options)
        except OptionError as err:
            raise PlatformTagError(f"background: {err}", token=self.token) from None

        partial: str | None = None
        if self.partial is not None:
            value = self.partial.evaluate(context)
            if not isinstance(value, str) or not value:
                raise PlatformTagError(
                    f"background: the partial name must be a non-empty string, got {value!r}",
                    token=self.partial.token,
                )
            partial = value
            loader = context.env.loader
            if isinstance(loader, ProjectLoader) and not loader.exists(partial):
                raise PlatformTagError(
                    f"background: partial {partial!r} not found", token=self.partial.token
                )

        line = line_of(self.token)
        for warning in options.warnings:
            run.log("warning", f"background: {warning}", here, line)
        job_id = run.reserve_id()
        parent = run.job
        run.jobs.append(
            NewJob(
                id=job_id,
                source_name=options.source_name or default_source_name(partial, here, line),
                priority=options.priority,
                run_at=run.clock.now() + options.delay * 60.0,
                max_attempts=options.max_attempts,
                arguments=arguments,
                partial=partial,
                body=self.body_source if partial is None else None,
                template=here,
                line=line,
                column=self.body_column if partial is None else 0,
                body_line=self.body_line if partial is None else line,
                delay=options.delay,
                context=run.job_context,  # shared by the run's jobs, never changed in place
                parent_job_id=parent.id if parent else None,
                run_id=run.run_id,
            )
        )
        if self.variable and self.variable != "_":
            context.assign(self.variable, job_id)
        return 0

    def _storable(self, value: object, where: str, token: Token) -> object:
        try:
            return to_storable(value, where)
        except UnstorableValue as err:
            raise PlatformTagError(f"background: {err}", token=token) from None

    def children(
        self, static_context: RenderContext, *, include_partials: bool = True
    ) -> list[Node]:
        return [self.body] if self.body is not None else []

    def expressions(self) -> list[Expression]:
        found = [self.partial] if self.partial is not None else []
        return found + [arg.value for arg in self.args]


def default_source_name(partial: str | None, template: str, line: int) -> str:
    """A stable, readable label: the partial's name, or where the inline job is written."""
    if partial is not None:
        return partial
    path = PurePosixPath(template)
    stem = path.name.split(".", 1)[0]
    return f"{path.parent / stem}:{line}".removeprefix("app/views/")


class BackgroundTag(Tag):
    name = TAG_BACKGROUND
    end = TAG_ENDBACKGROUND
    block = True

    def parse(self, stream: TokenStream) -> Node:
        # python-liquid's convention: leave the stream on the tag's last token.
        token = stream.eat(TOKEN_TAG)
        if stream.current.kind != TOKEN_EXPRESSION:
            return self._inline(token, None, [], stream)
        expression = stream.current
        tokens = stream.into_inner(tag=token, eat=False)
        if tokens.current.kind == TOKEN_WORD and tokens.peek.kind == TOKEN_ASSIGN:
            variable = tokens.current.value
            next(tokens)
            next(tokens)
            partial = parse_primitive(self.env, tokens)
            args = KeywordArgument.parse(self.env, tokens)
            return BackgroundNode(token, variable=variable, partial=partial, args=args)
        args = KeywordArgument.parse(self.env, tokens)
        next(stream)
        return self._inline(token, expression, args, stream)

    def _inline(
        self,
        token: Token,
        expression: Token | None,
        args: list[KeywordArgument],
        stream: TokenStream,
    ) -> Node:
        body = get_parser(self.env).parse_block(stream, (TAG_ENDBACKGROUND,))
        end = stream.expect(TOKEN_TAG, value=TAG_ENDBACKGROUND)
        source, start, wrapped = _body_source(token, expression, end)
        return BackgroundNode(
            token,
            args=args,
            body=body,
            body_source=source,
            # The stored body is parsed again when the job runs; these put its errors and
            # log entries on the lines of the template it was written in.
            body_line=token.source.count("\n", 0, start) + 1 - wrapped,
            body_column=0 if wrapped else start - (token.source.rfind("\n", 0, start) + 1),
        )


def _body_source(tag: Token, expression: Token | None, end: Token) -> tuple[str, int, int]:
    """The inline body's text, where it starts in the template source, and how many lines
    were added in front of it."""
    source = tag.source
    after_tag = (expression.start_index + len(expression.value)) if expression else (
        tag.start_index + len(tag.value)
    )
    in_liquid_tag = not source[: tag.start_index].rstrip(" \t").endswith(("{%", "{%-"))
    if in_liquid_tag:
        # Inside {% liquid %} the body is the lines between the tag's line and endbackground.
        start = source.find("\n", after_tag) + 1
        stop = source.rfind("\n", 0, end.start_index) + 1
        return "{% liquid\n" + source[start:stop] + "%}", start, 1
    start = source.find("%}", after_tag) + 2
    stop = source.rfind("{%", 0, end.start_index)
    return source[start:stop], start, 0
