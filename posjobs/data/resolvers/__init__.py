"""The resolvers of the platform's schema that posjobs emulates, one module per domain.

Each module registers its functions with `posjobs.data.graphql.resolver`; `load()` imports
them all once, before the schema is built.
"""

from __future__ import annotations

import importlib

MODULES = ("records", "users", "sessions", "notifications", "constants", "admin")


def load() -> None:
    for name in MODULES:
        importlib.import_module(f"posjobs.data.resolvers.{name}")
