"""API calls: answered from a response mock, else a documented default; sent over the
network only when the project opts in.

A response mock is `.posjobs/http/<name>.json`, `<name>` being the API call notification's
name (`modules/core/generic`) or, for an inline `api_call_send(api_call: {...})`, the name of
the GraphQL query that sends it (`modules/oauth_github/get_token`). It holds either one
response, whatever the request:

    {"status": 201, "body": {"id": "ch_1"}, "headers": {"Content-Type": "application/json"}}

or a list of cases, the first whose `when` matches the request wins (a case without `when`
matches any request); `url` is a glob (`*` matches anything), `method` is compared without
regard to case:

    [{"when": {"method": "POST", "url": "https://api.stripe.com/v1/charges*"},
      "response": {"status": 200, "body": {"id": "ch_1"}}},
     {"response": {"status": 404, "body": ""}}]

`status` defaults to 200, `headers` to none; a `body` that is not a string is sent as its
JSON text. With no mock (or no matching case) and no opt-in, the answer is `DEFAULT`:
status 200 and the body `{}`. The platform's module code parses response bodies as JSON
(`response.body | parse_json`), which fails on an empty body; `{}` parses to an empty hash,
so such code runs on and takes its "nothing came back" path instead of stopping at a
mock nobody asked for.

Real sending needs `[data] allow_network = true` in posjobs.toml (or a `DataLayer` made with
`allow_network=True`): never by default.
"""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from posjobs.data.tables import DataError

MOCK_DIR = Path(".posjobs") / "http"
DEFAULT = {"status": 200, "body": "{}", "headers": {"Content-Type": "application/json"}}
DEFAULT_TIMEOUT = 60.0  # seconds, as pos-module-user's api_call query defaults it
_RESPONSE_KEYS = {"status", "body", "headers"}


@dataclass
class HttpRequest:
    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"method": self.method, "url": self.url, "headers": self.headers,
                "body": self.body}


@dataclass
class HttpAnswer:
    """The response (None when the request failed) and what answered: `mock <file>`,
    `default` or `network`."""

    response: dict[str, Any] | None
    answered_by: str
    error: str | None = None


def answer(root: Path, name: str, request: HttpRequest, *, allow_network: bool,
           timeout: float | None = None) -> HttpAnswer:
    """The answer to `request`: its mock's, else the network's (when allowed), else DEFAULT."""
    mocked = mock_response(root, name, request)
    if mocked is not None:
        return HttpAnswer(mocked, f"mock {(MOCK_DIR / f'{name}.json').as_posix()}")
    if allow_network:
        return send(request, timeout or DEFAULT_TIMEOUT)
    return HttpAnswer(json.loads(json.dumps(DEFAULT)), "default")


def mock_response(root: Path, name: str, request: HttpRequest) -> dict[str, Any] | None:
    """The mocked response for `request`, or None (no mock file, or no case matches)."""
    shown = (MOCK_DIR / f"{name}.json").as_posix()
    path = root / MOCK_DIR / f"{name}.json"
    if ".." in Path(name).parts or not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as err:
        raise DataError(f"api_call_send: cannot read the response mock {shown}: {err}"
                        ) from None
    except json.JSONDecodeError as err:
        raise DataError(f"api_call_send: the response mock {shown} is not valid JSON: "
                        f"{err.msg} (line {err.lineno}, column {err.colno})") from None
    if isinstance(data, dict):
        return _response(data, shown)
    if not isinstance(data, list):
        raise DataError(f"api_call_send: the response mock {shown} must hold a response "
                        '{"status": ..., "body": ...} or a list of {"when": {...}, '
                        '"response": {...}} cases')
    for number, case in enumerate(data, start=1):
        when = case.get("when", {}) if isinstance(case, dict) else None
        if not isinstance(when, dict) or not isinstance(case.get("response"), dict) or set(
                when) - {"method", "url"}:
            raise DataError(f"api_call_send: case {number} of the response mock {shown} must "
                            'be {"when": {"method": ..., "url": ...}, "response": {...}}')
        if _matches(when, request):
            return _response(case["response"], f"{shown} (case {number})")
    return None


def _matches(when: dict[str, Any], request: HttpRequest) -> bool:
    method = when.get("method")
    if method is not None and str(method).upper() != request.method.upper():
        return False
    url = when.get("url")
    return url is None or fnmatch.fnmatchcase(request.url, str(url))


def _response(data: dict[str, Any], shown: str) -> dict[str, Any]:
    unknown = set(data) - _RESPONSE_KEYS
    if unknown:
        raise DataError(f"api_call_send: the response in {shown} has no "
                        f"{', '.join(sorted(unknown))}; it takes status, body, headers")
    status = data.get("status", 200)
    if not isinstance(status, int) or isinstance(status, bool):
        raise DataError(f"api_call_send: status in {shown} must be a number, got {status!r}")
    body = data.get("body", "")
    if not isinstance(body, str):
        body = json.dumps(body, ensure_ascii=False)
    headers = data.get("headers") or {}
    if not isinstance(headers, dict):
        raise DataError(f"api_call_send: headers in {shown} must be an object")
    return {"status": status, "body": body, "headers": {str(k): str(v)
                                                        for k, v in headers.items()}}


def send(request: HttpRequest, timeout: float) -> HttpAnswer:
    """Send `request` for real (the user opted in). A failure to connect is an answer
    without a response, with the reason; an HTTP error status is a response."""
    import urllib.error
    import urllib.request

    method = request.method.upper()
    if method.endswith("_MULTIPART"):
        return HttpAnswer(None, "network", f"{method}: multipart uploads are not sent by "
                                           "posjobs; mock this call in .posjobs/http/")
    if not request.url.lower().startswith(("http://", "https://")):
        return HttpAnswer(None, "network", f"not an http(s) URL: {request.url!r}")
    body = request.body.encode("utf-8") if request.body is not None and method != "GET" else None
    outgoing = urllib.request.Request(request.url, data=body, method=method,
                                      headers=request.headers)
    try:
        with urllib.request.urlopen(outgoing, timeout=timeout) as reply:
            return HttpAnswer(_reply(reply.status, reply.headers, reply.read()), "network")
    except urllib.error.HTTPError as err:
        return HttpAnswer(_reply(err.code, err.headers, err.read()), "network")
    except (urllib.error.URLError, OSError, ValueError) as err:
        reason = getattr(err, "reason", err)
        return HttpAnswer(None, "network", f"{method} {request.url}: {reason}")


def _reply(status: int, headers: Any, body: bytes) -> dict[str, Any]:
    return {"status": int(status), "body": body.decode("utf-8", errors="replace"),
            "headers": {str(k): str(v) for k, v in (headers.items() if headers else [])}}
