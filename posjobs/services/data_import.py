"""`posjobs data import`: a JSON file in pos-cli's shape (`{"users": [...], "records": [...]}`)
checked against the project's tables and written in one transaction, all or nothing.

The shape is the platform's (developer-guide/data-import-export/json-import): each record is
a CustomizationImport (`type_name` is its table), each user a UserImport. Ids are kept, so
the relations a file holds stay true. An entry whose id already exists updates it the way the
platform's second import does: the file's properties replace those it names, the others stay.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from posjobs.data import DataLayer
from posjobs.data.tables import DataError, Table, coerce
from posjobs.data.users import EMAIL_FORMAT, find_by_email, hash_password, normalize_email
from posjobs.errors import UsageError
from posjobs.services.data import USER_FIELDS

RECORD_KEYS = ("id", "type_name", "user_id", "created_at", "updated_at", "properties",
               "external_id", "attachments", "images", "addresses", "customizable_id",
               "customizable_type")
USER_KEYS = ("id", "email", "encrypted_password", "password", "external_id", *USER_FIELDS,
             "created_at", "updated_at", "properties", "profiles")
# Keys of the platform's import that posjobs reads but does not keep: said, not silent.
IGNORED = {("addresses",): "addresses are not emulated locally",
           ("customizable_id", "customizable_type"):
               "records are not attached to other objects locally",
           ("profiles",): "user profiles (the platform's legacy) are not emulated locally"}
# Top-level keys: `models` is what older `pos-cli data export` files call the records.
TOP_KEYS = ("users", "records", "models", "transactables")


class DataFileError(UsageError):
    """An import file that cannot be imported as it is (exit 2): nothing was written."""


@dataclass
class ImportSummary:
    records_created: int = 0
    records_updated: int = 0
    users_created: int = 0
    users_updated: int = 0
    ignored: list[str] = field(default_factory=list)  # keys read but not kept, and why


def import_file(layer: DataLayer, path: Path, now: float) -> ImportSummary:
    """Import `path` into the project's data in one transaction; a problem anywhere is a
    `DataFileError` naming the entry, and nothing is written."""
    document = read_document(path)
    summary = ImportSummary()
    store = layer.store
    store.begin()
    try:
        importer = _Importer(layer, path.name, now, summary)
        # Users first: records name their owners.
        for index, entry in enumerate(document.get("users") or []):
            importer.user(f"users[{index}]", entry)
        for key in ("records", "models"):
            for index, entry in enumerate(document.get(key) or []):
                importer.record(f"{key}[{index}]", entry)
    except DataError as err:  # a value of the wrong type, from `coerce`
        store.rollback()
        raise DataFileError(f"{path.name}: {err.message}", hint=err.hint) from None
    except BaseException:
        store.rollback()
        raise
    store.commit()
    return summary


def read_document(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataFileError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as err:
        raise DataFileError(f"{path}: cannot read it: {err}") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as err:
        raise DataFileError(f"{path}:{err.lineno}:{err.colno}: not valid JSON: {err.msg}"
                            ) from None
    if not isinstance(document, dict):
        raise DataFileError(f"{path}: expected an object with \"users\" and \"records\" "
                            f"arrays, got {_kind(document)}")
    unknown = [key for key in document if key not in TOP_KEYS]
    if unknown:
        raise DataFileError(f"{path}: unknown key {unknown[0]!r} (an import file holds "
                            "\"users\" and \"records\")")
    for key in TOP_KEYS:
        if document.get(key) is not None and not isinstance(document[key], list):
            raise DataFileError(f"{path}: {key!r} must be an array, got "
                                f"{_kind(document[key])}")
    if document.get("transactables"):
        raise DataFileError(f"{path}: transactables (the platform's legacy listings) are not "
                            "emulated locally", hint="import records instead")
    return document


class _Importer:
    """Checks and writes one entry at a time, inside the import's transaction."""

    def __init__(self, layer: DataLayer, file: str, now: float, summary: ImportSummary
                 ) -> None:
        self.layer = layer
        self.store = layer.store
        self.tables = layer.tables
        self.file = file
        self.now = now
        self.summary = summary
        self.seen_records: dict[int, str] = {}
        self.seen_users: dict[int, str] = {}

    def fail(self, where: str, message: str, hint: str | None = None) -> DataFileError:
        return DataFileError(f"{self.file}: {where}: {message}", hint=hint)

    def record(self, where: str, entry: Any) -> None:
        entry = self._entry(where, entry, RECORD_KEYS, "a record")
        name = entry.get("type_name")
        if not isinstance(name, str) or not name:
            raise self.fail(where, "type_name (the record's table) is required")
        table = self.tables.get(name)
        if table is None:
            known = ", ".join(sorted(self.tables.tables)) or "none"
            raise self.fail(where, f"table {name!r} does not exist (tables: {known})")
        record_id = self._id(where, entry, self.seen_records)
        where = f"{where} (id {record_id})" if record_id is not None else where
        properties = self._properties(where, table, entry.get("properties"))
        for kind in ("attachments", "images"):
            properties.update(self._uploads(where, table, kind, entry.get(kind)))
        user_id = self._optional_id(where, "user_id", entry.get("user_id"))
        external_id = entry.get("external_id")
        external_id = None if external_id is None else str(external_id)
        created, updated = self._times(where, entry)
        existing = self.store.get_record(record_id) if record_id is not None else None
        if existing is not None:
            if existing.table != table.name:
                raise self.fail(where, f"record {record_id} exists in table "
                                       f"{existing.table!r}, not {table.name!r}")
            self.store.update_record(existing.id, {**existing.properties, **properties},
                                     updated or self.now, user_id=user_id,
                                     external_id=external_id)
            self.summary.records_updated += 1
            return
        row = self.store.insert_record(table.name, properties, created or self.now,
                                       user_id=user_id, external_id=external_id,
                                       record_id=record_id)
        if updated is not None and updated != row.created_at:
            self.store.update_record(row.id, properties, updated)
        self.summary.records_created += 1

    def user(self, where: str, entry: Any) -> None:
        entry = self._entry(where, entry, USER_KEYS, "a user")
        email = entry.get("email")
        if not isinstance(email, str) or not EMAIL_FORMAT.match(normalize_email(email)):
            raise self.fail(where, f"email is required, as name@domain (got {email!r})")
        email = normalize_email(email)  # as users are kept: stripped, lower case
        user_id = self._id(where, entry, self.seen_users)
        where = f"{where} (id {user_id})" if user_id is not None else where
        properties = self._properties(where, self.tables.user, entry.get("properties"))
        fields = {name: str(entry[name]) for name in USER_FIELDS if entry.get(name) is not None}
        password_hash = entry.get("encrypted_password")
        if password_hash is not None and not isinstance(password_hash, str):
            raise self.fail(where, "encrypted_password must be a string")
        if entry.get("password") is not None:  # hashed as user_create hashes it
            password_hash = hash_password(str(entry["password"]))
        external_id = None if entry.get("external_id") is None else str(entry["external_id"])
        created, updated = self._times(where, entry)
        existing = self.store.get_user(user_id) if user_id is not None else None
        same_email = find_by_email(self.store, email)
        if same_email and (existing is None or same_email.id != existing.id):
            raise self.fail(where, f"email {email!r} is already taken by user {same_email.id}")
        if existing is not None:
            self.store.update_user(existing.id, updated or self.now, email=email,
                                   password_hash=password_hash,
                                   properties={**existing.properties, **properties},
                                   fields={**existing.fields, **fields},
                                   external_id=external_id)
            self.summary.users_updated += 1
            return
        row = self.store.insert_user(email, password_hash, properties, created or self.now,
                                     fields=fields, external_id=external_id, user_id=user_id)
        if updated is not None and updated != row.created_at:
            self.store.update_user(row.id, updated)
        self.summary.users_created += 1

    # --- checks --------------------------------------------------------------------------
    def _entry(self, where: str, entry: Any, keys: tuple[str, ...], what: str
               ) -> Mapping[str, Any]:
        if not isinstance(entry, dict):
            raise self.fail(where, f"expected {what} (an object), got {_kind(entry)}")
        for key in entry:
            if key not in keys:
                raise self.fail(where, f"unknown key {key!r} (keys: {', '.join(keys)})")
        for ignored, why in IGNORED.items():
            note = f"{', '.join(ignored)}: {why}"
            if any(entry.get(key) for key in ignored) and note not in self.summary.ignored:
                self.summary.ignored.append(note)
        return entry

    def _id(self, where: str, entry: Mapping[str, Any], seen: dict[int, str]) -> int | None:
        value = self._optional_id(where, "id", entry.get("id"))
        if value is not None:
            if value in seen:
                raise self.fail(where, f"id {value} appears twice (also {seen[value]})")
            seen[value] = where
        return value

    def _optional_id(self, where: str, key: str, value: Any) -> int | None:
        if value is None:
            return None
        text = str(value).strip()
        if isinstance(value, bool) or not text.isdigit() or int(text) < 1:
            raise self.fail(where, f"{key} must be a positive integer, got {value!r}")
        return int(text)

    def _properties(self, where: str, table: Table, given: Any) -> dict[str, Any]:
        if given is None:
            return {}
        if not isinstance(given, dict):
            raise self.fail(where, f"properties must be an object, got {_kind(given)}")
        properties: dict[str, Any] = {}
        for name, value in given.items():
            type_ = table.type_of(name)
            if type_ is None:
                defined = f"defined in {table.file}" if table.file else "no schema file"
                raise self.fail(where, f"table {table.name!r} has no property {name!r} "
                                       f"({defined})")
            properties[name] = coerce(value, type_, f"{where}: property {name!r}")
        return properties

    def _uploads(self, where: str, table: Table, kind: str, given: Any) -> dict[str, Any]:
        """`attachments` / `images`: `{name, url}` entries set the upload property `name`."""
        if not given:
            return {}
        if not isinstance(given, list):
            raise self.fail(where, f"{kind} must be an array, got {_kind(given)}")
        found: dict[str, Any] = {}
        for item in given:
            name = item.get("name") if isinstance(item, dict) else None
            if not isinstance(name, str) or table.type_of(name) != "upload":
                raise self.fail(where, f"{kind}: {name!r} is not an upload property of "
                                       f"table {table.name!r}")
            found[name] = item.get("url")
        return found

    def _times(self, where: str, entry: Mapping[str, Any]) -> tuple[float | None, float | None]:
        return (self._time(where, "created_at", entry.get("created_at")),
                self._time(where, "updated_at", entry.get("updated_at")))

    def _time(self, where: str, key: str, value: Any) -> float | None:
        if value is None:
            return None
        try:
            text = coerce(value, "datetime", key)
        except (DataError, ValueError, OverflowError, OSError):
            raise self.fail(where, f"{key}: {value!r} is not a time") from None
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean",
            int: "a number", float: "a number"}.get(type(value), type(value).__name__)
