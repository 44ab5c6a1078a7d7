"""What every command shares: the output streams and, opened on first use, project and store."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import typer

from posjobs.cli.output import Output
from posjobs.clock import Clock, SystemClock
from posjobs.config import Settings
from posjobs.project import Project
from posjobs.store.base import Store

if TYPE_CHECKING:
    from posjobs.data import DataLayer

ProjectOption = Annotated[
    Path | None,
    typer.Option("--project", "-p", envvar="POSJOBS_PROJECT", show_envvar=True,
                 help="The platformOS project directory (default: nearest with app/ or modules/).",
                 file_okay=False),
]
DbOption = Annotated[
    Path | None,
    typer.Option("--db", envvar="POSJOBS_DB", show_envvar=True, dir_okay=False,
                 help="The store file (default: <project>/.posjobs/posjobs.db)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for machines.")]


@dataclass
class AppState:
    output: Output = field(default_factory=Output)
    stdin: TextIO = field(default_factory=lambda: sys.stdin)  # `render -`, `eval -`
    project_dir: Path | None = None
    db_path: Path | None = None
    clock: Clock = field(default_factory=SystemClock)
    _project: Project | None = None
    _store: Store | None = None
    _settings: Settings | None = None
    _data: DataLayer | None = None

    def use(self, project: Path | None, db: Path | None) -> AppState:
        """Apply a command's own --project/--db over the global ones."""
        if project is not None:
            self.project_dir = project
        if db is not None:
            self.db_path = db
        return self

    @property
    def project(self) -> Project:
        if self._project is None:
            self._project = Project.locate(self.project_dir)
        return self._project

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = Settings.load(self.project.root)
        return self._settings

    @property
    def store_path(self) -> Path:
        return self.db_path or self.project.root / ".posjobs" / "posjobs.db"

    @property
    def store_url(self) -> str:
        """What child processes open to reach the same store."""
        return str(self.store_path)

    @property
    def store(self) -> Store:
        if self._store is None:
            from posjobs.store.sqlite import SQLiteStore

            self._store = SQLiteStore(self.store_path)
        return self._store

    @property
    def data(self) -> DataLayer:
        """The project's data (`.posjobs/data.db` beside the job store), opened on first use."""
        if self._data is None:
            from posjobs.data import DataLayer
            from posjobs.store.data import data_store_path

            self._data = DataLayer(self.project, data_store_path(self.store_path))
        return self._data

    def close(self) -> None:
        if self._data is not None:
            self._data.close()
            self._data = None
        if self._store is not None:
            self._store.close()
            self._store = None


def state(ctx: typer.Context) -> AppState:
    obj = ctx.find_root().obj
    assert isinstance(obj, AppState)
    return obj
