"""The platform's own modules against the data layer: every page either renders or fails
with a clear, located error (an operation not emulated names itself and how to mock it),
never an internal error, never a silently empty answer.

Reads `../shared/corpus/pos-modules` beside the repository (the platform's public modules,
not part of this repository); skipped when it is not there.
"""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from posjobs.clock import ManualClock
from posjobs.config import Settings
from posjobs.data import DataLayer
from posjobs.errors import TemplateError
from posjobs.liquid import Dialect
from posjobs.project import Project
from posjobs.services.context import Request
from posjobs.services.render import render_page
from posjobs.store.sqlite import SQLiteStore
from tests.conftest import REPO, T0

CORPUS = REPO.parent / "shared" / "corpus" / "pos-modules"
pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"{CORPUS} is not here")


def sweep(root: Path) -> Counter[str]:
    """Render every page of the project at `root` as its own method; count the outcomes."""
    project = Project(root)
    store = SQLiteStore(root / ".posjobs" / "posjobs.db")
    data = DataLayer(project, root / ".posjobs" / "data.db")
    dialect = Dialect(project)
    settings = Settings.load(root)
    outcomes: Counter[str] = Counter()
    try:
        for page in project.pages():
            try:
                render_page(project, store, page.file.name, clock=ManualClock(T0),
                            settings=settings, request=Request(method=page.method),
                            dialect=dialect, data=data)
                outcomes["rendered"] += 1
            except TemplateError as err:
                assert err.error_class != "InternalError", f"{page.file.name}: {err}"
                assert err.path and err.line, f"{page.file.name}: unlocated: {err}"
                found = re.search(r"field '(\w+)' .* is not emulated", err.message)
                outcomes[f"not emulated: {found.group(1)}" if found else "template error"] += 1
    finally:
        data.close()
        store.close()
    return outcomes


def test_every_page_of_the_modules_renders_or_fails_clearly(tmp_path):
    total: Counter[str] = Counter()
    for repo in sorted(CORPUS.glob("pos-module-*")):
        root = tmp_path / repo.name
        shutil.copytree(repo, root)
        if (root / "app").is_dir() or (root / "modules").is_dir():
            total += sweep(root)
    print(dict(total))  # the picture, for whoever runs it with -s
    assert total["rendered"] >= 78  # measured with the whole data layer merged; it only goes up
