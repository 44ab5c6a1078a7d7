"""Time as an injected dependency: the real clock, a scaled one and a manual one for tests."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone
from typing import Protocol


class Clock(Protocol):
    """Where posjobs reads the time: seconds since the epoch, UTC."""

    def now(self) -> float: ...


class SystemClock:
    """Wall-clock time."""

    def now(self) -> float:
        return time.time()


class OffsetClock:
    """Wall-clock time shifted to read `at` now: an attempt started at a simulated time keeps
    that time moving at the real pace (used inside worker slots)."""

    def __init__(self, at: float, base: Clock | None = None) -> None:
        self._base = base or SystemClock()
        self._offset = at - self._base.now()

    def now(self) -> float:
        return self._base.now() + self._offset


class ManualClock:
    """A clock that moves only when told to: tests and fast-forward runs."""

    def __init__(self, start: float | None = None) -> None:
        self._now = time.time() if start is None else start
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds

    def jump_to(self, when: float) -> None:
        """Move forward to `when`; never backwards."""
        with self._lock:
            self._now = max(self._now, when)


def to_datetime(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, tz=timezone.utc)


def iso(ts: float | None) -> str | None:
    """ISO-8601 UTC with milliseconds and a Z, as pos-cli prints times."""
    if ts is None:
        return None
    return to_datetime(ts).strftime("%Y-%m-%dT%H:%M:%S.") + f"{int(ts * 1000) % 1000:03d}Z"
