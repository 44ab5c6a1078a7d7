"""A wall-clock limit for page renders: a render still running at its deadline is stopped
with `RenderTimeout`, whatever it is doing between two Python bytecodes.

One watchdog thread per process serves every render; arming and disarming cost a lock, not
a thread. (A job attempt needs none of this: its slot process is killed at its limit.)
"""

from __future__ import annotations

import ctypes
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from liquid.exceptions import ResourceLimitError


class RenderTimeout(ResourceLimitError):
    """The render ran past its time limit (raised in the render's own thread)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        seconds = getattr(_local, "seconds", 0.0)
        kwargs.setdefault("token", None)
        super().__init__(*(args or (f"the render took longer than its time limit of "
                                    f"{seconds:g} s",)), **kwargs)  # type: ignore[arg-type]


@contextmanager
def deadline(seconds: float | None) -> Iterator[None]:
    """Run the body under a limit of `seconds` (None: none); nested uses keep the outer."""
    if not seconds or getattr(_local, "armed", False):
        yield
        return
    _local.armed = True
    _local.seconds = seconds
    token = _WATCHDOG.arm(threading.get_ident(), time.monotonic() + seconds, seconds)
    try:
        yield
    finally:
        _WATCHDOG.disarm(token)
        _local.armed = False


_local = threading.local()


class _Watchdog:
    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._armed: dict[int, tuple[int, float, float]] = {}  # token -> thread, at, seconds
        self._fired: set[int] = set()
        self._serial = 0
        self._thread: threading.Thread | None = None

    def arm(self, thread: int, at: float, seconds: float) -> int:
        with self._changed:
            self._serial += 1
            self._armed[self._serial] = (thread, at, seconds)
            if self._thread is None:
                self._thread = threading.Thread(target=self._watch, daemon=True,
                                                name="posjobs-render-deadline")
                self._thread.start()
            self._changed.notify()
            return self._serial

    def disarm(self, token: int) -> None:
        with self._changed:
            thread, _at, _seconds = self._armed.pop(token)
            if token in self._fired:  # raised too late to matter: do not let it surface
                self._fired.discard(token)
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread), None)

    def _watch(self) -> None:
        with self._changed:
            while True:
                now = time.monotonic()
                due = [(t, a) for t, a in self._armed.items()
                       if a[1] <= now and t not in self._fired]
                for token, (thread, _at, _seconds) in due:
                    self._fired.add(token)
                    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread),
                                                               ctypes.py_object(RenderTimeout))
                waiting = [a[1] for t, a in self._armed.items() if t not in self._fired]
                self._changed.wait(max(0.0, min(waiting) - now) if waiting else None)


_WATCHDOG = _Watchdog()
