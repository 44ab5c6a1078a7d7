"""Users and sessions on a real SQLite data store: the users queries and mutations, passwords,
temporary tokens, sign-in and sign-out, session fields, and the signed-in user of a page.

Expected values come from the platform's docs (developer-guide/users/authentication: the
`authenticate` strategies, `user_session_destroy`; the schema's User and Authenticate types)
and from Rails' validation messages (translations/system-messages)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from posjobs.clock import ManualClock
from posjobs.config import Settings
from posjobs.data import DataError, DataLayer
from posjobs.data.graphql import NotEmulated
from posjobs.data.session import Source
from posjobs.errors import TemplateError
from posjobs.services.context import Request
from posjobs.services.render import render_page
from posjobs.store.data.base import Query
from posjobs.store.sqlite import SQLiteStore
from tests.conftest import T0, run_cli, write_project
from tests.liquid.tag_helpers import Pages

USER_YML = {"app/user.yml": """
    properties:
      - name: age
        type: integer
      - name: roles
        type: array
      - name: nickname
"""}

CREATE = """mutation ($email: String!, $password: String, $first: String, $age: String) {
  user: user_create(user: { email: $email, password: $password, first_name: $first,
                            properties: [{ name: "age", value: $age }] }) {
    id email first_name slug created_at age: property_int(name: "age")
  }
}"""

AUTH = """query ($email: String!, $password: String!) {
  users(filter: { email: { value: $email } }, per_page: 1) {
    results { id authenticate { password(password: $password) } }
  }
}"""


class Data:
    """Runs GraphQL operations as one request each, on `.posjobs/data.db` of a project."""

    def __init__(self, root: Path, files: dict[str, str] | None = None) -> None:
        self.project = write_project(root / "project", files or {})
        self.path = root / "project" / ".posjobs" / "data.db"
        self.layer = DataLayer(self.project, self.path)
        self.clock = ManualClock(T0)
        self.user_id: int | None = None
        self.session: dict[str, Any] | None = {}

    def __call__(self, text: str, **variables: Any) -> dict[str, Any]:
        run = self.layer.session(self.clock, user_id=self.user_id, session=self.session)
        try:
            result = run.execute(text, variables, Source("t", "app/graphql/t.graphql"))
        except BaseException:
            run.rollback()
            raise
        run.commit()
        self.user_id = run.user_id
        return result

    def create(self, email: str, password: str | None = "secret-1", **more: Any) -> str:
        result = self(CREATE, email=email, password=password, **more)
        assert "errors" not in result, result
        return str(result["user"]["id"])

    def emails(self, query: str = "users(per_page: 20)") -> list[str]:
        result = self(f"query {{ {query} {{ results {{ email }} }} }}")
        return [r["email"] for r in result["users"]["results"]]


@pytest.fixture
def data(tmp_path: Path) -> Data:
    return Data(tmp_path, USER_YML)


def test_user_create_keeps_the_email_lower_cased_and_typed_properties(data):
    result = data(CREATE, email=" Ada@Example.COM ", password="pw", first="Ada", age="36")
    user = result["user"]
    assert user["email"] == "ada@example.com"  # Devise strips and lower-cases emails
    assert user["first_name"] == "Ada" and user["age"] == 36
    assert user["slug"] == user["id"]  # posjobs' slug when none is given
    assert user["created_at"].startswith("2026-11-")


def test_passwords_are_stored_hashed_and_checked(data):
    data.create("ada@example.com", password="correct horse")
    with sqlite3.connect(data.path) as db:
        (stored,) = db.execute("SELECT password_hash FROM users").fetchone()
    assert stored.startswith("scrypt$") and "correct horse" not in stored
    assert data(AUTH, email="ada@example.com", password="correct horse")["users"]["results"][0][
        "authenticate"] == {"password": True}
    assert data(AUTH, email="ADA@example.com", password="wrong")["users"]["results"][0][
        "authenticate"] == {"password": False}
    hashed = data("query { users(per_page: 1) { results { encrypted_password } } }")
    assert hashed["users"]["results"][0]["encrypted_password"] == stored


def test_a_user_without_a_password_never_authenticates(data):
    data.create("oauth@example.com", password=None)
    assert data(AUTH, email="oauth@example.com", password="")["users"]["results"][0][
        "authenticate"]["password"] is False


def test_a_duplicate_email_is_an_error_in_the_result_whatever_its_case(data):
    data.create("ada@example.com")
    result = data(CREATE, email="ADA@example.com", password="x")
    assert result["user"] is None
    assert result["errors"][0]["message"] == "Validation failed: Email has already been taken"
    assert data.emails() == ["ada@example.com"]
    for email, message in (("", "Email can't be blank"), ("not-an-email", "Email is invalid")):
        assert data(CREATE, email=email)["errors"][0]["message"] == f"Validation failed: {message}"


def test_users_filters_sorts_and_pages(data):
    for email, first, age in (("bob@example.com", "Bob", "30"), ("ada@example.com", "Ada", "36"),
                              ("cy@example.org", "Cy", "20")):
        data.create(email, first=first, age=age)
    assert data.emails('users(per_page: 9, filter: { email: { value: "ADA@EXAMPLE.COM" } })') == [
        "ada@example.com"]
    assert data.emails('users(per_page: 9, filter: { email: { ends_with: ".org" } })') == [
        "cy@example.org"]
    assert data.emails('users(per_page: 9, filter: { first_name: { value: "Bob" } })') == [
        "bob@example.com"]
    assert data.emails('users(per_page: 9, filter: { properties: [{ name: "age", range: '
                       '{ gte: "30" } }] }, sort: [{ email: { order: ASC } }])') == [
        "ada@example.com", "bob@example.com"]
    assert data.emails('users(per_page: 9, filter: { or: [{ id: { value: 1 } }, '
                       '{ id: { value: 3 } }] })') == ["bob@example.com", "cy@example.org"]
    assert data.emails('users(per_page: 9, sort: [{ properties: [{ name: "age", order: DESC }] '
                       '}])') == ["ada@example.com", "bob@example.com", "cy@example.org"]
    page = data("query { users(per_page: 2, page: 2, sort: [{ email: { order: DESC } }]) { "
                "total_entries total_pages current_page has_next_page has_previous_page "
                "results { email } } }")["users"]
    assert page == {"total_entries": 3, "total_pages": 2, "current_page": 2,
                    "has_next_page": False, "has_previous_page": True,
                    "results": [{"email": "ada@example.com"}]}


def test_the_deprecated_user_query_finds_by_id_or_email(data):
    user_id = data.create("ada@example.com")
    assert data(f"query {{ user(id: {user_id}) {{ email }} }}")["user"] == {
        "email": "ada@example.com"}
    assert data('query { user(email: "Ada@example.com") { id } }')["user"] == {"id": user_id}
    assert data('query { user(email: "nobody@example.com") { id } }')["user"] is None


def test_user_update_changes_email_password_names_and_merges_properties(data):
    user_id = data.create("ada@example.com", age="36")
    data.create("bob@example.com")
    result = data("""mutation ($id: ID!) {
      user: user_update(id: $id, user: { email: "Ada@New.example", password: "new-pw",
          last_name: "Lovelace", properties: [{ name: "roles", array_append: "admin" }] }) {
        email last_name age: property_int(name: "age") roles: property_array(name: "roles")
      }
    }""", id=user_id)
    assert result["user"] == {"email": "ada@new.example", "last_name": "Lovelace", "age": 36,
                              "roles": ["admin"]}
    assert data(AUTH, email="ada@new.example", password="secret-1")["users"]["results"][0][
        "authenticate"]["password"] is False
    assert data(AUTH, email="ada@new.example", password="new-pw")["users"]["results"][0][
        "authenticate"]["password"] is True
    taken = data('mutation ($id: ID!) { user_update(id: $id, user: { email: "bob@example.com" })'
                 " { id } }", id=user_id)
    assert taken["errors"][0]["message"] == "Validation failed: Email has already been taken"


def test_user_delete_returns_the_user_gone(data):
    user_id = data.create("ada@example.com")
    result = data("mutation ($id: ID!) { user: user_delete(id: $id) { id email deleted_at } }",
                  id=user_id)
    assert result["user"]["email"] == "ada@example.com" and result["user"]["deleted_at"]
    assert data.emails() == []
    gone = data("mutation ($id: ID!) { user_delete(id: $id) { id } }", id=user_id)
    assert gone["errors"][0]["message"] == f"user {user_id} does not exist"


def test_external_ids_and_chosen_ids(data):
    made = data('mutation { user_create(id: 40, user: { email: "a@b.c", external_id: "crm-1" })'
                " { id external_id } }")
    assert made["user_create"] == {"id": "40", "external_id": "crm-1"}
    taken = data('mutation { user_create(id: 40, user: { email: "x@b.c" }) { id } }')
    assert taken["errors"][0]["message"] == "Validation failed: Id has already been taken"
    data('mutation { user_update(id: 40, user: { external_id: "crm-2" }) { id } }')
    assert data('query { user(external_id: "crm-2") { email } }')["user"] == {"email": "a@b.c"}
    assert data.emails('users(per_page: 9, filter: { external_id: { value: "crm-2" } })') == [
        "a@b.c"]


def test_an_undeclared_user_property_is_an_error_in_the_result(data):
    result = data('mutation { user_create(user: { email: "a@b.c", properties: '
                  '[{ name: "shoe_size", value: "9" }] }) { id } }')
    assert "user property 'shoe_size' is not defined in app/user.yml" in (
        result["errors"][0]["message"])


TOKEN = """query ($email: String!, $hours: Float = 48) {
  users(filter: { email: { value: $email } }, per_page: 1) {
    results { token: temporary_token(expires_in: $hours) }
  }
}"""
CHECK = """query ($email: String!, $token: String!) {
  users(filter: { email: { value: $email } }, per_page: 1) {
    results { authenticate { temporary_token(token: $token) } }
  }
}"""


def _token_ok(data: Data, email: str, token: str) -> bool:
    results = data(CHECK, email=email, token=token)["users"]["results"]
    return bool(results[0]["authenticate"]["temporary_token"])


def test_a_temporary_token_is_valid_for_its_user_until_it_expires(data):
    data.create("ada@example.com")
    data.create("bob@example.com")
    token = data(TOKEN, email="ada@example.com", hours=2)["users"]["results"][0]["token"]
    assert _token_ok(data, "ada@example.com", token)
    assert not _token_ok(data, "bob@example.com", token)
    assert not _token_ok(data, "ada@example.com", token[:-2] + "xx")
    assert not _token_ok(data, "ada@example.com", "not a token")
    data.clock.advance(2 * 3600 - 1)
    assert _token_ok(data, "ada@example.com", token)
    data.clock.advance(1)
    assert not _token_ok(data, "ada@example.com", token)


def test_a_password_change_invalidates_temporary_tokens(data):
    user_id = data.create("ada@example.com")
    token = data(TOKEN, email="ada@example.com")["users"]["results"][0]["token"]
    data('mutation ($id: ID!) { user_update(id: $id, user: { password: "new" }) { id } }',
         id=user_id)
    assert not _token_ok(data, "ada@example.com", token)


def test_the_deprecated_valid_for_counts_only_without_expires_in(data):
    data.create("ada@example.com")
    query = ('query { users(per_page: 1) { results { t: temporary_token(valid_for: 1) '
             'u: temporary_token(valid_for: 1, expires_in: 3) } } }')
    tokens = data(query)["users"]["results"][0]
    data.clock.advance(3600 + 1)
    assert not _token_ok(data, "ada@example.com", tokens["t"])
    assert _token_ok(data, "ada@example.com", tokens["u"])


def test_the_token_secret_is_the_stores_own_and_no_constant(data):
    data.create("ada@example.com")
    token = data(TOKEN, email="ada@example.com")["users"]["results"][0]["token"]
    data.layer.close()
    data.layer = DataLayer(data.project, data.path)  # another process: same secret
    assert _token_ok(data, "ada@example.com", token)
    assert data.layer.store.constants() == {}


def test_current_user_is_the_signed_in_user(data):
    user_id = data.create("ada@example.com")
    assert data("query { current_user { id } }")["current_user"] is None
    data.user_id = int(user_id)
    assert data("query { current_user { email } }")["current_user"] == {
        "email": "ada@example.com"}


def test_user_session_create_checks_the_password_and_signs_in(data):
    user_id = data.create("ada@example.com", password="pw")
    sign_in = ("mutation ($email: String, $password: String!) { user: user_session_create("
               "email: $email, password: $password) { id } }")
    wrong = data(sign_in, email="ada@example.com", password="nope")
    assert wrong["errors"][0]["message"] == "Invalid email or password." and wrong["user"] is None
    assert data.user_id is None
    assert data(sign_in, email="Ada@Example.com", password="pw")["user"] == {"id": user_id}
    assert data.user_id == int(user_id)
    assert data("mutation { user_session_destroy }") == {"user_session_destroy": True}
    assert data.user_id is None


def test_session_fields_write_the_requests_session(data):
    data.session = {"kept": "1"}
    result = data('mutation { session_create_field(name: "return_to", value: "/orders") }')
    assert result == {"session_create_field": {"kept": "1", "return_to": "/orders"}}
    data('mutation { session_delete_field(name: "kept") }')
    assert data.session == {"return_to": "/orders"}


def test_session_fields_are_an_error_in_a_background_job(data):
    data.session = None
    with pytest.raises(DataError, match="no session in a background job"):
        data('mutation { session_create_field(name: "x", value: "1") }')


def test_related_users_and_records_join_on_ids_and_properties(tmp_path):
    data = Data(tmp_path, {**USER_YML, "app/schema/order.yml": """
        properties:
          - name: buyer_id
          - name: buyer_email
    """})
    ada = data.create("ada@example.com")
    data('mutation ($id: String) { record_create(record: { table: "order", properties: ['
         '{ name: "buyer_id", value: $id }, { name: "buyer_email", value: "Ada@example.com" }]'
         "}) { id } }", id=ada)
    result = data("""query { records(per_page: 1, filter: { table: { value: "order" } }) {
      results {
        buyer: related_user(join_on_property: "buyer_id") { email }
        by_email: related_users(join_on_property: "buyer_email", foreign_property: "email") { id }
      } } }""")
    assert result["records"]["results"][0] == {"buyer": {"email": "ada@example.com"},
                                               "by_email": [{"id": ada}]}
    orders = data("""query { users(per_page: 1) { results {
      orders: related_records(table: "order", join_on_property: "id",
                              foreign_property: "buyer_id") { id }
      first: related_record(table: "order", join_on_property: "id", foreign_property: "buyer_id") {
        buyer_id: property(name: "buyer_id") } } } }""")
    assert orders["users"]["results"][0] == {"orders": [{"id": "1"}], "first": {"buyer_id": ada}}


def test_a_users_profiles_join_on_the_profiles_user_id_property(tmp_path):
    # The user module's user/search.graphql (include_profiles) joins its profile table,
    # which declares user_id as a property, with foreign_property: "user_id".
    data = Data(tmp_path, {**USER_YML,
                           "app/schema/profile.yml": "properties:\n  - name: user_id\n"})
    ada = data.create("ada@example.com")
    data('mutation ($id: String) { record_create(record: { table: "profile", properties: ['
         '{ name: "user_id", value: $id }] }) { id } }', id=ada)
    result = data('query { users(per_page: 1) { results { profiles: related_records('
                  'table: "profile", join_on_property: "id", foreign_property: "user_id", '
                  "limit: 1) { user_id: property(name: \"user_id\") } } } }")
    assert result["users"]["results"][0]["profiles"] == [{"user_id": ada}]


def test_fields_posjobs_does_not_emulate_say_so(data):
    data.create("ada@example.com")
    with pytest.raises(NotEmulated, match=r"User\.jwt_token is not emulated"):
        data("query { users(per_page: 1) { results { jwt_token } } }")
    with pytest.raises(NotEmulated, match="filter 'profiles' is not emulated"):
        data('query { users(per_page: 1, filter: { profiles: [{ name: "x" }] }) '
             "{ total_entries } }")


# --- tags, filters and pages -------------------------------------------------------------------
@pytest.fixture
def page(tmp_path: Path) -> Pages:
    return Pages(tmp_path, USER_YML)


def _stored_user(page: Pages, email: str = "ada@example.com") -> int:
    run = page.new_run()
    assert run.data is not None
    row = run.data.store.insert_user(email, None, {}, T0)
    run.data.commit()
    return row.id


def test_the_sign_in_tag_signs_a_stored_user_in(page):
    user_id = _stored_user(page)
    out = page("{% sign_in user_id: id, timeout_in_minutes: 15 %}"
               "{% graphql g %}query { current_user { email } }{% endgraphql %}"
               "{{ g.current_user.email }}", id=str(user_id))
    assert out.html == "ada@example.com"
    assert out.run.data is not None and out.run.data.user_id == user_id
    assert out.run.response["sign_in"] == {"user_id": str(user_id), "timeout_in_minutes": 15}


def test_the_sign_in_tag_needs_an_existing_user(page):
    assert page.error("{% sign_in user_id: 404 %}").message == "sign_in: user '404' does not exist"


def test_is_token_valid_checks_a_temporary_token(page):
    user_id = _stored_user(page)
    out = page("""{%- graphql g -%}
        query { users(per_page: 1) { results { id token: temporary_token(expires_in: 1) } } }
      {%- endgraphql -%}
      {%- assign u = g.users.results.first -%}
      {{ u.token | is_token_valid: u.id }} {{ u.token | is_token_valid: 99 }}""")
    assert out.html == "true false"
    assert user_id == 1


def test_session_fields_in_a_job_fail_the_graphql_tag(page):
    err = page.error('{% graphql g %}mutation { session_delete_field(name: "x") }{% endgraphql %}',
                     job=True)
    assert "no session in a background job" in err.message


PAGES = {
    **USER_YML,
    "app/views/pages/me.liquid": "me={{ context.current_user | json }}",
    "app/views/pages/login.liquid": "{% sign_in user_id: context.params.id %}in",
    "app/views/pages/logout.liquid": """
        {%- graphql g %}mutation { user_session_destroy }{% endgraphql -%}
        {%- graphql s %}mutation { session_create_field(name: "bye", value: "1") }{% endgraphql -%}
        out""",
}


def _render(tmp_path: Path, name: str, request: Request) -> Any:
    project = write_project(tmp_path / "project", PAGES)
    data = DataLayer(project, tmp_path / "project" / ".posjobs" / "data.db")
    store = SQLiteStore(tmp_path / "store.db")
    try:
        return render_page(project, store, name, clock=ManualClock(T0), settings=Settings(),
                           request=request, data=data), data
    finally:
        store.close()


def test_a_pages_current_user_is_the_requests_signed_in_user(tmp_path):
    write_project(tmp_path / "project", PAGES)
    layer = DataLayer(write_project(tmp_path / "project", {}),
                      tmp_path / "project" / ".posjobs" / "data.db")
    layer.store.insert_user("ada@example.com", None, {}, T0, fields={"first_name": "Ada"})
    layer.close()
    result, _ = _render(tmp_path, "me", Request(user_id=1))
    assert json.loads(result.html.removeprefix("me=")) == {
        "id": "1", "email": "ada@example.com", "first_name": "Ada", "last_name": None,
        "slug": "1"}
    assert result.user_id == 1
    anonymous, _ = _render(tmp_path, "me", Request())
    assert anonymous.html == "me=null" and anonymous.user_id is None
    deleted, _ = _render(tmp_path, "me", Request(user_id=7))
    assert deleted.html == "me=null" and deleted.user_id is None


def test_a_render_reports_sign_in_and_sign_out(tmp_path):
    layer = DataLayer(write_project(tmp_path / "project", PAGES),
                      tmp_path / "project" / ".posjobs" / "data.db")
    layer.store.insert_user("ada@example.com", None, {}, T0)
    layer.close()
    signed_in, _ = _render(tmp_path, "login", Request(params={"id": "1"}))
    assert signed_in.user_id == 1
    signed_out, _ = _render(tmp_path, "logout", Request(user_id=1, session={"a": "b"}))
    assert signed_out.user_id is None
    assert signed_out.session == {"a": "b", "bye": "1"}


def test_a_failed_render_creates_no_user(tmp_path):
    files = {**PAGES, "app/views/pages/bad.liquid": """
        {%- graphql g %}mutation { user_create(user: { email: "a@b.c" }) { id } }{% endgraphql -%}
        {{ 1 | divided_by: 0 }}"""}
    layer = DataLayer(write_project(tmp_path / "project", files),
                      tmp_path / "project" / ".posjobs" / "data.db")
    with pytest.raises(TemplateError):
        _render(tmp_path, "bad", Request())
    assert layer.store.find_users(Query())[1] == 0


# --- the CLI -----------------------------------------------------------------------------------
def test_render_user_by_id_or_email_signs_in_a_stored_user(tmp_path):
    root = tmp_path / "project"
    layer = DataLayer(write_project(root, PAGES), root / ".posjobs" / "data.db")
    layer.store.insert_user("ada@example.com", None, {}, T0)
    layer.close()
    for key in ("1", "Ada@example.com"):
        result = run_cli(["-p", str(root), "render", "me", "--user", key, "--json"])
        assert result.exit_code == 0, result.stderr
        shown = json.loads(result.stdout)
        assert json.loads(shown["html"].removeprefix("me="))["email"] == "ada@example.com"
        assert shown["response"]["user_id"] == 1
    missing = run_cli(["-p", str(root), "render", "me", "--user", "bob@example.com"])
    assert missing.exit_code == 3
    assert "--user 'bob@example.com': no such user in the data store" in missing.stderr
    as_json = run_cli(["-p", str(root), "render", "me", "--user", '{"email": "x@y.z"}'])
    assert '"email":"x@y.z"' in as_json.stdout.replace(" ", "")


def test_the_stores_own_values_are_made_once_and_survive_a_reset(tmp_path):
    from posjobs.store.data import open_data_store

    store = open_data_store(tmp_path / "data.db")
    store.begin()
    assert store.instance_value("secret", lambda: "first") == "first"
    assert store.instance_value("secret", lambda: "second") == "first"
    store.commit()
    store.reset()
    assert store.instance_value("secret", lambda: "third") == "first"
    store.close()


def test_otp_codes_follow_rfc_6238():
    from posjobs.data.users import otp_code, otp_valid

    # RFC 6238, appendix B: the SHA-1 secret "12345678901234567890" at T=59 gives 94287082
    # (8 digits); authenticator apps show its last 6.
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    assert otp_code(secret, 59) == "287082"
    assert otp_code(secret, 1111111109) == "081804"
    assert otp_valid(secret, "287082", 59 + 30, drift=30)
    assert not otp_valid(secret, "287082", 59 + 30, drift=0)
    assert not otp_valid(secret, "not a code", 59, drift=30)


def test_a_users_otp_secret_is_kept_and_its_codes_authenticate(data):
    from posjobs.data.users import otp_code

    data.create("ada@example.com", password="pw")
    query = ('query { users(per_page: 1) { results { otp { secret current_code '
             'qr: secret_as_svg_qr_code(issuer: "Shop", label: "ada") } } } }')
    otp = data(query)["users"]["results"][0]["otp"]
    assert data(query)["users"]["results"][0]["otp"]["secret"] == otp["secret"]  # kept
    assert otp["current_code"] == otp_code(otp["secret"], data.clock.now())
    assert "otpauth://totp/ada?secret=" in otp["qr"] and otp["qr"].startswith("<svg")
    check = ('query ($code: String!) { users(per_page: 1) { results { authenticate { '
             'otp_code(code: $code, drift: 30) password(password: "pw") } } } }')
    assert data(check, code=otp["current_code"])["users"]["results"][0]["authenticate"] == {
        "otp_code": True, "password": True}
    data.clock.advance(120)
    assert data(check, code=otp["current_code"])["users"]["results"][0]["authenticate"][
        "otp_code"] is False
