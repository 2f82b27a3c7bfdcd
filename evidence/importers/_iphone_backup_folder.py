"""An iPhone backup folder (Finder, iTunes, libimobiledevice's ``idevicebackup2``) made into ONE item: the
files of it this project reads, packed as they are into a zip that ``importers/iphone_backup.py`` reads.

A backup is a folder of thousands of files under hashed names (``3d/3d0d7e5f…``, the SHA-1 of the file's
domain and path), listed in ``Manifest.db`` (table ``Files``: fileID, domain, relativePath, flags 1 = a file),
with ``Info.plist``, ``Manifest.plist`` and ``Status.plist`` beside it. The import (``actions/importing.py``)
calls ``pack`` for a folder that ``is_backup`` recognises, and stores the zip it makes as the item, so that
records are derived from stored bytes only and the verifier can derive them again. The zip holds, byte for
byte: the three plists, ``Manifest.db``, the Messages database (``sms.db``) and every file under
``Library/SMS/Attachments`` (MediaDomain), the call history (``CallHistory.storedata``) and the address book
(``AddressBook.sqlitedb``), each under its name in the backup; and ``evidence-iphone-backup.json``, the list
of what was taken, with each file's size and SHA-256, and what Manifest.db names but the folder lacks. The
zip is deterministic (sorted members, fixed times, no compression): the same backup makes the same bytes.

An **encrypted** backup (``Manifest.plist`` IsEncrypted) is opened with ``iphone_backup_decrypt`` (a
maintained library; no cryptography is written here) and the password its owner set in Finder or iTunes;
the zip then holds the decrypted files and ``Manifest.db``, and the list says so.

Into an **encrypted case** nothing decrypted may reach the disk (issue 19): the import packs into a private
folder on memory-backed storage (``evidence.case.memtemp``) and says so with ``memory``. The room the selection
needs is checked there first (the files there, and what the process holds while it decrypts and reads them:
``_check_room``): a backup that does not fit is refused in one line, never spilled to disk. The
library's own decrypted copy of ``Manifest.db`` (it writes one into ``tempfile.mkdtemp()``) is made there too.

Not an importer (its name starts with ``_``, so the registry test does not expect it in ``REGISTRY``).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import json
import os
import plistlib
import sqlite3
import zipfile
from collections.abc import Callable, Iterator
from importlib import metadata
from pathlib import Path
from typing import Any, Final

from evidence.case.memtemp import library_tempdir, require_room
from evidence.errors import DependencyError, InputError, StorageError
from evidence.importers._iphone_db import open_readonly

INDEX_MEMBER: Final = "evidence-iphone-backup.json"
INDEX_FORMAT: Final = "evidence iPhone backup selection 1"
SUFFIX: Final = ".iphone-backup.zip"
MANIFEST_DB: Final = "Manifest.db"
PLISTS: Final = ("Info.plist", "Manifest.plist", "Status.plist")
SMS: Final = ("HomeDomain", "Library/SMS/sms.db")
CALLS: Final = ("HomeDomain", "Library/CallHistoryDB/CallHistory.storedata")
CONTACTS: Final = ("HomeDomain", "Library/AddressBook/AddressBook.sqlitedb")
ATTACHMENTS_DOMAIN: Final = "MediaDomain"
ATTACHMENTS_PREFIX: Final = "Library/SMS/Attachments/"
PASSWORD_ENV: Final = "EVIDENCE_BACKUP_PASSWORD"  # noqa: S105 (the variable's name, not a password)
_FIXED_TIME: Final = (1980, 1, 1, 0, 0, 0)

PasswordSource = Callable[[], str | None]


def is_backup(path: Path) -> bool:
    """Whether ``path`` is an iPhone backup folder: ``Manifest.db`` with ``Info.plist`` or ``Manifest.plist``."""
    return (
        path.is_dir()
        and (path / MANIFEST_DB).is_file()
        and any((path / name).is_file() for name in ("Info.plist", "Manifest.plist"))
    )


def member_name(file_id: str) -> str:
    """Where a backup keeps the file ``file_id`` (and where the zip keeps it): ``3d/3d0d7e5f…``."""
    return f"{file_id[:2]}/{file_id}"


def read_plist(data: bytes) -> dict[str, Any]:
    """A plist's top-level dictionary (empty when it is not one)."""
    try:
        value = plistlib.loads(data)
    except (plistlib.InvalidFileException, ValueError, TypeError, OverflowError):
        return {}
    return value if isinstance(value, dict) else {}


def pack(
    folder: Path, out_dir: Path, password: PasswordSource | None = None, *, memory: Path | None = None
) -> Path:
    """Pack the backup ``folder`` into ``out_dir/<folder name>.iphone-backup.zip`` and return its path.

    ``memory``: the memory-backed folder ``out_dir`` lies in, for an encrypted case (see the module docstring):
    the room is checked there first and the decryption library's temporary folder goes there.
    Raises InputError when the folder is not a readable backup, or is encrypted and the password is missing or
    wrong (one line naming the folder); DependencyError when an encrypted backup meets a missing library;
    StorageError when the backup does not fit in ``memory``.
    """
    out = out_dir / f"{folder.name}{SUFFIX}"
    try:
        plist = folder / "Manifest.plist"
        manifest = read_plist(plist.read_bytes()) if plist.is_file() else {}
        if manifest.get("IsEncrypted"):
            _pack_encrypted(folder, out, _password(folder, password), memory)
        else:
            _pack_plain(folder, out, memory)
    except OSError as exc:
        if exc.errno == errno.ENOSPC and memory is not None:
            raise StorageError(
                f"memory-backed storage ({memory}) filled up while the backup was packed in it; nothing "
                "decrypted was written to disk",
                path=folder,
                hint="close other programs and import again, or use a computer with more memory",
            ) from None
        if exc.errno == errno.ENOSPC:
            raise StorageError(
                "no space left to pack the backup in the temporary folder",
                path=out_dir,
                hint="free some space, or point TMPDIR at a disk with room",
            ) from None
        where = f" {exc.filename}" if exc.filename else ""
        raise InputError(
            f"cannot read the backup ({exc.strerror or exc}){where}",
            path=folder,
            hint="on a Mac, give the terminal Full Disk Access (System Settings, Privacy & Security)",
        ) from None
    return out


def _wanted(rows: list[tuple[Any, ...]]) -> list[tuple[str, str, str]]:
    """The (fileID, domain, relativePath) of the files read, among Manifest.db's rows."""
    keys = {SMS, CALLS, CONTACTS}
    return sorted(
        (file_id, domain, path)
        for file_id, domain, path, flags in rows
        if flags == 1
        and ((domain, path) in keys or (domain == ATTACHMENTS_DOMAIN and path.startswith(ATTACHMENTS_PREFIX)))
    )


_QUERY: Final = "SELECT fileID, domain, relativePath, flags FROM Files"


# What a zip adds per member (local and central headers with Zip64 extras, besides the name twice) and per entry
# of the list of what was taken: generous, for the room check only.
_PER_MEMBER: Final = 160
_PER_ENTRY: Final = 400


def _check_room(
    folder: Path, memory: Path | None, wanted: list[tuple[str, str, str]], extra: int | None = None
) -> None:
    """In an encrypted case (``memory``), refuse a selection that does not fit in memory (see ``pack``).

    ``extra``: for an encrypted backup, the bytes of the decrypted copies of Manifest.db there besides. The
    process's own memory must hold, besides, a database twice while the importer reads it (its bytes, SQLite's
    copy) and an attachment it reads (at most 256 MiB; larger ones are not copied out); for an encrypted backup,
    the largest file three times while the library decrypts it (its own estimate)."""
    if memory is None:
        return
    sizes: dict[tuple[str, str], int] = {
        ("", name): (folder / name).stat().st_size
        for name in (*PLISTS, MANIFEST_DB)
        if (folder / name).is_file()
    }
    for file_id, domain, path in wanted:
        if (folder / member_name(file_id)).is_file():
            sizes[(domain, path)] = (folder / member_name(file_id)).stat().st_size
    files = sum(sizes.values()) + len(sizes) * (_PER_MEMBER + _PER_ENTRY) + 4096 + (extra or 0)
    databases = max((size for key, size in sizes.items() if key in {SMS, CALLS, CONTACTS}), default=0)
    attachments = max((s for (d, _), s in sizes.items() if d == ATTACHMENTS_DOMAIN), default=0)
    working = 2 * databases + min(attachments, 256 << 20)
    if extra is not None:
        working = max(working, 3 * max(sizes.values(), default=0))
    require_room(memory, files, working, what="the backup's messages, calls and attachments", path=folder)


def _pack_plain(folder: Path, out: Path, memory: Path | None) -> None:
    """Pack an unencrypted backup: the files as they are."""
    with open_readonly(folder / MANIFEST_DB, str(folder / MANIFEST_DB)) as conn:
        try:
            rows = [tuple(r) for r in conn.execute(_QUERY)]
        except sqlite3.Error as exc:
            raise InputError(f"Manifest.db has no usable Files table ({exc})", path=folder) from None
    wanted = _wanted(rows)
    _check_room(folder, memory, wanted)
    entries: list[dict[str, Any]] = []
    with _Writer(out) as zf:
        for name in (*PLISTS, MANIFEST_DB):
            if (folder / name).is_file():
                zf.add_file(name, folder / name)
        for file_id, domain, path in wanted:
            src = folder / member_name(file_id)
            entry: dict[str, Any] = {"member": member_name(file_id), "domain": domain, "relativePath": path}
            if src.is_file():
                entry.update(zf.add_file(entry["member"], src))
            else:
                entry["missing"] = True
            entries.append(entry)
        zf.add_index(folder, entries, len(rows), None)


def _password(folder: Path, source: PasswordSource | None) -> str:
    """The backup's password: from ``source`` (the CLI's prompt), else ``$EVIDENCE_BACKUP_PASSWORD``."""
    secret = os.environ.get(PASSWORD_ENV) or (source() if source else None)
    if not secret:
        raise InputError(
            "the backup is encrypted and no password was given",
            path=folder,
            hint=f"set {PASSWORD_ENV}, or run the import in a terminal to be asked (the password chosen "
            "in Finder or iTunes for 'Encrypt local backup', not the phone's passcode)",
        )
    return secret


def _pack_encrypted(folder: Path, out: Path, secret: str, memory: Path | None) -> None:
    """Pack an encrypted backup: the files decrypted by ``iphone_backup_decrypt``.

    The library prints notes (a decrypted size that differs from the one Manifest.db states) on standard
    output; they are caught and kept in the list of what was taken, so that the CLI stays the only printer.
    With ``memory`` the library's decrypted Manifest.db goes there (it is removed when the library's object
    goes), after a check that it and the copy packed fit."""
    try:
        from iphone_backup_decrypt import EncryptedBackup
        from iphone_backup_decrypt.exceptions import IncorrectPassphraseError
    except ImportError:
        raise DependencyError(
            "reading an encrypted iPhone backup needs the Python package iphone-backup-decrypt",
            path=folder,
            hint="pip install iphone-backup-decrypt",
        ) from None
    notes = io.StringIO()
    scratch = contextlib.nullcontext() if memory is None else library_tempdir(memory)
    # The library's decrypted copy of Manifest.db and the one written to be packed, at once.
    twice = 2 * (folder / MANIFEST_DB).stat().st_size if (folder / MANIFEST_DB).is_file() else 0
    if memory is not None:
        require_room(
            memory, twice, 0, what="two copies of the backup's list of files (Manifest.db)", path=folder
        )
    with contextlib.redirect_stdout(notes):
        try:
            backup = EncryptedBackup(backup_directory=str(folder), passphrase=secret)
            with scratch:
                backup.test_decryption()  # decrypts Manifest.db into a temporary folder of its own
        except IncorrectPassphraseError:
            raise InputError(
                "wrong password for the encrypted backup",
                path=folder,
                hint="the password chosen in Finder or iTunes for 'Encrypt local backup' (not the phone's "
                "passcode)",
            ) from None
        except (ValueError, RuntimeError, OSError, KeyError, TypeError) as exc:
            # The library's errors for a damaged or unsafe keybag or Manifest.db (ValueError and its
            # subclasses, FileNotFoundError for a folder that is not a backup).
            raise InputError(f"the encrypted backup cannot be opened ({exc})", path=folder) from None
        version = metadata.version("iphone-backup-decrypt")
        with backup.manifest_db_cursor() as cursor:
            rows = [tuple(r) for r in cursor.execute(_QUERY)]
        _check_room(folder, memory, _wanted(rows), twice)
        entries: list[dict[str, Any]] = []
        with _Writer(out) as zf:
            for name in PLISTS:
                if (folder / name).is_file():
                    zf.add_file(name, folder / name)
            decrypted = out.with_suffix(".Manifest.db")
            backup.save_manifest_file(str(decrypted))
            zf.add_file(MANIFEST_DB, decrypted)
            decrypted.unlink()
            for file_id, domain, path in _wanted(rows):
                entry: dict[str, Any] = {
                    "member": member_name(file_id),
                    "domain": domain,
                    "relativePath": path,
                }
                if (folder / member_name(file_id)).is_file():
                    try:
                        data = backup.extract_file_as_bytes(path, domain_like=domain)
                    except (ValueError, RuntimeError, OSError, KeyError) as exc:
                        raise InputError(f"{path} cannot be decrypted ({exc})", path=folder) from None
                    entry.update(zf.add_bytes(entry["member"], data))
                else:
                    entry["missing"] = True
                entries.append(entry)
            said = [line for line in notes.getvalue().splitlines() if line.strip()]
            zf.add_index(folder, entries, len(rows), f"iphone_backup_decrypt {version}", said)


class _Writer:
    """A deterministic zip: stored members with fixed times, in the order added (the caller sorts)."""

    def __init__(self, path: Path) -> None:
        self.zf = zipfile.ZipFile(path, "w", zipfile.ZIP_STORED, allowZip64=True)

    def __enter__(self) -> _Writer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.zf.close()

    def _info(self, name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
        info.compress_type = zipfile.ZIP_STORED
        info.external_attr = 0o644 << 16
        return info

    def add_file(self, name: str, path: Path) -> dict[str, Any]:
        """Add the file at ``path`` as ``name``; its size and SHA-256."""
        digest = hashlib.sha256()
        size = 0
        with open(path, "rb") as src, self.zf.open(self._info(name), "w", force_zip64=True) as dst:
            for chunk in _chunks(src):
                digest.update(chunk)
                size += len(chunk)
                dst.write(chunk)
        return {"size": size, "sha256": digest.hexdigest()}

    def add_bytes(self, name: str, data: bytes) -> dict[str, Any]:
        """Add ``data`` as ``name``; its size and SHA-256."""
        self.zf.writestr(self._info(name), data)
        return {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}

    def add_index(
        self,
        folder: Path,
        entries: list[dict[str, Any]],
        listed: int,
        decrypted: str | None,
        notes: list[str] | None = None,
    ) -> None:
        """Add the list of what was taken (``INDEX_MEMBER``)."""
        index = {
            "format": INDEX_FORMAT,
            "backup_folder": folder.name,
            "manifest_rows": listed,
            "encrypted": decrypted is not None,
            "decrypted_with": decrypted,
            "files": entries,
        }
        if notes:
            index["decryption_notes"] = notes
        self.add_bytes(INDEX_MEMBER, json.dumps(index, indent=1, sort_keys=True).encode())


def _chunks(src: Any) -> Iterator[bytes]:
    """The file's bytes in 1 MiB pieces."""
    while chunk := src.read(1 << 20):
        yield chunk
