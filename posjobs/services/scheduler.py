"""The real-time worker loop: APScheduler is its clock, the store is its queue.

APScheduler fires `dispatch` when the next job comes due (and on a short poll, to pick up
rows other processes wrote), and drives the periodic duties: lease heartbeats, recovery of
jobs whose worker died, retention. It never holds jobs itself: a claim is always an atomic
update in the store, so any number of workers can share one store.
"""

from __future__ import annotations

import contextlib
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, timezone
from functools import partial

from apscheduler.executors.pool import ThreadPoolExecutor as SchedulerThreads
from apscheduler.schedulers import SchedulerNotRunningError
from apscheduler.schedulers.blocking import BlockingScheduler

from posjobs.clock import ScaledClock
from posjobs.jobs.model import Job
from posjobs.services.worker import Outcome, Worker

POLL_SECONDS = 0.25


class RealtimeWorker:
    """Runs jobs as they come due until stopped (or, with `burst`, until none are due)."""

    def __init__(self, worker: Worker, *, concurrency: int = 1, burst: bool = False,
                 poll_seconds: float = POLL_SECONDS) -> None:
        self.worker = worker
        self.concurrency = max(1, concurrency)
        self.burst = burst
        self.poll_seconds = poll_seconds
        self._pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="posjobs-attempt")
        self._running: dict[int, tuple[Job, Future[Outcome]]] = {}
        self._lock = threading.Lock()
        self._dispatching = threading.Lock()
        self._stopping = threading.Event()
        self._scheduler = BlockingScheduler(
            timezone=timezone.utc,
            executors={"default": SchedulerThreads(2)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )

    # --- lifecycle ------------------------------------------------------------------------
    def run(self) -> None:
        """Block until stopped: by `stop()`, by Ctrl-C, or in burst mode when idle."""
        lease = self.worker.settings.lease_seconds
        sched = self._scheduler
        sched.add_job(self._dispatch, "interval", seconds=self.poll_seconds, id="poll",
                      next_run_time=datetime.now(timezone.utc))
        sched.add_job(self._heartbeat, "interval", seconds=lease / 3, id="heartbeat")
        sched.add_job(self.worker.recover, "interval", seconds=lease / 2, id="recover",
                      next_run_time=datetime.now(timezone.utc))
        try:
            sched.start()
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            self._shutdown()

    def stop(self) -> None:
        self._stopping.set()
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    def _shutdown(self) -> None:
        self._stopping.set()
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        self._pool.shutdown(wait=True)  # running attempts finish; nothing new is claimed

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
                if len(self._running) >= self.concurrency:
                    break
            job = self.worker.claim()
            if job is None:
                break
            claimed += 1
            future = self._pool.submit(self.worker.process, job)
            with self._lock:
                self._running[job.id] = (job, future)
            future.add_done_callback(partial(self._finished, job.id))
        if self.burst and not claimed and self._idle():
            self.stop()
            return
        self._schedule_wake()

    def _finished(self, job_id: int, _future: Future[Outcome]) -> None:
        with self._lock:
            self._running.pop(job_id, None)
        if not self._stopping.is_set():
            self._wake_now()

    def _idle(self) -> bool:
        with self._lock:
            return not self._running

    def _schedule_wake(self) -> None:
        """Fire `dispatch` exactly when the next waiting job comes due."""
        next_at = self.worker.store.next_run_at()
        if next_at is None or self._stopping.is_set():
            return
        clock = self.worker.clock
        real = clock.to_real(next_at) if isinstance(clock, ScaledClock) else next_at
        when = datetime.fromtimestamp(real, timezone.utc)
        self._add_wake(when)

    def _wake_now(self) -> None:
        self._add_wake(datetime.now(timezone.utc))

    def _add_wake(self, when: datetime) -> None:
        with contextlib.suppress(SchedulerNotRunningError):
            self._scheduler.add_job(self._dispatch, "date", run_date=when, id="wake",
                                    replace_existing=True)

    def _heartbeat(self) -> None:
        with self._lock:
            ids = list(self._running)
        if ids:
            now = self.worker.clock.now()
            self.worker.store.heartbeat(self.worker.name, ids,
                                        now + self.worker.settings.lease_seconds)
