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

Code: this module is the importer (recognising a file, reading each message, choosing its time); the mail
library it shares with the Outlook importer (charsets, header fields, addresses, dates, HTML, mbox, MIME, DKIM)
is ``evidence/importers/_mail/``, one module per step above (the MIME limits are in ``_mail/mime.py``).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from email import policy as email_policy
from email.parser import BytesParser
from typing import Any, BinaryIO, ClassVar, Final

from evidence.errors import InputError
from evidence.importers._mail.addresses import parse_address, split_address_list
from evidence.importers._mail.charsets import decode_unlabelled, escaped_text, raw_bytes, scrub
from evidence.importers._mail.dates import ParsedDate, parse_date
from evidence.importers._mail.dkim_check import DnsFunc, dkim_summary
from evidence.importers._mail.headers import FIELD_LINE, decode_header_bytes, is_field_line, unfold
from evidence.importers._mail.mbox import UTF8_BOM, from_line_date, is_postmark, split_mbox
from evidence.importers._mail.mime import Walk, attachment_blob, hostile_structure, walk_parts
from evidence.importers._utf16 import CHUNK, Utf16ToUtf8Reader, utf16_codec
from evidence.importers._wall import localize
from evidence.importers.base import Importer, Source, Tallying, Yielded, counted
from evidence.models import Blob, Channel, Direction, ImportOptions, ImportWarning, Record, TimeSource

NAME: Final = "email"
VERSION: Final = "1.0.0"

# One message; a larger one is skipped with a warning (its original stays stored). Gmail refuses messages over
# 50 MB, and parsing keeps about a dozen copies of a message in memory, so 50 MiB bounds memory near 600 MiB.
MAX_MESSAGE_BYTES: Final = 50 * 1024 * 1024
# compat32, not policy.default: the structure is the same, but policy.default parses every MIME header into
# objects while reading, which took minutes on hostile input (100,000 parameters in one Content-Type) and
# raises on some broken fields; header fields are decoded by this module anyway.
_PARSE_POLICY: Final = email_policy.compat32
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
_LOOKS_LIKE_ADDRESS: Final = re.compile(r"[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+")
_NOT_IN_ADDRESS: Final = re.compile(r"[\s:;,<>()]")
_ADDRESS_FIELDS: Final = ("from", "sender", "to", "cc", "bcc", "reply-to")

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
        lines = head.removeprefix(UTF8_BOM).split(b"\n", 400)[:400]
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
            match = FIELD_LINE.match(line)
            if match is None:
                break
            field_name = match.group(1).lower()
            known += field_name in _SNIFF_NAMES
            more += field_name in _SNIFF_MORE
        if known >= 2 or (whole_block and known + more >= 2):
            return True
        first = FIELD_LINE.match(lines[0])
        return (
            known == 1
            and source.name.lower().endswith(".eml")
            and first is not None
            and first.group(1).lower() in _SNIFF_NAMES
        )

    # -- reading --------------------------------------------------------------------------------------------

    def parse(self, source: Source, options: ImportOptions) -> Iterator[Yielded]:
        """Yield the records (and attachments, warnings) of one .eml or mbox file, and the count of its
        messages."""
        return counted("messages", lambda tallying: self._file(source, options, tallying))

    def _file(self, source: Source, options: ImportOptions, tallying: Tallying) -> Iterator[Yielded]:
        seen: set[str] = set()
        try:
            with open(source.path, "rb") as fh:
                codec = utf16_codec(fh.read(2))
                fh.seek(0)
                if codec is None:
                    yield from self._read(fh, source, options, seen, tallying)
                else:
                    yield from self._read_utf16(fh, codec, source, options, seen, tallying)
        except OSError as exc:
            raise InputError(f"cannot read ({exc.strerror})", path=source.name) from None

    def _read(
        self, fh: BinaryIO, source: Source, options: ImportOptions, seen: set[str], tallying: Tallying
    ) -> Iterator[Yielded]:
        head = fh.read(4096).removeprefix(UTF8_BOM)
        fh.seek(0)
        if not head.strip():
            raise InputError("empty file: no e-mail message in it", path=source.name)
        first, _, rest = head.partition(b"\n")
        if is_postmark(first.rstrip(b"\r")) and is_field_line(rest):
            for index, postmark, data, size in split_mbox(fh, self._max_bytes):
                locator = f"message {index} of the mbox"
                tallying.see()
                if data is None:
                    yield tallying.skip(locator, self._too_big(size))
                else:
                    yield from self._message(data, locator, postmark, source, options, seen, tallying)
            return
        if not is_field_line(head):
            raise InputError("does not start with e-mail header fields (Name: value)", path=source.name)
        tallying.see()
        if source.size > self._max_bytes:
            yield tallying.skip("message", self._too_big(source.size))
            return
        data = fh.read(self._max_bytes + 1).removeprefix(UTF8_BOM)
        yield from self._message(data, "message", None, source, options, seen, tallying)

    def _read_utf16(
        self,
        fh: BinaryIO,
        codec: str,
        source: Source,
        options: ImportOptions,
        seen: set[str],
        tallying: Tallying,
    ) -> Iterator[Yielded]:
        """A file in UTF-16 with a byte-order mark: not a message as any mail system sends or stores one (those
        are bytes, mostly ASCII), but one re-saved as "Unicode" by a text editor. Its text is what the message
        said, so it is read: transcoded to UTF-8 as it is read (``_Transcoded``: bounded memory, nothing
        written anywhere, as an encrypted case requires), then read like any other, with a warning that the
        bytes are not the original's (a DKIM signature cannot verify, and any 8-bit content was decoded by the
        editor). The file is decoded twice: once through to learn whether any bytes were not UTF-16, which the
        warning, yielded first, says."""
        stream = _Transcoded(fh, codec)
        while stream.read(CHUNK):
            pass
        stream.seek(0)
        yield ImportWarning(
            "file",
            f"the file is UTF-16 text ({codec}), not an e-mail as sent or stored by a mail program: it was "
            "probably re-saved by an editor; it is read as text, but its bytes are not the original "
            "message's (signatures such as DKIM cannot be checked)"
            + (
                "; some bytes did not decode as UTF-16 and were replaced with U+FFFD"
                if stream.replaced
                else ""
            ),
        )
        yield from self._read(io.BufferedReader(stream, CHUNK), source, options, seen, tallying)

    def _too_big(self, size: int) -> str:
        return f"message of {size} bytes is larger than the limit of {self._max_bytes} bytes; skipped"

    def _message(
        self,
        data: bytes,
        locator: str,
        postmark: bytes | None,
        source: Source,
        options: ImportOptions,
        seen: set[str],
        tallying: Tallying,
    ) -> Iterator[Yielded]:
        problems: list[str] = []
        refusal = hostile_structure(data)
        if refusal is not None:
            yield tallying.skip(locator, f"{refusal}: message not parsed, skipped (the original is kept)")
            return
        try:
            msg = BytesParser(policy=_PARSE_POLICY).parsebytes(data)
        except RecursionError:
            yield tallying.skip(locator, "MIME structure nested too deeply to parse; message skipped")
            return
        headers = [self._header(name, value, problems) for name, value in msg.raw_items()]
        when = self._time(headers, postmark, options, problems)
        if when is None:
            for text in problems[:-1]:
                yield ImportWarning(locator, text)
            yield tallying.skip(locator, problems[-1])  # the last says why the message is skipped
            return

        parties = {
            field_name: self._addresses(headers, field_name, problems) for field_name in _ADDRESS_FIELDS
        }
        walk = Walk()
        walk_parts(msg, walk, want_text=True, depth=0, path="1")
        linesep = "\r\n" if b"\r\n" in data[:4096] else "\n"
        blobs: list[Blob] = []
        described: list[dict[str, Any]] = []
        hashes: list[str] = []
        for number, (part_path, part) in enumerate(walk.attachments, 1):
            blob, info = attachment_blob(
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
        dkim_info = dkim_summary(
            [h.value for h in headers if h.name.lower() == "dkim-signature"], data, self._dnsfunc
        )
        raw: dict[str, Any] = {
            "container": "mbox" if postmark is not None else "eml",
            "mbox_from_line": escaped_text(postmark) if postmark is not None else None,
            "size": len(data),
            "headers": [
                [h.name, h.value]
                if escaped_text(h.raw) == h.value
                else [h.name, h.value, escaped_text(h.raw)]
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
        raw = raw_bytes(value)
        clean_name = scrub(decode_unlabelled(raw_bytes(name), f"header name {name!r}", problems))
        decoded = decode_header_bytes(unfold(raw), f"header {clean_name}", problems)
        return _Header(clean_name, raw, decoded)

    @staticmethod
    def _addresses(headers: list[_Header], field_name: str, problems: list[str]) -> list[dict[str, str]]:
        found: list[dict[str, str]] = []
        for header in headers:
            if header.name.lower() != field_name:
                continue
            unfolded = unfold(header.raw)
            # Split before decoding encoded words: an encoded comma must not split a display name.
            text = scrub(decode_unlabelled(unfolded, f"header {header.name}", []))
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
            parsed = from_line_date(postmark)
            if parsed is not None:
                problems.append(
                    f"{why} and no other header field has a date; time taken from the mbox From line "
                    "(the delivery time; time_source received)"
                )
                return self._settle(
                    parsed, TimeSource.RECEIVED, "mbox From line", escaped_text(postmark), options, problems
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


class _Transcoded(io.RawIOBase):
    """A UTF-16 file (``raw``, with its byte-order mark) as a stream of UTF-8, decoded as it is read: what
    ``EmailImporter._read`` asks of a file (reads, lines through ``io.BufferedReader``, and a seek back to the
    start, which decodes again from the start). ``replaced``: whether any bytes read so far were not UTF-16."""

    def __init__(self, raw: BinaryIO, codec: str) -> None:
        self._raw, self._codec = raw, codec
        self.replaced = False
        self._restart()

    def _restart(self) -> None:
        self._raw.seek(0)
        self._reader = Utf16ToUtf8Reader(self._raw, self._codec, xml=False)
        self._pending = b""
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        target = offset if whence == io.SEEK_SET else self._position + offset if whence == io.SEEK_CUR else -1
        if target == 0:
            self._restart()
        elif target != self._position:
            raise io.UnsupportedOperation("a UTF-16 file read as UTF-8 can only be read again from its start")
        return self._position

    def readinto(self, buffer: Any) -> int:
        if not self._pending:
            self._pending = self._reader.read(len(buffer))
            self.replaced = self.replaced or self._reader.replaced
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        self._position += size
        return size


__all__ = ["DnsFunc", "EmailImporter"]
