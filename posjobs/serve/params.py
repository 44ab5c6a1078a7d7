"""A request's params the platform's way: query string and body merged, `a[b][]=1` nested."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request as HttpRequest

_KEY_PART = re.compile(r"\[([^\[\]]*)\]")


class BadBody(ValueError):
    """A body that does not parse as its content type says (answered with 400)."""


def nest(pairs: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    """Rails-style names, as platformOS forms send them: `order[sku]=x` is
    `{"order": {"sku": "x"}}`, `tags[]=a&tags[]=b` is `{"tags": ["a", "b"]}`. A plain name
    given twice keeps the last value."""
    params: dict[str, Any] = {}
    for name, value in pairs:
        head, _, rest = name.partition("[")
        keys = [head, *_KEY_PART.findall("[" + rest)] if rest else [head]
        if not head:
            keys = [name]
        _put(params, keys, value)
    return params


def _put(target: dict[str, Any], keys: list[str], value: Any) -> None:
    node: Any = target
    for index, key in enumerate(keys):
        last = index == len(keys) - 1
        following = None if last else keys[index + 1]
        if isinstance(node, list):  # `a[][x]`: a list of hashes
            if last:
                node.append(value)
                return
            if not node or not isinstance(node[-1], dict) or following in node[-1]:
                node.append({})
            node = node[-1]
            continue
        if last:
            node[key] = value
            return
        wanted: type = list if following == "" else dict
        if not isinstance(node.get(key), wanted):
            node[key] = wanted()
        node = node[key]


async def request_params(request: HttpRequest) -> tuple[dict[str, Any], str | None]:
    """The params of a request (query string, then body) and the `_method` it asks for."""
    pairs: list[tuple[str, Any]] = list(request.query_params.multi_items())
    body: dict[str, Any] = {}
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if request.method != "GET" and content_type in ("application/x-www-form-urlencoded",
                                                     "multipart/form-data"):
        form = await request.form()
        for name, value in form.multi_items():
            pairs.append((name, _upload(value) if isinstance(value, UploadFile) else value))
    elif request.method != "GET" and content_type.endswith("json"):
        raw = await request.body()
        if raw.strip():
            try:
                data = json.loads(raw)
            except (json.JSONDecodeError, UnicodeDecodeError) as err:
                raise BadBody(f"the JSON body does not parse: {err}") from None
            if not isinstance(data, dict):
                raise BadBody("a JSON body must be an object")
            body = data
    params = nest(pairs)
    params.update(body)
    method = params.pop("_method", None)
    return params, method if isinstance(method, str) and method else None


def _upload(file: UploadFile) -> dict[str, Any]:
    """An uploaded file as a page sees it here: its name, type and size (posjobs keeps no
    uploads)."""
    return {"filename": file.filename, "content_type": file.content_type, "size": file.size}
