"""The attachments of the records a report shows (an MMS picture, an e-mail's attached file, WhatsApp media):
what the import stored of each, read from the ``records.derived`` ledger entries (SHA-256, size, the name the
source gave), with the media type and, for a picture, its size in pixels, read from the stored object.

The report's appendix (``evidence.report.sections.appendix``) draws a picture (its bytes hashed again as they
are drawn, like an exhibit's screenshot) or lists any other file with its name, type, size and SHA-256.

The stored object is read through the store (decrypted in memory in an encrypted case), its first ``HEAD_BYTES``
only: enough for Pillow's header and for libmagic, which reads no more of a file itself.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Final

from PIL import Image, UnidentifiedImageError

from evidence.errors import DependencyError
from evidence.report.screens import ObjectReader

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
