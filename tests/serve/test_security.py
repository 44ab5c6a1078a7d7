"""The server's guards on their own: loopback Host names, same-origin checks, signed sessions."""

from __future__ import annotations

import pytest

from posjobs.serve.security import SessionState, Signer, loopback_host, project_secret, same_origin


@pytest.mark.parametrize(("host", "ok"), [
    ("localhost", True), ("localhost:3333", True), ("127.0.0.1:3333", True),
    ("127.1.2.3", True), ("[::1]:3333", True), ("[::1]", True),
    ("evil.example", False), ("evil.example:3333", False), ("127.0.0.1.evil.example", False),
    ("localhost.evil.example", False), ("", False), ("[2001:db8::1]:80", False),
])
def test_loopback_host_names(host, ok):
    assert loopback_host(host) is ok


@pytest.mark.parametrize(("headers", "ok"), [
    ({"host": "127.0.0.1:3333", "origin": "http://127.0.0.1:3333"}, True),
    ({"host": "127.0.0.1:3333", "referer": "http://127.0.0.1:3333/_posjobs/jobs/1"}, True),
    ({"host": "127.0.0.1:3333"}, True),  # not a browser's cross-site request
    ({"host": "127.0.0.1:3333", "origin": "http://127.0.0.1:4444"}, False),
    ({"host": "127.0.0.1:3333", "origin": "http://evil.example"}, False),
    ({"host": "127.0.0.1:3333", "origin": "null"}, False),
    ({"host": "127.0.0.1:3333", "referer": "http://evil.example/?127.0.0.1:3333"}, False),
])
def test_same_origin(headers, ok):
    assert same_origin(headers) is ok


def test_a_session_round_trips_and_a_tampered_one_is_a_new_session(tmp_path):
    signer = Signer(project_secret(tmp_path))
    state = SessionState({"cart": [1, 2]}, 7)
    cookie = signer.dump_session(state)
    assert signer.load_session(cookie) == state
    assert signer.load_session(cookie[:-2] + "xx") == SessionState()
    assert Signer("another key").load_session(cookie) == SessionState()
    assert signer.load_session(None) == SessionState()


def test_the_key_is_made_once(tmp_path):
    first = project_secret(tmp_path)
    assert project_secret(tmp_path) == first
    assert len(first) >= 32
    assert Signer(first).csrf_ok(Signer(first).csrf_token)
    assert not Signer(first).csrf_ok(Signer("other").csrf_token)
    assert not Signer(first).csrf_ok(None)
