"""Shared fixtures: the real corpus beside the checkout, and fresh cases."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from evidence.api import Case

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
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
