"""The background tag: both forms, its options, and what it stores for the job."""

from __future__ import annotations

import itertools

import pytest

from posjobs.clock import ManualClock
from posjobs.errors import TemplateError
from posjobs.jobs.model import Priority
from posjobs.liquid import Dialect, RunState
from tests.conftest import T0, write_project

PAGE = "app/views/pages/t.liquid"


@pytest.fixture
def render(tmp_path):
    project = write_project(tmp_path / "p", {
        "app/views/partials/commands/sync.liquid": "{% log 'synced' %}",
    })
    dialect = Dialect(project)

    def render(source: str, **variables: object) -> tuple[str, RunState]:
        ids = itertools.count(1)
        run = RunState(clock=ManualClock(T0), reserve_id=lambda: next(ids),
                       job_context={"environment": "staging"})
        html = dialect.render(dialect.parse_source(source, PAGE), run, context={},
                              variables=variables)
        return html, run

    return render


def test_partial_form_enqueues_a_job_with_options_and_arguments(render):
    html, run = render(
        "{% background job_id = 'commands/sync', delay: 0.5, priority: 'high', "
        "max_attempts: 3, source_name: 'sync', order_id: order.id %}[{{ job_id }}]",
        order={"id": 7},
    )
    assert html == "[1]"  # prints nothing itself; the variable receives the job's id
    (job,) = run.jobs
    assert job.partial == "commands/sync"
    assert job.body is None
    assert job.priority is Priority.HIGH
    assert job.max_attempts == 3
    assert job.source_name == "sync"
    assert job.run_at == T0 + 30
    assert job.arguments == {"order_id": 7}
    assert job.context == {"environment": "staging"}
    assert (job.template, job.line) == (PAGE, 1)


def test_the_partial_may_be_named_by_a_variable(render):
    _, run = render("{% assign p = 'commands/sync' %}{% background _ = p %}")
    assert run.jobs[0].partial == "commands/sync"


def test_inline_form_keeps_the_body_as_source_and_renders_nothing(render):
    html, run = render(
        "before{% background source_name: 'x', user_id: user.id %}"
        "{% log user_id %}{{ 'shown only in the job' }}{% endbackground %}after",
        user={"id": 5},
    )
    assert html == "beforeafter"
    (job,) = run.jobs
    assert job.partial is None
    assert job.body == "{% log user_id %}{{ 'shown only in the job' }}"
    assert job.arguments == {"user_id": 5}
    assert run.logs == []  # the body did not run during the page render


def test_inside_the_liquid_tag_both_forms_work(render):
    _, run = render(
        "{% liquid\n"
        "  background _ = 'commands/sync', source_name: 'a'\n"
        "  background source_name: 'b', n: 1\n"
        "    log n\n"
        "  endbackground\n"
        "%}"
    )
    first, second = run.jobs
    assert first.partial == "commands/sync"
    assert second.body == "{% liquid\n    log n\n%}"
    assert second.body_line == 3  # the wrapper line stands on the tag's line


def test_inline_body_positions_point_into_the_template(render):
    _, run = render("line 1\n{% background n: 1 %}\n  {% log n %}\n{% endbackground %}")
    job = run.jobs[0]
    assert job.line == 2
    assert job.body_line == 2  # the body starts right after the tag, on its line


def test_source_name_defaults_to_the_partial_or_the_place_of_the_inline_tag(render):
    _, run = render("{% background _ = 'commands/sync' %}\n{% background %}x{% endbackground %}")
    assert run.jobs[0].source_name == "commands/sync"
    assert run.jobs[1].source_name == "pages/t:2"


def test_max_attempts_out_of_range_is_clamped_and_logged_as_a_warning(render):
    _, run = render("{% background _ = 'commands/sync', max_attempts: 9 %}")
    assert run.jobs[0].max_attempts == 5
    (warning,) = run.logs
    assert warning.type == "warning"
    assert "max_attempts 9" in warning.message
    assert warning.line == 1


@pytest.mark.parametrize(("options", "message"), [
    ("priority: 'urgent'", "priority must be one of"),
    ("delay: -1", "delay must be 0 or more"),
    ("delay: 'soon'", "delay must be a number"),
])
def test_bad_options_fail_the_render_at_the_tags_line(render, options, message):
    with pytest.raises(TemplateError) as err:
        render(f"ok\n{{% background _ = 'commands/sync', {options} %}}")
    assert message in err.value.message
    assert (err.value.path, err.value.line) == (PAGE, 2)


def test_an_argument_that_cannot_be_stored_is_named(render):
    with pytest.raises(TemplateError) as err:
        render("{% for i in (1..2) %}{% background _ = 'commands/sync', loop: forloop %}"
               "{% endfor %}")
    assert "argument 'loop'" in err.value.message
    assert "cannot store" in err.value.message


def test_arrays_hashes_and_nil_are_stored(render):
    _, run = render(
        "{% assign list = 'a,b' | split: ',' %}"
        "{% background _ = 'commands/sync', list: list, h: h, none: missing, f: 1.5 %}",
        h={"k": [1, {"x": None}]},
    )
    assert run.jobs[0].arguments == {"list": ["a", "b"], "h": {"k": [1, {"x": None}]},
                                     "none": None, "f": 1.5}


def test_a_missing_partial_fails_the_render_with_its_name(render):
    with pytest.raises(TemplateError) as err:
        render("\n\n{% background _ = 'commands/nope' %}")
    assert "'commands/nope' not found" in err.value.message
    assert err.value.line == 3


def test_an_unclosed_inline_background_is_a_syntax_error(render):
    with pytest.raises(TemplateError) as err:
        render("{% background n: 1 %}\n{% log n %}")
    assert err.value.path == PAGE


def test_a_syntax_error_in_an_inline_body_is_reported_at_page_parse(render):
    with pytest.raises(TemplateError) as err:
        render("{% background n: 1 %}\n{% if %}{% endif %}\n{% endbackground %}")
    assert err.value.line == 2


def test_a_job_id_is_reserved_per_tag_in_order(render):
    html, run = render("{% for i in (1..3) %}{% background j = 'commands/sync', i: i %}"
                       "{{ j }},{% endfor %}")
    assert html == "1,2,3,"
    assert [job.arguments["i"] for job in run.jobs] == [1, 2, 3]


def test_times_are_stored_as_iso_text(render):
    _, run = render("{% assign t = '2026-11-29 17:02:03' | to_time %}"
                    "{% background _ = 'commands/sync', at: t %}")
    assert run.jobs[0].arguments == {"at": "2026-11-29T17:02:03.000Z"}


def test_a_range_is_not_storable_pass_an_array(render):
    with pytest.raises(TemplateError) as err:
        render("{% background _ = 'commands/sync', r: (1..3) %}")
    assert "argument 'r' is of type Range" in err.value.message
