"""One exhibit for a viewer (the app's exhibit page): its original's bytes, read from the case and checked, the
picture's size, and what the reader that claimed it is called. Nothing here writes.

The original is decrypted in memory in an encrypted case (``ObjectStore.read_bytes``) and given out only when
its SHA-256 is the one the case names for the exhibit: a stored file changed since does not reach a viewer as
if it were the evidence (``evidence verify`` says what changed). Everything else a viewer shows (each
acquisition, the records, the warnings, the messages OCR read with their boxes) is ``query.show``.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from typing import Final

from evidence.case import index
from evidence.case.folder import CaseFolder
from evidence.errors import CaseError, StorageError, UsageError
from evidence.models import Record

# The pictures a browser shows safely from the case: raster formats only (an SVG is a document, with scripts).
PICTURE_TYPES: Final = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp"})
EXIF_ORIENTATION: Final = 0x0112
QUARTER_TURNS: Final = frozenset({5, 6, 7, 8})  # the orientations that turn the picture by 90 or 270 degrees


@dataclass(frozen=True)
class Original:
    """An exhibit's original as it was acquired: its name, its media type (from content) and its bytes."""

    exhibit: str
    name: str
    media_type: str
    sha256: str
    data: bytes

    @property
    def is_picture(self) -> bool:
        """Whether a browser can show it as a picture (``PICTURE_TYPES``)."""
        return self.media_type in PICTURE_TYPES


def _exhibit_row(case: CaseFolder, exhibit: str) -> dict[str, object]:
    wanted = exhibit.strip().upper()
    for row in case.exhibits():
        if row["exhibit"] == wanted:
            return row
    raise UsageError(f"no exhibit {exhibit!r} in this case", hint="the timeline names each entry's exhibit")


def original(case: CaseFolder, exhibit: str) -> Original:
    """The original of ``exhibit`` (``EX-0001``), in memory; UsageError for an unknown exhibit, StorageError
    when the stored bytes are not the ones the case names (changed or damaged since)."""
    row = _exhibit_row(case, exhibit)
    sha = str(row["sha256"])
    try:
        data = case.store.read_bytes(sha)
    except OSError as exc:
        raise StorageError(
            f"cannot read the stored file of {row['exhibit']} ({exc})", path=case.root
        ) from None
    if hashlib.sha256(data).hexdigest() != sha:
        raise StorageError(
            f"the stored file of {row['exhibit']} is no longer the one added (its fingerprint changed)",
            path=case.root,
            hint="check the whole case: something changed it",
        )
    return Original(str(row["exhibit"]), str(row["original_name"]), str(row["media_type"]), sha, data)


def picture_size(data: bytes) -> tuple[int, int] | None:
    """A picture's width and height in pixels as it is shown, upright (an EXIF Orientation that turns it a
    quarter swaps them, as OCR turns it before reading: its boxes are in those pixels); None when it is not a
    picture. Pillow reads only the header."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            turned = image.getexif().get(EXIF_ORIENTATION) in QUARTER_TURNS
    except (UnidentifiedImageError, OSError, ValueError):
        return None
    return (int(height), int(width)) if turned else (int(width), int(height))


def reader_description(importer: str | None) -> str | None:
    """The description of the importer named ``importer`` (``"smsbackup"``: "SMS Backup & Restore (Android)
    XML: ..."), None when no importer of that name is in the registry."""
    from evidence.importers import REGISTRY

    return next((cls.description for cls in REGISTRY if cls.name == importer), None)


def records_of(case: CaseFolder, sha256: str, limit: int) -> tuple[list[Record], int]:
    """The first ``limit`` records read from the file with these bytes, in time order (as ``case.records()``),
    and how many there are: read from the index for this file only, not the whole case."""
    conn = case.conn
    (total,) = conn.execute("SELECT count(*) FROM records WHERE item_sha256 = ?", (sha256,)).fetchone()
    rows = conn.execute(
        "SELECT id, json FROM records WHERE item_sha256 = ? ORDER BY occurred_at, id LIMIT ?", (sha256, limit)
    ).fetchall()
    found = []
    for record_id, text in rows:
        try:
            found.append(Record.from_json(index.stored_json(text, f"record {record_id}")))
        except (KeyError, TypeError, ValueError, AttributeError):
            raise CaseError(
                f"the case's index is damaged (record {record_id} is not a record): run 'evidence verify'"
            ) from None
    return found, int(total)
