"""The server's secrets: the signing key, the session cookie, the dashboard's CSRF guard."""

from __future__ import annotations

import hmac
import ipaddress
import os
import secrets
from dataclasses import dataclass, field
from hashlib import sha256
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from itsdangerous import BadSignature, URLSafeSerializer

SESSION_COOKIE = "posjobs_session"
SECRET_FILE = "serve.secret"


def project_secret(directory: Path) -> str:
    """The project's signing key, generated once and kept in `directory` (`.posjobs/`),
    so that sessions survive a restart of the server."""
    path = directory / SECRET_FILE
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    directory.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another server wrote it first
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as file:
        file.write(secret + "\n")
    return secret


@dataclass
class SessionState:
    """What the session cookie carries: the page's `context.session` and the signed-in user."""

    session: dict[str, Any] = field(default_factory=dict)
    user_id: int | None = None


class Signer:
    """Signs the session cookie and derives the dashboard's CSRF token from one secret."""

    def __init__(self, secret: str) -> None:
        self._serializer = URLSafeSerializer(secret, salt="posjobs.session")
        self.csrf_token = hmac.new(secret.encode(), b"posjobs.csrf", sha256).hexdigest()

    def dump_session(self, state: SessionState) -> str:
        return str(self._serializer.dumps({"s": state.session, "u": state.user_id}))

    def load_session(self, cookie: str | None) -> SessionState:
        """The session a cookie carries; a missing, forged or stale cookie is a new session."""
        if not cookie:
            return SessionState()
        try:
            data = self._serializer.loads(cookie)
        except BadSignature:
            return SessionState()
        if not isinstance(data, dict):
            return SessionState()
        raw = data.get("s")
        session: dict[str, Any] = raw if isinstance(raw, dict) else {}
        user_id = data.get("u")
        return SessionState(session, user_id if isinstance(user_id, int) else None)

    def csrf_ok(self, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(str(token), self.csrf_token)


def same_origin(headers: dict[str, str] | Any, scheme: str = "http") -> bool:
    """Whether a state-changing request comes from a page of this server: its Origin (or,
    without one, its Referer) names the Host it was sent to. A browser always sends Origin
    on a cross-site POST; a request with neither is a script's, not a browser's."""
    host = headers.get("host")
    source = headers.get("origin") or headers.get("referer")
    if not source:
        return True
    if source == "null":
        return False
    parts = urlsplit(source)
    return bool(host) and parts.netloc == host and parts.scheme in (scheme, "https", "http")


# Sent with every dashboard response: no framing (its buttons cannot be clickjacked), no
# guessing of content types, no dashboard URLs in other sites' Referer.
DASHBOARD_HEADERS = [
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
]


def loopback_host(host_header: str) -> bool:
    """Whether a Host header names this machine by a loopback name or address."""
    host = host_header.strip().lower()
    if host.startswith("["):
        host = host[1:host.find("]")] if "]" in host else host
    elif host.count(":") == 1:
        host = host.split(":", 1)[0]
    if host == "localhost":
        return True
    try:  # an address, not a name that merely starts like one (127.0.0.1.evil.example)
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class DashboardGuard:
    """ASGI middleware of the dashboard: on a loopback server, a request whose Host is not
    a loopback name is refused (a DNS-rebinding page could otherwise read the dashboard and
    its token); every answer carries `DASHBOARD_HEADERS`."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        site = scope["app"].state.site
        host = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1")
        if site.loopback_only and not loopback_host(host):
            body = b"This dashboard answers only to localhost and 127.0.0.1.\n"
            await send({"type": "http.response.start", "status": 403,
                        "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                    (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
            return

        async def with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []),
                                                  *DASHBOARD_HEADERS]}
            await send(message)

        await self.app(scope, receive, with_headers)
