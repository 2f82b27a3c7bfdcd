"""Media type from content (libmagic), and whether it agrees with the file's extension.

A PNG named ``.jpg`` or a ZIP named ``.txt`` is worth flagging: it is what a defence lawyer looks for when
suggesting that a file was altered or renamed. The flag is a fact for the record, not an accusation.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path, PurePath
from typing import Any

from evidence.errors import DependencyError

# Types libmagic and the extension table spell differently for the same thing.
_ALIASES = {
    "application/xml": "text/xml",
    "text/x-mail": "message/rfc822",
    "audio/x-m4a": "audio/mp4",
    "audio/mp4a-latm": "audio/mp4",
    "audio/x-wav": "audio/wav",
    "audio/vnd.wave": "audio/wav",
    "video/mp4": "audio/mp4",  # an .m4a is an MP4 container; libmagic often says video/mp4
    "application/x-zip-compressed": "application/zip",
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "audio/mpeg3": "audio/mpeg",
    "audio/x-mpeg-3": "audio/mpeg",
    "text/x-csv": "text/csv",
    "application/csv": "text/csv",
    "application/x-ndjson": "application/json",
}

# Container and text families where the extension legitimately narrows a generic detection.
_GENERIC = {"application/octet-stream", "text/plain", "inode/x-empty", "application/x-empty"}
_ZIP_BASED = {"application/zip"}
_ZIP_EXTENSIONS = {".zip", ".docx", ".xlsx", ".pptx", ".odt", ".ods", ".epub", ".apk", ".jar"}
_BINARY_MEDIA = ("image/", "audio/", "video/", "application/pdf", "application/zip")
_TEXT_EXTENSIONS = {".txt", ".csv", ".xml", ".json", ".eml", ".mbox", ".html", ".htm", ".md", ".vcf", ".ics"}


def _norm(media_type: str) -> str:
    return _ALIASES.get(media_type, media_type)


def detect(path: Path) -> str:
    """The media type of a file from its content, as libmagic tells it."""
    try:
        import magic
    except ImportError as exc:  # the Python binding, or libmagic itself (raised as ImportError)
        raise DependencyError(
            f"cannot detect file types: {exc}",
            hint="run 'make deps' (installs libmagic1 and python-magic)",
        ) from None
    try:
        return str(magic.from_file(str(path), mime=True))
    except (OSError, magic.MagicException) as exc:
        raise DependencyError(f"libmagic failed on {path.name}: {exc}") from None


def extension_mismatch(name: str, detected: str) -> dict[str, Any] | None:
    """When the extension of ``name`` promises another kind of file than ``detected``, say how; else None."""
    suffix = PurePath(name).suffix.lower()
    if not suffix:
        return None
    expected, _ = mimetypes.guess_type("x" + suffix, strict=False)
    detected_n = _norm(detected)
    if detected_n in _GENERIC:
        # Plain text named .csv or .eml, or unknown bytes named .dat: less specific, not contradictory.
        # But text (or unknown bytes) named like a picture, a recording or a PDF is worth a note.
        if detected_n in {"inode/x-empty", "application/x-empty"}:
            return None
        if expected is None or not expected.startswith(_BINARY_MEDIA):
            return None
        return {"extension": suffix, "expected": expected, "detected": detected}
    if expected is None:
        return None
    expected_n = _norm(expected)
    if expected_n == detected_n:
        return None
    if detected_n in _ZIP_BASED and suffix in _ZIP_EXTENSIONS:
        return None
    if detected_n.startswith("text/") and suffix in _TEXT_EXTENSIONS:
        return None
    if detected_n.startswith("message/") and suffix in _TEXT_EXTENSIONS:
        return None
    # Same major type is a mismatch for images (a PNG named .jpg is a re-save or a rename) but not for
    # audio/video containers, whose subtypes libmagic names loosely.
    major_e, major_d = expected_n.split("/")[0], detected_n.split("/")[0]
    if major_e == major_d and major_e in {"audio", "video"}:
        return None
    return {"extension": suffix, "expected": expected, "detected": detected}
