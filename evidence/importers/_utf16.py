"""UTF-16 files read as UTF-8: finding the byte-order mark, and a reader that transcodes as it goes.

Phones and editors sometimes save text as UTF-16 with a BOM (an SMS Backup & Restore XML re-saved on Windows, an
e-mail re-saved as "Unicode"); the parsers downstream want UTF-8 bytes. Shared by the SMS backup and e-mail
importers. Not an importer itself (its name starts with ``_``, so the registry test does not expect it in
``REGISTRY``).
"""

from __future__ import annotations

import codecs
import re
from typing import BinaryIO, Final

CHUNK: Final = 64 * 1024

_UTF16_BOMS: Final = ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_DECLARED_ENCODING = re.compile(rb"""\A(\s*<\?xml[^>]*?\sencoding\s*=\s*)(["'])[^"']*(["'])""")


def utf16_codec(head: bytes) -> str | None:
    """The UTF-16 codec (``utf-16-le``/``utf-16-be``) whose byte-order mark starts ``head``, or None."""
    for bom, codec in _UTF16_BOMS:
        if head.startswith(bom):
            return codec
    return None


class Utf16ToUtf8Reader:
    """A binary reader that decodes a UTF-16 file (after its BOM) and returns UTF-8, for the XML parser.

    The XML declaration's ``encoding="UTF-16"`` is rewritten as ``UTF-8`` (expat would otherwise decode the
    UTF-8 as UTF-16). Undecodable input becomes U+FFFD; ``replaced`` says whether any did."""

    def __init__(self, raw: BinaryIO, codec: str, chunk: int = CHUNK, *, xml: bool = True) -> None:
        self._raw = raw
        self._xml = xml
        self._decoder = codecs.getincrementaldecoder(codec)(errors="strict")
        self._codec = codec
        self._chunk = chunk
        self._first = True
        self._done = False
        self.replaced = False
        raw.read(2)  # the BOM

    def _decode(self, data: bytes, final: bool) -> str:
        pending = self._decoder.getstate()[0]
        try:
            return str(self._decoder.decode(data, final))
        except UnicodeDecodeError:
            # Decode this piece again leniently, with the bytes the strict decoder held back from the last one.
            self.replaced = True
            self._decoder = codecs.getincrementaldecoder(self._codec)(errors="replace")
            return str(self._decoder.decode(pending + data, final))

    def read(self, size: int = -1) -> bytes:
        """Up to about ``size`` bytes of UTF-8; ``b""`` only at the end of the file."""
        while not self._done:
            data = self._raw.read(size if size > 0 else self._chunk)
            if not data:
                self._done = True
            out = self._decode(data, final=self._done).encode("utf-8", "surrogatepass")
            if self._first and out:
                self._first = False
                if self._xml:
                    out = _DECLARED_ENCODING.sub(rb"\1\2UTF-8\3", out, count=1)
            if out:
                return out
        return b""


__all__ = ["CHUNK", "Utf16ToUtf8Reader", "utf16_codec"]
