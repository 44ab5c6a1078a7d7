"""One attempt of one job: render its partial or inline body in the job's isolated scope."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from posjobs.clock import Clock
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
) -> Execution:
    """Run `job` once. Only its arguments and its restricted `context` are in scope.

    `{% log env: %}` compares with the environment the job was enqueued in, `environment`
    only for jobs that do not say.
    """
    run = RunState(
        clock=clock,
        reserve_id=reserve_id,
        job_context=job.context,
        environment=str(job.context.get("environment") or environment),
        job=JobInfo(job.id, job.source_name, job.attempts, job.max_attempts, job.priority.value),
        sink=on_log,
    )
    try:
        if job.partial is not None:
            dialect.render_partial(job.partial, run, context=job.context,
                                   variables=job.arguments)
        else:
            template = dialect.parse_source(job.body or "", job.template, job.body_line,
                                            job.column)
            dialect.render(template, run, context=job.context, variables=job.arguments)
    except TemplateError as err:
        error = JobError(err.error_class, err.message, err.path, err.line, err.column)
        return Execution(False, error=error, logs=run.logs)
    except StoreError:
        raise  # not the job's fault: the store itself failed
    except PosjobsError as err:
        return Execution(False, error=JobError.at(job, type(err).__name__, err.message),
                         logs=run.logs)
    return Execution(True, logs=run.logs, jobs=run.jobs)
