"""`posjobs logs`: pos-cli's shape, colour, filters, follow, JSON, safety, clearing."""

from __future__ import annotations

import io
import json
import os
import re
import select
import subprocess
import sys
import threading
import time

import pytest

from posjobs.cli.app import main
from posjobs.cli.output import Output
from posjobs.cli.state import AppState
from posjobs.errors import StoreError
from posjobs.jobs.model import JobStatus, LogEntry
from posjobs.services.logs import follow, parse_time
from posjobs.store.base import AttemptResult, LogFilter
from posjobs.store.sqlite import SQLiteStore
from tests.conftest import REPO, T0, CliResult, run_cli

MAIN_LINE = re.compile(r"^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z\] - [^:]+: .*$")


@pytest.fixture
def project(make_project):
    return make_project({
        "app/views/pages/index.liquid": """
            {% log 'hello world' %}
            {% log h, type: 'Debug' %}
            {% background _ = 'send', source_name: 'send_email', to: 'ada' %}
            {% background _ = 'boom', source_name: 'sync_crm' %}
            """,
        "app/views/partials/send.liquid": "{% log 'sent to ' | append: to, type: 'email' %}",
        "app/views/partials/boom.liquid": "{{ 1 | divided_by: 0 }}",
    })


def logs(project, *args: str) -> CliResult:
    return run_cli(["-p", str(project.root), "logs", *args])


def store_of(project) -> SQLiteStore:
    return SQLiteStore(project.root / ".posjobs" / "posjobs.db")


def test_main_line_in_pos_cli_shape_and_where_it_came_from(project):
    run_cli(["-p", str(project.root), "render", "/", "-P", "x=1"])
    lines = logs(project, "-n", "2").stdout.splitlines()
    first_entry = [line for line in lines if "hello" in line]
    out = logs(project, "-n", "100").stdout.splitlines()
    assert MAIN_LINE.match(out[0])
    assert out[0].endswith("] - info: hello world")
    assert out[1] == "    GET /?x=1 · app/views/pages/index.liquid:1"
    assert not first_entry  # -n 2 shows only the last two entries


def test_job_entries_say_job_source_name_attempt_priority_and_place(project):
    run_cli(["-p", str(project.root), "render", "/", "--run"])
    out = logs(project, "--filter", "email").stdout.splitlines()
    assert out[0].endswith("] - email: sent to ada")
    assert out[1] == ("    job 1 send_email · attempt 1/1 · default · "
                      "app/views/partials/send.liquid:1")


def test_quiet_prints_only_the_main_lines(project):
    run_cli(["-p", str(project.root), "render", "/"])
    out = logs(project, "--quiet", "-n", "100").stdout.splitlines()
    assert all(MAIN_LINE.match(line) for line in out)


def test_hashes_print_as_compact_json(project):
    run_cli(["-p", str(project.root), "render", "/"])
    assert "] - Debug: null" in logs(project, "--filter", "debug").stdout


def test_filters_combine(project):
    run_cli(["-p", str(project.root), "render", "/", "--run"])
    errors = logs(project, "--errors", "-n", "100", "--quiet").stdout.splitlines()
    assert errors and all("error" in line.split(" - ", 1)[1].split(":")[0] for line in errors)
    only = logs(project, "--source-name", "sync_*", "--type", "job_*", "--quiet").stdout
    assert "job_dead_error" in only and "send_email" not in only
    assert logs(project, "--job", "1", "--filter", "JOB_DONE", "--quiet").stdout.count("\n") == 1
    assert logs(project, "--since", "1h").stdout
    assert logs(project, "--until", "1h").stdout == ""


def test_json_lines_use_pos_cli_field_names_and_keep_messages_whole(project):
    run_cli(["-p", str(project.root), "render", "/", "--run"])
    long = "x" * 5000
    store = store_of(project)
    store.add_logs([LogEntry(type="info", message=long, created_at=T0)])
    lines = logs(project, "--json", "-n", "100").stdout.splitlines()
    entries = [json.loads(line) for line in lines]
    for entry in entries:
        assert set(entry) == {"id", "created_at", "error_type", "message", "data"}
        assert {"job_id", "source_name", "attempt", "priority", "template", "line"} <= set(
            entry["data"])
    assert entries[-1]["message"] == long


def render_with(project, *argv: str) -> str:
    """The CLI's stdout as a terminal with colours would get it."""
    out, err = io.StringIO(), io.StringIO()
    state = AppState(output=Output(out, err, color=True))
    with pytest.raises(SystemExit):
        main(["-p", str(project.root), *argv], state)
    return out.getvalue()


def test_colours_on_a_terminal_errors_red_warnings_yellow(project):
    run_cli(["-p", str(project.root), "render", "/", "--run"])
    store = store_of(project)
    store.add_logs([LogEntry(type="warning", message="careful", created_at=T0)])
    coloured = render_with(project, "logs", "-n", "100")
    dead = next(line for line in coloured.splitlines() if "job_dead_error" in line)
    assert "\x1b[1;31m" in dead  # bold red type
    warn = next(line for line in coloured.splitlines() if "careful" in line)
    assert "\x1b[1;33m" in warn  # bold yellow type
    assert "\x1b[2m" in coloured  # dim timestamps


def test_no_colour_when_piped_or_asked(project, monkeypatch):
    run_cli(["-p", str(project.root), "render", "/", "--run"])
    assert "\x1b[" not in logs(project, "-n", "100").stdout
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in render_with(project, "logs", "-n", "100")


def test_long_messages_are_cut_on_a_terminal_with_a_marker(project):
    run_cli(["-p", str(project.root), "render", "/"])
    store_of(project).add_logs([LogEntry(type="info", message="y" * 5000, created_at=T0)])
    out = render_with(project, "logs", "-n", "1")
    assert "more characters; --json]" in out
    assert out.count("y") < 2100


@pytest.mark.parametrize("message", [
    "[red]not red[/red]",
    "\x1b[2J\x1b[31mcleared?",
    "bell\x07 and backspace\x08",
])
def test_messages_never_style_or_move_the_terminal(project, message):
    run_cli(["-p", str(project.root), "render", "/"])
    store_of(project).add_logs([LogEntry(type="info", message=message, created_at=T0)])
    plain = logs(project, "-n", "1", "--quiet").stdout
    coloured = render_with(project, "logs", "-n", "1", "--quiet")
    for out in (plain, coloured):
        assert "\x1b[2J" not in out and "\x07" not in out and "\x08" not in out
        assert "\x1b[31mcleared" not in out
    if message.startswith("[red]"):
        assert "[red]not red[/red]" in plain
    else:
        assert "\\x1b[2J" in plain or "\\x07" in plain


def test_follow_shows_a_burst_of_ten_thousand_entries_in_order(tmp_path):
    path = tmp_path / "s.db"
    reader = SQLiteStore(path)
    writer = SQLiteStore(path)
    total = 10_000

    def write() -> None:
        for start in range(0, total, 2500):  # bursts far larger than one poll's batch
            writer.add_logs([LogEntry(type="info" if n % 3 else "noise", message=str(n),
                                      created_at=T0) for n in range(start, start + 2500)])

    thread = threading.Thread(target=write)
    seen: list[int] = []
    thread.start()
    for entry in follow(reader, LogFilter(types=("info",)), 0, poll_seconds=0.001,
                        should_stop=lambda: not thread.is_alive()):
        seen.append(int(entry.message))
    thread.join()
    assert seen == [n for n in range(total) if n % 3]


def test_filtered_out_entries_never_hold_the_cursor(tmp_path):
    store = SQLiteStore(tmp_path / "s.db")
    store.add_logs([LogEntry(type="noise", message="n", created_at=T0)] * 3000)
    store.add_logs([LogEntry(type="info", message="wanted", created_at=T0)])
    polls = []
    found = list(follow(store, LogFilter(types=("info",)), 0, poll_seconds=0,
                        should_stop=lambda: True, sleep=polls.append))
    assert [e.message for e in found] == ["wanted"]


def test_follow_rides_through_store_failures_losing_and_repeating_nothing(tmp_path):
    class Flaky(SQLiteStore):
        """Fails its reads for a while, as a store whose server is restarting does."""

        failing = 0

        def last_log_id(self) -> int:
            if self.failing:
                self.failing -= 1
                raise StoreError("server closed the connection unexpectedly")
            return super().last_log_id()

    store = Flaky(tmp_path / "s.db")
    store.add_logs([LogEntry(type="info", message="1", created_at=T0)])
    told: list[str | None] = []
    pauses: list[float] = []

    def sleep(seconds: float) -> None:
        pauses.append(seconds)
        if len(pauses) == 1:  # the first poll found nothing new: the store now fails
            store.add_logs([LogEntry(type="info", message="2", created_at=T0)])
            store.failing = 3

    seen = [e.message for e in follow(store, LogFilter(), 0, poll_seconds=0.05, sleep=sleep,
                                      should_stop=lambda: len(pauses) > 4,
                                      on_trouble=told.append)]
    assert seen == ["1", "2"]
    assert told == ["server closed the connection unexpectedly", None]  # once, then cleared
    assert pauses == [0.05, 0.1, 0.2, 0.5, 0.05]  # backing off, then polling again
    store.failing = 1
    with pytest.raises(StoreError):  # without on_trouble, as before
        list(follow(store, LogFilter(), 0, sleep=sleep))


def test_follow_gives_up_on_a_store_failing_longer_than_its_patience(tmp_path):
    # `logs --follow --job` in a CI step: a store that stays broken ends the step (exit 5).
    class Broken(SQLiteStore):
        def last_log_id(self) -> int:
            raise StoreError("no rights: permission denied for schema posjobs")

    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    told: list[str | None] = []
    with pytest.raises(StoreError, match="no rights"):
        list(follow(Broken(tmp_path / "s.db"), LogFilter(), 0, sleep=sleep, patience=30.0,
                    monotonic=lambda: now[0], on_trouble=told.append))
    assert told == ["no rights: permission denied for schema posjobs"]
    assert 30.0 < now[0] <= 35.0  # retried for the patience, then raised


def finish(store: SQLiteStore, job_id: int, ok: bool) -> None:
    job = store.claim_job(job_id, "w", T0, 30)
    assert job is not None
    result = AttemptResult("done" if ok else "failed", T0 + 1,
                           JobStatus.DONE if ok else JobStatus.DEAD,
                           error=None if ok else {"class": "X", "message": "no"},
                           logs=[LogEntry(type="job_done" if ok else "job_dead_error",
                                          message="end", created_at=T0 + 1, job_id=job_id)])
    store.finish_attempt(job, result)


@pytest.mark.parametrize(("ok", "code"), [(True, 0), (False, 1)])
def test_follow_job_waits_for_the_job_and_exits_by_its_fate(project, ok, code):
    """A real `logs --follow --job` process: proven to be following (it printed an entry
    written after it started), then the job ends, and it exits by the job's fate."""
    run_cli(["-p", str(project.root), "render", "/"])
    store = store_of(project)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    follower = subprocess.Popen(
        [sys.executable, "-m", "posjobs", "-p", str(project.root), "logs", "--follow",
         "--job", "1", "-n", "0", "--quiet", "--interval", "10"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    try:
        assert follower.stdout is not None
        deadline = time.monotonic() + 30
        first = ""
        while "ping" not in first:  # ping until the follower shows one: it is following
            assert time.monotonic() < deadline, "the follower never printed"
            store.add_logs([LogEntry(type="info", message="ping", created_at=T0, job_id=1)])
            if select.select([follower.stdout], [], [], 0.2)[0]:
                first = follower.stdout.readline()
        finish(store, 1, ok)
        assert follower.wait(30) == code
        rest = follower.stdout.read()
        assert rest.rstrip().endswith("job_done: end" if ok else "job_dead_error: end")
    finally:
        if follower.poll() is None:
            follower.kill()
    assert store.get_job(1).status is (JobStatus.DONE if ok else JobStatus.DEAD)


def test_a_reader_that_goes_away_is_not_a_failure(project):
    run_cli(["-p", str(project.root), "render", "/"])
    # Far more than a pipe holds, so that the writer meets the closed pipe.
    store_of(project).add_logs([LogEntry(type="info", message="x" * 200, created_at=T0)] * 3000)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    reader = subprocess.Popen([sys.executable, "-m", "posjobs", "-p", str(project.root), "logs",
                               "-n", "5000"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env=env)
    assert reader.stdout is not None and reader.stderr is not None
    reader.stdout.readline()
    reader.stdout.close()  # like `posjobs logs | head -1`
    assert reader.wait(30) == 0
    assert reader.stderr.read() == b""


def test_clear_asks_first_and_yes_skips_the_question(project):
    run_cli(["-p", str(project.root), "render", "/"])
    refused = logs(project, "--clear")  # no terminal to ask on
    assert refused.exit_code == 2
    assert "--yes" in refused.stderr
    assert logs(project, "-n", "1").stdout
    cleared = logs(project, "--clear", "--yes")
    assert cleared.exit_code == 0
    assert logs(project, "-n", "100").stdout == ""


def test_durations_and_timestamps_for_since_and_until():
    assert parse_time("10m", 1000.0) == 400.0
    assert parse_time("2h", 10_000.0) == 2800.0
    assert parse_time("2026-11-29T17:02:03Z", 0) == parse_time("2026-11-29 17:02:03", 0)
