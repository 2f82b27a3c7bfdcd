"""The timeline: every record the report shows, in time order, one row each (date and time with its offset,
channel and direction, sender, the words quoted, the exhibit and locator), drawn as fast row flowables
(``evidence.report.rows``) of at most :data:`ROWS_PER_TABLE` rows."""

from __future__ import annotations

from collections.abc import Callable

from reportlab.platypus import PageBreak, Paragraph

from evidence.models import Channel, Direction
from evidence.report.builder import Builder
from evidence.report.page import CONTROL, FRAME_W
from evidence.report.rows import Cell, RowsFlowable
from evidence.report.templates import Section
from evidence.timeline import TimelineEntry

WORDS_LIMIT = 300
ROWS_PER_TABLE = 200  # long timelines become several flowables (each splits across pages between rows)


def add(b: Builder, section: Section) -> None:
    """The timeline table, :data:`ROWS_PER_TABLE` rows per flowable."""
    d, st = b.data, b.st
    b.story.append(b.heading(section.title, "timeline"))
    b.intro(section)
    widths = [76.0, 56.0, 92.0, 0.0, 74.0]
    widths[3] = FRAME_W - sum(widths)
    header = [Cell(h, "DejaVu-Bold") for h in ("Date and time", "Channel", "Sender", "Words", "Exhibit")]
    rows: list[list[Cell]] = []
    for i, entry in enumerate(d.timeline):
        rec = entry.record
        local = rec.occurred_at.astimezone(d.tz)
        offset = local.strftime("%z")
        when = f"{local:%Y-%m-%d}\n{local:%H:%M:%S} {offset[:3]}:{offset[3:]}"
        if rec.tz_assumed:
            when += "\nzone assumed"
        chan = rec.channel.value + (f" ({rec.app})" if rec.app and rec.app != rec.channel.value else "")
        chan += f"\n{rec.direction.value}"
        sender = b.party(rec.sender, as_sender=True) or "-"
        if rec.direction is Direction.OUTGOING and rec.recipients:
            to = ", ".join(b.party(r) or "" for r in rec.recipients)
            sender = f"{b.party(rec.sender, as_sender=True) or 'me'} → {to}"
        where = "\n".join(f"{s.exhibit or '?'} {s.locator}" for s in entry.sources)
        words = _words(entry, b.mask)
        for source in entry.sources:
            for warning in d.record_warnings.get((source.item_sha256, source.locator), []):
                words += f"\n[import warning, {source.exhibit} {source.locator}: {b.mask(warning)}]"
        rows.append(
            [
                Cell(when),
                Cell(chan),
                Cell(CONTROL.sub("", sender), "DejaVuMono"),
                Cell(CONTROL.sub("", words)),
                Cell(CONTROL.sub("", where)),
            ]
        )
        if len(rows) == ROWS_PER_TABLE or i == len(d.timeline) - 1:
            b.story.append(RowsFlowable(header, rows, widths))
            rows = []
    if not d.timeline:
        b.story.append(Paragraph("The case holds no records.", st["body"]))
    b.story.append(PageBreak())


def _same(text: str) -> str:
    return text


def _words(entry: TimelineEntry, mask: Callable[[str], str] = _same) -> str:
    """The words of a record as quoted text, truncated with a pointer to the exhibit when long; ``mask``
    applies a redaction to the text."""
    rec = entry.record
    parts: list[str] = []
    if rec.channel in (Channel.CALL, Channel.VOICEMAIL) and not rec.text:
        call = rec.status or rec.channel.value
        if rec.duration_s:
            call += f", {rec.duration_s} s"
        return call
    if rec.subject:
        parts.append(f"Subject: {rec.subject}")
    if rec.text:
        parts.append(rec.text)
    words = mask(" — ".join(p.replace("\n", " ").strip() for p in parts)) or (rec.status or "")
    if len(words) > WORDS_LIMIT:
        words = words[:WORDS_LIMIT].rstrip() + f"… [continues in {entry.sources[0].exhibit or 'the source'}]"
    quoted = f"“{words}”" if parts else words
    if rec.attachments:
        n = len(rec.attachments)
        quoted += f" (+{n} attachment{'s' if n != 1 else ''})"
    return quoted
