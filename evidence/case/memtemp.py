"""Temporary folders in memory, for the few plaintext files an encrypted case's commands must hand on by path.

An encrypted case writes nothing decrypted to disk (issue 19). OCR, reports and exports work in memory, but some
steps need a file: ``evidence diary add`` writes the entry as a diary file and imports it like any other file
(the importer reads a path). For an encrypted case that file goes into a private folder (mode 0700, removed
afterwards) on memory-backed storage: ``$XDG_RUNTIME_DIR`` (the user's own tmpfs on systemd systems), else
``/dev/shm``, each used only when ``/proc/self/mounts`` says it is a ``tmpfs`` or ``ramfs``. Its bytes live in
memory and, like the process's own memory, reach the disk only through swap (encrypted swap avoids that).

Known limits: without such a folder (no ``/proc``, a container without ``/dev/shm``) the default temporary
folder is used; ``memory_folder`` returns None and the caller may say so. Memory-backed storage is small (half
the RAM by default), so it suits small files only.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Final

MEMORY_FILESYSTEMS: Final = frozenset({"tmpfs", "ramfs"})
CANDIDATES: Final = ("XDG_RUNTIME_DIR", "/dev/shm")  # noqa: S108 (a base for mkdtemp: 0700, random name)


def _unescape(field: str) -> str:
    """A path as ``/proc/self/mounts`` writes it (space, tab, newline and backslash as octal escapes)."""
    for code, char in (("\\040", " "), ("\\011", "\t"), ("\\012", "\n"), ("\\134", "\\")):
        field = field.replace(code, char)
    return field


def memory_mounts(mounts: Path = Path("/proc/self/mounts")) -> set[str]:
    """The mount points of memory-backed file systems (empty when the table cannot be read)."""
    try:
        lines = mounts.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return set()
    found: set[str] = set()
    for line in lines:
        fields = line.split()
        if len(fields) >= 3 and fields[2] in MEMORY_FILESYSTEMS:
            found.add(_unescape(fields[1]))
    return found


def _mount_point(path: Path) -> Path:
    path = path.resolve()
    while not os.path.ismount(path) and path != path.parent:
        path = path.parent
    return path


def memory_folder() -> Path | None:
    """A folder this user can write on memory-backed storage (see the module docstring), or None."""
    mounts = memory_mounts()
    for candidate in CANDIDATES:
        folder = os.environ.get(candidate) if not candidate.startswith("/") else candidate
        if not folder or not os.path.isdir(folder) or not os.access(folder, os.W_OK | os.X_OK):
            continue
        if str(_mount_point(Path(folder))) in mounts:
            return Path(folder)
    return None


@contextlib.contextmanager
def private_folder(prefix: str, *, in_memory: bool) -> Iterator[Path]:
    """A new private temporary folder (0700), removed with everything in it on exit: on memory-backed storage
    when ``in_memory`` (an encrypted case) and there is some, else in the default temporary folder."""
    base = memory_folder() if in_memory else None
    with tempfile.TemporaryDirectory(prefix=prefix, dir=base) as tmp:
        yield Path(tmp)
