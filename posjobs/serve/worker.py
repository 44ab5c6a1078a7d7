"""The worker `posjobs serve` runs in its own process: today's real-time worker, on a thread.

This is the one place that starts it, so that a change of the worker runtime changes only
`start_worker`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from posjobs.clock import Clock
from posjobs.config import Settings
from posjobs.project import Project
from posjobs.store.base import Store

if TYPE_CHECKING:
    from posjobs.services.scheduler import RealtimeWorker
    from posjobs.services.worker import Outcome


@dataclass
class WorkerHandle:
    """A running in-process worker."""

    name: str
    slots: int
    _runtime: RealtimeWorker
    _thread: threading.Thread

    def running(self) -> int:
        """How many attempts are under way."""
        return len(self._runtime.pool.running())

    def request_stop(self) -> None:
        """Begin the graceful stop: no new claims; running attempts get the grace period."""
        self._runtime.stop()

    def wait(self, timeout: float) -> bool:
        """Whether the worker has stopped, waiting up to `timeout` seconds for it."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def stop(self, *, abort: bool = False) -> None:
        """Stop claiming; running attempts get the worker's grace period (none with `abort`),
        then what still runs is stopped and released, unrun. Returns once it has stopped."""
        if abort:
            self._runtime.abort()
        else:
            self._runtime.stop()
        self._thread.join()

    def abort(self) -> None:
        """Skip what is left of the grace period (a second Ctrl-C), from any thread (but
        not from a signal handler: it takes locks)."""
        self._runtime.abort()


def start_worker(
    project: Project,
    store: Store,
    settings: Settings,
    store_url: str,
    *,
    clock: Clock,
    slots: int,
    grace: float,
    on_outcome: Callable[[Outcome], None] | None = None,
    on_notice: Callable[[str], None] | None = None,
) -> WorkerHandle:
    """Start the real-time worker (what `posjobs worker` runs) on a thread of its own.

    Off the main thread it installs no signal handlers: the server owns the signals and
    calls `stop()` (then `abort()` on a second signal)."""
    from posjobs.services.drivers import DriverPool
    from posjobs.services.scheduler import RealtimeWorker
    from posjobs.services.worker import Worker

    worker = Worker(project, store, settings, clock=clock, on_outcome=on_outcome)
    pool = DriverPool(project, worker, store_url, slots, on_outcome=on_outcome)
    runtime = RealtimeWorker(worker, pool, grace=grace, on_notice=on_notice)
    thread = threading.Thread(target=runtime.run, name="posjobs-worker", daemon=True)
    thread.start()
    return WorkerHandle(worker.name, slots, runtime, thread)
