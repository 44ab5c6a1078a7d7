"""Self-driving slots for the real-time worker: each child process claims, runs and records
its own jobs on its own store connection, so jobs flow without a round trip through the
worker process. The worker process supervises: it wakes idle slots when jobs come due, keeps
their leases alive, enforces time limits, obeys `jobs kill`, and replaces a slot that dies.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from posjobs.clock import SystemClock
from posjobs.config import Settings
from posjobs.data import DataLayer
from posjobs.jobs.model import Job, JobStatus, LogEntry
from posjobs.liquid import Dialect
from posjobs.project import Project
from posjobs.services.slots import InlineExecutor, Stopped, TimedOut, process_context, tell
from posjobs.services.worker import Outcome, Worker
from posjobs.store import open_store
from posjobs.store.data import data_store_path


@dataclass(frozen=True)
class DriverConfig:
    """What a slot needs to set itself up (sent once, when it starts)."""

    project_root: str
    store_url: str
    settings: Settings
    name: str  # the worker name its claims carry
    speed: float


class Driver:
    """The worker process's handle on one self-driving slot."""

    def __init__(self, context: BaseContext, config: DriverConfig,
                 on_message: Callable[[Driver, tuple[Any, ...]], None],
                 on_exit: Callable[[Driver], None]) -> None:
        self.config = config
        self.name = config.name
        self.job_id: int | None = None  # the attempt under way
        self.priority = "default"
        self.logs: list[LogEntry] = []  # what the attempt under way has logged so far
        self.started = 0.0  # when it began (time.monotonic)
        self.began_at = 0.0  # when it began (the clock's time)
        self.idle = False
        self.stop_reason: str | None = None  # why we killed it, if we did
        parent, child = context.Pipe()
        self._conn: Connection = parent
        self._send_lock = threading.Lock()
        self._process: BaseProcess = context.Process(  # type: ignore[attr-defined]
            target=_driver_main, args=(child, config), daemon=True, name="posjobs-slot")
        self._process.start()
        child.close()
        self._on_message = on_message
        self._on_exit = on_exit
        self._pump = threading.Thread(target=self._read, name=f"posjobs-{self.name}",
                                      daemon=True)
        self._pump.start()

    def send(self, message: str) -> None:
        try:
            with self._send_lock:
                self._conn.send(message)
        except (OSError, ValueError):
            pass  # it is gone; its reader reports that

    def wake(self) -> None:
        self.idle = False
        self.send("wake")

    def kill(self, reason: str) -> None:
        if self.stop_reason is None:
            self.stop_reason = reason
        if self._process.is_alive():
            self._process.kill()

    def join(self, timeout: float) -> None:
        self._pump.join(timeout)
        self._process.join(timeout)

    def _read(self) -> None:
        while True:
            try:
                message = self._conn.recv()
            except (EOFError, OSError):
                break
            self._on_message(self, message)
        self._process.join(5)
        self._conn.close()
        self._on_exit(self)


def _driver_main(conn: Connection, config: DriverConfig) -> None:
    """A slot: on each wake-up, claim and run due jobs until none is due, then report idle."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the worker process decides when to stop
    project = Project(Path(config.project_root))
    store = open_store(config.store_url)
    data = DataLayer(project, data_store_path(config.store_url))
    dialect = Dialect(project)
    worker = Worker(project, store, config.settings, clock=SystemClock(), name=config.name,
                    speed=config.speed, guard=False,  # the worker process guards us
                    executor=InlineExecutor(
                        dialect, store, config.settings.environment,
                        # Each entry as it is written, so that it survives a stopped attempt.
                        on_log=lambda entry: tell(conn, ("log", entry)), data=data))
    try:
        while True:
            try:
                if conn.recv() == "stop":
                    return
                # Small messages: the worker process reads a job from the store only when
                # it must record an attempt this slot could not finish. Each job's end also
                # says which job the slot took next (in the same transaction).
                job = worker.claim()
                if job is not None:
                    conn.send(("start", _running(job, worker)))
                while job is not None:
                    if _told_to_stop(conn):  # between jobs: stop if told to, else carry on
                        store.release(job, worker.clock.now())
                        return
                    outcome, next_job = worker.process_then_claim(job)
                    status = outcome.status.value if outcome.status else None
                    conn.send(("end", job.id, job.source_name, job.attempts, job.max_attempts,
                               status, outcome.duration, outcome.error,
                               _running(next_job, worker) if next_job else None))
                    job = next_job
                conn.send(("idle",))
            except (EOFError, OSError):
                return
    finally:
        data.close()
        store.close()


@dataclass(frozen=True)
class _JobLabel:
    """What progress output shows of a job a slot ran (the slot keeps the job itself)."""

    id: int
    source_name: str
    attempts: int
    max_attempts: int


def _told_to_stop(conn: Connection) -> bool:
    try:
        while conn.poll(0):
            if conn.recv() == "stop":
                return True
    except (EOFError, OSError):
        return True  # the worker process is gone
    return False


def _running(job: Job, worker: Worker) -> tuple[int, str, float]:
    """What the worker process tracks of an attempt under way."""
    return job.id, job.priority.value, worker.clock.now()


class DriverPool:
    """`size` self-driving slots and their supervision. Thread-safe."""

    def __init__(self, project: Project, supervisor: Worker, store_url: str, size: int,
                 on_outcome: Callable[[Outcome], None] | None = None) -> None:
        self.project = project
        self.supervisor = supervisor  # records the attempts a slot could not finish itself
        self.store_url = store_url
        self.size = size
        self.on_outcome = on_outcome
        self.stopping = False
        self._context = process_context()
        self._lock = threading.RLock()
        self._drivers: list[Driver] = []
        self._serial = 0
        self._next_beat = 0.0

    def start(self) -> None:
        with self._lock:
            while len(self._drivers) < self.size:
                self._drivers.append(self._new_driver())

    def wake_idle(self) -> None:
        with self._lock:
            for driver in self._drivers:
                if driver.idle:
                    driver.wake()

    def all_idle(self) -> bool:
        with self._lock:
            return all(driver.idle for driver in self._drivers)

    def running(self) -> list[int]:
        with self._lock:
            return [d.job_id for d in self._drivers if d.job_id is not None]

    def supervise(self) -> None:
        """Time limits, kill requests and leases of the attempts under way."""
        now = time.monotonic()
        with self._lock:
            busy = [(d, d.job_id) for d in self._drivers if d.job_id is not None]
        if not busy:
            return
        settings = self.supervisor.settings
        for driver, _job_id in busy:
            if now - driver.started > settings.time_limits.for_priority(driver.priority):
                driver.kill("timeout")
        store = self.supervisor.store
        killed = set(store.kill_requested([job_id for _, job_id in busy]))
        for driver, job_id in busy:
            if job_id in killed and driver.job_id == job_id:
                driver.kill("killed")
        if now >= self._next_beat:
            lease = settings.lease_seconds
            until = self.supervisor.real_clock.now() + lease
            for driver, job_id in busy:
                store.heartbeat(driver.name, [job_id], until)
            self._next_beat = now + lease / 3

    def stop(self) -> None:
        """Ask every slot to stop once its current attempt ends."""
        with self._lock:
            self.stopping = True
            drivers = list(self._drivers)
        for driver in drivers:
            driver.send("stop")

    def stop_now(self) -> None:
        """Stop every slot at once; the jobs they were running are released, unrun."""
        with self._lock:
            self.stopping = True
            drivers = list(self._drivers)
        for driver in drivers:
            driver.kill("shutdown")

    def join(self, timeout: float) -> None:
        with self._lock:
            drivers = list(self._drivers)
        for driver in drivers:
            driver.join(timeout)

    def busy(self) -> bool:
        with self._lock:
            return any(d.job_id is not None for d in self._drivers)

    # --- messages from the slots --------------------------------------------------------------
    def _new_driver(self) -> Driver:
        self._serial += 1
        sup = self.supervisor
        config = DriverConfig(str(self.project.root), self.store_url, sup.settings,
                              f"{sup.name}/{self._serial}", sup.speed)
        driver = Driver(self._context, config, self._message, self._exited)
        driver.wake()
        return driver

    def _message(self, driver: Driver, message: tuple[Any, ...]) -> None:
        kind = message[0]
        if kind == "log":
            driver.logs.append(message[1])
        elif kind == "start":
            self._begin(driver, message[1])
        elif kind == "end":
            (_, job_id, source_name, attempts, max_attempts, status, duration, error,
             following) = message
            self._begin(driver, following)
            if self.on_outcome is not None:
                self.on_outcome(Outcome(
                    _JobLabel(job_id, source_name, attempts, max_attempts),  # type: ignore[arg-type]
                    JobStatus(status) if status else None, duration, error))
        elif kind == "idle":
            driver.idle = True

    @staticmethod
    def _begin(driver: Driver, running: tuple[int, str, float] | None) -> None:
        driver.logs = []
        if running is None:
            driver.job_id = None
            return
        driver.job_id, driver.priority, driver.began_at = running
        driver.started = time.monotonic()

    def _exited(self, driver: Driver) -> None:
        """A slot ended: record the attempt it left unfinished, and replace it."""
        job_id = driver.job_id
        driver.job_id = None
        job = self.supervisor.store.get_job(job_id) if job_id is not None else None
        if job is not None and job.status is JobStatus.RUNNING and job.worker == driver.name:
            took = time.monotonic() - driver.started
            reason = driver.stop_reason or "crashed"
            logs = tuple(driver.logs)
            if reason == "timeout":
                limit = self.supervisor.settings.time_limits.for_priority(job.priority.value)
                result: TimedOut | Stopped = TimedOut(limit, logs)
            else:
                result = Stopped(reason, logs)
            self.supervisor.record(job, result, driver.began_at, took)
        with self._lock:
            if driver in self._drivers:
                self._drivers.remove(driver)
                if not self.stopping:
                    self._drivers.append(self._new_driver())
