"""The outbox's messages: what an email or an API call records, and how the platform's
`admin_sent_notifications` shows each (`content` and `options`)."""

from __future__ import annotations

import html
import re
import zlib
from html.parser import HTMLParser
from typing import Any

from posjobs.data.tables import iso_time
from posjobs.store.data.base import MessageRow

ADDRESS_FIELDS = ("to", "cc", "bcc", "reply_to")
# The platform's NotificationTypeEnum for each outbox kind.
NOTIFICATION_TYPES = {"email": "EMAIL", "api_call": "API_CALL"}


def addresses(value: Any) -> list[str]:
    """A recipient list: the platform takes a comma-separated string (or a list)."""
    if value is None:
        return []
    items = value if isinstance(value, list) else str(value).split(",")
    return [str(item).strip() for item in items if str(item).strip()]


def email_payload(fields: dict[str, Any], source: str | None) -> dict[str, Any]:
    """An email as the outbox keeps it: headers, its bodies and where it came from."""
    headers: dict[str, Any] = {"from": str(fields.get("from") or "")}
    for key in ADDRESS_FIELDS:
        headers[key] = addresses(fields.get(key))
    headers["subject"] = str(fields.get("subject") or "")
    body = str(fields.get("html") or "")
    return {
        "headers": headers,
        "layout": fields.get("layout") or None,
        "delay": _minutes(fields.get("delay")),
        "html": body,
        "text": html_to_text(body),
        "source": source,
    }


def _minutes(value: Any) -> float:
    try:
        return max(float(str(value).strip() or 0), 0.0)
    except ValueError:
        return 0.0


def sent_notification(message: MessageRow) -> dict[str, Any]:
    """A SentNotification: `content` (the email's HTML, the API call's request body) and
    `options` (the email's headers; the API call's request and response). pos-module-tests'
    `_tests/sent_mails` pages read `options.subject`, `options.to | join: ','` and `content`."""
    payload = message.payload
    if message.kind == "email":
        content = payload.get("html")
        options = {**payload.get("headers", {}), "layout": payload.get("layout"),
                   "delay": payload.get("delay")}
    else:
        request = payload.get("request", {})
        content = request.get("body")
        options = {"to": request.get("url"), "request_type": request.get("method"),
                   "headers": request.get("headers"), "response": payload.get("response")}
    return {
        "id": message.id,
        "notification_id": zlib.crc32(message.name.encode("utf-8")),
        "notification_type": NOTIFICATION_TYPES.get(message.kind, message.kind.upper()),
        "content": content,
        "options": options,
        "created_at": iso_time(message.created_at),
        "updated_at": iso_time(message.created_at),
    }


# --- a plain-text view of an HTML body -------------------------------------------------------
_BLOCKS = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul",
           "ol", "section", "header", "footer", "hr"}
_SKIP = {"style", "script", "head", "title"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0
        self._link: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self._skipping += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")
        elif tag == "a":
            self._link = dict(attrs).get("href")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skipping = max(self._skipping - 1, 0)
        elif tag in _BLOCKS:
            self.parts.append("\n")
        elif tag == "a" and self._link:
            self.parts.append(f" ({self._link})")
            self._link = None

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(body: str) -> str:
    """The text an HTML body reads as (links kept as `text (url)`): posjobs' own view, for
    reading an email in a terminal; a body without tags is returned as it is."""
    if "<" not in body:
        return html.unescape(body).strip()
    parser = _Text()
    parser.feed(body)
    parser.close()
    text = "".join(parser.parts)
    lines = [re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
