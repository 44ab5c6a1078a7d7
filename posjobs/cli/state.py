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
from posjobs.errors import UsageError
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
    str | None,
    typer.Option("--db", envvar="POSJOBS_DB", show_envvar=True,
                 help="The store: an SQLite file (default: <project>/.posjobs/posjobs.db, or "
                 "`db` in posjobs.toml) or a postgresql://user@host/dbname URL."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for machines.")]


@dataclass
class AppState:
    output: Output = field(default_factory=Output)
    stdin: TextIO = field(default_factory=lambda: sys.stdin)  # `render -`, `eval -`
    project_dir: Path | None = None
    db_path: str | Path | None = None  # --db: a path, an sqlite:/// or a postgresql:// URL
    clock: Clock = field(default_factory=SystemClock)
    _project: Project | None = None
    _store: Store | None = None
    _settings: Settings | None = None
    _data: DataLayer | None = None

    def use(self, project: Path | None, db: str | Path | None) -> AppState:
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
    def store_path(self) -> str | Path:
        """The store: an SQLite file's path, or a PostgreSQL URL."""
        from posjobs.store import is_postgres, sqlite_path

        named: str | Path | None = self.db_path
        if not named:
            named = self.settings.db
            if named and not is_postgres(named):  # relative to the project, not the shell
                named = self.project.root / sqlite_path(named)
        if not named:
            return self.project.root / ".posjobs" / "posjobs.db"
        if is_postgres(named):
            return str(named)
        path = Path(sqlite_path(named))
        if path.is_dir():
            raise UsageError(f"--db {named}: is a folder; name the store's file in it, "
                             f"for example {path / 'posjobs.db'}")
        return path

    @property
    def store_url(self) -> str:
        """What child processes open to reach the same store."""
        return str(self.store_path)

    @property
    def store(self) -> Store:
        if self._store is None:
            from posjobs.store import open_store

            self._store = open_store(self.store_path)
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
