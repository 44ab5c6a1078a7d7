"""One attempt of one job: render its partial or inline body in the job's isolated scope."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field

from posjobs.clock import Clock
from posjobs.data import DataLayer
from posjobs.errors import PosjobsError, StoreError, TemplateError
from posjobs.jobs.model import Job, JobError, LogEntry, NewJob
from posjobs.liquid import Dialect, JobInfo, RunState


@dataclass
class Execution:
    """What an attempt produced; the worker decides what becomes of the job."""

    ok: bool
    error: JobError | None = None
    logs: list[LogEntry] = field(default_factory=list)
    jobs: list[NewJob] = field(default_factory=list)
    duration: float | None = None  # seconds the attempt itself took, where it ran


def execute(
    dialect: Dialect,
    job: Job,
    *,
    clock: Clock,
    reserve_id: Callable[[], int],
    environment: str,
    on_log: Callable[[LogEntry], None] | None = None,
    data: DataLayer | None = None,
) -> Execution:
    """Run `job` once. Only its arguments and its restricted `context` are in scope.

    `{% log env: %}` compares with the environment the job was enqueued in, `environment`
    only for jobs that do not say. What the attempt writes to `data` is committed when it
    succeeds and rolled back when it fails, as the platform's transaction around a job does.
    """
    run = RunState(
        clock=clock,
        reserve_id=reserve_id,
        job_context=job.context,
        environment=str(job.context.get("environment") or environment),
        job=JobInfo(job.id, job.source_name, job.attempts, job.max_attempts, job.priority.value),
        sink=on_log,
        run_id=job.run_id,
    )
    if data is not None:
        run.data = data.session(clock, log=lambda type_, message: run.log(
            type_, message, job.template, job.line), notifications=dialect)
    try:
        if job.partial is not None:
            dialect.render_partial(job.partial, run, context=job.context,
                                   variables=job.arguments)
        else:
            template = dialect.parse_source(job.body or "", job.template, job.body_line,
                                            job.column)
            dialect.render(template, run, context=job.context, variables=job.arguments)
        if run.data is not None:
            run.data.commit()
    except TemplateError as err:
        _rollback(run)
        error = JobError(err.error_class, err.message, err.path, err.line, err.column)
        return Execution(False, error=error, logs=run.logs)
    except StoreError:
        _rollback(run)
        raise  # not the job's fault: the store itself failed
    except PosjobsError as err:
        _rollback(run)
        return Execution(False, error=JobError.at(job, type(err).__name__, err.message),
                         logs=run.logs)
    except BaseException:
        _rollback(run)
        raise
    return Execution(True, logs=run.logs, jobs=run.jobs)


def _rollback(run: RunState) -> None:
    """Undo what a failed attempt wrote to the data (never masking why it failed)."""
    if run.data is not None:
        with contextlib.suppress(StoreError):
            run.data.rollback()
