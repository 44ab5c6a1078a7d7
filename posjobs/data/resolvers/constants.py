"""Constants (`constant_set`, `constant_unset`, `constants`) and activity feeds
(`activity_create`, `activities`), kept in the data store.

A constant set here is visible in `context.constants` from the next page render on (as on
the platform, where a constant set in one request is seen by later ones): the page context
merges the stored constants over posjobs.toml's `[constants]`.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from posjobs.data.graphql import resolver
from posjobs.data.resolvers.common import date_filter, sorts, text_filter, to_id
from posjobs.data.resolvers.listing import select, unsupported
from posjobs.data.session import DataSession
from posjobs.data.tables import DataError, iso_time
from posjobs.store.data.base import Filter

# activity_create's uuids: derived, not random, so that runs are reproducible.
_ACTIVITY_NAMESPACE = uuid.UUID("6f3c1f4e-2d0e-4a43-9c8e-5b1f0c2d7a10")


def _constant(name: str, value: str, updated_at: float, deleted_at: float | None = None
              ) -> dict[str, Any]:
    # The store keeps one time per constant (its last write): it stands for both.
    return {"name": name, "value": value, "created_at": iso_time(updated_at),
            "updated_at": iso_time(updated_at), "deleted_at": iso_time(deleted_at)}


@resolver("RootMutation", "constant_set")
def resolve_constant_set(_root: None, info: Any, name: str, value: str, **_: Any
                         ) -> dict[str, Any]:
    data: DataSession = info.context
    if not name.strip():
        raise DataError("constant_set: the name must not be blank")
    now = data.now()
    data.store.set_constant(name, value, now)
    return _constant(name, value, now)


@resolver("RootMutation", "constant_unset")
def resolve_constant_unset(_root: None, info: Any, name: str, **_: Any
                           ) -> dict[str, Any] | None:
    """The removed constant, or null when there was none."""
    data: DataSession = info.context
    existing = next((row for row in data.store.constant_rows() if row[0] == name), None)
    if existing is None:
        return None
    data.store.unset_constant(name)
    return _constant(*existing, deleted_at=data.now())


@resolver("RootQuery", "constants")
def resolve_constants(_root: None, info: Any, per_page: int = 20, page: int = 1,
                      filter: Mapping[str, Any] | None = None,
                      sort: Sequence[Mapping[str, Any]] | None = None, **_: Any
                      ) -> dict[str, Any]:
    data: DataSession = info.context
    unsupported(filter, ("name", "created_at", "updated_at"), "constants")
    filters: list[Filter] = text_filter({"column": "name"}, (filter or {}).get("name"))
    for column in ("created_at", "updated_at"):
        filters += date_filter("updated_at", (filter or {}).get(column))
    order = sorts(sort, {"name": "name", "created_at": "updated_at",
                         "updated_at": "updated_at", "id": "name"})
    rows = data.store.constant_rows()
    chosen = select(rows, lambda r: {"name": r[0], "updated_at": r[2]}, filters, order, page,
                    per_page)
    chosen["results"] = [_constant(*row) for row in chosen["results"]]
    return chosen


# --- activity feeds ----------------------------------------------------------------------
@resolver("RootMutation", "activity_create")
def resolve_activity_create(_root: None, info: Any, payload: Any, **_: Any) -> dict[str, Any]:
    """Store the activity; a hash payload gets a `uuid` (pos-module-core's event pages read
    `event.uuid` from the payload and find events by it)."""
    data: DataSession = info.context
    now = data.now()
    _rows, count = data.store.activities(limit=0)
    activity_uuid = str(uuid.uuid5(_ACTIVITY_NAMESPACE, f"{count + 1}:{now!r}"))
    if isinstance(payload, Mapping):
        payload = {**payload}
        activity_uuid = str(payload.setdefault("uuid", activity_uuid))
    activity_id = data.store.add_activity({"uuid": activity_uuid, "payload": payload}, now)
    return {"id": activity_id, "uuid": activity_uuid, "payload": payload}


@resolver("RootQuery", "activities")
def resolve_activities(_root: None, info: Any, per_page: int = 20, page: int = 1,
                       ids: Sequence[Any] | None = None, uuids: Sequence[str] | None = None,
                       sort: Sequence[Mapping[str, Any]] | None = None, **_: Any
                       ) -> dict[str, Any]:
    data: DataSession = info.context
    rows, _total = data.store.activities()  # newest first
    wanted_ids = {to_id(i) for i in ids} if ids else None
    wanted_uuids = {str(u) for u in uuids} if uuids else None
    found = [
        {"id": row_id, "uuid": stored.get("uuid"), "payload": stored.get("payload"),
         "created_at": created_at}
        for row_id, stored, created_at in rows
        if (wanted_ids is None or row_id in wanted_ids)
        and (wanted_uuids is None or stored.get("uuid") in wanted_uuids)
    ]
    order = sorts(sort, {"id": "id", "created_at": "created_at", "updated_at": "created_at"})
    return select(found, lambda a: a, [], order, page, per_page)
