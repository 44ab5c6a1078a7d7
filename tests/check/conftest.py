"""`lint`: write a project and check it through the service, as (code, path:line, message)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from posjobs.services.check import Finding, check_project
from tests.conftest import write_project

PAGE = "app/views/pages/t.liquid"
Lint = Callable[..., list[Finding]]


@pytest.fixture
def lint(tmp_path: Path) -> Lint:
    """Check a project of `files` (or one page, given as a string) and return its findings."""

    def run(files: dict[str, str] | str, **options: object) -> list[Finding]:
        project = write_project(tmp_path / "project", {PAGE: files} if isinstance(files, str)
                                else files)
        return list(check_project(project, **options).findings)  # type: ignore[arg-type]

    return run


def codes(findings: list[Finding]) -> list[tuple[str, int]]:
    """(code, line) of each finding."""
    return [(f.code, f.spot.line) for f in findings]
