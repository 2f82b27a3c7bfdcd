"""WhatsApp "Export chat" files: the chat text (``.txt``) and the zip WhatsApp shares (text plus media).

**Format.** One UTF-8 text file per chat, no header, written in the phone's locale (see
``corpus/FORMATS.md`` section 2 and the samples in ``corpus/whatsapp/``). Every message starts with a date
and time prefix; a line without one continues the previous message (joined with ``"\\n"``). Two families:

* Android ``<date>, <time> - Sender: text`` (``12/31/21, 9:41 PM - ``, ``10.12.2024, 14:30 - ``,
  ``2019/01/01, 11:25 - ``, Finnish ``13.6.2018 klo 21.25.15 - `` and ``13.06.18 21.25.15: ``);
* iOS ``[<date>, <time>] Sender: text`` (``[31.12.21, 21:41:05]``, ``[13/11/2025, 12:25:55\u202fPM]``).

Dates are day-, month- or year-first with ``/ . -`` separators and 2- or 4-digit years; times are 12 h or
24 h, with ``:`` or ``.``, with or without seconds, with localised AM/PM markers before or after the time
(``AM``, ``a. m.``, ``p.m.``, ``vorm.``/``nachm.``, ``上午``/``下午``, ``午前``/``午後``, ``오전``/``오후``, ...).
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
* Day-first or month-first is decided once for the whole file, never per line: a 4-digit first field is a
  year; otherwise ``options.date_order`` if given, else the file decides (a first field over 12 means
  day-first, a second field over 12 month-first; dates written with dots are day-first; when only one order
  keeps the dates from jumping back in time, that one). When nothing settles it the import stops with an
  InputError whose hint names ``--date-order``. The decision is a warning and is in each record's ``raw``.
* WhatsApp does not say whose phone exported the chat, so direction is always ``unknown``; the sender is the
  name as the phone displayed it (a contact name or a number), channel ``chat``, app ``whatsapp``.
* System lines (``X added Y``, ``Messages and calls are end-to-end encrypted``, security-code changes, group
  changes) are records with ``sender=None`` and ``raw["kind"] == "system"``: who joined or left a group, or
  whose phone changed, is part of the story. The known encryption and business notices that iOS writes with
  the chat's name as if it were a sender are system lines too (the name is kept in ``raw``).
* A prefix whose date or time is impossible (31/02, 25:00) is skipped with a warning holding its line; text
  before the first message is reported the same way. The original file is stored unchanged either way.

**Known limits.** A sender name containing ``": "`` is cut at its first ``": "``; a candidate sender
containing quotation marks is read as a system line (``X changed the subject to "a: b"``). ``Name:.`` (no
space after the colon) is a system line, because WhatsApp always writes ``": "``. A continuation line that
itself looks like a prefix starts a new message: the export is ambiguous there and so is this reader. There
are no message ids, read receipts, edits or time zones in an export: it is a transcript, not a ledger.
"""

from __future__ import annotations

import codecs
import mimetypes
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import PurePosixPath
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from evidence.errors import InputError, UsageError
from evidence.importers.base import Importer, Source, Yielded
from evidence.models import Blob, Channel, Direction, ImportOptions, ImportWarning, Record, TimeSource
from evidence.timeutil import DstCase, localise_wall
from evidence.timeutil import zone as zone_named

MAX_TEXT_BYTES = 256 * 1024 * 1024  # a chat text larger than this is not an export
MAX_ZIP_ENTRIES = 10_000
MAX_ZIP_TOTAL = 2 * 1024 * 1024 * 1024
MAX_ZIP_RATIO = 200
RATIO_MIN_SIZE = 64 * 1024

ORDERS = ("DMY", "MDY", "YMD")
_ORDER_WORDS = {"DMY": "day-first (DMY)", "MDY": "month-first (MDY)", "YMD": "year-first (YMD)"}

# Directional marks and the byte-order mark: formatting, never content, in a prefix or a sender name.
_INVISIBLE = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff")
_SPACES = frozenset("\u202f\u00a0\u2007\u2009")
_MARKS = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_PREFIX_SCAN = 96  # a prefix is never longer; only this much of a line is normalised to look for one

_AMPM = "上午|下午|午前|午後|오전|오후"
_PREFIX = re.compile(
    rf"""
    (?P<br>\[)?
    (?P<date>(?P<a>\d{{4}}|\d{{1,2}})(?P<sep>[./-])\ ?(?P<b>\d{{1,2}})(?P=sep)\ ?(?P<c>\d{{4}}|\d{{1,2}})\.?)
    (?:,\ ?|\ )(?:klo\ )?
    (?P<time>
      (?:(?P<pre>{_AMPM})\ ?)?
      (?P<h>\d{{1,2}})(?P<tsep>[:.])(?P<m>\d{{2}})(?:(?P=tsep)(?P<s>\d{{2}}))?
      (?:\ ?(?P<post>[AaPp]\.?\ ?[Mm]\.?|vorm\.|nachm\.|{_AMPM}|ص|م|π\.μ\.|μ\.μ\.))?
    )
    (?(br)\ ?\]\ ?|(?P<end>\ [-–]\ |:\ ))
    """,
    re.VERBOSE,
)
_PM = frozenset({"pm", "nachm", "下午", "午後", "오후", "م", "μμ"})

# Notices WhatsApp writes itself; iOS puts the chat's name in front of some of them as if it were a sender.
_NOTICES = (
    "messages and calls are end-to-end encrypted",
    "messages you send to this group are now secured with end-to-end encryption",
    "messages you send to this chat and calls are now secured with end-to-end encryption",
    "this business uses a secure service from meta",
    "this chat is with a business account",
    "nachrichten und anrufe sind ende-zu-ende-verschlüsselt",
    "los mensajes y las llamadas están cifrados de extremo a extremo",
    "les messages et les appels sont chiffrés de bout en bout",
    "as mensagens e as chamadas são protegidas com a criptografia de ponta a ponta",
    "i messaggi e le chiamate sono crittografati end-to-end",
)

# "The media was left out of the export" placeholders, casefolded (Android <...> and iOS "... omitted"): the
# corpus's, and the common locales'. An unknown one is simply text; only Record.raw["media"] depends on this.
_OMITTED = frozenset(
    {
        "<media omitted>",
        "<medien ausgeschlossen>",
        "<medien ausgelassen>",
        "<archivo omitido>",
        "<multimedia omitido>",
        "<médias omis>",
        "<mídia oculta>",
        "<media omessi>",
        "<media weggelaten>",
        "<メディアなし>",
        "image omitted",
        "video omitted",
        "audio omitted",
        "sticker omitted",
        "document omitted",
        "gif omitted",
        "contact card omitted",
        "bild weggelassen",
        "video weggelassen",
        "audio weggelassen",
        "sticker weggelassen",
        "dokument weggelassen",
        "imagen omitida",
        "video omitido",
        "audio omitido",
        "sticker omitido",
        "documento omitido",
        "image absente",
        "vidéo absente",
    }
)
# Android: "IMG-20241202-WA0001.jpg (file attached)", in the phone's language. Inside a zip, any "(...)"
# label counts when the name is a member, so an unlisted language still finds its media.
_FILE_ATTACHED = re.compile(r"(?P<name>.*?\S)\s\((?P<label>[^()]{2,40})\)")
_ATTACHED_LABELS = frozenset(
    {
        "file attached",
        "datei angehängt",
        "archivo adjunto",
        "fichier joint",
        "arquivo anexado",
        "file allegato",
        "ファイル添付",
    }
)
# iOS: "<attached: 00000004-AUDIO-2026-06-26-20-31-14.opus>", localised ("<adjunto: ...>", "<Anhang: ...>").
_ATTACHED = re.compile(r"<(?P<label>[^<>:]{2,30}?)\s?:\s*(?P<name>[^<>]+\.[A-Za-z0-9]{1,6})>")

_MEDIA_TYPES = {".opus": "audio/ogg", ".webp": "image/webp", ".vcf": "text/vcard", ".jpg": "image/jpeg"}


_TRANSLATION = {ord(ch): None for ch in _INVISIBLE} | {ord(ch): " " for ch in _SPACES}


def _normalise(text: str) -> str:
    """``text`` without invisible marks and with exotic spaces as plain spaces."""
    return text if text.isascii() else text.translate(_TRANSLATION)


def _original_end(text: str, kept: int) -> int:
    """The index in ``text`` just after its ``kept``-th character that ``_normalise`` keeps."""
    if text.isascii():
        return kept
    count = 0
    for i, ch in enumerate(text):
        if ch not in _INVISIBLE:
            count += 1
            if count == kept:
                return i + 1
    return len(text)


def _clean(text: str) -> str:
    """A name or a placeholder as a person reads it: no marks, plain spaces, no surrounding blanks."""
    return _normalise(text).strip()


@dataclass(frozen=True)
class _Prefix:
    """A message's date and time prefix, as matched; ``end`` is where the sender starts in the line."""

    a: str
    b: str
    c: str
    sep: str
    hour: int
    minute: int
    second: int | None
    marker: str | None  # "am" / "pm" when the clock is 12 h
    bracketed: bool
    date_text: str
    time_text: str
    end: int


def _match_prefix(line: str) -> _Prefix | None:
    """The prefix that starts ``line``, or None when the line continues the previous message."""
    if not line or not (line[0].isdigit() or line[0] == "[" or line[0] in _INVISIBLE):
        return None
    head = line[:_PREFIX_SCAN]
    m = _PREFIX.match(_normalise(head))
    if m is None:
        return None
    year_first = len(m.group("a")) == 4
    if len(m.group("c")) not in ((1, 2) if year_first else (2, 4)):
        return None  # one year per date; a year-last date's year has 2 or 4 digits
    if m.group("end") == ": " and m.group("tsep") != ".":
        return None  # "date time: Sender:" is the Finnish dotted-time form only; elsewhere it is text
    marker_text = m.group("pre") or m.group("post")
    marker: str | None = None
    if marker_text:
        key = marker_text.casefold().replace(".", "").replace(" ", "")
        marker = "pm" if key in _PM else "am"
    return _Prefix(
        a=m.group("a"),
        b=m.group("b"),
        c=m.group("c"),
        sep=m.group("sep"),
        hour=int(m.group("h")),
        minute=int(m.group("m")),
        second=int(m.group("s")) if m.group("s") else None,
        marker=marker,
        bracketed=bool(m.group("br")),
        date_text=m.group("date"),
        time_text=m.group("time"),
        end=_original_end(head, m.end()),  # marks after the prefix belong to the sender, as written
    )


def _plausible(p: _Prefix) -> bool:
    """Whether some date order makes ``p`` a real date and time (the cheap test ``sniff`` uses)."""
    a, b, c = int(p.a), int(p.b), int(p.c)
    if len(p.a) == 4:
        date_ok = 1 <= b <= 12 and 1 <= c <= 31
    else:
        date_ok = 1 <= a <= 31 and 1 <= b <= 31 and min(a, b) <= 12
    return date_ok and _clock(p) is not None


def _clock(p: _Prefix) -> tuple[int, int, int] | None:
    """Hour, minute, second on a 24 h clock, or None when the time is impossible."""
    hour = p.hour
    if p.marker is not None:
        if hour > 12:
            return None
        hour = hour % 12 + (12 if p.marker == "pm" else 0)
    second = p.second or 0
    if hour > 23 or p.minute > 59 or second > 59:
        return None
    return hour, p.minute, second


def _date(p: _Prefix, order: str) -> date | None:
    """The date of ``p`` read in ``order``, or None when that order makes it impossible."""
    if order == "YMD":
        y, mo, d = p.a, p.b, p.c
    elif order == "DMY":
        d, mo, y = p.a, p.b, p.c
    else:
        mo, d, y = p.a, p.b, p.c
    year = int(y) + (2000 if len(y) == 2 else 0)
    try:
        return date(year, int(mo), int(d))
    except ValueError:
        return None


def _is_chat_name(name: str) -> bool:
    """Whether a zip member is the chat text: ``_chat.txt`` (iOS) or a localised "WhatsApp Chat….txt"."""
    base = PurePosixPath(name.replace("\\", "/")).name.casefold()
    return base == "_chat.txt" or (base.endswith(".txt") and "whatsapp" in base)


def _signal_export_style(p: _Prefix) -> bool:
    """``[2019-12-24, 12:23]``: the form signal-export writes; WhatsApp's bracketed (iOS) form has seconds."""
    return p.bracketed and p.sep == "-" and len(p.a) == 4 and p.second is None and p.marker is None


def _decode(data: bytes, where: str) -> tuple[str, ImportWarning | None]:
    """The chat text: UTF-8 (a BOM tolerated); otherwise UTF-16 with a BOM, cp1252 or Latin-1, with a warning."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        bad = exc.start
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            pass
        else:
            return text, ImportWarning(where, "the chat text is UTF-16, not UTF-8 as WhatsApp writes it")
    try:
        text, encoding = data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        text, encoding = data.decode("latin-1"), "latin-1"
    return text, ImportWarning(
        where,
        f"the chat text is not valid UTF-8 (byte {bad}); read as {encoding}, "
        "so accented letters and emoji may be wrong (was it re-saved by another program?)",
    )


@dataclass
class _Message:
    line_no: int
    line: str
    prefix: _Prefix
    more: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Order:
    """The date order of the year-last dates of a file, and why."""

    order: str | None  # None when every date is year-first
    source: str  # "user", "file"
    reason: str


def _split(text: str) -> tuple[list[_Message], list[tuple[int, str]]]:
    """Messages, and the non-empty lines before the first one (line number, text)."""
    messages: list[_Message] = []
    orphans: list[tuple[int, str]] = []
    for number, raw_line in enumerate(text.split("\n"), start=1):
        line = raw_line[:-1] if raw_line.endswith("\r") else raw_line
        prefix = _match_prefix(line)
        if prefix is not None:
            messages.append(_Message(number, line, prefix))
        elif messages:
            messages[-1].more.append(line)
        elif line.strip():
            orphans.append((number, line))
    return messages, orphans


def _decide_order(messages: list[_Message], given: str | None, path: str) -> _Order:
    """Day-first or month-first for the whole file (see the module docstring); raises when undecidable."""
    year_last = [m for m in messages if len(m.prefix.a) != 4]
    day_first = next((m for m in year_last if int(m.prefix.a) > 12), None)
    month_first = next((m for m in year_last if int(m.prefix.b) > 12), None)
    if given is not None:
        # The user's word settles what the file cannot, but not what the file plainly contradicts.
        misfit: tuple[_Message, str] | None = None
        if given == "DMY" and month_first is not None and day_first is None:
            misfit = month_first, "MDY"
        elif given == "MDY" and day_first is not None and month_first is None:
            misfit = day_first, "DMY"
        elif given == "YMD":
            year_last_4 = next((m for m in year_last if len(m.prefix.c) == 4), None)
            if year_last_4 is not None:
                misfit = year_last_4, "DMY or MDY"
        if misfit is not None:
            bad, fits = misfit
            raise InputError(
                f"--date-order {given} does not fit this file: line {bad.line_no} has "
                f"{bad.prefix.date_text}, which only reads as {fits}",
                path=path,
                hint=f"leave --date-order out, or give {fits}",
            )
        return _Order(given, "user", f"as given by --date-order {given}")
    if not year_last:
        return _Order(None, "file", "every date starts with a 4-digit year")
    if day_first is not None and month_first is not None:
        raise InputError(
            f"dates contradict each other: line {day_first.line_no} has {day_first.prefix.date_text} "
            f"(day-first) and line {month_first.line_no} has {month_first.prefix.date_text} (month-first)",
            path=path,
            hint="the file may join two exports; pass --date-order DMY or MDY to read it one way",
        )
    if day_first is not None:
        return _Order(
            "DMY",
            "file",
            f"line {day_first.line_no} has {day_first.prefix.date_text}, and {day_first.prefix.a} is no month",
        )
    if month_first is not None:
        return _Order(
            "MDY",
            "file",
            f"line {month_first.line_no} has {month_first.prefix.date_text}, and {month_first.prefix.b} is no month",
        )
    if all(int(m.prefix.a) == int(m.prefix.b) for m in year_last):
        return _Order("DMY", "file", "day and month are equal in every date, so either order reads the same")
    if all(m.prefix.sep == "." for m in year_last):
        return _Order("DMY", "file", "dates written with dots are day-first in every locale that writes them")
    backwards = {order: _jumps_back(year_last, order) for order in ("DMY", "MDY")}
    for order, other in (("DMY", "MDY"), ("MDY", "DMY")):
        jump = backwards[other]
        if backwards[order] is None and jump is not None:
            line_no, before, after = jump
            return _Order(
                order,
                "file",
                f"read {_ORDER_WORDS[other]}, line {line_no} would jump back in time from {before} to {after}",
            )
    example = year_last[0].prefix.date_text
    raise InputError(
        f"dates like {example} could be day-first or month-first and nothing in the file settles it",
        path=path,
        hint="pass --date-order DMY (31/12/21) or --date-order MDY (12/31/21), as the phone shows dates",
    )


def _jumps_back(messages: list[_Message], order: str) -> tuple[int, date, date] | None:
    """The first place where reading dates in ``order`` goes back more than a day, or None."""
    previous: date | None = None
    for m in messages:
        day = _date(m.prefix, order)
        if day is None:
            continue
        if previous is not None and day < previous - timedelta(days=1):
            return m.line_no, previous, day
        previous = day
    return None


def _locate(day: date, clock: tuple[int, int, int], tz: ZoneInfo) -> tuple[datetime, DstCase | None]:
    """The wall time ``day`` ``clock`` in ``tz``, and which DST case applied, if any."""
    wall = datetime(day.year, day.month, day.day, *clock)  # noqa: DTZ001 - a wall clock, given its zone next
    return localise_wall(wall, tz)


def _sender_split(rest: str) -> tuple[str, str] | None:
    """``(sender as written, text)`` when ``rest`` is "Sender: text", else None (a system line)."""
    idx = rest.find(": ")
    if idx >= 0:
        candidate, text = rest[:idx], rest[idx + 2 :]
    elif rest.rstrip().endswith(":"):
        candidate, text = rest.rstrip()[:-1], ""
    else:
        return None
    name = _clean(candidate)
    if not name or any(q in name for q in '"“”„«»'):
        return None
    return candidate, text


@dataclass
class _MediaRef:
    kind: str  # "omitted" or "file"
    name: str | None = None


def _media(text: str, members: frozenset[str]) -> _MediaRef | None:
    """What the first line of a message says about media, if anything."""
    first = _clean(text.split("\n", 1)[0])
    if first.casefold() in _OMITTED:
        return _MediaRef("omitted")
    m = _ATTACHED.fullmatch(first)
    if m is not None:
        return _MediaRef("file", m.group("name").strip())
    m = _FILE_ATTACHED.fullmatch(first)
    if m is not None and (m.group("label").casefold() in _ATTACHED_LABELS or m.group("name") in members):
        return _MediaRef("file", m.group("name"))
    return None


def _media_type(name: str) -> str | None:
    suffix = PurePosixPath(name).suffix.lower()
    return _MEDIA_TYPES.get(suffix) or mimetypes.guess_type("x" + suffix, strict=False)[0]


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

    def locator(self, line_no: int) -> str:
        return f"{self.where}line {line_no}"

    def file_locator(self) -> str:
        return self.where.strip() or "file"

    def read(self, text: str) -> Iterator[Yielded]:
        messages, orphans = _split(text)
        if not messages:
            raise InputError(
                "holds no WhatsApp messages (no line starts with a date and time)", path=self.source.name
            )
        for line_no, line in orphans:
            yield ImportWarning(
                self.locator(line_no), f"text before the first message, not imported: {line[:200]!r}"
            )
        decision = _decide_order(messages, self.options.date_order, self.source.name)
        if decision.order is not None and any(len(m.prefix.a) != 4 for m in messages):
            verb = "as given by --date-order" if decision.source == "user" else "decided from the file:"
            reason = decision.order if decision.source == "user" else decision.reason
            yield ImportWarning(
                self.file_locator(), f"dates read {_ORDER_WORDS[decision.order]}, {verb} {reason}"
            )
        previous: Record | None = None
        omitted = 0
        missing: list[str] = []
        for message in messages:
            record: Record | None = None
            for item in self._message(message, decision, missing):
                if isinstance(item, Record):
                    record = item
                yield item
            if record is None:
                continue
            if record.raw.get("media") == "omitted":
                omitted += 1
            if previous is not None and record.occurred_at < previous.occurred_at:
                yield ImportWarning(
                    record.locator,
                    f"time {record.raw['date']} {record.raw['time']} is earlier than the message before it "
                    f"({previous.locator}); kept in file order",
                )
            previous = record
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

    def _message(self, message: _Message, decision: _Order, missing: list[str]) -> Iterator[Yielded]:
        p = message.prefix
        locator = self.locator(message.line_no)
        order = "YMD" if len(p.a) == 4 or decision.order is None else decision.order
        day = _date(p, order)
        clock = _clock(p)
        if day is None or clock is None:
            what = f"date {p.date_text}" if day is None else f"time {p.time_text}"
            yield ImportWarning(
                locator, f"{what} does not exist; message not imported: {message.line[:200]!r}"
            )
            return
        occurred, dst = _locate(day, clock, self.tz)
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
        split = _sender_split(rest)
        raw: dict[str, Any] = {
            "prefix": message.line[: p.end],
            "date": p.date_text,
            "time": p.time_text,
            "date_order": order,
            "date_order_from": "user"
            if decision.source == "user" and order == decision.order
            else ("year-first" if order == "YMD" else "file"),
        }
        if dst is not None:
            raw["dst"] = dst.value
        sender: str | None
        if split is None:
            sender, body, kind = None, rest, "system"
        else:
            written, body = split
            sender, kind = _clean(written), "message"
            raw["sender"] = written
        body = body.lstrip(_MARKS)
        if _clean(body).casefold().startswith(_NOTICES):
            sender, kind = None, "system"
        lines = [body, *message.more]
        while len(lines) > 1 and lines[-1] == "":
            lines.pop()
        text = "\n".join(lines)
        raw["kind"] = kind

        attachments: tuple[str, ...] = ()
        ref = _media(text, self.members) if kind == "message" else None
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
            channel=Channel.CHAT,
            direction=Direction.UNKNOWN,
            importer=WhatsAppImporter.name,
            importer_version=WhatsAppImporter.version,
            app="whatsapp",
            sender=sender,
            text=text,
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
            media_type=_media_type(info.filename),
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
            if not _clean(line):
                continue
            prefix = _match_prefix(line.rstrip("\r"))
            return prefix is not None and _plausible(prefix) and not _signal_export_style(prefix)
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
        text, warning = _decode(data, "file")
        if warning is not None:
            yield warning
        reader = _ChatReader(source, options, tz, "", None, frozenset())
        yield from reader.read(text)

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
            text, warning = _decode(archive.read(archive.chat), archive.chat.filename)
            if warning is not None:
                yield warning
            media = _ZipMedia(archive)
            members = frozenset(archive.by_name)
            reader = _ChatReader(source, options, tz, f"{archive.chat.filename} ", media.lookup, members)
            yield from reader.read(text)
            yield from media.rest()
