"""A full disk: a fault-injecting writer (``os.write`` in the store fails with ENOSPC after N bytes) and a
real 2 MiB tmpfs. The import fails with the one-line StorageError, and the case is unchanged: same head, no
new objects, no staging files left once the next writer has recovered, and it verifies with no findings."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

import pytest

from evidence.api import Case
from evidence.case import store as store_module
from evidence.errors import StorageError
from evidence.verify.case import verify_case

FULL = "the disk is full; nothing was imported"


class _FillingOs:
    """The ``os`` module as the store sees it, whose ``write`` fails with ENOSPC once ``limit`` bytes are in."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.written = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(os, name)

    def write(self, fd: int, data: bytes | memoryview) -> int:
        room = self.limit - self.written
        if room <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        n = os.write(fd, bytes(data[:room]))
        self.written += n
        return n


def _snapshot(case: Case) -> tuple[Any, list[str]]:
    return case.head(), sorted(name for name, _ in case.store.iter_names())


def _assert_unchanged_and_recovers(case: Case, before: tuple[Any, list[str]], extra: Path) -> None:
    assert _snapshot(case) == before
    assert case.store.stray_stages() == []
    report = verify_case(case.root)
    assert report.ok and report.findings == [], [str(f) for f in report.findings]
    # The next writer: a small import succeeds, and leaves nothing behind.
    case.import_files([extra])
    assert case.head().seq == before[0].seq + 1
    assert case.store.stray_stages() == []
    after = verify_case(case.root)
    assert after.ok and after.findings == [], [str(f) for f in after.findings]


@pytest.mark.parametrize("limit", [0, 4096, 150_000, 1_100_000, 2_300_000])
def test_enospc_while_staging_is_a_clean_storage_error(
    case: Case, corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, limit: int
) -> None:
    sms = corpus / "smsbackup" / "sms-shruggietech-mixed.xml"
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(1_000_000) * 3)  # 3 MB, bigger than any limit above
    extra = tmp_path / "extra.txt"
    extra.write_text("written once the disk has room again\n")
    case.import_files([corpus / "email" / "cpython-msg_05.txt"])
    before = _snapshot(case)
    filling = _FillingOs(limit)
    monkeypatch.setattr(store_module, "os", filling)
    with pytest.raises(StorageError) as caught:
        case.import_files([sms, big])
    monkeypatch.undo()
    assert filling.written <= limit
    assert caught.value.message == FULL
    assert "\n" not in caught.value.one_line() and caught.value.one_line().endswith(FULL)
    _assert_unchanged_and_recovers(case, before, extra)


def test_import_bigger_than_a_real_small_disk(tiny_tmpfs: Path, tmp_path: Path, corpus: Path) -> None:
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(1_000_000) * 3)
    extra = tmp_path / "extra.txt"
    extra.write_text("fits\n")
    with Case.init(tiny_tmpfs / "case", title="Small disk", tz="UTC") as case:
        case.import_files([corpus / "smsbackup" / "sms-devadvance-sms_small.xml"])
        before = _snapshot(case)
        with pytest.raises(StorageError) as caught:
            case.import_files([corpus / "email" / "cpython-msg_06.txt", big])
        assert caught.value.message == FULL
        assert "\n" not in caught.value.one_line()
        _assert_unchanged_and_recovers(case, before, extra)
