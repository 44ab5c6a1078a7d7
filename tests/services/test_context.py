"""The `context` object: a page's, typed as objects.json types it, and the restricted copy a
job gets, as the background tag's reference describes it."""

from __future__ import annotations

import dataclasses

from posjobs.services.render import render_page


def test_location_search_is_the_query_as_a_hash(make_project, store, clock, settings):
    # objects.json types `search` as an object; the platform's modules read
    # `context.location.search.page` (pos-module-common-styling pagination.liquid).
    project = make_project({"app/views/pages/list.liquid": (
        "{{ context.location.search.page }}|{{ context.location.search.size }}|"
        "{{ context.location.pathname }}|{{ context.location.href }}|{{ context.location.url }}")})
    html = render_page(project, store, "list?page=3&q=x", clock=clock, settings=settings).html
    assert html == ("3|2|/list|https://localhost/list?page=3&q=x|"
                    "https://localhost/list?page=3&q=x")


def test_a_job_gets_no_constants_and_no_request_params(make_project, store, clock, settings):
    settings = dataclasses.replace(settings, constants={"API_KEY": "secret"})
    project = make_project({
        "app/views/pages/go.liquid": "{% background _ = 'job', source_name: 's' %}",
        "app/views/partials/job.liquid": "x",
    })
    (job,) = render_page(project, store, "go?token=abc", clock=clock, settings=settings).jobs
    # tags.json, background: page/layout metadata, device and constants only when passed.
    assert "constants" not in job.context
    assert job.context["location"] == {
        "href": "https://localhost/go", "url": "https://localhost/go", "host": "localhost",
        "pathname": "/go", "search": {}}
