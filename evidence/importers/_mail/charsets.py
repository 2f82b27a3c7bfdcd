"""Bytes to text the way mail needs it: MIME charset labels resolved, 8-bit bytes without a label guessed.

Charset labels are resolved the way the WHATWG Encoding Standard does (``gb2312`` as GB18030,
``ks_c_5601-1987``/``euc-kr`` as CP949, ``shift_jis`` as CP932, ``iso-8859-1`` as windows-1252); an unknown
charset or invalid bytes are decoded with replacement, and the problem is added to the caller's list (the
importer turns those into warnings). Bytes with no usable label are read as ASCII, else UTF-8 (RFC 6532), else
windows-1252. Lone surrogates, which cannot be stored as UTF-8, become U+FFFD.
"""

from __future__ import annotations

import codecs
import re
from typing import Final

_SURROGATE: Final = re.compile("[\ud800-\udfff]")

# Labels resolved as the WHATWG Encoding Standard does: mail software writes the narrow name and means the
# Windows superset.
_CHARSET_ALIASES: Final = {
    "gb2312": "gb18030",
    "gb_2312-80": "gb18030",
    "csgb2312": "gb18030",
    "chinese": "gb18030",
    "x-gbk": "gb18030",
    "gbk": "gb18030",
    "ks_c_5601-1987": "cp949",
    "ks_c_5601-1989": "cp949",
    "ksc5601": "cp949",
    "ksc_5601": "cp949",
    "korean": "cp949",
    "euc-kr": "cp949",
    "windows-949": "cp949",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "ms_kanji": "cp932",
    "windows-31j": "cp932",
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "iso_8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "iso-8859-9": "cp1254",
    "latin5": "cp1254",
    "iso-8859-11": "cp874",
    "tis-620": "cp874",
    "big5": "big5hkscs",
    "x-mac-roman": "mac_roman",
}

_ASCII_LABELS: Final = frozenset({"us-ascii", "ascii", "ansi_x3.4-1968", "iso646-us", "us"})

# Python codecs that are not character sets a mail could use, some of which invent characters.
_REFUSED_CODECS: Final = frozenset({"unicode_escape", "raw_unicode_escape", "idna", "punycode", "undefined"})


def scrub(text: str) -> str:
    """Replace lone surrogates (they cannot be stored as UTF-8) with U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


def escaped_text(data: bytes) -> str:
    """Bytes as text for ``raw``: UTF-8 where valid, ``\\xNN`` for the rest (lossless to read back)."""
    return data.decode("utf-8", "backslashreplace")


def _codec(label: str | None) -> str | None:
    """The Python codec for a MIME charset label, or None when unknown (or not a character set)."""
    if not label:
        return None
    norm = label.strip().strip("\"'").lower()
    norm = _CHARSET_ALIASES.get(norm, norm)
    try:
        name = codecs.lookup(norm).name
    except (LookupError, ValueError):
        return None
    return None if name in _REFUSED_CODECS else name


def decode_unlabelled(data: bytes, what: str, problems: list[str]) -> str:
    """Bytes without a usable charset: ASCII, else UTF-8, else windows-1252 (warned)."""
    if data.isascii():
        return data.decode("ascii")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        problems.append(f"{what}: 8-bit bytes that are not UTF-8, read as windows-1252")
        return data.decode("cp1252", "replace")


def decode_charset(data: bytes, label: str | None, what: str, problems: list[str]) -> str:
    """Decode ``data`` in the charset ``label``; unknown charsets and invalid bytes are replaced and warned."""
    if label is None or label.strip().strip("\"'").lower() in _ASCII_LABELS:
        if label is not None and not data.isascii():
            problems.append(f"{what}: declared {label} but has 8-bit bytes")
        return scrub(decode_unlabelled(data, what, [] if label is not None else problems))
    codec = _codec(label)
    if codec is None:
        problems.append(f"{what}: unknown charset {label!r}, read as UTF-8 or windows-1252")
        return scrub(decode_unlabelled(data, what, []))
    try:
        return scrub(data.decode(codec))
    except UnicodeDecodeError:
        if codec != "utf-8" and not data.isascii():
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                pass
            else:
                problems.append(
                    f"{what}: declared {label} but is valid UTF-8 (not valid {label}); read as UTF-8"
                )
                return scrub(text)
        problems.append(f"{what}: bytes that are not valid {label} were replaced")
    except LookupError:
        problems.append(f"{what}: charset {label!r} cannot decode text, read as UTF-8 or windows-1252")
        return scrub(decode_unlabelled(data, what, []))
    return scrub(data.decode(codec, "replace"))


def raw_bytes(value: str) -> bytes:
    """A header value as the parser stored it (8-bit bytes as surrogate escapes) back to its bytes."""
    return value.encode("utf-8", "surrogateescape")


def repair(text: str) -> str:
    """A string from the standard library that may hold surrogate-escaped bytes: decode those bytes properly."""
    if not _SURROGATE.search(text):
        return text
    return scrub(decode_unlabelled(raw_bytes(text), "text", []))
