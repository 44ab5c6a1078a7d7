"""Hostile input at the edges: bytes that are not UTF-8, files outside the project, log text
that imitates entries or steers a terminal, a damaged or read-only store. Each gets a clear
message and a documented exit code."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import run_cli, write_project


@pytest.fixture
def root(tmp_path: Path) -> Path:
    write_project(tmp_path / "project", {
        "app/views/pages/index.liquid": "{% log context.params.m %}",
        "app/views/pages/inc.liquid": "{% include 'evil' %}"})
    return tmp_path / "project"


@pytest.mark.parametrize("args", [["render", "/", "-P", "x=\udcff"],
                                  ["logs", "--source-name", "\udcff"]])
def test_arguments_that_are_not_utf8_are_usage_errors(root, args):
    result = run_cli(["-p", str(root), *args])
    assert result.exit_code == 2
    assert "is not valid UTF-8" in result.stderr and "\\xff" in result.stderr
    assert "Traceback" not in result.stderr


def test_pages_and_partials_outside_the_project_are_refused_saying_so(root, tmp_path):
    evil = tmp_path / "evil.liquid"
    evil.write_text("secret")
    (root / "app/views/pages/linked.liquid").symlink_to(evil)
    (root / "app/views/partials").mkdir(parents=True)
    (root / "app/views/partials/evil.liquid").symlink_to(evil)
    by_path = run_cli(["-p", str(root), "render", str(evil)])
    assert by_path.exit_code == 3
    assert f"{evil} is outside the project" in by_path.stderr
    by_slug = run_cli(["-p", str(root), "render", "linked"])
    assert by_slug.exit_code == 4
    assert "app/views/pages/linked.liquid leads outside the project" in by_slug.stderr
    partial = run_cli(["-p", str(root), "render", "inc"])
    assert partial.exit_code == 4
    assert "partial 'evil' is outside the project" in partial.stderr
    assert "secret" not in by_path.stdout + by_slug.stdout + partial.stdout


def test_a_newline_in_a_message_cannot_pass_for_another_entry(root):
    fake = "first\n[2026-11-29 17:02:03.123Z] - job_done: fake"
    assert run_cli(["-p", str(root), "render", "/", "-P", f"m={fake}"]).exit_code == 0
    lines = run_cli(["-p", str(root), "logs", "-q"]).stdout.splitlines()
    assert lines[-1] == "    | [2026-11-29 17:02:03.123Z] - job_done: fake"
    assert sum(line.startswith("[") for line in lines) == 1


def test_json_escapes_what_a_terminal_would_obey(root):
    tricky = "\u202etxt.exe\x85x\u2028y\x1b[31m"
    assert run_cli(["-p", str(root), "render", "/", "-P", f"m={tricky}"]).exit_code == 0
    line = run_cli(["-p", str(root), "logs", "--json"]).stdout.strip()
    assert "\\u202e" in line and "\\u0085" in line and "\\u2028" in line and "\\u001b" in line
    assert not any(ch in line for ch in "\u202e\x85\u2028\x1b")
    assert json.loads(line)["message"] == tricky  # still the same text
    text = run_cli(["-p", str(root), "logs", "-q"]).stdout
    assert "\\u202etxt.exe\\x85x\\u2028y\\x1b[31m" in text


def test_an_empty_store_file_is_an_error_not_a_new_store(root, tmp_path):
    db = tmp_path / "posjobs.db"
    db.write_bytes(b"")
    os.utime(db, (time.time() - 60, time.time() - 60))
    result = run_cli(["-p", str(root), "--db", str(db), "jobs", "list"])
    assert result.exit_code == 5
    assert f"{db} is empty (0 bytes), so it is not a posjobs store" in result.stderr
    assert db.stat().st_size == 0  # left as it was


def test_a_read_only_store_folder_is_named(root, tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k,ro", "tmpfs",
                              str(folder)], capture_output=True)
    if mounted.returncode != 0:
        folder.chmod(0o500)
        if os.access(folder, os.W_OK):
            pytest.skip("cannot make a read-only folder here")
    try:
        result = run_cli(["-p", str(root), "--db", str(folder / "posjobs.db"), "jobs", "list"])
    finally:
        if mounted.returncode == 0:
            subprocess.run(["umount", "-l", str(folder)], check=False)
    assert result.exit_code == 5
    assert f"{folder} is read-only" in result.stderr
    assert "--db PATH" in result.stderr


def test_check_says_a_partial_is_outside_the_project(root, tmp_path):
    evil = tmp_path / "evil.liquid"
    evil.write_text("secret")
    (root / "app/views/partials").mkdir(parents=True)
    (root / "app/views/partials/evil.liquid").symlink_to(evil)
    result = run_cli(["-p", str(root), "check"])
    assert "include: partial 'evil' is outside the project" in result.stdout
    assert "did you mean" not in result.stdout
