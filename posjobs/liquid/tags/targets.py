"""Where a tag stores its result: `name`, `h["a"][key].b` or `list <<`.

`function`, `graphql` and `hash_assign` write to targets like these:
    {% function data["foo"]["bar"] = 'partials/compute' %}
    {% function items << 'partials/fetch_item', id: 1 %}
    {% hash_assign my_hash["a"]["e"] = "x" %}
Missing hashes along the way are created; `<<` appends to an array (created when missing; a
variable holding a JSON array string, as `x | default: "[]"` gives, becomes that array).
"""

from __future__ import annotations

import re
from collections.abc import MutableMapping, MutableSequence

from liquid import Environment, RenderContext, Token, TokenStream, Undefined
from liquid.builtin.expressions import Path
from liquid.exceptions import LiquidSyntaxError
from liquid.token import TOKEN_EOF, TOKEN_EXPRESSION

from posjobs.liquid.compat import tokenize
from posjobs.liquid.literals import append_to
from posjobs.liquid.tags.common import PlatformTagError

# `<<` is no Liquid operator, so the target is split off before the rest is tokenized.
_TARGET = re.compile(
    r"\s*(?P<target>[\w-]+(?:\s*(?:\.\s*[\w-]+\??|\[[^\]]*\]))*)\s*(?P<op><<|=(?!=))"
)


class Target:
    """A variable, a key or index inside one, or an array to append to."""

    __slots__ = ("append", "path")

    def __init__(self, path: Path, *, append: bool = False) -> None:
        self.path = path
        self.append = append

    def __str__(self) -> str:
        return f"{self.path} {'<<' if self.append else '='}"

    @property
    def token(self) -> Token:
        return self.path.token

    def assign(self, context: RenderContext, value: object) -> None:
        """Store `value` at this target, creating missing hashes on the way."""
        root, *keys = [s.evaluate(context) if isinstance(s, Path) else s for s in self.path.path]
        if not isinstance(root, str):  # pragma: no cover - Path.parse starts with a word
            raise PlatformTagError(f"cannot assign to {self.path}", token=self.token)
        if not keys:
            if self.append:  # nil starts an array; a string may hold a JSON one
                value = append_to(context.resolve(root, default=None), value, self.token,
                                  str(self.path))
            context.assign(root, value)
            return
        container = context.resolve(root, default=None)
        if container is None or isinstance(container, Undefined):
            container = [] if self.append and not keys else {}
            context.assign(root, container)
        if self.append:
            for i, key in enumerate(keys):
                container = self._step(container, key, array=i == len(keys) - 1)
            if not isinstance(container, MutableSequence):
                raise PlatformTagError(
                    f"cannot append to {self.path}: it is a {_kind(container)}, not an array",
                    token=self.token,
                )
            container.append(value)
            return
        *walk, last = keys
        for key in walk:
            container = self._step(container, key)
        self._set(container, last, value)

    def _step(self, container: object, key: object, *, array: bool = False) -> object:
        """The value at `key`, made an empty hash (or array, to append to) when missing."""
        if isinstance(container, MutableMapping):
            found = container.get(key)
            if found is None:
                found = container[key] = [] if array else {}
            return found
        if isinstance(container, MutableSequence) and isinstance(key, int):
            try:
                return container[key]
            except IndexError:
                pass
        raise PlatformTagError(
            f"cannot read {key!r} of {self.path}: it is a {_kind(container)}", token=self.token
        )

    def _set(self, container: object, key: object, value: object) -> None:
        if isinstance(container, MutableMapping):
            container[key] = value
            return
        if isinstance(container, MutableSequence) and isinstance(key, int):
            try:
                container[key] = value
                return
            except IndexError:
                pass
        raise PlatformTagError(
            f"cannot set {key!r} in {self.path}: it is a {_kind(container)}", token=self.token
        )


def split_target(
    env: Environment, expression: Token, tag: str, *, append: bool = True
) -> tuple[Target, Token] | None:
    """The target before `=` (or `<<`) and the expression after it; None without one."""
    match = _TARGET.match(expression.value)
    if match is None:
        return None
    if match.group("op") == "<<" and not append:
        raise LiquidSyntaxError(f"{tag}: expected '=', found '<<'", token=expression)
    start = expression.start_index + match.start("target")
    text = match.group("target")
    tokens = TokenStream(tokenize(text, Token(TOKEN_EXPRESSION, text, start, expression.source)))
    path = Path.parse(env, tokens)
    if tokens.current.kind != TOKEN_EOF:
        raise LiquidSyntaxError(f"{tag}: unexpected {tokens.current.value!r}",
                                token=tokens.current)
    rest = Token(TOKEN_EXPRESSION, expression.value[match.end():],
                 expression.start_index + match.end(), expression.source)
    return Target(path, append=match.group("op") == "<<"), rest


def _kind(value: object) -> str:
    if isinstance(value, MutableMapping):
        return "hash"
    if isinstance(value, MutableSequence):
        return "array"
    if value is None or isinstance(value, Undefined):
        return "nil"
    return type(value).__name__
