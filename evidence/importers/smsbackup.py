"""SMS Backup & Restore (SyncTech, Android) XML backups: ``sms-*.xml`` (``<smses>``) and ``calls-*.xml`` (``<calls>``).

The format is the app's own (https://www.synctech.com.au/sms-backup-restore/fields-in-xml-backup-files/),
described with its real-world quirks in ``corpus/FORMATS.md`` section 1. Each ``<call/>``, ``<sms/>`` and
``<mms>`` child of the root becomes one record, located as ``call 17`` / ``sms 3`` / ``mms 2`` (1-based per
element kind, in file order, counting every element of that kind, also the ones skipped with a warning).

How fields are read:

- Time: only the epoch-millisecond ``date`` attribute (UTC, exact); ``readable_date`` is written in the phone's
  locale and is never parsed. ``occurred_at`` is that instant with the UTC offset ``options.tz`` had at that
  moment, as a fixed offset (``+01:00``): Python subtracts two datetimes that share a ZoneInfo by their wall
  clocks, which would put the two 01:30 calls of a fall-back night zero minutes apart. Nothing is assumed, so
  ``tz_assumed`` is False and ``tz_name`` None. A ``date`` below 10^11 is read as seconds (with a warning);
  an unusable ``date`` falls back to ``date_sent`` (seconds or milliseconds, warned); neither: record skipped.
- Call status: Android's call ``type`` (``CALL_TYPES``). An outgoing call (type 2) is ``connected`` when its
  ``duration`` (the seconds the call was connected) is above 0: someone answered, the person or their voicemail,
  which the log does not tell apart; at 0 it is ``dialled, not answered``; without a duration, ``dialled``.
- Parties, seen from the phone's owner, whose own number is usually not in the file: an incoming record has the
  other party as ``sender`` and ``recipients`` empty (SMS, calls) or the MMS's TO/CC addresses other than the
  sender (which then name the owner). An outgoing record has ``sender`` None (the owner) and the other parties
  as ``recipients``. Identifiers are kept as written (``+1 (234) 567-8910``): normalising is for later layers.
  A record whose direction is unknown lists the other party as ``sender``. Hidden call numbers
  (``presentation`` 2/3/4, or the numbers -1/-2/-3) become ``(withheld)``/``(unknown)``/``(payphone)`` and
  ``raw["hidden_number"]`` says why.
- ``raw`` holds ``element``, the element's ``attributes`` verbatim, and for an MMS its ``addrs`` and ``parts``
  (a part's base64 ``data`` replaced by ``data_length``, its number of characters).
- MMS text is the ``text/plain`` parts joined with newlines; every other part with content (images, audio,
  video, vCards) is yielded as a Blob, once per distinct content per file, before the first record naming it.
  SMIL layout parts stay in ``raw`` only.
- The literal value ``"null"`` means missing, for every attribute: a message whose whole body is the word
  ``null`` is read as having no text (``raw`` keeps the value).

Robustness: the XML is parsed only through defusedxml, incrementally (each record is dropped once read), with
DTDs forbidden. Real backups write emoji as UTF-16 surrogate pairs in numeric character references
(``&#55357;&#56833;``), which XML forbids; the bytes are repaired on the way into the parser (pairs joined,
lone surrogates and other forbidden characters replaced with U+FFFD and warned). A file that breaks off (or
stops being well-formed) keeps the records before the break, with a warning; a wrong root ``count`` is warned.
The tally's units are the root's child elements; a break counts as one more, not read, named by its line.

Encodings: UTF-8 (or another ASCII-compatible encoding the declaration names), and UTF-16 with a byte-order
mark (a backup re-saved by a Windows editor as "Unicode"): the BOM is detected, the bytes transcoded to UTF-8 on
the way into the parser (the declaration's ``encoding`` rewritten to match; lines unchanged, so line numbers
stay true) and undecodable UTF-16 (a lone surrogate, an odd last byte) replaced with U+FFFD and warned.

Known limits: UTF-16 without a BOM is not recognised; character references inside comments or
CDATA sections are repaired like any other; exact duplicate records (the same backup restored twice) are kept
as separate records; a part larger than ``MAX_PART_BYTES`` (``_smsbackup_mms``) is not stored (warned).

Code: this module walks the document and makes the call, SMS and MMS records; ``_smsbackup_xml`` holds the
bytes on their way into the parser, the root check ``sniff`` uses and the attribute readers, ``_smsbackup_mms``
the MMS's direction, parties and parts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import BinaryIO, ClassVar, Final
from xml.etree.ElementTree import Element, ParseError
from xml.parsers.expat import errors as expat_errors

import defusedxml.ElementTree as defused_et
from defusedxml import DefusedXmlException, DTDForbidden

from evidence.errors import InputError
from evidence.importers._smsbackup_mms import mms_direction, mms_part, mms_parties
from evidence.importers._smsbackup_xml import CharRefRepairingReader, attribute, integer, sniff_root
from evidence.importers._utf16 import Utf16ToUtf8Reader, utf16_codec
from evidence.importers.base import Importer, Source, Tallying, Yielded, counted
from evidence.models import Channel, Direction, ImportOptions, ImportWarning, Record, TimeSource
from evidence.timeutil import zone

NAME: Final = "smsbackup"
VERSION: Final = "1.0.0"

MAX_DEPTH: Final = 8  # root 1, mms 2, parts 3, part 4: anything much deeper is not this format
MAX_ELEMENTS_PER_RECORD: Final = 10_000  # one record is held in memory while it is read

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_SECONDS_BELOW: Final = 10**11  # as milliseconds that is 1973-03-03; as seconds, year 5138
_ROOTS: Final = ("smses", "calls")
_RECORD_TAGS: Final = ("call", "sms", "mms")
_TRUNCATION_CODES: Final = frozenset(
    expat_errors.codes[name]
    for name in (
        expat_errors.XML_ERROR_NO_ELEMENTS,
        expat_errors.XML_ERROR_UNCLOSED_TOKEN,
        expat_errors.XML_ERROR_PARTIAL_CHAR,
        expat_errors.XML_ERROR_UNCLOSED_CDATA_SECTION,
    )
)

# Android's CallLog.Calls.*_TYPE.
CALL_TYPES: Final[dict[int, tuple[Direction, str]]] = {
    1: (Direction.INCOMING, "answered"),
    2: (Direction.OUTGOING, "dialled"),  # made "connected" or "dialled, not answered" by its duration
    3: (Direction.INCOMING, "missed"),
    4: (Direction.INCOMING, "voicemail"),
    5: (Direction.INCOMING, "rejected"),
    6: (Direction.INCOMING, "blocked"),
    7: (Direction.INCOMING, "answered elsewhere"),
}
# Android's Telephony.TextBasedSmsColumns.MESSAGE_TYPE_*; drafts and unsent messages are the owner's.
SMS_TYPES: Final[dict[int, tuple[Direction, str]]] = {
    1: (Direction.INCOMING, "received"),
    2: (Direction.OUTGOING, "sent"),
    3: (Direction.OUTGOING, "draft"),
    4: (Direction.OUTGOING, "outbox"),
    5: (Direction.OUTGOING, "failed"),
    6: (Direction.OUTGOING, "queued"),
}
PRESENTATION: Final[dict[str, str]] = {"2": "withheld", "3": "unknown", "4": "payphone"}
HIDDEN_NUMBERS: Final[dict[str, str]] = {"-1": "unknown", "-2": "withheld", "-3": "payphone", "": "unknown"}


def _from_epoch_ms(ms: int) -> datetime:
    """The exact instant ``ms`` milliseconds after the epoch (integer arithmetic, no float rounding)."""
    return _EPOCH + timedelta(milliseconds=ms)


class SmsBackupImporter(Importer):
    """Importer for SMS Backup & Restore ``<smses>`` and ``<calls>`` XML backups."""

    name: ClassVar[str] = NAME
    version: ClassVar[str] = VERSION
    description: ClassVar[str] = "SMS Backup & Restore (Android) XML: calls, SMS and MMS with attachments"

    def sniff(self, head: bytes, source: Source) -> bool:
        """Claims XML whose root element is ``<smses>`` or ``<calls>``, whatever the file's name."""
        return sniff_root(head)

    def parse(self, source: Source, options: ImportOptions) -> Iterator[Yielded]:
        """Yield the backup's records (Blobs before the records naming them) and warnings."""
        tz = zone(options.tz)
        try:
            with open(source.path, "rb") as handle:
                yield from counted("elements", lambda tallying: _Reader(source, tz, handle, tallying).run())
        except OSError as exc:
            raise InputError(f"cannot read ({exc.strerror})", path=source.name) from None


class _Reader:
    """The state of one parse."""

    def __init__(self, source: Source, tz: tzinfo, handle: BinaryIO, tallying: Tallying) -> None:
        self.source = source
        self.tallying = tallying
        self.tz = tz
        self.offsets: dict[timedelta, timezone] = {}
        head = handle.read(2)
        handle.seek(0)
        codec = utf16_codec(head)
        self.utf16 = Utf16ToUtf8Reader(handle, codec) if codec else None
        self.stream = CharRefRepairingReader(self.utf16 if self.utf16 else handle)
        self.counters: Counter[str] = Counter()
        self.records_seen = 0  # complete record elements (call, sms, mms), kept or skipped
        self.last_locator: str | None = None
        self.seen_blobs: set[str] = set()
        self.replacements_reported = 0

    def _error(self, message: str) -> InputError:
        return InputError(message, path=self.source.name)

    # -- the document --------------------------------------------------------------------------------

    def run(self) -> Iterator[Yielded]:
        root: Element | None = None
        root_tag = ""
        declared: str | None = None
        depth = 0
        in_record = 0
        events = defused_et.iterparse(self.stream, events=("start", "end"), forbid_dtd=True)
        try:
            for event, elem in events:
                if event == "start":
                    depth += 1
                    if depth == 1:
                        root, root_tag, declared = elem, elem.tag, elem.get("count")
                        if root_tag not in _ROOTS:
                            raise self._error(
                                f"the root element is <{root_tag}>, not <smses> or <calls>: "
                                "not an SMS Backup & Restore backup"
                            )
                    elif depth > MAX_DEPTH:
                        raise self._error(
                            f"elements nested more than {MAX_DEPTH} deep: not a backup this reads"
                        )
                    elif depth > 2:
                        in_record += 1
                        if in_record > MAX_ELEMENTS_PER_RECORD:
                            raise self._error(
                                f"a record holds more than {MAX_ELEMENTS_PER_RECORD} elements: "
                                "not a backup this reads"
                            )
                    continue
                depth -= 1
                if depth != 1 or root is None:
                    continue
                in_record = 0
                yield from self._child(elem)
                root.clear()  # bounded memory: each record is dropped once read (the root's attributes are kept)
        except ParseError as exc:
            yield from self._broken(exc, root is not None)
        except DTDForbidden as exc:
            raise self._error(
                f"rejected as hostile XML: it declares a DTD (<!DOCTYPE {exc.name}>), which can expand entities "
                "or fetch outside files; SMS Backup & Restore never writes one"
            ) from None
        except DefusedXmlException as exc:
            raise self._error(f"rejected as hostile XML: {type(exc).__name__}") from None
        except LookupError as exc:  # the XML declaration names an encoding Python does not know
            raise self._error(f"unreadable XML: {exc}") from None
        if root is None:
            raise self._error("the file holds no XML element")
        yield from self._count_check(root_tag, declared)
        if self.utf16 is not None and self.utf16.replaced:
            yield ImportWarning(
                "file",
                "the file is UTF-16 but some bytes do not decode as UTF-16: they were replaced with U+FFFD",
            )
        pending = self.stream.replaced - self.replacements_reported
        if pending > 0:
            yield ImportWarning(
                "file",
                f"{pending} character reference(s) to lone UTF-16 surrogates or to characters XML forbids "
                "were replaced with U+FFFD outside the records read",
            )

    def _broken(self, exc: ParseError, started: bool) -> Iterator[ImportWarning]:
        line, column = exc.position
        reason = expat_errors.messages.get(exc.code, str(exc))
        where = f"line {line}, column {column + 1}"
        if not started:
            raise self._error(f"unreadable XML at {where}: {reason}") from None
        if self.records_seen == 0:
            raise self._error(f"unreadable XML at {where}: {reason}; no complete record before it") from None
        if exc.code in _TRUNCATION_CODES:
            message = (
                f"the file is cut off at {where} ({reason}): the {self.records_seen} complete records up to "
                f"{self.last_locator} are kept; whatever followed is missing"
            )
        else:
            message = (
                f"the XML breaks at {where} ({reason}): the {self.records_seen} complete records up to "
                f"{self.last_locator} are kept; the rest of the file is not read"
            )
        # What follows the break cannot be counted: it is one unit seen and not read, named by its line.
        self.tallying.see()
        yield self.tallying.skip(f"line {line}", message)

    def _count_check(self, root_tag: str, declared: str | None) -> Iterator[ImportWarning]:
        if declared is None:
            return
        number = integer(declared)
        if number is None:
            yield ImportWarning(root_tag, f"the count attribute {declared!r} is not a number")
        elif number != self.records_seen:
            yield ImportWarning(
                root_tag, f"the count attribute declares {number} records, the file holds {self.records_seen}"
            )

    def _child(self, elem: Element) -> Iterator[Yielded]:
        tag = elem.tag
        self.counters[tag] += 1
        locator = f"{tag} {self.counters[tag]}"
        self.tallying.see()
        if tag not in _RECORD_TAGS:
            yield self.tallying.skip(locator, f"unexpected <{tag}> element skipped")
            return
        self.records_seen += 1
        self.last_locator = locator
        yield from self._replacement_warning(elem, locator)
        if not elem.attrib:
            yield self.tallying.skip(locator, f"empty <{tag}/> element (no attributes) skipped")
            return
        if tag == "call":
            yield from self._call(elem, locator)
        elif tag == "sms":
            yield from self._sms(elem, locator)
        else:
            yield from self._mms(elem, locator)

    def _replacement_warning(self, elem: Element, locator: str) -> Iterator[ImportWarning]:
        """Attribute the character references replaced with U+FFFD to the record that holds them."""
        pending = self.stream.replaced - self.replacements_reported
        if pending <= 0:
            return
        found = sum(value.count("\ufffd") for node in elem.iter() for value in node.attrib.values())
        if found:
            count = min(found, pending)
            self.replacements_reported += count
            yield ImportWarning(
                locator,
                f"{count} character reference(s) to a lone UTF-16 surrogate (or a character XML forbids) "
                "replaced with U+FFFD",
            )

    # -- fields ---------------------------------------------------------------------------------------

    def _time(self, elem: Element, *, sent_in_seconds: bool) -> tuple[datetime | None, list[str]]:
        """The record's instant from ``date`` (epoch ms), else ``date_sent``; and what was noticed."""
        notes: list[str] = []
        raw_date = elem.get("date")
        number = integer(attribute(elem, "date"))
        if number is not None and number > 0:
            if number < _SECONDS_BELOW:
                notes.append(f"date {raw_date} is too small for milliseconds; read as seconds")
                number *= 1000
            try:
                return _from_epoch_ms(number), notes
            except OverflowError:
                notes.append(f"date {raw_date} is out of range")
        else:
            notes.append(
                f"date {raw_date!r} is not epoch milliseconds" if raw_date is not None else "no date"
            )
        raw_sent = elem.get("date_sent")
        sent = integer(attribute(elem, "date_sent"))
        if sent is not None and sent > 0:
            if sent_in_seconds or sent < _SECONDS_BELOW:
                sent *= 1000
            try:
                moment = _from_epoch_ms(sent)
            except OverflowError:
                pass
            else:
                notes.append(f"time taken from date_sent {raw_sent}")
                return moment, notes
        return None, notes

    def _record(
        self,
        *,
        locator: str,
        moment: datetime,
        channel: Channel,
        direction: Direction,
        app: str,
        sender: str | None,
        recipients: tuple[str, ...],
        raw: dict[str, object],
        subject: str | None = None,
        text: str | None = None,
        status: str | None = None,
        duration_s: int | None = None,
        attachments: tuple[str, ...] = (),
    ) -> Record:
        try:
            offset = moment.astimezone(self.tz).utcoffset() or timedelta(0)
        except OverflowError:
            # The end of the calendar east of UTC: kept in UTC, and refused by the import (after 2099).
            offset = timedelta(0)
        fixed = self.offsets.setdefault(offset, timezone(offset))
        return Record(
            item_sha256=self.source.sha256,
            locator=locator,
            occurred_at=moment.astimezone(fixed),
            time_source=TimeSource.EXPORT,
            tz_assumed=False,
            channel=channel,
            direction=direction,
            importer=NAME,
            importer_version=VERSION,
            app=app,
            sender=sender,
            recipients=recipients,
            subject=subject,
            text=text,
            status=status,
            duration_s=duration_s,
            attachments=attachments,
            tz_name=None,
            raw=raw,
        )

    def _timed(
        self, elem: Element, locator: str, *, sent_in_seconds: bool = False
    ) -> tuple[datetime | None, list[ImportWarning]]:
        moment, notes = self._time(elem, sent_in_seconds=sent_in_seconds)
        warnings = [ImportWarning(locator, note) for note in notes]
        if moment is None:
            warnings.append(self.tallying.skip(locator, f"<{elem.tag}> has no usable time; skipped"))
        return moment, warnings

    # -- calls ----------------------------------------------------------------------------------------

    def _call(self, elem: Element, locator: str) -> Iterator[Yielded]:
        moment, warnings = self._timed(elem, locator)
        yield from warnings
        if moment is None:
            return
        raw: dict[str, object] = {"element": "call", "attributes": dict(elem.attrib)}
        code = integer(attribute(elem, "type"))
        if code in CALL_TYPES:
            direction, status = CALL_TYPES[code]
        else:
            direction, status = Direction.UNKNOWN, f"type {elem.get('type')}"
            yield ImportWarning(locator, f"unknown call type {elem.get('type')!r}; direction unknown")
        number = elem.get("number")
        presentation = elem.get("presentation")
        party: str
        if presentation in PRESENTATION:
            party = f"({PRESENTATION[presentation]})"
            raw["hidden_number"] = f"{PRESENTATION[presentation]} (presentation {presentation})"
        elif number is None or number.strip() in HIDDEN_NUMBERS or number == "null":
            word = HIDDEN_NUMBERS.get((number or "").strip(), "unknown")
            party = f"({word})"
            raw["hidden_number"] = f"{word} (number {number!r})"
        else:
            party = number
        duration_text = attribute(elem, "duration")
        duration = integer(duration_text)
        if duration_text is not None and (duration is None or duration < 0):
            yield ImportWarning(locator, f"duration {duration_text!r} is not a number of seconds; left out")
            duration = None
        if code == 2 and duration is not None:
            # The duration is the time the call was connected: an outgoing call that lasted was answered (by
            # the person or their voicemail; the log does not say which), one of 0 s was not.
            status = "connected" if duration > 0 else "dialled, not answered"
        sender, recipients = (None, (party,)) if direction is Direction.OUTGOING else (party, ())
        yield self._record(
            locator=locator,
            moment=moment,
            channel=Channel.CALL,
            direction=direction,
            app="phone",
            sender=sender,
            recipients=recipients,
            status=status,
            duration_s=duration,
            raw=raw,
        )

    # -- SMS ------------------------------------------------------------------------------------------

    def _sms(self, elem: Element, locator: str) -> Iterator[Yielded]:
        moment, warnings = self._timed(elem, locator)
        yield from warnings
        if moment is None:
            return
        code = integer(attribute(elem, "type"))
        if code in SMS_TYPES:
            direction, status = SMS_TYPES[code]
        else:
            direction, status = Direction.UNKNOWN, f"type {elem.get('type')}"
            yield ImportWarning(locator, f"unknown SMS type {elem.get('type')!r}; direction unknown")
        address = attribute(elem, "address")
        if address is None or not address.strip():
            yield ImportWarning(locator, "no address (other party) given")
            address = None
        sender: str | None
        recipients: tuple[str, ...]
        if direction is Direction.OUTGOING:
            sender, recipients = None, (address,) if address else ()
        else:
            sender, recipients = address or "(unknown)", ()
        yield self._record(
            locator=locator,
            moment=moment,
            channel=Channel.SMS,
            direction=direction,
            app="sms",
            sender=sender,
            recipients=recipients,
            subject=attribute(elem, "subject") or None,
            text=attribute(elem, "body"),
            status=status,
            raw={"element": "sms", "attributes": dict(elem.attrib)},
        )

    # -- MMS ------------------------------------------------------------------------------------------

    def _mms(self, elem: Element, locator: str) -> Iterator[Yielded]:
        moment, warnings = self._timed(elem, locator, sent_in_seconds=True)
        yield from warnings
        if moment is None:
            return
        direction, status = mms_direction(elem)
        if direction is Direction.UNKNOWN:
            yield ImportWarning(
                locator, f"unknown msg_box {elem.get('msg_box')!r} and m_type {elem.get('m_type')!r}"
            )
        addrs = list(elem.iter("addr"))
        sender, recipients = mms_parties(elem, addrs, direction)
        texts: list[str] = []
        attachments: list[str] = []
        raw_parts: list[dict[str, object]] = []
        for number, part in enumerate(elem.iter("part"), start=1):
            raw_part: dict[str, object] = {k: v for k, v in part.attrib.items() if k != "data"}
            if "data" in part.attrib:
                raw_part["data_length"] = len(part.attrib["data"])
            raw_parts.append(raw_part)
            for item in mms_part(part, f"{locator} part {number}", texts, self.seen_blobs):
                if isinstance(item, str):
                    if item not in attachments:
                        attachments.append(item)
                else:
                    yield item
        if sender is None and direction is not Direction.OUTGOING:
            yield ImportWarning(locator, "no address (other party) given")
            sender = "(unknown)"
        yield self._record(
            locator=locator,
            moment=moment,
            channel=Channel.MMS,
            direction=direction,
            app="sms",
            sender=sender,
            recipients=recipients,
            subject=attribute(elem, "sub") or None,
            text="\n".join(texts) if texts else None,
            status=status,
            attachments=tuple(attachments),
            raw={
                "element": "mms",
                "attributes": dict(elem.attrib),
                "addrs": [dict(a.attrib) for a in addrs],
                "parts": raw_parts,
            },
        )
