"""Users: the `users`, `user` and `current_user` queries, `user_create`, `user_update`,
`user_delete`, and the fields of a User (sign-in and the session: `sessions.py`).

User properties are those of `app/user.yml`. Emails are unique whatever their case: a
duplicate, a blank or malformed email is a `RecordInvalid` in the result's `errors`, with
the platform's (Rails') message. Passwords are stored hashed (`posjobs.data.users`).
`otp` and `authenticate { otp_code }` run two-factor sign-in with a secret kept per user
(made on first use).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from posjobs.data import users as accounts
from posjobs.data.graphql import NotEmulated, RecordInvalid, resolver
from posjobs.data.resolvers.common import (
    any_of,
    date_filter,
    id_filter,
    page_of,
    paging,
    property_filters,
    register_property_fields,
    sorts,
    text_filter,
)
from posjobs.data.resolvers.records import property_values
from posjobs.data.session import DataSession
from posjobs.data.tables import coerce, iso_time
from posjobs.store.data.base import Condition, Filter, Query, RecordRow, UserRow

SORT_COLUMNS = {name: name for name in ("id", "email", "created_at", "updated_at",
                                        "deleted_at", "external_id", "first_name",
                                        "last_name", "name", "slug")}
NAME_FIELDS = ("first_name", "last_name", "middle_name", "name", "slug", "language")
# Filter keys this module runs; other keys of UsersFilterInput/ModelsFilterInput are errors.
_FILTER_KEYS = {"id", "email", "external_id", "first_name", "last_name", "name", "slug",
                "created_at", "updated_at", "deleted_at", "properties", "or"}
# UserInputType keys for what posjobs does not keep (images, attachments, profiles...).
_INPUT_NOT_EMULATED = ("authentications", "custom_attachments", "custom_images", "profiles",
                       "deleted_at")


def user_filters(data: DataSession, spec: Mapping[str, Any] | None) -> list[Filter]:
    """A UsersFilterInput (or the ModelsFilterInput of User.related_users) as conditions."""
    if not spec:
        return []
    unknown = sorted(k for k, v in spec.items() if v and k not in _FILTER_KEYS)
    if unknown:
        raise NotEmulated(f"graphql: the users filter {unknown[0]!r} is not emulated locally",
                          hint="filter by id, email, names, dates and properties, or mock "
                               "this query (docs/data.md)")
    found = id_filter("id", spec.get("id"))
    email = spec.get("email")
    if email:  # stored lower-cased: compare lower-cased whatever the filter's case
        email = {k: _lower(v) for k, v in email.items()}
        found += text_filter({"column": "email"}, {**email, "case_sensitive": False})
    found += _text_id_filter("external_id", spec.get("external_id"))
    for column in ("first_name", "last_name", "name", "slug"):
        found += text_filter({"column": column}, spec.get(column))
    for column in ("created_at", "updated_at", "deleted_at"):
        found += date_filter(column, spec.get(column))
    found += property_filters(spec.get("properties"), data.tables.user.type_of)
    found += any_of(spec.get("or"), lambda branch: user_filters(data, branch))
    return found


def _lower(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip().lower()
    if isinstance(value, list):
        return [_lower(v) for v in value]
    return value


def _text_id_filter(column: str, spec: Mapping[str, Any] | None) -> list[Filter]:
    """A UniqIdFilter on a text column (external ids are any text)."""
    if not spec:
        return []
    found: list[Filter] = []
    for key, op in (("value", "eq"), ("not_value", "ne")):
        if spec.get(key) is not None:
            found.append(Condition(op, str(spec[key]), column=column))
    for key, op in (("value_in", "in"), ("not_value_in", "not_in")):
        if spec.get(key) is not None:
            found.append(Condition(op, [str(v) for v in spec[key]], column=column))
    return found


def user_sorts(specs: Sequence[Mapping[str, Any]] | None) -> list[Any]:
    for spec in specs or ():
        if spec.get("profile_properties"):
            raise NotEmulated("graphql: sorting users by profile_properties is not emulated "
                              "locally", hint="sort by a user property or a column")
    return sorts(specs, SORT_COLUMNS)


# --- queries -----------------------------------------------------------------------------------
@resolver("RootQuery", "users")
def resolve_users(_root: None, info: Any, per_page: int, page: int = 1,
                  filter: Mapping[str, Any] | None = None,
                  sort: Sequence[Mapping[str, Any]] | None = None, **_: Any) -> dict[str, Any]:
    data: DataSession = info.context
    page, per_page, offset = paging(page, per_page)
    query = Query(tuple(user_filters(data, filter)), tuple(user_sorts(sort)), limit=per_page,
                  offset=offset)
    rows, total = data.store.find_users(query)
    return page_of(rows, total, page, per_page)


@resolver("RootQuery", "user")
def resolve_user(_root: None, info: Any, id: Any = None, email: str | None = None,
                 external_id: str | None = None, slug: str | None = None,
                 **_: Any) -> UserRow | None:
    """The deprecated `user(id:|email:|external_id:|slug:)`: the user matching all given."""
    data: DataSession = info.context
    spec: dict[str, Any] = {}
    if id is not None:
        spec["id"] = {"value": id}
    if email is not None:
        spec["email"] = {"value": email}
    if external_id is not None:
        spec["external_id"] = {"value": external_id}
    if slug is not None:
        spec["slug"] = {"value": slug}
    if not spec:
        return None
    rows, _total = data.store.find_users(Query(tuple(user_filters(data, spec)), limit=1))
    return rows[0] if rows else None


@resolver("RootQuery", "current_user")
def resolve_current_user(_root: None, info: Any, **_: Any) -> UserRow | None:
    data: DataSession = info.context
    return data.store.get_user(data.user_id) if data.user_id is not None else None


# --- writes ------------------------------------------------------------------------------------
def _checked_email(data: DataSession, email: Any, user_id: int | None = None) -> str:
    """The email to store, or RecordInvalid with Rails' message (blank, invalid, taken)."""
    text = accounts.normalize_email(email) if email is not None else ""
    if not text:
        raise RecordInvalid("Validation failed: Email can't be blank")
    if not accounts.EMAIL_FORMAT.match(text):
        raise RecordInvalid("Validation failed: Email is invalid")
    holder = accounts.find_by_email(data.store, text)
    if holder is not None and holder.id != user_id:
        raise RecordInvalid("Validation failed: Email has already been taken")
    return text


def _check_input(user: Mapping[str, Any], form_name: str | None) -> None:
    if form_name:
        raise NotEmulated("graphql: user mutations through a form (form_name) are not "
                          "emulated locally", hint="pass the user's fields directly")
    for key in _INPUT_NOT_EMULATED:
        if user.get(key):
            raise NotEmulated(f"graphql: the user input {key!r} is not emulated locally",
                              hint="keep such data in user properties or records")


def _user_properties(data: DataSession, user: Mapping[str, Any], current: Mapping[str, Any]
                     ) -> dict[str, Any]:
    table = data.tables.user
    for spec in user.get("properties") or ():
        if table.type_of(spec["name"]) is None:
            declared_in = table.file or "app/user.yml (the project has none)"
            raise RecordInvalid(f"user property {spec['name']!r} is not defined in "
                                f"{declared_in}")
    return property_values(table, user.get("properties"), current)


def _fields(user: Mapping[str, Any], current: Mapping[str, Any]) -> dict[str, Any]:
    fields = dict(current)
    for name in NAME_FIELDS:
        if name in user:
            fields[name] = coerce(user[name], "string", f"user.{name}")
    return fields


def _password(user: Mapping[str, Any]) -> str | None:
    """The new password's hash; none when the input leaves it blank (keep the old one)."""
    password = user.get("password")
    if password is None or str(password) == "":
        return None
    return accounts.hash_password(str(password))


@resolver("RootMutation", "user_create")
def resolve_user_create(_root: None, info: Any, user: Mapping[str, Any], id: Any = None,
                        form_name: str | None = None, **rest: Any) -> UserRow:
    data: DataSession = info.context
    _check_input(user, form_name or rest.get("form_configuration_name"))
    email = _checked_email(data, user.get("email"))
    properties = _user_properties(data, user, {})
    external_id = user.get("external_id")
    if id is not None and data.store.get_user(_id(id)) is not None:
        raise RecordInvalid("Validation failed: Id has already been taken")
    return data.store.insert_user(
        email, _password(user), properties, data.now(), fields=_fields(user, {}),
        external_id=str(external_id) if external_id is not None else None,
        user_id=_id(id) if id is not None else None)


@resolver("RootMutation", "user_update")
def resolve_user_update(_root: None, info: Any, user: Mapping[str, Any], id: Any = None,
                        form_name: str | None = None, **rest: Any) -> UserRow:
    """Updates user `id` (the signed-in user when no id is given)."""
    data: DataSession = info.context
    _check_input(user, form_name or rest.get("form_configuration_name"))
    row = _existing(data, id if id is not None else data.user_id)
    email = _checked_email(data, user["email"], row.id) if user.get("email") is not None \
        else None
    external_id = user.get("external_id")
    updated = data.store.update_user(
        row.id, data.now(), email=email, password_hash=_password(user),
        properties=_user_properties(data, user, row.properties),
        fields=_fields(user, row.fields),
        external_id=str(external_id) if external_id is not None else None)
    assert updated is not None
    return updated


@resolver("RootMutation", "user_delete")
def resolve_user_delete(_root: None, info: Any, id: Any, **_: Any) -> UserRow:
    data: DataSession = info.context
    row = _existing(data, id)
    data.store.delete_user(row.id)
    row.deleted_at = data.now()
    return row


def _id(value: Any) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        raise RecordInvalid(f"user {value!r} does not exist (not an id)") from None


def _existing(data: DataSession, user_id: Any) -> UserRow:
    if user_id is None:
        raise RecordInvalid("user_update: no id given and nobody is signed in")
    row = data.store.get_user(_id(user_id))
    if row is None:
        raise RecordInvalid(f"user {user_id} does not exist")
    return row


# --- the fields of a User ----------------------------------------------------------------------
for _name in ("first_name", "last_name", "middle_name", "name", "language"):
    resolver("User", _name)(lambda row, _info, _name=_name, **_: row.fields.get(_name))


@resolver("User", "slug")
def _slug(row: UserRow, _info: Any, **_: Any) -> str:
    return accounts.slug_of(row)


@resolver("User", "encrypted_password")
def _encrypted_password(row: UserRow, _info: Any, **_: Any) -> str | None:
    """The stored hash, as the platform gives its bcrypt hash: never the password."""
    return row.password_hash


for _name in ("created_at", "updated_at", "deleted_at"):
    resolver("User", _name)(lambda row, _info, _name=_name, **_: iso_time(getattr(row, _name)))


register_property_fields("User", lambda _row, info: info.context.tables.user)


@resolver("User", "temporary_token")
def _temporary_token(row: UserRow, info: Any, expires_in: float = 48.0,
                     valid_for: int | None = None) -> str:
    """A token valid for `expires_in` hours; the deprecated `valid_for` (hours too) counts
    only when `expires_in` is not written (it always has a value: its default)."""
    written = {arg.name.value for node in info.field_nodes for arg in node.arguments or ()}
    hours = valid_for if valid_for is not None and "expires_in" not in written else expires_in
    data: DataSession = info.context
    return accounts.temporary_token(data.store, row, data.now(), float(hours))


@resolver("User", "authenticate")
def _authenticate(row: UserRow, _info: Any) -> UserRow:
    return row


@resolver("Authenticate", "password")
def _check_password(row: UserRow, _info: Any, password: str) -> bool:
    return accounts.check_password(row.password_hash, password)


@resolver("Authenticate", "temporary_token")
def _check_token(row: UserRow, info: Any, token: str) -> bool:
    data: DataSession = info.context
    return accounts.token_valid(data.store, token, row, data.now())


def _otp_secret(data: DataSession, row: UserRow, name: str | None, *, make: bool) -> str | None:
    """The user's OTP secret `name` (the platform makes one per user; posjobs on first use)."""
    secrets = dict(row.fields.get("otp_secrets") or {})
    key = name or ""
    if key not in secrets and make:
        secrets[key] = accounts.new_otp_secret()
        row.fields = {**row.fields, "otp_secrets": secrets}
        data.store.update_user(row.id, data.now(), fields=row.fields)
    return secrets.get(key)


@resolver("User", "otp")
def _otp(row: UserRow, info: Any, otp_name: str | None = None) -> dict[str, Any]:
    data: DataSession = info.context
    secret = _otp_secret(data, row, otp_name, make=True)
    assert secret is not None
    return {"secret": secret, "current_code": accounts.otp_code(secret, data.now()),
            "email": row.email}


@resolver("Otp", "secret_as_svg_qr_code")
def _otp_qr_code(otp: Mapping[str, Any], _info: Any, issuer: str | None = None,
                 label: str | None = None) -> str:
    """A placeholder SVG naming the otpauth URI: posjobs draws no QR codes."""
    uri = (f"otpauth://totp/{quote(label or otp['email'])}?secret={otp['secret']}"
           + (f"&issuer={quote(issuer)}" if issuer else ""))
    return ('<svg xmlns="http://www.w3.org/2000/svg" width="275" height="275">'
            '<rect width="275" height="275" fill="#ccc"/>'
            f"<title>QR code for {html.escape(uri)} (not drawn locally)</title></svg>")


@resolver("Authenticate", "otp_code")
def _check_otp(row: UserRow, info: Any, code: str, drift: int | None = None) -> bool:
    data: DataSession = info.context
    secret = _otp_secret(data, row, None, make=False)
    return secret is not None and accounts.otp_valid(secret, code, data.now(), drift)


def _not_emulated(type_name: str, field: str, hint: str) -> Any:
    def resolve(_row: Any, _info: Any, **_: Any) -> Any:
        raise NotEmulated(f"graphql: {type_name}.{field} is not emulated locally", hint=hint)

    return resolve


for _type, _field, _hint in (
        ("Authenticate", "jwt", "mock this query (docs/data.md)"),
        ("User", "jwt_token", "use the jwt_encode filter, or mock this query"),
        ("User", "otp_tokens", "mock this query (docs/data.md)"),
        ("User", "authentications", "mock this query (docs/data.md)"),
        ("User", "profiles", "keep profiles as records (related_records)"),
        ("User", "profile", "keep profiles as records (related_records)"),
        ("User", "customizations", "use records"),
        ("User", "remote_records", "mock this query (docs/data.md)"),
        ("User", "remote_users", "mock this query (docs/data.md)")):
    resolver(_type, _field)(_not_emulated(_type, _field, _hint))


# --- related records and users -----------------------------------------------------------------
def related_users(info: Any, row: RecordRow | UserRow, join_on_property: str,
                  foreign_property: str, filter: Mapping[str, Any] | None,
                  sort: Sequence[Mapping[str, Any]] | None, limit: int | None
                  ) -> list[UserRow]:
    """The users whose `foreign_property` (a column or a user property) holds the value of
    the row's `join_on_property`."""
    from posjobs.data.resolvers.records import join_value

    data: DataSession = info.context
    value = join_value(row, join_on_property)
    if value is None or value == []:
        return []
    values = value if isinstance(value, list) else [value]
    filters = user_filters(data, filter)
    if foreign_property == "id":
        ids = [int(v) for v in values if str(v).strip().lstrip("-").isdigit()]
        filters.append(Condition("in", ids, column="id"))
    elif foreign_property == "email":
        filters.append(Condition("in", [accounts.normalize_email(v) for v in values],
                                 column="email"))
    elif foreign_property in SORT_COLUMNS:
        filters.append(Condition("in", [str(v) for v in values], column=foreign_property))
    else:
        type_ = data.tables.user.type_of(foreign_property)
        typed = [coerce(v, "string" if type_ == "array" else type_, foreign_property)
                 for v in values]
        op = "array_overlaps" if type_ == "array" else "in"
        filters.append(Condition(op, typed, property=foreign_property))
    rows, _total = data.store.find_users(Query(tuple(filters), tuple(user_sorts(sort)),
                                               limit=limit))
    return rows


# Records and users both have related users (and, in records.py, related records).
@resolver("Record", "related_users")
@resolver("User", "related_users")
def _related_users(row: Any, info: Any, foreign_property: str, join_on_property: str,
                   filter: Mapping[str, Any] | None = None,
                   sort: Sequence[Mapping[str, Any]] | None = None,
                   limit: int | None = None) -> list[UserRow]:
    return related_users(info, row, join_on_property, foreign_property, filter, sort, limit)


@resolver("Record", "related_user")
@resolver("User", "related_user")
def _related_user(row: Any, info: Any, foreign_property: str = "id",
                  join_on_property: str = "user_id", filter: Mapping[str, Any] | None = None,
                  sort: Sequence[Mapping[str, Any]] | None = None) -> UserRow | None:
    found = related_users(info, row, join_on_property, foreign_property, filter, sort, 1)
    return found[0] if found else None
