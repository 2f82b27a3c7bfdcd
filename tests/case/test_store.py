"""The object store: content addressing, read-only objects, staging, bounded memory."""

from __future__ import annotations

import hashlib
import io
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from evidence.case.store import ObjectStore, hash_file, is_hash_name
from evidence.errors import InputError, StorageError


def test_place_stores_bytes_once_at_their_hash_read_only(tmp_path: Path) -> None:
    store = ObjectStore(tmp_path / "objects")
    store.create()
    data = b"the same bytes"
    with store.session():
        first = store.stage_bytes(data, "a")
        assert store.place(first) is True
        second = store.stage_bytes(data, "b")
        assert store.place(second) is False  # already there: one object
    sha = hashlib.sha256(data).hexdigest()
    path = store.path_for(sha)
    assert path == tmp_path / "objects" / "sha256" / sha[:2] / sha
    assert path.read_bytes() == data
    assert stat.S_IMODE(path.stat().st_mode) == 0o444
    assert store.stray_stages() == []


def test_stage_hashes_while_streaming(tmp_path: Path) -> None:
    store = ObjectStore(tmp_path / "objects")
    store.create()
    data = os.urandom(3 * (1 << 20) + 17)  # several chunks and a partial one
    with store.session():
        staged = store.stage_stream(io.BytesIO(data), "x")
        assert staged.sha256 == hashlib.sha256(data).hexdigest()
        assert staged.size == len(data)
        store.discard(staged)
    assert store.stray_stages() == []


def test_unreadable_source_is_an_input_error_naming_it(tmp_path: Path) -> None:
    store = ObjectStore(tmp_path / "objects")
    store.create()
    with store.session(), pytest.raises(InputError) as info:
        store.stage_file(tmp_path / "missing.png")
    assert "missing.png" in info.value.one_line()


def test_full_disk_is_a_storage_error_and_leaves_no_stage(tmp_path: Path) -> None:
    store = ObjectStore(tmp_path / "objects")
    store.create()

    class FullDisk(io.RawIOBase):
        """A source whose copy hits ENOSPC: the fault is injected into os.write below."""

        def readable(self) -> bool:
            return True

        def readinto(self, b: bytearray) -> int:  # type: ignore[override]
            b[:4] = b"data"
            return 4

    real_write = os.write

    def failing_write(fd: int, data: bytes) -> int:
        raise OSError(28, "No space left on device")

    os.write = failing_write  # type: ignore[assignment]
    try:
        with store.session(), pytest.raises(StorageError) as info:
            store.stage_stream(io.BufferedReader(FullDisk()), "x")
    finally:
        os.write = real_write
    assert "disk is full" in info.value.message
    assert store.stray_stages() == []


def test_abandoned_stage_is_collected_but_a_live_one_is_not(tmp_path: Path) -> None:
    store = ObjectStore(tmp_path / "objects")
    store.create()
    dead_lock = store.tmp / "session-1-dead.lock"
    dead_lock.write_bytes(b"")  # nobody holds its flock: the writer died
    (store.tmp / "session-1-dead-000001").write_bytes(b"left by a killed import")
    (store.tmp / "session-2-gone-000001").write_bytes(b"its lock file is gone too")
    with store.session():
        live = store.stage_bytes(b"still being written", "live")
        assert store.collect_abandoned_stages() == 2
        assert live.path.exists()  # its session is held by this process
        assert not dead_lock.exists()
    assert store.stray_stages() == []  # the session cleans up after itself


def test_many_staged_files_hold_one_open_file(tmp_path: Path) -> None:
    store = ObjectStore(tmp_path / "objects")
    store.create()
    before = len(os.listdir("/proc/self/fd"))
    with store.session():
        staged = [store.stage_bytes(f"file {i}".encode(), str(i)) for i in range(300)]
        assert len(os.listdir("/proc/self/fd")) <= before + 1
        for item in staged:
            store.place(item)
    assert len(os.listdir("/proc/self/fd")) == before


def test_remove_only_for_rollback(tmp_path: Path) -> None:
    store = ObjectStore(tmp_path / "objects")
    store.create()
    with store.session():
        staged = store.stage_bytes(b"rolled back", "x")
        store.place(staged)
    store.remove(staged.sha256)
    assert not store.exists(staged.sha256)


def test_hash_file_and_names(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"abc")
    assert hash_file(path) == (hashlib.sha256(b"abc").hexdigest(), 3)
    assert is_hash_name(hashlib.sha256(b"abc").hexdigest())
    assert not is_hash_name("EX-0001")
    assert not is_hash_name("A" * 64)


def test_two_gib_file_imports_with_bounded_memory(tmp_path: Path) -> None:
    """A 2 GiB original is streamed: the importing process's peak RSS stays far below its size."""
    big = tmp_path / "big.bin"
    with open(big, "wb") as fh:
        fh.truncate(2 * 1024**3)  # sparse: cheap to make, still 2 GiB to read, hash and write
    script = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from evidence.api import Case
        case = Case.init(Path({str(tmp_path / "case")!r}), title="big", tz="UTC")
        result = case.import_files([Path({str(big)!r})])
        # VmHWM, not ru_maxrss: Linux keeps ru_maxrss across exec, so it would count the forking pytest's memory.
        peak_kib = next(l for l in open("/proc/self/status") if l.startswith("VmHWM:")).split()[1]
        print(result.items[0].sha256, result.items[0].size, peak_kib)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=600
    )
    sha, size, peak_kib = out.stdout.split()
    assert int(size) == 2 * 1024**3
    assert (
        sha == "a7c744c13cc101ed66c29f672f92455547889cc586ce6d44fe76ae824958ea51"
    )  # sha256sum of 2 GiB of zeros
    assert int(peak_kib) < 200 * 1024, f"peak RSS {int(peak_kib) // 1024} MiB"
    stored = tmp_path / "case" / "objects" / "sha256" / sha[:2] / sha
    assert stored.stat().st_size == 2 * 1024**3


def test_a_fresh_claim_is_left_alone_and_a_stale_one_collected(tmp_path: Path) -> None:
    store = ObjectStore(tmp_path / "objects")
    store.create()
    fresh = store.tmp / "session-5-fresh.claim"
    stale = store.tmp / "session-6-stale.claim"
    fresh.write_bytes(b"")
    stale.write_bytes(b"")
    os.utime(stale, (1_700_000_000, 1_700_000_000))
    store.collect_abandoned_stages()
    assert fresh.exists()  # a writer may be between creating it and locking it
    assert not stale.exists()
