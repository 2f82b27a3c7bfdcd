"""Temporary folders in memory, for the few plaintext files an encrypted case's commands must hand on by path.

An encrypted case writes nothing decrypted to disk (issue 19). OCR, reports and exports work in memory, but some
steps need a file: ``evidence diary add`` writes the entry as a diary file and imports it like any other file
(the importer reads a path). For an encrypted case that file goes into a private folder (mode 0700, removed
afterwards) on memory-backed storage: ``$XDG_RUNTIME_DIR`` (the user's own tmpfs on systemd systems), else
``/dev/shm``, each used only when ``/proc/self/mounts`` says it is a ``tmpfs`` or ``ramfs``. Its bytes live in
memory and, like the process's own memory, reach the disk only through swap (encrypted swap avoids that).

Known limits: without such a folder (no ``/proc``, a container without ``/dev/shm``) the default temporary
folder is used; ``memory_folder`` returns None and the caller may say so. Memory-backed storage is small (half
the RAM by default), so it suits small files only; ``require_room`` refuses, in one line, what would not fit
(an iPhone backup of gigabytes) rather than let it spill. A process killed outright (SIGKILL) leaves its
private folder behind, in memory, until the folder is removed or the computer restarts.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Final

from evidence.errors import StorageError

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


def in_memory(path: Path) -> bool:
    """Whether ``path`` lies on memory-backed storage (a ``tmpfs`` or ``ramfs`` mount)."""
    return str(_mount_point(path)) in memory_mounts()


def available_memory(meminfo: Path = Path("/proc/meminfo")) -> int | None:
    """The memory the kernel says can be had without swapping (``MemAvailable``), in bytes; None if unknown."""
    try:
        lines = meminfo.read_text(encoding="ascii", errors="replace").splitlines()
    except OSError:
        return None
    for line in lines:
        name, _, rest = line.partition(":")
        fields = rest.split()
        if name == "MemAvailable" and fields and fields[0].isdigit():
            return int(fields[0]) * 1024
    return None


def size_text(count: int) -> str:
    """A byte count for people: ``3.2 GB``, ``840 MB``."""
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}" if count < 10 * scale else f"{count // scale} {unit}"
    return f"{count} bytes"


def require_room(folder: Path, files: int, working: int, *, what: str, path: Path) -> None:
    """Refuse (StorageError naming ``path``) when ``files`` bytes do not fit in the memory-backed ``folder``
    (where they will be written),
    or ``files`` plus ``working`` bytes (what the reader holds in the process besides) do not fit in the
    memory the kernel can give without swapping: ``what`` says what needs it (\"the backup's messages, calls
    and attachments\")."""
    try:
        stat = os.statvfs(folder)
        free = stat.f_bavail * stat.f_frsize
    except OSError:
        free = 0
    memory = available_memory()
    short = [
        (need, have, where)
        for need, have, where in (
            (files, free, f"free in {folder}"),
            (files + working, memory, "of memory available"),
        )
        if have is not None and need > have
    ]
    if short:
        need, have, where = short[0]
        raise StorageError(
            f"{what} need {size_text(need)} of memory to be read without writing them decrypted to disk, and "
            f"only {size_text(have)} is {where}",
            path=path,
            hint="close other programs and import again, or use a computer with more memory; this case is "
            "encrypted, so nothing decrypted is written to the disk instead",
        )


_TEMPDIR_LOCK = threading.Lock()


@contextlib.contextmanager
def library_tempdir(folder: Path) -> Iterator[None]:
    """Point ``tempfile``'s default folder at ``folder`` for a library that makes its own temporary files
    (``iphone_backup_decrypt`` writes the decrypted Manifest.db into ``tempfile.mkdtemp()``), then restore it.
    Process-wide while it lasts: one thread at a time (a lock), and only around that library's calls."""
    with _TEMPDIR_LOCK:
        before = tempfile.tempdir
        tempfile.tempdir = str(folder)
        try:
            yield
        finally:
            tempfile.tempdir = before
