"""The platform's filters, grouped by domain; `register` adds them all to an environment."""

from __future__ import annotations

from liquid import Environment


def register(env: Environment) -> None:
    """Add the platformOS filters (python-liquid's standard ones are already there)."""
