"""A22: the disk fills while SQLite commits (SQLite has rolled back by itself): exit 7, never a traceback."""

from __future__ import annotations

import base64
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from evidence.api import Case
from evidence.errors import StorageError
from evidence.verify.case import verify_case
from tests.conftest import run_cli


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 2 MiB tmpfs (the suite runs as root in CI and here)."""
    mount = tmp_path / "tmpfs"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def test_a22_a_full_disk_during_the_commit_is_exit_7_and_changes_nothing(small_disk: Path) -> None:
    root = small_disk / "case"
    with Case.init(root, title="T", tz="Europe/London") as case:
        # Leave room for the staging of a few small diary files, not for the database's growth.
        (small_disk / "filler").write_bytes(os.urandom(1_520_000))
        failed: StorageError | None = None
        for _ in range(50):
            head = case.head()
            try:
                case.add_diary_entry(
                    when="2026-04-20 10:00", text=base64.b64encode(os.urandom(1500)).decode()
                )
            except StorageError as exc:
                failed = exc
                break
        assert failed is not None and failed.message.startswith("the disk is full")
        assert "database or disk is full" in repr(failed.__context__)  # the commit itself failed
        assert case.head() == head
    done = run_cli("-C", str(root), "diary", "add", "--when", "2026-04-20 10:00", "--text", "x" * 20000)
    assert done.returncode == 7, done.stderr
    assert (
        done.stderr.startswith("error: ") and "disk is full" in done.stderr and "Traceback" not in done.stderr
    )
    (small_disk / "filler").unlink()
    report = verify_case(root)
    assert report.ok, [str(f) for f in report.findings]
