"""The suite runs with the network refused (tests/conftest.py); this shows the guard really bites."""

from __future__ import annotations

import socket
import urllib.request

import pytest

from tests.conftest import NetworkUsed


def test_connecting_out_is_refused() -> None:
    with pytest.raises(NetworkUsed):
        socket.create_connection(("192.0.2.1", 80), timeout=1)
    with pytest.raises(NetworkUsed), socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.connect(("127.0.0.1", 9))
    with pytest.raises(NetworkUsed):
        socket.getaddrinfo("example.org", 443)
    with pytest.raises((NetworkUsed, urllib.error.URLError)):
        urllib.request.urlopen("http://example.org/", timeout=1)


def test_local_ipc_still_works() -> None:
    left, right = socket.socketpair()
    with left, right:
        left.sendall(b"ok")
        assert right.recv(2) == b"ok"
