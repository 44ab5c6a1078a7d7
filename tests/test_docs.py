"""The README stays true: every command is documented, and its examples work as shown."""

from __future__ import annotations

import re
import textwrap

import pytest
import typer.main

from posjobs.cli.app import app
from posjobs.config import Settings
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def command_paths() -> list[str]:
    group = typer.main.get_command(app)
    paths = []
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        subcommands = getattr(command, "commands", None)
        if subcommands:
            paths += [f"{name} {sub}" for sub in subcommands]
        else:
            paths.append(name)
    return paths


@pytest.mark.parametrize("path", command_paths())
def test_every_command_is_in_the_readme_commands_table(path):
    assert f"`posjobs {path}" in README


def test_the_settings_example_means_what_its_comments_say(tmp_path):
    section = README.split("## Settings: `posjobs.toml`", 1)[1].split("`POSJOBS_TIME_LIMIT", 1)[0]
    example = textwrap.dedent("\n".join(
        line for line in section.splitlines() if line.startswith("    ")))
    (tmp_path / "posjobs.toml").write_text(re.sub(r"#.*", "", example))
    settings = Settings.load(tmp_path, {})
    assert settings.lease_seconds == 30
    assert settings.constants == {"site_name": "My shop"}
    assert settings.time_limits.low == 14_400
    assert settings.retention.max_logs == 1_000_000
