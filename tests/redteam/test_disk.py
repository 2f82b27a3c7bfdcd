"""A22: the disk fills while SQLite commits (SQLite has rolled back by itself): exit 7, never a traceback."""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any

import pytest

from evidence.api import Case
from evidence.case import ledger
from evidence.errors import StorageError
from evidence.verify.case import verify_case
from tests.conftest import run_cli


def _fill(path: Path) -> None:
    """Write to ``path`` until the file system is full."""
    with open(path, "ab", buffering=0) as out:
        try:
            while True:
                out.write(b"\0" * 4096)
        except OSError:
            pass


def test_a22_a_full_disk_during_the_commit_is_exit_7_and_changes_nothing(
    tiny_tmpfs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tiny_tmpfs / "case"
    with Case.init(root, title="T", tz="Europe/London") as case:
        case.add_diary_entry(when="2026-04-19 10:00", text="the entry before")
        head = case.head()
        real_append = ledger.append

        def append_then_fill(*args: Any, **kwargs: Any) -> ledger.Entry:
            # The fault injected: the disk fills after the entry is inserted and before SQLite commits it
            # (the staged files are already placed), so the commit itself fails.
            entry = real_append(*args, **kwargs)
            _fill(tiny_tmpfs / "filler")
            return entry

        monkeypatch.setattr(ledger, "append", append_then_fill)
        with pytest.raises(StorageError) as failed:
            case.add_diary_entry(when="2026-04-20 10:00", text=base64.b64encode(os.urandom(1500)).decode())
        monkeypatch.undo()
        assert failed.value.message.startswith("the disk is full")
        assert "database or disk is full" in repr(failed.value.__context__)  # the commit itself failed
        assert case.head() == head
    done = run_cli("-C", str(root), "diary", "add", "--when", "2026-04-20 10:00", "--text", "x" * 20000)
    assert done.returncode == 7, done.stderr
    assert (
        done.stderr.startswith("error: ") and "disk is full" in done.stderr and "Traceback" not in done.stderr
    )
    (tiny_tmpfs / "filler").unlink()
    report = verify_case(root)
    assert report.ok, [str(f) for f in report.findings]
