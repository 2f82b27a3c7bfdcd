"""A22: the disk fills while SQLite commits (SQLite has rolled back by itself): exit 7, never a traceback."""

from __future__ import annotations

import base64
import os
from pathlib import Path

from evidence.api import Case
from evidence.errors import StorageError
from evidence.verify.case import verify_case
from tests.conftest import run_cli


def test_a22_a_full_disk_during_the_commit_is_exit_7_and_changes_nothing(tiny_tmpfs: Path) -> None:
    root = tiny_tmpfs / "case"
    with Case.init(root, title="T", tz="Europe/London") as case:
        # Leave room for the staging of a few small diary files, not for the database's growth.
        (tiny_tmpfs / "filler").write_bytes(os.urandom(1_520_000))
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
    (tiny_tmpfs / "filler").unlink()
    report = verify_case(root)
    assert report.ok, [str(f) for f in report.findings]
