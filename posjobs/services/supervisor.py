"""The supervisor: starts slot processes, hands them orders, and watches them.

It is the one runtime behind every way jobs run; the real-time worker (`worker.py`) and the
one-off runs (`runner.py`) differ only in the orders they give and the clock they use. It
keeps the leases of running attempts alive, stops an attempt at its time limit or on
`jobs kill` (by killing its slot), records what a slot that died could not (through the one
rule in `outcome.py`), releases claims a slot took but never started, replaces slots, and
says once, calmly, when the store fails and when it works again. Single-threaded: every
method is called from the thread that created it.
"""

from __future__ import annotations

import contextlib
import os
import random
import selectors
import signal
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass

from posjobs.clock import Clock, SystemClock
from posjobs.config import Settings
from posjobs.errors import PosjobsError, StoreError
from posjobs.jobs.backoff import RandomSource
from posjobs.jobs.model import Job, JobError, JobStatus
from posjobs.project import Project
from posjobs.services.messages import (
    Broken,
    Finished,
    FromSlot,
    Idle,
    JobLabel,
    Ready,
    Started,
    Stop,
    StoreTrouble,
    Work,
    receive,
    send,
    waiting,
)
from posjobs.services.outcome import Ended, conclude
from posjobs.services.slot import SlotConfig
from posjobs.services.slot_process import CANNOT_IMPORT, spawn
from posjobs.store.base import JobFilter, Store, store_pause

CONTROL_SECONDS = 0.25  # how soon a running attempt obeys `posjobs jobs kill`
DAY = 86_400.0


@dataclass(frozen=True)
class Outcome:
    """How one attempt ended, for progress output."""

    job: JobLabel
    status: JobStatus | None  # None when the job was released or its claim lost meanwhile
    duration: float
    error: JobError | None
    released: bool = False  # put back unrun (the worker is stopping, or the store failed)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{random.randrange(16**4):04x}"


@dataclass
class _Attempt:
    job: JobLabel
    at: float  # when it began, on the order's clock
    began: float  # when it began, time.monotonic()
    limit: float
    recording: bool = False  # ran, and its end waits for the store: no longer timed


class _SlotHandle:
    """The supervisor's side of one slot process."""

    def __init__(self, config: SlotConfig) -> None:
        self.name = config.name
        self.process, self.conn = spawn(config)
        self.said_more = waiting(self.conn)  # a message (or the pipe's end) waits
        self.ready = False
        self.working = False  # serving an order
        self.attempt: _Attempt | None = None
        self.kill: tuple[int, str] | None = None  # (job id, "timeout"|"killed"|"shutdown")
        self.broken: Broken | None = None
        self.ended = 0.0  # when it was found dead (time.monotonic)

    def send(self, message: Work | Stop) -> None:
        with contextlib.suppress(OSError, ValueError):  # gone: its end of file says so
            send(self.conn, message)

    def stop_now(self, job_id: int, reason: str) -> None:
        if self.kill is None:
            self.kill = (job_id, reason)
        if self.process.poll() is None:
            self.process.kill()


class Supervisor:
    """`size` slots running attempts against `store`, supervised from this thread."""

    def __init__(
        self,
        project: Project,
        store: Store,
        settings: Settings,
        store_url: str,
        *,
        size: int,
        name: str | None = None,
        speed: float = 1.0,
        rng: RandomSource | None = None,
        real_clock: Clock | None = None,
        on_outcome: Callable[[Outcome], None] | None = None,
        on_notice: Callable[[str], None] | None = None,
    ) -> None:
        self.project = project
        self.store = store
        self.settings = settings
        self.store_url = store_url
        self.size = size
        self.name = name or worker_name()
        self.speed = speed
        self.rng = rng or random.Random()
        self.real_clock = real_clock or SystemClock()
        self.on_outcome = on_outcome or (lambda _outcome: None)
        self.on_notice = on_notice or (lambda _message: None)
        self.stopping = False
        self.trouble: str | None = None  # the store's failure, while it lasts
        self.trouble_since = 0.0  # time.monotonic()
        self.broken: Broken | None = None  # why slots cannot start, if they cannot
        self._slots: list[_SlotHandle] = []
        self._unsettled: list[tuple[_SlotHandle, int]] = []  # dead slots, claims to settle
        self._serial = 0
        self._hold_until = 0.0  # no new orders before this (the store is failing)
        self._failures = 0
        self._next_control = 0.0
        self._next_beat = 0.0
        self._next_start = 0.0  # slots that die at start are restarted after a pause
        self._starts_failed = 0
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        # One selector for the supervisor's life: slots come and go from it.
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._wake_r, selectors.EVENT_READ, None)

    # --- slots ------------------------------------------------------------------------------
    def start(self) -> None:
        """Start missing slots (not while stopping, nor while they cannot start)."""
        if self.stopping or time.monotonic() < self._next_start:
            return
        while len(self._slots) < self.size:
            self._serial += 1
            config = SlotConfig(str(self.project.root), self.store_url, self.settings,
                                f"{self.name}/{self._serial}", self.speed)
            try:
                slot = _SlotHandle(config)
            except OSError as err:  # no process could be started (limits, memory)
                self._starts_failed += 1
                self.broken = Broken(f"cannot start a slot process: {err}", store=False)
                if self._starts_failed == 1:
                    self.on_notice(self.broken.message)
                self._next_start = time.monotonic() + min(5.0, 0.2 * 2 ** self._starts_failed)
                return
            self._slots.append(slot)
            self._selector.register(slot.conn.fileno(), selectors.EVENT_READ, slot)

    def dispatch(self, order: Work, slots: int | None = None) -> int:
        """Give `order` to up to `slots` idle slots (all of them by default); how many took
        it; none while the store is failing and its backoff lasts."""
        if self.stopping or time.monotonic() < self._hold_until:
            return 0
        given = 0
        for slot in self._slots:
            if slot.ready and not slot.working and (slots is None or given < slots):
                slot.working = True
                slot.send(order)
                given += 1
        return given

    def idle(self) -> bool:
        """No slot is serving an order (slots still starting count as idle)."""
        return not any(slot.working for slot in self._slots)

    def run(self, order: Work) -> list[Outcome]:
        """Give `order` to one slot and wait until it is carried out; the attempts it ran.

        For one-off runs: a store failure ends it with the store's error (exit 5)."""
        seen: list[Outcome] = []
        report = self.on_outcome

        def keep(outcome: Outcome) -> None:
            seen.append(outcome)
            report(outcome)

        self.on_outcome = keep
        try:
            while not self.dispatch(order, slots=1):
                if self.broken is not None:
                    raise (StoreError if self.broken.store else PosjobsError)(
                        self.broken.message)
                if self.trouble is not None:
                    raise StoreError(self.trouble)
                self.poll(0.05)
            while not self.idle():
                self.poll(0.05)
                if self.trouble is not None:
                    self.stop()  # a one-off run does not wait for the store to come back
        finally:
            self.on_outcome = report
        if self.trouble is not None:
            raise StoreError(self.trouble)
        return seen

    def running(self) -> list[int]:
        return [s.attempt.job.id for s in self._slots if s.attempt is not None]

    def wake(self) -> None:
        """Make a `poll` under way return now (safe from any thread)."""
        with contextlib.suppress(BlockingIOError, OSError):
            self._wake_w.send(b"!")

    def poll(self, timeout: float) -> None:
        """Wait up to `timeout` seconds for slots to report, and handle what they said; then
        the duties: time limits, kill requests, leases, replacing slots that died."""
        for key, _events in self._selector.select(timeout):
            slot = key.data
            if slot is None:  # woken
                with contextlib.suppress(BlockingIOError, OSError):
                    while self._wake_r.recv(4096):
                        pass
                continue
            try:
                while slot.said_more():
                    self._handle(slot, receive(slot.conn))
            except (EOFError, OSError):
                self._gone(slot)
        self._duties()

    def stop(self) -> None:
        """Claim nothing new: each slot stops once its attempt under way ends."""
        self.stopping = True
        for slot in self._slots:
            slot.send(Stop())

    def stop_now(self) -> None:
        """Stop every running attempt now; their jobs are released, unrun."""
        self.stop()
        for slot in self._slots:
            if slot.attempt is not None:
                slot.stop_now(slot.attempt.job.id, "shutdown")

    def close(self, timeout: float = 10.0) -> None:
        """Stop now and wait for every slot to end, recording what they leave."""
        deadline = time.monotonic() + timeout
        while self._slots and time.monotonic() < deadline:
            self.stop_now()  # attempts reported meanwhile are stopped too
            self.poll(0.05)
        for slot in list(self._slots):
            slot.process.kill()
            self._gone(slot)
        self._selector.close()
        self._wake_r.close()
        self._wake_w.close()

    def __enter__(self) -> Supervisor:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # --- what slots say -----------------------------------------------------------------------
    def _handle(self, slot: _SlotHandle, message: FromSlot) -> None:
        if isinstance(message, Ready):
            slot.ready = True
            self._starts_failed = 0
            self.broken = None
        elif isinstance(message, Started):
            limit = self.settings.time_limits.for_priority(message.job.priority)
            slot.attempt = _Attempt(message.job, message.at, time.monotonic(), limit)
            self._store_works()
        elif isinstance(message, Finished):
            slot.attempt = None
            if message.status is not None:
                self._store_works()
            self.on_outcome(Outcome(message.job, message.status, message.duration,
                                    message.error, released=message.released))
            if message.next is not None:
                self._handle(slot, message.next)
        elif isinstance(message, Idle):
            slot.working = False
        elif isinstance(message, StoreTrouble):
            if message.cleared:
                self._store_works()
            else:
                if slot.attempt is not None:
                    slot.attempt.recording = True
                self.store_failed(message.message)
        elif isinstance(message, Broken):
            slot.broken = message

    def _gone(self, slot: _SlotHandle) -> None:
        """A slot ended: settle the claims it held, and replace it."""
        if slot not in self._slots:
            return
        self._slots.remove(slot)
        with contextlib.suppress(KeyError, ValueError):
            self._selector.unregister(slot.conn.fileno())
        code = slot.process.wait()
        slot.ended = time.monotonic()
        slot.conn.close()
        if slot.broken is not None or not slot.ready:
            self._failed_start(slot, code)
        self._unsettled.append((slot, code))
        self._settle_all()
        self.start()

    def _settle_all(self) -> None:
        """Settle what dead slots left; while the store fails, retried with the duties,
        until the claims' leases expire and lease recovery settles them instead."""
        while self._unsettled:
            slot, code = self._unsettled[0]
            try:
                self._settle(slot, code)
            except StoreError as err:
                self.store_failed(err.message)
                return
            self._unsettled.pop(0)

    def _settle(self, slot: _SlotHandle, code: int) -> None:
        held = self.store.list_jobs(JobFilter(statuses=(JobStatus.RUNNING,),
                                              workers=(slot.name,), limit=None))
        attempt = slot.attempt
        for job in held:
            started = attempt is not None and attempt.job.id == job.id
            reason = slot.kill[1] if slot.kill and slot.kill[0] == job.id else None
            if not started or (slot.kill and reason is None) or reason == "shutdown":
                # Claimed but never started, or stopped on purpose before it could matter:
                # as if never claimed, so it costs no attempt.
                self.store.release(job, self.real_clock.now())
                if started:
                    self.on_outcome(Outcome(attempt.job, None, 0.0, None,  # type: ignore[union-attr]
                                            released=True))
                continue
            assert attempt is not None
            took = slot.ended - attempt.began
            if reason == "timeout":
                ended = Ended.timeout(job, attempt.limit, took)
            elif reason == "killed":
                ended = Ended.killed(job, took)
            else:
                ended = Ended.crashed(job, _death(code), took)
            result = conclude(job, ended, attempt.at + took, self.rng)
            status = self.store.finish_attempt(job, result)
            self.on_outcome(Outcome(attempt.job, status, took, ended.error))

    def _failed_start(self, slot: _SlotHandle, code: int) -> None:
        """A slot that could not start: say why once, and retry later."""
        self._starts_failed += 1
        why = ("posjobs cannot be imported in it (is the installation complete?)"
               if code == CANNOT_IMPORT else _exit_text(code))
        self.broken = slot.broken or Broken(f"a slot process exited at start: {why}",
                                            store=False)
        if self._starts_failed == 1:
            self.on_notice(f"cannot start a slot: {self.broken.message}")
        self._next_start = time.monotonic() + min(5.0, 0.2 * 2 ** self._starts_failed)

    # --- duties -----------------------------------------------------------------------------
    def _duties(self) -> None:
        now = time.monotonic()
        for slot in self._slots:
            attempt = slot.attempt
            if attempt is not None and not attempt.recording and slot.kill is None \
                    and now - attempt.began > attempt.limit:
                slot.stop_now(attempt.job.id, "timeout")
        if len(self._slots) < self.size:
            self.start()
        if self._unsettled and now >= self._hold_until:
            self._settle_all()
        running = {s.attempt.job.id: s for s in self._slots if s.attempt is not None}
        if not running or now < self._hold_until:
            return
        try:
            if now >= self._next_control:
                self._next_control = now + CONTROL_SECONDS
                for job_id in self.store.kill_requested(list(running)):
                    running[job_id].stop_now(job_id, "killed")
            if now >= self._next_beat:
                lease = self.settings.lease_seconds
                until = self.real_clock.now() + lease
                for job_id, slot in running.items():
                    self.store.heartbeat(slot.name, [job_id], until)
                self._next_beat = now + lease / 3
                self._store_works()
        except StoreError as err:
            self.store_failed(err.message)

    def recover(self) -> list[Job]:
        """Finish the attempts of workers that vanished (their leases expired)."""
        now = self.real_clock.now()
        try:
            jobs = self.store.recover_expired(
                now, lambda job: conclude(job, Ended.lost(job), now, self.rng))
        except StoreError as err:
            self.store_failed(err.message)
            return []
        return jobs

    def apply_retention(self, now: float) -> tuple[int, int]:
        """Forget done jobs and log entries past the limits `posjobs.toml` sets. Dead jobs
        are never purged automatically: they wait for a person to look."""
        keep = self.settings.retention
        try:
            jobs = self.store.purge_jobs((JobStatus.DONE,), now - keep.done_jobs_days * DAY,
                                         keep_newest=keep.max_done_jobs)
            logs = self.store.purge_logs(now - keep.log_days * DAY, keep_newest=keep.max_logs)
        except StoreError as err:
            self.store_failed(err.message)
            return 0, 0
        return jobs, logs

    # --- the store's health -------------------------------------------------------------------
    def store_failed(self, message: str) -> None:
        """Note a store failure: said once, new orders held off with backoff."""
        if self.trouble is None:
            self.trouble_since = time.monotonic()
            self.on_notice(f"store error: {message}; retrying")
        self.trouble = message
        self._failures += 1
        self._hold_until = time.monotonic() + store_pause(self._failures)

    def _store_works(self) -> None:
        if self.trouble is not None:
            self.on_notice("the store works again")
        self.trouble = None
        self._failures = 0
        self._hold_until = 0.0

    def trouble_for(self) -> float:
        """Seconds the store has been failing (0 when it works)."""
        return 0.0 if self.trouble is None else time.monotonic() - self.trouble_since


def _death(code: int) -> str:
    return f"the process running the attempt died ({_exit_text(code)})"


def _exit_text(code: int) -> str:
    if code < 0:
        try:
            return signal.Signals(-code).name
        except ValueError:
            return f"signal {-code}"
    return f"exit code {code}"

