"""The project's migrations, run as a deploy runs them on a new environment.

Migrations are Liquid files named `<timestamp>_<name>.liquid` in `app/migrations/` and
modules' `modules/<m>/{public,private}/migrations/`; the platform runs each once per
environment during deploy, in timestamp order (developer-guide/platformos-workflow/
directory-structure, Migrations). Projects set the constants and records their code relies
on this way (pos-module-user's default role), so a fresh data store needs them run first.
"""

from __future__ import annotations

from pathlib import Path

from posjobs.clock import Clock
from posjobs.config import Settings
from posjobs.data import DataLayer
from posjobs.jobs.model import Job
from posjobs.project import MODULE_SCOPES, Page, Project
from posjobs.services.render import render_page
from posjobs.store.base import Store


def migration_files(project: Project) -> list[Path]:
    """Every migration of the project and its modules, in the order a deploy runs them:
    by file name, which starts with the timestamp."""
    folders = [project.root / "app" / "migrations"]
    modules = project.root / "modules"
    if modules.is_dir():
        folders += [module / scope / "migrations" for module in sorted(modules.iterdir())
                    for scope in MODULE_SCOPES]
    files = [path for folder in folders if folder.is_dir()
             for path in folder.glob("*.liquid") if path.is_file()]
    return sorted(files, key=lambda path: (path.name, str(path)))


def run_migrations(
    project: Project, store: Store, data: DataLayer, *, clock: Clock, settings: Settings,
    environment: str | None = None,
) -> tuple[list[str], list[Job]]:
    """Run every migration once, each as a render of its own (its data committed when it
    succeeds); the names run and the jobs they enqueued. A failing migration stops the run
    with its `TemplateError`, as it stops a deploy."""
    from posjobs.services.context import Request

    names: list[str] = []
    jobs: list[Job] = []
    for path in migration_files(project):
        file = project.read(path)
        page = Page(file, "/", None, "get", "html")
        result = render_page(project, store, page, clock=clock, settings=settings, data=data,
                             request=Request(environment=environment))
        names.append(file.name)
        jobs += result.jobs
    return names, jobs
