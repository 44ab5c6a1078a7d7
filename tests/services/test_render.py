"""Rendering a page: HTML, layout, the jobs it enqueued, and what a failure leaves behind."""

from __future__ import annotations

import pytest

from posjobs.errors import TemplateError
from posjobs.jobs.model import JobStatus
from posjobs.services.render import render_page
from posjobs.store.base import LogFilter

FILES = {
    "app/views/layouts/application.liquid": "<body>{{ content_for_layout }}</body>",
    "app/views/pages/index.liquid": """
        ---
        metadata:
          title: Home
        ---
        {% log 'rendering', type: 'page' %}
        Hi {{ context.params.name }} ({{ context.page.metadata.title }})
        {%- background _ = 'emails/welcome', source_name: 'welcome', to: context.params.name -%}
        """,
    "app/views/pages/broken.liquid": """
        {% log 'before the error' %}
        {% background _ = 'emails/welcome' %}
        {{ 1 | divided_by: 0 }}
        """,
    "app/views/partials/emails/welcome.liquid": "{% log to %}",
}


@pytest.fixture
def project(make_project):
    return make_project(FILES)


def test_a_page_renders_in_its_layout_and_its_jobs_become_durable(project, store, clock,
                                                                  settings):
    result = render_page(project, store, "/", clock=clock, settings=settings,
                         params={"name": "Ada"})
    assert result.html.startswith("<body>")
    assert "Hi Ada (Home)" in result.html
    (job,) = result.jobs
    assert store.get_job(job.id).status is JobStatus.SCHEDULED
    assert job.arguments == {"to": "Ada"}
    assert [e.type for e in result.logs] == ["page", "job_enqueued"]


def test_jobs_get_the_restricted_context_only(project, store, clock, settings):
    (job,) = render_page(project, store, "/", clock=clock, settings=settings,
                         params={"name": "Ada"}).jobs
    # tags.json, background: constants, page metadata and device only when passed.
    assert set(job.context) == {"environment", "location", "globals", "language"}


def test_a_failed_render_enqueues_nothing_but_keeps_its_logs(project, store, clock, settings):
    with pytest.raises(TemplateError) as err:
        render_page(project, store, "broken", clock=clock, settings=settings)
    assert err.value.path == "app/views/pages/broken.liquid"
    assert err.value.line == 3
    assert sum(store.count_jobs().values()) == 0
    entries = store.tail_logs(LogFilter(), 10)
    assert [e.type for e in entries] == ["info", "liquid_error"]
    assert "app/views/pages/broken.liquid:3" in entries[1].message


def test_ids_given_back_after_a_failed_render_are_reused(project, store, clock, settings):
    with pytest.raises(TemplateError):
        render_page(project, store, "broken", clock=clock, settings=settings)
    (job,) = render_page(project, store, "/", clock=clock, settings=settings).jobs
    assert job.id == 1


def test_a_missing_layout_is_a_template_error(make_project, store, clock, settings):
    project = make_project({"app/views/pages/x.liquid": "---\nlayout: nope\n---\nx"})
    with pytest.raises(TemplateError, match="layout 'nope' not found"):
        render_page(project, store, "x", clock=clock, settings=settings)
