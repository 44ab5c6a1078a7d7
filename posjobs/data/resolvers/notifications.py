"""Notifications into the local outbox: `email_send`, `api_call_send`, and the platform's
view of what was sent, `admin_sent_notifications`.

Nothing is sent by default: an email is rendered and recorded; an API call is recorded
and answered from its response mock or the default answer (`posjobs.data.http`). Each
writes a log entry of the run. What is recorded belongs to the run's transaction, so a
render or attempt that fails records nothing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from posjobs.data.graphql import resolver
from posjobs.data.http import HttpRequest, answer
from posjobs.data.outbox import email_payload, sent_notification
from posjobs.data.resolvers.common import any_of, date_filter, id_filter, sorts, text_filter
from posjobs.data.resolvers.listing import select, unsupported
from posjobs.data.session import DataSession
from posjobs.data.tables import DataError
from posjobs.errors import PosjobsError, StoreError
from posjobs.store.data.base import Condition, Filter

NOTIFICATION_KINDS = {"EMAIL": "email", "API_CALL": "api_call", "SMS": "sms"}


class NotificationFailed(DataError):
    """A notification that cannot be rendered: missing, or its Liquid fails."""


def _render(data: DataSession, kind: str, name: str, values: Any) -> dict[str, Any]:
    if values is None:
        values = {}
    if not isinstance(values, Mapping):
        raise DataError(f"{kind}_send: data must be a hash, got {type(values).__name__} "
                        f"{values!r:.60}")
    if data.notifications is None:
        raise DataError(f"{kind}_send: this run cannot render notifications")
    try:
        return data.notifications.render_notification(kind, name, values)
    except (DataError, StoreError):  # a store failure fails the run, never caught by a try
        raise
    except PosjobsError as err:
        raise NotificationFailed(str(err), hint=err.hint) from None


def _query_name(data: DataSession) -> str:
    return data.source.name if data.source is not None else "inline"


@resolver("RootMutation", "email_send")
def resolve_email_send(_root: None, info: Any, data: Mapping[str, Any] | None = None,
                       email: Mapping[str, Any] | None = None,
                       template: Mapping[str, Any] | None = None, **_: Any) -> dict[str, Any]:
    session: DataSession = info.context
    if template is not None:
        name = template["name"]
        fields = _render(session, "email", name, data)
        if not fields["send"]:
            session.log("email", f"email {name} not sent: {fields['reason']}")
            return {"is_scheduled_to_send": False, "errors": []}
        source = fields["path"]
    elif email is not None:  # given whole: its content is the HTML body, as written
        name, source = _query_name(session), None
        fields = {**email, "html": email.get("content")}
    else:
        raise DataError("email_send: give template: { name: ... } or email: { ... }")
    payload = email_payload(fields, source)
    message = session.store.add_message("email", name, payload, session.now())
    headers = payload["headers"]
    session.log("email", f"email {name} to {', '.join(headers['to']) or '(nobody)'}: "
                         f"{headers['subject']!r} (posjobs mail show {message.id})")
    return {"is_scheduled_to_send": True, "errors": []}


@resolver("RootMutation", "api_call_send")
def resolve_api_call_send(_root: None, info: Any, api_call: Mapping[str, Any] | None = None,
                          data: Mapping[str, Any] | None = None,
                          options: Mapping[str, Any] | None = None,
                          template: Mapping[str, Any] | None = None, **_: Any
                          ) -> dict[str, Any]:
    session: DataSession = info.context
    callback = None
    source: str | None = None
    if template is not None:
        name = template["name"]
        fields = _render(session, "api_call", name, data)
        if not fields["send"]:
            session.log("api_call", f"api_call {name} not sent: {fields['reason']}")
            return {"response": None, "errors": []}
        source, callback = fields["path"], fields["callback"]
        request = HttpRequest(
            method=(fields["request_type"] or "GET").upper(), url=fields["to"],
            headers=_headers(fields["headers"], f"{source}: request_headers"),
            body=fields["body"])
    elif api_call is not None:
        name = _query_name(session)
        request = HttpRequest(method=str(api_call["method"]).upper(), url=str(api_call["url"]),
                              headers=_headers(api_call.get("headers"), "api_call.headers"),
                              body=api_call.get("body"))
    else:
        raise DataError("api_call_send: give template: { name: ... } or api_call: { ... }")
    timeout = (options or {}).get("timeout")
    allowed = session.layer.allow_network or network_allowed(session)
    got = answer(session.project.root, name, request, allow_network=allowed,
                 timeout=float(timeout) if timeout else None)
    message = session.store.add_message("api_call", name, {
        "request": request.to_dict(), "response": got.response, "answered_by": got.answered_by,
        "error": got.error, "source": source}, session.now())
    status = got.response["status"] if got.response is not None else "failed"
    session.log("api_call", f"api_call {name}: {request.method} {request.url} -> {status} "
                            f"({got.answered_by}; posjobs mail show {message.id})")
    if got.response is None:
        return {"response": None, "errors": [{"message": got.error or "the call failed"}]}
    if callback is not None:
        try:
            callback(got.response)
        except StoreError:
            raise
        except PosjobsError as err:
            raise NotificationFailed(f"callback: {err}", hint=err.hint) from None
    return {"response": got.response, "errors": []}


def _headers(value: Any, where: str) -> dict[str, str]:
    """Request headers: a hash, or (from a notification's front matter) its JSON text."""
    if value is None or value == "":
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as err:
            raise DataError(f"{where} is not valid JSON: {err.msg} (line {err.lineno}, "
                            f"column {err.colno})") from None
        if value is None:  # `'{{ data.headers | json }}'` with no headers: `null`, none
            return {}
    if not isinstance(value, Mapping):
        raise DataError(f"{where} must be a JSON object of header names and values")
    return {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in value.items()}


def network_allowed(session: DataSession) -> bool:
    """posjobs.toml's `[data] allow_network` (read once per run)."""
    cached = session.scratch.get("allow_network")
    if cached is None:
        from posjobs.config import Settings

        try:
            cached = Settings.load(session.project.root).allow_network
        except PosjobsError as err:
            raise DataError(err.message, hint=err.hint) from None
        session.scratch["allow_network"] = cached
    return bool(cached)


# --- admin_sent_notifications ----------------------------------------------------------
@resolver("RootQuery", "admin_sent_notifications")
def resolve_admin_sent_notifications(_root: None, info: Any, per_page: int = 20,
                                     page: int = 1, filter: Mapping[str, Any] | None = None,
                                     sort: Sequence[Mapping[str, Any]] | None = None,
                                     **_: Any) -> dict[str, Any]:
    session: DataSession = info.context
    messages, _total = session.store.messages()  # newest first unless `sort` says otherwise
    order = sorts(sort, {"id": "id", "created_at": "created_at", "updated_at": "created_at"})
    chosen = select(messages, _sent_values, _sent_filters(filter), order, page, per_page)
    chosen["results"] = [sent_notification(m) for m in chosen["results"]]
    return chosen


def _sent_values(message: Any) -> dict[str, Any]:
    return {"id": message.id, "created_at": message.created_at,
            "notification_type": message.kind,
            "content": (message.payload.get("html") if message.kind == "email"
                        else (message.payload.get("request") or {}).get("body"))}


def _sent_filters(spec: Mapping[str, Any] | None) -> list[Filter]:
    if not spec:
        return []
    unsupported(spec, ("id", "notification_type", "created_at", "updated_at", "content", "or"),
                "admin_sent_notifications")
    found: list[Filter] = []
    found += id_filter("id", spec.get("id"))
    found += date_filter("created_at", spec.get("created_at"))
    found += date_filter("created_at", spec.get("updated_at"))
    found += text_filter({"column": "content"}, spec.get("content"))
    kinds = spec.get("notification_type") or {}
    for key, op in (("value", "eq"), ("not_value", "ne"), ("value_in", "in"),
                    ("not_value_in", "not_in")):
        value = kinds.get(key)
        if value is not None:
            mapped = ([NOTIFICATION_KINDS[v] for v in value] if isinstance(value, list)
                      else NOTIFICATION_KINDS[value])
            found.append(Condition(op, mapped, column="notification_type"))
    found += any_of(spec.get("or"), _sent_filters)
    return found

