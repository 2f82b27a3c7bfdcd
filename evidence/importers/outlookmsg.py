"""Outlook ``.msg`` messages (OLE2 compound files holding MAPI properties), read with ``extract-msg``.

Format: Microsoft's [MS-OXMSG] (an OLE2 / Compound File Binary container whose streams ``__substg1.0_TTTTYYYY``
hold MAPI properties); the corpus notes are in ``corpus/FORMATS.md`` section 4. One record per file, located as
``message``; channel email, app ``outlook``, direction unknown (the importer does not know whose mailbox it is).

How fields are read:

- Header fields: the original transport headers (``PR_TRANSPORT_MESSAGE_HEADERS``, 007D) when the message went
  through SMTP; every field is kept in ``raw["headers"]`` as ``[name, value]`` (unfolded, encoded words decoded
  with ``decode_header_bytes`` of the mail library the e-mail importer shares, ``importers/_mail``). Saved
  drafts and sent items often have none.
- Time: the ``Date`` header with its offset (``time_source`` header-date; a date without a zone takes the import's
  zone, ``tz_assumed``). Without a usable ``Date``: the MAPI client submit time (0039), then the delivery time
  (0E06), then the creation time (3007), all FILETIMEs in UTC, shown at the import zone's offset; ``time_source``
  export, the property named in ``raw["date"]`` and warned. None of them: the file is refused (a record must
  have a time).
- Parties: ``sender`` is the address of the ``From`` header, else of extract-msg's sender; ``recipients`` are
  the addresses of the recipient table (To, Cc, Bcc), else of the ``To``/``Cc`` headers. Names stay in ``raw``.
- Text: the plain body; an HTML-only body is turned into text (the mail library's ``html_to_text``).
- 8-bit strings (type 001E) are decoded in the message code page (3FFD). When a file names none, extract-msg
  falls back to ISO-8859-15, which turns Japanese into mojibake; this importer then derives the Windows code page
  from the message locale (3FF1, e.g. 1041 Japanese -> cp932) and says so in a warning.
- Attachments: each attachment's bytes are yielded as a Blob before the record; an attached Outlook message is
  stored as the ``.msg`` bytes extract-msg re-exports for it (a new compound file holding the same properties, not
  the original byte stream); when that fails, or for other attachment kinds without bytes, a warning.
- DKIM: ``raw["dkim"]["present"]`` says whether the transport headers carry a ``DKIM-Signature``; it is never
  verified here (the signed body bytes are not in a .msg), so the result is ``not-checked: no key available
  offline``.

Known limits: the RTF body is not read (a message with only an RTF body has no text, warned); the sender of an
Exchange-internal message may be an X.500 DN rather than an address; files over ``MAX_BYTES`` are refused.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from datetime import datetime
from email.parser import HeaderParser
from email.policy import compat32
from pathlib import Path
from typing import Any, ClassVar, Final

import extract_msg
from extract_msg.exceptions import ExMsgBaseException
from extract_msg.msg_classes import MessageBase

from evidence.errors import InputError
from evidence.importers._mail.addresses import parse_address, split_address_list
from evidence.importers._mail.dates import parse_date
from evidence.importers._mail.dkim_check import NO_KEY
from evidence.importers._mail.headers import decode_header_bytes
from evidence.importers._mail.text import html_to_text
from evidence.importers._wall import localize
from evidence.importers.base import Importer, Source, Tally, Yielded
from evidence.models import Blob, Channel, Direction, ImportOptions, ImportWarning, Record, TimeSource
from evidence.timeutil import fixed_offset, zone

NAME: Final = "outlookmsg"
VERSION: Final = "1.0.0"

MAX_BYTES: Final = 512 * 1024 * 1024
OLE_MAGIC: Final = bytes.fromhex("D0CF11E0A1B11AE1")
SUBSTG_UTF16: Final = "__substg1.0_".encode("utf-16-le")
MSG_MEDIA_TYPE: Final = "application/vnd.ms-outlook"

# extract-msg's failures on damaged or foreign compound files: its own tree, olefile's OleFileError (an OSError),
# and the struct/EOF errors of a stream that ends early.
# ValueError: extract_msg converts corrupt property values into enums and raises it for unknown ones.
_MSG_ERRORS: Final = (ExMsgBaseException, OSError, struct.error, EOFError, ValueError)

# MAPI time properties tried when the Date header is missing, in order.
MAPI_TIMES: Final = (
    ("00390040", "PR_CLIENT_SUBMIT_TIME"),
    ("0E060040", "PR_MESSAGE_DELIVERY_TIME"),
    ("30070040", "PR_CREATION_TIME"),
)

# Windows locale id (PR_MESSAGE_LOCALE_ID, 3FF1) -> its ANSI code page, for 8-bit strings with no code page.
LCID_CODEPAGES: Final[dict[int, str]] = {
    1041: "cp932",  # Japanese
    2052: "cp936",  # Chinese (PRC)
    4100: "cp936",  # Chinese (Singapore)
    1028: "cp950",  # Chinese (Taiwan)
    3076: "cp950",  # Chinese (Hong Kong)
    1042: "cp949",  # Korean
    1049: "cp1251",  # Russian
    1058: "cp1251",  # Ukrainian
    1026: "cp1251",  # Bulgarian
    1029: "cp1250",  # Czech
    1045: "cp1250",  # Polish
    1038: "cp1250",  # Hungarian
    1032: "cp1253",  # Greek
    1055: "cp1254",  # Turkish
    1037: "cp1255",  # Hebrew
    1025: "cp1256",  # Arabic
    1054: "cp874",  # Thai
    1066: "cp1258",  # Vietnamese
}


def _prop(msg: MessageBase, key: str) -> Any:
    prop = msg.props.get(key)
    return None if prop is None else getattr(prop, "value", None)


def _addresses(value: str | None) -> list[tuple[str, str]]:
    if not value:
        return []
    return [parse_address(item) for item in split_address_list(value)]


class OutlookMsgImporter(Importer):
    """Importer for Outlook ``.msg`` files."""

    name: ClassVar[str] = NAME
    version: ClassVar[str] = VERSION
    description: ClassVar[str] = "Outlook .msg message (OLE2 compound file) with attachments"

    def sniff(self, head: bytes, source: Source) -> bool:
        """Claims an OLE2 compound file named ``.msg`` or whose directory shows MAPI property streams."""
        if not head.startswith(OLE_MAGIC):
            return False
        return source.name.lower().endswith(".msg") or SUBSTG_UTF16 in head

    def parse(self, source: Source, options: ImportOptions) -> Iterator[Yielded]:
        """Yield the attachments as Blobs, then the message's record; warnings on the way."""
        if source.size > MAX_BYTES:
            raise InputError(f"the file is {source.size} bytes, over the {MAX_BYTES} limit", path=source.name)
        warnings: list[ImportWarning] = []
        msg = self._open(source.path, source.name, None)
        try:
            if not msg.areStringsUnicode and _prop(msg, "3FFD0003") is None:
                lcid = _prop(msg, "3FF10003")
                codepage = LCID_CODEPAGES.get(lcid if isinstance(lcid, int) else -1, "cp1252")
                msg.close()
                msg = self._open(source.path, source.name, codepage)
                warnings.append(
                    ImportWarning(
                        "message",
                        f"8-bit strings with no code page given: read as {codepage} "
                        f"(from the message locale {lcid})"
                        if isinstance(lcid, int)
                        else f"8-bit strings with no code page or locale given: read as {codepage}",
                    )
                )
            yield from warnings
            yield from _Reader(source, options, msg).run()
            # One message a file: read whole, or refused with an InputError.
            yield Tally("messages", seen=1, made=1)
        except _MSG_ERRORS as exc:
            raise InputError(
                f"unreadable Outlook message: {type(exc).__name__}: {exc}", path=source.name
            ) from None
        finally:
            msg.close()

    @staticmethod
    def _open(path: Path, name: str, encoding: str | None) -> MessageBase:
        try:
            opened = (
                extract_msg.openMsg(path, overrideEncoding=encoding)
                if encoding
                else extract_msg.openMsg(path)
            )
        except _MSG_ERRORS as exc:
            raise InputError(
                f"not a readable Outlook message: {type(exc).__name__}: {exc}", path=name
            ) from None
        if not isinstance(opened, MessageBase):
            opened.close()
            raise InputError(
                f"an Outlook item of class {type(opened).__name__}, not an e-mail message", path=name
            )
        return opened


class _Reader:
    """The state of one parse."""

    def __init__(self, source: Source, options: ImportOptions, msg: MessageBase) -> None:
        self.source = source
        self.options = options
        self.msg = msg
        self.locator = "message"

    def _warn(self, message: str) -> ImportWarning:
        return ImportWarning(self.locator, message)

    def _headers(self) -> tuple[list[list[str]], list[ImportWarning]]:
        text = self.msg.headerText
        if not text:
            return [], []
        parsed = HeaderParser(policy=compat32).parsestr(text.replace("\x00", ""), headersonly=True)
        headers: list[list[str]] = []
        problems: list[str] = []
        for name, value in parsed.items():
            unfolded = " ".join(str(value).split())
            headers.append(
                [name, decode_header_bytes(unfolded.encode("utf-8", "surrogateescape"), name, problems)]
            )
        return headers, [self._warn(problem) for problem in problems]

    def _time(
        self, headers: list[list[str]]
    ) -> tuple[datetime, TimeSource, bool, str | None, dict[str, str]]:
        """The instant, its source, whether the zone was assumed, a note, and ``raw["date"]``."""
        date_values = [value for name, value in headers if name.lower() == "date"]
        notes: list[str] = []
        if date_values:
            parsed = parse_date(date_values[0])
            if parsed is not None and parsed.moment is not None:
                note = None
                if parsed.zone != "offset":
                    note = (
                        f"the Date header {date_values[0]!r} names no real zone ({parsed.zone}); read as UTC"
                    )
                return parsed.moment, TimeSource.HEADER_DATE, False, note, {"header": "Date"}
            if parsed is not None:
                moment, dst_note = localize(parsed.wall, self.options.tz)
                note = f"the Date header {date_values[0]!r} has no zone; {self.options.tz} assumed"
                if dst_note:
                    note += f"; {dst_note}"
                return moment, TimeSource.HEADER_DATE, True, note, {"header": "Date"}
            notes.append(f"the Date header {date_values[0]!r} is not a date")
        else:
            notes.append("no Date header")
        tz = zone(self.options.tz)
        for key, label in MAPI_TIMES:
            value = _prop(self.msg, key)
            if isinstance(value, datetime) and value.tzinfo is not None:
                note = "; ".join([*notes, f"time taken from the MAPI property {label} ({key[:4]}), in UTC"])
                return fixed_offset(value, tz), TimeSource.EXPORT, False, note, {"property": label}
        raise InputError(
            "; ".join([*notes, "and none of the MAPI submit, delivery or creation times is set"]),
            path=self.source.name,
        )

    def _parties(self, headers: list[list[str]]) -> tuple[str | None, tuple[str, ...], dict[str, Any]]:
        raw: dict[str, Any] = {}
        from_header = next((value for name, value in headers if name.lower() == "from"), None)
        senders = _addresses(from_header) or _addresses(self.msg.sender)
        sender = senders[0][1] or senders[0][0] if senders else None
        if sender is None or "@" not in sender:
            for stream in ("__substg1.0_5D01", "__substg1.0_0C1F"):
                smtp = self.msg.getStringStream(stream)
                if smtp and "@" in smtp:
                    sender = smtp.replace("\x00", "").strip()
                    raw["sender_smtp_property"] = stream[-4:]
                    break
        if senders:
            raw["from"] = {"name": senders[0][0], "address": senders[0][1]}
        recipients: list[str] = []
        listed: list[dict[str, str]] = []
        for recipient in self.msg.recipients:
            address = (recipient.email or "").replace("\x00", "").strip()
            name = (recipient.name or "").replace("\x00", "").strip()
            kind = getattr(recipient.type, "name", str(recipient.type)).lower()
            listed.append({"name": name, "address": address, "type": kind})
            if address or name:
                recipients.append(address or name)
        if not listed:
            for field in ("to", "cc"):
                for name, address in _addresses(getattr(self.msg, field)):
                    listed.append({"name": name, "address": address, "type": field})
                    if address or name:
                        recipients.append(address or name)
        raw["recipients"] = listed
        return sender, tuple(dict.fromkeys(recipients)), raw

    def _text(self) -> tuple[str | None, ImportWarning | None]:
        body = self.msg.body
        if body and body.strip():
            return body.replace("\r\n", "\n").strip(), None
        html = self.msg.htmlBody
        if html:
            try:
                decoded = html.decode("utf-8")
            except UnicodeDecodeError:
                decoded = html.decode("cp1252", errors="replace")
            return html_to_text(decoded) or None, None
        if _prop(self.msg, "10090102") is not None:
            return None, self._warn("the message has only an RTF body, which is not read: no text")
        return None, None

    def _attachments(self) -> Iterator[Blob | ImportWarning | tuple[str, dict[str, Any]]]:
        seen: set[str] = set()
        for number, attachment in enumerate(self.msg.attachments, start=1):
            locator = f"attachment {number}"
            data = getattr(attachment, "data", None)
            name = getattr(attachment, "longFilename", None) or getattr(attachment, "shortFilename", None)
            info: dict[str, Any] = {"name": name, "content_id": getattr(attachment, "cid", None)}
            blob: Blob | None = None
            if isinstance(data, bytes):
                blob = Blob(
                    data=data, name=name, media_type=getattr(attachment, "mimetype", None), locator=locator
                )
            elif isinstance(data, MessageBase):
                info["embedded_subject"] = data.subject
                try:
                    exported = data.exportBytes()
                except _MSG_ERRORS as exc:
                    yield ImportWarning(
                        locator, f"attached Outlook message could not be exported ({exc}); not stored"
                    )
                else:
                    blob = Blob(
                        data=exported,
                        name=name or f"{data.subject or 'attached message'}.msg",
                        media_type=MSG_MEDIA_TYPE,
                        locator=locator,
                    )
                    info["note"] = "re-exported by extract-msg from the attached message's properties"
            else:
                yield ImportWarning(
                    locator, f"attachment {name or ''} has no bytes to store ({type(data).__name__})"
                )
            if blob is not None:
                info["sha256"] = blob.sha256
                info["size"] = len(blob.data)
                if blob.sha256 not in seen:
                    seen.add(blob.sha256)
                    yield blob
            yield blob.sha256 if blob is not None else "", info

    def run(self) -> Iterator[Yielded]:
        headers, header_warnings = self._headers()
        yield from header_warnings
        moment, time_source, assumed, note, raw_date = self._time(headers)
        if note:
            yield self._warn(note)
        sender, recipients, raw = self._parties(headers)
        text, text_warning = self._text()
        if text_warning is not None:
            yield text_warning
        hashes: list[str] = []
        described: list[dict[str, Any]] = []
        for item in self._attachments():
            if isinstance(item, tuple):
                sha, info = item
                described.append(info)
                if sha and sha not in hashes:
                    hashes.append(sha)
            else:
                yield item
        dkim_present = any(name.lower() == "dkim-signature" for name, _ in headers)
        message_id = next((value for name, value in headers if name.lower() == "message-id"), None)
        raw.update(
            {
                "headers": headers,
                "date": raw_date,
                "message_id": message_id,
                "message_class": self.msg.classType,
                "attachments": described,
                "dkim": {"present": dkim_present, "result": NO_KEY if dkim_present else "no signature"},
            }
        )
        yield Record(
            item_sha256=self.source.sha256,
            locator=self.locator,
            occurred_at=moment,
            time_source=time_source,
            tz_assumed=assumed,
            channel=Channel.EMAIL,
            direction=Direction.UNKNOWN,
            importer=NAME,
            importer_version=VERSION,
            app="outlook",
            sender=sender,
            recipients=recipients,
            subject=(self.msg.subject or "").replace("\x00", "") or None,
            text=text,
            attachments=tuple(hashes),
            tz_name=self.options.tz if assumed else None,
            raw=raw,
        )
