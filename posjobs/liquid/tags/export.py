"""`{% export a, b, namespace: 'x' %}`: publishes variables as `context.exports.x.a`, `.b`.

Without a namespace (`{% export current_profile %}`, as the platform's user module does) each
variable is published as `context.exports.current_profile`.

`namespace:` is a Liquid expression like every argument: `namespace: 'x'` names it, a bare
word `namespace: x` reads the variable `x` (its string value is the namespace; nil is an
error that says to quote it).

Exports outlive the partial that makes them: they live in the platform `context` object the
whole render (page and partials, or job) shares. Exporting again into a namespace adds to it.
"""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping
from typing import TextIO

from liquid import Node, RenderContext, Tag, Token, TokenStream, Undefined
from liquid.builtin.expressions import KeywordArgument, Path, parse_arguments
from liquid.exceptions import LiquidSyntaxError
from liquid.expression import Expression
from liquid.token import TOKEN_TAG

from posjobs.liquid.tags.common import PlatformTagError, platform_context


class ExportNode(Node):
    __slots__ = ("names", "namespace")

    def __init__(self, token: Token, names: list[Path], namespace: Expression | None) -> None:
        super().__init__(token)
        self.names = names
        self.namespace = namespace
        self.blank = True

    def __str__(self) -> str:
        names = ", ".join(str(name) for name in self.names)
        if self.namespace is None:
            return f"{{% export {names} %}}"
        return f"{{% export {names}, namespace: {self.namespace} %}}"

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        target = _hash_at(platform_context(context, "export"), "exports")
        if self.namespace is not None:
            namespace = self.namespace.evaluate(context)
            if not isinstance(namespace, str) or not namespace:
                raise PlatformTagError(_bad_namespace(self.namespace, namespace),
                                       token=self.namespace.token)
            target = _hash_at(target, namespace)
        for name in self.names:
            target[str(name.head())] = name.evaluate(context)
        return 0

    def expressions(self) -> Iterable[Expression]:
        return [*self.names] if self.namespace is None else [*self.names, self.namespace]


def _bad_namespace(expression: Expression, value: object) -> str:
    """A bare word is a variable, as every Liquid argument is (`namespace: x` reads `x`)."""
    if isinstance(expression, Path):
        return (f"export: namespace: {expression} is a variable, and it is "
                f"{'nil' if value is None or isinstance(value, Undefined) else repr(value)} "
                f"here; to name the namespace {expression}, quote it: namespace: '{expression}'")
    return f"export: namespace must be a non-empty string, got {value!r}"


def _hash_at(hash_: MutableMapping[str, object], key: str) -> MutableMapping[str, object]:
    found = hash_.get(key)
    if not isinstance(found, MutableMapping):
        found = hash_[key] = {}
    return found


class ExportTag(Tag):
    name = "export"
    block = False

    def parse(self, stream: TokenStream) -> Node:
        # python-liquid's convention: leave the stream on the tag's last token.
        token = stream.eat(TOKEN_TAG)
        positional, keywords = parse_arguments(self.env, stream.into_inner(tag=token, eat=False))
        names: list[Path] = []
        for arg in positional:
            if (not isinstance(arg.value, Path) or len(arg.value.path) != 1
                    or not isinstance(arg.value.head(), str)):
                raise LiquidSyntaxError("export: expected variable names", token=arg.token)
            names.append(arg.value)
        namespace = _namespace(keywords)
        if not names:
            raise LiquidSyntaxError("export: expected the variables to export", token=token)
        return ExportNode(token, names, namespace)


def _namespace(keywords: list[KeywordArgument]) -> Expression | None:
    for arg in keywords:
        if arg.name != "namespace":
            raise LiquidSyntaxError(f"export: unknown argument {arg.name!r} "
                                    "(only namespace: is allowed)", token=arg.token)
    return keywords[-1].value if keywords else None
