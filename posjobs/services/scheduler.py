"""The real-time worker loop: APScheduler is its clock, the store is its queue.

APScheduler fires `dispatch` when the next job comes due (and on a short poll, to pick up
rows other processes wrote), and drives the periodic duties: lease heartbeats, recovery of
jobs whose worker died, retention. It never holds jobs itself: a claim is always an atomic
update in the store, so any number of workers can share one store.
"""

from __future__ import annotations

import contextlib
import itertools
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

from apscheduler.executors.pool import ThreadPoolExecutor as SchedulerThreads
from apscheduler.schedulers import SchedulerNotRunningError
from apscheduler.schedulers.background import BackgroundScheduler

from posjobs.jobs.model import Job
from posjobs.services.worker import Worker

POLL_SECONDS = 0.1  # how soon rows written by other processes are noticed
MIN_WAKE_SECONDS = 0.005
STOP_CHECK_SECONDS = 0.1
RETENTION_SECONDS = 300.0


class RealtimeWorker:
    """Runs jobs as they come due until stopped (or, with `burst`, until none are due).

    Stopping (SIGINT, SIGTERM, or `stop()`): no new claims; running attempts get `grace`
    seconds to finish; what is still running then is stopped and released, unrun, for
    another worker. A second signal skips the grace period. Nothing is lost either way.
    """

    def __init__(self, worker: Worker, *, concurrency: int = 1, burst: bool = False,
                 grace: float = 30.0, poll_seconds: float = POLL_SECONDS,
                 on_notice: Callable[[str], None] | None = None) -> None:
        self.worker = worker
        self.on_notice = on_notice or (lambda _message: None)
        self.concurrency = max(1, concurrency)
        self.burst = burst
        self.grace = grace
        self.poll_seconds = poll_seconds
        self._pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="posjobs-attempt")
        self._running: dict[int, Job] = {}
        self._runners = 0  # slots with a runner claiming and running jobs
        self._lock = threading.Lock()
        self._dispatching = threading.Lock()
        self._stopping = threading.Event()
        self._abort = threading.Event()
        self._signals = itertools.count()
        self._signalled = threading.Event()
        self._scheduler = BackgroundScheduler(
            timezone=timezone.utc,
            executors={"default": SchedulerThreads(4)},
            # Overlapping dispatches are harmless (one returns at once), so APScheduler need
            # not skip and warn about them.
            job_defaults={"coalesce": True, "max_instances": 4, "misfire_grace_time": None},
        )

    # --- lifecycle ------------------------------------------------------------------------
    def run(self) -> None:
        """Block until stopped: by `stop()`, a signal, or in burst mode when idle."""
        lease = self.worker.settings.lease_seconds
        now = datetime.now(timezone.utc)
        sched = self._scheduler
        sched.add_job(self._dispatch, "interval", seconds=self.poll_seconds, id="poll",
                      next_run_time=now)
        sched.add_job(self.worker.recover, "interval", seconds=lease / 2, id="recover")
        sched.add_job(self.worker.apply_retention, "interval", seconds=RETENTION_SECONDS,
                      id="retention", next_run_time=now)
        self.worker.recover()  # jobs of a dead worker first, so a burst run sees them too
        self.worker.executor.warm()
        previous = self._install_signal_handlers()
        try:
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
            self.worker.executor.close()

    def stop(self) -> None:
        """Stop claiming and begin the graceful stop (safe from any thread)."""
        self._stopping.set()

    def abort(self) -> None:
        """Skip the grace period: stop running attempts now and release their jobs."""
        self._abort.set()
        self._stopping.set()

    def _drain(self) -> None:
        # A dispatch under way may have claimed a job it has not yet registered as running:
        # wait for it (it stops at its next check of _stopping) so no claim goes unseen.
        with self._dispatching:
            pass
        running = len(self._running_ids())
        if running and self._signalled.is_set() and not self._abort.is_set():
            self.on_notice(f"stopping: {running} running attempt(s) get {self.grace:g} s to "
                           "finish; send the signal again (Ctrl-C) to stop now")
        deadline = time.monotonic() + self.grace
        while not self._idle() and not self._abort.is_set():
            if time.monotonic() >= deadline:
                break
            self._abort.wait(0.05)
        if not self._idle():
            if self._abort.is_set():
                self.on_notice("stopping now: running attempts are stopped and their jobs "
                               "released")
            self.worker.executor.stop_all()  # their jobs are released, unrun
        self._pool.shutdown(wait=True)

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

    # --- scheduled duties ---------------------------------------------------------------------
    def _dispatch(self) -> None:
        """Claim due jobs while there is capacity, then wake again when the next is due."""
        if not self._dispatching.acquire(blocking=False):
            return  # the poll and a wake-up met; one dispatch is enough
        try:
            self._dispatch_locked()
        finally:
            self._dispatching.release()

    def _dispatch_locked(self) -> None:
        claimed = 0
        while not self._stopping.is_set():
            with self._lock:
                if self._runners >= self.concurrency:
                    return  # every slot is busy; a runner that runs out of work wakes us
            job = self.worker.claim()
            if job is None:
                break
            claimed += 1
            with self._lock:
                self._runners += 1
                self._running[job.id] = job
            self._pool.submit(self._run_from, job)
        if self.burst and not claimed and self._idle():
            self.stop()
            return
        self._schedule_wake()

    def _run_from(self, job: Job | None) -> None:
        """One slot's runner: run the job, then claim the next due one itself, until none is
        due. The scheduler is only needed to wake idle slots, not once per job."""
        try:
            while job is not None:
                try:
                    self.worker.process(job)
                finally:
                    with self._lock:
                        self._running.pop(job.id, None)
                if self._stopping.is_set():
                    return
                job = self.worker.claim()
                if job is not None:
                    with self._lock:
                        self._running[job.id] = job
        finally:
            with self._lock:
                self._runners -= 1
            if not self._stopping.is_set():
                self._wake_now()

    def _idle(self) -> bool:
        with self._lock:
            return not self._running and not self._runners

    def _running_ids(self) -> list[int]:
        with self._lock:
            return list(self._running)

    def _schedule_wake(self) -> None:
        """Fire `dispatch` exactly when the next waiting job comes due."""
        next_at = self.worker.store.next_run_at(speed=self.worker.speed)
        if next_at is None or self._stopping.is_set():
            return
        # A due job we could not claim (another worker took it first) must not make us spin.
        next_at = max(next_at, time.time() + MIN_WAKE_SECONDS)
        self._add_wake(datetime.fromtimestamp(next_at, timezone.utc))

    def _wake_now(self) -> None:
        self._add_wake(datetime.now(timezone.utc))

    def _add_wake(self, when: datetime) -> None:
        with contextlib.suppress(SchedulerNotRunningError):
            self._scheduler.add_job(self._dispatch, "date", run_date=when, id="wake",
                                    replace_existing=True)
