"""Call and message logs in CSV: carrier bills and iMazing exports of an iPhone's call history and messages.

Sources: iMazing (https://imazing.com) writes ``Call type,Date,Duration,Number,Contact,Location,Service`` for
calls and ``Chat Session,Message Date,…,Service,Type,Sender ID,Sender Name,Status,…,Text,…`` for messages
(``corpus/FORMATS.md`` section 8). Carrier bills have no standard layout ("Date,Time,Number called,Duration,
Cost"), so columns are recognised by name.

How it reads a file:

- Encoding: UTF-8 (a BOM is tolerated), UTF-16 with a BOM (Excel's "Unicode text"), else Windows-1252 with a
  warning. Delimiter: comma, semicolon or tab, whichever makes the header line name the most known columns.
- Columns: the first row is the header; names are matched case-insensitively against the synonyms in
  ``SYNONYMS`` (the first synonym present wins). ``options.columns`` ((field, column name) pairs, fields
  ``date time number direction duration contact text service chat status``) overrides the mapping.
  No date column: ``InputError`` listing the columns found and naming ``--column date=NAME``.
- Calls or messages, per file: a text column makes every row a message, else every row is a call.
  Messages: ``Service`` SMS (or none) is channel ``sms`` app ``sms`` (app None without a service column), MMS
  is ``mms``, RCS is ``sms`` app ``rcs`` (carrier messaging shown in the same thread as SMS), iMessage is
  channel ``chat`` app ``imessage`` (it goes over the internet, not the carrier), any other service is
  ``chat`` with the service name as app. Calls: channel ``call``; app from ``Service`` (``Phone: +number`` is
  ``phone``, ``WhatsApp Video`` is ``whatsapp``, ``Signal Audio`` is ``signal``, …).
- Direction from the direction/type column: Incoming/Received/In, Outgoing/Dialled/Sent/Out, and Missed,
  Rejected, Declined, Blocked, Voicemail (incoming, the word becomes ``status``); anything else is
  ``unknown`` and kept in ``raw``. Parties as in the other importers: incoming has the other party as
  ``sender``; outgoing has ``sender`` None (the owner) and the other party in ``recipients``. iMazing leaves
  ``Sender ID`` empty on outgoing messages, so the ``Chat Session`` column stands in for the other party.
- Duration: ``HH:MM:SS``, ``MM:SS``, plain seconds, or ``1h 2m 30s``; unreadable ones are warned and left None.
- Dates: ISO (``2024-03-15 14:30:00``, optionally with an offset) are read exactly as written. Other dates are
  read with python-dateutil; a separate time column is joined to the date. Numeric dates such as ``01/02/26``
  are ambiguous: the order is decided from the whole file (a first field above 12 means day-first, a second
  above 12 month-first); if no row settles it the import stops with an ``InputError`` whose hint names
  ``--date-order DMY`` / ``MDY``; ``options.date_order`` overrides the detection. Rows that disagree with
  each other stop the import too. Times without an offset are wall-clock times in ``options.tz``
  (``tz_assumed``, ``tz_name``); an ambiguous time on the fall-back night takes the first occurrence
  (``fold=0``) and a time that does not exist (spring forward) is read with the offset before the change,
  each with a warning. A time with an explicit offset is exact.
- Locator ``row N``: N is the data row as the CSV reader returns it, 1-based, header excluded, blank rows
  counted (a quoted field may span lines, so this is not the physical line number).
- ``raw`` is the row as a dict of header -> value (strings, verbatim); a duplicated header name gets `` (2)``.
  Extra fields beyond the header are kept as a list under ``(extra)`` with a warning; short rows are
  skipped (warned); blank rows are skipped silently (the tally counts the other rows, and a CSV error's "rest
  of the file" as one more, not read). ``status`` is the status column (or the missed/rejected
  word of the direction column) in lower case.

Limits: files over ``MAX_BYTES`` are refused; one field over ``MAX_FIELD`` stops the reading there (warned;
``csv.field_size_limit`` is process-wide state and is set while parsing). Header-less files (older iMazing
versions) are not recognised. A date-only row without a time column is read as midnight, with a warning.
Contact names are kept in ``raw`` only. Unknown zone abbreviations (``BST``) are ignored with a warning.
"""

from __future__ import annotations

import codecs
import csv
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Final
from zoneinfo import ZoneInfo

from dateutil import parser as dateparser

from evidence.errors import InputError
from evidence.importers.base import Importer, Source, Tallying, Yielded, counted
from evidence.models import Channel, Direction, ImportOptions, ImportWarning, Record, TimeSource
from evidence.timeutil import DstCase, localise_wall, zone

NAME: Final = "csvlog"
VERSION: Final = "1.0.0"

MAX_BYTES: Final = 200 * 1024 * 1024
MAX_FIELD: Final = 1024 * 1024
MAX_HEADER_CELL: Final = 64
MAX_HEADER_LINE: Final = 4096
CHUNK: Final = 1024 * 1024
DELIMITERS: Final = (",", ";", "\t")
MIN_YEAR: Final = 1900  # dateutil fills a missing year from its default (year 1): such a date has no year
# dateutil fills missing parts from this; it must be naive, or a zone-less time would come back in its zone.
_NO_DATE: Final = datetime.min  # noqa: DTZ901 - made aware by _localise or by the offset in the text

FIELDS: Final = (
    "date",
    "time",
    "number",
    "direction",
    "duration",
    "contact",
    "text",
    "service",
    "chat",
    "status",
)

# Header names per field, lower-case with single spaces; the first one present in a file wins.
SYNONYMS: Final[dict[str, tuple[str, ...]]] = {
    "date": (
        "date",
        "date & time",
        "date and time",
        "date/time",
        "datetime",
        "call date",
        "message date",
        "start time",
        "start date",
        "timestamp",
        "sent date",
    ),
    "time": ("time", "call time", "message time"),
    "number": (
        "number",
        "phone number",
        "other party",
        "sender id",
        "called number",
        "number called",
        "phone",
        "from",
        "to",
    ),
    "direction": ("direction", "call type", "type", "message type", "in/out"),
    "duration": ("duration", "call duration", "length", "duration (s)", "duration (seconds)"),
    "contact": ("contact", "contact name", "name", "sender name"),
    "text": ("text", "message", "body", "message text", "content"),
    "service": ("service",),
    "chat": ("chat session", "chat"),
    "status": ("status",),
}
_ALL_NAMES: Final = {name for names in SYNONYMS.values() for name in names}

_INCOMING: Final = {"incoming", "in", "received", "inbound", "incoming call", "received call", "receive"}
_OUTGOING: Final = {"outgoing", "out", "dialled", "dialed", "outbound", "sent", "outgoing call", "send"}
_INCOMING_STATUS: Final = {"missed", "missed call", "rejected", "declined", "blocked", "voicemail"}

_ISO: Final = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,6})?)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)?",
)
_NUMERIC_DATE: Final = re.compile(r"\s*(\d{1,4})([/.\-])(\d{1,2})\2(\d{1,4})(?!\d)")
_HAS_TIME: Final = re.compile(r"\d{1,2}:\d{2}")
_CLOCK: Final = re.compile(r"(?:(\d+):)?(\d{1,2}):(\d{2})(?:[.,]\d+)?")
_UNITS: Final = re.compile(
    r"(?:(\d+)\s*h(?:ours?|rs?)?)?\s*(?:(\d+)\s*m(?:in(?:utes?|s)?)?)?\s*(?:(\d+)\s*s(?:ec(?:onds?|s)?)?)?"
)


def _norm(name: str) -> str:
    return " ".join(name.replace("\ufeff", "").strip().lower().split())


def _header_score(cells: list[str]) -> tuple[bool, bool, int]:
    names = {_norm(c) for c in cells}
    has_date = bool(names & set(SYNONYMS["date"]))
    has_party = bool(names & (set(SYNONYMS["number"]) | set(SYNONYMS["text"])))
    return has_date, has_party, len(names & _ALL_NAMES)


def _best_delimiter(line: str) -> str:
    # Most known column names first; then most columns (a header naming none of them still splits right).
    best, best_score = ",", (-1, -1)
    for delimiter in DELIMITERS:
        try:
            cells = next(csv.reader([line], delimiter=delimiter), [])
        except csv.Error:
            continue
        score = (_header_score(cells)[2], len(cells))
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _decode_head(head: bytes) -> str:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return head.decode("utf-16", errors="replace")
    return head.decode("utf-8-sig", errors="replace")


def _detect_encoding(path: Path) -> str:
    """``utf-16``, ``utf-8-sig`` when every byte is valid UTF-8, else ``cp1252``; reads in bounded chunks."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as fh:
        first = fh.read(2)
        if first in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
            return "utf-16"
        fh.seek(0)
        try:
            while chunk := fh.read(CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8-sig"


@dataclass(frozen=True)
class _Mapping:
    header: tuple[str, ...]
    keys: tuple[str, ...]  # unique names for raw
    index: dict[str, int]  # field -> column index


def _map_columns(header: list[str], options: ImportOptions, source: Source) -> _Mapping:
    keys: list[str] = []
    seen: dict[str, int] = {}
    for cell in header:
        name = cell.replace("\ufeff", "").strip()
        seen[name] = seen.get(name, 0) + 1
        keys.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    normed = [_norm(c) for c in header]
    index: dict[str, int] = {}
    for field, names in SYNONYMS.items():
        for synonym in names:
            if synonym in normed:
                index[field] = normed.index(synonym)
                break
    for field, column in options.columns:
        if field not in FIELDS:
            raise InputError(
                f"unknown field {field!r} in the column mapping",
                path=source.name,
                hint=f"fields are: {', '.join(FIELDS)} (--column FIELD=NAME)",
            )
        if _norm(column) not in normed:
            raise InputError(
                f"no column named {column!r} (columns: {', '.join(keys)})",
                path=source.name,
                hint="name one of the columns found with --column FIELD=NAME",
            )
        index[field] = normed.index(_norm(column))
    # "Start time" as the date column and a separate "Time" column cannot both be the same cell.
    if index.get("time") == index.get("date"):
        index.pop("time", None)
    if "date" not in index:
        raise InputError(
            f"no date column among the columns found: {', '.join(keys) or '(none)'}",
            path=source.name,
            hint="name the column holding the date with --column date=NAME",
        )
    return _Mapping(tuple(header), tuple(keys), index)


def _cell(row: list[str], mapping: _Mapping, field: str) -> str:
    i = mapping.index.get(field)
    if i is None or i >= len(row):
        return ""
    return row[i].strip()


def _date_text(row: list[str], mapping: _Mapping) -> str:
    date = _cell(row, mapping, "date")
    time = _cell(row, mapping, "time")
    return f"{date} {time}" if time and date else date


def _order_evidence(text: str) -> str | None:
    """``"DMY"``/``"MDY"`` when this date settles the order, ``"?"`` when it is ambiguous, None otherwise."""
    if _ISO.match(text):
        return None
    m = _NUMERIC_DATE.match(text)
    if m is None or len(m.group(1)) > 2:
        return None
    first, second = int(m.group(1)), int(m.group(3))
    if first > 12 >= second:
        return "DMY"
    if second > 12 >= first:
        return "MDY"
    if first <= 12 and second <= 12 and first != second:
        return "?"
    return None


def _localise(wall: datetime, tz: ZoneInfo) -> tuple[datetime, str | None]:
    """``wall`` (naive) in ``tz``, and a warning when the wall time is ambiguous or does not exist."""
    first, case = localise_wall(wall, tz)
    if case is DstCase.NONEXISTENT:
        return first, (
            f"{wall:%Y-%m-%d %H:%M:%S} does not exist in {tz.key} (clocks went forward);"
            f" read with the offset before the change ({first.isoformat()})"
        )
    if case is DstCase.AMBIGUOUS:
        return first, (
            f"{wall:%Y-%m-%d %H:%M:%S} happened twice in {tz.key} (clocks went back);"
            f" the first occurrence was taken ({first.isoformat()})"
        )
    return first, None


def _parse_moment(text: str, order: str | None) -> tuple[datetime, list[str]]:
    """The time in ``text`` (naive when it has no offset) and notes; ValueError when it is not a date."""
    notes: list[str] = []
    if _ISO.fullmatch(text):
        moment = datetime.fromisoformat(
            text.replace(",", ".").replace(" Z", "Z").replace(" +", "+").replace(" -", "-")
        )
    else:
        m = _NUMERIC_DATE.match(text)
        yearfirst = order == "YMD" or (m is not None and len(m.group(1)) > 2)
        dayfirst = order == "DMY" and not yearfirst
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                moment = dateparser.parse(text, dayfirst=dayfirst, yearfirst=yearfirst, default=_NO_DATE)
            except (dateparser.ParserError, OverflowError) as exc:
                raise ValueError(str(exc)) from None
        if any(issubclass(w.category, dateparser.UnknownTimezoneWarning) for w in caught):
            notes.append(f"zone name in {text!r} is not known; read as a wall-clock time")
            moment = moment.replace(tzinfo=None)
        if moment.year < MIN_YEAR:
            raise ValueError("no year")
    if moment.tzinfo is not None:
        offset = moment.utcoffset()
        assert offset is not None
        moment = moment.astimezone(timezone(offset))
    if not _HAS_TIME.search(text):
        notes.append(f"{text!r} has no time of day; read as midnight")
    return moment, notes


def _duration(text: str) -> int | None:
    """Seconds in ``text``; None when it is empty; ValueError when it cannot be read."""
    value = text.strip().lower()
    if not value:
        return None
    if value.isdigit():
        return int(value)
    m = _CLOCK.fullmatch(value)
    if m:
        hours, minutes, seconds = int(m.group(1) or 0), int(m.group(2)), int(m.group(3))
        return hours * 3600 + minutes * 60 + seconds
    m = _UNITS.fullmatch(value)
    if m and any(m.groups()):
        hours, minutes, seconds = (int(g or 0) for g in m.groups())
        return hours * 3600 + minutes * 60 + seconds
    raise ValueError(text)


def _direction(value: str) -> tuple[Direction, str | None]:
    word = _norm(value)
    if word in _INCOMING:
        return Direction.INCOMING, None
    if word in _OUTGOING:
        return Direction.OUTGOING, None
    if word in _INCOMING_STATUS:
        return Direction.INCOMING, word.removesuffix(" call")
    return Direction.UNKNOWN, None


def _call_app(service: str) -> str | None:
    word = _norm(service)
    if not word:
        return None
    if word.startswith("phone") or word in {"cellular", "mobile", "voice"}:
        return "phone"
    for suffix in (" audio", " video", " call"):
        word = word.removesuffix(suffix)
    return word


def _message_channel(service: str) -> tuple[Channel, str | None]:
    word = _norm(service)
    if not word:
        return Channel.SMS, None
    if word in {"sms", "text"}:
        return Channel.SMS, "sms"
    if word == "mms":
        return Channel.MMS, "mms"
    if word == "rcs":
        return Channel.SMS, "rcs"
    return Channel.CHAT, word


def _sniff_text(head: bytes) -> bool:
    text = _decode_head(head).lstrip("\ufeff")
    line = text.split("\n", 1)[0].rstrip("\r")
    if not line.strip() or len(line) > MAX_HEADER_LINE or line.lstrip()[:1] in {"{", "[", "<"}:
        return False
    try:
        cells = next(csv.reader([line], delimiter=_best_delimiter(line)), [])
    except csv.Error:
        return False
    if len(cells) < 2 or any(len(c) > MAX_HEADER_CELL for c in cells):
        return False
    has_date, has_party, _ = _header_score(cells)
    return has_date and has_party


class CsvLogImporter(Importer):
    """Reads call and message logs in CSV (carrier bills, iMazing exports)."""

    name = NAME
    version = VERSION
    description = "Call and message logs in CSV (carrier bills, iMazing call history and messages)"

    def sniff(self, head: bytes, source: Source) -> bool:
        """The first line is a CSV header naming a date column and a number or text column."""
        return _sniff_text(head)

    def parse(self, source: Source, options: ImportOptions) -> Iterator[Yielded]:
        """One record per data row: calls, or messages when the file has a text column."""
        if source.size > MAX_BYTES:
            raise InputError(f"CSV log is larger than {MAX_BYTES // 2**20} MiB", path=source.name)
        tz = zone(options.tz)
        encoding = _detect_encoding(source.path)
        if encoding == "cp1252":
            yield ImportWarning("file", "not UTF-8; read as Windows-1252 (cp1252)")
        previous_limit = csv.field_size_limit(MAX_FIELD)
        try:
            yield from counted("rows", lambda tallying: self._parse(source, options, tz, encoding, tallying))
        finally:
            csv.field_size_limit(previous_limit)

    def _rows(self, source: Source, encoding: str) -> Iterator[tuple[int, list[str]] | ImportWarning]:
        """(row number, cells) for every data row; row 0 is the header; a CSV error ends it with a warning."""
        with source.path.open("r", encoding=encoding, errors="replace", newline="") as fh:
            first = fh.readline()
            delimiter = _best_delimiter(first.lstrip("\ufeff"))
            reader = csv.reader(
                _chain_line(first, fh),
                delimiter=delimiter,
            )
            number = 0
            try:
                for number, row in enumerate(reader):
                    yield number, row
            except csv.Error as exc:
                yield ImportWarning(f"row {number + 1}", f"CSV unreadable from here on ({exc}); rest ignored")

    def _parse(
        self, source: Source, options: ImportOptions, tz: ZoneInfo, encoding: str, tallying: Tallying
    ) -> Iterator[Yielded]:
        mapping: _Mapping | None = None
        order = options.date_order
        settled_at: dict[str, int] = {}
        ambiguous_at: int | None = None
        # Pass 1: the header, and the date order of the whole file.
        for item in self._rows(source, encoding):
            if isinstance(item, ImportWarning):
                break
            number, row = item
            if number == 0:
                if not any(cell.strip() for cell in row):
                    raise InputError("the CSV file is empty (no header row)", path=source.name)
                mapping = _map_columns(row, options, source)
                if order is not None:
                    break
                continue
            assert mapping is not None
            evidence = _order_evidence(_date_text(row, mapping))
            if evidence == "?":
                ambiguous_at = ambiguous_at or number
            elif evidence is not None:
                settled_at.setdefault(evidence, number)
        if mapping is None:
            raise InputError("the CSV file is empty (no header row)", path=source.name)
        if order is None:
            if len(settled_at) > 1:
                raise InputError(
                    f"dates disagree: row {settled_at['DMY']} is day-first, row {settled_at['MDY']} month-first",
                    path=source.name,
                    hint="say which order the file uses with --date-order DMY or --date-order MDY",
                )
            if settled_at:
                order = next(iter(settled_at))
            elif ambiguous_at is not None:
                raise InputError(
                    f"dates such as row {ambiguous_at}'s are ambiguous (day-first or month-first) and no row settles it",
                    path=source.name,
                    hint="say which order the file uses with --date-order DMY or --date-order MDY",
                )
        messages = "text" in mapping.index
        # Pass 2: the records.
        for item in self._rows(source, encoding):
            if isinstance(item, ImportWarning):
                tallying.see()  # the rest of the file, one unit not read
                yield tallying.skip(item.locator, item.message)
                break
            number, row = item
            if number == 0 or not any(cell.strip() for cell in row):
                continue
            tallying.see()
            yield from self._row(source, options, tz, mapping, order, messages, number, row, tallying)

    def _row(
        self,
        source: Source,
        options: ImportOptions,
        tz: ZoneInfo,
        mapping: _Mapping,
        order: str | None,
        messages: bool,
        number: int,
        row: list[str],
        tallying: Tallying,
    ) -> Iterator[Yielded]:
        locator = f"row {number}"
        width = len(mapping.header)
        if len(row) < width:
            yield tallying.skip(locator, f"row has {len(row)} fields, the header {width}; skipped")
            return
        raw: dict[str, object] = dict(zip(mapping.keys, row, strict=False))
        if len(row) > width:
            raw["(extra)"] = row[width:]
            yield ImportWarning(
                locator, f"row has {len(row) - width} fields more than the header; kept in raw"
            )
        when = _date_text(row, mapping)
        if not when:
            yield tallying.skip(locator, "no date; skipped")
            return
        try:
            moment, notes = _parse_moment(when, order)
        except ValueError:
            yield tallying.skip(locator, f"date {when!r} cannot be read; skipped")
            return
        for note in notes:
            yield ImportWarning(locator, note)
        assumed = moment.tzinfo is None
        if assumed:
            moment, dst_note = _localise(moment, tz)
            if dst_note:
                yield ImportWarning(locator, dst_note)
        direction, status = _direction(_cell(row, mapping, "direction"))
        other = _cell(row, mapping, "number")
        service = _cell(row, mapping, "service")
        duration: int | None = None
        if messages:
            channel, app = _message_channel(service)
            other = other or _cell(row, mapping, "chat")
            status = _cell(row, mapping, "status").lower() or status
            text: str | None = _cell(row, mapping, "text") or None
        else:
            channel, app = Channel.CALL, _call_app(service)
            status = status or (_cell(row, mapping, "status").lower() or None)
            text = None
            try:
                duration = _duration(_cell(row, mapping, "duration"))
            except ValueError:
                yield ImportWarning(locator, f"duration {_cell(row, mapping, 'duration')!r} cannot be read")
        if direction is Direction.OUTGOING:
            sender, recipients = None, ((other,) if other else ())
        else:
            sender, recipients = other or None, ()
        yield Record(
            item_sha256=source.sha256,
            locator=locator,
            occurred_at=moment,
            time_source=TimeSource.EXPORT,
            tz_assumed=assumed,
            tz_name=options.tz if assumed else None,
            channel=channel,
            direction=direction,
            importer=self.name,
            importer_version=self.version,
            app=app,
            sender=sender,
            recipients=recipients,
            text=text,
            status=status,
            duration_s=duration,
            raw=raw,
        )


def _chain_line(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first.lstrip("\ufeff")
    yield from rest
