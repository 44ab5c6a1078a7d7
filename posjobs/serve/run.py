"""Running the server: uvicorn on the app, the in-process worker beside it, and a clean stop."""

from __future__ import annotations

import contextlib
import signal
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import FrameType
from typing import Any

import uvicorn

from posjobs.clock import Clock
from posjobs.config import Settings
from posjobs.project import Project
from posjobs.serve.app import DASHBOARD, Site, create_app
from posjobs.serve.security import loopback_host
from posjobs.serve.worker import WorkerHandle, start_worker
from posjobs.services.supervisor import Outcome
from posjobs.store.base import Store

GRACEFUL_HTTP_SECONDS = 3  # open connections (a live log tail) get this long to end
STOP_CHECK_SECONDS = 0.05


@dataclass
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 3333
    worker_slots: int | None = 1  # None: no in-process worker
    grace: float = 30.0


class _Server(uvicorn.Server):
    """uvicorn, minus its own signal handling (ours stops the worker by its grace rules),
    announcing where it listens once it does."""

    def __init__(self, config: uvicorn.Config, on_started: Callable[[int], None],
                 on_exit: Callable[[], None]) -> None:
        super().__init__(config)
        self._on_started = on_started
        self._on_exit = on_exit

    async def on_tick(self, counter: int) -> bool:
        should_exit = await super().on_tick(counter)
        if should_exit:  # a signal asked: end the live streams, so connections can close
            self._on_exit()
        return should_exit

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield

    async def startup(self, sockets: Any = None) -> None:
        await super().startup(sockets)
        if self.started:
            port = self.config.port
            for server in self.servers:
                for sock in server.sockets:
                    port = sock.getsockname()[1]
            self._on_started(port)


def serve(
    project: Project,
    store: Store,
    settings: Settings,
    clock: Clock,
    store_url: str,
    data_path: str | None,
    options: ServeOptions,
    *,
    notice: Callable[[str], None],
    on_outcome: Callable[[Outcome], None] | None = None,
) -> None:
    """Serve until SIGINT or SIGTERM; then stop taking requests, give running attempts the
    worker's grace period (a second signal cuts it short), and return."""
    sock = bind(options.host, options.port)
    site = Site(project, store, settings, clock, store_url, data_path, notice=notice,
                loopback_only=loopback_host(options.host))
    config = uvicorn.Config(create_app(site), host=options.host, port=options.port,
                            log_level="warning", access_log=False, lifespan="off",
                            timeout_graceful_shutdown=GRACEFUL_HTTP_SECONDS)
    worker: WorkerHandle | None = None

    def started(port: int) -> None:
        shown = f"[{options.host}]" if ":" in options.host else options.host
        notice(f"serving {project.root}")
        notice(f"  pages:     http://{shown}:{port}/")
        notice(f"  dashboard: http://{shown}:{port}{DASHBOARD}/")
        notice("  worker:    " + (f"{worker.name}, {worker.slots} slot(s)" if worker
                                  else "none (--no-worker)"))
        notice("Ctrl-C to stop")

    server = _Server(config, started, site.stopping.set)
    signals = 0

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        # A handler runs on the main thread between any two of its bytecodes, even inside
        # a lock the main thread holds (an Event's, say): it only counts and sets plain
        # attributes, never a lock; the main thread and uvicorn's loop do the stopping.
        nonlocal signals
        signals += 1
        server.should_exit = True
        if signals > 1:
            server.force_exit = True

    with _signals(on_signal):
        if options.worker_slots:
            worker = start_worker(project, store, settings, store_url, clock=clock,
                                  slots=options.worker_slots, grace=options.grace,
                                  on_outcome=on_outcome, on_notice=notice)
        try:
            server.run(sockets=[sock])
        finally:
            site.stopping.set()
            if worker is not None:
                running = worker.running()
                if running and signals < 2:
                    notice(f"stopping: {running} running attempt(s) get up to "
                           f"{options.grace:g} s to finish (Ctrl-C again to stop now)")
                worker.request_stop()
                while not worker.wait(STOP_CHECK_SECONDS):
                    if signals > 1:  # a second signal: no more grace
                        worker.abort()
            site.close()
    notice("server stopped")


def bind(host: str, port: int) -> socket.socket:
    """The listening socket, bound here so that a taken port is one clear OSError."""
    family, kind, proto, _name, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.set_inheritable(True)
    except OSError:
        sock.close()
        raise
    return sock


@contextlib.contextmanager
def _signals(handler: Callable[[int, FrameType | None], None]) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
