"""Header fields as written: field lines, unfolding, RFC 5322 comments and RFC 2047 encoded words.

The e-mail importer parses with ``policy.compat32`` and decodes every header field here, from its raw bytes:
encoded words are decoded per word, adjacent words in one charset joined before decoding (a multi-byte
character may straddle two words), bad base64 padding is repaired, raw 8-bit bytes are read as UTF-8 or
windows-1252 (see ``charsets``). Also used for the transport headers an Outlook ``.msg`` keeps.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Final

from evidence.importers._mail.charsets import decode_charset, decode_unlabelled, escaped_text, scrub

FIELD_LINE: Final = re.compile(rb"([\x21-\x39\x3b-\x7e]+)[ \t]*:")
_ENCODED_WORD: Final = re.compile(rb"=\?([^?\s]+)\?([bBqQ])\?([^?]*)\?=")
_LINE_BREAK: Final = re.compile(rb"\r?\n")


def _word_payload(kind: bytes, text: bytes) -> bytes:
    """The bytes an encoded word carries; raises binascii.Error when they cannot be recovered."""
    if kind in (b"b", b"B"):
        compact = re.sub(rb"\s+", b"", text).rstrip(b"=")
        if len(compact) % 4 == 1:
            raise binascii.Error("impossible base64 length")
        return base64.b64decode(compact + b"=" * (-len(compact) % 4))
    return binascii.a2b_qp(text, header=True)


def decode_header_bytes(data: bytes, what: str, problems: list[str]) -> str:
    """Decode a header value given as bytes: encoded words (RFC 2047) and raw 8-bit text (RFC 6532 or legacy).

    Whitespace between two encoded words is dropped, as RFC 2047 section 6.2 says; consecutive words in the same
    charset are joined before decoding, since senders split multi-byte characters across words.
    """
    out: list[str] = []
    pending_label: str | None = None
    pending = bytearray()
    pos = 0
    after_word = False

    def flush() -> None:
        nonlocal pending_label
        if pending_label is not None:
            out.append(decode_charset(bytes(pending), pending_label, what, problems))
            pending.clear()
            pending_label = None

    for match in _ENCODED_WORD.finditer(data):
        between = data[pos : match.start()]
        if not (after_word and between.strip(b" \t") == b""):
            flush()
            out.append(scrub(decode_unlabelled(between, what, problems)))
        label = match.group(1).split(b"*", 1)[0].decode("ascii", "replace")
        try:
            payload = _word_payload(match.group(2), match.group(3))
        except (binascii.Error, ValueError):
            flush()
            problems.append(
                f"{what}: encoded word {escaped_text(match.group(0))!r} is damaged, kept as written"
            )
            out.append(escaped_text(match.group(0)))
            after_word = False
            pos = match.end()
            continue
        if pending_label is not None and pending_label.lower() != label.lower():
            flush()
        pending_label = label
        pending.extend(payload)
        after_word = True
        pos = match.end()
    flush()
    out.append(scrub(decode_unlabelled(data[pos:], what, problems)))
    return "".join(out)


def unfold(data: bytes) -> bytes:
    return _LINE_BREAK.sub(b"", data).strip(b" \t")


def strip_comments(text: str) -> str:
    out: list[str] = []
    depth = 0
    escaped = False
    for ch in text:
        if depth:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
            if not depth:
                out.append(" ")
            continue
        if ch == "(":
            depth = 1
            continue
        out.append(ch)
    return " ".join("".join(out).split())


def is_field_line(line: bytes) -> bool:
    """Whether ``line`` starts a header field (``Name: value``)."""
    return FIELD_LINE.match(line) is not None
