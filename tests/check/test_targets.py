"""`posjobs check` follows what a template names (forms, queries, theme partials), reads
form files, and follows a job's includes for the variables it reads."""

from __future__ import annotations

import re

from tests.conftest import run_cli


def findings(project) -> list[tuple[str, str, int, str]]:
    result = run_cli(["-p", str(project.root), "check"])
    found = []
    for line in result.stdout.splitlines():
        match = re.fullmatch(r"(\S+):(\d+):\d+: (PJ\d{3}) (.+)", line)
        assert match, line
        found.append((match[3], match[1], int(match[2]), match[4]))
    return found


def test_missing_targets_are_findings_with_their_place(make_project):
    project = make_project({
        "app/config.yml": "theme_search_paths:\n  - theme/simple\n",
        "app/views/pages/index.liquid": """
            {% include_form 'signup' %}
            {% include_form 'no_such_form' %}
            {% graphql g = 'users/find' %}
            {% graphql g = 'users/fnd' %}
            {% theme_render_rc 'card' %}
            {% theme_render_rc 'no_such_card' %}
            {% graphql g, id: 1 %}query q { records(per_page: 1) { total_entries } }{% endgraphql %}
        """,
        "app/forms/signup.liquid": "---\nname: signup\n---\n{% form %}{% endform %}\n",
        "app/graphql/users/find.graphql": "query { records(per_page: 1) { total_entries } }\n",
        "app/views/partials/theme/simple/card.liquid": "card",
    })
    found = findings(project)
    page = "app/views/pages/index.liquid"
    assert [(code, path, line) for code, path, line, _ in found] == [
        ("PJ006", page, 2), ("PJ007", page, 4), ("PJ004", page, 6)]
    assert "theme/simple/no_such_card" in found[2][3]


def test_form_files_are_checked(make_project):
    project = make_project({
        "app/views/pages/index.liquid": "{% include_form 'signup' %}",
        "app/forms/signup.liquid":
            "---\nname: signup\n---\n{% form %}{{ 'x' | frobnicate }}{% endform %}\n",
    })
    assert [(code, path, line) for code, path, line, _ in findings(project)] == [
        ("PJ003", "app/forms/signup.liquid", 4)]


def test_unpassed_variables_are_found_inside_partials_the_job_includes(make_project):
    project = make_project({
        "app/views/pages/index.liquid": """
            {% assign secret = 'x' %}
            {% background source_name: 'inline', user_id: 1 %}
              {% log user_id %}
              {% include 'shared/reads_secret' %}
            {% endbackground %}
            {% include 'shared/reads_secret' %}
        """,
        "app/views/partials/shared/reads_secret.liquid": "{% log secret %}",
    })
    found = findings(project)
    assert [(code, path, line) for code, path, line, _ in found] == [
        ("PJ201", "app/views/partials/shared/reads_secret.liquid", 1)]
    assert "'secret' is not passed to this background job" in found[0][3]
