"""The real-time worker: the supervisor's slots run jobs as they come due; APScheduler is
its clock, the store its queue.

APScheduler fires when the next job comes due (a date trigger at the next run time), polls
for rows other processes wrote, and times the duties (lease recovery, retention). Its jobs
only say what is due; the supervisor acts on them on this worker's own thread, so nothing
store-bound runs on APScheduler's threads, nothing overlaps, and a locked store makes one
calm line instead of a flood of skipped runs. It never holds jobs itself: a claim is always
an atomic update in the store, so any number of workers can share one store.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import signal
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone

from apscheduler.schedulers import SchedulerNotRunningError
from apscheduler.schedulers.background import BackgroundScheduler

from posjobs.errors import PosjobsError, StoreError
from posjobs.services.messages import Work
from posjobs.services.supervisor import Supervisor

POLL_SECONDS = 0.1  # how soon rows written by other processes are noticed
LOOP_SECONDS = 0.05  # how soon a time limit or a signal is acted on
LISTEN_SECONDS = 0.5  # how long one wait for a store's wake-up lasts (see `_listen`)
RETENTION_SECONDS = 300.0
STORE_PATIENCE = 30.0  # a burst run gives up (exit 5) when the store fails this long
DUTY_BUSY_SECONDS = 5.0  # how long the supervisor's own writes wait for another's lock


class RealtimeWorker:
    """Runs jobs as they come due until stopped (or, with `burst`, until none are due).

    Stopping (SIGINT, SIGTERM, or `stop()`): no new claims; running attempts get `grace`
    seconds to finish; what is still running then is stopped and released, unrun, for
    another worker. A second signal skips the grace period. Nothing is lost either way.
    A store that keeps failing is retried with backoff and reported once; a burst run gives
    up after `store_patience` seconds, and any run stopped while it fails ends by raising
    the store's error (exit 5).
    """

    def __init__(self, supervisor: Supervisor, *, burst: bool = False, grace: float = 30.0,
                 poll_seconds: float = POLL_SECONDS, store_patience: float = STORE_PATIENCE,
                 on_notice: Callable[[str], None] | None = None) -> None:
        self.supervisor = supervisor
        self.on_notice = on_notice or (lambda _message: None)
        self.burst = burst
        self.grace = grace
        self.poll_seconds = poll_seconds
        self.store_patience = store_patience
        self._due: set[str] = set()  # what the clock said is due, for this thread to do
        self._due_lock = threading.Lock()
        self._stopping = threading.Event()
        self._abort = threading.Event()
        self._signals = itertools.count()
        self._signalled = threading.Event()
        self._next_at: float | None = None
        # A skipped or late run of a duty is harmless (the next one does the same work):
        # APScheduler need not say so.
        logging.getLogger("apscheduler").setLevel(logging.ERROR)
        self._scheduler = BackgroundScheduler(
            timezone=timezone.utc,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )

    # --- lifecycle ------------------------------------------------------------------------
    def run(self) -> None:
        """Block until stopped: by `stop()`, a signal, or in burst mode when idle."""
        previous = self._install_signal_handlers()  # a signal from now on stops it cleanly
        sup = self.supervisor
        lease = sup.settings.lease_seconds
        sched = self._scheduler
        listener = None
        try:
            now = datetime.now(timezone.utc)
            sched.add_job(self._say, "interval", args=("tick",), seconds=self.poll_seconds,
                          id="poll", next_run_time=now)
            sched.add_job(self._say, "interval", args=("recover",),
                          seconds=max(lease / 2, 0.05), id="recover")
            sched.add_job(self._say, "interval", args=("retention",),
                          seconds=RETENTION_SECONDS, id="retention", next_run_time=now)
            sup.recover()  # jobs of a dead worker first, so a burst run sees them too
            sup.start()
            sched.start()
            listener = self._listen()
            while not self._stopping.is_set():
                sup.poll(LOOP_SECONDS)
                self._do_what_is_due()
                self._check_store()
            with contextlib.suppress(SchedulerNotRunningError):
                sched.shutdown(wait=False)
            self._drain()
        finally:
            if listener is not None:
                listener.join(LISTEN_SECONDS * 2)
            self._restore_signal_handlers(previous)
            sup.close()
        if self.burst and sup.broken is not None:
            error = StoreError if sup.broken.store else PosjobsError
            raise error(sup.broken.message, hint="the worker stopped: no slot could start")
        if sup.trouble is not None:
            raise StoreError(sup.trouble, hint="the worker stopped while the store was failing; "
                             "jobs it could not record are recovered once their leases expire")

    def stop(self) -> None:
        """Stop claiming and begin the graceful stop (safe from any thread)."""
        self._stopping.set()
        self.supervisor.wake()

    def abort(self) -> None:
        """Skip the grace period: stop running attempts now and release their jobs."""
        self._abort.set()
        self.stop()

    def _drain(self) -> None:
        sup = self.supervisor
        sup.stop()  # each slot stops once its current attempt ends
        sup.poll(0)  # an attempt that began just now has said so
        running = len(sup.running())
        if running and self._signalled.is_set() and not self._abort.is_set():
            self.on_notice(f"stopping: {running} running attempt(s) get {self.grace:g} s to "
                           "finish; send the signal again (Ctrl-C) to stop now")
        deadline = time.monotonic() + self.grace
        while not sup.idle() and not self._abort.is_set() and time.monotonic() < deadline:
            sup.poll(LOOP_SECONDS)
        if not sup.idle():
            if self._abort.is_set() and sup.running():
                self.on_notice("stopping now: running attempts are stopped and their jobs "
                               "released")
            sup.stop_now()  # their jobs are released, unrun

    def _check_store(self) -> None:
        sup = self.supervisor
        if self.burst and (sup.trouble_for() > self.store_patience or sup.broken is not None):
            self.abort()

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
        # Only flags (counting first thing: a second signal may arrive while this runs);
        # the loop does the stopping.
        if next(self._signals) == 0:
            self._signalled.set()
            self.stop()
        else:
            self.abort()

    # --- the clock ----------------------------------------------------------------------------
    def _listen(self) -> threading.Thread | None:
        """On a store that announces runnable jobs (PostgreSQL's NOTIFY), a thread waits for
        them and ticks at once, so a job enqueued on another host starts without waiting
        for the next poll."""
        store = self.supervisor.store
        if not store.announces_changes:
            return None

        def listen() -> None:
            while not self._stopping.is_set():
                if store.wait_for_change("jobs", LISTEN_SECONDS):
                    self._say("tick")

        thread = threading.Thread(target=listen, name="posjobs-listen", daemon=True)
        thread.start()
        return thread

    def _say(self, duty: str) -> None:
        """APScheduler's side: note the duty and wake the worker's thread."""
        with self._due_lock:
            self._due.add(duty)
        self.supervisor.wake()

    def _do_what_is_due(self) -> None:
        with self._due_lock:
            due, self._due = self._due, set()
        sup = self.supervisor
        if "recover" in due:
            sup.recover()
        if "retention" in due:
            sup.apply_retention(sup.real_clock.now())
        if "tick" in due:
            self._tick()

    def _tick(self) -> None:
        """Wake idle slots if a job is due, else set the wake-up for the next run time."""
        sup = self.supervisor
        try:
            next_at = sup.store.next_run_at()
        except StoreError as err:
            sup.store_failed(err.message)
            return
        now = time.time()
        if next_at is not None and next_at <= now:
            sup.dispatch(Work(drain=True))
        elif next_at is not None and next_at != self._next_at:
            self._next_at = next_at
            with contextlib.suppress(SchedulerNotRunningError):
                self._scheduler.add_job(self._say, "date", args=("tick",), id="wake",
                                        run_date=datetime.fromtimestamp(next_at, timezone.utc),
                                        replace_existing=True)
        if self.burst and (next_at is None or next_at > now) and sup.idle() \
                and sup.trouble is None:
            self.stop()
