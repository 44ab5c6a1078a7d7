"""Executing a project's GraphQL against the platform's own schema, with graphql-core.

The schema is `platform.graphql` (the platform's published SDL, shipped unchanged), built
once per process on first use. Resolvers are plain functions registered per type and field
(`resolvers/`); a root field without one is an operation posjobs does not emulate, and says
so with the way to mock it. Parsing and validation errors name the `.graphql` file and line.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from importlib import resources
from typing import Any

from graphql import (
    GraphQLError,
    GraphQLObjectType,
    GraphQLSchema,
    build_schema,
    execute_sync,
    parse,
    validate,
)
from graphql.language import OperationDefinitionNode

from posjobs.data.session import Source
from posjobs.data.tables import DataError

Resolver = Callable[..., Any]
_RESOLVERS: dict[tuple[str, str], Resolver] = {}


def resolver(type_name: str, field_name: str) -> Callable[[Resolver], Resolver]:
    """Register `fn(obj, info, **args)` as the resolver of `type_name.field_name`."""

    def register(fn: Resolver) -> Resolver:
        _RESOLVERS[(type_name, field_name)] = fn
        return fn

    return register


class NotEmulated(DataError):
    """An operation of the platform's schema that the local data layer does not run."""


class QueryError(DataError):
    """A query that does not parse or validate, located in its file."""

    def __init__(self, message: str, *, path: str, line: int | None) -> None:
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {message}")
        self.path = path
        self.line = line


@functools.cache
def platform_schema() -> GraphQLSchema:
    """The platform's schema with posjobs' resolvers attached (built once per process)."""
    from posjobs.data import resolvers

    resolvers.load()
    text = resources.files("posjobs.data").joinpath("platform.graphql").read_text("utf-8")
    schema = build_schema(text, assume_valid_sdl=True)
    for root in (schema.query_type, schema.mutation_type):
        assert root is not None
        for name, field in root.fields.items():
            field.resolve = _RESOLVERS.get((root.name, name), _not_emulated(root.name, name))
    for (type_name, field_name), fn in _RESOLVERS.items():
        type_ = schema.get_type(type_name)
        if isinstance(type_, GraphQLObjectType) and type_ not in (schema.query_type,
                                                                   schema.mutation_type):
            type_.fields[field_name].resolve = fn
    return schema


@functools.lru_cache(maxsize=512)
def _checked(text: str) -> tuple[Any, tuple[GraphQLError, ...]]:
    """The parsed document and its validation errors, once per query text: validating
    against the platform's large schema costs several times executing a small query, and
    depends on nothing but the text (the schema is one per process). A text that does not
    parse raises, and is not cached."""
    document = parse(text)
    return document, tuple(validate(platform_schema(), document))


def run_operation(text: str, variables: Mapping[str, Any], source: Source,
                  context: object) -> dict[str, Any]:
    """Execute `text` and return the result as the graphql tag gives it: the data's fields,
    plus `errors` when a resolver failed (as the platform returns them)."""
    schema = platform_schema()
    try:
        document, errors = _checked(text)
    except GraphQLError as err:
        raise _located(err, source) from None
    if errors:
        raise _located(errors[0], source)
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) > 1:
        names = ", ".join(op.name.value if op.name else "(anonymous)" for op in operations)
        raise QueryError(f"holds {len(operations)} operations ({names}); the platform runs "
                         "a file with one", path=source.path, line=source.line)
    result = execute_sync(schema, document, variable_values=dict(variables),
                          context_value=context)
    data: dict[str, Any] = dict(result.data or {})
    if result.errors:
        for error in result.errors:
            original = error.original_error
            if original is None or isinstance(original, (GraphQLError, RecordInvalid)):
                # Variables or arguments that do not fit the schema, a null where it wants
                # a value, a write the platform refuses: the platform answers these in
                # `errors`, and real pages check them.
                continue
            # A mistake to fix (not emulated, no such table), a store failure or a bug of
            # ours: loud, never an answer with holes in it.
            raise original
        data["errors"] = [_error_hash(error) for error in result.errors]
    return data


class RecordInvalid(DataError):
    """A write the platform refuses with an error in the result (not a template error)."""


def _error_hash(err: GraphQLError) -> dict[str, Any]:
    entry: dict[str, Any] = {"message": err.message}
    if err.locations:
        entry["locations"] = [{"line": loc.line, "column": loc.column} for loc in err.locations]
    if err.path:
        entry["path"] = list(err.path)
    return entry


def _located(err: GraphQLError, source: Source) -> QueryError:
    line = None
    if err.locations:
        line = err.locations[0].line + source.line - 1
    return QueryError(err.message, path=source.path, line=line)


def _not_emulated(type_name: str, field: str) -> Resolver:
    kind = "mutation" if type_name == "RootMutation" else "query"

    def resolve(_obj: object, info: Any, **_args: Any) -> Any:
        source = getattr(info.context, "source", None)
        name = source.name if source is not None else "<query>"
        raise NotEmulated(
            f"graphql: {kind} field {field!r} (in {name!r}) is not emulated by posjobs' "
            f"local data layer",
            hint=f"mock it: write its result to .posjobs/graphql/{name}.json "
                 "(see docs/data.md)",
        )

    return resolve
