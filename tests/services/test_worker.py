"""Running jobs: scope isolation, outcomes, retries with backoff, fast-forward order."""

from __future__ import annotations

from random import Random

import pytest

from posjobs.jobs.backoff import retry_delay
from posjobs.jobs.model import JobStatus
from posjobs.services.render import render_page
from posjobs.services.runner import fast_forward
from posjobs.store.base import JobFilter, LogFilter
from tests.services.local import LocalWorker


def run_page(project, store, clock, settings, page="/", **params):
    result = render_page(project, store, page, clock=clock, settings=settings, params=params)
    worker = LocalWorker(project, store, settings, clock=clock, rng=Random(3), name="w1")
    return result, worker


def messages(store, job_id=None, type_=None):
    entries = store.tail_logs(LogFilter(job_id=job_id), 1000)
    return [e.message for e in entries if type_ is None or e.type == type_]


def test_a_job_sees_only_what_was_passed_plus_the_restricted_context(make_project, store,
                                                                     clock, settings):
    project = make_project({"app/views/pages/index.liquid": """
        {% assign secret = 'page only' %}
        {% background source_name: 'scope', passed: 'yes' %}
          {% log passed, type: 'scope' %}
          {% log secret, type: 'scope' %}
          {% log context.params, type: 'scope' %}
          {% log context.environment, type: 'scope' %}
        {% endbackground %}
        """})
    _, worker = run_page(project, store, clock, settings, secret="from params")
    outcome = worker.run_next()
    assert outcome.status is JobStatus.DONE
    assert messages(store, type_="scope") == ["yes", "null", "null", "staging"]


def test_log_entries_of_an_inline_body_point_at_the_page_lines(make_project, store, clock,
                                                               settings):
    project = make_project({"app/views/pages/index.liquid":
                            "a\nb\n{% background %}\n\n  {% log 'x' %}\n{% endbackground %}\n"})
    _, worker = run_page(project, store, clock, settings)
    worker.run_next()
    (entry,) = [e for e in store.tail_logs(LogFilter(), 10) if e.type == "info"]
    assert (entry.template, entry.line) == ("app/views/pages/index.liquid", 5)


def test_a_failing_job_is_retried_with_backoff_then_dies(make_project, store, clock, settings):
    project = make_project({
        "app/views/pages/index.liquid":
            "{% background _ = 'boom', max_attempts: 3, source_name: 'boom' %}",
        "app/views/partials/boom.liquid": "{% log 'trying' %}{{ 1 | divided_by: 0 }}",
    })
    result, worker = run_page(project, store, clock, settings)
    job_id = result.jobs[0].id
    first = worker.run_next()
    assert first.status is JobStatus.RETRY
    job = store.get_job(job_id)
    assert job.run_at == pytest.approx(clock.now() + retry_delay(0, Random(3)))
    assert worker.run_next() is None  # not due yet
    outcomes = list(fast_forward(worker, clock))
    assert [o.status for o in outcomes] == [JobStatus.RETRY, JobStatus.DEAD]
    job = store.get_job(job_id)
    assert job.status is JobStatus.DEAD
    assert job.attempts == 3
    assert job.last_error["class"] == "FilterArgumentError"
    assert job.last_error["message"] == "divided_by: can't divide by 0"
    assert job.last_error["path"] == "app/views/partials/boom.liquid"
    types = [e.type for e in store.tail_logs(LogFilter(job_id=job_id), 100)]
    assert types.count("job_error") == 3
    assert types.count("job_retry") == 2
    assert types.count("job_dead_error") == 1
    assert [a.outcome for a in store.attempts(job_id)] == ["failed"] * 3


def test_jobs_enqueued_by_a_job_are_stored_only_when_it_succeeds(make_project, store, clock,
                                                                 settings):
    project = make_project({
        "app/views/pages/index.liquid":
            "{% background _ = 'parent', ok: true %}{% background _ = 'parent', ok: false %}",
        "app/views/partials/parent.liquid":
            "{% background _ = 'child', source_name: 'child' %}"
            "{% if ok == false %}{{ 1 | divided_by: 0 }}{% endif %}",
        "app/views/partials/child.liquid": "{% log 'child ran' %}",
    })
    _, worker = run_page(project, store, clock, settings)
    outcomes = list(fast_forward(worker, clock))
    children = store.list_jobs(JobFilter(source_names=("child",)))
    assert len(children) == 1
    assert children[0].parent_job_id == outcomes[0].job.id
    assert children[0].status is JobStatus.DONE


def test_fast_forward_runs_in_the_order_real_time_would(make_project, store, clock, settings):
    project = make_project({
        "app/views/pages/index.liquid": """
            {% background _ = 'p', source_name: 'late_high', delay: 10, priority: 'high' %}
            {% background _ = 'p', source_name: 'low_now', priority: 'low' %}
            {% background _ = 'p', source_name: 'default_now' %}
            {% background _ = 'p', source_name: 'high_now', priority: 'high' %}
            {% background _ = 'p', source_name: 'soon', delay: 1, priority: 'low' %}
            """,
        "app/views/partials/p.liquid": "",
    })
    _, worker = run_page(project, store, clock, settings)
    start = clock.now()
    outcomes = list(fast_forward(worker, clock))
    assert [o.job.source_name for o in outcomes] == [
        "high_now", "default_now", "low_now", "soon", "late_high"]
    assert clock.now() == pytest.approx(start + 600)


def test_fast_forward_among_runs_only_those_jobs_and_their_descendants(make_project, store,
                                                                       clock, settings):
    project = make_project({
        "app/views/pages/a.liquid": "{% background _ = 'parent' %}",
        "app/views/pages/b.liquid": "{% background _ = 'child', source_name: 'other' %}",
        "app/views/partials/parent.liquid": "{% background _ = 'child', delay: 5 %}",
        "app/views/partials/child.liquid": "",
    })
    other = render_page(project, store, "b", clock=clock, settings=settings).jobs[0]
    mine = render_page(project, store, "a", clock=clock, settings=settings).jobs[0]
    worker = LocalWorker(project, store, settings, clock=clock, rng=Random(1))
    outcomes = list(fast_forward(worker, clock, among={mine.id}))
    assert [o.job.source_name for o in outcomes] == ["parent", "child"]
    assert store.get_job(other.id).status is JobStatus.SCHEDULED


def test_a_lost_worker_is_recovered_and_its_attempt_counts(make_project, store, clock,
                                                           settings):
    project = make_project({"app/views/pages/index.liquid":
                            "{% background _ = 'p', max_attempts: 2 %}",
                            "app/views/partials/p.liquid": ""})
    result, worker = run_page(project, store, clock, settings)
    claimed = worker.claim()  # and then the worker "dies"
    assert claimed.attempts == 1
    clock.advance(settings.lease_seconds + 1)
    (recovered,) = worker.recover()
    assert recovered.status is JobStatus.RETRY
    outcome = worker.run_next()
    assert outcome.status is JobStatus.DONE
    assert store.get_job(result.jobs[0].id).attempts == 2
    assert [a.outcome for a in store.attempts(result.jobs[0].id)] == ["interrupted", "done"]
    assert any("recovered" in m for m in messages(store))


def test_retention_forgets_old_done_jobs_and_logs_but_never_dead_ones(make_project, store,
                                                                     clock):
    from posjobs.config import Retention, Settings

    project = make_project({
        "app/views/pages/index.liquid":
            "{% background _ = 'ok' %}{% background _ = 'ok' %}{% background _ = 'bad' %}",
        "app/views/partials/ok.liquid": "{% log 'ok' %}",
        "app/views/partials/bad.liquid": "{{ 1 | divided_by: 0 }}",
    })
    keep = Settings(retention=Retention(done_jobs_days=1, max_done_jobs=1, log_days=1,
                                        max_logs=1000))
    render_page(project, store, "/", clock=clock, settings=keep)
    worker = LocalWorker(project, store, keep, clock=clock, rng=Random(1))
    list(fast_forward(worker, clock))
    # Two done jobs, one kept by max_done_jobs.
    assert worker.supervisor.apply_retention(clock.now())[0] == 1
    clock.advance(2 * 86_400)
    jobs, logs = worker.supervisor.apply_retention(clock.now())
    assert jobs == 1
    assert logs > 0
    remaining = store.list_jobs(JobFilter())
    assert [j.status for j in remaining] == [JobStatus.DEAD]
    assert store.tail_logs(LogFilter(), 10) == []


def test_job_arguments_are_local_variables_as_on_the_platform(make_project, store, clock,
                                                              settings):
    project = make_project({
        "app/views/pages/index.liquid": "{% background _ = 'job', secret: 'x' %}",
        "app/views/partials/job.liquid":
            "{% include 'shared' %}{% render 'isolated' %}{% function r = 'fn' %}",
        "app/views/partials/shared.liquid": "{% log secret, type: 'include' %}",
        "app/views/partials/isolated.liquid":
            "{% log secret, type: 'render' %}{% log context.environment, type: 'render' %}",
        "app/views/partials/fn.liquid": "{% log secret, type: 'function' %}{% return 1 %}",
    })
    _, worker = run_page(project, store, clock, settings)
    assert worker.run_next().status is JobStatus.DONE
    seen = {(e.type, e.message) for e in store.tail_logs(LogFilter(), 100)}
    assert ("include", "x") in seen  # include shares the caller's scope
    assert ("render", "null") in seen and ("function", "null") in seen  # isolated partials
    assert ("render", "staging") in seen  # `context` is global everywhere


def test_log_env_in_a_job_follows_the_environment_it_was_enqueued_in(make_project, store,
                                                                      clock, settings):
    from posjobs.services.context import Request

    project = make_project({
        "app/views/pages/index.liquid": "{% background _ = 'job' %}",
        "app/views/partials/job.liquid":
            "{% log 'prod only', env: 'production' %}{% log context.environment %}",
    })
    render_page(project, store, "/", clock=clock, settings=settings,
                request=Request(environment="production"))
    worker = LocalWorker(project, store, settings, clock=clock, rng=Random(1))
    worker.run_next()
    assert messages(store, type_="info") == ["prod only", "production"]


def test_a_kill_requested_for_a_job_whose_worker_died_survives_recovery(make_project, store,
                                                                        clock, settings):
    project = make_project({"app/views/pages/index.liquid":
                            "{% background _ = 'p', max_attempts: 3 %}",
                            "app/views/partials/p.liquid": "{% log 'ran' %}"})
    result, worker = run_page(project, store, clock, settings)
    job_id = result.jobs[0].id
    worker.claim()  # and then its worker dies
    assert store.request_kill(job_id)  # `jobs kill`, which nobody is left to obey
    clock.advance(settings.lease_seconds + 1)
    (recovered,) = worker.recover()
    assert recovered.status is JobStatus.DEAD  # stopped, not run again
    assert recovered.last_error["class"] == "Killed"
    assert worker.run_next() is None
    assert "ran" not in messages(store, job_id)
