"""The files of one "Add evidence" run, held in memory until they are imported together (all or nothing).

The page sends each file by itself, as the body of one request (no multipart form: Starlette's form parser
spools a file over 1 MB to a temporary file on disk). ``Uploads.receive`` streams the body into a private
folder (0700) on memory-backed storage (``evidence.case.memtemp``), under the file's own name, with the
modification time the browser gives: nothing decrypted reaches the disk. An encrypted case refuses to hold
uploads when the system has no such storage; a plain case (whose store is plaintext anyway) falls back to the
temporary folder. One file above ``MAX_FILE_BYTES`` is refused in one line, before or while it arrives.

A batch lives from the first file to the end of its import, then its folder is removed. Known limits: a batch
left behind (the window closed or "Leave now" pressed mid-upload) stays in memory until the next "Add
evidence" run, the first request of the app's adding routes after the case is locked, or the app stopping (a
process killed outright leaves it until the computer restarts, as ``memtemp`` says); memory-backed storage is
small, so ``memtemp.require_room`` refuses what would not fit.
"""

from __future__ import annotations

import os
import secrets
import tempfile
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from evidence.case.memtemp import memory_folder, require_room, size_text
from evidence.errors import InputError, StorageError

MAX_FILE_BYTES: Final = 200 * 10**6  # one file; a bigger one is imported with the command line
MAX_NAME_BYTES: Final = 255


@dataclass
class Held:
    """One uploaded file: where it is held, and what the user called it (the name, with the folder it was
    chosen in when a folder was given)."""

    path: Path
    shown_as: str
    size: int


@dataclass
class Batch:
    """The files of one run and how far its import has got (read by the page's progress requests)."""

    id: str
    folder: Path
    in_memory: bool
    files: list[Held] = field(default_factory=list)
    refused: str | None = None  # the one line that stopped the run (a file too big, a bad name)
    stage: str = "uploading"  # then "reading", then "done"
    reading: str = ""  # the file being read
    pictures_done: int = 0
    pictures_total: int = 0
    _holder: tempfile.TemporaryDirectory[str] | None = field(default=None, repr=False)

    def progress(self) -> dict[str, object]:
        """What the page shows while the import runs."""
        return {
            "stage": self.stage,
            "reading": self.reading,
            "pictures_done": self.pictures_done,
            "pictures_total": self.pictures_total,
        }

    def on_file(self, path: str) -> None:
        """``import_files``' progress: the file it is reading now (by the name the user knows)."""
        self.reading = next((h.shown_as for h in self.files if str(h.path) == path), Path(path).name)

    def on_pictures(self, done: int, total: int) -> None:
        """``import_files``' OCR progress: pictures read so far, of how many."""
        self.pictures_done, self.pictures_total = done, total

    def remove(self) -> None:
        """Remove the folder and everything held in it."""
        if self._holder is not None:
            self._holder.cleanup()
            self._holder = None


def backup_folder(shown: list[str]) -> str | None:
    """The folder among the files' ``shown`` names (``Backup/Manifest.db``) that is an iPhone backup (its
    ``Manifest.db`` beside ``Info.plist`` or ``Manifest.plist``, as ``importers._iphone_backup_folder``
    tells one), else None: such a folder is one item for the importer, not thousands of files to add apart."""
    names = set(shown)
    for name in shown:
        folder, _, last = name.rpartition("/")
        if last == "Manifest.db" and folder and {f"{folder}/Info.plist", f"{folder}/Manifest.plist"} & names:
            return folder
    return None


def clean_name(raw: str) -> str:
    """The file's own name from what the browser sent (its last path part); InputError for none, ``.``,
    ``..``, a NUL or a name too long for a file system."""
    name = raw.replace("\\", "/").rsplit("/", 1)[-1]
    if name in {"", ".", ".."} or "\x00" in name or len(name.encode("utf-8")) > MAX_NAME_BYTES:
        raise InputError("this file name cannot be kept as it is", path=raw[:80] or "(no name)")
    return name


class Uploads:
    """The batches of one app session (one at a time in practice: a new run drops what an old one left)."""

    def __init__(self) -> None:
        self._batches: dict[str, Batch] = {}
        self._lock = threading.Lock()

    def start(self, *, encrypted: bool) -> Batch:
        """A new, empty batch in a private folder: memory-backed when there is such storage; for an
        encrypted case StorageError when there is none. Batches left by earlier runs are removed."""
        self.drop_all()
        memory = memory_folder()
        if memory is None and encrypted:
            raise StorageError(
                "this case is encrypted, so added files are held in memory-backed storage (/dev/shm or "
                "$XDG_RUNTIME_DIR) until they are stored, and this system has none; nothing was added",
                hint="add the files with evidence import, on the command line, which reads them where they are",
            )
        holder = tempfile.TemporaryDirectory(prefix="evidence-add-", dir=memory)
        batch = Batch(secrets.token_urlsafe(16), Path(holder.name), memory is not None, _holder=holder)
        with self._lock:
            self._batches[batch.id] = batch
        return batch

    def get(self, batch_id: str) -> Batch | None:
        """The batch of this id, if it is still held."""
        with self._lock:
            return self._batches.get(batch_id)

    def drop(self, batch: Batch) -> None:
        """Forget ``batch`` and remove its files."""
        with self._lock:
            self._batches.pop(batch.id, None)
        batch.remove()

    def drop_waiting(self) -> None:
        """Remove every batch not being read now (the case locked: files sent but not yet added, or left by a
        window closed mid-upload). A batch being read is removed when its import ends, as always: the import
        already holds the case open, and cutting it would only make it fail."""
        with self._lock:
            waiting = [b for b in self._batches.values() if b.stage != "reading"]
            for batch in waiting:
                del self._batches[batch.id]
        for batch in waiting:
            batch.remove()

    def drop_all(self) -> None:
        """Remove every batch (a new run, the case locked)."""
        with self._lock:
            batches, self._batches = list(self._batches.values()), {}
        for batch in batches:
            batch.remove()

    async def receive(
        self,
        batch: Batch,
        raw_name: str,
        shown_as: str,
        length: int | None,
        modified_ms: int | None,
        body: AsyncIterator[bytes],
    ) -> Held:
        """Stream one file's body into ``batch`` under its own name; refuse (InputError, StorageError) a
        file above ``MAX_FILE_BYTES`` or one that does not fit in memory, before reading it when its length is
        announced, else as soon as it grows past."""
        name = clean_name(raw_name)
        too_big = InputError(
            f"too big to add here ({size_text(length or MAX_FILE_BYTES + 1)}; the limit is "
            f"{size_text(MAX_FILE_BYTES)} a file)",
            path=shown_as,
            hint="evidence import, on the command line, has no such limit",
        )
        if length is not None and length > MAX_FILE_BYTES:
            raise too_big
        if batch.in_memory:
            require_room(batch.folder, length or 0, 0, what="the file", path=Path(shown_as))
        with self._lock:
            slot = batch.folder / f"{len(batch.files):04d}"
            slot.mkdir(mode=0o700)
            held = Held(slot / name, shown_as, 0)
            batch.files.append(held)
        with open(held.path, "xb") as out:
            async for chunk in body:
                held.size += len(chunk)
                if held.size > MAX_FILE_BYTES:
                    raise InputError(
                        f"too big to add here (more than {size_text(MAX_FILE_BYTES)}, the limit a file)",
                        path=shown_as,
                        hint="evidence import, on the command line, has no such limit",
                    )
                out.write(chunk)
        if modified_ms is not None and 0 < modified_ms < 4102444800000:  # before 2100: a real file time
            os.utime(held.path, ns=(modified_ms * 1_000_000, modified_ms * 1_000_000))
        return held
