"""The error hierarchy users can meet, each error carrying its documented exit code."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Exit codes of every posjobs command (documented in README.md)."""

    OK = 0
    FAILED = 1  # the work ran but did not succeed: a job ended dead, check found problems
    USAGE = 2  # bad command-line usage (also what Typer/Click uses)
    NOT_FOUND = 3  # no project, page, partial or job by that name
    TEMPLATE = 4  # a Liquid template failed to parse or render
    STORE = 5  # the store file is unusable (not a posjobs database, newer schema, locked)
    WRONG_STATE = 6  # the job exists but its state forbids that (kill a dead job, run a done one)
    INTERRUPTED = 130


class PosjobsError(Exception):
    """A mistake or condition to report to the user as one clear message, no traceback."""

    exit_code: ExitCode = ExitCode.FAILED

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class UsageError(PosjobsError):
    exit_code = ExitCode.USAGE


class NotFoundError(PosjobsError):
    exit_code = ExitCode.NOT_FOUND


class ProjectNotFound(NotFoundError):
    pass


class PageNotFound(NotFoundError):
    pass


class JobNotFound(NotFoundError):
    pass


class WrongStateError(PosjobsError):
    """A job command on a job whose state does not allow it: not bad usage, not a failure."""

    exit_code = ExitCode.WRONG_STATE


class StoreError(PosjobsError):
    exit_code = ExitCode.STORE


class TemplateError(PosjobsError):
    """A template problem, located at path:line:col when the location is known."""

    exit_code = ExitCode.TEMPLATE

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        column: int | None = None,
        source_line: str | None = None,
        error_class: str = "LiquidError",
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.path = path
        self.line = line
        self.column = column
        self.source_line = source_line
        self.error_class = error_class

    @property
    def location(self) -> str:
        """`path:line:col` as far as it is known."""
        parts = [self.path or "<template>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"

    def to_dict(self) -> dict[str, object]:
        return {
            "class": self.error_class,
            "message": self.message,
            "path": self.path,
            "line": self.line,
            "column": self.column,
        }
