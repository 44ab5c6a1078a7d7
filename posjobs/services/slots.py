"""Job attempts in child processes: real parallelism, and a time limit that stops an attempt
even when it never yields (a huge loop, a slow filter).

Each slot is a long-lived child process that loads the project once and runs one attempt at
a time. An attempt over its limit, or one the user kills, is stopped by killing its process;
the slot is replaced on next use. Children ignore Ctrl-C: the parent decides when to stop.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Protocol

from posjobs.clock import OffsetClock
from posjobs.data import DataLayer
from posjobs.jobs.model import Job, LogEntry
from posjobs.liquid import Dialect
from posjobs.project import Project
from posjobs.services.execute import Execution, execute
from posjobs.services.ids import IdReservation
from posjobs.store import open_store
from posjobs.store.base import Store
from posjobs.store.data import data_store_path


@dataclass(frozen=True)
class TimedOut:
    limit: float
    logs: tuple[LogEntry, ...] = ()  # what the attempt logged before it was stopped


@dataclass(frozen=True)
class Stopped:
    reason: str  # "killed" (by the user), "shutdown" (the worker is stopping), "crashed"
    logs: tuple[LogEntry, ...] = ()  # what the attempt logged before it was stopped


Attempted = Execution | TimedOut | Stopped


class Executor(Protocol):
    """Runs one attempt of a job, starting at simulated time `start`, within `limit` seconds."""

    def run(self, job: Job, start: float, limit: float) -> Attempted: ...

    def kill(self, job_id: int) -> bool: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class SlotConfig:
    """What a child process needs to set itself up (sent once, when it starts)."""

    project_root: str
    store_url: str  # what `open_store` opens: the same store, from another process
    environment: str


class InlineExecutor:
    """Runs attempts in the calling thread: no child process, and so no hard time limit.

    For the self-driving slots (`drivers.py`, whose worker process enforces the limits)
    and for unit tests of the worker's rules.
    """

    def __init__(self, dialect: Dialect, store: Store, environment: str,
                 timer: Callable[[], float] = time.perf_counter,
                 on_log: Callable[[LogEntry], None] | None = None,
                 data: DataLayer | None = None) -> None:
        self._dialect = dialect
        self._data = data
        self._store = store
        self._environment = environment
        self._timer = timer
        self._on_log = on_log

    def run(self, job: Job, start: float, limit: float) -> Attempted:
        return _run_attempt(self._dialect, self._store, self._environment, job, start,
                            self._timer, self._on_log, self._data)

    def kill(self, job_id: int) -> bool:
        return False

    def close(self) -> None:
        pass


class ProcessExecutor:
    """Up to `size` attempts at once, each in its own child process, handed over one by one:
    for one-off runs (fast-forward, `jobs run`), where the order matters more than the rate.
    Thread-safe."""

    def __init__(self, config: SlotConfig, size: int) -> None:
        self._config = config
        self._context = process_context()
        self._idle: list[_Slot] = []
        self._busy: dict[int, _Slot] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._size = size

    def run(self, job: Job, start: float, limit: float) -> Attempted:
        if self._stopping.is_set():
            return Stopped("shutdown")
        slot = self._checkout(job.id)
        try:
            if self._stopping.is_set():  # close() ran while this slot was being started
                slot.stop("shutdown")
            return slot.run(job, start, limit)
        finally:
            self._checkin(job.id, slot)

    def kill(self, job_id: int) -> bool:
        # Under the lock, so the slot cannot move on to another job between look-up and kill.
        with self._lock:
            slot = self._busy.get(job_id)
            if slot is None:
                return False
            slot.stop("killed")
        return True

    def close(self) -> None:
        """Stop running attempts (they return `Stopped("shutdown")`), refuse new ones, and
        end every child process."""
        self._stopping.set()
        with self._lock:
            busy = list(self._busy.values())
        for slot in busy:
            slot.stop("shutdown")
        with self._lock:
            idle, self._idle = self._idle, []
        for slot in idle:
            slot.close()

    def _checkout(self, job_id: int) -> _Slot:
        with self._lock:
            slot = self._idle.pop() if self._idle else None
        if slot is None:
            slot = _Slot(self._context, self._config)
        with self._lock:
            self._busy[job_id] = slot
        return slot

    def _checkin(self, job_id: int, slot: _Slot) -> None:
        with self._lock:
            self._busy.pop(job_id, None)
            if slot.alive and len(self._idle) < self._size:
                self._idle.append(slot)
                return
        slot.close()


class _Slot:
    """One child process and the pipe to it."""

    def __init__(self, context: BaseContext, config: SlotConfig) -> None:
        parent, child = context.Pipe()
        self._conn: Connection = parent
        self._process: BaseProcess = context.Process(  # type: ignore[attr-defined]
            target=_child_main, args=(child, config), daemon=True, name="posjobs-slot"
        )
        self._process.start()
        child.close()
        self._stop_reason: str | None = None

    @property
    def alive(self) -> bool:
        return self._stop_reason is None and self._process.is_alive()

    def run(self, job: Job, start: float, limit: float) -> Attempted:
        logs: list[LogEntry] = []  # the attempt's entries as it writes them
        deadline = time.monotonic() + limit
        try:
            self._conn.send((job, start))
            while True:
                if not self._conn.poll(max(0.0, deadline - time.monotonic())):
                    self._kill("timeout")
                    return TimedOut(limit, tuple(logs))
                kind, value = self._conn.recv()
                if kind == "log":
                    logs.append(value)
                else:
                    result: Execution = value
                    return result
        except (EOFError, OSError, BrokenPipeError):
            self._kill(self._stop_reason or "crashed")
            return Stopped(self._stop_reason or "crashed", tuple(logs))

    def stop(self, reason: str) -> None:
        self._kill(reason)

    def _kill(self, reason: str) -> None:
        if self._stop_reason is None:
            self._stop_reason = reason
        if self._process.is_alive():
            self._process.kill()
        self._process.join(5)

    def close(self) -> None:
        self._conn.close()  # the child sees EOF and exits
        self._process.join(2)
        if self._process.is_alive():
            self._process.kill()
            self._process.join(2)


def process_context() -> BaseContext:
    """forkserver: new slots fork from a clean server with posjobs (and its whole Liquid
    dialect) already imported, so a slot starts in milliseconds."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["posjobs.services.drivers", "posjobs.liquid.tags",
                                        "posjobs.liquid.filters"])
        return context
    return multiprocessing.get_context("spawn")


def _child_main(conn: Connection, config: SlotConfig) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group
    project = Project(Path(config.project_root))
    dialect = Dialect(project)
    store = open_store(config.store_url)
    data = DataLayer(project, data_store_path(config.store_url))
    try:
        while True:
            try:
                job, start = conn.recv()
            except (EOFError, OSError):
                return
            result = _run_attempt(dialect, store, config.environment, job, start,
                                  on_log=lambda entry: tell(conn, ("log", entry)), data=data)
            conn.send(("done", result))
    finally:
        data.close()
        store.close()


def _run_attempt(dialect: Dialect, store: Store, environment: str, job: Job, start: float,
                 timer: Callable[[], float] = time.perf_counter,
                 on_log: Callable[[LogEntry], None] | None = None,
                 data: DataLayer | None = None) -> Execution:
    ids = IdReservation(store)
    began = timer()
    try:
        execution = execute(dialect, job, clock=OffsetClock(start), reserve_id=ids,
                            environment=environment, on_log=on_log, data=data)
    except Exception as err:  # a bug of ours: report it as the attempt's error, keep serving
        execution = Execution(False, error={"class": "InternalError",
                                            "message": f"{type(err).__name__}: {err}",
                                            "path": job.template, "line": job.line,
                                            "column": None})
    execution.duration = timer() - began
    if execution.ok:
        ids.release_unused()
    else:
        ids.abandon()
    return execution


def tell(conn: Connection, message: object) -> None:
    """Send to the worker process if it is still there. A log entry must never fail the job
    that wrote it: if the worker is gone, the entry is stored with the attempt's result."""
    with contextlib.suppress(OSError, ValueError):
        conn.send(message)

