"""The XML layer of SMS Backup & Restore backups (``importers/smsbackup.py``): the bytes on their way into the
parser (character references to UTF-16 surrogates repaired), the "is this a backup?" look at the root element,
and attribute values as the app writes them (the literal ``null`` means missing).

Not an importer (its name starts with ``_``, so the registry test does not expect it in ``REGISTRY``).
"""

from __future__ import annotations

import codecs
import re
from typing import BinaryIO, Final
from xml.etree.ElementTree import Element

from evidence.importers._utf16 import Utf16ToUtf8Reader, utf16_codec

CHUNK: Final = 64 * 1024

_SKIP_HEAD = re.compile(rb"\s*")
_ROOT_START = re.compile(rb"<(?:smses|calls)[\s>/]")
_CHAR_REF = re.compile(rb"&#(?:x([0-9A-Fa-f]{1,8})|([0-9]{1,10}));")
_CHAR_REF_AT_END = re.compile(rb"&#(?:x([0-9A-Fa-f]{1,8})|([0-9]{1,10}));\Z")
_INTEGER = re.compile(r"[+-]?[0-9]{1,20}")


def _ref_value(match: re.Match[bytes]) -> int:
    hex_digits, dec_digits = match.group(1), match.group(2)
    return int(hex_digits, 16) if hex_digits is not None else int(dec_digits)


def _is_high_surrogate(value: int) -> bool:
    return 0xD800 <= value <= 0xDBFF


def _is_low_surrogate(value: int) -> bool:
    return 0xDC00 <= value <= 0xDFFF


def _is_xml_char(value: int) -> bool:
    return (
        value in (0x9, 0xA, 0xD)
        or 0x20 <= value <= 0xD7FF
        or 0xE000 <= value <= 0xFFFD
        or 0x10000 <= value <= 0x10FFFF
    )


class CharRefRepairingReader:
    """A binary reader for the XML parser that rewrites the character references XML 1.0 forbids.

    SMS Backup & Restore writes characters outside the BMP as two references to UTF-16 surrogates
    (``&#55357;&#56833;``); expat rejects those. Adjacent high+low pairs become one reference to the real
    code point; a lone surrogate or a reference to a character XML forbids becomes ``&#65533;`` (U+FFFD) and is
    counted in ``replaced``. Lines are never added or removed, so the parser's line numbers stay true.
    A reference split across two reads (or a high surrogate at the end of a read) is held back until the next.
    """

    def __init__(self, raw: BinaryIO | Utf16ToUtf8Reader, chunk: int = CHUNK) -> None:
        self._raw = raw
        self._chunk = chunk
        self._carry = b""
        self._done = False
        self.paired = 0
        self.replaced = 0

    def read(self, size: int = -1) -> bytes:
        """Up to about ``size`` bytes (or a chunk), repaired; ``b""`` only at the end of the file."""
        want = size if size > 0 else self._chunk
        while not self._done:
            fresh = self._raw.read(want)
            data = self._carry + fresh
            if not fresh:
                self._done = True
                self._carry = b""
                return self._repair(data)
            cut = self._safe_end(data)
            self._carry = data[cut:]
            out = self._repair(data[:cut])
            if out:
                return out
        return b""

    @staticmethod
    def _safe_end(data: bytes) -> int:
        """Where ``data`` can be cut without splitting a reference or a surrogate pair."""
        cut = len(data)
        amp = data.rfind(b"&", max(0, cut - 16))
        if amp != -1 and b";" not in data[amp:]:
            cut = amp
        tail = _CHAR_REF_AT_END.search(data, max(0, cut - 16), cut)
        if tail is not None and _is_high_surrogate(_ref_value(tail)):
            cut = tail.start()
        return cut

    def _repair(self, data: bytes) -> bytes:
        if b"&#" not in data:
            return data
        matches = list(_CHAR_REF.finditer(data))
        out: list[bytes] = []
        pos = 0
        i = 0
        while i < len(matches):
            match = matches[i]
            value = _ref_value(match)
            if _is_high_surrogate(value) and i + 1 < len(matches):
                low = matches[i + 1]
                low_value = _ref_value(low)
                if low.start() == match.end() and _is_low_surrogate(low_value):
                    combined = 0x10000 + ((value - 0xD800) << 10) + (low_value - 0xDC00)
                    out += [data[pos : match.start()], b"&#%d;" % combined]
                    pos = low.end()
                    self.paired += 1
                    i += 2
                    continue
            if not _is_xml_char(value):
                out += [data[pos : match.start()], b"&#65533;"]
                pos = match.end()
                self.replaced += 1
            i += 1
        out.append(data[pos:])
        return b"".join(out)


def sniff_root(head: bytes) -> bool:
    """Whether ``head`` starts (after a BOM, the declaration, comments, PIs, a doctype) with ``<smses``/``<calls``."""
    codec = utf16_codec(head)
    if codec is not None:
        body = head[2 : len(head) - (len(head) % 2)]
        head = body.decode(codec, "replace").encode("utf-8")
    data = head.removeprefix(codecs.BOM_UTF8)
    pos = 0
    while True:
        skipped = _SKIP_HEAD.match(data, pos)
        pos = skipped.end() if skipped else pos
        if data.startswith(b"<?", pos):
            end = data.find(b"?>", pos + 2)
            if end < 0:
                return False
            pos = end + 2
        elif data.startswith(b"<!--", pos):
            end = data.find(b"-->", pos + 4)
            if end < 0:
                return False
            pos = end + 3
        elif data.startswith(b"<!DOCTYPE", pos):
            # Claimed, so that parse() can reject the DTD with a clear message rather than the file passing
            # as a plain one.
            close = data.find(b">", pos)
            bracket = data.find(b"[", pos)
            if bracket != -1 and (close == -1 or bracket < close):
                subset_end = data.find(b"]", bracket)
                close = data.find(b">", subset_end) if subset_end != -1 else -1
            if close < 0:
                return False
            pos = close + 1
        else:
            return _ROOT_START.match(data, pos) is not None


def attribute(elem: Element, name: str) -> str | None:
    """An attribute, or None when it is absent or the literal ``null``."""
    value = elem.get(name)
    return None if value is None or value == "null" else value


def integer(value: str | None) -> int | None:
    """A whole number as written (sign allowed, surrounding blanks ignored), or None."""
    if value is None or not _INTEGER.fullmatch(value.strip()):
        return None
    return int(value.strip())
