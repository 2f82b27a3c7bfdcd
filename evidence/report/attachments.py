"""The attachments of the records a report shows (an MMS picture, an e-mail's attached file, WhatsApp media):
what the import stored of each, read from the ``records.derived`` ledger entries (SHA-256, size, the name the
source gave), with the media type and, for a picture, its size in pixels, read from the stored object.

The report's appendix (``evidence.report.sections.appendix``) draws a picture (its bytes hashed again as they
are drawn, like an exhibit's screenshot) or lists any other file with its name, type, size and SHA-256; the
Exhibits section and the embedded manifest list each under its parent exhibit (:func:`per_exhibit`), so a
recipient can check every one by its hash.

The stored object is read through the store (decrypted in memory in an encrypted case), its first ``HEAD_BYTES``
only: enough for Pillow's header and for libmagic, which reads no more of a file itself.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from PIL import Image, UnidentifiedImageError

from evidence.errors import DependencyError
from evidence.report.screens import ObjectReader

if TYPE_CHECKING:
    from evidence.timeline import TimelineEntry

HEAD_BYTES: Final = 8 << 20  # libmagic's own limit is 7 MiB (file 5.41 and later)
PICTURE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}


@dataclass(frozen=True)
class Attachment:
    """One stored attachment: ``width`` and ``height`` are set when it is a picture the report can draw."""

    sha256: str
    name: str | None
    size: int
    media_type: str
    store: ObjectReader = field(compare=False, repr=False)
    width: int | None = None
    height: int | None = None
    is_jpeg: bool = False

    @property
    def is_picture(self) -> bool:
        """Whether the report draws it."""
        return self.width is not None and self.height is not None


def describe(store: ObjectReader, sha256: str, name: str | None, size: int) -> Attachment:
    """What the stored object ``sha256`` is: a picture Pillow reads (format and pixels from its header), or
    any other file (its type from its content, as libmagic tells it)."""
    with store.open(sha256) as fh:
        head = fh.read(HEAD_BYTES)
    try:
        with Image.open(io.BytesIO(head)) as im:
            fmt, (width, height) = im.format or "", im.size
    except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError):
        fmt, width, height = "", 0, 0
    if fmt in PICTURE_FORMATS and width > 0 and height > 0:
        return Attachment(sha256, name, size, PICTURE_FORMATS[fmt], store, width, height, fmt == "JPEG")
    return Attachment(sha256, name, size, _media_type(head, store.relpath_for(sha256)), store)


def _media_type(head: bytes, where: str) -> str:
    """The media type libmagic gives the bytes (as ``evidence.media.detect`` does for a file)."""
    try:
        import magic
    except ImportError as exc:  # the Python binding, or libmagic itself (raised as ImportError)
        raise DependencyError(
            f"cannot detect file types: {exc}",
            hint="run 'make deps' (installs libmagic1 and python-magic)",
        ) from None
    try:
        return str(magic.from_buffer(head, mime=True))
    except magic.MagicException as exc:
        raise DependencyError(f"libmagic failed on {where}: {exc}") from None


@dataclass(frozen=True)
class Listed:
    """One attachment of one record shown, under the exhibit that record was read from (``stored`` is None
    when the record names a file the import did not find)."""

    exhibit: str
    record_id: str
    locator: str
    sha256: str
    stored: Attachment | None

    def to_json(self, name: str | None) -> dict[str, Any]:
        """As the report's manifest lists it (``name``: as shown, masked in a redacted copy)."""
        return {
            "sha256": self.sha256,
            "size": self.stored.size if self.stored is not None else None,
            "name": name,
            "media_type": self.stored.media_type if self.stored is not None else None,
            "record_id": self.record_id,
            "locator": self.locator,
            "stored": self.stored is not None,
        }


def per_exhibit(
    timeline: Iterable[TimelineEntry], stored: Mapping[str, Attachment]
) -> dict[str, list[Listed]]:
    """The attachments of the records shown, by the exhibit of the record shown (the first source of its
    timeline entry: the file it was read from), in timeline order, each file once per exhibit."""
    found: dict[str, list[Listed]] = {}
    seen: set[tuple[str, str]] = set()
    for entry in timeline:
        source = entry.sources[0]
        if source.exhibit is None:
            continue
        for sha in entry.record.attachments:
            if (source.exhibit, sha) in seen:
                continue
            seen.add((source.exhibit, sha))
            found.setdefault(source.exhibit, []).append(
                Listed(source.exhibit, source.record_id, source.locator, sha, stored.get(sha))
            )
    return found
