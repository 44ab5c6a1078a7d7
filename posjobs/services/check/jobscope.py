"""What a background job's code reads and does, followed into the partials it runs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from liquid import Node
from liquid.builtin.expressions.path import Path
from liquid.builtin.tags.include_tag import IncludeNode
from liquid.expression import Expression

from posjobs.jobs.options import OPTION_NAMES
from posjobs.liquid.tags.background import BackgroundNode
from posjobs.liquid.tags.session import SessionNode
from posjobs.liquid.tags.sign_in import SignInNode
from posjobs.services.check.walker import (
    Parsed,
    PartialLookup,
    Spot,
    block_names,
    bound_names,
    children,
    expressions_of,
    literal_name,
    partial_reference,
    spot,
)

# The only name a job has besides its arguments (the platform's restricted `context`).
JOB_GLOBALS = frozenset({"context"})
# What a page's `context` has and a job's does not (DESIGN: no request, no page, no device).
# Constants too: tags.json says a job gets them only when the tag passes them.
REQUEST_CONTEXT_KEYS = frozenset(
    {"params", "session", "current_user", "headers", "cookies", "page", "device", "is_xhr",
     "constants"}
)
# Parts of the job's `context.location` that hold the request's query (empty in a job).
REQUEST_LOCATION_KEYS = frozenset({"search"})
# Request data as bare names (older platform code reads them without `context.`).
REQUEST_NAMES = frozenset({"params", "session", "current_user"})
REQUEST_TAGS = (SessionNode, SignInNode)


@dataclass(frozen=True)
class Use:
    """A name read (or a request-only tag used) at a spot."""

    name: str
    spot: Spot


@dataclass
class JobReach:
    """What a job's code does, its partials included."""

    unpassed: list[Use] = field(default_factory=list)  # read, never bound (inline body only)
    request_data: list[Use] = field(default_factory=list)
    request_tags: list[Use] = field(default_factory=list)
    used: set[str] = field(default_factory=set)  # names read in the job's own scope
    # False when the job's own scope reaches code that cannot be read (an include by a
    # variable name, or of a missing or broken partial): some reads may be missing.
    complete: bool = True


class _Scope:
    """Names bound while walking: a stack of block scopes over one template scope."""

    def __init__(self, names: Iterable[str]) -> None:
        self.stack: list[set[str]] = [set(names)]

    def __contains__(self, name: object) -> bool:
        return any(name in names for names in self.stack)

    def push(self, names: Iterable[str]) -> None:
        self.stack.append(set(names))

    def pop(self) -> None:
        self.stack.pop()

    def bind(self, name: str) -> None:
        self.stack[0].add(name)


Call = tuple[str, frozenset[str]]  # a render/function partial and the names it is given


@dataclass
class _Summary:
    """What one render/function partial does on its own: the same for every caller."""

    request_data: list[Use]
    request_tags: list[Use]
    calls: list[Call]


class JobWalker:
    """Walks one job's code: an inline body, or a partial, and the partials they load.

    `include` shares the job's scope and is walked where it stands. `render` and `function`
    give the partial its own scope (only their arguments and `context`), so what such a
    partial does is summarised once per project and argument names, and a job collects the
    summaries it reaches (each once: cycles end there). Background tags inside job code
    enqueue other jobs: their arguments are read here, their bodies and partials are not.
    """

    def __init__(self, partial: PartialLookup) -> None:
        self._partial = partial
        self._summaries: dict[Call, _Summary | None] = {}

    def inline(self, node: BackgroundNode, parsed: Parsed) -> JobReach:
        reach = JobReach()
        # Options (delay, priority...) configure the job; they are not variables in it.
        scope = _Scope(JOB_GLOBALS | {a.name for a in node.args if a.name not in OPTION_NAMES})
        assert node.body is not None
        walk_ = _Walk(self._partial, reach)
        walk_.block(node.body, parsed, scope, own=True, top=True)
        self._collect(reach, walk_.calls)
        return reach

    def partial(self, root: Parsed, arguments: Iterable[str]) -> JobReach:
        reach = JobReach()
        walk_ = _Walk(self._partial, reach)
        walk_.seen.add(root.name)
        scope = _Scope(JOB_GLOBALS | set(arguments))
        for node in root.template.nodes:
            walk_.node(node, root, scope, own=True, top=False)
        self._collect(reach, walk_.calls)
        return reach

    def _collect(self, reach: JobReach, calls: list[Call]) -> None:
        seen: set[Call] = set()
        todo = list(calls)
        while todo:
            call = todo.pop()
            if call in seen:
                continue
            seen.add(call)
            summary = self._summary(call)
            if summary is not None:
                reach.request_data += summary.request_data
                reach.request_tags += summary.request_tags
                todo += summary.calls

    def _summary(self, call: Call) -> _Summary | None:
        if call not in self._summaries:
            target = self._partial(call[0])
            summary = None
            if target is not None:
                inner = JobReach()
                walk_ = _Walk(self._partial, inner)
                walk_.seen.add(target.name)
                scope = _Scope(call[1])
                for node in target.template.nodes:
                    walk_.node(node, target, scope, own=False, top=False)
                summary = _Summary(inner.request_data, inner.request_tags, walk_.calls)
            self._summaries[call] = summary
        return self._summaries[call]


# Includes nest at most this deep (the render's context depth limit is lower); deeper code is
# not read, and the walk stays within Python's recursion limit.
MAX_INCLUDE_DEPTH = 50


class _Walk:
    def __init__(self, partial: PartialLookup, reach: JobReach) -> None:
        self.partial = partial
        self.reach = reach
        self.seen: set[str] = set()  # files walked by include (or the job's partial): once each
        self.depth = 0
        self.calls: list[Call] = []  # render/function partials, summarised by JobWalker

    def block(self, node: Node, parsed: Parsed, scope: _Scope, *, own: bool, top: bool) -> None:
        for child in children(node, parsed):
            self.node(child, parsed, scope, own=own, top=top)

    def node(self, node: Node, parsed: Parsed, scope: _Scope, *, own: bool, top: bool) -> None:
        """`own`: the job's own scope (not a render/function partial's); `top`: the inline body
        itself, where an unbound name is one the tag should have passed."""
        for expr in expressions_of(node):
            self.expression(expr, parsed, scope, own=own, top=top)
        if isinstance(node, REQUEST_TAGS):
            self.reach.request_tags.append(Use(node.token.value, spot(parsed.name, node.token)))
        for name in bound_names(node):
            scope.bind(name)
        if isinstance(node, BackgroundNode):
            return  # another job: its body or partial runs later, in its own scope
        reference = partial_reference(node)
        if reference is not None:
            self.follow(node, reference[1], scope, own=own, top=top)
            return
        scope.push(block_names(node))
        self.block(node, parsed, scope, own=own, top=top)
        scope.pop()

    def follow(self, node: Node, name_expr: object, scope: _Scope, *, own: bool,
               top: bool = False) -> None:
        """`top`: included from the inline body, so the partial shares its scope and an
        unbound name there is one the tag should have passed too."""
        name = literal_name(name_expr)
        if not isinstance(node, IncludeNode):
            if name is not None:  # render, function: summarised once, collected by JobWalker
                self.calls.append((name, self.isolated_names(node)))
            return
        target = None if name is None else self.partial(name)
        if target is None or self.depth >= MAX_INCLUDE_DEPTH:
            # An include by a variable name, of a missing or broken partial (reported where
            # it is named or in itself), or too deep: this job's reads are not all known.
            self.reach.complete = self.reach.complete and not own
            return
        if target.name in self.seen:
            return
        self.seen.add(target.name)
        partial_scope = node.partial_scope()
        scope.push(str(n) for n in (partial_scope.in_scope if partial_scope else ()))
        self.depth += 1
        for child in target.template.nodes:
            self.node(child, target, scope, own=own, top=top)
        self.depth -= 1
        scope.pop()

    @staticmethod
    def isolated_names(node: Node) -> frozenset[str]:
        """What a render or function partial has in scope: its arguments and `context`."""
        arguments = [a.name for a in getattr(node, "args", ())]
        partial_scope = node.partial_scope()
        if partial_scope is not None:
            arguments += [str(n) for n in partial_scope.in_scope]
        if getattr(node, "loop", False):
            arguments.append("forloop")  # render ... for items as item
        return JOB_GLOBALS | set(arguments)

    def expression(
        self, expr: Expression, parsed: Parsed, scope: _Scope, *, own: bool, top: bool
    ) -> None:
        if isinstance(expr, Path):
            self.path(expr, parsed, scope, own=own, top=top)
        lambda_scope = [str(n) for n in expr.scope()]
        if lambda_scope:
            scope.push(lambda_scope)
        for child in expr.children():
            self.expression(child, parsed, scope, own=own, top=top)
        if lambda_scope:
            scope.pop()

    def path(self, expr: Path, parsed: Parsed, scope: _Scope, *, own: bool, top: bool) -> None:
        root = expr.path[0]
        if not isinstance(root, str):
            return
        if own:
            self.reach.used.add(root)
        where = spot(parsed.name, expr.token)
        if root == "context":
            key = expr.path[1] if len(expr.path) > 1 else None
            if isinstance(key, str) and key in REQUEST_CONTEXT_KEYS:
                self.reach.request_data.append(Use(f"context.{key}", where))
            part = expr.path[2] if len(expr.path) > 2 else None
            if key == "location" and isinstance(part, str) and part in REQUEST_LOCATION_KEYS:
                self.reach.request_data.append(Use(f"context.location.{part}", where))
            return
        if root in scope:
            return
        if root in REQUEST_NAMES:
            self.reach.request_data.append(Use(root, where))
        elif top:
            self.reach.unpassed.append(Use(root, where))
