"""The real-time worker: APScheduler is its clock, the store is its queue.

Its slots (`drivers.py`) claim, run and record jobs on their own. APScheduler wakes idle
slots when a job comes due (a date trigger at the next run time, and a short poll for rows
other processes wrote), and drives the duties: time limits, kill requests and leases of the
attempts under way, recovery of jobs whose worker died, retention. It never holds jobs
itself: a claim is always an atomic update in the store, so any number of workers can
share one store.
"""

from __future__ import annotations

import contextlib
import itertools
import signal
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone

from apscheduler.executors.pool import ThreadPoolExecutor as SchedulerThreads
from apscheduler.schedulers import SchedulerNotRunningError
from apscheduler.schedulers.background import BackgroundScheduler

from posjobs.services.drivers import DriverPool
from posjobs.services.worker import Worker

POLL_SECONDS = 0.1  # how soon rows written by other processes are noticed
SUPERVISE_SECONDS = 0.05  # how soon a time limit or a `jobs kill` is enforced
RETENTION_SECONDS = 300.0
STOP_CHECK_SECONDS = 0.1


class RealtimeWorker:
    """Runs jobs as they come due until stopped (or, with `burst`, until none are due).

    Stopping (SIGINT, SIGTERM, or `stop()`): no new claims; running attempts get `grace`
    seconds to finish; what is still running then is stopped and released, unrun, for
    another worker. A second signal skips the grace period. Nothing is lost either way.
    """

    def __init__(self, supervisor: Worker, pool: DriverPool, *, burst: bool = False,
                 grace: float = 30.0, poll_seconds: float = POLL_SECONDS,
                 on_notice: Callable[[str], None] | None = None) -> None:
        self.worker = supervisor
        self.pool = pool
        self.on_notice = on_notice or (lambda _message: None)
        self.burst = burst
        self.grace = grace
        self.poll_seconds = poll_seconds
        self._ticking = threading.Lock()
        self._stopping = threading.Event()
        self._abort = threading.Event()
        self._signals = itertools.count()
        self._signalled = threading.Event()
        self._scheduler = BackgroundScheduler(
            timezone=timezone.utc,
            executors={"default": SchedulerThreads(4)},
            # Overlapping ticks are harmless (one returns at once), so APScheduler need not
            # skip and warn about them.
            job_defaults={"coalesce": True, "max_instances": 4, "misfire_grace_time": None},
        )

    # --- lifecycle ------------------------------------------------------------------------
    def run(self) -> None:
        """Block until stopped: by `stop()`, a signal, or in burst mode when idle."""
        lease = self.worker.settings.lease_seconds
        now = datetime.now(timezone.utc)
        sched = self._scheduler
        sched.add_job(self._tick, "interval", seconds=self.poll_seconds, id="poll",
                      next_run_time=now)
        sched.add_job(self.pool.supervise, "interval", seconds=SUPERVISE_SECONDS,
                      id="supervise")
        sched.add_job(self.worker.recover, "interval", seconds=lease / 2, id="recover")
        sched.add_job(self.worker.apply_retention, "interval", seconds=RETENTION_SECONDS,
                      id="retention", next_run_time=now)
        self.worker.recover()  # jobs of a dead worker first, so a burst run sees them too
        previous = self._install_signal_handlers()
        try:
            self.pool.start()
            sched.start()
            # The scheduler runs on its own threads; this one only waits, so that stopping
            # (and shutting APScheduler down) always happens here, never inside one of its
            # jobs or inside a signal handler.
            while not self._stopping.wait(STOP_CHECK_SECONDS):
                pass
            with contextlib.suppress(SchedulerNotRunningError):
                sched.shutdown(wait=False)
            self._drain()
        finally:
            self._restore_signal_handlers(previous)

    def stop(self) -> None:
        """Stop claiming and begin the graceful stop (safe from any thread)."""
        self._stopping.set()

    def abort(self) -> None:
        """Skip the grace period: stop running attempts now and release their jobs."""
        self._abort.set()
        self._stopping.set()

    def _drain(self) -> None:
        self.pool.stop()  # each slot stops once its current attempt ends
        running = len(self.pool.running())
        if running and self._signalled.is_set() and not self._abort.is_set():
            self.on_notice(f"stopping: {running} running attempt(s) get {self.grace:g} s to "
                           "finish; send the signal again (Ctrl-C) to stop now")
        deadline = time.monotonic() + self.grace
        while self.pool.busy() and not self._abort.is_set():
            if time.monotonic() >= deadline:
                break
            self._abort.wait(0.05)
        if self.pool.busy():
            if self._abort.is_set():
                self.on_notice("stopping now: running attempts are stopped and their jobs "
                               "released")
            self.pool.stop_now()  # their jobs are released, unrun
        self.pool.join(10)

    def _install_signal_handlers(self) -> dict[int, object]:
        if threading.current_thread() is not threading.main_thread():
            return {}
        previous: dict[int, object] = {}
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, self._on_signal)
        return previous

    @staticmethod
    def _restore_signal_handlers(previous: dict[int, object]) -> None:
        for signum, handler in previous.items():
            signal.signal(signum, handler)  # type: ignore[arg-type]

    def _on_signal(self, signum: int, _frame: object) -> None:
        # A handler runs on the main thread between any two of its bytecodes: it only sets
        # flags (counting first thing, since a second signal may arrive while it runs);
        # the main thread does the stopping.
        if next(self._signals) == 0:
            self._signalled.set()
            self.stop()
        else:
            self.abort()

    # --- the clock's duties -------------------------------------------------------------------
    def _tick(self) -> None:
        """Wake idle slots if a job is due, else set the wake-up for the next run time."""
        if not self._ticking.acquire(blocking=False):
            return  # the poll and a wake-up met; one tick is enough
        try:
            if self._stopping.is_set():
                return
            next_at = self.worker.store.next_run_at(speed=self.worker.speed)
            now = time.time()
            if next_at is not None and next_at <= now:
                self.pool.wake_idle()
            elif next_at is not None:
                self._add_wake(datetime.fromtimestamp(next_at, timezone.utc))
            if self.burst and (next_at is None or next_at > now) and self.pool.all_idle() \
                    and not self.pool.busy():
                self.stop()
        finally:
            self._ticking.release()

    def _add_wake(self, when: datetime) -> None:
        with contextlib.suppress(SchedulerNotRunningError):
            self._scheduler.add_job(self._tick, "date", run_date=when, id="wake",
                                    replace_existing=True)
