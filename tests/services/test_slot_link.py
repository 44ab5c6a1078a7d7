"""A slot's end of its pipe (`slot_process._Link`): how it learns, between attempts, that it
must stop. Real socket pairs, as `spawn` makes them; no process is started."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from multiprocessing.connection import Connection

import pytest

from posjobs.services.messages import Stop, Work, send
from posjobs.services.slot_process import _Link


@pytest.fixture
def pipe() -> Iterator[tuple[_Link, Connection]]:
    """The slot's link and the supervisor's end of the pipe."""
    ours, theirs = socket.socketpair()
    supervisor = Connection(ours.detach())
    link = _Link(Connection(theirs.detach()), os.getppid())  # its "supervisor" is ours
    yield link, supervisor
    supervisor.close()


def test_nothing_said_means_go_on(pipe: tuple[_Link, Connection]) -> None:
    link, _supervisor = pipe
    assert link.should_stop() is False
    assert link.should_stop() is False  # asking twice changes nothing


def test_a_stop_waiting_on_the_pipe_is_seen(pipe: tuple[_Link, Connection]) -> None:
    link, supervisor = pipe
    send(supervisor, Stop())
    assert link.should_stop() is True
    assert link.next_order() is None  # and no further order is taken


def test_a_closed_pipe_means_the_supervisor_is_gone(pipe: tuple[_Link, Connection]) -> None:
    link, supervisor = pipe
    supervisor.close()
    assert link.should_stop() is True


def test_an_order_is_not_mistaken_for_a_stop(pipe: tuple[_Link, Connection]) -> None:
    link, supervisor = pipe
    send(supervisor, Work(drain=True))
    assert link.should_stop() is False
