"""Sessions: `user_session_create` and `user_session_destroy` (sign-in and sign-out, as the
`sign_in` tag does them), `session_create_field` and `session_delete_field` (the request's
`context.session`). A background job has no session: each of them is an error there."""

from __future__ import annotations

from typing import Any

from posjobs.data import users as accounts
from posjobs.data.graphql import RecordInvalid, resolver
from posjobs.data.session import DataSession
from posjobs.data.tables import DataError
from posjobs.store.data.base import UserRow


def _request_session(data: DataSession, field: str) -> dict[str, Any]:
    if data.session is None:
        raise DataError(f"graphql: {field}: there is no session in a background job (a job "
                        "runs outside any request)",
                        hint="pass what the job needs as an argument of the background tag")
    return data.session


@resolver("RootMutation", "user_session_create")
def resolve_user_session_create(_root: None, info: Any, password: str,
                                email: str | None = None, **_: Any) -> UserRow:
    """Signs in the user with this email and password (deprecated for the sign_in tag)."""
    data: DataSession = info.context
    _request_session(data, "user_session_create")
    row = accounts.find_by_email(data.store, email) if email else None
    if row is None or not accounts.check_password(row.password_hash, password):
        raise RecordInvalid("Invalid email or password.")  # Devise's message
    data.sign_in(row.id)
    return row


@resolver("RootMutation", "user_session_destroy")
def resolve_user_session_destroy(_root: None, info: Any, **_: Any) -> bool:
    """Signs the user out; the session's fields stay (the user module clears its own)."""
    data: DataSession = info.context
    _request_session(data, "user_session_destroy")
    data.sign_in(None)
    return True


@resolver("RootMutation", "session_create_field")
def resolve_session_create_field(_root: None, info: Any, name: str, value: Any
                                 ) -> dict[str, Any]:
    """Sets `context.session[name]`; returns the session."""
    session = _request_session(info.context, "session_create_field")
    session[name] = value
    return dict(session)


@resolver("RootMutation", "session_delete_field")
def resolve_session_delete_field(_root: None, info: Any, name: str) -> dict[str, Any]:
    session = _request_session(info.context, "session_delete_field")
    session.pop(name, None)
    return dict(session)
