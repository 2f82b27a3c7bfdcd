"""Temporary folders in memory (``evidence.case.memtemp``): found from the real mount table, private, removed."""

from __future__ import annotations

import stat
import tempfile
from pathlib import Path

from evidence.case.memtemp import memory_folder, memory_mounts, private_folder


def test_memory_mounts_are_read_from_the_mount_table(tmp_path: Path) -> None:
    table = tmp_path / "mounts"
    table.write_text(
        "/dev/sda1 / ext4 rw,relatime 0 0\n"
        "tmpfs /dev/shm tmpfs rw,nosuid,nodev 0 0\n"
        "tmpfs /run/user/1000 tmpfs rw,nosuid,nodev,size=1607820k,mode=700 0 0\n"
        "none /mnt/my\\040ram ramfs rw 0 0\n"
        "/dev/sdb1 /tmp xfs rw 0 0\n"
    )
    assert memory_mounts(table) == {"/dev/shm", "/run/user/1000", "/mnt/my ram"}
    assert memory_mounts(tmp_path / "absent") == set()


def test_this_machine_has_a_memory_folder_and_the_private_folder_lives_there() -> None:
    folder = memory_folder()
    assert folder is not None and any(folder.resolve().is_relative_to(m) for m in memory_mounts())
    with private_folder("evidence-test-", in_memory=True) as tmp:
        assert tmp.parent == folder and tmp.name.startswith("evidence-test-")
        assert stat.S_IMODE(tmp.stat().st_mode) == 0o700
        (tmp / "entry.json").write_text("words")
    assert not tmp.exists()


def test_a_plain_case_keeps_the_default_temporary_folder() -> None:
    with private_folder("evidence-test-", in_memory=False) as tmp:
        assert tmp.parent == Path(tempfile.gettempdir())
    assert not tmp.exists()
