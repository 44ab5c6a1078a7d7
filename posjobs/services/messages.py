"""The messages a supervisor and its slots exchange over a slot's pipe, one class each.

Supervisor to slot: `Work` (an order), `Stop`. Slot to supervisor: `Ready`, `Started`,
`Finished`, `Idle`, `StoreTrouble`, `Broken`. Each is a small frozen dataclass; the pipe
pickles them (between processes of one posjobs, never into the store).
"""

from __future__ import annotations

import pickle
import select
from collections.abc import Callable
from dataclasses import dataclass, fields
from multiprocessing.connection import Connection
from typing import Any

from posjobs.jobs.model import JobError, JobStatus


class _Message:
    """Pickled as its class and its fields in order: a fraction of a dataclass's default
    cost, paid twice per job."""

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        return type(self), tuple(getattr(self, f.name) for f in fields(self))  # type: ignore[arg-type]


# --- to a slot ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Work(_Message):
    """Claim and run due jobs.

    `now` is the time jobs are due against (simulated in fast-forward), None for real time;
    `among` limits claims to these ids; `job_id` names the one job to take whatever its run
    time (`jobs run`); `drain` keeps claiming until nothing is due (the real-time worker),
    else the slot runs at most one attempt.
    """

    now: float | None = None
    among: frozenset[int] | None = None
    job_id: int | None = None
    drain: bool = False


@dataclass(frozen=True)
class Stop(_Message):
    """Stop once the attempt under way ends; release a claim not yet started."""


# --- from a slot ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Ready(_Message):
    """The slot loaded the project and opened the store; it takes orders."""


@dataclass(frozen=True)
class JobLabel(_Message):
    """What progress output shows of a job a slot ran."""

    id: int
    source_name: str
    attempts: int
    max_attempts: int
    priority: str


@dataclass(frozen=True)
class Started(_Message):
    """An attempt of `job` began at `at` (the order's clock) under the claim of `worker`."""

    job: JobLabel
    at: float


@dataclass(frozen=True)
class Finished(_Message):
    """The attempt under way ended and is recorded (`status` None: its claim was lost, or
    it was `released` unrun because the store failed under it)."""

    job: JobLabel
    status: JobStatus | None
    duration: float
    error: JobError | None
    released: bool = False
    next: Started | None = None  # the attempt the slot began right after (one message)

    def then(self, started: Started) -> Finished:
        return Finished(self.job, self.status, self.duration, self.error, self.released,
                        started)


@dataclass(frozen=True)
class Idle(_Message):
    """The order is done: nothing (more) was due, or the one job was not waiting."""


@dataclass(frozen=True)
class StoreTrouble(_Message):
    """The store failed; the slot retries with backoff. `cleared` once it works again."""

    message: str
    cleared: bool = False


@dataclass(frozen=True)
class Broken(_Message):
    """The slot cannot start (the project or the store cannot be opened); it exits."""

    message: str
    store: bool  # the store is at fault (exit code 5), else the project


ToSlot = Work | Stop
FromSlot = Ready | Started | Finished | Idle | StoreTrouble | Broken


def send(conn: Connection, message: Any) -> None:
    """Send one message. Plain pickle: `Connection.send` builds a new pickler (and copies
    the reducer table) for every message, which a slot would pay for every job."""
    conn.send_bytes(pickle.dumps(message, pickle.HIGHEST_PROTOCOL))


def receive(conn: Connection) -> Any:
    return pickle.loads(conn.recv_bytes())


def waiting(conn: Connection) -> Callable[[], bool]:
    """Asks whether a message (or the pipe's end: receiving then raises EOFError) waits on
    `conn`, in one system call: `Connection.poll` builds a selector each time, and both
    ends ask once per job."""
    poller = select.poll()
    poller.register(conn.fileno(), select.POLLIN)
    return lambda: bool(poller.poll(0))
