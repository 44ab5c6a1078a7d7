"""The platform's tags, one per module; `register` adds them all to an environment."""

from __future__ import annotations

from liquid import Environment

from posjobs.liquid.tags.background import BackgroundTag
from posjobs.liquid.tags.log import LogTag

TAGS = (BackgroundTag, LogTag)


def register(env: Environment) -> None:
    for tag in TAGS:
        env.add_tag(tag)
