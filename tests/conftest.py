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
CORPUS = ROOT.parent / "shared" / "corpus"
if os.environ.get("EVIDENCE_CORPUS"):  # a checkout elsewhere (a git worktree) names the corpus explicitly
    CORPUS = Path(os.environ["EVIDENCE_CORPUS"])
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


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs with IP networking refused: a connect, a send to an address or a name lookup fails."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise NetworkUsed(
            f"the code under test tried to use the network: {args[1:] if len(args) > 1 else args}"
        )

    def guarded_connect(self: socket.socket, address: object) -> None:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            refuse(self, address)
        real_connect(self, address)  # AF_UNIX: local IPC, not the network

    real_connect = socket.socket.connect
    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", lambda self, address: refuse(self, address))
    monkeypatch.setattr(socket.socket, "sendto", lambda self, *a: refuse(self, *a))
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


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
