"""`worker --speed N`: a development aid both stores offer outside the storage contract."""

from __future__ import annotations

import copy
from typing import TypeVar

S = TypeVar("S", bound="ScaledWaits")


class ScaledWaits:
    """Lets a store be seen as `worker --speed N` sees it (`posjobs.store.at_speed`). A
    store's queries read `_speed`; at N != 1 its claims scan the waiting jobs instead of
    using the due-time index, which a development aid can afford."""

    _speed: float = 1.0

    def at_speed(self: S, speed: float) -> S:
        """This store, on the same connection, with every wait (a delay, a retry backoff)
        passing `speed` times faster from when it began."""
        if speed == 1.0:
            return self
        view = copy.copy(self)
        view._speed = speed
        return view
