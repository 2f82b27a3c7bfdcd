"""The unlock agent (evidence.case.agent) as real processes: it serves an encrypted case's key to the user's own
commands over a 0600 socket in a 0700 folder, to nobody else, until it is locked, idle, or killed.

The short idle times here are passed to ``agent.start`` directly (a test-only way: the CLI takes whole minutes).
Another user is a real process: a child of this test that drops to uid 65534 (the suite runs as root)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import stat
import tempfile
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from evidence.api import Case
from evidence.case import agent, vault
from evidence.errors import PassphraseError, StorageError

PASS = "correct horse battery staple"
NOBODY = 65534


@pytest.fixture
def runtime(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A short XDG_RUNTIME_DIR of this test's own (socket paths are limited to about 100 bytes); every agent
    still running at the end is locked."""
    folder = Path(tempfile.mkdtemp(prefix="ev-", dir="/tmp"))
    os.chmod(folder, 0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(folder))
    try:
        yield folder
    finally:
        agent.lock_all()
        shutil.rmtree(folder, ignore_errors=True)


def _encrypted_case(root: Path, source: Path | None = None) -> Case:
    case = Case.init(
        root, title="Harassment by A. Morgan", tz="Europe/London", passphrase=PASS, encrypted=True,
        cost=vault.TEST_COST,
    )  # fmt: skip
    if source is not None:
        case.import_files([source])
    return case


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, dead but not yet reaped by its new parent, does not)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return False
    return fields[0] != "Z"


def _wait_gone(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.1)
    return not _alive(pid)


def test_an_agent_serves_the_key_to_the_cases_commands_until_locked(
    tmp_path: Path, corpus: Path, runtime: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "case"
    case = _encrypted_case(root, corpus / "smsbackup" / "sms-devadvance-sms_and_mms.xml")
    keys = case.keys
    assert keys is not None
    records = len(case.records())
    case.close()
    monkeypatch.setenv("EVIDENCE_PASSPHRASE", PASS)  # the agent's environment must not carry it
    started = agent.start(root, keys, idle=timedelta(minutes=5))
    monkeypatch.delenv("EVIDENCE_PASSPHRASE")
    assert _alive(started.pid) and started.pid != os.getpid()
    sock = agent.socket_path(root)
    assert sock.parent == runtime / "evidence"
    assert stat.S_IMODE(os.lstat(sock).st_mode) == 0o600 and stat.S_ISSOCK(os.lstat(sock).st_mode)
    assert stat.S_IMODE(os.lstat(sock.parent).st_mode) == 0o700
    assert os.lstat(sock).st_uid == os.getuid()
    assert "Morgan" not in sock.name and str(root) not in sock.name
    # No passphrase: the key comes from the agent.
    with Case.open(root, readonly=True) as opened:
        assert opened.keys == keys and len(opened.records()) == records > 10
    status = agent.status(root)
    assert status is not None and status.pid == started.pid and status.case == str(root.resolve())
    assert 290 <= status.left_seconds <= 300 and status.idle_seconds == 300
    # Nothing of the key or the passphrase in a file, the agent's command line or its environment.
    secret = keys.to_bytes()
    for folder in (runtime, root):
        for path in folder.rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                assert secret not in data and secret.hex().encode() not in data, path
    cmdline = Path(f"/proc/{started.pid}/cmdline").read_bytes()
    environ = Path(f"/proc/{started.pid}/environ").read_bytes()
    assert str(root).encode() not in cmdline and secret.hex().encode() not in cmdline
    assert b"EVIDENCE_PASSPHRASE" not in environ and PASS.encode() not in environ
    assert Path(f"/proc/{started.pid}/cwd").resolve() == Path("/")  # keeps no USB stick busy
    # Locked: the agent ends at once, its socket is gone, commands ask for the passphrase again.
    assert agent.lock(root) is True
    assert _wait_gone(started.pid, 5)
    assert not os.path.lexists(sock)
    with pytest.raises(PassphraseError, match="passphrase is needed"):
        Case.open(root, readonly=True)
    assert agent.lock(root) is False
    assert agent.keys_from_agent(root) is None


def test_an_idle_agent_forgets_the_key_and_exits(tmp_path: Path, runtime: Path) -> None:
    root = tmp_path / "case"
    case = _encrypted_case(root)
    keys = case.keys
    assert keys is not None
    case.close()
    idle = 5.0
    started = agent.start(root, keys, idle=timedelta(seconds=idle))
    time.sleep(2.0)
    assert agent.keys_from_agent(root) == keys  # a use restarts the idle time
    used = time.monotonic()
    time.sleep(2.5)  # 4.5 s after the start, 2.5 s after the use: still there
    status = agent.status(root)
    asked = time.monotonic()
    assert status is not None and status.pid == started.pid and 0 < status.left_seconds <= 3
    assert _wait_gone(started.pid, 15)
    gone = time.monotonic()
    assert gone - used >= idle  # it did not end before the idle time ...
    assert gone < asked + idle  # ... counted from the last key request: asking the status does not count
    assert not os.path.lexists(agent.socket_path(root))
    assert agent.keys_from_agent(root) is None
    with pytest.raises(PassphraseError):
        Case.open(root, readonly=True)


def test_a_killed_agent_leaves_a_stale_socket_that_is_handled(tmp_path: Path, runtime: Path) -> None:
    root = tmp_path / "case"
    case = _encrypted_case(root)
    keys = case.keys
    assert keys is not None
    case.close()
    started = agent.start(root, keys, idle=timedelta(minutes=5))
    os.kill(started.pid, signal.SIGKILL)
    assert _wait_gone(started.pid, 5)
    sock = agent.socket_path(root)
    assert stat.S_ISSOCK(os.lstat(sock).st_mode)  # left behind by the killed agent
    assert agent.status(root) is None and agent.keys_from_agent(root) is None
    with pytest.raises(PassphraseError, match="passphrase is needed"):
        Case.open(root, readonly=True)
    with Case.open(root, readonly=True, passphrase=PASS) as opened:
        assert opened.title == "Harassment by A. Morgan"
    again = agent.start(root, keys, idle=timedelta(minutes=5))  # the stale socket is replaced
    assert again.pid != started.pid and agent.keys_from_agent(root) == keys
    os.kill(again.pid, signal.SIGKILL)
    assert _wait_gone(again.pid, 5)
    locked, stale = agent.lock_all()
    assert (locked, stale) == ([], 1) and not os.path.lexists(sock)


def test_an_agent_gives_no_key_for_another_case_at_the_same_path(tmp_path: Path, runtime: Path) -> None:
    root = tmp_path / "case"
    case = _encrypted_case(root)
    keys = case.keys
    assert keys is not None
    case.close()
    started = agent.start(root, keys, idle=timedelta(minutes=5))
    root.rename(tmp_path / "moved")
    _encrypted_case(root).close()  # a different case, made where the first one was
    assert agent.keys_from_agent(root) is None
    with pytest.raises(PassphraseError, match="passphrase is needed"):
        Case.open(root, readonly=True)
    asked = agent._ask(agent.socket_path(root), {"op": "key", "folder": [1, 2]})
    assert asked == {"ok": False, "error": "other-case"}
    assert agent._ask(agent.socket_path(root), {"op": "give me everything"}) == {
        "ok": False,
        "error": "bad-request",
    }
    assert agent.status(root) is not None and agent.status(root).pid == started.pid  # type: ignore[union-attr]
    assert agent.lock(root) is True


def _connect_as(uid: int, address: str, request: bytes) -> bytes:
    """Connect to ``address`` from a child process running as ``uid``, send ``request``; what it received."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: another user, then nothing but the socket
        code = 0
        try:
            os.close(read_end)
            os.setgid(uid)
            os.setuid(uid)
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(5)
                sock.connect(address)
                received = b""
                # Closed by the other end before or after the request: a broken pipe or a reset.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    sock.sendall(request)
                    while chunk := sock.recv(4096):
                        received += chunk
            os.write(write_end, b"ok:" + received)
        except BaseException as exc:  # noqa: BLE001 - reported to the parent, which asserts on it
            with contextlib.suppress(OSError):
                os.write(write_end, f"failed:{exc!r}".encode())
            code = 1
        finally:
            os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as fh:
        said = fh.read()
    os.waitpid(pid, 0)
    return said


def test_the_peer_check_refuses_a_process_of_another_user() -> None:
    # The function itself, on a socket the kernel says another user connected to.
    address = f"\0evidence-test-{os.getpid()}-{time.monotonic_ns()}"  # abstract: no file permissions apply
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
        listener.bind(address)
        listener.listen(1)
        listener.settimeout(10)
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                os.close(read_end)
                os.setuid(NOBODY)
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                    sock.connect(address)
                    sock.recv(1)  # held open until the parent has looked
            finally:
                os._exit(0)
        os.close(write_end)
        conn, _ = listener.accept()
        with conn:
            peer = agent.peer_of(conn)
            assert (peer.pid, peer.uid) == (pid, NOBODY)
            with pytest.raises(agent.PeerRefused, match=f"user id {NOBODY}, not {os.getuid()}"):
                agent.check_peer(conn)
        os.close(read_end)
        os.waitpid(pid, 0)
    # The same user passes; another expected user does not.
    left, right = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    with left, right:
        assert agent.check_peer(left).uid == os.getuid()
        assert agent.check_peer(left).pid == os.getpid()
        with pytest.raises(agent.PeerRefused):
            agent.check_peer(left, expected_uid=os.getuid() + 1)


def test_a_running_agent_answers_nothing_to_another_user(tmp_path: Path, runtime: Path) -> None:
    root = tmp_path / "case"
    case = _encrypted_case(root)
    keys = case.keys
    assert keys is not None
    case.close()
    agent.start(root, keys, idle=timedelta(minutes=5))
    sock = agent.socket_path(root)
    request = json.dumps({"op": "key", "folder": [os.stat(root).st_dev, os.stat(root).st_ino]}).encode()
    # Only for this test is the socket reachable by others (the folder and socket are opened up by hand): the
    # agent's own check must still refuse, while the same request from this user is answered.
    os.chmod(runtime, 0o755)
    os.chmod(sock.parent, 0o711)
    os.chmod(sock, 0o666)
    said = _connect_as(NOBODY, str(sock), request + b"\n")
    assert said == b"ok:", said  # connected, and not one byte of an answer
    mine = agent._ask(sock, {"op": "key", "folder": [os.stat(root).st_dev, os.stat(root).st_ino]})
    assert mine is not None and mine["key"] == keys.to_bytes().hex()
    assert agent.lock(root) is True


def test_the_agents_folder_must_be_the_users_alone(runtime: Path) -> None:
    folder = runtime / "evidence"
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    assert agent.ensure_agent_dir() == folder
    assert stat.S_IMODE(os.lstat(folder).st_mode) == 0o700  # the user's own folder is closed
    os.chown(folder, NOBODY, NOBODY)
    with pytest.raises(StorageError, match=f"belongs to user id {NOBODY}"):
        agent.ensure_agent_dir()
    folder.rmdir()
    elsewhere = runtime / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    folder.symlink_to(elsewhere)
    with pytest.raises(StorageError, match="not a folder"):
        agent.ensure_agent_dir()


def test_without_xdg_runtime_dir_the_agents_folder_is_per_user_under_tmp(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    assert agent.agent_dir() == Path(tempfile.gettempdir()) / f"evidence-{os.getuid()}"
    monkeypatch.setenv("XDG_RUNTIME_DIR", "relative/dir")  # not an absolute path: ignored
    assert agent.agent_dir().name == f"evidence-{os.getuid()}"


def test_an_agent_ends_on_sigterm_or_when_its_socket_is_removed(tmp_path: Path, runtime: Path) -> None:
    root = tmp_path / "case"
    case = _encrypted_case(root)
    keys = case.keys
    assert keys is not None
    case.close()
    sock = agent.socket_path(root)
    first = agent.start(root, keys, idle=timedelta(minutes=5))
    os.kill(first.pid, signal.SIGTERM)  # a shutdown: the agent cleans up as when locked
    assert _wait_gone(first.pid, 5)
    assert not os.path.lexists(sock)
    second = agent.start(root, keys, idle=timedelta(minutes=5))
    sock.unlink()  # a logout that empties XDG_RUNTIME_DIR: the agent notices within CHECK_EVERY
    assert _wait_gone(second.pid, agent.CHECK_EVERY + 5)
    assert agent.keys_from_agent(root) is None


def test_the_idle_time_counts_time_asleep() -> None:
    # CLOCK_BOOTTIME keeps counting while the computer is suspended (CLOCK_MONOTONIC stops on Linux).
    assert abs(agent._clock() - time.clock_gettime(time.CLOCK_BOOTTIME)) < 1.0
