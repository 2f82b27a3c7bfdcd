"""An iPhone backup (Finder, iTunes, ``idevicebackup2``; encrypted ones once decrypted), as the import stores it:
the zip ``_iphone_backup_folder.pack`` makes of the backup folder (``<folder>.iphone-backup.zip``).

Read from it: the messages of ``sms.db`` with their attachments (``_iphone_sms``), the calls of
``CallHistory.storedata`` (``_iphone_calls``), and the contact names of ``AddressBook.sqlitedb``
(``_iphone_contacts``, display only). The device's facts (name, model, iOS version, serial number, UDID, the
backup's date, whether it was encrypted) come from ``Info.plist`` and ``Manifest.plist`` and are copied into
each record's ``raw["backup"]``. Files ``Manifest.db`` names that the folder lacks are reported in one warning.

The databases are read from memory (``sqlite3`` ``deserialize`` of the member's bytes, read-only): nothing of
the backup is written to disk while it is read, which an encrypted case requires (issue 19; there the zip
itself is in memory-backed storage, see ``actions/importing.prepare_backup``). A database too large to hold
twice in the memory available is instead copied to a temporary file, as before, when the zip is itself on disk
(a plain case's staged copy: nothing more is exposed); an encrypted case's is refused (StorageError).

Known limits: as for ``iphone_sms`` and ``iphone_calls``; other apps' data in the backup (WhatsApp's
ChatStorage.sqlite, voicemail, notes) is not read and not stored; a backup from before iOS 10
(``Manifest.mbdb``) is not read.
"""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar, Final

from evidence.case.memtemp import available_memory, in_memory, size_text
from evidence.errors import InputError, StorageError
from evidence.importers._iphone_backup_folder import (
    CALLS,
    CONTACTS,
    INDEX_FORMAT,
    INDEX_MEMBER,
    MANIFEST_DB,
    PLISTS,
    SMS,
    read_plist,
)
from evidence.importers._iphone_calls import CallsContext, read_calls
from evidence.importers._iphone_contacts import Contacts
from evidence.importers._iphone_db import FIRST_FEW, Tally, from_image, guarded, open_readonly, zone
from evidence.importers._iphone_sms import MessagesContext, read_messages
from evidence.importers.base import Importer, Source, Yielded
from evidence.models import ImportOptions, ImportWarning
from evidence.timeutil import iso_utc

NAME = "iphone-backup"
VERSION = "1"
_MEMBER: Final = re.compile(r"[0-9a-f]{2}/[0-9a-f]{40}")
# An attachment larger than this is named but not copied out again (it stays inside the stored backup zip).
MAX_ATTACHMENT: Final = 256 * 1024 * 1024


class IphoneBackupImporter(Importer):
    """Importer for an iPhone backup folder, packed by the import into one zip."""

    name: ClassVar[str] = NAME
    version: ClassVar[str] = VERSION
    description: ClassVar[str] = "iPhone backup folder: messages with attachments, calls, contact names"

    def sniff(self, head: bytes, source: Source) -> bool:
        """Claims a zip holding ``evidence-iphone-backup.json`` and ``Manifest.db``."""
        if not head.startswith(b"PK\x03\x04"):
            return False
        try:
            with zipfile.ZipFile(source.path) as zf:
                names = set(zf.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return False
        return {INDEX_MEMBER, MANIFEST_DB} <= names

    def parse(self, source: Source, options: ImportOptions) -> Iterator[Yielded]:
        """The messages and calls of the backup; InputError when it holds neither or yields nothing."""
        try:
            zf = zipfile.ZipFile(source.path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise InputError(f"not a readable zip ({exc})", path=source.name) from None
        with zf:
            yield from _Reader(zf, source, options).records()


class _Reader:
    """One stored backup zip being read."""

    def __init__(self, zf: zipfile.ZipFile, source: Source, options: ImportOptions) -> None:
        self.zf, self.source, self.options = zf, source, options
        self.members: dict[str, zipfile.ZipInfo] = {}
        for info in zf.infolist():
            name = info.filename
            if name not in {INDEX_MEMBER, MANIFEST_DB, *PLISTS} and not _MEMBER.fullmatch(name):
                raise InputError(f"zip member {name!r} is not a backup file", path=source.name)
            # The import writes every member stored, not compressed: nothing can expand past the item's size.
            if info.compress_type != zipfile.ZIP_STORED or info.file_size != info.compress_size:
                raise InputError(
                    f"zip member {name!r} is compressed; backup zips are stored", path=source.name
                )
            if name in self.members:
                raise InputError(f"zip holds two members named {name!r}", path=source.name)
            self.members[name] = info
        try:
            index = json.loads(self.read(INDEX_MEMBER))
            self.by_path: dict[tuple[str, str], str] = {
                (str(f["domain"]), str(f["relativePath"])): str(f["member"])
                for f in index["files"]
                if not f.get("missing")
            }
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise InputError(f"{INDEX_MEMBER} cannot be read ({exc!r})", path=source.name) from None
        if index.get("format") != INDEX_FORMAT:
            raise InputError(f"{INDEX_MEMBER} is not a backup selection this version reads", path=source.name)
        self.index: dict[str, Any] = index

    def read(self, name: str) -> bytes:
        """A member's bytes (InputError when it is absent or unreadable)."""
        if name not in self.members:
            raise InputError(f"zip has no member {name!r}", path=self.source.name)
        try:
            return self.zf.read(self.members[name])
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise InputError(f"zip member {name!r} cannot be read ({exc})", path=self.source.name) from None

    def member(self, key: tuple[str, str]) -> zipfile.ZipInfo | None:
        """The zip member of the backup file ``key`` (domain, path), or None when it was not taken."""
        member = self.by_path.get(key)
        return self.members.get(member) if member is not None else None

    @contextlib.contextmanager
    def database(self, info: zipfile.ZipInfo, label: str) -> Iterator[sqlite3.Connection]:
        """The database of member ``info``, read-only, from memory (see the module docstring)."""
        name = f"{self.source.name}: {label}"
        memory = available_memory()
        if memory is not None and 2 * info.file_size > memory:
            if in_memory(self.source.path):
                raise StorageError(
                    f"{label} ({size_text(info.file_size)}) needs more memory than is available to be read "
                    "without writing it decrypted to disk",
                    path=self.source.name,
                    hint="close other programs and import again, or use a computer with more memory",
                )
            with tempfile.TemporaryDirectory(prefix="evidence-iphone-") as tmp:
                out = Path(tmp) / "database"
                with open(out, "wb") as dst:
                    for chunk in self._chunks(info):
                        dst.write(chunk)
                with open_readonly(out, name) as conn:
                    yield conn
            return
        image = bytearray(info.file_size)
        at = 0
        for chunk in self._chunks(info):
            image[at : at + len(chunk)] = chunk
            at += len(chunk)
        with guarded(from_image(image, name), name) as conn:
            del image  # SQLite holds its own copy
            yield conn

    def _chunks(self, info: zipfile.ZipInfo) -> Iterator[bytes]:
        """A member's bytes in 1 MiB pieces, its CRC checked at the end (InputError when damaged)."""
        try:
            with self.zf.open(info) as src:
                while chunk := src.read(1 << 20):
                    yield chunk
        except (zipfile.BadZipFile, zlib.error, EOFError, ValueError) as exc:
            # A damaged item (its CRC, a header that names another file): one line, never a traceback.
            raise InputError(
                f"zip member {info.filename!r} cannot be read ({exc})", path=self.source.name
            ) from None

    def attachment(self, relative: str) -> bytes | None:
        """An SMS attachment's bytes by its path in the backup, or None (absent, or too large to copy out)."""
        member = self.by_path.get(("MediaDomain", relative))
        if member is None or member not in self.members:
            return None
        if self.members[member].file_size > MAX_ATTACHMENT:
            return None
        return self.read(member)

    def facts(self) -> dict[str, Any]:
        """The device and backup facts of Info.plist and Manifest.plist."""
        info = read_plist(self.read("Info.plist")) if "Info.plist" in self.members else {}
        manifest = read_plist(self.read("Manifest.plist")) if "Manifest.plist" in self.members else {}
        lockdown = manifest.get("Lockdown") if isinstance(manifest.get("Lockdown"), dict) else {}
        assert isinstance(lockdown, dict)
        facts: dict[str, Any] = {
            "device_name": info.get("Device Name") or lockdown.get("DeviceName"),
            "product_type": info.get("Product Type") or lockdown.get("ProductType"),
            "ios_version": info.get("Product Version") or lockdown.get("ProductVersion"),
            "build_version": info.get("Build Version") or lockdown.get("BuildVersion"),
            "serial_number": info.get("Serial Number") or lockdown.get("SerialNumber"),
            "udid": info.get("Unique Identifier") or lockdown.get("UniqueDeviceID"),
            "backup_date": _when(info.get("Last Backup Date") or manifest.get("Date")),
            "encrypted": bool(self.index.get("encrypted")),
            "decrypted_with": self.index.get("decrypted_with"),
            "backup_folder": self.index.get("backup_folder"),
        }
        return {k: v for k, v in facts.items() if v is not None}

    def records(self) -> Iterator[Yielded]:
        """Everything, in order: the warning on missing files, the messages (with blobs), the calls."""
        name, tz = self.source.name, zone(self.options.tz)
        facts = self.facts()
        missing = [
            f"{f['domain']}/{f['relativePath']}" for f in self.index.get("files", []) if f.get("missing")
        ]
        if missing:
            more = f" (and {len(missing) - FIRST_FEW} more)" if len(missing) > FIRST_FEW else ""
            yield ImportWarning(
                "backup",
                f"{len(missing)} files Manifest.db lists are not in the backup folder: "
                + "; ".join(missing[:FIRST_FEW])
                + more,
            )
        contacts = Contacts()
        book = self.member(CONTACTS)
        if book is not None:
            with self.database(book, "AddressBook.sqlitedb") as conn:
                contacts = Contacts.read(conn)
        sms, calls = self.member(SMS), self.member(CALLS)
        if sms is None and calls is None:
            raise InputError(
                "the backup holds neither the messages (sms.db) nor the call history (CallHistory.storedata)",
                path=name,
            )
        made = seen = 0
        counts: list[Tally] = []
        if sms is not None:
            mctx = MessagesContext(
                self.source.sha256,
                NAME,
                VERSION,
                tz,
                self.options.tz,
                "sms.db ",
                self.attachment,
                contacts.name,
                facts,
            )
            with self.database(sms, "sms.db") as conn:
                yield from read_messages(conn, mctx, f"{name}: sms.db")
            counts.append(mctx.tally)
            made, seen = made + mctx.tally.made, seen + mctx.tally.seen
        if calls is not None:
            cctx = CallsContext(
                self.source.sha256, NAME, VERSION, tz, self.options.tz, "CallHistory ", contacts.name, facts
            )
            with self.database(calls, "CallHistory.storedata") as conn:
                yield from read_calls(conn, cctx, f"{name}: CallHistory.storedata")
            counts.append(cctx.tally)
            made, seen = made + cctx.tally.made, seen + cctx.tally.seen
        if made == 0:
            why = f"{seen} rows seen, none with a usable date" if seen else "the databases hold no rows"
            raise InputError(f"no message or call read ({why})", path=name)
        yield counts[0].shared("rows", *counts[1:])


def _when(value: object) -> str | None:
    """A plist date (naive, UTC) as RFC 3339 UTC; None when it is not a date."""
    if isinstance(value, datetime):
        return iso_utc(value.replace(tzinfo=UTC) if value.tzinfo is None else value)
    return None
