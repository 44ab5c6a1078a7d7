"""A wall-clock limit for page renders: a render still running at its deadline is stopped
with `RenderTimeout`, whatever it is doing between two Python bytecodes.

One watchdog thread per process serves every render, looking every `CHECK_SECONDS` on its own
schedule: arming and disarming cost a lock, never a thread or a wake-up. (A job attempt
needs none of this: its slot process is killed at its limit.)
"""

from __future__ import annotations

import ctypes
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from liquid.exceptions import ResourceLimitError

CHECK_SECONDS = 0.1  # how late past its limit a render may be stopped


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
        self._changed = threading.Lock()
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
            return self._serial

    def disarm(self, token: int) -> None:
        with self._changed:
            thread, _at, _seconds = self._armed.pop(token)
            if token in self._fired:  # raised too late to matter: do not let it surface
                self._fired.discard(token)
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread), None)

    def _watch(self) -> None:
        while True:
            time.sleep(CHECK_SECONDS)
            with self._changed:
                now = time.monotonic()
                for token, (thread, at, _seconds) in self._armed.items():
                    if at <= now and token not in self._fired:
                        self._fired.add(token)
                        ctypes.pythonapi.PyThreadState_SetAsyncExc(
                            ctypes.c_ulong(thread), ctypes.py_object(RenderTimeout))


_WATCHDOG = _Watchdog()
