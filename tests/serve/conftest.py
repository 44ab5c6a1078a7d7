"""A real `posjobs serve` app on a free loopback port, and a small HTTP client for it."""

from __future__ import annotations

import http.cookiejar
import json
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from posjobs.clock import SystemClock
from posjobs.config import Settings
from posjobs.project import Project
from posjobs.serve.app import Site, create_app
from posjobs.serve.run import bind
from posjobs.serve.worker import WorkerHandle, start_worker
from posjobs.store.data import data_store_path
from posjobs.store.sqlite import SQLiteStore
from tests.conftest import write_project

START_SECONDS = 10.0


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: str

    def json(self) -> Any:
        return json.loads(self.body)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Client:
    """A browser-like client: keeps cookies, never follows redirects, never raises on 4xx."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self._opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect())

    def request(self, method: str, path: str, *, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> Response:
        req = urllib.request.Request(self.base + path, data=body, method=method,
                                     headers=headers or {})
        try:
            with self._opener.open(req, timeout=10) as resp:
                return Response(resp.status, {k.lower(): v for k, v in resp.headers.items()},
                                resp.read().decode())
        except urllib.error.HTTPError as err:
            return Response(err.code, {k.lower(): v for k, v in err.headers.items()},
                            err.read().decode())

    def get(self, path: str, **headers: str) -> Response:
        return self.request("GET", path, headers=headers)

    def post(self, path: str, form: dict[str, Any] | list[tuple[str, str]] | None = None,
             *, headers: dict[str, str] | None = None) -> Response:
        from urllib.parse import urlencode

        return self.request("POST", path, body=urlencode(form or {}).encode(), headers={
            "Content-Type": "application/x-www-form-urlencoded", **(headers or {})})

    def post_json(self, path: str, data: Any) -> Response:
        return self.request("POST", path, body=json.dumps(data).encode(),
                            headers={"Content-Type": "application/json"})

    def post_multipart(self, path: str, fields: dict[str, str],
                       files: dict[str, tuple[str, bytes]]) -> Response:
        boundary = uuid.uuid4().hex
        parts = []
        for name, value in fields.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                         f"{value}\r\n".encode())
        for name, (filename, content) in files.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                         f'filename="{filename}"\r\nContent-Type: text/plain\r\n\r\n'.encode()
                         + content + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        return self.request("POST", path, body=body, headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}"})


@dataclass
class Server:
    """A running server: its URL, a client, its project and store, what it said."""

    url: str
    client: Client
    project: Project
    store: SQLiteStore
    site: Site
    notices: list[str]
    worker: WorkerHandle | None

    @property
    def db(self) -> str:
        return str(self.store.path)

    def wait_for(self, check: Callable[[], Any], timeout: float = 10.0) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = check()
            if value:
                return value
            time.sleep(0.05)
        raise AssertionError("timed out waiting")


def start_server(root: Path, *, worker: bool = False) -> Iterator[Server]:
    """Serve the project at `root` on a free loopback port in this process (uvicorn on a
    thread), the in-process worker too when asked; stop both afterwards."""
    project = Project(root)
    store_path = root / ".posjobs" / "posjobs.db"
    store = SQLiteStore(store_path)
    notices: list[str] = []
    settings = Settings.load(project.root)
    site = Site(project, store, settings, SystemClock(), str(store_path),
                data_store_path(store_path), notice=notices.append)
    sock = bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(site), log_level="warning", access_log=False,
                            lifespan="off", timeout_graceful_shutdown=1)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + START_SECONDS
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.01)
    handle = start_worker(project, store, settings, str(store_path), clock=SystemClock(),
                          slots=1, grace=1.0) if worker else None
    url = f"http://127.0.0.1:{port}"
    try:
        yield Server(url, Client(url), project, store, site, notices, handle)
    finally:
        site.stopping.set()
        server.should_exit = True
        thread.join(START_SECONDS)
        if handle is not None:
            handle.stop(abort=True)
        site.close()
        store.close()


@pytest.fixture
def serve_project(tmp_path: Path) -> Iterator[Callable[..., Server]]:
    """`serve_project(files, worker=False)`: write a project and serve it."""
    running: list[Iterator[Server]] = []

    def start(files: dict[str, str], *, worker: bool = False) -> Server:
        write_project(tmp_path / "project", files)
        server = start_server(tmp_path / "project", worker=worker)
        running.append(server)
        return next(server)

    yield start
    for server in running:
        next(server, None)
