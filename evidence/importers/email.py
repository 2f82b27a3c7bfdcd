"""E-mail: single messages (``.eml``, raw RFC 5322, also named ``.txt``) and mbox files (Gmail Takeout, Thunderbird).

Formats: RFC 5322 (header fields), MIME (RFC 2045-2049), encoded words (RFC 2047), parameter encoding (RFC 2231),
UTF-8 header fields (RFC 6532); mbox as described by RFC 4155 and its variants; the corpus notes are in
``corpus/FORMATS.md`` section 3. One record per message, located as ``message`` (a single message) or
``message 3 of the mbox`` (1-based, counting every message found, also the ones skipped with a warning).

How fields are read:

- Structure: ``email.parser.BytesParser`` with ``policy.compat32``. ``policy.default`` was the first choice,
  but it parses every MIME header into objects while it reads, which took minutes on hostile input (a
  Content-Type with 100,000 parameters; 10,000 parts) where compat32 takes well under a second, and its header
  objects lose information on real mail (8-bit bytes become U+FFFD, ``alice@example.com <bob@example.com>``
  becomes alice, a ``(EDT)`` comment before the offset turns ``-0400`` into ``-0000``) or raise (group syntax
  with a comment). So header fields are decoded here, from their raw bytes. Raw 8-bit header bytes are read
  as UTF-8 (RFC 6532) or else windows-1252, with a warning; encoded words are decoded per word, adjacent words
  in one charset joined before decoding (a multi-byte character may straddle two words); bad base64 padding is
  repaired. Charset labels are resolved the way the WHATWG Encoding Standard does (``gb2312`` as GB18030,
  ``ks_c_5601-1987``/``euc-kr`` as CP949, ``shift_jis`` as CP932, ``iso-8859-1`` as windows-1252); an unknown
  charset or invalid bytes are decoded with replacement, with a warning. Every header field is kept in
  ``raw["headers"]`` as ``[name, value]`` (decoded, unfolded), plus a third element, the field as written
  (folded; non-UTF-8 bytes as ``\\xNN``), when that differs.
- Parties: ``sender`` is the first address of ``From`` (else ``Sender``); ``recipients`` are the addresses of
  ``To``, ``Cc`` and ``Bcc``, in order, without repeats. An address list is split at top-level commas with a
  small scanner (quotes, comments, angle brackets, groups), then each entry is read with
  ``email.utils.parseaddr``; ``email.utils.getaddresses`` itself is not used because on Python 3.11 it splits
  ``alice@example.com <bob@example.com>`` into two addresses (and a display name that is itself another address
  is a spoofing pattern: it is warned). Display names are kept in ``raw["from"]``, ``raw["to"]``, ... as
  ``{"name", "address"}``. ``direction`` is unknown: the importer does not know whose mailbox this is.
- Time, in order of preference:
  1. the ``Date`` header with its offset (``time_source`` header-date). ``-0000`` and unknown zone names mean,
     per RFC 5322 sections 3.3 and 4.3, a time in UTC from a sender whose own zone is unknown: the instant is
     exact, so it is kept in UTC with ``tz_assumed`` False, and warned. A date with no zone at all is wall-clock
     time: the import's zone is applied (``tz_assumed`` True, ``tz_name``), with the usual DST warnings;
  2. when ``Date`` is missing or not a date: the newest ``Received`` header's time (the top-most one whose
     date parses; ``time_source`` received), warned;
  3. when no ``Received`` header has a date either: the latest date with an explicit zone found in any other
     header field (``Resent-Date``, ``Delivery-Date``, ``X-Apparently-To``, ...), then the mbox ``From `` line's
     delivery time (wall-clock, the import's zone applied); ``time_source`` received (they are all transport
     stamps), with the header named in ``raw["date"]`` and a warning;
  4. nothing at all: the message is skipped with a warning naming its locator (a record must have a time, and
     the importer cannot know when the file was acquired). The original stays in the case regardless.
- Text: ``text/plain`` is preferred over HTML in a ``multipart/alternative`` (unless it holds only white
  space); HTML alone is turned into readable text (script, style and title dropped; line breaks for ``<br>``,
  ``<p>``, ``<div>`` and other block elements; entities decoded) by a small linear scanner, because
  ``html.parser`` is quadratic on hostile markup in the Python versions supported (400 kB of ``<a`` took three
  minutes); ``format=flowed`` is unwrapped; the inline text parts of a ``multipart/mixed`` are joined.
- Attachments: every leaf part with a file name, with ``Content-Disposition: attachment``, or whose type is
  neither ``text/plain`` nor ``text/html`` (images of an HTML body, ``message/rfc822``, ``message/delivery-status``,
  TNEF, ...) is yielded as a Blob (once per distinct content per file) before the record that lists its SHA-256;
  the blob is named by the decoded file name (RFC 2231 or RFC 2047). ``raw["attachments"]`` describes each one.
- DKIM: ``raw["dkim"]`` says whether a ``DKIM-Signature`` is present, its ``d=`` and ``s=``, and the result.
  Verification needs the signer's public key, normally from DNS; this importer never opens a socket. It verifies
  (dkimpy) only when given a ``dnsfunc`` that can answer offline; otherwise the result is
  ``not-checked: no key available offline``.
- MIME defects the parser noticed are kept in ``raw["defects"]`` and warned (one warning per message).

mbox splitting: a separator is a line that looks like a postmark (``From sender``, optionally with an asctime
date), is followed by a header field line, and either opens the file (after an optional UTF-8 BOM), follows an
empty line, or cannot be mistaken for text (it has a date, or is ``From -`` or ``From a@b``: Thunderbird does
not always leave an empty line). So unescaped body lines such as ``From time to time`` (mboxo) do not split a
message, where ``mailbox.mbox`` would. The file is read in bounded pieces, one message at a time.

Known limits: ``>From`` quoting in mbox bodies is left as written (mboxo and mboxrd cannot be told apart), so a
DKIM body hash over such a line fails; the bytes of a ``message/rfc822`` (or other ``message/*``) attachment are
regenerated from the parsed structure (exact for well-formed parts, not guaranteed for broken ones); S/MIME and
PGP are not decrypted or verified (their parts are kept as attachments); TNEF (``winmail.dat``) is not unpacked;
HTML ``<meta charset>`` is not consulted when the MIME part names no charset. Hostile input is bounded: a message
larger than ``MAX_MESSAGE_BYTES``, or with a Content-Type field longer than ``MAX_CONTENT_TYPE``, is skipped
with a warning; only ``MAX_PARTS`` parts and ``MAX_MIME_DEPTH`` levels are read; HTML beyond ``MAX_HTML_CHARS``
is cut.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from email import policy as email_policy
from email.errors import HeaderParseError, MessageError
from email.message import Message
from email.parser import BytesParser
from email.utils import parseaddr, parsedate_to_datetime, unquote
from html import unescape as unescape_html
from typing import Any, BinaryIO, ClassVar, Final, Protocol

import dkim

from evidence.errors import InputError
from evidence.importers._utf16 import Utf16ToUtf8Reader, utf16_codec
from evidence.importers._wall import Wall, localize
from evidence.importers.base import Importer, Source, Yielded
from evidence.models import Blob, Channel, Direction, ImportOptions, ImportWarning, Record, TimeSource

NAME: Final = "email"
VERSION: Final = "1.0.0"

# One message; a larger one is skipped with a warning (its original stays stored). Gmail refuses messages over
# 50 MB, and parsing keeps about a dozen copies of a message in memory, so 50 MiB bounds memory near 600 MiB.
MAX_MESSAGE_BYTES: Final = 50 * 1024 * 1024
MAX_MIME_DEPTH: Final = 40  # nesting of multiparts and attached messages followed
MAX_PARTS: Final = 5_000  # MIME parts looked at per message
MAX_HTML_CHARS: Final = 4 * 1024 * 1024  # HTML converted to text; the rest is cut (warned)
MAX_MIME_FIELD: Final = 16 * 1024  # Content-Type/-Disposition parameters read from at most this many bytes
MAX_CONTENT_TYPE: Final = 64 * 1024  # a longer Content-Type field anywhere: the message is not parsed
MAX_LINE: Final = 1024 * 1024  # mbox lines are read in pieces of at most this many bytes
NO_KEY: Final = "not-checked: no key available offline"

_BOM: Final = b"\xef\xbb\xbf"
# compat32, not policy.default: the structure is the same, but policy.default parses every MIME header into
# objects while reading, which took minutes on hostile input (100,000 parameters in one Content-Type) and
# raises on some broken fields; header fields are decoded by this module anyway.
_PARSE_POLICY: Final = email_policy.compat32
# Regenerating an attached message: no refolding, no line-length limit, 8-bit bytes kept.
_GEN_POLICY: Final = email_policy.default.clone(refold_source="none", max_line_length=0)

# Errors the standard library's MIME parameter and payload code can raise on broken header fields; caught only
# around those calls, never around our own code.
_HEADER_ERRORS: Final = (ValueError, IndexError, TypeError, AttributeError, LookupError, HeaderParseError)

_SNIFF_NAMES: Final = frozenset(
    {b"from", b"to", b"subject", b"date", b"message-id", b"received", b"mime-version", b"return-path"}
)
# Counted too, once the first header block holds nothing but header fields.
_SNIFF_MORE: Final = frozenset(
    {
        b"cc",
        b"bcc",
        b"reply-to",
        b"sender",
        b"content-type",
        b"content-transfer-encoding",
        b"delivered-to",
        b"in-reply-to",
        b"references",
        b"dkim-signature",
        b"x-mailer",
        b"user-agent",
        b"authentication-results",
    }
)
_FIELD_LINE: Final = re.compile(rb"([\x21-\x39\x3b-\x7e]+)[ \t]*:")
_ASCTIME: Final = re.compile(
    rb"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) +(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +(\d{1,2})"
    rb" +(\d{1,2}):(\d{2})(?::(\d{2}))?(?: +([+-]\d{4}|[A-Z]{1,5}(?: DST)?))? +(\d{4})"
)
_MONTHS: Final = {m: i for i, m in enumerate(b"Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), 1)}
_ENCODED_WORD: Final = re.compile(rb"=\?([^?\s]+)\?([bBqQ])\?([^?]*)\?=")
_CONTENT_TYPE_FIELD: Final = re.compile(rb"(?im)^content-type[ \t]*:[^\n]*(?:\n[ \t][^\n]*)*")
_LINE_BREAK: Final = re.compile(rb"\r?\n")
_SURROGATE: Final = re.compile("[\ud800-\udfff]")
_SPACES: Final = re.compile(r"[ \t\r\n\f\v]+")
_MANY_NEWLINES: Final = re.compile(r"\n{3,}")
_NUMERIC_ZONE: Final = re.compile(r"[+-]\d{4}")
_ALPHA_ZONE: Final = re.compile(r"[A-Za-z]{1,5}")
_DATE_WORDS: Final = frozenset(
    [
        "jan",
        "feb",
        "mar",
        "apr",
        "may",
        "jun",
        "jul",
        "aug",
        "sep",
        "oct",
        "nov",
        "dec",
        "mon",
        "tue",
        "wed",
        "thu",
        "fri",
        "sat",
        "sun",
    ]
)
_LOOKS_LIKE_ADDRESS: Final = re.compile(r"[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+")
_NOT_IN_ADDRESS: Final = re.compile(r"[\s:;,<>()]")
_ADDRESS_FIELDS: Final = ("from", "sender", "to", "cc", "bcc", "reply-to")

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


class DnsFunc(Protocol):
    """How dkimpy asks for a TXT record: ``dnsfunc(b"sel._domainkey.example.com.", timeout=5)``."""

    def __call__(self, name: bytes, timeout: int = 5) -> bytes | None:
        """The TXT record's text, or None when there is none."""


# -- small text helpers ---------------------------------------------------------------------------------------


def _scrub(text: str) -> str:
    """Replace lone surrogates (they cannot be stored as UTF-8) with U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


def _escaped(data: bytes) -> str:
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


def _decode_unlabelled(data: bytes, what: str, problems: list[str]) -> str:
    """Bytes without a usable charset: ASCII, else UTF-8, else windows-1252 (warned)."""
    if data.isascii():
        return data.decode("ascii")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        problems.append(f"{what}: 8-bit bytes that are not UTF-8, read as windows-1252")
        return data.decode("cp1252", "replace")


def _decode_charset(data: bytes, label: str | None, what: str, problems: list[str]) -> str:
    """Decode ``data`` in the charset ``label``; unknown charsets and invalid bytes are replaced and warned."""
    if label is None or label.strip().strip("\"'").lower() in _ASCII_LABELS:
        if label is not None and not data.isascii():
            problems.append(f"{what}: declared {label} but has 8-bit bytes")
        return _scrub(_decode_unlabelled(data, what, [] if label is not None else problems))
    codec = _codec(label)
    if codec is None:
        problems.append(f"{what}: unknown charset {label!r}, read as UTF-8 or windows-1252")
        return _scrub(_decode_unlabelled(data, what, []))
    try:
        return _scrub(data.decode(codec))
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
                return _scrub(text)
        problems.append(f"{what}: bytes that are not valid {label} were replaced")
    except LookupError:
        problems.append(f"{what}: charset {label!r} cannot decode text, read as UTF-8 or windows-1252")
        return _scrub(_decode_unlabelled(data, what, []))
    return _scrub(data.decode(codec, "replace"))


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
            out.append(_decode_charset(bytes(pending), pending_label, what, problems))
            pending.clear()
            pending_label = None

    for match in _ENCODED_WORD.finditer(data):
        between = data[pos : match.start()]
        if not (after_word and between.strip(b" \t") == b""):
            flush()
            out.append(_scrub(_decode_unlabelled(between, what, problems)))
        label = match.group(1).split(b"*", 1)[0].decode("ascii", "replace")
        try:
            payload = _word_payload(match.group(2), match.group(3))
        except (binascii.Error, ValueError):
            flush()
            problems.append(f"{what}: encoded word {_escaped(match.group(0))!r} is damaged, kept as written")
            out.append(_escaped(match.group(0)))
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
    out.append(_scrub(_decode_unlabelled(data[pos:], what, problems)))
    return "".join(out)


def _raw_bytes(value: str) -> bytes:
    """A header value as the parser stored it (8-bit bytes as surrogate escapes) back to its bytes."""
    return value.encode("utf-8", "surrogateescape")


def _unfold(data: bytes) -> bytes:
    return _LINE_BREAK.sub(b"", data).strip(b" \t")


def _repair(text: str) -> str:
    """A string from the standard library that may hold surrogate-escaped bytes: decode those bytes properly."""
    if not _SURROGATE.search(text):
        return text
    return _scrub(_decode_unlabelled(_raw_bytes(text), "text", []))


# -- addresses ------------------------------------------------------------------------------------------------


def split_address_list(value: str) -> list[str]:
    """Split an address list at top-level commas (and group ends); group names are dropped.

    A linear scan that knows quoted strings, nested comments and angle brackets, so a comma inside a quoted
    display name, a comment or an encoded word does not split an address.
    """
    items: list[str] = []
    buf: list[str] = []
    in_quote = in_angle = escaped = False
    comment = 0
    for ch in value:
        if escaped:
            buf.append(ch)
            escaped = False
            continue
        if in_quote or comment:
            buf.append(ch)
            if ch == "\\":
                escaped = True
            elif in_quote and ch == '"':
                in_quote = False
            elif comment and ch == "(":
                comment += 1
            elif comment and ch == ")":
                comment -= 1
            continue
        if ch == '"':
            in_quote = True
        elif ch == "(":
            comment = 1
        elif ch == "<":
            in_angle = True
        elif ch == ">":
            in_angle = False
        elif not in_angle and ch in ",;":
            items.append("".join(buf))
            buf = []
            continue
        elif not in_angle and ch == ":":
            buf = []  # "group-name:" opens a group; its members follow
            continue
        buf.append(ch)
    items.append("".join(buf))
    return [item.strip() for item in items if item.strip()]


def parse_address(item: str) -> tuple[str, str]:
    """One address as (display name, address); the display name still holds any encoded words."""
    close = item.rfind(">")
    open_ = item.rfind("<", 0, close if close >= 0 else len(item))
    if open_ >= 0:
        display = item[:open_].strip()
        address = item[open_ + 1 : close if close > open_ else len(item)].strip()
        if address.startswith("@") and ":" in address:  # obsolete source route: @a,@b:user@host
            address = address.rsplit(":", 1)[1]
        if len(display) >= 2 and display[0] == display[-1] == '"':
            display = unquote(display)
        return " ".join(display.split()), "".join(address.split())
    if len(item) > 1000:
        return "", item  # parseaddr is slow on long hostile input; such an entry is kept but not read
    try:
        name, address = parseaddr(item)
    except RecursionError:  # deeply nested comments
        name, address = "", ""
    if not name and not address:
        return "", _strip_comments(item)
    return " ".join(name.split()), address.strip()


# -- dates ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedDate:
    """A date read from a header: an aware ``moment``, or only ``wall`` when the source named no zone.

    ``zone`` is "offset" (an explicit offset or a known zone name), "-0000" or "unknown-name" (UTC from a
    sender whose own zone is unknown: RFC 5322 sections 3.3 and 4.3), or "none" (wall-clock time).
    """

    moment: datetime | None
    wall: Wall
    zone: str


def _strip_comments(text: str) -> str:
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


def parse_date(text: str) -> ParsedDate | None:
    """An RFC 5322 date-time (tolerant: comments anywhere, missing weekday or seconds), or None."""
    cleaned = _strip_comments(text)
    if not cleaned or len(cleaned) > 200:
        return None
    try:
        moment = parsedate_to_datetime(cleaned)
    except (ValueError, TypeError, IndexError, OverflowError):
        return None
    if moment is None:
        return None
    wall = (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)
    if moment.tzinfo is not None:
        try:
            moment.astimezone(UTC)
        except OverflowError:
            return None
        return ParsedDate(moment, wall, "offset")
    last = cleaned.split()[-1]
    if last == "-0000":
        return ParsedDate(moment.replace(tzinfo=UTC), wall, "-0000")
    if _ALPHA_ZONE.fullmatch(last) and last.lower()[:3] not in _DATE_WORDS:
        return ParsedDate(moment.replace(tzinfo=UTC), wall, "unknown-name")
    return ParsedDate(None, wall, "none")


def _from_line_date(line: bytes) -> ParsedDate | None:
    """The delivery time of an mbox ``From `` line (asctime, sometimes with a numeric zone)."""
    match = _ASCTIME.search(line)
    if match is None:
        return None
    _, mon, day, hour, minute, second, zone_text, year = match.groups()
    wall = (int(year), _MONTHS[mon], int(day), int(hour), int(minute), int(second or b"0"))
    offset: timezone | None = None
    if zone_text and _NUMERIC_ZONE.fullmatch(zone_text.decode("ascii")):
        sign = -1 if zone_text[:1] == b"-" else 1
        minutes = int(zone_text[1:3]) * 60 + int(zone_text[3:5])
        if minutes < 24 * 60 and (minutes or sign > 0):
            offset = timezone(sign * timedelta(minutes=minutes))
    try:
        moment = datetime(*wall, tzinfo=offset or UTC)
    except ValueError:
        return None
    return ParsedDate(moment, wall, "offset") if offset is not None else ParsedDate(None, wall, "none")


# -- HTML to text ---------------------------------------------------------------------------------------------

# html.parser is quadratic on some hostile input in the Python versions we support (many "<" that never close:
# 400 kB took minutes), so HTML is read with this small linear scanner instead: every search moves forward.
_MARKUP: Final = re.compile(r"<(?:/?[A-Za-z]|!|\?)")
_TAG: Final = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]{0,40})")
_SKIPPED_ELEMENTS: Final = frozenset({"script", "style", "title", "template"})
_BLOCK_ELEMENTS: Final = frozenset(
    {
        "p",
        "div",
        "tr",
        "li",
        "ul",
        "ol",
        "table",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "pre",
        "hr",
        "section",
        "article",
        "header",
        "footer",
        "dl",
        "dt",
        "dd",
        "address",
        "center",
        "form",
        "fieldset",
    }
)


def html_to_text(html: str) -> str:
    """Readable text from HTML: no script, style or title; a line break where a browser would break a line.

    Entities are decoded (``html.unescape``); white space is collapsed outside ``<pre>``; an unfinished tag or
    comment at the end is dropped, as browsers do; a ``<`` that does not start a tag is text.
    """
    out: list[str] = []
    lower = html.lower()
    end = len(html)
    pos = 0
    pre = 0

    def add_text(segment: str) -> None:
        if segment:
            text = unescape_html(segment)
            out.append(text if pre else _SPACES.sub(" ", text))

    while pos < end:
        start = _MARKUP.search(html, pos)
        if start is None:
            add_text(html[pos:])
            break
        lt = start.start()
        add_text(html[pos:lt])
        if html.startswith("<!--", lt):
            close = html.find("-->", lt + 4)
            pos = end if close < 0 else close + 3
            continue
        if html.startswith(("<!", "<?"), lt):
            close = html.find(">", lt)
            pos = end if close < 0 else close + 1
            continue
        match = _TAG.match(html, lt)
        assert match is not None  # _MARKUP found "<x" or "</x"
        close = html.find(">", match.end())
        if close < 0:
            break
        pos = close + 1
        closing, name = match.group(1) == "/", match.group(2).lower()
        if not closing and name in _SKIPPED_ELEMENTS and html[close - 1] != "/":
            stop = lower.find("</" + name, pos)
            after = lower.find(">", stop) if stop >= 0 else -1
            pos = end if after < 0 else after + 1
            continue
        if name == "br" or name in _BLOCK_ELEMENTS:
            out.append("\n")
        elif closing and name in ("td", "th"):
            out.append(" ")
        if name == "pre":
            pre = max(0, pre - 1) if closing else pre + 1
    joined = "".join(out).replace("\xa0", " ")
    lines = [line.strip() for line in joined.split("\n")]
    return _MANY_NEWLINES.sub("\n\n", "\n".join(lines)).strip()


def _unflow(text: str, delsp: bool) -> str:
    """Undo RFC 3676 ``format=flowed``: a line ending in a space continues on the next one."""
    out: list[str] = []
    current = ""
    for line in text.split("\n"):
        if line.startswith(" "):
            line = line[1:]  # space-stuffing
        if line.endswith(" ") and line != "-- ":
            current += line[:-1] if delsp else line
        else:
            out.append(current + line)
            current = ""
    if current:
        out.append(current)
    return "\n".join(out)


# -- mbox -----------------------------------------------------------------------------------------------------


def is_field_line(line: bytes) -> bool:
    """Whether ``line`` starts a header field (``Name: value``)."""
    return _FIELD_LINE.match(line) is not None


def is_postmark(line: bytes) -> bool:
    """Whether ``line`` looks like an mbox separator: ``From sender`` alone or followed by an asctime date."""
    if not line.startswith(b"From ") or len(line) > 1000:
        return False
    return len(line[5:].split(None, 1)) <= 1 or _ASCTIME.search(line) is not None


def _strong_postmark(line: bytes) -> bool:
    """A postmark no body line is likely to imitate: with a date, ``From -`` (Thunderbird) or ``From a@b``."""
    parts = line[5:].split(None, 1)
    return _ASCTIME.search(line) is not None or (len(parts) == 1 and (parts[0] == b"-" or b"@" in parts[0]))


@dataclass
class _MboxMessage:
    index: int
    postmark: bytes
    chunks: list[bytes] = field(default_factory=list)
    size: int = 0
    oversized: bool = False


def _lines(fh: BinaryIO) -> Iterator[tuple[bytes, bool]]:
    """The file's lines in pieces of at most MAX_LINE bytes; the flag says whether a piece starts a line."""
    starts = True
    while True:
        piece = fh.readline(MAX_LINE)
        if not piece:
            return
        yield piece, starts
        starts = piece.endswith(b"\n")


def split_mbox(fh: BinaryIO, limit: int) -> Iterator[tuple[int, bytes, bytes | None, int]]:
    """Yield ``(index, postmark, message bytes or None when over limit, size)`` for each message of an mbox.

    A separator is a postmark line followed by a header field line, and either preceded by an empty line or
    unmistakable on its own (Thunderbird writes ``From -`` right after the previous message's last line).
    """
    current: _MboxMessage | None = None
    held: bytes | None = None  # a possible separator, waiting for the next line to decide
    previous_blank = True
    count = 0

    def add(msg: _MboxMessage, piece: bytes) -> None:
        msg.size += len(piece)
        if msg.size > limit:
            msg.oversized = True
            msg.chunks.clear()
        elif not msg.oversized:
            msg.chunks.append(piece)

    def finish(msg: _MboxMessage) -> tuple[int, bytes, bytes | None, int]:
        data = b"".join(msg.chunks)
        # The blank line before the next postmark belongs to the mbox, not to the message.
        if data.endswith(b"\r\n\r\n"):
            data = data[:-2]
        elif data.endswith(b"\n\n"):
            data = data[:-1]
        return msg.index, msg.postmark, (None if msg.oversized else data), msg.size

    first = True
    for piece, starts in _lines(fh):
        if first:
            piece = piece.removeprefix(_BOM)
            first = False
        if held is not None:
            if starts and is_field_line(piece):
                if current is not None:
                    yield finish(current)
                count += 1
                current = _MboxMessage(count, held.rstrip(b"\r\n"))
            elif current is not None:
                add(current, held)
            held = None
        line = piece.rstrip(b"\r\n")
        if starts and is_postmark(line) and (previous_blank or _strong_postmark(line)):
            held = piece
            previous_blank = False
            continue
        if current is not None:
            add(current, piece)
        previous_blank = starts and piece in (b"\n", b"\r\n")
    if held is not None and current is not None:
        add(current, held)
    if current is not None:
        yield finish(current)


# -- the importer ---------------------------------------------------------------------------------------------


@dataclass
class _Header:
    name: str
    raw: bytes  # as written, folded
    value: str  # decoded, unfolded


@dataclass
class _Time:
    moment: datetime
    source: TimeSource
    tz_assumed: bool
    tz_name: str | None
    info: dict[str, Any]


@dataclass
class _Walk:
    texts: list[str] = field(default_factory=list)
    text_types: list[str] = field(default_factory=list)
    attachments: list[tuple[str, Message]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)
    parts: int = 0
    cut: bool = False


def _mime_view(part: Message) -> Message:
    """The part's Content-Type and Content-Disposition with 8-bit bytes decoded (UTF-8, else windows-1252).

    The standard library would turn a raw 8-bit file name into U+FFFD; an over-long field keeps only its type
    (parameter parsing is quadratic in the number of parameters).
    """
    view = Message(policy=email_policy.compat32)
    view.set_default_type(part.get_default_type())  # message/rfc822 inside a multipart/digest
    for name, value in part.raw_items():
        if name.lower() in ("content-type", "content-disposition"):
            raw = _raw_bytes(value)
            if len(raw) > MAX_MIME_FIELD:
                raw = raw.split(b";", 1)[0][:200]
            view[name] = _decode_unlabelled(raw, name, [])
    return view


def _safe_call(part: Message, getter: Callable[[Message], Any], default: Any) -> Any:
    """Read a MIME parameter; a header field the standard library cannot read gives ``default``."""
    try:
        return getter(_mime_view(part))
    except (*_HEADER_ERRORS, UnicodeError):
        return default


def hostile_structure(data: bytes) -> str | None:
    """Why ``data`` should not be given to the MIME parser at all, or None.

    The parser reads every multipart's Content-Type parameters while it splits the message, in time quadratic
    in their number; no real message has a Content-Type field anywhere near MAX_CONTENT_TYPE bytes.
    """
    for match in _CONTENT_TYPE_FIELD.finditer(data):
        if match.end() - match.start() > MAX_CONTENT_TYPE:
            return f"a Content-Type field longer than {MAX_CONTENT_TYPE} bytes"
    return None


def _has_content(part: Message) -> bool:
    try:
        payload = part.get_payload(decode=True)
    except _HEADER_ERRORS:
        return True
    return not isinstance(payload, bytes) or bool(payload.strip())


def _content_type(part: Message) -> str:
    return str(_safe_call(part, lambda p: p.get_content_type(), "text/plain")).lower()


def _filename(part: Message, problems: list[str], what: str) -> str | None:
    name = _safe_call(part, lambda p: p.get_filename(), None)
    if name is None:
        return None
    text = _repair(str(name))
    if "=?" in text:
        text = decode_header_bytes(_raw_bytes(text), what, problems)
    return text.strip() or None


def _disposition(part: Message) -> str | None:
    value = _safe_call(part, lambda p: p.get_content_disposition(), None)
    return str(value).lower() if value else None


def _param(part: Message, name: str) -> str | None:
    value = _safe_call(part, lambda p: p.get_param(name), None)
    if value is None or isinstance(value, tuple):
        return None
    return _repair(str(value))


class EmailImporter(Importer):
    """Single e-mail messages (.eml, RFC 5322) and mbox files."""

    name: ClassVar[str] = NAME
    version: ClassVar[str] = VERSION
    description: ClassVar[str] = (
        "E-mail messages: .eml (RFC 5322 / MIME) and mbox files (Gmail Takeout, Thunderbird)"
    )

    def __init__(self, dnsfunc: DnsFunc | None = None, *, max_message_bytes: int = MAX_MESSAGE_BYTES) -> None:
        """``dnsfunc`` answers DKIM key lookups offline (dkimpy's interface); without it DKIM is not checked."""
        self._dnsfunc = dnsfunc
        self._max_bytes = max_message_bytes

    # -- recognising ----------------------------------------------------------------------------------------

    def sniff(self, head: bytes, source: Source) -> bool:
        """An mbox postmark followed by a header field, or a header block with known e-mail fields."""
        codec = utf16_codec(head)
        if codec is not None:  # a message re-saved as "Unicode" by an editor: read as its text (see parse)
            head = head[2 : len(head) - (len(head) % 2)].decode(codec, "replace").encode("utf-8")
        lines = head.removeprefix(_BOM).split(b"\n", 400)[:400]
        lines = [line.rstrip(b"\r") for line in lines]
        if not lines or not lines[0]:
            return False
        if is_postmark(lines[0]) and len(lines) > 1 and is_field_line(lines[1]):
            return True
        known = more = 0
        whole_block = False
        for line in lines:
            if not line:
                whole_block = True
                break
            if line[:1] in (b" ", b"\t"):
                continue
            match = _FIELD_LINE.match(line)
            if match is None:
                break
            field_name = match.group(1).lower()
            known += field_name in _SNIFF_NAMES
            more += field_name in _SNIFF_MORE
        if known >= 2 or (whole_block and known + more >= 2):
            return True
        first = _FIELD_LINE.match(lines[0])
        return (
            known == 1
            and source.name.lower().endswith(".eml")
            and first is not None
            and first.group(1).lower() in _SNIFF_NAMES
        )

    # -- reading --------------------------------------------------------------------------------------------

    def parse(self, source: Source, options: ImportOptions) -> Iterator[Yielded]:
        """Yield the records (and attachments, warnings) of one .eml or mbox file."""
        seen: set[str] = set()
        try:
            with open(source.path, "rb") as fh:
                codec = utf16_codec(fh.read(2))
                fh.seek(0)
                if codec is None:
                    yield from self._read(fh, source, options, seen)
                else:
                    yield from self._read_utf16(fh, codec, source, options, seen)
        except OSError as exc:
            raise InputError(f"cannot read ({exc.strerror})", path=source.name) from None

    def _read(
        self, fh: BinaryIO, source: Source, options: ImportOptions, seen: set[str]
    ) -> Iterator[Yielded]:
        head = fh.read(4096).removeprefix(_BOM)
        fh.seek(0)
        if not head.strip():
            raise InputError("empty file: no e-mail message in it", path=source.name)
        first, _, rest = head.partition(b"\n")
        if is_postmark(first.rstrip(b"\r")) and is_field_line(rest):
            for index, postmark, data, size in split_mbox(fh, self._max_bytes):
                locator = f"message {index} of the mbox"
                if data is None:
                    yield self._too_big(locator, size)
                else:
                    yield from self._message(data, locator, postmark, source, options, seen)
            return
        if not is_field_line(head):
            raise InputError("does not start with e-mail header fields (Name: value)", path=source.name)
        if source.size > self._max_bytes:
            yield self._too_big("message", source.size)
            return
        data = fh.read(self._max_bytes + 1).removeprefix(_BOM)
        yield from self._message(data, "message", None, source, options, seen)

    def _read_utf16(
        self, fh: BinaryIO, codec: str, source: Source, options: ImportOptions, seen: set[str]
    ) -> Iterator[Yielded]:
        """A file in UTF-16 with a byte-order mark: not a message as any mail system sends or stores one (those
        are bytes, mostly ASCII), but one re-saved as "Unicode" by a text editor. Its text is what the message
        said, so it is read: transcoded to UTF-8 in a temporary file (bounded memory), then read like any other,
        with a warning that the bytes are not the original's (a DKIM signature cannot verify, and any 8-bit
        content was decoded by the editor)."""
        reader = Utf16ToUtf8Reader(fh, codec, xml=False)
        with tempfile.TemporaryFile(prefix="evidence-utf16-") as copy:
            while chunk := reader.read():
                copy.write(chunk)
            copy.seek(0)
            yield ImportWarning(
                "file",
                f"the file is UTF-16 text ({codec}), not an e-mail as sent or stored by a mail program: it was "
                "probably re-saved by an editor; it is read as text, but its bytes are not the original "
                "message's (signatures such as DKIM cannot be checked)"
                + (
                    "; some bytes did not decode as UTF-16 and were replaced with U+FFFD"
                    if reader.replaced
                    else ""
                ),
            )
            yield from self._read(copy, source, options, seen)

    def _too_big(self, locator: str, size: int) -> ImportWarning:
        return ImportWarning(
            locator, f"message of {size} bytes is larger than the limit of {self._max_bytes} bytes; skipped"
        )

    def _message(
        self,
        data: bytes,
        locator: str,
        postmark: bytes | None,
        source: Source,
        options: ImportOptions,
        seen: set[str],
    ) -> Iterator[Yielded]:
        problems: list[str] = []
        refusal = hostile_structure(data)
        if refusal is not None:
            yield ImportWarning(locator, f"{refusal}: message not parsed, skipped (the original is kept)")
            return
        try:
            msg = BytesParser(policy=_PARSE_POLICY).parsebytes(data)
        except RecursionError:
            yield ImportWarning(locator, "MIME structure nested too deeply to parse; message skipped")
            return
        headers = [self._header(name, value, problems) for name, value in msg.raw_items()]
        when = self._time(headers, postmark, options, problems)
        if when is None:
            for text in problems:
                yield ImportWarning(locator, text)
            return

        parties = {
            field_name: self._addresses(headers, field_name, problems) for field_name in _ADDRESS_FIELDS
        }
        walk = _Walk()
        self._walk(msg, walk, want_text=True, depth=0, path="1")
        linesep = "\r\n" if b"\r\n" in data[:4096] else "\n"
        blobs: list[Blob] = []
        described: list[dict[str, Any]] = []
        hashes: list[str] = []
        for number, (part_path, part) in enumerate(walk.attachments, 1):
            blob, info = self._attachment(
                part, part_path, f"{locator}, attachment {number}", linesep, problems
            )
            described.append(info)
            if blob is None:
                continue
            hashes.append(blob.sha256)
            if blob.sha256 not in seen:
                seen.add(blob.sha256)
                blobs.append(blob)
        problems.extend(walk.problems)
        if walk.defects:
            problems.append("MIME defects: " + "; ".join(walk.defects))

        sender_list = parties["from"] or parties["sender"]
        recipients: list[str] = []
        for field_name in ("to", "cc", "bcc"):
            for entry in parties[field_name]:
                address = entry["address"]
                # An address with ":" or ";" is a mangled group ("<Undisclosed-Recipient:@host;>"): raw only.
                if address and not _NOT_IN_ADDRESS.search(address) and address not in recipients:
                    recipients.append(address)
        subject = next((h.value for h in headers if h.name.lower() == "subject"), None)
        message_id = next((h.value for h in headers if h.name.lower() == "message-id"), None)
        dkim_info = self._dkim(headers, data)
        raw: dict[str, Any] = {
            "container": "mbox" if postmark is not None else "eml",
            "mbox_from_line": _escaped(postmark) if postmark is not None else None,
            "size": len(data),
            "headers": [
                [h.name, h.value] if _escaped(h.raw) == h.value else [h.name, h.value, _escaped(h.raw)]
                for h in headers
            ],
            "message_id": message_id,
            **{field_name.replace("-", "_"): parties[field_name] for field_name in _ADDRESS_FIELDS},
            "date": when.info,
            "dkim": dkim_info,
            "text_from": walk.text_types,
            "attachments": described,
            "defects": walk.defects,
        }
        body_text = "\n\n".join(t.strip("\n") for t in walk.texts if t.strip()) or None
        yield from blobs
        for problem in problems:
            yield ImportWarning(locator, problem)
        yield Record(
            item_sha256=source.sha256,
            locator=locator,
            occurred_at=when.moment,
            time_source=when.source,
            tz_assumed=when.tz_assumed,
            channel=Channel.EMAIL,
            direction=Direction.UNKNOWN,
            importer=self.name,
            importer_version=self.version,
            app="email",
            sender=next((e["address"] or e["name"] for e in sender_list if e["address"] or e["name"]), None),
            recipients=tuple(recipients),
            subject=subject,
            text=body_text,
            attachments=tuple(hashes),
            tz_name=when.tz_name,
            raw=raw,
        )

    # -- header fields --------------------------------------------------------------------------------------

    @staticmethod
    def _header(name: str, value: str, problems: list[str]) -> _Header:
        raw = _raw_bytes(value)
        clean_name = _scrub(_decode_unlabelled(_raw_bytes(name), f"header name {name!r}", problems))
        decoded = decode_header_bytes(_unfold(raw), f"header {clean_name}", problems)
        return _Header(clean_name, raw, decoded)

    @staticmethod
    def _addresses(headers: list[_Header], field_name: str, problems: list[str]) -> list[dict[str, str]]:
        found: list[dict[str, str]] = []
        for header in headers:
            if header.name.lower() != field_name:
                continue
            unfolded = _unfold(header.raw)
            # Split before decoding encoded words: an encoded comma must not split a display name.
            text = _scrub(_decode_unlabelled(unfolded, f"header {header.name}", []))
            for item in split_address_list(text):
                display, address = parse_address(item)
                if "=?" in display:
                    display = decode_header_bytes(display.encode("utf-8"), f"header {header.name}", problems)
                shown = display.strip("'\" ")
                if _LOOKS_LIKE_ADDRESS.fullmatch(shown) and address and shown.lower() != address.lower():
                    problems.append(
                        f"header {header.name}: display name {display!r} is itself an address, "
                        f"different from the real address {address!r} (a spoofing pattern)"
                    )
                if display or address:
                    found.append({"name": display, "address": address})
        return found

    # -- time -----------------------------------------------------------------------------------------------

    def _time(
        self,
        headers: list[_Header],
        postmark: bytes | None,
        options: ImportOptions,
        problems: list[str],
    ) -> _Time | None:
        dates = [h for h in headers if h.name.lower() == "date"]
        if len({h.value for h in dates}) > 1:
            problems.append(f"{len(dates)} different Date headers; the first one read")
        if dates and dates[0].value.strip():
            parsed = parse_date(dates[0].value)
            if parsed is not None:
                return self._settle(parsed, TimeSource.HEADER_DATE, "Date", dates[0].value, options, problems)
            why = f"the Date header {dates[0].value!r} is not a date"
        elif dates:
            why = "the Date header is empty"
        else:
            why = "no Date header"

        received = [h for h in headers if h.name.lower() == "received"]
        for number, header in enumerate(received, 1):
            stamp = header.value.rsplit(";", 1)[1] if ";" in header.value else ""
            parsed = parse_date(stamp) if stamp.strip() else None
            if parsed is not None:
                which = (
                    "the newest Received header" if number == 1 else f"Received header {number} from the top"
                )
                problems.append(f"{why}; time taken from {which} (time_source received)")
                return self._settle(
                    parsed, TimeSource.RECEIVED, f"Received {number}", stamp.strip(), options, problems
                )

        best: tuple[datetime, _Header, ParsedDate, str] | None = None
        for header in headers:
            if header.name.lower() in ("date", "received"):
                continue
            for candidate in (header.value, header.value.rsplit(";", 1)[-1]):
                parsed = parse_date(candidate) if any(c.isdigit() for c in candidate) else None
                if parsed is None or parsed.moment is None:
                    continue
                if best is None or parsed.moment > best[0]:
                    best = (parsed.moment, header, parsed, candidate.strip())
                break
        if best is not None:
            _, header, parsed, stamp = best
            problems.append(
                f"{why} and no Received header has a date; time taken from the {header.name} header "
                "(the latest date found in the header fields; time_source received)"
            )
            return self._settle(parsed, TimeSource.RECEIVED, header.name, stamp, options, problems)
        if postmark is not None:
            parsed = _from_line_date(postmark)
            if parsed is not None:
                problems.append(
                    f"{why} and no other header field has a date; time taken from the mbox From line "
                    "(the delivery time; time_source received)"
                )
                return self._settle(
                    parsed, TimeSource.RECEIVED, "mbox From line", _escaped(postmark), options, problems
                )
        acquired = options.acquired_moment()
        if acquired is not None:
            problems.append(
                f"{why}, and no Received header or other header field has a date; placed at the time it was "
                "imported (time_source acquired)"
            )
            info = {"header": None, "value": None, "zone": "UTC"}
            return _Time(acquired, TimeSource.ACQUIRED, False, None, info)
        problems.append(f"{why}, and no Received header or other header field has a date: message skipped")
        return None

    @staticmethod
    def _settle(
        parsed: ParsedDate,
        source: TimeSource,
        header: str,
        value: str,
        options: ImportOptions,
        problems: list[str],
    ) -> _Time:
        info: dict[str, Any] = {"header": header, "value": value, "zone": parsed.zone}
        if parsed.moment is None:
            moment, note = localize(parsed.wall, options.tz)
            problems.append(f"the {header} time has no zone; the import's zone {options.tz} was applied")
            if note:
                problems.append(note)
            return _Time(moment, source, True, options.tz, info)
        if parsed.zone == "-0000":
            problems.append(
                f"the {header} time has the offset -0000: UTC, but the sender's own zone is unknown (RFC 5322)"
            )
        elif parsed.zone == "unknown-name":
            problems.append(f"the {header} time names an unknown zone; read as UTC (RFC 5322 section 4.3)")
        return _Time(parsed.moment, source, False, None, info)

    # -- body and attachments -------------------------------------------------------------------------------

    def _walk(self, part: Message, walk: _Walk, *, want_text: bool, depth: int, path: str) -> None:
        walk.parts += 1
        if walk.parts > MAX_PARTS or depth > MAX_MIME_DEPTH:
            if not walk.cut:
                walk.cut = True
                walk.problems.append(
                    f"more than {MAX_PARTS} MIME parts or deeper than {MAX_MIME_DEPTH} levels; the rest not read"
                )
            return
        walk.defects.extend(f"part {path}: {type(d).__name__}" for d in part.defects)
        ctype = _content_type(part)
        declared = _raw_bytes(str(part.get("content-type", ""))).split(b";", 1)[0].strip()
        if declared and b"/" not in declared:
            shown = _escaped(declared[:100])
            walk.problems.append(f"part {path}: Content-Type {shown!r} has no subtype; read as {ctype}")
        if ctype.startswith("message/") or not part.is_multipart():
            if self._is_attachment(part, ctype):
                walk.attachments.append((path, part))
            elif want_text:
                text = self._part_text(part, ctype, walk, path)
                if text is not None:
                    walk.texts.append(text)
                    walk.text_types.append(ctype)
            return
        children = [c for c in part.get_payload() if isinstance(c, Message)]
        chosen: Message | None = None
        if ctype == "multipart/alternative":
            chosen = self._choose_alternative(children)
        elif ctype == "multipart/related":
            chosen = self._related_root(part, children)
        for number, child in enumerate(children, 1):
            keep = want_text and (chosen is None or child is chosen)
            self._walk(child, walk, want_text=keep, depth=depth + 1, path=f"{path}.{number}")

    @staticmethod
    def _is_attachment(part: Message, ctype: str) -> bool:
        if ctype.startswith("multipart/"):
            return False  # a multipart whose parts could not be found: its body is read as text
        if ctype not in ("text/plain", "text/html"):
            return True
        if _disposition(part) == "attachment":
            return True
        return _safe_call(part, lambda p: p.get_filename(), None) is not None

    @staticmethod
    def _choose_alternative(children: list[Message]) -> Message | None:
        """text/plain, else HTML, else a multipart; a text alternative with nothing but white space is passed over."""
        if not children:
            return None
        types = [_content_type(c) for c in children]
        for wanted in ("text/plain", "text/html"):
            for child, ctype in zip(children, types, strict=True):
                if ctype == wanted and _disposition(child) != "attachment" and _has_content(child):
                    return child
        for child, ctype in zip(children, types, strict=True):
            if ctype.startswith("multipart/"):
                return child
        return children[-1]

    @staticmethod
    def _related_root(part: Message, children: list[Message]) -> Message | None:
        if not children:
            return None
        start = _param(part, "start")
        if start:
            for child in children:
                if str(child.get("content-id", "")).strip() == start.strip():
                    return child
        root_type = (_param(part, "type") or "").lower()
        for child in children:
            ctype = _content_type(child)
            if ctype == root_type or (not root_type and (ctype.startswith(("text/", "multipart/")))):
                return child
        return children[0]

    def _part_text(self, part: Message, ctype: str, walk: _Walk, path: str) -> str | None:
        try:
            payload = part.get_payload(decode=True)
        except _HEADER_ERRORS:
            walk.problems.append(f"part {path}: its content cannot be decoded")
            return None
        if not isinstance(payload, bytes):
            return None
        label = _param(part, "charset")
        text = _decode_charset(payload, label, f"part {path} ({ctype})", walk.problems)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        if ctype.startswith("multipart/"):
            walk.problems.append(
                f"part {path}: {ctype} whose parts could not be found; its body read as text"
            )
        elif ctype == "text/html":
            if len(text) > MAX_HTML_CHARS:
                walk.problems.append(
                    f"part {path}: HTML longer than {MAX_HTML_CHARS} characters; the rest not read"
                )
                text = text[:MAX_HTML_CHARS]
            return html_to_text(text)
        elif (_param(part, "format") or "").lower() == "flowed":
            text = _unflow(text, (_param(part, "delsp") or "").lower() == "yes")
        return text

    def _attachment(
        self, part: Message, part_path: str, locator: str, linesep: str, problems: list[str]
    ) -> tuple[Blob | None, dict[str, Any]]:
        ctype = _content_type(part)
        name = _filename(part, problems, f"part {part_path} file name")
        info: dict[str, Any] = {
            "part": part_path,
            "name": name,
            "media_type": ctype,
            "disposition": _disposition(part),
            "sha256": None,
            "size": None,
        }
        data: bytes | None = None
        try:
            if part.is_multipart():
                # message/rfc822 holds one message; message/delivery-status and the like, blocks of fields.
                gen_policy = _GEN_POLICY.clone(linesep=linesep)
                blocks = [m.as_bytes(policy=gen_policy) for m in part.get_payload() if isinstance(m, Message)]
                data = b"".join(blocks)
                info["regenerated"] = True
            else:
                payload = part.get_payload(decode=True)
                data = payload if isinstance(payload, bytes) else b""
        except (*_HEADER_ERRORS, UnicodeError, MessageError, RecursionError):
            problems.append(f"part {part_path}: attachment {name!r} could not be read; not stored")
            return None, info
        blob = Blob(data=data, name=name, media_type=ctype, locator=locator)
        info["sha256"] = blob.sha256
        info["size"] = len(data)
        return blob, info

    # -- DKIM -----------------------------------------------------------------------------------------------

    def _dkim(self, headers: list[_Header], data: bytes) -> dict[str, Any]:
        signatures = [h for h in headers if h.name.lower() == "dkim-signature"]
        if not signatures:
            return {"present": False, "domain": None, "selector": None, "result": None}
        tags: dict[str, str] = {}
        for item in signatures[0].value.split(";"):
            key, sep, value = item.partition("=")
            if sep:
                tags.setdefault(key.strip().lower(), "".join(value.split()))
        return {
            "present": True,
            "count": len(signatures),
            "domain": tags.get("d"),
            "selector": tags.get("s"),
            "result": self._verify(data),
        }

    def _verify(self, data: bytes) -> str:
        """Verify the top-most DKIM signature, only through the offline ``dnsfunc``; never opens a socket."""
        lookup_into = self._dnsfunc
        if lookup_into is None:
            return NO_KEY
        asked: list[bytes] = []
        answered: list[bytes] = []

        def lookup(name: bytes, timeout: int = 5) -> bytes | None:
            asked.append(name)
            answer = lookup_into(name, timeout=timeout)
            if answer:
                answered.append(name)
            return answer

        try:
            ok = bool(dkim.DKIM(data).verify(dnsfunc=lookup))
        except dkim.DKIMException as exc:
            if asked and not answered:
                return f"not-checked: no key for {_escaped(asked[0])} available offline"
            return f"fail: {_scrub(str(exc))}"
        except (ValueError, KeyError, IndexError, TypeError, binascii.Error) as exc:
            return f"fail: malformed signature ({type(exc).__name__})"
        if asked and not answered:
            return f"not-checked: no key for {_escaped(asked[0])} available offline"
        return "pass" if ok else "fail: signature does not verify"


__all__ = ["NO_KEY", "DnsFunc", "EmailImporter", "html_to_text", "localize", "parse_date", "split_mbox"]
