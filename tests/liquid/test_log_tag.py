"""The log tag: message, type and env, from pages and jobs."""

from __future__ import annotations

import pytest

from posjobs.clock import ManualClock
from posjobs.liquid import Dialect, JobInfo, RunState
from tests.conftest import T0, write_project

PAGE = "app/views/pages/t.liquid"


@pytest.fixture
def log(tmp_path):
    dialect = Dialect(write_project(tmp_path / "p", {}))

    def log(source: str, job: JobInfo | None = None, **variables: object) -> RunState:
        run = RunState(clock=ManualClock(T0), reserve_id=lambda: 1, job_context={},
                       environment="staging", page=None if job else PAGE, job=job)
        dialect.render(dialect.parse_source(source, PAGE), run, context={}, variables=variables)
        return run

    return log


def test_default_type_is_info_and_the_entry_says_where_it_came_from(log):
    (entry,) = log("\n{% log 'hello world' %}").logs
    assert (entry.type, entry.message) == ("info", "hello world")
    assert (entry.page, entry.template, entry.line) == (PAGE, PAGE, 2)
    assert entry.created_at == T0


def test_filters_apply_to_the_message_and_type_is_separate(log):
    (entry,) = log("{% log 'User: ' | append: name, type: 'debug' %}", name="Ada").logs
    assert (entry.type, entry.message) == ("debug", "User: Ada")


def test_hashes_and_arrays_are_logged_as_compact_json(log):
    (a, b) = log("{% log h %}{% log list %}", h={"a": 1, "b": [True, None]}, list=[1, "x"]).logs
    assert a.message == '{"a":1,"b":[true,null]}'
    assert b.message == '[1,"x"]'


def test_nil_and_numbers(log):
    entries = log("{% log missing %}{% log 7 %}").logs
    assert [e.message for e in entries] == ["null", "7"]


@pytest.mark.parametrize(("env", "logged"), [("all", True), ("staging", True),
                                             ("production", False)])
def test_env_limits_where_the_entry_is_written(log, env, logged):
    run = log(f"{{% log 'x', env: '{env}' %}}")
    assert bool(run.logs) is logged


def test_in_a_job_the_entry_names_the_job_and_attempt(log):
    job = JobInfo(id=4, source_name="sync", attempt=2, max_attempts=3, priority="high")
    (entry,) = log("{% log 'x', type: 'sync' %}", job=job).logs
    assert (entry.job_id, entry.source_name, entry.attempt, entry.max_attempts,
            entry.priority) == (4, "sync", 2, 3, "high")
    assert entry.page is None


def test_log_inside_the_liquid_tag(log):
    entries = log("{% liquid\n  log 'a', type: 'x'\n  # a comment\n  log 'b'\n%}").logs
    assert [(e.type, e.message, e.line) for e in entries] == [("x", "a", 2), ("info", "b", 4)]
