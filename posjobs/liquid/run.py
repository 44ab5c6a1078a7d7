"""What one render (a page or a job attempt) collects: the jobs it enqueues and what it logs."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from posjobs.clock import Clock
from posjobs.data.session import DataSession
from posjobs.jobs.model import LogEntry, NewJob


@dataclass(frozen=True)
class JobInfo:
    """The job an attempt runs, as log entries and child jobs need to know it."""

    id: int
    source_name: str
    attempt: int
    max_attempts: int
    priority: str


@dataclass
class RunState:
    """Shared by every template of one render; the dialect's tags write into it.

    Nothing here touches the store: the caller decides what becomes durable, and when.
    """

    clock: Clock
    reserve_id: Callable[[], int]
    job_context: dict[str, Any]  # the restricted `context` that enqueued jobs receive
    environment: str = "staging"
    page: str | None = None  # the page's path when rendering a page
    job: JobInfo | None = None  # the job when running a job attempt
    # The render this run belongs to: a page render's own, or the one that caused the job;
    # its entries and the jobs it enqueues carry it.
    run_id: str | None = None
    # The run's access to the project's data (`{% graphql %}`); the caller commits it with
    # the run or rolls it back.
    data: DataSession | None = None
    # The random source of uuid, random_string...: made on first use (seeding one costs
    # more than many a whole render); tests set their own.
    _rng: random.Random | None = field(default=None, repr=False)
    # Told of each entry as it is written: a job's entries then survive its attempt being
    # stopped (time limit, kill, crash) before it could hand them over.
    sink: Callable[[LogEntry], None] | None = None
    jobs: list[NewJob] = field(default_factory=list)
    logs: list[LogEntry] = field(default_factory=list)
    # What a page asks of its HTTP response ({% response_status %}, {% response_headers %},
    # {% redirect_to %}, {% sign_in %}); recorded, never acted on.
    response: dict[str, Any] = field(default_factory=lambda: {
        "status": None, "headers": {}, "redirect_to": None, "sign_in": None,
    })
    # {% content_for name %} blocks, shared by a page and its layout's {% yield name %}.
    content_for: dict[str, str] = field(default_factory=dict)

    @property
    def rng(self) -> random.Random:
        if self._rng is None:
            self._rng = random.Random()
        return self._rng

    @rng.setter
    def rng(self, value: random.Random) -> None:
        self._rng = value

    def log(self, type_: str, message: str, template: str | None, line: int | None) -> None:
        job = self.job
        entry = LogEntry(
                type=type_,
                message=message,
                created_at=self.clock.now(),
                job_id=job.id if job else None,
                source_name=job.source_name if job else None,
                attempt=job.attempt if job else None,
                max_attempts=job.max_attempts if job else None,
                priority=job.priority if job else None,
                template=template,
                line=line,
                page=self.page,
                run_id=self.run_id,
            )
        self.logs.append(entry)
        if self.sink is not None:
            self.sink(entry)
