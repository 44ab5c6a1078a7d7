"""The whole path through the real CLI: render, list, run, read the logs, inspect a job."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.conftest import FIXTURES, run_cli


@pytest.fixture
def demo(tmp_path):
    root = tmp_path / "demo"
    shutil.copytree(FIXTURES / "demo", root, ignore=shutil.ignore_patterns(".posjobs"))
    return root


def test_render_prints_html_on_stdout_and_the_jobs_on_stderr(demo):
    result = run_cli(["--project", str(demo), "render", "/", "-P", "user_id=7"])
    assert result.exit_code == 0, result.stderr
    assert "<h1>Welcome, user 7</h1>" in result.stdout
    assert "4 job(s) enqueued" in result.stderr
    for name in ("send_welcome_email", "generate_monthly_report", "critical_sync",
                 "process_order"):
        assert name in result.stderr
        assert name not in result.stdout


def test_render_json_has_html_jobs_and_logs(demo):
    result = run_cli(["-p", str(demo), "render", "/", "--json"])
    data = json.loads(result.stdout)
    assert set(data) >= {"html", "jobs", "logs"}
    assert [j["source_name"] for j in data["jobs"]] == [
        "send_welcome_email", "generate_monthly_report", "critical_sync", "process_order"]
    assert {"id", "source_name", "priority", "status", "attempts", "max_attempts", "run_at",
            "created_at"} <= set(data["jobs"][0])
    assert data["logs"][0]["message"] == "home page rendered"


def test_render_then_worker_then_logs_then_show(demo):
    assert run_cli(["-p", str(demo), "render", "/", "-P", "email=ada@example.com"]).exit_code == 0
    listed = json.loads(run_cli(["-p", str(demo), "jobs", "list", "--json"]).stdout)
    assert [j["status"] for j in listed] == ["scheduled"] * 4
    assert [j["id"] for j in listed] == [4, 3, 2, 1]  # newest first

    burst = run_cli(["-p", str(demo), "worker", "--burst", "--concurrency", "1"])
    assert burst.exit_code == 0, burst.stderr
    statuses = {j["source_name"]: j["status"] for j in json.loads(
        run_cli(["-p", str(demo), "jobs", "list", "--json"]).stdout)}
    # the report waits an hour and the sync's follow-up five minutes: burst leaves them
    assert statuses == {"send_welcome_email": "done", "generate_monthly_report": "scheduled",
                        "critical_sync": "done", "process_order": "done",
                        "report_after_sync": "scheduled"}

    logs = run_cli(["-p", str(demo), "logs", "-n", "100"]).stdout
    assert "] - email: sending 'Welcome to posjobs demo' to ada@example.com" in logs
    assert "job 1 send_welcome_email · attempt 1/2 · default · " \
           "app/views/partials/emails/welcome.liquid:3" in logs

    shown = json.loads(run_cli(["-p", str(demo), "jobs", "show", "4", "--json"]).stdout)
    assert shown["source_name"] == "process_order"
    assert "{% log" in shown["body"]
    assert shown["attempts"][0]["outcome"] == "done"
    assert any(e["type"] == "orders" for e in shown["logs"])


def test_fast_forward_runs_everything_and_summarises(demo):
    run_cli(["-p", str(demo), "render", "/"])
    result = run_cli(["-p", str(demo), "worker", "--fast-forward"])
    assert result.exit_code == 0, result.stderr
    assert "5 job(s), all done" in result.stderr


def test_render_run_is_a_ci_smoke_check(demo):
    result = run_cli(["-p", str(demo), "render", "/", "--run", "--json"])
    assert result.exit_code == 0, result.stderr
    run = json.loads(result.stdout)["run"]
    assert run["ok"] is True
    assert {j["source_name"]: j["status"] for j in run["jobs"]} == {
        "send_welcome_email": "done", "generate_monthly_report": "done",
        "critical_sync": "done", "process_order": "done", "report_after_sync": "done"}


def test_render_run_exits_1_when_a_job_dies(make_project):
    project = make_project({
        "app/views/pages/index.liquid": "{% background _ = 'bad', max_attempts: 2 %}",
        "app/views/partials/bad.liquid": "{{ 1 | divided_by: 0 }}",
    })
    result = run_cli(["-p", str(project.root), "render", "/", "--run"])
    assert result.exit_code == 1
    assert "1 dead" in result.stderr
    assert "app/views/partials/bad.liquid:1" in result.stderr


def test_logs_filters_and_json_lines(demo):
    run_cli(["-p", str(demo), "render", "/", "--run"])
    lines = run_cli(["-p", str(demo), "logs", "-n", "500", "--json",
                     "--source-name", "send_*"]).stdout.splitlines()
    entries = [json.loads(line) for line in lines]
    assert entries and all(e["data"]["source_name"] == "send_welcome_email" for e in entries)
    assert {"id", "created_at", "error_type", "message", "data"} <= set(entries[0])
    exact = run_cli(["-p", str(demo), "logs", "-n", "500", "--filter", "EMAIL"]).stdout
    assert exact.count("] - email: ") == 1
    assert "notification" not in exact


def test_jobs_retry_run_and_delete(make_project):
    project = make_project({
        "app/views/pages/index.liquid": "{% background _ = 'bad' %}{% background _ = 'ok' %}",
        "app/views/partials/bad.liquid": "{{ 1 | divided_by: 0 }}",
        "app/views/partials/ok.liquid": "",
    })
    p = ["-p", str(project.root)]
    run_cli([*p, "render", "/", "--run"])
    dead = json.loads(run_cli([*p, "jobs", "list", "--status", "dead", "--json"]).stdout)
    assert [j["source_name"] for j in dead] == ["bad"]
    assert run_cli([*p, "jobs", "retry", "--all-dead"]).exit_code == 0
    assert json.loads(run_cli([*p, "jobs", "show", "1", "--json"]).stdout)["status"] == \
        "scheduled"
    ran = run_cli([*p, "jobs", "run", "1"])
    assert ran.exit_code == 1  # it died again
    assert run_cli([*p, "jobs", "delete", "1"]).exit_code == 0
    assert run_cli([*p, "jobs", "show", "1"]).exit_code == 3


def test_project_from_the_environment_and_the_current_directory(demo, monkeypatch):
    monkeypatch.setenv("POSJOBS_PROJECT", str(demo))
    assert run_cli(["render", "/"]).exit_code == 0
    monkeypatch.delenv("POSJOBS_PROJECT")
    monkeypatch.chdir(demo / "app" / "views")
    assert run_cli(["jobs", "list"]).exit_code == 0
    assert run_cli(["render", "pages/orders/create.liquid", "-P", "order_id=9"]).exit_code == 0


def test_db_option_puts_the_store_elsewhere(demo, tmp_path):
    db = tmp_path / "elsewhere.db"
    assert run_cli(["-p", str(demo), "--db", str(db), "render", "/"]).exit_code == 0
    assert db.exists()
    assert not (demo / ".posjobs").exists()
