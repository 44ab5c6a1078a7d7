"""What a job's code sees: only what the tag passes, no request, nothing unstorable (PJ2xx)."""

from __future__ import annotations

from tests.check.conftest import PAGE, codes


def test_a_variable_the_inline_body_reads_but_the_tag_does_not_pass(lint):
    findings = lint("""
        {% assign user = 'Ada' %}
        {% background source_name: 'welcome' %}
          {% log user.name %}
          {% log user.email %}
        {% endbackground %}
    """)
    assert codes(findings) == [("PJ201", 3)]  # once per name
    assert findings[0].spot.column == 10
    assert "'user' is not passed" in findings[0].message


def test_names_the_job_has_are_not_reported(lint):
    findings = lint("""
        {% background source_name: 'ok', order: order, items: items %}
          {% assign total = 0 %}
          {% capture label %}order {{ order.id }}{% endcapture %}
          {% for item in items %}{{ forloop.index }} {{ item.price }}{% endfor %}
          {% tablerow cell in items %}{{ tablerowloop.col }}{{ cell }}{% endtablerow %}
          {% function tax = 'lib/tax', total: total %}
          {% graphql found = 'orders/find', id: order.id %}
          {% parse_json data %}{"a": 1}{% endparse_json %}
          {% hash_assign extra["a"] = 1 %}
          {% try %}{{ data.a }}{% catch err %}{% log err.message %}{% endtry %}
          {% increment counter %}
          {% log context.environment | append: label | append: tax | append: found %}
          {% log extra %}
          {% log counter %}
        {% endbackground %}
    """)
    assert [f for f in findings if f.code == "PJ201"] == []


def test_options_are_not_variables_in_the_job(lint):
    findings = lint("""
        {% background source_name: 'opts', delay: 1, n: 1 %}
          {% log delay %}{% log n %}
        {% endbackground %}
    """)
    assert [(f.code, f.message.split(" is ")[0]) for f in findings] == [("PJ201", "'delay'")]


def test_a_name_assigned_after_it_is_read_was_nil_when_read(lint):
    findings = lint("""
        {% background source_name: 'late' %}
          {% log total %}
          {% assign total = 1 %}
        {% endbackground %}
    """)
    assert codes(findings) == [("PJ201", 2)]


def test_request_data_in_an_inline_body(lint):
    findings = lint("""
        <p>{{ context.params.id }} {{ context.session.x }}</p>
        {% background source_name: 'job' %}
          {% log context.params.id %}
          {% log context["current_user"].email %}
          {% log params.id %}
          {% log context.environment %}
        {% endbackground %}
    """)
    assert codes(findings) == [("PJ202", 3), ("PJ202", 4), ("PJ202", 5)]
    assert "`context.params` is request data" in findings[0].message
    assert findings[0].job is None  # in the tag's own body


def test_request_data_followed_through_include_render_and_function(lint):
    findings = lint({
        PAGE: """
            {% background _ = 'jobs/start', source_name: 'start' %}
        """,
        "app/lib/jobs/start.liquid": """
            {% include 'jobs/step1' %}
        """,
        "app/views/partials/jobs/step1.liquid": """
            {% render 'jobs/step2', n: 1 %}
        """,
        "app/views/partials/jobs/step2.liquid": """
            {% function r = 'jobs/step3' %}
            {% log n %}
        """,
        "app/lib/jobs/step3.liquid": """
            {% include 'jobs/start' %}
            {% log context.headers.HTTP_HOST %}
            {% session seen = true %}
        """,
    })
    assert [(f.code, f.spot.path, f.spot.line) for f in findings] == [
        ("PJ202", "app/lib/jobs/step3.liquid", 2),
        ("PJ203", "app/lib/jobs/step3.liquid", 3),
    ]
    assert all(f.job is not None and f.job.path == PAGE and f.job.line == 1 for f in findings)


def test_include_cycles_end(lint):
    findings = lint({
        PAGE: """
            {% background source_name: 'loop', n: 1 %}{% include 'a' %}{% endbackground %}
        """,
        "app/views/partials/a.liquid": "{% if n < 3 %}{% include 'b' %}{% endif %}",
        "app/views/partials/b.liquid": "{% include 'a' %}{{ context.session.id }}",
    })
    assert [(f.code, f.spot.path) for f in findings] == [("PJ202", "app/views/partials/b.liquid")]
    assert findings[0].job is not None and findings[0].job.path == PAGE


def test_a_partial_used_by_pages_and_jobs_is_reported_once(lint):
    findings = lint({
        PAGE: """
            {% background _ = 'shared', source_name: 'a' %}
            {% background _ = 'shared', source_name: 'b' %}
            {% include 'shared' %}
        """,
        "app/views/pages/other.liquid": """
            {% background source_name: 'c' %}{% include 'shared' %}{% endbackground %}
        """,
        "app/views/partials/shared.liquid": """
            {{ context.cookies.theme }}
        """,
    })
    assert [(f.code, f.spot.path) for f in findings] == [
        ("PJ202", "app/views/partials/shared.liquid"),
    ]


def test_a_bare_request_name_passed_as_an_argument_is_data(lint):
    findings = lint({
        PAGE: """
            {% background _ = 'jobs/search', source_name: 'search', params: filters %}
            {% background source_name: 'own', session: data %}{% log session %}{% endbackground %}
        """,
        "app/lib/jobs/search.liquid": "{% log params.q %}",
    })
    assert findings == []


def test_only_the_job_code_is_checked_for_request_data(lint):
    findings = lint({
        PAGE: """
            {% session last_seen = 'now' %}
            {% sign_in user_id: context.params.id %}
            {% include 'header' %}
            {% background _ = 'jobs/ok', source_name: 'ok', user_id: context.current_user.id %}
        """,
        "app/views/partials/header.liquid": "{{ context.params.q }}",
        "app/lib/jobs/ok.liquid": "{% log user_id %}",
    })
    assert findings == []


def test_an_argument_the_job_never_reads(lint):
    partial_form = ("{% background _ = 'jobs/receipt', source_name: 'r', "
                    "id: 1, order_id: 2, extra: 3 %}")
    inline = "{% background source_name: 'i', a: 1, b: 2, c: 3 %}"
    findings = lint({
        PAGE: f"""
            {partial_form}
            {inline}
              {{% log a %}}{{% include 'uses_b' %}}{{% render 'gets_c', c: 1 %}}
            {{% endbackground %}}
        """,
        "app/lib/jobs/receipt.liquid": "{% log id %}{% include 'uses_extra' %}",
        "app/views/partials/uses_extra.liquid": "{% log extra %}",
        "app/views/partials/uses_b.liquid": "{% log b %}",
        "app/views/partials/gets_c.liquid": "{% log c %}",
    })
    assert [(f.code, f.spot.line, f.spot.column) for f in findings] == [
        ("PJ204", 1, partial_form.index("order_id") + 1), ("PJ204", 2, inline.index("c:") + 1),
    ]
    assert findings[0].message == "argument 'order_id' is never read by partial 'jobs/receipt'"
    assert findings[1].message == "argument 'c' is never read by the job's body"


def test_unused_arguments_are_not_guessed_when_an_include_cannot_be_read(lint):
    findings = lint("""
        {% background source_name: 'dyn', template: 'x', a: 1 %}
          {% include template %}
        {% endbackground %}
    """)
    assert findings == []


def test_nested_inline_backgrounds(lint):
    findings = lint("""
        {% background source_name: 'outer', n: 1 %}
          {% background source_name: 'inner', n: n %}
            {% log n %}
          {% endbackground %}
          {% background _ = 'jobs/x', source_name: 'partial_form_is_fine', n: n %}
        {% endbackground %}
    """)
    assert [c for c in codes(findings) if c[0] == "PJ205"] == [("PJ205", 2)]
    assert "inside the inline background at line 1" in findings[0].message


def test_unstorable_arguments(lint):
    findings = lint({
        PAGE: """
            {% assign pages = (1..3) %}
            {% for i in (1..2) %}
              {% background _ = 'jobs/x', source_name: 'x', a: (1..3), b: empty, c: blank,
                 d: forloop, e: pages, f: forloop.index, g: nil %}
            {% endfor %}
        """,
        "app/lib/jobs/x.liquid": "{{ a }}{{ b }}{{ c }}{{ d }}{{ e }}{{ f }}{{ g }}",
    })
    assert [(f.code, f.message.split(",")[0]) for f in findings] == [
        ("PJ206", "argument 'a' is the range (1..3)"),
        ("PJ206", "argument 'b' is `empty`"),
        ("PJ206", "argument 'c' is `blank`"),
        ("PJ206", "argument 'd' is `forloop`"),
        ("PJ206", "argument 'e' is the range (1..3) (`pages` is assigned (1..3) at line 1)"),
    ]


def test_constants_and_the_request_query_are_not_in_a_jobs_context(lint):
    # tags.json, background: "you need to explicitly pass ... device and constants".
    findings = lint("""
        {% background source_name: 'c', constants: context.constants %}
          {% log context.constants.API_KEY %}
          {% log constants.API_KEY %}
          {% log context.location.search.page %}
          {% log context.location.pathname %}
        {% endbackground %}
    """)
    assert [(f.code, f.spot.line) for f in findings if f.code == "PJ202"] == [
        ("PJ202", 2), ("PJ202", 4)]
    assert "`context.constants`" in findings[0].message
