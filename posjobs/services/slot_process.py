"""Slot processes: start one that imports posjobs and nothing from the current directory,
and tie its life to the supervisor that started it.

A slot is a fresh interpreter (`python -I -c ...`) whose module path is the supervisor's,
with the folder holding the posjobs package first and the current directory left out, so a
`posjobs/` folder or `posjobs.py` where the user stands cannot replace the package. It
ignores Ctrl-C and SIGTERM (its supervisor decides when it stops) and dies with its
supervisor: while an attempt runs, the kernel kills it when the supervisor dies
(PR_SET_PDEATHSIG on Linux); between attempts it sees the pipe close or its parent change,
and releases a claim it has not started before it exits.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import json
import os
import resource
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from multiprocessing.connection import Connection
from pathlib import Path

from posjobs.errors import PosjobsError, StoreError
from posjobs.services.messages import (
    Broken,
    FromSlot,
    Ready,
    Stop,
    ToSlot,
    Work,
    receive,
    send,
    waiting,
)
from posjobs.services.slot import Resources, Slot, SlotConfig

_BOOT = """import sys, json
sys.path[:] = json.loads(sys.argv[2])
try:
    from posjobs.services.slot_process import main
except BaseException:
    sys.exit(3)  # said once by the supervisor, not at every retry
main(int(sys.argv[1]))
"""
CANNOT_IMPORT = 3  # a slot's exit code when posjobs cannot be imported in it
_PR_SET_PDEATHSIG = 1


def spawn(config: SlotConfig) -> tuple[subprocess.Popen[bytes], Connection]:
    """Start a slot process; returns it and the supervisor's end of its pipe, over which
    `config` is already sent. Call from a thread that lives as long as the slot: on Linux
    the slot's death is tied to that thread."""
    ours, theirs = socket.socketpair()
    try:
        process = subprocess.Popen(
            [sys.executable, "-I", "-c", _BOOT, str(theirs.fileno()), json.dumps(slot_path())],
            pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        )
    finally:
        theirs.close()
    conn = Connection(ours.detach())
    send(conn, config)
    return process, conn


def slot_path() -> list[str]:
    """The module path for slots: the folder of this posjobs package first, then the
    supervisor's path without the current directory."""
    home = str(Path(__file__).resolve().parents[2])
    cwd = Path.cwd().resolve()

    def is_cwd(entry: str) -> bool:
        if entry in ("", "."):
            return True
        with contextlib.suppress(OSError):
            return Path(entry).resolve() == cwd
        return False

    return [home, *(p for p in sys.path if p != home and not is_cwd(p))]


def main(fd: int) -> None:
    """A slot process: set up once, then serve orders until told to stop or orphaned."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # so may a group-wide SIGTERM
    conn = Connection(fd)
    supervisor = os.getppid()
    link = _Link(conn, supervisor)
    try:
        config: SlotConfig = receive(conn)
    except (EOFError, OSError):
        return
    _limit_memory(config.settings.memory_limit_mb)
    try:
        resources = Resources.open(config)
    except StoreError as err:
        link.tell(Broken(err.message, store=True))
        return
    except PosjobsError as err:
        link.tell(Broken(err.message, store=False))
        return
    except Exception as err:
        link.tell(Broken(f"{type(err).__name__}: {err}", store=False))
        return
    slot = Slot(resources, config.settings, config.name,
                running=lambda: _dies_with(supervisor))
    try:
        link.tell(Ready())
        while (order := link.next_order()) is not None:
            slot.serve(order, link.tell, link.should_stop)
    finally:
        slot.close()
        resources.close()


class _Link:
    """The slot's end of its pipe, and how it knows its supervisor is gone."""

    def __init__(self, conn: Connection, supervisor: int) -> None:
        self._conn = conn
        self._supervisor = supervisor
        self._stop = False
        self._waiting = waiting(conn)  # asked before every attempt

    def tell(self, message: FromSlot) -> None:
        try:
            send(self._conn, message)
        except (OSError, ValueError):
            self._stop = True  # the supervisor is gone

    def next_order(self) -> Work | None:
        if self._stop:
            return None
        try:
            message: ToSlot = receive(self._conn)
        except (EOFError, OSError):
            return None
        return None if isinstance(message, Stop) else message

    def should_stop(self) -> bool:
        """Asked between attempts: told to stop, or the supervisor is gone."""
        if self._stop or os.getppid() != self._supervisor:
            self._stop = True
            return True
        try:
            while self._waiting():
                if isinstance(receive(self._conn), Stop):
                    self._stop = True
        except (EOFError, OSError):
            self._stop = True
        return self._stop


@contextlib.contextmanager
def _dies_with(supervisor: int) -> Iterator[None]:
    """While an attempt runs, the kernel kills this process if its supervisor dies (no
    Python code needs to run for that: an attempt may be stuck in one long C call)."""
    armed = _pdeathsig(signal.SIGKILL)
    if armed and os.getppid() != supervisor:
        os._exit(70)  # died just before we armed: nobody is left to record this attempt
    try:
        yield
    finally:
        if armed:
            _pdeathsig(0)


def _pdeathsig(signum: int) -> bool:
    if not sys.platform.startswith("linux"):
        return False
    libc = _libc()
    return libc is not None and libc.prctl(_PR_SET_PDEATHSIG, signum, 0, 0, 0) == 0


_LIBC: list[ctypes.CDLL | None] = []


def _libc() -> ctypes.CDLL | None:
    if not _LIBC:
        try:
            _LIBC.append(ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6",
                                     use_errno=True))
        except OSError:
            _LIBC.append(None)
    return _LIBC[0]


def _limit_memory(megabytes: float | None) -> None:
    """An address-space cap: an attempt that allocates past it fails with MemoryError,
    which the slot reports as the attempt's "memory limit" error."""
    if not megabytes:
        return
    limit = int(megabytes * 1024 * 1024)
    with contextlib.suppress(ValueError, OSError):
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
