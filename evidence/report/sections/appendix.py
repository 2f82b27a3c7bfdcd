"""The full-text appendix: every timeline row whose words the table cuts short, and every row with
attachments, as an item ``A-1``, ``A-2``... that the row points to ("[continues in Appendix A-3]").

Each item names its row (date and time with offset, channel, direction, exhibit and locator, record id) and
gives the words in full (subject and text, masked like the table in a redacted copy), then the attachments:
a picture is drawn (its stored bytes hashed again as they are drawn, as for an exhibit's screenshot) under
its name, type, size and SHA-256; any other file is listed with those four. A redacted copy draws no
attachment picture (nothing read its words, so nothing in it could be masked: it is listed, marked withheld);
a filtered report's appendix holds only the rows it shows. :func:`plan` numbers the items once per pass, for
the timeline's pointers and this section alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.platypus import KeepTogether, PageBreak, Paragraph, Spacer

from evidence.models import Channel
from evidence.report.builder import Builder
from evidence.report.page import FRAME_W, esc, record_time
from evidence.report.screens import Screen, ScreenFlowable
from evidence.report.shaped_text import paragraph
from evidence.report.templates import Section
from evidence.timeline import TimelineEntry

WORDS_LIMIT = 300  # characters of a row's words the timeline prints before pointing here
PICTURE_MAX_H = 360.0  # points: two attachment pictures can share a page


@dataclass(frozen=True)
class Plan:
    """The words of every timeline row (masked as shown) and the appendix item of the rows that get one."""

    words: list[str]  # parallel to the timeline: subject and text in full, one line
    items: dict[int, str]  # timeline index -> "A-3"


def full_words(entry: TimelineEntry, b: Builder) -> str:
    """A record's subject and text in full, on one line, as the report shows them (masked when redacting)."""
    rec = entry.record
    if rec.channel in (Channel.CALL, Channel.VOICEMAIL) and not rec.text:
        return ""
    parts = [f"Subject: {rec.subject}"] if rec.subject else []
    if rec.text:
        parts.append(rec.text)
    return b.mask(" — ".join(p.replace("\n", " ").strip() for p in parts))


def plan(b: Builder) -> Plan:
    """The appendix's items, numbered in timeline order; computed once per layout pass."""
    found = b.cache.get("appendix")
    if isinstance(found, Plan):
        return found
    words: list[str] = []
    items: dict[int, str] = {}
    for i, entry in enumerate(b.data.timeline):
        text = full_words(entry, b)
        words.append(text)
        # A whole screenshot's OCR text is never quoted in the table as if it were a message: here, labelled.
        whole = entry.record.channel is Channel.SCREENSHOT and bool(text)
        if len(text) > WORDS_LIMIT or entry.record.attachments or whole:
            items[i] = f"A-{len(items) + 1}"
    made = Plan(words, items)
    b.cache["appendix"] = made
    return made


def add(b: Builder, section: Section) -> None:
    """Each item: the row it belongs to, its words in full, its attachments."""
    d, st = b.data, b.st
    b.story.append(b.heading(section.title, "appendix"))
    b.intro(section)
    made = plan(b)
    if not made.items:
        b.story.append(Paragraph("No row of the timeline is cut short and none has attachments.", st["body"]))
    for index, label in made.items.items():
        entry = d.timeline[index]
        rec = entry.record
        where = "; ".join(f"{s.exhibit or '?'} {s.locator} (record {s.record_id})" for s in entry.sources)
        side = "" if rec.channel in (Channel.DIARY, Channel.SCREENSHOT) else f" {rec.direction.value}"
        head = f"{label}  the timeline's row of {record_time(rec, d.tz)}, {rec.channel.value}{side}: {where}"
        block: list[object] = [Paragraph(esc(head), st["cellb"])]
        text = made.words[index]
        if text and rec.channel is Channel.SCREENSHOT:
            block.append(
                Paragraph(
                    esc(
                        "Every word OCR read on the whole screen, in reading order, as it read them (not a "
                        "message; OCR errors included: compare with the picture under its exhibit):"
                    ),
                    st["cell"],
                )
            )
            block.append(paragraph(text, st["cell"]))
        elif text:
            block.append(paragraph(f"“{text}”", st["cell"]))  # shaped when Arabic, Hindi, Thai...
        b.story.append(KeepTogether([*block, Spacer(1, 3)]))
        for number, sha in enumerate(rec.attachments, 1):
            b.story.extend(_attachment(b, label, number, sha))
        b.story.append(Spacer(1, 6))
    b.story.append(PageBreak())


def _attachment(b: Builder, label: str, number: int, sha: str) -> list[object]:
    """One attachment: its facts, and the picture drawn when it is one (not in a redacted copy)."""
    att = b.data.attachments.get(sha)
    if att is None:  # named by the record but not stored (the import warned that it was not found)
        pairs = [("Attachment", f"{label}.{number}: not stored in the case", False), ("SHA-256", sha, True)]
        return [b.kv(pairs, label_w=80), Spacer(1, 3)]
    pairs = [
        ("Attachment", f"{label}.{number}: {b.mask(att.name) if att.name else '(no name given)'}", False),
        ("Media type", att.media_type, False),
        ("Size", f"{att.size:,} bytes", False),
        ("SHA-256", att.sha256, True),
    ]
    if not att.is_picture:
        return [KeepTogether([b.kv(pairs, label_w=80)]), Spacer(1, 3)]
    if b.data.redactor is not None:
        pairs.append(
            ("Picture", "not drawn in this redacted copy (no OCR read it, so nothing in it is masked)", False)
        )
        return [KeepTogether([b.kv(pairs, label_w=80)]), Spacer(1, 3)]
    assert att.width is not None and att.height is not None  # is_picture
    screen = Screen(att.store, att.sha256, att.width, att.height, att.is_jpeg, ())
    return [
        KeepTogether([b.kv(pairs, label_w=80), Spacer(1, 3), ScreenFlowable(screen, FRAME_W, PICTURE_MAX_H)]),
        Spacer(1, 6),
    ]
