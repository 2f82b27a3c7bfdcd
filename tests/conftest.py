"""Shared fixtures: the real corpus beside the checkout, and fresh cases."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from evidence.api import Case

ROOT = Path(__file__).resolve().parent.parent
# $EVIDENCE_CORPUS overrides the place (a git worktree has no ../shared beside it).
CORPUS = Path(os.environ.get("EVIDENCE_CORPUS") or ROOT.parent / "shared" / "corpus")
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def corpus() -> Path:
    """../shared/corpus: real export files written by other projects (CI has it beside the checkout)."""
    assert CORPUS.is_dir(), f"the shared corpus is missing at {CORPUS}"
    return CORPUS


@pytest.fixture
def case(tmp_path: Path) -> Iterator[Case]:
    """A new, empty case with an unencrypted key, zone Europe/London."""
    with Case.init(tmp_path / "case", title="Test case", tz="Europe/London") as c:
        yield c


class NetworkUsed(AssertionError):
    """Raised when code under test tries to reach the network: nothing but `anchor` may (issue 8)."""


LOOPBACK = "127.0.0.1"


@pytest.fixture(autouse=True)
def _no_network(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs with IP networking refused: a connect, a send to an address or a name lookup fails.

    A test marked ``@pytest.mark.allow_loopback`` (the anchor tests, which start their own TSA) may connect
    to the literal address 127.0.0.1 and nothing else: no other address, no name (not even "localhost").
    """
    loopback = request.node.get_closest_marker("allow_loopback") is not None
    if loopback:  # a proxy from the environment would turn 127.0.0.1 into a trip elsewhere
        for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
            monkeypatch.delenv(name, raising=False)

    def refuse(*args: object, **kwargs: object) -> None:
        raise NetworkUsed(
            f"the code under test tried to use the network: {args[1:] if len(args) > 1 else args}"
        )

    def is_loopback(address: object) -> bool:
        return loopback and isinstance(address, tuple) and len(address) >= 2 and address[0] == LOOPBACK

    def guarded_connect(self: socket.socket, address: object) -> None:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not is_loopback(address):
            refuse(self, address)
        real_connect(self, address)  # AF_UNIX: local IPC, not the network

    def guarded_getaddrinfo(host: object, port: object, *args: object, **kwargs: object) -> object:
        if not is_loopback((host, port)):
            refuse(None, host, port)
        return real_getaddrinfo(host, port, *args, **kwargs)  # type: ignore[arg-type]

    def guarded_create_connection(address: object, *args: object, **kwargs: object) -> object:
        if not is_loopback(address):
            refuse(None, address)
        return real_create_connection(address, *args, **kwargs)  # type: ignore[arg-type]

    real_connect = socket.socket.connect
    real_getaddrinfo = socket.getaddrinfo
    real_create_connection = socket.create_connection
    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", lambda self, address: refuse(self, address))
    monkeypatch.setattr(socket.socket, "sendto", lambda self, *a: refuse(self, *a))
    monkeypatch.setattr(socket, "getaddrinfo", guarded_getaddrinfo)
    monkeypatch.setattr(socket, "create_connection", guarded_create_connection)


@pytest.fixture(autouse=True)
def _no_passphrase_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EVIDENCE_PASSPHRASE", raising=False)
    monkeypatch.delenv("EVIDENCE_CASE", raising=False)


def run_cli(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m evidence`` as a user would; returns the completed process (never raises)."""
    full_env = {k: v for k, v in os.environ.items() if k not in {"EVIDENCE_CASE", "EVIDENCE_PASSPHRASE"}}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "evidence", *args],
        cwd=cwd,
        env=full_env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )


def sample_files(base: Path) -> list[Path]:
    """Generate the sample case (samples/make_samples.py) under ``base`` and list what `make demo` imports:
    every file but case.json (the case's facts, not evidence)."""
    out = base / "samples"
    subprocess.run([sys.executable, str(ROOT / "samples" / "make_samples.py"), str(out)], check=True)
    return sorted(
        p for p in out.iterdir() if p.is_file() and p.name != "case.json" and not p.name.startswith(".")
    )


@pytest.fixture
def tiny_tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A real 2 MiB tmpfs (the suite runs as root in CI and here)."""
    mount = tmp_path / "tmpfs"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)
