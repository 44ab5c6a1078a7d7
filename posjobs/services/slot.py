"""A slot: claims, runs and records job attempts on its own store connection.

A slot serves one order at a time (`messages.Work`) and reports each step through `tell`.
It runs inside a slot process (`slot_process.py`), which a supervisor starts, times and
kills; tests also drive it in-process, since nothing here knows about processes. A claim
the slot took but has not started is released, never left to expire and count.
"""

from __future__ import annotations

import contextlib
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from posjobs.clock import Clock, OffsetClock, SystemClock
from posjobs.config import Settings
from posjobs.data import DataLayer
from posjobs.errors import StoreError
from posjobs.jobs.backoff import RandomSource
from posjobs.jobs.model import Job, JobError, JobStatus, LogEntry
from posjobs.liquid import Dialect
from posjobs.project import Project
from posjobs.services import lifecycle
from posjobs.services.execute import execute
from posjobs.services.ids import IdReservation
from posjobs.services.messages import (
    Finished,
    FromSlot,
    Idle,
    JobLabel,
    Started,
    StoreTrouble,
    Work,
)
from posjobs.services.outcome import Ended, Ending, conclude
from posjobs.store import at_speed, open_store
from posjobs.store.base import AttemptResult, JobFilter, NextClaim, Store, store_pause
from posjobs.store.data import data_store_path

T = TypeVar("T")
FLUSH_SECONDS = 0.05  # a running attempt's log entries reach the store within this


@dataclass(frozen=True)
class SlotConfig:
    """What a slot process needs to set itself up (sent once, when it starts)."""

    project_root: str
    store_url: str  # what `open_store` opens: the same store, from another process
    settings: Settings
    name: str  # the worker name its claims carry
    speed: float = 1.0  # `worker --speed`


class Resources:
    """What a slot creates once and keeps for every attempt: the project's Liquid dialect,
    the store connection and the project's data (opened on an attempt's first query).
    Per-process resources of new kinds belong here too."""

    def __init__(self, dialect: Dialect, store: Store, data: DataLayer | None = None) -> None:
        self.dialect = dialect
        self.store = store
        self.data = data

    @classmethod
    def open(cls, config: SlotConfig) -> Resources:
        """The one place a slot process creates them, once, when it starts."""
        store = at_speed(open_store(config.store_url), config.speed)
        try:
            project = Project(Path(config.project_root))
            data = DataLayer(project, data_store_path(config.store_url),
                             allow_network=config.settings.allow_network)
            return cls(Dialect(project), store, data)
        except BaseException:
            store.close()
            raise

    def close(self) -> None:
        if self.data is not None:
            self.data.close()
        self.store.close()


def label(job: Job) -> JobLabel:
    return JobLabel(job.id, job.source_name, job.attempts, job.max_attempts, job.priority.value)


class Slot:
    """Serves orders: claim a due job, run it with `execute`, record how it ended."""

    def __init__(
        self,
        resources: Resources,
        settings: Settings,
        name: str,
        *,
        rng: RandomSource | None = None,
        real_clock: Clock | None = None,
        timer: Callable[[], float] = time.perf_counter,
        running: Callable[[], AbstractContextManager[object]] = nullcontext,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.resources = resources
        self.store: Store = resources.store
        self.settings = settings
        self.name = name
        self.rng = rng or random.Random()
        self.real_clock = real_clock or SystemClock()  # leases, which other workers judge
        self.timer = timer
        self._running = running  # held while an attempt runs (the process arms its death)
        self._sleep = sleep
        self._log = AttemptLog(self.store)
        # A write that claims failed: it may have been committed with its answer lost (a
        # connection cut during the COMMIT), leaving a claim this slot never got.
        self._unsure = False

    def serve(self, order: Work, tell: Callable[[FromSlot], None],
              should_stop: Callable[[], bool] = lambda: False) -> None:
        """Carry out `order`, reporting `Started` and `Finished` per attempt, then `Idle`.

        `should_stop` is asked before each attempt starts: when it says so, the claim is
        released unrun. A store failure is reported (`StoreTrouble`) and ends the order,
        except while recording an attempt that ran: that is retried until it is written.
        """
        try:
            job = self._claim(order)
        except StoreError as err:
            tell(StoreTrouble(err.message))
            tell(Idle())
            return
        finished: Finished | None = None  # said with the next start: one message per job
        while job is not None:
            if should_stop():
                if finished is not None:
                    tell(finished)
                    finished = None
                self._release(job, tell, should_stop)
                break
            start = order.now if order.now is not None else self.real_clock.now()
            started = Started(label(job), start)
            tell(started if finished is None else finished.then(started))
            with self._running():
                ended = self._attempt(job, start, simulated=order.now is not None)
            if isinstance(ended, StoreError):  # failed under the attempt: not the job's fault
                tell(StoreTrouble(ended.message))
                self._release(job, tell, should_stop)
                finished = Finished(label(job), None, 0.0, None, released=True)
                break
            job, finished = self._record(job, ended, start, order, tell, should_stop)
        if finished is not None:
            tell(finished)
        tell(Idle())

    def close(self) -> None:
        self._log.close()

    # --- the steps ----------------------------------------------------------------------
    def _claim(self, order: Work) -> Job | None:
        now = order.now if order.now is not None else self.real_clock.now()
        return self._claiming(lambda: (
            self.store.claim_job(order.job_id, self.name, now, self._lease(now))
            if order.job_id is not None
            else self.store.claim(self.name, now, self._lease(now), order.among)),
            taken=lambda job: job)

    def _claiming(self, write: Callable[[], T], taken: Callable[[T], Job | None]) -> T:
        """Run a write that claims a job (`taken` finds it in the write's answer); after
        one that failed, release what a lost answer may have left (see `_unsure`)."""
        try:
            result = write()
        except StoreError:
            self._unsure = True
            raise
        if self._unsure:
            self._release_strays(taken(result))
            self._unsure = False
        return result

    def _release_strays(self, keeping: Job | None) -> None:
        """Release, uncounted, every job running under this slot's name but `keeping`: a
        slot holds one job at a time, so the others are claims whose answer was lost."""
        held = self.store.list_jobs(JobFilter(statuses=(JobStatus.RUNNING,),
                                              workers=(self.name,), limit=None))
        for stray in held:
            if keeping is None or stray.id != keeping.id:
                self.store.release(stray, self.real_clock.now())

    def _lease(self, now: float) -> float:
        # The store sets the lease from the claim's `now`; when that is simulated time, shift
        # it so that it still ends `lease_seconds` from now in real time.
        return self.settings.lease_seconds + (self.real_clock.now() - now)

    def _attempt(self, job: Job, start: float, simulated: bool = False) -> Ended | StoreError:
        """Run the attempt; the store's error if the store failed under it."""
        ids = IdReservation(self.store)
        clock = OffsetClock(start)
        # On a simulated clock, entries say when they were really written (and keep the
        # simulated time beside it); the job itself still lives in simulated time.
        stamp = lifecycle.real_time(self.real_clock) if simulated else lifecycle.as_is
        self._log.begin(stamp(lifecycle.job_entry(
            job, lifecycle.STARTED, f"attempt {job.attempts}/{job.max_attempts} started", start)))
        began = self.timer()
        try:
            execution = execute(self.resources.dialect, job, clock=clock, reserve_id=ids,
                                environment=self.settings.environment,
                                on_log=lambda entry: self._log.add(stamp(entry)),
                                data=self.resources.data)
        except StoreError as err:
            self._log.drop()
            with contextlib.suppress(StoreError):
                ids.abandon()
            return err
        except MemoryError:
            limit = self.settings.memory_limit_mb
            ended = Ended(Ending.FAILED, JobError.at(
                job, "MemoryLimit", "the attempt went over its memory limit"
                + (f" of {limit:g} MB (memory_limit_mb)" if limit else "")))
        except Exception as err:  # a bug of ours: the attempt's error, and keep serving
            ended = Ended(Ending.FAILED, JobError.at(job, "InternalError",
                                                     f"{type(err).__name__}: {err}"))
        else:
            if execution.ok:
                ended = Ended(Ending.DONE, new_jobs=execution.jobs)
            else:
                ended = Ended(Ending.FAILED, execution.error)
        ended.duration = self.timer() - began
        try:
            if ended.ending is Ending.DONE:
                ids.release_unused()
            else:
                ids.abandon()
        except StoreError:
            pass  # unused ids stay a gap
        return ended

    def _record(self, job: Job, ended: Ended, start: float, order: Work,
                tell: Callable[[FromSlot], None], should_stop: Callable[[], bool]
                ) -> tuple[Job | None, Finished]:
        """Record the attempt and, in the same transaction when draining, claim the next;
        returns that and the `Finished` to tell."""
        at = max(start + (ended.duration or 0.0), order.now or self.real_clock.now())
        following: Job | None = None  # claimed in the same transaction (draining)
        status: JobStatus | None = None
        tries = 0

        def write() -> None:
            nonlocal following, status, tries
            tries += 1
            with self._log.ending() as logs:
                ended.logs = logs
                result = conclude(job, ended, at, self.rng)
                if order.now is not None:
                    result.logs = [lifecycle.real_time(self.real_clock)(e) for e in result.logs]
                if order.drain:
                    now = self.real_clock.now()
                    status, following = self._claiming(
                        lambda: self.store.finish_and_claim(
                            job, result, NextClaim(self.name, now, self._lease(now))),
                        taken=lambda answer: answer[1])
                else:
                    status = self.store.finish_attempt(job, result)
                if status is None and tries > 1:
                    status = self._recorded_before(job, result)

        if not self._write(write, tell, should_stop):
            status = None  # given up (told to stop): lease recovery will settle it
        return following, Finished(label(job), status, ended.duration or 0.0, ended.error)

    def _recorded_before(self, job: Job, result: AttemptResult) -> JobStatus | None:
        """The status an earlier try of recording `result` wrote, if it was committed with
        its answer lost (the retry then finds the claim gone); None if someone else, lease
        recovery for one, recorded the attempt meanwhile."""
        stored = self.store.get_job(job.id)
        if stored is not None and stored.attempts == job.attempts \
                and stored.status is result.status and stored.last_error == result.error:
            return result.status
        return None

    def _release(self, job: Job, tell: Callable[[FromSlot], None],
                 should_stop: Callable[[], bool]) -> None:
        self._write(lambda: self.store.release(job, self.real_clock.now()), tell, should_stop)

    def _write(self, write: Callable[[], None], tell: Callable[[FromSlot], None],
               should_stop: Callable[[], bool]) -> bool:
        """Do a write the store must get, retrying with backoff while the store fails.
        Gives up (False) only when told to stop: the claim then waits for lease recovery."""
        failures = 0
        while True:
            try:
                write()
            except StoreError as err:
                if failures == 0:
                    tell(StoreTrouble(err.message))
                if should_stop():
                    return False
                failures += 1
                self._sleep(store_pause(failures))
                continue
            if failures:
                tell(StoreTrouble("", cleared=True))
            return True


class AttemptLog:
    """The log entries of the attempt under way. An attempt that ends quickly stores them
    with its end, in one transaction; one that runs longer has them written every
    `FLUSH_SECONDS` by a small thread, so `logs --follow` shows a long job as it works.
    (The thread looks on its own schedule: writing an entry costs the attempt no wake-up.)"""

    def __init__(self, store: Store, flush_seconds: float = FLUSH_SECONDS) -> None:
        self._store = store
        self._flush_seconds = flush_seconds
        self._pending: list[LogEntry] = []
        self._since = 0.0  # when the attempt began (time.monotonic)
        self._lock = threading.Lock()  # held while entries are written, so they stay in order
        self._mutex = threading.Lock()  # guards `_pending`
        self._closed = threading.Event()
        self._thread: threading.Thread | None = None

    def begin(self, first: LogEntry) -> None:
        with self._mutex:
            self._pending = [first]
        self._since = time.monotonic()
        if self._thread is None:
            self._thread = threading.Thread(target=self._flush_loop, daemon=True,
                                            name="posjobs-log-flush")
            self._thread.start()

    def add(self, entry: LogEntry) -> None:
        with self._mutex:
            self._pending.append(entry)

    def drop(self) -> None:
        with self._mutex:
            self._pending = []

    @contextmanager
    def ending(self) -> Iterator[list[LogEntry]]:
        """The entries not yet written, with writing held off until the attempt's end is
        recorded (they go in that transaction); kept if recording it fails."""
        with self._lock:
            with self._mutex:
                entries = list(self._pending)
            yield entries
            with self._mutex:
                self._pending = []

    def close(self) -> None:
        self._closed.set()

    def _flush_loop(self) -> None:
        while not self._closed.wait(self._flush_seconds):
            if not self._pending or time.monotonic() - self._since < self._flush_seconds:
                continue
            with self._lock:
                with self._mutex:
                    entries, self._pending = self._pending, []
                if not entries:
                    continue
                try:
                    self._store.add_logs(entries)
                except StoreError:
                    with self._mutex:  # kept for the attempt's end, which retries
                        self._pending[:0] = entries
