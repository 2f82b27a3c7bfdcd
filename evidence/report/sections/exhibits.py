"""The exhibits: each original file with its facts (name, SHA-256, media type, size, when and by whom it was
acquired, the records read from it), a screenshot drawn below them with its invisible OCR layer
(``evidence.report.screens``), and the header fields of the e-mails of a mailbox (``evidence.report.emails``)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from reportlab.platypus import KeepTogether, PageBreak, Paragraph, Spacer

from evidence.case.formats import Kind
from evidence.case.ledger import Entry
from evidence.models import Channel, Direction, Record
from evidence.report import emails, handover
from evidence.report.attachments import Listed, per_exhibit
from evidence.report.builder import Builder
from evidence.report.exhibit_times import LABEL
from evidence.report.page import FRAME_W, entry_time, esc, record_time
from evidence.report.screens import Screen, ScreenFlowable
from evidence.report.sections.timeline import when_cell
from evidence.report.templates import Section
from evidence.timeline import TimelineEntry

IMAGE_MAX_H = 520.0  # points: a tall phone screenshot leaves room for its caption on the page
EMAILS_PER_EXHIBIT = 50  # header blocks per mailbox exhibit; the rest are on the timeline


def add(b: Builder, section: Section) -> None:
    """Each exhibit's facts, picture and e-mail headers, with an outline entry per exhibit."""
    d, st = b.data, b.st
    b.story.append(b.heading(section.title, "exhibits"))
    b.intro(section)
    acquired = _acquisitions(d.entries)
    handed = handover.handed_over(d.entries)
    attached = per_exhibit(d.timeline, d.attachments)
    by_exhibit: dict[str, list[TimelineEntry]] = {}
    for tl_entry in d.timeline:
        for src in tl_entry.sources:
            if src.exhibit is not None:
                by_exhibit.setdefault(src.exhibit, []).append(tl_entry)
    for ex in d.exhibits:
        number = str(ex["exhibit"])
        entry = acquired.get(number)
        body = {**entry.body, **d.private.get(entry.seq, {})} if entry else {}
        who = body.get("imported_by") or {}
        tool = body.get("tool") or {}
        local = body.get("acquired_local") or {}
        pairs: list[tuple[str, str, bool]] = [
            (
                "Producer's reference",
                f"{b.reference(number)} (the complainant's initials and the exhibit's number, "
                "as her witness statement produces it)",
                False,
            ),
            ("Original file name", str(ex["original_name"]), False),
            ("SHA-256", str(ex["sha256"]), True),
            ("Media type", str(ex["media_type"]), False),
            ("Size", _size(int(ex["size"])), False),
        ]
        if entry:
            clock = f"; the importing computer's clock read {local.get('local')}" if d.show_computer else ""
            pairs.append(("Acquired", f"{entry_time(entry, d.tz)} (ledger entry {entry.seq}{clock})", False))
            if d.show_computer:
                pairs.append(("Imported by", f"{who.get('user')}@{who.get('host')}", False))
            pairs.append(("Tool", f"{tool.get('name')} {tool.get('version')}", False))
            if body.get("file_mtime"):
                pairs.append(("File modified (as found)", str(body["file_mtime"]), False))
        pairs.append(("Handed over by", handover.exhibit_line(handed.get(number), b.mask), False))
        for line in d.exhibit_times.get(str(ex["sha256"]), []):
            pairs.append((LABEL, line, False))
        pairs.extend(counts(b, by_exhibit.get(number, []), d.tallies.get(str(ex["sha256"]))))
        for locator, warning in d.file_warnings.get(str(ex["sha256"]), []):
            where = "" if locator == "file" else f" ({locator})"
            pairs.append(("Import warning", f"about the whole file{where}: {b.mask(warning)}", False))
        b.story.append(
            KeepTogether(
                [
                    b.heading(f"{number}  {ex['original_name']}", f"ex-{number}", level=1),
                    b.kv(pairs),
                    *_screen(b, d.screens.get(str(ex["sha256"]))),
                ]
            )
        )
        _attachments(b, attached.get(number, []))
        _email_headers(b, by_exhibit.get(number, []))
    if not d.exhibits:
        b.story.append(Paragraph("The case holds no exhibits.", st["body"]))
    b.story.append(PageBreak())


def counts(
    b: Builder, entries: list[TimelineEntry], tally: dict[str, Any] | None
) -> list[tuple[str, str, bool]]:
    """An exhibit's counts (issue 14, finding 11): the records read from it (and the import's "N of M read"
    when its importer counts units), how many came in, went out or have no direction the source gives, and
    the first and last event time with its offset."""
    pairs = [("Timeline entries", _summarise(b, entries), False)]
    if isinstance(tally, dict) and isinstance(tally.get("seen"), int) and isinstance(tally.get("made"), int):
        skipped = tally.get("skipped") if isinstance(tally.get("skipped"), list) else []
        read = f"{tally['made']} of {tally['seen']} {tally.get('unit') or 'units'} read"
        if skipped:
            why = Counter(str(s.get("why") if isinstance(s, dict) else s) for s in skipped)
            read += "; not read: " + "; ".join(
                f"{n} × {b.mask(reason)}" for reason, n in sorted(why.items(), key=lambda kv: (-kv[1], kv[0]))
            )
        pairs.append(("Read by the import", read, False))
    if entries:
        sided = [e for e in entries if e.record.channel not in (Channel.DIARY, Channel.SCREENSHOT)]
        way = Counter(e.record.direction for e in sided)
        others = (
            f", {way[Direction.OTHERS]} between other people" if way[Direction.OTHERS] else ""
        )  # evidence.analysis.sides: a chat she is not in, a message addressed only to others
        none = len(entries) - len(sided)
        pairs.append(
            (
                "Directions",
                f"{way[Direction.INCOMING]} incoming, {way[Direction.OUTGOING]} outgoing{others}, "
                f"{way[Direction.UNKNOWN]} direction not given by the source"
                + (f", {none} with no side (the complainant's diary, a whole picture)" if none else ""),
                False,
            )
        )
        pairs.append(("First event", _event_time(b, entries[0].record), False))
        pairs.append(("Last event", _event_time(b, entries[-1].record), False))
    return pairs


def _event_time(b: Builder, rec: Record) -> str:
    """A record's time as the Timeline's first column gives it, on one line: where the time came from and
    the zone assumed, when the export's own time field did not give it (a file name, a screen)."""
    day, clock, *notes = when_cell(rec, b).split("\n")
    return f"{day} {clock}" + (f" ({'; '.join(notes)})" if notes else "")


def _summarise(b: Builder, entries: list[TimelineEntry]) -> str:
    """An exhibit's records in one line: how many, of which channels and directions, from when to when."""
    if not entries:
        return "0 (stored and hashed; nothing in it was read as a record)"
    kinds = Counter(
        e.record.channel.value
        + {Direction.UNKNOWN: "", Direction.OTHERS: " between others"}.get(
            e.record.direction, f" {e.record.direction.value}"
        )
        for e in entries
    )
    first = record_time(entries[0].record, b.data.tz)
    last = record_time(entries[-1].record, b.data.tz)
    span = f"at {first}" if first == last else f"from {first} to {last}"
    listed = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0])))
    return f"{len(entries)}: {listed}; {span}"


def _screen(b: Builder, screen: Screen | None) -> list[Any]:
    """A picture exhibit drawn below its facts, with its invisible OCR layer (kept on one page with them)."""
    if screen is None:
        return []
    st = b.st
    red = b.data.redactor
    note = (
        f"The picture as stored ({screen.width} × {screen.height} pixels), scaled to fit the page. "
        + (
            f"The {len(screen.words)} words OCR read are laid invisibly over it, so they can be searched "
            "and selected where they appear (OCR can misread; the picture is what counts)."
            if screen.words
            else "OCR read no text in it."
        )
        + (
            " Masked identifiers are blacked out in the picture's own pixels (redacted copy)."
            if red is not None
            else ""
        )
    )
    return [
        Spacer(1, 4),
        Paragraph(esc(note), st["cell"]),
        Spacer(1, 3),
        ScreenFlowable(screen, FRAME_W, IMAGE_MAX_H, masked=red.word if red is not None else None),
        Spacer(1, 8),
    ]


def _attachments(b: Builder, listed: list[Listed]) -> None:
    """The files inside an exhibit's records shown (an e-mail's attachments, an MMS picture, a chat's media),
    stored as objects derived from it: each with its record, name, type, size and SHA-256."""
    if not listed:
        return
    st = b.st
    rows: list[list[Any]] = [
        [Paragraph(h, st["cellb"]) for h in ("Record", "Name, type, size", "SHA-256 (of the file as stored)")]
    ]
    for item in listed:
        att = item.stored
        what = (
            f"{b.mask(att.name) if att.name else '(no name given)'}\n{att.media_type}\n{_size(att.size)}"
            if att is not None
            else "not stored in the case (the import did not find it)"
        )
        rows.append(
            [
                Paragraph(esc(f"{item.locator}\n{item.record_id}"), st["cell"]),
                Paragraph(esc(what), st["cell"]),
                Paragraph(esc(item.sha256), st["mono"]),
            ]
        )
    head = Paragraph(
        esc(
            f"Attachments in this exhibit ({len(listed)}): each file, taken out of the original, has the SHA-256 "
            "shown ('sha256sum FILE'); the manifest lists them too"
        ),
        st["cellb"],
    )
    b.story.append(Spacer(1, 4))
    b.story.append(KeepTogether([head, Spacer(1, 2), b.table(rows, [88, 100, FRAME_W - 188])]))


def _email_headers(b: Builder, entries: list[TimelineEntry]) -> None:
    """The header fields of each e-mail of an exhibit that the report shows."""
    mails = [e.record for e in entries if e.record.channel is Channel.EMAIL and e.record.raw.get("headers")]
    for n, rec in enumerate(mails):
        if n >= EMAILS_PER_EXHIBIT:
            b.story.append(
                Paragraph(
                    esc(
                        f"… and {len(mails) - n} more messages of this exhibit, each on the timeline "
                        "with its locator (the headers of every message are in the original file)."
                    ),
                    b.st["cell"],
                )
            )
            break
        rows = emails.header_rows(rec, b.data.tz, b.data.redactor)
        b.story.append(Spacer(1, 4))
        b.story.append(Paragraph(esc(f"Headers of {rec.locator}"), b.st["cellb"]))
        b.story.append(b.kv([(k, v, k == "Message-ID") for k, v in rows], label_w=80))


def _size(size: int) -> str:
    return f"{size:,} bytes"


def _acquisitions(entries: list[Entry]) -> dict[str, Entry]:
    """Each exhibit's first acquisition entry."""
    found: dict[str, Entry] = {}
    for entry in entries:
        if entry.kind == Kind.ITEM_ACQUIRED:
            body = entry.body
            exhibit = str(body.get("exhibit"))
            if not body.get("duplicate_of") and exhibit not in found:
                found[exhibit] = entry
    return found
