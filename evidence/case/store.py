"""The content-addressed object store: ``objects/sha256/ab/abcdef...``, every file read-only.

Writing is in two steps so an import can be all or nothing:
  1. ``stage``: stream the source into ``objects/tmp/`` in chunks while hashing it, fsync. Bounded memory
     whatever the size. The staging file is locked (flock) while its writer lives, so a cleaner can tell a
     file abandoned by a killed process from one still being written.
  2. ``place``: rename the staged file to its content address (or drop it when that object already
     exists), make it read-only, fsync the directory.
The case (api) journals placed objects before placing them, so objects of an interrupted import can be
told from objects that lost their ledger entries.

The folders are not trusted either: anyone who can write to the case folder can replace an object by a
symbolic link, a FIFO or a device, or a folder of the store by a link out of the case. So objects are opened
with ``O_NOFOLLOW | O_NONBLOCK`` and must be regular files (``open_stored``), and nothing is removed unless
its folder, resolved, is the case's own (``inside``): the store never deletes or follows anything outside.

In an encrypted case (a store given the case's keys) every object is sealed as it is staged
(``evidence.case.sealed``: AES-256-GCM in chunks, the plaintext SHA-256 bound to it) and lives in
``objects/sealed/`` under a keyed name that does not reveal its hash; ``open`` and ``read_bytes`` give the
plaintext, checked chunk by chunk. Nothing decrypted is written anywhere by the store.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import io
import os
import secrets
import stat
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, cast

from evidence.case.formats import (
    HASH_DIR,
    OBJECTS_DIR,
    OUTPUT_TEMP_PREFIX,
    SEALED_DIR,
    STAGING_DIR,
    object_relpath,
    object_subpath,
    sealed_subpath,
)
from evidence.errors import CaseError, InputError, StorageError

if TYPE_CHECKING:
    from evidence.case.vault import CaseKeys

CHUNK = 1 << 20  # 1 MiB: large enough for hashlib to run at full speed, small enough to bound memory
HEX = frozenset("0123456789abcdef")


@dataclass(frozen=True)
class Staged:
    """A file streamed into the staging area, hashed, not yet at its address."""

    path: Path
    sha256: str
    size: int


def fsync_dir(path: Path) -> None:
    """fsync a folder, so that a rename into it survives a crash."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _storage_error(exc: OSError, path: Path) -> StorageError:
    if exc.errno == errno.ENOSPC:
        return StorageError(
            "the disk is full; nothing was imported", path=path, hint="free some space and retry"
        )
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return StorageError(
            f"cannot write ({exc.strerror})", path=path, hint="check the case folder's permissions"
        )
    return StorageError(f"cannot write ({exc.strerror})", path=path)


class ObjectStore:
    """Originals and derived blobs, named by their SHA-256."""

    def __init__(self, root: Path, keys: CaseKeys | None = None) -> None:
        self.root = root  # the case's objects/ folder
        self.tmp = root / STAGING_DIR
        self.keys = keys  # an encrypted case's keys: objects are sealed
        self._session: str | None = None
        self._counter = 0

    @property
    def sealed(self) -> bool:
        """Whether this is an encrypted case's store (objects sealed, under keyed names)."""
        return self.keys is not None

    @property
    def objects_dir(self) -> Path:
        """The folder of the objects: ``objects/sha256`` or, sealed, ``objects/sealed``."""
        return self.root / (SEALED_DIR if self.keys is not None else HASH_DIR)

    def _subpath(self, sha256: str) -> str:
        if self.keys is None:
            return object_subpath(sha256)
        from evidence.case.sealed import sealed_name

        return sealed_subpath(sealed_name(self.keys.name_key, sha256))

    def path_for(self, sha256: str) -> Path:
        """Where the object with this hash lives (whether or not it exists); CaseError when ``sha256`` is not
        a hex SHA-256 (a name read from an unsigned table could otherwise walk out of the store)."""
        if not is_hash_name(sha256):
            raise CaseError(f"{sha256[:80]!r} is not the name of a stored object", path=self.root)
        return self.root / self._subpath(sha256)

    def inside(self, path: Path) -> bool:
        """Whether ``path``'s folder, every link resolved, is the folder of the case it is named in: no link
        on the way leads out of the case (or elsewhere in it). ``path`` itself is not resolved."""
        case_root = self.root.parent.resolve()
        try:
            relative = path.parent.relative_to(self.root.parent)
        except ValueError:
            return False
        return path.parent.resolve() == case_root.joinpath(relative)

    def relpath_for(self, sha256: str) -> str:
        """The object's path relative to the case folder, as findings print it."""
        if self.keys is None:
            return object_relpath(sha256)
        return f"{OBJECTS_DIR}/{self._subpath(sha256)}"

    def exists(self, sha256: str) -> bool:
        """Whether an object with this hash is stored (a regular file, not a link, in the case's store)."""
        path = self.path_for(sha256)
        try:
            return stat.S_ISREG(os.lstat(path).st_mode) and self.inside(path)
        except OSError:
            return False

    def create(self) -> None:
        """Make the folders of an empty store."""
        self.objects_dir.mkdir(parents=True, exist_ok=True)
        self.tmp.mkdir(parents=True, exist_ok=True)

    # -- writing -----------------------------------------------------------------------------------

    @contextlib.contextmanager
    def session(self) -> Iterator[None]:
        """A staging session: one lock file held (flock) while this process stages files.

        Staging files are named after their session, so a cleaner can tell the files of a writer that died
        (its session lock is free) from those of one still at work, with one open file per session however
        many files are staged.
        """
        self.tmp.mkdir(parents=True, exist_ok=True)
        if not self.staging_safe():
            raise StorageError(
                "the staging folder is not a folder of the case (a link out of it?)",
                path=self.tmp,
                hint="replace it with an empty folder",
            )
        name = f"session-{os.getpid()}-{secrets.token_hex(8)}"
        lock_path = self.tmp / f"{name}.lock"
        # Locked under a name no cleaner looks at, then renamed: a cleaner never sees an unlocked live lock.
        claiming = self.tmp / f"{name}.claim"
        try:
            fd = os.open(claiming, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            fcntl.flock(fd, fcntl.LOCK_EX)
            os.rename(claiming, lock_path)
        except OSError as exc:
            raise _storage_error(exc, lock_path) from None
        self._session, self._counter = name, 0
        try:
            yield
        finally:
            self._session = None
            for leftover in self.tmp.glob(f"{name}-*"):
                with contextlib.suppress(OSError):
                    leftover.unlink()
            with contextlib.suppress(OSError):
                lock_path.unlink()
            os.close(fd)

    def _open_stage(self) -> tuple[Path, int]:
        if self._session is None:
            raise RuntimeError("staging outside a session (use ObjectStore.session())")
        self._counter += 1
        path = self.tmp / f"{self._session}-{self._counter:06d}"
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError as exc:
            raise _storage_error(exc, path) from None
        return path, fd

    def stage_stream(self, source: BinaryIO, label: str | Path) -> Staged:
        """Stream ``source`` into the staging area while hashing it (sealing it, in an encrypted case); fsync
        before returning. A read error of ``source`` is an InputError naming ``label``; a write error (a full
        disk) a StorageError; either way the staging file is removed."""
        labelled = cast(BinaryIO, _Labelled(source, label))
        if self.keys is None:
            return self._stage(lambda fd: _copy_hashed(labelled, fd))
        from evidence.case.sealed import seal_stream

        object_key = self.keys.object_key
        return self._stage(lambda fd: seal_stream(labelled, fd, object_key))

    def _stage(self, write: Callable[[int], tuple[str, int]]) -> Staged:
        """A new staging file filled by ``write`` (which returns the plaintext's SHA-256 and size), fsynced."""
        path, fd = self._open_stage()
        try:
            try:
                sha, size = write(fd)
                os.fsync(fd)
            except OSError as exc:
                raise _storage_error(exc, self.root.parent) from None
        except BaseException:
            os.close(fd)
            with contextlib.suppress(OSError):
                path.unlink()
            raise
        os.close(fd)
        return Staged(path=path, sha256=sha, size=size)

    def stage_file(self, source: Path) -> Staged:
        """Stage a file from disk; InputError naming it when it cannot be read."""
        try:
            with open(source, "rb") as fh:
                return self.stage_stream(fh, source)
        except OSError as exc:
            raise InputError(f"cannot read ({exc.strerror})", path=source) from None

    def stage_bytes(self, data: bytes, label: str) -> Staged:
        """Stage bytes held in memory (derived blobs, attachments)."""
        return self.stage_stream(io.BytesIO(data), label)

    def place(self, staged: Staged) -> bool:
        """Move a staged file to its address, read-only. Returns True when the object is new."""
        target = self.path_for(staged.sha256)
        try:
            if target.exists():
                staged.path.unlink()
                return False
            target.parent.mkdir(parents=True, exist_ok=True)
            os.chmod(staged.path, 0o444)
            os.rename(staged.path, target)
            fsync_dir(target.parent)
        except OSError as exc:
            raise _storage_error(exc, target) from None
        return True

    def discard(self, staged: Staged) -> None:
        """Drop a staged file that will not be placed."""
        with contextlib.suppress(OSError):
            staged.path.unlink()

    def remove(self, sha256: str) -> bool:
        """Remove an object. Only for rolling back objects placed by an import that did not commit.

        Only a regular file in the case's own store is removed (a link, or a folder linked out of the case,
        is left alone, for verify to report); returns whether a file was removed.
        """
        path = self.path_for(sha256)
        try:
            if not stat.S_ISREG(os.lstat(path).st_mode) or not self.inside(path):
                return False
            path.unlink()
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise _storage_error(exc, path) from None
        return True

    def staging_safe(self) -> bool:
        """Whether the staging folder is the case's own (a real folder, not a link out of the case)."""
        try:
            return stat.S_ISDIR(os.lstat(self.tmp).st_mode) and self.inside(self.tmp / "x")
        except OSError:
            return False

    def collect_abandoned_stages(self) -> int:
        """Delete staging files whose session died (its lock is free, or gone). Returns how many files.

        The folder is listed first and each session's lock checked afterwards: a live session creates its lock
        before any of its files and removes it after them, so a file seen in the listing whose lock is gone or
        free by the time it is checked belongs to a session that has ended or died.
        """
        if not self.staging_safe():
            return 0  # absent, or a link out of the case: nothing here is ours to delete
        entries = sorted(self.tmp.iterdir())
        verdicts: dict[str, bool] = {}  # session -> alive

        def alive(session: str) -> bool:
            if session not in verdicts:
                verdicts[session] = self._session_alive(session)
            return verdicts[session]

        removed = 0
        for entry in entries:
            if entry.suffix in {".lock", ".claim"} or entry.name.startswith(OUTPUT_TEMP_PREFIX):
                continue  # locks are judged below; outputs are the writer's (see Writer._recover_outputs)
            if alive(entry.name.rsplit("-", 1)[0]):
                continue
            with contextlib.suppress(OSError):
                entry.unlink()
                removed += 1
        for entry in entries:
            dead_lock = entry.suffix == ".lock" and not self._lock_held(entry)
            if dead_lock or (entry.suffix == ".claim" and self._stale_claim(entry)):
                with contextlib.suppress(OSError):
                    entry.unlink()
        return removed

    def _stale_claim(self, claim: Path) -> bool:
        # A claim lives for the instant between its creation and its flock + rename; one that is unlocked
        # and a minute old, or whose process (named in it) is gone, was left by a writer killed in that instant.
        try:
            age = time.time() - claim.stat().st_mtime
        except OSError:
            return False
        return (age > 60 or not _process_alive(claim.name)) and not self._lock_held(claim)

    def _session_alive(self, session: str) -> bool:
        return self._lock_held(self.tmp / f"{session}.lock")

    @staticmethod
    def _lock_held(lock_path: Path) -> bool:
        """Whether some process holds the flock on ``lock_path`` (this process's own sessions included)."""
        try:
            fd = os.open(lock_path, os.O_RDONLY)
        except OSError:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return True
        finally:
            os.close(fd)
        return False

    # -- reading -----------------------------------------------------------------------------------

    def open(self, sha256: str) -> BinaryIO:
        """Open a stored object for reading. It must be a regular file in the case's own store: a link, a FIFO
        or a device (see ``open_stored``), or a folder linked out of the case, is a CaseError naming it."""
        path = self.path_for(sha256)
        try:
            if not self.inside(path):
                raise NotRegularFile(errno.ELOOP, "in a folder linked out of the case", str(path))
            fd = open_stored(path)
            if self.keys is None:
                return os.fdopen(fd, "rb")
            from evidence.case.sealed import open_sealed

            try:
                return open_sealed(
                    fd, self.keys.object_key, sha256, close=True, path=self.relpath_for(sha256)
                )
            except BaseException:
                with contextlib.suppress(OSError):
                    os.close(fd)
                raise
        except NotRegularFile as exc:
            raise CaseError(
                f"{self.relpath_for(sha256)} is {exc.strerror}",
                path=self.root.parent,
                hint="run 'evidence verify': the object was replaced",
            ) from None

    def read_bytes(self, sha256: str) -> bytes:
        """The whole object (for small derived blobs)."""
        with self.open(sha256) as fh:
            return fh.read()

    def iter_names(self) -> Iterator[tuple[str, Path]]:
        """Every file under ``objects/sha256`` (``objects/sealed``) as (name, path); names need not be valid."""
        base = self.objects_dir
        if not base.is_dir():
            return
        for shard in sorted(base.iterdir()):
            if not shard.is_dir():
                yield shard.name, shard
                continue
            for entry in sorted(shard.iterdir()):
                yield entry.name, entry

    def stray_stages(self) -> list[Path]:
        """Files left in the staging area."""
        if not self.tmp.is_dir():
            return []
        return sorted(self.tmp.iterdir())


def _copy_hashed(source: BinaryIO, fd: int) -> tuple[str, int]:
    """Copy ``source`` to ``fd`` in chunks while hashing it: its SHA-256 and size."""
    digest = hashlib.sha256()
    size = 0
    while chunk := source.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
        view = memoryview(chunk)
        while view:
            view = view[os.write(fd, view) :]
    return digest.hexdigest(), size


class _Labelled(io.RawIOBase):
    """A source whose read errors are the InputError naming it (the import names the file it could not read)."""

    def __init__(self, source: BinaryIO, label: str | Path) -> None:
        super().__init__()
        self._source, self._label = source, label

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        try:
            data = self._source.read(len(buffer))
        except OSError as exc:
            raise InputError(f"cannot read ({exc.strerror})", path=self._label) from None
        n = len(data)
        buffer[:n] = data
        return n


def _process_alive(session_file: str) -> bool:
    """Whether the process named by a session file (``session-<pid>-<token>...``) still runs on this host."""
    parts = session_file.split("-")
    if len(parts) < 3 or not parts[1].isdigit():
        return True  # not ours to judge: leave it to the age rule
    try:
        os.kill(int(parts[1]), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it runs, under another user
        pass
    return True


class NotRegularFile(OSError):
    """A file of the case that is a symbolic link, a FIFO, a device or a folder where a file must be."""


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def irregular(path: str | os.PathLike[str]) -> str | None:
    """What ``path`` is when it exists and is not a regular file ("a symbolic link", "a FIFO", ...), without
    following a link or opening anything; None for a regular file or nothing at all."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return None
    if stat.S_ISREG(mode):
        return None
    return "a symbolic link" if stat.S_ISLNK(mode) else _kind(mode)


def open_stored(path: str | os.PathLike[str]) -> int:
    """A read-only descriptor of a file of the case, which must be a regular file itself: a symbolic link is
    not followed (``NotRegularFile``, "a symbolic link"), and a FIFO or a device is opened without blocking
    and refused, so no read can hang on it or never end."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise NotRegularFile(errno.ELOOP, "a symbolic link, not a file of the case", str(path)) from None
        raise
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularFile(errno.EINVAL, f"{_kind(mode)}, not a file of the case", str(path))
        # O_NONBLOCK stays: it means nothing for a regular file, and clearing it would cost two system calls
        # a file (verify opens every object).
    except BaseException:
        os.close(fd)
        raise
    return fd


def hash_file(path: str | os.PathLike[str], *, stored: bool = False) -> tuple[str, int]:
    """SHA-256 and size of a file, streamed. hashlib releases the GIL, so threads hash in parallel.

    With ``stored`` the file is a file of the case, opened by ``open_stored`` (a regular file, not a link:
    ``NotRegularFile`` otherwise). A file smaller than one chunk (what a case holds most of) is read with a
    buffer of its own size, so hashing many tiny files costs a few system calls each rather than a 1 MiB
    buffer each.
    """
    digest = hashlib.sha256()
    size = 0
    fd = open_stored(path) if stored else os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        expected = os.fstat(fd).st_size
        if expected < CHUNK:
            # One byte more than the size: a file that grew since the stat is still read to its end below.
            while data := os.read(fd, expected + 1):
                digest.update(data)
                size += len(data)
                if size >= CHUNK:
                    break
            else:
                return digest.hexdigest(), size
        buf = bytearray(CHUNK)
        view = memoryview(buf)
        while n := os.readv(fd, [buf]):
            digest.update(view[:n])
            size += n
    finally:
        os.close(fd)
    return digest.hexdigest(), size


def is_hash_name(name: str) -> bool:
    """Whether ``name`` looks like a hex SHA-256."""
    return len(name) == 64 and set(name) <= HEX
