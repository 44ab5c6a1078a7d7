"""Rendering the project's notifications (emails, API calls) as the platform does.

A notification is a Liquid file: `app/emails/<name>.liquid` or `app/api_calls/<name>.liquid`
(`modules/<m>/{public,private}/emails/...` for `modules/<m>/<name>`). Its YAML front matter
holds the properties (`to`, `subject`, `layout`, `trigger_condition`, `request_type`...),
each itself Liquid; the file's body is the content. Every part sees `data` (the mutation's
`data` argument), `form` (the same hash: the platform's name for it in form-triggered
notifications) and `context` (the run's restricted context: environment, location,
constants, globals, language). The platform's docs: developer-guide/notifications/.

Rendering happens inside the run that sent the notification (a page render or a job
attempt), so a notification's `graphql`, `log` and `t` work as they do in its caller.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from posjobs.clock import SystemClock
from posjobs.errors import NotFoundError, TemplateError
from posjobs.liquid.run import RunState
from posjobs.project import FRONT_MATTER, TemplateFile

if TYPE_CHECKING:
    from posjobs.liquid.dialect import Dialect

# The notification kinds and the folder each lives in.
FOLDERS = {"email": "emails", "api_call": "api_calls"}
EMAIL_FIELDS = ("to", "from", "cc", "bcc", "reply_to", "subject", "layout", "delay")


class NotificationNotFound(NotFoundError):
    """No notification file by that name."""


def render_notification(dialect: Dialect, run: RunState | None, kind: str, name: str,
                        data: Mapping[str, Any]) -> dict[str, Any]:
    """The rendered notification: `send` (False when `enabled` or `trigger_condition` says
    so, with `reason`), `path`, and the kind's fields (see `_email`, `_api_call`)."""
    folder = FOLDERS.get(kind)
    if folder is None:
        raise ValueError(f"unknown notification kind {kind!r}")
    path = dialect.project.find_notification(folder, name)
    if path is None:
        if name.startswith("modules/") and name.count("/") >= 2:
            module = name.split("/")[1]
            where = f"modules/{module}/{{public,private}}/{folder}/"
        else:
            where = f"app/{folder}/"
        label = kind.replace("_", " ")
        raise NotificationNotFound(f"{label} notification {name!r} not found (looked for its "
                                   f".liquid file in {where})")
    notification = _Notification(dialect, run or _standalone_run(), dialect.project.read(path),
                                 data)
    found: dict[str, Any] = {"path": notification.file.name, "send": True}
    reason = notification.blocked()
    if reason is not None:
        return {**found, "send": False, "reason": reason}
    if kind == "email":
        return {**found, **notification.email()}
    return {**found, **notification.api_call()}


class _Notification:
    """One notification file being rendered for one `data`."""

    def __init__(self, dialect: Dialect, run: RunState, file: TemplateFile,
                 data: Mapping[str, Any]) -> None:
        self.dialect = dialect
        self.run = run
        self.file = file
        self.variables = {"data": dict(data), "form": dict(data)}
        self.context = dict(run.job_context)
        raw = _raw_text(file.path)
        self._raw_lines = raw.splitlines()
        match = FRONT_MATTER.match(raw)
        self._front_lines = match.group(0).count("\n") if match else 0

    def blocked(self) -> str | None:
        """Why the notification is not sent, or None: the platform sends only when
        `enabled` is not false and `trigger_condition` (when given) renders to `true`."""
        if "enabled" in self.file.matter:
            enabled = self.text("enabled")
            if (enabled or "").strip().lower() == "false":
                return "enabled is false"
        if "trigger_condition" in self.file.matter:
            condition = (self.text("trigger_condition") or "").strip()
            if condition != "true":
                return f"trigger_condition rendered {condition!r}, not 'true'"
        return None

    def email(self) -> dict[str, Any]:
        fields = {key: (self.text(key) or "").strip() for key in EMAIL_FIELDS}
        if not fields["layout"] and self.file.matter.get("layout_path"):
            fields["layout"] = (self.text("layout_path") or "").strip()
        body = self.body()
        html = body
        if fields["layout"]:
            layout = self.dialect.layout(fields["layout"], self.file.name, context=self.context)
            html = self.dialect.render(layout, self.run, context=self.context,
                                       variables={"content_for_layout": body})
        return {**fields, "html": html}

    def api_call(self) -> dict[str, Any]:
        headers_key = "request_headers" if "request_headers" in self.file.matter else "headers"
        callback = self.file.matter.get("callback")
        return {
            "to": (self.text("to") or "").strip(),
            "request_type": (self.text("request_type") or "").strip(),
            "headers": (self.text(headers_key) or "").strip(),
            "body": self.body(),
            "callback": self._callback if callback else None,
        }

    def _callback(self, response: Mapping[str, Any]) -> None:
        """Run the `callback` property with `response` (status, body, headers); the
        platform discards its output."""
        self.text("callback", extra={"response": dict(response)})

    # --- rendering ----------------------------------------------------------------------------
    def text(self, key: str, extra: Mapping[str, Any] | None = None) -> str | None:
        """A front matter property, rendered as Liquid; None when it is absent."""
        value = self.file.matter.get(key)
        if value is None:
            return None
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, dict):  # request_headers written as a YAML mapping
            text = json.dumps(value, ensure_ascii=False)
        elif isinstance(value, list):  # `to: [a, b]`: the platform's comma-separated list
            text = ", ".join(str(item) for item in value)
        else:
            text = str(value)
        if "{{" not in text and "{%" not in text:
            return text
        template = self.dialect.parse_source(text, self.file.name, line=self._line_of(key))
        return self.dialect.render(template, self.run, context=self.context,
                                   variables={**self.variables, **(extra or {})})

    def body(self) -> str:
        """The file's content rendered, without the empty lines that stand for its front
        matter (kept in the source so that errors name the file's own line numbers)."""
        template = self.dialect.parse(self.file)
        out = self.dialect.render(template, self.run, context=self.context,
                                  variables=self.variables)
        skip = 0
        while skip < self._front_lines and skip < len(out) and out[skip] == "\n":
            skip += 1
        return out[skip:]

    def _line_of(self, key: str) -> int:
        """The line of the file where a property is written (for error messages)."""
        for number, line in enumerate(self._raw_lines, start=1):
            if line.startswith(f"{key}:"):
                return number
        return 1


def _raw_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):  # project.read has already reported these
        return ""


def _standalone_run() -> RunState:
    """A run for a notification sent outside any page or job (a direct data layer call)."""

    def no_jobs() -> int:
        raise TemplateError("a notification rendered outside a page or job cannot enqueue "
                            "background jobs")

    return RunState(clock=SystemClock(), reserve_id=no_jobs, job_context={"language": "en"})

