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


@pytest.mark.allow_loopback
def test_loopback_opt_in_allows_only_127_0_0_1() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port), timeout=2) as client:
            peer, _ = server.accept()
            with peer:
                client.sendall(b"ok")
                assert peer.recv(2) == b"ok"
    # Still refused under the marker: another address, a name (even "localhost"), a raw connect elsewhere.
    with pytest.raises(NetworkUsed):
        socket.create_connection(("192.0.2.1", 80), timeout=1)
    with pytest.raises(NetworkUsed):
        socket.getaddrinfo("localhost", 80)
    with pytest.raises(NetworkUsed), socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.connect(("192.0.2.1", 80))
    with pytest.raises((NetworkUsed, urllib.error.URLError)):
        urllib.request.urlopen("http://example.org/", timeout=1)


def test_loopback_is_refused_without_the_marker() -> None:
    with pytest.raises(NetworkUsed):
        socket.create_connection(("127.0.0.1", 9), timeout=1)
    with pytest.raises(NetworkUsed):
        socket.getaddrinfo("127.0.0.1", 9)
