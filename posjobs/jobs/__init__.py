"""The job model: states, priorities, options and the platform's retry rules."""

from posjobs.jobs.model import (
    Attempt,
    Job,
    JobStatus,
    LogEntry,
    NewJob,
    Priority,
)
from posjobs.jobs.options import JobOptions, OptionError, parse_options

__all__ = [
    "Attempt",
    "Job",
    "JobOptions",
    "JobStatus",
    "LogEntry",
    "NewJob",
    "OptionError",
    "Priority",
    "parse_options",
]
