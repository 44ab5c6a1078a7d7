"""Walking parsed templates: every node in order, its filters, partials, literals and the names
it binds.

With jobscope.py, the only code outside `posjobs.liquid` that reads python-liquid's syntax tree
(nodes, expressions, `children()`, `block_scope()`, `template_scope()`, `partial_scope()`),
read-only: static analysis needs the tree itself, and python-liquid's `analyze()` neither
knows the platform's tags that bind names (function, graphql, parse_json...) nor follows
partials the platform's way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from liquid import BoundTemplate, Node, RenderContext, Token
from liquid.builtin.expressions.filtered import (
    Filter,
    FilteredExpression,
    TernaryFilteredExpression,
)
from liquid.builtin.expressions.path import Path
from liquid.builtin.expressions.primitive import (
    Blank,
    Empty,
    FalseLiteral,
    FloatLiteral,
    IntegerLiteral,
    Nil,
    RangeLiteral,
    StringLiteral,
    TrueLiteral,
)
from liquid.builtin.tags.assign_tag import AssignNode
from liquid.builtin.tags.include_tag import IncludeNode
from liquid.builtin.tags.render_tag import RenderNode
from liquid.expression import Expression

from posjobs.liquid.tags.assign import KeyAssignNode
from posjobs.liquid.tags.background import BackgroundNode
from posjobs.liquid.tags.execute_query import ExecuteQueryNode
from posjobs.liquid.tags.form import FormNode
from posjobs.liquid.tags.function import FunctionNode
from posjobs.liquid.tags.parse_json import ParseJsonNode
from posjobs.liquid.tags.theme_render import ThemeRenderNode
from posjobs.liquid.tags.try_ import TryNode

# Loop objects: drops, not data; a job cannot store them.
LOOP_OBJECTS = frozenset({"forloop", "tablerowloop"})


@dataclass(frozen=True)
class Spot:
    """A place in a template: project-relative path, 1-based line and column."""

    path: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


def spot(path: str, token: Token) -> Spot:
    source, index = token.source, max(token.start_index, 0)
    line_start = source.rfind("\n", 0, index) + 1
    return Spot(path, source.count("\n", 0, index) + 1, index - line_start + 1)


@dataclass
class Parsed:
    """A template file parsed once: its project-relative name and syntax tree."""

    name: str
    template: BoundTemplate
    _static: RenderContext | None = None

    @property
    def static_context(self) -> RenderContext:
        if self._static is None:
            self._static = RenderContext(self.template)
        return self._static


PartialLookup = Callable[[str], "Parsed | None"]


# --- nodes and expressions ----------------------------------------------------------------------
def children(node: Node, parsed: Parsed) -> Iterable[Node]:
    return node.children(parsed.static_context, include_partials=False)


Placed = tuple[Node, tuple[BackgroundNode, ...]]


def walk(parsed: Parsed) -> Iterator[Placed]:
    """Every node in document order, with the inline background tags it is written inside."""
    for node in parsed.template.nodes:
        yield from _walk(node, (), parsed)


def _walk(node: Node, inside: tuple[BackgroundNode, ...], parsed: Parsed) -> Iterator[Placed]:
    yield node, inside
    if isinstance(node, BackgroundNode) and node.body is not None:
        inside = (*inside, node)
    for child in children(node, parsed):
        yield from _walk(child, inside, parsed)


def expressions_of(node: Node) -> list[Expression]:
    return list(node.expressions())


def filters_of(node: Node) -> Iterator[Filter]:
    """Every filter a node applies, in its expressions and (graphql) after them."""

    def of(expr: Expression) -> Iterator[Filter]:
        if isinstance(expr, (FilteredExpression, TernaryFilteredExpression)):
            yield from expr.filters or ()
        if isinstance(expr, TernaryFilteredExpression):
            yield from expr.tail_filters or ()
        for child in expr.children():
            yield from of(child)

    for expr in expressions_of(node):
        yield from of(expr)
    extra = getattr(node, "filters", None)  # graphql's filters are not among its expressions
    if isinstance(extra, list):
        yield from (f for f in extra if isinstance(f, Filter))


def partial_reference(node: Node) -> tuple[str, object] | None:
    """The tag and the expression naming the partial it loads, for include, render, function
    and background. (theme_render_rc searches theme paths; it is not followed.)"""
    if isinstance(node, ThemeRenderNode):
        return None
    if isinstance(node, (IncludeNode, RenderNode)):
        return node.token.value, node.name
    if isinstance(node, (FunctionNode, BackgroundNode)) and node.partial is not None:
        return node.token.value, node.partial
    return None


def literal_name(expr: object) -> str | None:
    return expr.value if isinstance(expr, StringLiteral) else None


NO_VALUE = object()  # what `literal_value` gives for an expression that is not a literal


def literal_value(expr: object) -> object:
    """The value of a literal (`'x'`, `-1`, `2.5`, `true`, `nil`), else `NO_VALUE`."""
    if isinstance(expr, FilteredExpression) and not expr.filters:
        return literal_value(expr.left)
    if isinstance(expr, (StringLiteral, IntegerLiteral, FloatLiteral, TrueLiteral, FalseLiteral)):
        return expr.value
    if isinstance(expr, Nil):
        return None
    return NO_VALUE


def unstorable_kind(expr: object) -> str | None:
    """What makes a value expression unstorable in a job's JSON arguments, if anything."""
    if isinstance(expr, FilteredExpression) and not expr.filters:
        return unstorable_kind(expr.left)
    if isinstance(expr, RangeLiteral):
        return f"the range {expr}"
    if isinstance(expr, Empty):
        return "`empty`"
    if isinstance(expr, Blank):
        return "`blank`"
    if isinstance(expr, Path) and len(expr.path) == 1 and expr.path[0] in LOOP_OBJECTS:
        return f"`{expr.path[0]}`"
    return None


def single_name(expr: object) -> str | None:
    """`x` for a plain variable reference, else None."""
    if isinstance(expr, FilteredExpression) and not expr.filters:
        return single_name(expr.left)
    if isinstance(expr, Path) and len(expr.path) == 1 and isinstance(expr.path[0], str):
        return expr.path[0]
    return None


def literal_assignment(node: Node) -> tuple[str, Expression] | None:
    """`('d', -1)` for `{% assign d = -1 %}` (or a range, `empty`, `blank`), else None."""
    if isinstance(node, AssignNode) and not isinstance(node, KeyAssignNode):
        expr = node.expression
        if literal_value(expr) is not NO_VALUE or unstorable_kind(expr) is not None:
            return str(node.name), expr
    return None


def bound_names(node: Node) -> list[str]:
    """Names a node assigns in its template's scope (standard tags and the platform's)."""
    names = [str(name) for name in node.template_scope()]
    target = getattr(node, "target", None)  # function, graphql, hash_assign
    head = getattr(getattr(target, "path", None), "head", None)
    if callable(head) and isinstance(head(), str):
        names.append(head())
    if isinstance(node, ExecuteQueryNode):
        result = next((a.value for a in node.args if a.name == "result_name"), None)
        names.append(literal_name(result) or "g")
    elif isinstance(node, BackgroundNode):
        if node.variable and node.variable != "_":
            names.append(node.variable)
    elif isinstance(node, (ParseJsonNode, TryNode)) and node.name:
        names.append(str(node.name))  # parse_json's variable; try's `catch err`
    return names


def block_names(node: Node) -> list[str]:
    names = [str(name) for name in node.block_scope()]
    if isinstance(node, FormNode):
        names.append("form_builder")
    return names
