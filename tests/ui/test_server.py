"""The real server over real HTTP on 127.0.0.1: it listens there only, at a port the system chose; it stops
when the last window stops its heartbeat (and not before a window was ever open); ``evidence ui
--no-browser`` prints the one-time address and stops on Ctrl-C."""

from __future__ import annotations

import http.client
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from evidence.ui.server import Server, bind
from evidence.ui.session import Session

ROOT = Path(__file__).resolve().parents[2]


def _request(port: int, method: str, path: str, headers: dict[str, str]) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request(method, path, headers=headers)
    answer = conn.getresponse()
    answer.read()
    conn.close()
    return answer


@pytest.mark.allow_loopback
def test_the_server_stops_when_the_last_window_stops_beating(tmp_path: Path) -> None:
    sock = bind()
    address, port = sock.getsockname()
    assert address == "127.0.0.1" and port > 0
    session = Session(port=port, case_root=tmp_path / "case", window_gone_seconds=1.5)
    server = Server(session, sock)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        start = _request(port, "GET", f"/start/{session.start_token}", {"Host": f"127.0.0.1:{port}"})
        assert start.status == 303
        cookie = start.getheader("set-cookie", "").split(";")[0]
        headers = {"Host": f"127.0.0.1:{port}", "Origin": f"http://127.0.0.1:{port}", "Cookie": cookie}
        time.sleep(2.5)  # no window has beaten yet: the server waits for the first one
        assert thread.is_alive()
        for _ in range(3):  # a window open for longer than window_gone_seconds keeps it running
            assert _request(port, "POST", "/heartbeat", headers).status == 200
            time.sleep(0.8)
        assert thread.is_alive()
        stopped_at = time.monotonic()
        thread.join(timeout=6)  # the window closed: no more heartbeats
        assert not thread.is_alive()
        assert 1.0 <= time.monotonic() - stopped_at <= 4.5
        assert server.stopped_because == "the last window was closed"
        with pytest.raises(OSError):
            _request(port, "GET", "/", headers)
    finally:
        server.stop()
        thread.join(timeout=5)


def test_the_command_has_no_option_to_listen_elsewhere() -> None:
    from evidence.cli.parser import build_parser

    parser = build_parser()
    args = parser.parse_args(["ui", "--no-browser"])
    assert args.no_browser is True
    for option in ("--host", "--bind", "--listen", "--port", "--address"):
        with pytest.raises(SystemExit):
            parser.parse_args(["ui", option, "0.0.0.0"])


def test_ui_no_browser_prints_the_one_time_address_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "evidence", "-C", str(tmp_path / "new case"), "ui", "--no-browser"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert re.fullmatch(
            r"Open this address in a private browser window \(it works once\): "
            r"http://127\.0\.0\.1:\d+/start/[A-Za-z0-9_-]{43}\n",
            line,
        ), line
        assert process.stdout.readline() == "Stop the app with Ctrl-C, or close its window.\n"
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=15)
    assert process.returncode == 0, err
    assert "The app has stopped" in out and "the case is locked" in out
    assert not (tmp_path / "new case").exists()  # nothing is created until the form is sent


@pytest.mark.allow_loopback
def test_a_window_that_never_opens_has_the_address_printed_and_a_closed_one_stops_the_server(
    tmp_path: Path,
) -> None:
    said: list[str] = []
    sock = bind()
    session = Session(port=sock.getsockname()[1], case_root=tmp_path / "case", window_gone_seconds=600)
    server = Server(session, sock, say=said.append)
    # A stand-in browser that fails at once, as Chromium does without a display.
    server.window = subprocess.Popen(["sh", "-c", "exit 1"])
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        time.sleep(2.5)
        assert thread.is_alive()  # the user can still open the address by hand
        assert said == [
            "The window did not open. Open this address in a private window (it works once): "
            + session.start_url
        ]
        session.heartbeat(time.monotonic())  # a window was open once; its browser has ended since
        thread.join(timeout=5)
        assert not thread.is_alive()
        assert server.stopped_because == "the window was closed"
    finally:
        server.stop()
        thread.join(timeout=5)
