"""The worker `posjobs serve` runs in its own process: the real-time worker, on a thread.

This is the one place that starts it, so that a change of the worker runtime changes only
`start_worker`.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from posjobs.clock import Clock
from posjobs.config import Settings
from posjobs.errors import PosjobsError
from posjobs.project import Project
from posjobs.store.base import Store

if TYPE_CHECKING:
    from posjobs.services.supervisor import Outcome
    from posjobs.services.worker import RealtimeWorker


@dataclass
class WorkerHandle:
    """A running in-process worker."""

    name: str
    slots: int
    _runtime: RealtimeWorker
    _thread: threading.Thread

    def running(self) -> int:
        """How many attempts are under way."""
        return len(self._runtime.supervisor.running())

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


def _to_stderr(message: str) -> None:
    print(message, file=sys.stderr)


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
    from posjobs.services.supervisor import Supervisor
    from posjobs.services.worker import RealtimeWorker

    supervisor = Supervisor(project, store, settings, store_url, size=slots,
                            real_clock=clock, on_outcome=on_outcome, on_notice=on_notice)
    runtime = RealtimeWorker(supervisor, grace=grace, on_notice=on_notice,
                             store_patience=settings.store_patience)
    def run() -> None:
        try:
            runtime.run()
        except PosjobsError as err:  # said as the worker command says it, no traceback
            (on_notice or _to_stderr)(f"worker stopped: {err.message}"
                                      + (f" (hint: {err.hint})" if err.hint else ""))

    thread = threading.Thread(target=run, name="posjobs-worker", daemon=True)
    thread.start()
    return WorkerHandle(supervisor.name, slots, runtime, thread)
