"""graphql: query files must exist; a .posjobs/graphql mock overrides the data layer."""

from __future__ import annotations

import json

import pytest

from tests.liquid.tag_helpers import PAGE, Pages

MODELS = {"models": {"results": [{"id": "5", "name": "first"}], "total_entries": 1}}


@pytest.fixture
def page(tmp_path):
    return Pages(tmp_path, {
        "app/graphql/get_models.graphql": "query get_models($model_id: ID) { models { id } }",
        "app/graphql/users/find.graphql": "query find($id: ID) { user { id } }",
        "modules/user/public/graphql/user/search.graphql": "query { users { id } }",
        ".posjobs/graphql/get_models.json": json.dumps(MODELS),
        ".posjobs/graphql/users/find.json": json.dumps([
            {"when": {"id": 1}, "result": {"user": {"id": "1", "email": "one@example.com"}}},
            {"when": {"id": 2, "admin": True}, "result": {"user": {"id": "2", "admin": True}}},
        ]),
        ".posjobs/graphql/modules/user/user/search.json": json.dumps({"users": [{"id": "9"}]}),
        ".posjobs/graphql/set_message.json": json.dumps(
            [{"when": {"message": "new message"}, "result": {"model_update": {"id": "7"}}}]
        ),
        ".posjobs/graphql/records.json": json.dumps({"records": {"total_entries": 3}}),
    })


def test_the_file_form_answers_from_the_mock(page):
    out = page("{% graphql g = 'get_models', model_id: 5 %}{{ g.models.results[0].name }}")
    assert out.html == "first"
    assert out.run.logs == []


def test_filters_after_the_arguments_apply_to_the_result(page):
    out = page("{% graphql g = 'get_models', model_id: context.params.slug2 "
               "| dig: 'models', 'results' %}{{ g[0].id }}", context={"params": {"slug2": "5"}})
    assert out.html == "5"


def test_arguments_may_span_lines_inside_the_liquid_tag(page):
    out = page("""
        {%- liquid
          graphql g = "get_models",
            model_id: 5,
            user_id: 7
          echo g.models.total_entries
        -%}""")
    assert out.html == "1"


def test_cases_are_chosen_by_a_subset_of_the_arguments(page):
    template = "{% graphql r = 'users/find', id: id, admin: admin %}{{ r.user.id }}"
    assert page(template, id=1, admin=False).html == "1"
    assert page(template, id=2, admin=True).html == "2"


def test_a_number_matches_its_text_as_page_params_arrive_as_strings(page):
    out = page("{% graphql r = 'users/find', id: context.params.id %}{{ r.user.email }}",
               context={"params": {"id": "1"}})
    assert out.html == "one@example.com"


def test_args_passes_a_hash_or_a_json_string(page):
    assert page("{% graphql r = 'users/find', args: a %}{{ r.user.id }}", a={"id": 1}
                ).html == "1"
    assert page("{% graphql r = 'users/find', args: a %}{{ r.user.id }}", a='{"id": 1}'
                ).html == "1"


def test_a_mock_without_a_matching_case_lets_the_data_layer_answer(page, tmp_path):
    (tmp_path / "project/app/graphql/users/find.graphql").write_text(
        "query find($id: ID) { records(per_page: 5, filter: { id: { value: $id } }) "
        "{ total_entries } }")
    out = page("{% graphql r = 'users/find', id: 3 %}{{ r.records.total_entries }}")
    assert out.html == "0"
    assert out.run.logs == []


def test_a_query_without_a_mock_runs_against_the_data_layer(page, tmp_path):
    (tmp_path / "project/app/graphql/orders.graphql").write_text(
        'query { records(per_page: 10, filter: { table: { value: "order" } }) '
        "{ total_entries results { id } } }")
    out = page("{% graphql r = 'orders' %}"
               "{{ r.records.total_entries }}/{{ r.records.results.size }}")
    assert out.html == "0/0"


def test_a_missing_query_file_is_an_error(page):
    err = page.error("line one\n{% graphql r = 'users/missing', id: 1 %}")
    assert "query 'users/missing' not found" in err.message
    assert "app/graphql/" in err.message
    assert (err.path, err.line) == (PAGE, 2)


def test_module_queries_live_in_the_module(page):
    assert page("{% graphql r = 'modules/user/user/search' %}{{ r.users[0].id }}").html == "9"
    err = page.error("{% graphql r = 'modules/user/nope' %}")
    assert "modules/user/{public,private}/graphql/" in err.message


def test_the_inline_form_is_mocked_by_its_operation_name(page):
    out = page("""
        {%- graphql g, id: 7, message: "new message" -%}
          mutation set_message($id: ID!, $message: String!) {
            model_update(id: $id) { id }
          }
        {%- endgraphql -%}
        {{ g.model_update.id }}""")
    assert out.html == "7"


def test_an_anonymous_inline_query_is_mocked_by_its_first_field(page):
    out = page("{% graphql g %}{ records { total_entries } }{% endgraphql %}"
               "{{ g.records.total_entries }}")
    assert out.html == "3"


def test_the_result_may_go_into_a_hash(page):
    out = page("{% graphql data['g'] = 'get_models' %}{{ data.g.models.total_entries }}",
               data={})
    assert out.html == "1"


def test_an_invalid_mock_file_is_an_error_naming_it(page, tmp_path):
    (tmp_path / "project/.posjobs/graphql/get_models.json").write_text("{nope")
    err = page.error("{% graphql g = 'get_models' %}")
    assert ".posjobs/graphql/get_models.json is not valid JSON" in err.message


def test_an_inline_query_needs_its_end_tag(page):
    err = page.error("{% graphql g %}{ records { id } }")
    assert "endgraphql" in err.message


def test_execute_query_passes_variables_by_name_into_result_name(page):
    out = page("{% execute_query 'users/find', result_name: 'found', id: 'user_id' %}"
               "{{ found.user.email }}", user_id=1)
    assert out.html == "one@example.com"


def test_query_graph_defaults_to_g_and_takes_variables_too(page):
    out = page("{% query_graph 'users/find', id: user_id %}{{ g.user.id }}", user_id=1)
    assert out.html == "1"


def test_execute_query_needs_the_query_file(page):
    assert "query 'nope' not found" in page.error("{% execute_query 'nope' %}").message
