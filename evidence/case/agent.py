"""The unlock agent: a small local process that holds one encrypted case's data key in memory for a while, so
the commands of that case do not ask for the passphrase each time (``evidence unlock``; ``evidence lock``).

Where. One agent per case, listening on a Unix socket ``<dir>/<id>.sock``: ``<dir>`` is
``$XDG_RUNTIME_DIR/evidence`` (a per-user folder in memory on most Linux desktops), else
``<tmp>/evidence-<uid>`` (``tempfile.gettempdir()``, normally /tmp). The folder is created 0700 and refused
when it is a link, not the user's, or open to others; the socket is bound under a 0177 umask (0600 from the
first instant). ``<id>`` is the first 24 hex digits of SHA-256(``AGENT_NAME_TAG`` ‖ the case folder's real
path), so the name says nothing of the case; the agent also knows the folder's (device, inode) and answers only
a request naming the same, so a case moved away and another made at the same path is not given the first one's
key. The passphrase can change while an agent runs: the data key, which the agent holds, does not.

Protocol (version 1). One request per connection, one line of JSON (at most ``REQUEST_LIMIT`` bytes, ended by a
newline), one line of JSON in answer, then the agent closes the connection::

    {"op":"key","folder":[DEV,INO]}  ->  {"ok":true,"key":"<64 hex digits: the data key>"}
                                         {"ok":false,"error":"other-case"}  (the folder is not the agent's)
    {"op":"status"}                  ->  {"ok":true,"agent":"evidence-agent/1","pid":N,"case":"/path",
                                          "idle_seconds":N,"left_seconds":N}
    {"op":"lock"}                    ->  {"ok":true,"case":"/path"}   and the agent exits
    anything else                    ->  {"ok":false,"error":"bad-request"}

Only a ``key`` answer restarts the idle time; ``status`` does not. Both ends check the other's user id
(``SO_PEERCRED`` on Linux, ``getpeereid`` elsewhere: ``peer_of`` and ``check_peer``): the agent answers
nothing to another user, and a command takes no key from a process of another user. After ``idle`` without a
``key`` request (measured on a clock that counts suspended time, so a laptop closed for an hour is locked when
it opens), when asked to ``lock``, on SIGTERM, or when its socket file is removed or replaced, the agent zeroes
its copy of the key, removes its socket and exits. A socket left by an agent that was killed (SIGKILL, a crash)
refuses connections: commands then ask for the passphrase, and ``unlock`` and ``lock`` remove it.

What never happens. The key is never written to a file, a command line or an environment variable: the agent
(``python -m evidence.case.agent``) reads it from a pipe on its stdin, with the socket's place; its environment
is the caller's without ``EVIDENCE_PASSPHRASE`` and ``EVIDENCE_NEW_PASSPHRASE``; it works from ``/`` (not
keeping a USB stick busy), makes no core dumps and, on Linux, marks itself not dumpable (no ``ptrace``, no
``/proc/PID/mem`` for other processes of the same user). Known limits: anyone who can run commands as the user
while the case is unlocked can read it (as with ssh-agent: lock before leaving the computer); Python cannot
promise that no copy of the key stays in freed memory until the process exits; and the kernel may write the
agent's memory to swap when swap is not encrypted.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import select
import signal
import socket
import stat
import struct
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evidence.errors import CaseError, StorageError

if TYPE_CHECKING:
    from evidence.case.vault import CaseKeys

AGENT_FORMAT = "evidence-agent/1"
AGENT_NAME_TAG = b"evidence/agent-socket/v1\0"
KEY_SIZE = 32
REQUEST_LIMIT = 1024  # bytes of one request or answer line
CONFIG_LIMIT = 64 * 1024
CONNECTION_TIMEOUT = 2.0  # seconds the agent waits for a request, a command for an answer
START_TIMEOUT = 20.0  # seconds ``start`` waits for a new agent to listen
CHECK_EVERY = 5.0  # seconds between the agent's checks of its socket file and the idle time
SOCKET_PATH_LIMIT = 100  # bytes: sun_path is 108 on Linux, 104 on macOS
SECRET_ENV = ("EVIDENCE_PASSPHRASE", "EVIDENCE_NEW_PASSPHRASE")
PR_SET_DUMPABLE = 4  # prctl(2)


class PeerRefused(Exception):
    """The other end of a socket is a process of another user (``check_peer``)."""


@dataclass(frozen=True)
class Peer:
    """The process at the other end of a Unix socket: pid (0 where the system does not say) and user id."""

    pid: int
    uid: int


@dataclass(frozen=True)
class AgentStatus:
    """What a running agent says of itself."""

    pid: int
    case: str
    idle_seconds: int
    left_seconds: int


# -- where ------------------------------------------------------------------------------------------------------


def agent_dir() -> Path:
    """The folder of the agents' sockets: ``$XDG_RUNTIME_DIR/evidence``, else ``<tmp>/evidence-<uid>``."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and os.path.isabs(runtime):
        return Path(runtime) / "evidence"
    return Path(tempfile.gettempdir()) / f"evidence-{os.getuid()}"


def _folder_identity(root: Path) -> tuple[Path, list[int]]:
    real = Path(os.path.realpath(root))
    info = os.stat(real)
    return real, [info.st_dev, info.st_ino]


def socket_path(root: Path) -> Path:
    """The socket of the agent of the case folder ``root`` (which need not exist)."""
    real = os.fsencode(os.path.realpath(root))
    name = hashlib.sha256(AGENT_NAME_TAG + real).hexdigest()[:24]
    return agent_dir() / f"{name}.sock"


def ensure_agent_dir() -> Path:
    """Create the sockets' folder (0700) if needed and check it is the user's alone: StorageError when it is a
    link, not a folder, or another user's; a folder of the user's open to others is closed (chmod 0700)."""
    folder = agent_dir()
    try:
        folder.mkdir(mode=0o700, parents=False, exist_ok=True)
        info = os.lstat(folder)
    except FileNotFoundError:
        raise StorageError(
            "the folder above the unlock agent's folder does not exist",
            path=folder,
            hint="set XDG_RUNTIME_DIR to a folder of yours, or unset it",
        ) from None
    except OSError as exc:
        raise StorageError(f"cannot make the unlock agent's folder ({exc.strerror})", path=folder) from None
    if not stat.S_ISDIR(info.st_mode):
        raise StorageError(
            "the unlock agent's folder is not a folder (a link or a file): refused",
            path=folder,
            hint="remove it; someone may have put it there to catch the key",
        )
    if info.st_uid != os.getuid():
        raise StorageError(
            f"the unlock agent's folder belongs to user id {info.st_uid}, not to you: refused",
            path=folder,
            hint="remove it (as that user or root); someone may have put it there to catch the key",
        )
    if stat.S_IMODE(info.st_mode) & 0o077:
        os.chmod(folder, 0o700)
    return folder


# -- who is at the other end ------------------------------------------------------------------------------------


def peer_of(sock: socket.socket) -> Peer:
    """The process at the other end of the connected Unix socket ``sock``, as the kernel recorded it when it
    connected (``SO_PEERCRED``; ``getpeereid`` where that is missing). OSError when the system says nothing."""
    peercred = getattr(socket, "SO_PEERCRED", None)
    if peercred is not None:
        size = struct.calcsize("3i")
        pid, uid, _gid = struct.unpack("3i", sock.getsockopt(socket.SOL_SOCKET, peercred, size))
        return Peer(pid=pid, uid=uid)
    import ctypes.util

    libc_name = ctypes.util.find_library("c")
    libc = ctypes.CDLL(libc_name, use_errno=True)
    uid, gid = ctypes.c_uint32(), ctypes.c_uint32()
    if libc.getpeereid(sock.fileno(), ctypes.byref(uid), ctypes.byref(gid)) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))
    return Peer(pid=0, uid=uid.value)


def check_peer(sock: socket.socket, expected_uid: int | None = None) -> Peer:
    """The peer of ``sock`` when it runs as ``expected_uid`` (default: this process's user); PeerRefused
    naming the user id it runs as otherwise, or when the system cannot tell."""
    uid = os.getuid() if expected_uid is None else expected_uid
    try:
        peer = peer_of(sock)
    except OSError as exc:
        raise PeerRefused(f"cannot tell who is at the other end ({exc.strerror})") from None
    if peer.uid != uid:
        raise PeerRefused(f"the other end runs as user id {peer.uid}, not {uid}")
    return peer


# -- asking a running agent -------------------------------------------------------------------------------------


class _Stale(Exception):
    """A socket file no agent listens on (the agent was killed)."""


def _ask(path: Path, request: dict[str, Any]) -> dict[str, Any] | None:
    """The agent's answer at ``path``; None when there is no socket; _Stale when nobody listens on it; None
    when the agent does not answer in time or answers nonsense (a command then asks for the passphrase).
    CaseError when the socket is not the user's own or the agent runs as another user."""
    try:
        info = os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    if not stat.S_ISSOCK(info.st_mode) or info.st_uid != os.getuid():
        raise CaseError(
            "the unlock agent's socket is not a socket of yours: refused",
            path=path,
            hint="remove it; someone may have put it there to hand out a false key",
        )
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(CONNECTION_TIMEOUT)
        try:
            sock.connect(str(path))
        except (ConnectionRefusedError, FileNotFoundError):
            raise _Stale from None
        except OSError:
            return None
        try:
            check_peer(sock)
        except PeerRefused as exc:
            raise CaseError(
                f"the unlock agent's socket is served by another user ({exc}): refused",
                path=path,
                hint="run 'evidence lock --all' and remove the folder",
            ) from None
        try:
            sock.sendall(json.dumps(request, separators=(",", ":")).encode() + b"\n")
            answer = _read_line(sock)
            parsed = json.loads(answer)
        except (OSError, ValueError):
            return None
    return parsed if isinstance(parsed, dict) else None


def _read_line(sock: socket.socket) -> bytes:
    data = b""
    while b"\n" not in data and len(data) <= REQUEST_LIMIT:
        chunk = sock.recv(REQUEST_LIMIT)
        if not chunk:
            break
        data += chunk
    if b"\n" not in data:
        raise ValueError("no complete line")
    return data.split(b"\n", 1)[0]


def keys_from_agent(root: Path) -> CaseKeys | None:
    """The keys of the case at ``root`` from its running agent; None when no agent holds them (none started,
    locked, expired, killed, or an agent of another folder that was at this path)."""
    from evidence.case.vault import CaseKeys

    try:
        real, identity = _folder_identity(root)
        answer = _ask(socket_path(real), {"op": "key", "folder": identity})
    except (_Stale, OSError):
        return None
    if not answer or answer.get("ok") is not True or not isinstance(answer.get("key"), str):
        return None
    try:
        data = bytes.fromhex(answer["key"])
    except ValueError:
        return None
    return CaseKeys.from_bytes(data) if len(data) == KEY_SIZE else None


def _status_of(answer: dict[str, Any] | None) -> AgentStatus | None:
    if not answer or answer.get("ok") is not True:
        return None
    try:
        return AgentStatus(
            pid=int(answer["pid"]),
            case=str(answer["case"]),
            idle_seconds=int(answer["idle_seconds"]),
            left_seconds=int(answer["left_seconds"]),
        )
    except (KeyError, TypeError, ValueError):
        return None


def status(root: Path) -> AgentStatus | None:
    """What the agent of the case at ``root`` says of itself; None when none runs (a stale socket included)."""
    try:
        return _status_of(_ask(socket_path(root), {"op": "status"}))
    except _Stale:
        return None


def _remove_stale(path: Path) -> bool:
    """Remove a socket nobody listens on; whether one was removed."""
    try:
        _ask(path, {"op": "status"})
    except _Stale:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        return True
    return False


def lock(root: Path) -> bool:
    """End the agent of the case at ``root`` now (its key forgotten); whether one was running. A stale socket
    is removed."""
    path = socket_path(root)
    try:
        answer = _ask(path, {"op": "lock"})
    except _Stale:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        return False
    return bool(answer and answer.get("ok") is True)


def lock_all() -> tuple[list[str], int]:
    """End every agent of this user: the case folders they held, and how many stale sockets were removed."""
    folder = agent_dir()
    try:
        sockets = sorted(p for p in folder.iterdir() if p.suffix == ".sock")
    except (FileNotFoundError, NotADirectoryError):
        return [], 0
    locked: list[str] = []
    stale = 0
    for path in sockets:
        try:
            answer = _ask(path, {"op": "lock"})
        except _Stale:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
            stale += 1
            continue
        if answer and answer.get("ok") is True:
            locked.append(str(answer.get("case", "?")))
    return locked, stale


# -- starting one -----------------------------------------------------------------------------------------------


def start(root: Path, keys: CaseKeys, *, idle: timedelta) -> AgentStatus:
    """Start the agent of the case at ``root`` holding ``keys`` until ``idle`` passes without a key request
    (the CLI allows whole minutes; tests pass seconds); its status once it listens. An agent already running
    for the case is left as it is (its status is returned); a stale socket is removed first. StorageError when
    the agent cannot start."""
    import subprocess

    real, identity = _folder_identity(root)
    ensure_agent_dir()
    path = socket_path(real)
    if len(os.fsencode(path)) > SOCKET_PATH_LIMIT:
        raise StorageError(
            "the unlock agent's socket path is too long for the system",
            path=path,
            hint="set XDG_RUNTIME_DIR to a shorter folder of yours (e.g. /run/user/UID)",
        )
    running = status(real)
    if running is not None:
        return running
    _remove_stale(path)
    seconds = idle.total_seconds()
    if seconds <= 0:
        raise StorageError("the unlock agent's idle time must be positive")
    config = {"socket": str(path), "case": str(real), "folder": identity, "idle": seconds}
    package_parent = str(Path(__file__).resolve().parent.parent.parent)
    env = {k: v for k, v in os.environ.items() if k not in SECRET_ENV}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_parent, env.get("PYTHONPATH", "")) if p)
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "evidence.case.agent"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd="/",
            env=env,
            start_new_session=True,
            close_fds=True,
        )
    except OSError as exc:
        raise StorageError(f"cannot start the unlock agent ({exc.strerror})") from None
    assert proc.stdin is not None and proc.stdout is not None
    try:
        proc.stdin.write(keys.to_bytes() + json.dumps(config).encode())
        proc.stdin.close()
        ready, _, _ = select.select([proc.stdout], [], [], START_TIMEOUT)
        line = proc.stdout.readline(REQUEST_LIMIT) if ready else b""
    except OSError as exc:
        line = json.dumps({"error": exc.strerror or "broken pipe"}).encode()
    finally:
        proc.stdout.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=START_TIMEOUT)  # the first process forks the agent and exits at once
    try:
        said = json.loads(line) if line else {"error": "it did not start in time"}
    except ValueError:
        said = {"error": "it said something unexpected"}
    if not isinstance(said, dict) or said.get("ready") is not True:
        problem = said.get("error") if isinstance(said, dict) else None
        raise StorageError(f"the unlock agent did not start: {problem}", path=path)
    return AgentStatus(
        pid=int(said["pid"]), case=str(real), idle_seconds=int(seconds), left_seconds=int(seconds)
    )


# -- the agent itself -------------------------------------------------------------------------------------------


def _clock() -> float:
    """Seconds on a clock that keeps counting while the computer sleeps (Linux's CLOCK_BOOTTIME)."""
    boottime = getattr(time, "CLOCK_BOOTTIME", None)
    return time.clock_gettime(boottime) if boottime is not None else time.monotonic()


def _harden() -> None:
    """No core dump of the key; on Linux, not dumpable: other processes of the user cannot trace or read it."""
    import ctypes
    import resource

    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)


def _read_stdin_key() -> bytearray:
    key = bytearray(KEY_SIZE)
    view = memoryview(key)
    got = 0
    while got < KEY_SIZE:
        n = os.readv(0, [view[got:]])
        if n == 0:
            raise ValueError("the key was cut short")
        got += n
    return key


def _read_stdin_config() -> dict[str, Any]:
    data = b""
    while len(data) <= CONFIG_LIMIT:
        chunk = os.read(0, 4096)
        if not chunk:
            break
        data += chunk
    config = json.loads(data)
    if not isinstance(config, dict):
        raise ValueError("the settings are not an object")
    return config


@dataclass
class _Agent:
    key: bytearray
    path: Path
    case: str
    folder: list[int]
    idle: float
    deadline: float
    inode: int = 0

    def answer(self, request: Any) -> tuple[dict[str, Any], bool]:
        """The answer to one request, and whether the agent ends after it."""
        op = request.get("op") if isinstance(request, dict) else None
        if op == "key":
            if request.get("folder") != self.folder:
                return {"ok": False, "error": "other-case"}, False
            self.deadline = _clock() + self.idle
            return {"ok": True, "key": self.key.hex()}, False
        if op == "status":
            left = max(0, round(self.deadline - _clock()))
            return {
                "ok": True,
                "agent": AGENT_FORMAT,
                "pid": os.getpid(),
                "case": self.case,
                "idle_seconds": round(self.idle),
                "left_seconds": left,
            }, False
        if op == "lock":
            return {"ok": True, "case": self.case}, True
        return {"ok": False, "error": "bad-request"}, False

    def socket_is_mine(self) -> bool:
        try:
            return os.lstat(self.path).st_ino == self.inode
        except OSError:
            return False

    def serve(self, listener: socket.socket) -> None:
        """Answer requests until locked, idle for ``idle`` seconds, or the socket file is gone."""
        while True:
            left = self.deadline - _clock()
            if left <= 0 or not self.socket_is_mine():
                return
            listener.settimeout(min(left, CHECK_EVERY))
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                if _clock() >= self.deadline:  # woken after a suspend longer than the idle time
                    return
                if self.handle(conn):
                    return

    def handle(self, conn: socket.socket) -> bool:
        """One connection: the peer checked, one request answered; whether the agent ends."""
        conn.settimeout(CONNECTION_TIMEOUT)
        try:
            check_peer(conn)
        except PeerRefused:
            return False
        try:
            request = json.loads(_read_line(conn))
        except (OSError, ValueError):
            request = None
        reply, ends = self.answer(request)
        with contextlib.suppress(OSError):
            conn.sendall(json.dumps(reply, separators=(",", ":")).encode() + b"\n")
        return ends

    def forget(self) -> None:
        """Zero the key and remove the socket (when it is still this agent's)."""
        for i in range(len(self.key)):
            self.key[i] = 0
        if self.socket_is_mine():
            with contextlib.suppress(OSError):
                self.path.unlink()


def _say(message: dict[str, Any]) -> None:
    with contextlib.suppress(OSError):
        os.write(1, json.dumps(message).encode() + b"\n")


def _main() -> int:
    """``python -m evidence.case.agent``: read the key and the settings from stdin, detach, listen, serve."""
    _harden()
    try:
        key = _read_stdin_key()
        config = _read_stdin_config()
        agent = _Agent(
            key=key,
            path=Path(str(config["socket"])),
            case=str(config["case"]),
            folder=[int(v) for v in config["folder"]],
            idle=float(config["idle"]),
            deadline=0.0,
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        _say({"error": f"bad settings ({exc})"})
        return 2
    if os.fork() > 0:  # the starter waits for this first process; the agent is its child, detached
        os._exit(0)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old_umask = os.umask(0o177)
    try:
        listener.bind(str(agent.path))
        os.chmod(agent.path, 0o600)
        agent.inode = os.lstat(agent.path).st_ino
        listener.listen(16)
    except OSError as exc:
        _say({"error": f"cannot listen on {agent.path} ({exc.strerror})"})
        return 1
    finally:
        os.umask(old_umask)
    agent.deadline = _clock() + agent.idle
    try:
        _say({"ready": True, "pid": os.getpid()})
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1):
            os.dup2(null, fd)
        os.close(null)
        agent.serve(listener)
    finally:
        listener.close()
        agent.forget()
    return 0


if __name__ == "__main__":
    sys.exit(_main())
