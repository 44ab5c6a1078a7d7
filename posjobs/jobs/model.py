"""Jobs, attempts and log entries as plain, JSON-safe records."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any

from posjobs.clock import iso


class JobStatus(str, Enum):
    """Where a job is in its life. Reads well in logs and JSON."""

    SCHEDULED = "scheduled"  # waiting for its run time
    RUNNING = "running"  # an attempt is under way
    RETRY = "retry"  # failed, waiting for its next attempt
    DEAD = "dead"  # failed max_attempts times
    DONE = "done"  # succeeded (the platform deletes these; we keep them as history)

    @property
    def is_final(self) -> bool:
        return self in (JobStatus.DEAD, JobStatus.DONE)

    def __str__(self) -> str:
        return self.value


class Priority(str, Enum):
    """The platform's three queues; `rank` orders them, lower runs first."""

    HIGH = "high"
    DEFAULT = "default"
    LOW = "low"

    @property
    def rank(self) -> int:
        return _RANKS[self]

    def __str__(self) -> str:
        return self.value


_RANKS = {Priority.HIGH: 0, Priority.DEFAULT: 1, Priority.LOW: 2}


@dataclass(frozen=True)
class NewJob:
    """A job as the background tag describes it, before the store gives it a row."""

    id: int
    source_name: str
    priority: Priority
    run_at: float
    max_attempts: int
    arguments: dict[str, Any]
    partial: str | None  # the partial's platform name, for the partial form
    body: str | None  # the Liquid source, for the inline form
    template: str  # project-relative path of the template holding the tag
    line: int
    column: int = 0
    body_line: int = 1  # where an inline body starts in `template`
    delay: float = 0.0
    context: dict[str, Any] = field(default_factory=dict)  # the restricted job context
    parent_job_id: int | None = None
    run_id: str | None = None  # the render that caused it (directly or through its jobs)

    @property
    def kind(self) -> str:
        return "partial" if self.partial is not None else "inline"


@dataclass
class Job:
    """A stored job."""

    id: int
    status: JobStatus
    source_name: str
    priority: Priority
    run_at: float
    created_at: float
    attempts: int
    max_attempts: int
    arguments: dict[str, Any]
    partial: str | None
    body: str | None
    template: str
    line: int
    column: int
    body_line: int
    delay: float
    context: dict[str, Any]
    parent_job_id: int | None = None
    worker: str | None = None
    lease_until: float | None = None
    finished_at: float | None = None
    last_error: dict[str, Any] | None = None
    kill_requested: bool = False  # `jobs kill` asked for it while it ran
    run_id: str | None = None  # the render that caused it (directly or through its jobs)

    @property
    def kind(self) -> str:
        return "partial" if self.partial is not None else "inline"

    def summary(self) -> dict[str, Any]:
        """The job as `jobs list --json` shows it."""
        return {
            "id": self.id,
            "source_name": self.source_name,
            "priority": self.priority.value,
            "status": self.status.value,
            "attempts": self.attempts,
            "max_attempts": self.max_attempts,
            "run_at": iso(self.run_at),
            "created_at": iso(self.created_at),
            "finished_at": iso(self.finished_at),
            "kind": self.kind,
            "partial": self.partial,
            "template": self.template,
            "line": self.line,
            "parent_job_id": self.parent_job_id,
            "run_id": self.run_id,
            "error": self.last_error,
        }

    def details(self) -> dict[str, Any]:
        """Everything about the job, as `jobs show --json` shows it (without attempts/logs)."""
        data = self.summary()
        data.update(
            arguments=self.arguments,
            body=self.body,
            delay_minutes=self.delay,
            context=self.context,
            column=self.column,
            body_line=self.body_line,
            worker=self.worker,
            lease_until=iso(self.lease_until),
        )
        return data


@dataclass(frozen=True)
class JobError:
    """Why an attempt failed: the one shape every failure takes, stored as `to_dict()`."""

    error_class: str  # "LiquidError", "Timeout", "Killed", "WorkerLost", ...
    message: str
    path: str | None = None
    line: int | None = None
    column: int | None = None

    @classmethod
    def at(cls, job: Job, error_class: str, message: str) -> JobError:
        """An error of the attempt as a whole, located where the job was enqueued."""
        return cls(error_class, message, job.template, job.line)

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}" if self.path and self.line else ""

    def to_dict(self) -> dict[str, Any]:
        return {"class": self.error_class, "message": self.message, "path": self.path,
                "line": self.line, "column": self.column}


@dataclass
class Attempt:
    """One run of a job."""

    job_id: int
    number: int
    started_at: float
    worker: str
    ended_at: float | None = None
    outcome: str | None = None  # "done", "failed", "timeout", "killed", "crashed", "interrupted"
    error: dict[str, Any] | None = None
    measured: float | None = None  # seconds, measured where the attempt ran

    @property
    def duration(self) -> float | None:
        if self.measured is not None:
            return self.measured
        return None if self.ended_at is None else self.ended_at - self.started_at

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "started_at": iso(self.started_at),
            "ended_at": iso(self.ended_at),
            "duration_ms": None if self.duration is None else round(self.duration * 1000, 1),
            "worker": self.worker,
            "outcome": self.outcome,
            "error": self.error,
        }


@dataclass
class LogEntry:
    """One entry of the log, written by `{% log %}` or by posjobs about a job's life."""

    type: str
    message: str
    created_at: float
    job_id: int | None = None
    source_name: str | None = None
    attempt: int | None = None
    max_attempts: int | None = None
    priority: str | None = None
    template: str | None = None
    line: int | None = None
    page: str | None = None  # the page path, for entries written while rendering a page
    request: str | None = None  # "GET /orders/create?id=7", with `page`
    id: int | None = None
    run_id: str | None = None  # the render whose page or jobs wrote it
    # When a fast-forwarded attempt wrote it, the time on the simulated clock
    # (`created_at` is always the real time of writing).
    simulated_at: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
