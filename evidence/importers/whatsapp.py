"""WhatsApp "Export chat" files: the chat text (``.txt``) and the zip WhatsApp shares (text plus media).

**Format.** One UTF-8 text file per chat, no header, written in the phone's locale (see
``corpus/FORMATS.md`` section 2 and the samples in ``corpus/whatsapp/``). Every message starts with a date
and time prefix; a line without one continues the previous message (joined with ``"\\n"``). Two families:

* Android ``<date>, <time> - Sender: text`` (``12/31/21, 9:41 PM - ``, ``10.12.2024, 14:30 - ``,
  ``2019/01/01, 11:25 - ``, Finnish ``13.6.2018 klo 21.25.15 - `` and ``13.06.18 21.25.15: ``);
* iOS ``[<date>, <time>] Sender: text`` (``[31.12.21, 21:41:05]``, ``[13/11/2025, 12:25:55\u202fPM]``), in
  some locales time first (``[14:56:01, 3/18/22]``), in Arabic with an Arabic comma (``[18/3/2022، 14:56:01]``).

Dates are day-, month- or year-first with ``/ . -`` separators and 2- or 4-digit years, Gregorian, Thai
Buddhist (``3/18/2565 BE``; a year from 2400 on without "BE" too), Japanese era (``3/27/R4``, ``R4/03/27``;
eras R, H, S, T), Persian (``1/7/1401 AP``, ``۱۴۰۱/۱/۷``) or Islamic (``8/24/1443 AH``, ``٢٤/٨/١٤٤٣ هـ``),
converted by ``_whatsapp_calendars`` and named in ``raw["calendar"]``; native digits (Arabic-Indic,
Devanagari, Thai, ...) read as digits; times are 12 h or 24 h,
with ``:`` or ``.``, with or without seconds, with localised AM/PM markers before or after the time (``AM``,
``a. m.``, ``vorm.``/``nachm.``, ``上午``/``下午``, ``오전``/``오후``, ``ص``/``م``, ``fm``/``em``, ``SA``/``CH``,
...) or the Thai ``น.``.
iOS inserts U+200E/U+200F marks and U+202F/U+00A0 spaces: they are ignored when reading prefixes and sender
names, and the marks WhatsApp puts in front of a text are dropped from ``Record.text`` (the verbatim prefix and
sender are kept in ``Record.raw``).

The zip (iOS ``WhatsApp Chat - <name>.zip``, Android shares too) holds the chat text (``_chat.txt`` or
``WhatsApp Chat with <name>.txt``, localised names containing "WhatsApp") and the media files. Members are
checked before anything is read: at most ``MAX_ZIP_ENTRIES`` entries, ``MAX_ZIP_TOTAL`` bytes uncompressed,
a compression ratio under ``MAX_ZIP_RATIO`` for members over ``RATIO_MIN_SIZE`` (tiny members compress
arbitrarily well without harm), no absolute or ``..`` names, no symbolic links, no encrypted members, no
duplicate names. Media named by a message (``<attached: X>`` on iOS, ``X (file attached)`` on Android, both
localised) are yielded as Blobs just before that message, whose ``attachments`` holds their SHA-256; media no
message names are yielded too (an export is evidence as a whole) with one warning listing them.

**Decisions.**

* Times are local wall-clock times of the exporting phone: they take ``ZoneInfo(options.tz)``,
  ``tz_assumed=True``, ``time_source=export``. A wall time that happened twice (clocks going back) is read
  as the first one (``fold=0``); one that never existed (clocks going forward) is read with the offset
  before the change; both give a warning.
* Day-first or month-first is decided once per file, never per line (``_whatsapp_dates``): a year-first date
  needs nothing; a first field over 12 proves day-first, a second one month-first, and what a file proves
  wins over ``options.date_order`` (with a warning), so one ``--date-order`` for a folder settles its
  ambiguous exports without refusing the others; otherwise ``options.date_order`` if given, else dots
  (day-first), a midnight crossing (the field that steps by one when the clock passes 00:00 is the day), then
  the one order that keeps the dates from jumping back. When nothing settles it the import stops with an
  InputError whose hint names ``--date-order``. The decision is a warning and is in each record's ``raw``.
* WhatsApp does not say whose phone exported the chat, so a message's direction is ``unknown``; the sender is
  the name as the phone displayed it (a contact name or a number), channel ``chat``, app ``whatsapp``.
* System lines are records with ``sender=None`` and ``raw["kind"] == "system"`` (who joined or left a group,
  whose phone changed, is part of the story): a line with no ``Sender:`` part, and the notices iOS writes as
  if the chat's name had sent them, recognised by structure in any language (``_whatsapp_kinds``) or by
  WhatsApp's own phrases (``_whatsapp_phrases``); the name stays in ``raw["sender"]``.
* Call lines ("Missed voice call", "Voice call, No answer", "Video call, 4 min", translations) are channel
  ``call`` records, ``raw["kind"] == "call"``: status missed (incoming: only the phone that missed a call
  shows it so), no answer (outgoing), answered (with ``duration_s``). Deleted-message lines keep their text
  and carry ``raw["deleted"]`` ("sender", "you", "unknown"); media left out carries ``raw["media"] ==
  "omitted"`` (known phrases, or an iOS line marked as media before its ``[``).
* Lines not imported (an impossible date or time, text before the first message) are each a warning and are
  counted in the item's tally of lines (seen, read, skipped: the import sums them up in one warning
  naming their lines); a file from which no record can be made is an InputError quoting the first line not
  understood. The original file is stored unchanged either way.

**Known limits.** A sender name containing ``": "`` is cut at its first ``": "``; a candidate sender
containing quotation marks is read as a system line (``X changed the subject to "a: b"``). ``Name:.`` (no
space after the colon) is a system line, because WhatsApp always writes ``": "``. A continuation line that
itself looks like a prefix starts a new message: the export is ambiguous there and so is this reader. There
are no message ids, read receipts, edits or time zones in an export: it is a transcript, not a ledger. Call
forms other than missed calls are known in English only; a call or deletion in a language the table lacks is text.
An Islamic date is read in the Umm al-Qura calendar (the import says so): the export does not say
whether the phone used it or the civil one.

**Code.** This module checks the zip and turns messages into records; the steps it uses are private modules:
``_whatsapp_lines`` (decoding, prefixes, continuation lines, senders), ``_whatsapp_dates`` (the date order,
clocks, the wall time in the zone), ``_whatsapp_kinds`` (notices, calls, deletions), ``_whatsapp_phrases``
(WhatsApp's own words per language), ``_whatsapp_media`` (omitted and attached media) and
``_whatsapp_forgery`` (the flag on a message that may be a line of the one before).
"""

from __future__ import annotations

import codecs
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import PurePosixPath
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from evidence.errors import InputError, UsageError
from evidence.importers._whatsapp_dates import (
    ORDER_WORDS,
    ORDERS,
    Order,
    calendar_note,
    decide_order,
    locate,
    plausible,
    prefix_clock,
    prefix_date,
)
from evidence.importers._whatsapp_forgery import maybe_forged_header
from evidence.importers._whatsapp_kinds import call, chat_voices, deleted, is_notice
from evidence.importers._whatsapp_lines import (
    MARKS,
    Message,
    clean,
    decode,
    match_prefix,
    sender_split,
    signal_export_style,
    split_messages,
)
from evidence.importers._whatsapp_media import guess_media_type, media_ref
from evidence.importers.base import Importer, Skip, Source, Tally, Tallying, Yielded
from evidence.models import Blob, Channel, Direction, ImportOptions, ImportWarning, Record, TimeSource
from evidence.timeutil import DstCase
from evidence.timeutil import zone as zone_named

MAX_TEXT_BYTES = 256 * 1024 * 1024  # a chat text larger than this is not an export
MAX_ZIP_ENTRIES = 10_000
MAX_ZIP_TOTAL = 2 * 1024 * 1024 * 1024
MAX_ZIP_RATIO = 200
RATIO_MIN_SIZE = 64 * 1024


def _is_chat_name(name: str) -> bool:
    """Whether a zip member is the chat text: ``_chat.txt`` (iOS) or a localised "WhatsApp Chat….txt"."""
    base = PurePosixPath(name.replace("\\", "/")).name.casefold()
    return base == "_chat.txt" or (base.endswith(".txt") and "whatsapp" in base)


class _Archive:
    """A checked WhatsApp zip: the chat member, the media members, and bounded reads of them."""

    def __init__(self, zf: zipfile.ZipFile, path: str) -> None:
        self.zf = zf
        self.path = path
        infos = zf.infolist()
        if len(infos) > MAX_ZIP_ENTRIES:
            raise InputError(
                f"zip has {len(infos)} entries, more than the {MAX_ZIP_ENTRIES} allowed", path=path
            )
        total = 0
        seen: set[str] = set()
        files: list[zipfile.ZipInfo] = []
        for info in infos:
            _check_member(info, path)
            if info.filename in seen:
                raise InputError(f"zip holds two members named {info.filename!r}", path=path)
            seen.add(info.filename)
            total += info.file_size
            if total > MAX_ZIP_TOTAL:
                raise InputError(
                    f"zip expands to more than {MAX_ZIP_TOTAL} bytes (the limit); a zip bomb?", path=path
                )
            if not info.filename.endswith("/"):
                files.append(info)
        chats = [info for info in files if _is_chat_name(info.filename)]
        if not chats:
            raise InputError(
                "zip holds no WhatsApp chat text (_chat.txt or 'WhatsApp Chat with ….txt')", path=path
            )
        if len(chats) > 1:
            names = ", ".join(repr(i.filename) for i in chats)
            raise InputError(f"zip holds several chat texts ({names}); import them one by one", path=path)
        self.chat = chats[0]
        self.media = [info for info in files if info is not self.chat]
        self.by_name: dict[str, zipfile.ZipInfo] = {}
        base_count: dict[str, int] = {}
        for info in self.media:
            base = PurePosixPath(info.filename).name
            base_count[base] = base_count.get(base, 0) + 1
        for info in self.media:
            self.by_name[info.filename] = info
            base = PurePosixPath(info.filename).name
            if base_count[base] == 1:
                self.by_name.setdefault(base, info)

    def read(self, info: zipfile.ZipInfo) -> bytes:
        """A member's bytes, never more than its header promises."""
        try:
            with self.zf.open(info) as fh:
                data = fh.read(info.file_size + 1)
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, OSError, ValueError) as exc:
            raise InputError(f"zip member {info.filename!r} cannot be read ({exc})", path=self.path) from None
        if len(data) != info.file_size:
            raise InputError(
                f"zip member {info.filename!r} holds {len(data)} bytes, its header says {info.file_size}",
                path=self.path,
            )
        return data


def _check_member(info: zipfile.ZipInfo, path: str) -> None:
    """Refuse a hostile member: absolute or climbing name, symbolic link, encryption, bomb-like ratio."""
    name = info.filename
    posix = name.replace("\\", "/")
    if not name.strip("/"):
        raise InputError("zip has a member without a name", path=path)
    if posix.startswith("/") or re.match(r"[A-Za-z]:", posix):
        raise InputError(f"zip member {name!r} has an absolute path", path=path)
    if ".." in posix.split("/"):
        raise InputError(f"zip member {name!r} climbs out of the archive ('..')", path=path)
    if (info.external_attr >> 16) & 0o170000 == 0o120000:
        raise InputError(f"zip member {name!r} is a symbolic link", path=path)
    if info.flag_bits & 0x1:
        raise InputError(f"zip member {name!r} is encrypted", path=path)
    if info.file_size > RATIO_MIN_SIZE and info.file_size > MAX_ZIP_RATIO * max(info.compress_size, 1):
        ratio = info.file_size // max(info.compress_size, 1)
        raise InputError(
            f"zip member {name!r} expands {ratio} times (more than {MAX_ZIP_RATIO}); a zip bomb?", path=path
        )


# name -> (a Blob to yield now, the first time the file is named; its SHA-256, None when absent)
MediaLookup = Callable[[str], tuple[Blob | None, str | None]]


class _ChatReader:
    """Turns a decoded chat text into records and warnings (and, through ``lookup``, blobs)."""

    def __init__(
        self,
        source: Source,
        options: ImportOptions,
        tz: ZoneInfo,
        where: str,
        lookup: MediaLookup | None,
        members: frozenset[str],
    ) -> None:
        self.source = source
        self.options = options
        self.tz = tz
        self.where = where  # "" for a .txt, "<member> " inside a zip
        self.lookup = lookup
        self.members = members
        self.voices: frozenset[str] = frozenset()  # names the export writes its own notices under
        self.count: Tally | None = None  # seen vs made, once the chat text is read (yielded last)

    def locator(self, line_no: int) -> str:
        return f"{self.where}line {line_no}"

    def file_locator(self) -> str:
        return self.where.strip() or "file"

    def read(self, text: str) -> Iterator[Yielded]:
        messages, orphans = split_messages(text)
        skipped: list[tuple[int, str, str]] = [
            (n, "text before the first message", line) for n, line in orphans
        ]
        if not messages:
            first = next((line for line in text.split("\n") if line.strip()), "")
            raise InputError(
                "holds no WhatsApp messages: no line starts with a date and time "
                f"(the first line is {first.strip()[:80]!r})",
                path=self.source.name,
            )
        note = calendar_note(messages)
        if note is not None:
            yield ImportWarning(self.file_locator(), note)
        decision = decide_order(messages, self.options.date_order, self.source.name)
        if decision.note is not None:
            yield ImportWarning(self.file_locator(), decision.note)
        if decision.order is not None and any(not m.prefix.year_first for m in messages):
            verb = "as given by --date-order" if decision.source == "user" else "decided from the file:"
            reason = decision.order if decision.source == "user" else decision.reason
            yield ImportWarning(
                self.file_locator(), f"dates read {ORDER_WORDS[decision.order]}, {verb} {reason}"
            )
        self.voices = chat_voices(
            [
                (clean(split[0]), split[1], m.line[:1] in MARKS)
                for m in messages
                if (split := sender_split(m.line[m.prefix.end :])) is not None
            ]
        )
        previous: Record | None = None
        several_lines = False  # whether the message before this one ran over several lines
        omitted = made = made_lines = 0
        missing: list[str] = []
        for message in messages:
            items = list(self._message(message, decision, missing, skipped, first=made == 0))
            record = next((item for item in items if isinstance(item, Record)), None)
            flagged = (
                list(maybe_forged_header(record, previous))
                if record is not None and several_lines and previous is not None
                else []
            )
            if record is not None and previous is not None and flagged:
                # Marked on the record too, so every view can say it (the warning is the import's).
                record.raw["possibly_forged_header"] = previous.locator
            yield from items
            if record is None:
                continue
            made += 1
            made_lines += 1 + sum(1 for line in message.more if line.strip())
            yield from flagged
            several_lines = bool(message.more)
            if record.raw.get("media") == "omitted":
                omitted += 1
            if previous is not None and record.occurred_at < previous.occurred_at:
                yield ImportWarning(
                    record.locator,
                    f"time {record.raw['date']} {record.raw['time']} is earlier than the message before it "
                    f"({previous.locator}); kept in file order",
                )
            previous = record
        # Seen vs made, in non-empty lines: each went into a record or is skipped (the import then says how many
        # of how many, where). A skipped message's first line is warned with its text; its further lines are
        # counted with it, not warned one by one.
        skipped.sort()
        if skipped and made == 0:
            line_no, why, line = skipped[0]
            raise InputError(
                f"no message could be read: line {line_no}: {why}: {line.strip()[:120]!r}",
                path=self.source.name,
            )
        tallying = Tallying("lines")
        tallying.see(sum(1 for line in text.split("\n") if line.strip()))
        tallying.made = made_lines
        for line_no, why, line in skipped:
            if why.startswith("continues line"):
                tallying.skipped.append(Skip(self.locator(line_no), why))
            else:
                yield tallying.skip(self.locator(line_no), f"{why}: {line.strip()[:80]!r}")
        self.count = tallying.tally()
        if omitted:
            yield ImportWarning(
                self.file_locator(),
                f"{omitted} message(s) say their media was left out of the export; "
                "the pictures, recordings or files themselves are not in it",
            )
        if missing and self.lookup is None:
            shown = ", ".join(missing[:10]) + (", …" if len(missing) > 10 else "")
            yield ImportWarning(
                self.file_locator(),
                f"{len(missing)} attached file(s) are named but a .txt export does not hold them ({shown}); "
                "the zip exported 'with media' does",
            )

    def _message(
        self,
        message: Message,
        decision: Order,
        missing: list[str],
        skipped: list[tuple[int, str, str]],
        *,
        first: bool,
    ) -> Iterator[Yielded]:
        p = message.prefix
        locator = self.locator(message.line_no)
        order = "YMD" if p.year_first or decision.order is None else decision.order
        day = prefix_date(p, order)
        clock = prefix_clock(p)
        if day is None or clock is None:
            what = f"date {p.date_text}" if day is None else f"time {p.time_text}"
            after = sum(1 for line in message.more if line.strip())  # its continuation lines go with it
            why = f"{what} does not exist" + (f", and the {after} line(s) after it" if after else "")
            skipped.append((message.line_no, why, message.line))
            skipped.extend(
                (message.line_no + 1 + i, f"continues line {message.line_no}, not imported", line)
                for i, line in enumerate(message.more)
                if line.strip()
            )
            return
        occurred, dst = locate(day, clock, self.tz)
        wall = f"{day.isoformat()} {clock[0]:02d}:{clock[1]:02d}:{clock[2]:02d}"
        if dst is DstCase.AMBIGUOUS:
            yield ImportWarning(
                locator,
                f"{wall} happened twice in {self.options.tz} (clocks went back); "
                f"read as the first one ({occurred.isoformat()}), the export does not say which",
            )
        elif dst is DstCase.NONEXISTENT:
            yield ImportWarning(
                locator,
                f"{wall} does not exist in {self.options.tz} (clocks went forward); "
                f"read with the offset before the change ({occurred.isoformat()})",
            )

        rest = message.line[p.end :]
        split = sender_split(rest)
        raw: dict[str, Any] = {
            "prefix": message.line[: p.end],
            "date": p.date_text,
            "time": p.time_text,
            "date_order": order,
            "date_order_from": "user"
            if decision.source == "user" and order == decision.order
            else ("year-first" if order == "YMD" else "file"),
        }
        if p.calendar() != "gregorian":
            raw["calendar"] = p.calendar()
        if dst is not None:
            raw["dst"] = dst.value
        sender: str | None
        if split is None:
            sender, body, kind = None, rest, "system"
        else:
            written, body = split
            sender, kind = clean(written), "message"
            raw["sender"] = written
            if is_notice(body, first, message.line[:1] in MARKS) or sender in self.voices:
                # iOS writes a notice as if the chat's name had sent it: the name stays in raw, as written.
                sender, kind = None, "system"
        lines = [body.lstrip(MARKS), *message.more]
        while len(lines) > 1 and lines[-1] == "":
            lines.pop()
        text = "\n".join(lines)
        raw["kind"] = kind
        channel, direction, status, duration = Channel.CHAT, Direction.UNKNOWN, None, None
        single = len(lines) == 1  # a call or deletion line is one line; a text saying so can be longer
        placed = call(body) if kind == "message" and single else None
        if placed is not None:
            kind = raw["kind"] = "call"
            raw["call"] = placed.media
            channel, direction, status, duration = (
                Channel.CALL,
                placed.direction,
                placed.status,
                placed.duration_s,
            )
        who = deleted(body) if kind == "message" and single else None
        if who is not None:
            raw["deleted"] = who

        attachments: tuple[str, ...] = ()
        media_line = message.line[:1] in MARKS and p.bracketed  # iOS marks its media lines before the "["
        ref = media_ref(text, self.members, media_line) if kind == "message" and who is None else None
        if ref is not None and ref.kind == "omitted":
            raw["media"] = "omitted"
        elif ref is not None and ref.name is not None:
            raw["media"] = "attached"
            raw["media_file"] = ref.name
            if self.lookup is None:
                missing.append(ref.name)
            else:
                blob, sha = self.lookup(ref.name)
                raw["media_in_export"] = sha is not None
                if blob is not None:
                    yield blob
                if sha is not None:
                    attachments = (sha,)
                else:
                    yield ImportWarning(locator, f"attached file {ref.name!r} is not in the zip")
        yield Record(
            item_sha256=self.source.sha256,
            locator=locator,
            occurred_at=occurred,
            time_source=TimeSource.EXPORT,
            tz_assumed=True,
            channel=channel,
            direction=direction,
            importer=WhatsAppImporter.name,
            importer_version=WhatsAppImporter.version,
            app="whatsapp",
            sender=sender,
            text=text,
            status=status,
            duration_s=duration,
            attachments=attachments,
            tz_name=self.options.tz,
            raw=raw,
        )


class _ZipMedia:
    """Media members of a checked archive, read when a message names them, each yielded once."""

    def __init__(self, archive: _Archive) -> None:
        self.archive = archive
        self.shas: dict[str, str] = {}  # member name -> SHA-256 of what was yielded

    def lookup(self, name: str) -> tuple[Blob | None, str | None]:
        info = self.archive.by_name.get(name) or self.archive.by_name.get(PurePosixPath(name).name)
        if info is None:
            return None, None
        if info.filename in self.shas:
            return None, self.shas[info.filename]
        blob = self.blob(info)
        self.shas[info.filename] = blob.sha256
        return blob, blob.sha256

    def blob(self, info: zipfile.ZipInfo) -> Blob:
        return Blob(
            data=self.archive.read(info),
            name=info.filename,
            media_type=guess_media_type(info.filename),
            locator=f"zip member {info.filename}",
        )

    def rest(self) -> Iterator[Yielded]:
        """The media no message names: kept (the export is evidence as a whole), with one warning."""
        unnamed = [info for info in self.archive.media if info.filename not in self.shas]
        for info in unnamed:
            blob = self.blob(info)
            self.shas[info.filename] = blob.sha256
            yield blob
        if unnamed:
            names = ", ".join(i.filename for i in unnamed[:10]) + (", …" if len(unnamed) > 10 else "")
            yield ImportWarning(
                "zip",
                f"{len(unnamed)} file(s) in the zip are named by no message and were kept unattached: {names}",
            )


class WhatsAppImporter(Importer):
    """WhatsApp "Export chat": the chat text, or the zip with the chat text and its media."""

    name: ClassVar[str] = "whatsapp"
    version: ClassVar[str] = "1.0.0"
    description: ClassVar[str] = (
        "WhatsApp 'Export chat' (.txt, or .zip with media), Android and iOS, any locale"
    )

    def sniff(self, head: bytes, source: Source) -> bool:
        """A zip with a WhatsApp chat text in it, or text whose first non-empty line has a message prefix."""
        if head.startswith(b"PK\x03\x04"):
            try:
                with zipfile.ZipFile(source.path) as zf:
                    return any(_is_chat_name(name) for name in zf.namelist())
            except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
                return False
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            text = head.decode("utf-16", errors="replace")
        else:
            text = head.decode("utf-8", errors="replace")
        for line in text.lstrip("\ufeff").split("\n")[:50]:
            if not clean(line):
                continue
            prefix = match_prefix(line.rstrip("\r"))
            return prefix is not None and plausible(prefix) and not signal_export_style(prefix)
        return False

    def parse(self, source: Source, options: ImportOptions) -> Iterator[Yielded]:
        """Yield the chat's records (and media blobs from a zip); see the module docstring."""
        tz = zone_named(options.tz)
        if options.date_order is not None and options.date_order not in ORDERS:
            raise UsageError(
                f"unknown date order {options.date_order!r}", hint="use --date-order DMY, MDY or YMD"
            )
        try:
            with open(source.path, "rb") as fh:
                magic = fh.read(4)
        except OSError as exc:
            raise InputError(f"cannot read ({exc.strerror})", path=source.name) from None
        if magic == b"PK\x03\x04":
            yield from self._parse_zip(source, options, tz)
        else:
            yield from self._parse_text(source, options, tz)

    def _parse_text(self, source: Source, options: ImportOptions, tz: ZoneInfo) -> Iterator[Yielded]:
        if source.size > MAX_TEXT_BYTES:
            raise InputError(
                f"{source.size} bytes is more than a chat export holds (limit {MAX_TEXT_BYTES})",
                path=source.name,
            )
        try:
            data = source.path.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read ({exc.strerror})", path=source.name) from None
        text, warning = decode(data, "file")
        if warning is not None:
            yield warning
        reader = _ChatReader(source, options, tz, "", None, frozenset())
        yield from reader.read(text)
        if reader.count is not None:
            yield reader.count

    def _parse_zip(self, source: Source, options: ImportOptions, tz: ZoneInfo) -> Iterator[Yielded]:
        try:
            zf = zipfile.ZipFile(source.path)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
            raise InputError(f"not a readable zip archive ({exc})", path=source.name) from None
        with zf:
            archive = _Archive(zf, source.name)
            if archive.chat.file_size > MAX_TEXT_BYTES:
                raise InputError(
                    f"zip member {archive.chat.filename!r} is larger than a chat export "
                    f"(limit {MAX_TEXT_BYTES} bytes)",
                    path=source.name,
                )
            text, warning = decode(archive.read(archive.chat), archive.chat.filename)
            if warning is not None:
                yield warning
            media = _ZipMedia(archive)
            members = frozenset(archive.by_name)
            reader = _ChatReader(source, options, tz, f"{archive.chat.filename} ", media.lookup, members)
            yield from reader.read(text)
            yield from media.rest()
            if reader.count is not None:
                yield reader.count
