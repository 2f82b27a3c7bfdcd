"""The timeline: every record the report shows, in time order, one row each: the date and time with its
offset, its precision, where the time came from and the zone assumed when the source gave none; channel and
direction; the sender as written; the words quoted, every import warning about the record in full, and for
the complainant's own diary its written-at time, the ledger time and the gap, approximate marks, place,
witness and police reference (diary rows shaded and labelled, apart from the machine records); what the row
counts as (``evidence.report.figures``); the exhibit and locator. Drawn as fast row flowables
(``evidence.report.rows``) of at most :data:`ROWS_PER_TABLE` rows."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from reportlab.lib import colors
from reportlab.platypus import PageBreak, Paragraph

from evidence.analysis.sides import between
from evidence.models import Channel, Direction, Record, TimeSource
from evidence.report import diary, phone_time
from evidence.report.builder import Builder
from evidence.report.figures import COPY, Counted
from evidence.report.page import CONTROL, FRAME_W, precision, record_time, shown_in
from evidence.report.rows import Cell, RowsFlowable
from evidence.report.sections.appendix import WORDS_LIMIT, plan
from evidence.report.templates import Section
from evidence.timeline import TimelineEntry

# OCR's mean word confidence (per mille) under which a screenshot message's words are marked for checking
# against the picture (the layout keeps a message from 400 up: ``min_message_confidence_permille``).
LOW_CONFIDENCE_PERMILLE = 700
ROWS_PER_TABLE = 200  # long timelines become several flowables (each splits across pages between rows)
OWN_ACCOUNT_BG = colors.HexColor("#FFF4D6")  # the complainant's own account, apart from machine records
OWN_ACCOUNT = "COMPLAINANT'S OWN ACCOUNT (diary), not a machine record"

TIME_SOURCES = {
    TimeSource.EXPORT: "export",
    TimeSource.HEADER_DATE: "Date header",
    TimeSource.RECEIVED: "Received header",
    TimeSource.EXIF: "EXIF",
    TimeSource.FILENAME: "file name",
    TimeSource.OCR: "OCR",
    TimeSource.SHOWN_ON_SCREEN: "on screen",
    TimeSource.USER: "complainant",
    TimeSource.ACQUIRED: "import time",
}


def add(b: Builder, section: Section) -> None:
    """The timeline table, :data:`ROWS_PER_TABLE` rows per flowable."""
    d, st = b.data, b.st
    b.story.append(b.heading(section.title, "timeline"))
    b.intro(section)
    widths = [72.0, 54.0, 76.0, 0.0, 82.0, 60.0]
    widths[3] = FRAME_W - sum(widths)
    header = [
        Cell(h, "DejaVu-Bold")
        for h in (
            "Date and time (time source if not the export)",
            "Channel",
            "Sender",
            "Words",
            "Counted (see Summary)",
            "Exhibit",
        )
    ]
    cells = _cell_maker(b)
    folded = copies_of(b)
    copies = {j for js in folded.values() for j in js}
    rows: list[list[Cell]] = []
    shades: list[object | None] = []
    for i, entry in enumerate(d.timeline):
        if i in copies:
            continue  # shown in the row of the attempt it copies
        row = cells(i)
        for j in folded.get(i, []):
            row = _fold(row, cells(j), d.timeline[j], d.counted[j])
        rows.append([Cell(row[0]), Cell(row[1]), Cell(row[2], "DejaVuMono"), *(Cell(c) for c in row[3:])])
        shades.append(OWN_ACCOUNT_BG if entry.record.channel is Channel.DIARY else None)
        if len(rows) == ROWS_PER_TABLE:
            b.story.append(RowsFlowable(header, rows, widths, shades=shades))
            rows, shades = [], []
    if rows:
        b.story.append(RowsFlowable(header, rows, widths, shades=shades))
    if not d.timeline:
        b.story.append(Paragraph("The case holds no records.", st["body"]))
    b.story.append(PageBreak())


def copies_of(b: Builder) -> dict[int, list[int]]:
    """The timeline rows marked as copies (``evidence.report.figures``: the same call or message read from a
    second file, a handset's log and a carrier's bill; an attempt's, or a record not counted such as the
    complainant's own call) by the index of the row they are shown in, which names both sources (issue 14,
    finding 12)."""
    folded: dict[int, list[int]] = {}
    for j, mark in enumerate(b.data.counted):
        if mark.kind == COPY and mark.of is not None:
            folded.setdefault(mark.of, []).append(j)
    return folded


def _cell_maker(b: Builder) -> Callable[[int], list[str]]:
    """A function giving the six cells' text of the timeline's row ``i``."""
    d = b.data
    acquired = diary.acquired_times(d.entries, d.exhibits)
    who = _linker(b)
    appendix = plan(b)

    first_of: dict[str, int] = {}  # item SHA-256 -> its first row: where its whole-file warnings go
    for i, entry in enumerate(d.timeline):
        for source in entry.sources:
            first_of.setdefault(source.item_sha256, i)

    def cells(i: int) -> list[str]:
        entry = d.timeline[i]
        rec = entry.record
        chan = rec.channel.value + (f" ({rec.app})" if rec.app and rec.app != rec.channel.value else "")
        if rec.channel not in (Channel.DIARY, Channel.SCREENSHOT):  # her account, a whole picture: no side
            chan += f"\n{rec.direction.value}"
        sender = b.party(rec.sender, as_sender=True) or _no_sender(rec)
        if rec.direction is Direction.OUTGOING and rec.recipients:
            to = ", ".join(b.party(r) or "" for r in rec.recipients)
            sender = f"{b.party(rec.sender, as_sender=True) or 'me'} → {to}"
        counted = d.counted[i] if i < len(d.counted) else None
        # Who each raw sender or recipient is (a number, a chat display name, an outgoing text's recipient):
        # the person it is linked to, with the link's status, on every row (issue 14: raw numbers alone).
        named = [who(raw) for raw in (rec.sender, *rec.recipients)]
        sender += "".join(f"\n= {n}" for n in dict.fromkeys(n for n in named if n))
        where = "\n".join(f"{s.exhibit or '?'} {s.locator}" for s in entry.sources)
        words = _words(entry, appendix.words[i], appendix.items.get(i))
        if rec.channel is Channel.DIARY:
            recorded = acquired.get(entry.sources[0].exhibit or "")
            how = diary.describe(diary.origin(entry, d.exhibits, recorded), entry, d.exhibits)
            words = f"{OWN_ACCOUNT}\n{words}\n{b.mask(how)}; " + _diary_facts(b, rec, recorded)
        words += "".join(f"\n[{b.mask(note)}]" for note in _sides(rec))
        for said in (a for s in entry.sources for a in d.attributions.get(s.record_id, [])):
            sender += f"\n(the complainant attributes it to {b.mask(str(said['person']))})"
            words += (
                f"\n[the complainant's attribution, not read from the file: {b.mask(str(said['person']))}, "
                f"because \u201c{b.mask(str(said['basis']))}\u201d (ledger entry {said['entry']})]"
            )
        words += "".join(f"\n[{b.mask(note)}]" for note in phone_time.notes(rec, d.tz, d.tz_name))
        for source in entry.sources:
            for warning in d.record_warnings.get((source.item_sha256, source.locator), []):
                words += f"\n[import warning, {source.exhibit} {source.locator}: {b.mask(warning)}]"
            if first_of.get(source.item_sha256) == i:
                for locator, warning in d.file_warnings.get(source.item_sha256, []):
                    where = "" if locator == "file" else f" ({locator})"
                    words += (
                        f"\n[import warning about the whole of {source.exhibit}{where}, shown on its first "
                        f"row: {b.mask(warning)}]"
                    )
        mark = b.mask(counted.label()) if counted is not None else ""
        return [CONTROL.sub("", c) for c in (when_cell(rec, b), chan, sender, words, mark, where)]

    return cells


def _no_sender(rec: Record) -> str:
    """The Sender cell of a record whose source names no sender: a message OCR or the export did not give
    the sender of says so; the complainant's diary, a whole picture and a chat's system line have none."""
    if rec.channel in (Channel.DIARY, Channel.SCREENSHOT) or rec.raw.get("kind") == "system":
        return "-"
    if rec.direction is Direction.OUTGOING:
        return "me"
    if rec.channel is Channel.VOICEMAIL:
        return "no caller in the file"  # a recording names none: nothing was left unread
    return "sender not read"


def _sides(rec: Record) -> list[str]:
    """What the case's facts settled about a record (``evidence.analysis.sides``): its direction and the basis,
    the sender read from a screen's header, or a conversation between two other people."""
    raw = rec.raw
    notes: list[str] = []
    if isinstance(raw.get("direction_basis"), str) and "direction_read" in raw:
        notes.append(f"{rec.direction.value}: {raw['direction_basis']}; the export gives no direction")
    if isinstance(raw.get("sender_basis"), str):
        notes.append(f"sender: {raw['sender_basis']}")
    pair = raw.get("conversation_between")
    if isinstance(pair, list) and pair and not (notes and between(pair) in notes[0]):
        notes.append(between(pair))  # said once: a chat she is not in is the basis of its direction too
    return notes


def _fold(row: list[str], copy: list[str], entry: TimelineEntry, mark: Counted) -> list[str]:
    """The attempt's ``row`` with its copy's cells added: in Words, one bracket naming the copy's source and
    what it says differently (time, channel, sender, words, each on one line); the copy's mark; its exhibit
    and locator."""
    source = entry.sources[0]
    named = f"{source.exhibit or '?'} {source.locator}"
    # The Sender cell's first line is the identifier as written (the person it names follows on the next).
    firsts = [c.split("\n")[0] if k == 2 else c for k, c in enumerate(copy[:4])]
    differs = [
        firsts[k].replace("\n", " ")
        for k in range(4)
        if firsts[k] != (row[k].split("\n")[0] if k == 2 else row[k])
    ]
    out = list(row)
    out[3] = f"{row[3]}\n[the same event in {named}" + (f": {'; '.join(differs)}]" if differs else "]")
    if mark.number is not None:
        out[4] = f"{row[4]}\nand {mark.label()} in {named}: counted once"
    else:  # a copy of a record not counted: one event, one row
        out[4] = f"{row[4]}\nand its copy in {named}: one event"
    out[5] = f"{row[5]}\n{copy[5]}"
    return out


def _linker(b: Builder) -> Callable[[str | None], str | None]:
    """A function naming the person a raw sender or recipient is linked to, "Name (role, status)", or None;
    each distinct raw value normalised once."""
    from evidence.analysis.identity import normalise

    linked = {
        (link.identifier.kind, link.identifier.value): f"{b.mask(p.name)} ({p.role}, {link.confidence})"
        for p in b.data.people
        for link in p.links
    }
    # A display name equal to a person's name (a chat export's "Alex Morgan") names them, but is no link:
    # said so, never counted as theirs.
    named = {p.name.casefold(): f"{b.mask(p.name)} ({p.role}; the name as written, not a linked identifier)"
             for p in b.data.people}  # fmt: skip
    region = next((p.region for p in b.data.people if p.region), None) or "GB"
    memo: dict[str | None, str | None] = {}

    def who(raw: str | None) -> str | None:
        if not b.data.people or raw is None:
            return None
        if raw not in memo:
            ident = normalise(raw, region)
            found = linked.get((ident.kind, ident.value)) if ident is not None else None
            memo[raw] = found or named.get(raw.strip().casefold())
        return memo[raw]

    return who


def when_cell(rec: Record, b: Builder) -> str:
    """The date, the time to its precision (never ":00" invented for a minute), the offset, and where the
    time came from; the zone the importer assumed when the source gave none."""
    shown = precision(rec)
    text = record_time(rec, b.data.tz).replace(" ", "\n", 1)
    # The source is named unless it is the export's own time field (most rows): the heading says so.
    notes = [] if rec.time_source is TimeSource.EXPORT else [TIME_SOURCES.get(rec.time_source, "?")]
    if _group_time(rec):
        notes[-1] = f"on screen above its group ('{rec.raw['day_shown']}'): sent then or later"
    if shown == "minute":
        notes.append("to the minute")
    if rec.tz_assumed:
        zone = rec.tz_name or b.data.tz_name
        notes.append("zone assumed" + (f" ({zone})" if zone != b.data.tz_name else ""))
    return text + ("\n" + ", ".join(notes) if notes else "")


def _group_time(rec: Record) -> bool:
    """Whether a screenshot message's time is the one shown above its group (a date separator such as "20 Mar,
    22:31"), the bubble showing none: the group's first message was sent then, the others then or later."""
    raw = rec.raw
    return (
        rec.time_source is TimeSource.SHOWN_ON_SCREEN
        and raw.get("shown_time") is None
        and isinstance(raw.get("day_shown"), str)
        and re.search(r"\d{1,2}[:.]\d\d", str(raw["day_shown"])) is not None
    )


def _gap(later: datetime, earlier: datetime) -> str:
    seconds = int((later - earlier).total_seconds())
    sign = "" if seconds >= 0 else "-"
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{sign}{days} d {hours} h"
    return f"{sign}{hours} h {minutes} min"


def _diary_facts(b: Builder, rec: Record, recorded: datetime | None) -> str:
    """A diary entry's written-at time, when the ledger recorded it and the gaps, approximate mark, place,
    witness and police reference: what shows whether the account is contemporaneous."""
    tz = b.data.tz
    raw = rec.raw
    parts: list[str] = []
    written = raw.get("written_at")
    written_at = datetime.fromisoformat(written) if isinstance(written, str) else None
    if written_at is not None:
        parts.append(
            f"written {shown_in(written_at, tz)} ({_gap(written_at, rec.occurred_at)} after the incident)"
        )
    else:
        parts.append("written: not recorded")
    if recorded is not None:
        since = written_at or rec.occurred_at
        parts.append(
            f"recorded in the ledger {shown_in(recorded, tz)} ({_gap(recorded, since)} after it was written)"
        )
    if raw.get("approximate") is True:
        parts.append("incident time approximate")
    for key, label in (("where", "place"), ("witness", "witness"), ("police_ref", "police ref")):
        value = raw.get(key)
        parts.append(f"{label}: {b.mask(str(value)) if value else 'none given'}")
    return "; ".join(parts)


def _words(entry: TimelineEntry, full: str, item: str | None) -> str:
    """The words of a record as quoted text (``full``: as ``appendix.full_words`` gives them), cut when long
    with a pointer to its appendix ``item``, where they are in full with its attachments."""
    rec = entry.record
    if rec.channel in (Channel.CALL, Channel.VOICEMAIL) and not rec.text:
        call = rec.status or rec.channel.value
        if rec.duration_s:
            call += f", {rec.duration_s} s"
        return call
    if rec.channel is Channel.SCREENSHOT:
        return _whole_screen(rec, item)
    words = full or (rec.status or "")
    if len(words) > WORDS_LIMIT:
        words = words[:WORDS_LIMIT].rstrip() + f"… [continues in Appendix {item}]"
    quoted = f"“{words}”" if (rec.subject or rec.text) else words
    if rec.attachments:
        n = len(rec.attachments)
        quoted += f" (+{n} attachment{'s' if n != 1 else ''}: Appendix {item})"
    confidence = rec.raw.get("confidence_permille") if rec.locator.startswith("image#") else None
    if isinstance(confidence, int) and confidence < LOW_CONFIDENCE_PERMILLE:
        quoted += (
            f"\n[OCR low confidence: {confidence / 10:.0f}% on average for these words (below "
            f"{LOW_CONFIDENCE_PERMILLE / 10:.0f}%): compare them with the picture]"
        )
    return quoted


SCREENS = {
    "chat": "a conversation",
    "call_list": "a call list",
    "email_list": "an inbox",
    "email": "an e-mail",
    "unknown": "not recognised",
}


def _whole_screen(rec: Record, item: str | None) -> str:
    """The row of a whole screenshot: what its screen was read as, and where its messages and its OCR text
    are; its OCR text is never quoted here as if it were a message (a call list read as words is noise)."""
    raw = rec.raw
    screen = str(raw.get("screen") or "unknown")
    ocr = raw.get("ocr") if isinstance(raw.get("ocr"), dict) else {}
    assert isinstance(ocr, dict)
    messages = raw.get("layout_messages")
    parts = [f"Whole screenshot (screen read as: {SCREENS.get(screen, screen)}), not a message"]
    if isinstance(messages, int) and messages:
        parts.append(f"its {messages} message(s) are the rows read from it")
    else:
        parts.append("no message was read from it")
    words, mean = ocr.get("words"), ocr.get("mean_confidence_permille")
    if isinstance(words, int):
        read = f"OCR read {words} word(s)"
        if isinstance(mean, int):
            read += f", mean confidence {mean / 10:.0f}%" + (
                " (low)" if mean < LOW_CONFIDENCE_PERMILLE else ""
            )
        parts.append(read + (f", all in Appendix {item}" if item else ""))
    return "; ".join(parts) + "; the picture is under its exhibit"
