"""The attachments of the records a report shows (an MMS picture, an e-mail's attached file, WhatsApp media):
what the import stored of each, read from the ``records.derived`` ledger entries (SHA-256, size, the name the
source gave), with the media type and, for a picture, its size in pixels, read from the stored object.

The report's appendix (``evidence.report.sections.appendix``) draws a picture (its bytes hashed again as they
are drawn, like an exhibit's screenshot) or lists any other file with its name, type, size and SHA-256.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

PICTURE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}


@dataclass(frozen=True)
class Attachment:
    """One stored attachment: ``width`` and ``height`` are set when it is a picture the report can draw."""

    sha256: str
    name: str | None
    size: int
    media_type: str
    path: Path
    width: int | None = None
    height: int | None = None
    is_jpeg: bool = False

    @property
    def is_picture(self) -> bool:
        """Whether the report draws it."""
        return self.width is not None and self.height is not None


def describe(path: Path, sha256: str, name: str | None, size: int) -> Attachment:
    """What the stored object at ``path`` is: a picture Pillow reads (format and pixels from its header), or
    any other file (its type from its content, as libmagic tells it)."""
    try:
        with Image.open(path) as im:
            fmt, (width, height) = im.format or "", im.size
    except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError):
        fmt, width, height = "", 0, 0
    if fmt in PICTURE_FORMATS and width > 0 and height > 0:
        return Attachment(sha256, name, size, PICTURE_FORMATS[fmt], path, width, height, fmt == "JPEG")
    from evidence import media

    return Attachment(sha256, name, size, media.detect(path), path)
