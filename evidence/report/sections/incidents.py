"""Incidents, for the police: what an officer looks for first, taken from the case and marked as to its source.

- **Facts for the statement** and **the behaviours of PHA 1997 s.2A(3)** (``police_facts``): relationship,
  suspect's details, impact, actions taken, each as the complainant set it or a blank line; each behaviour
  with what the counted attempts and the confirmed tactics show of it.
- **Incidents the complainant recorded**: each diary entry's time, place, witness and police reference.
- **Requests to stop**: the complainant's own outgoing messages and diary entries whose words ask for contact
  to stop (``STOP_WORDS``: found by these words, so each should be read; one missed is not listed).
- **Contact by any means** (Protection from Harassment Act 1997 s.2A(3)(b), "contacting, or attempting to
  contact, a person by any means"): each respondent's attempts by channel, confirmed and suspected apart, the
  same marks the Timeline's Counted column carries.
- **Escalation**: each respondent's attempts per ISO week, so a rise is seen at a glance.

Other behaviours s.2A(3) lists (following, publishing material, monitoring, loitering, watching, spying)
are shown only as far as the complainant's confirmed tactics show them; this section infers none.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from reportlab.platypus import KeepTogether, PageBreak, Paragraph

from evidence.models import Channel, Direction
from evidence.report import diary, police_facts
from evidence.report.builder import Builder
from evidence.report.figures import RESPONDENT
from evidence.report.page import esc, record_time
from evidence.report.shaped_text import paragraph
from evidence.report.templates import Section

STOP_WORDS = re.compile(
    r"\b(stop (contacting|messaging|calling|texting|emailing)|(don'?t|do not) (contact|message|call|text|email)"
    r"|leave me alone|not to contact|no contact)\b",
    re.IGNORECASE,
)
EXCERPT = 200
HOW = {diary.TYPED: "typed: diary add", diary.IMPORTED: "imported file"}


def add(b: Builder, section: Section) -> None:
    """The incidents, requests to stop, contact by channel and the weekly counts."""
    d, st = b.data, b.st
    b.story.append(b.heading(section.title, "incidents"))
    b.intro(section)
    police_facts.add_facts(b)
    _diary(b)
    _requests(b)
    by_channel: dict[str, Counter[tuple[str, str]]] = {}
    for entry, mark in zip(d.timeline, d.counted, strict=False):
        if mark.kind == RESPONDENT and mark.person is not None:
            by_channel.setdefault(mark.person, Counter())[(entry.record.channel.value, str(mark.status))] += 1
    b.story.append(Paragraph("Contact by any means (PHA 1997 s.2A(3)(b))", st["h2"]))
    if not by_channel:
        b.story.append(Paragraph("No attempt is attributed to a respondent.", st["body"]))
    for person, counts in sorted(by_channel.items()):
        rows: list[list[Any]] = [
            [Paragraph(h, st["cellb"]) for h in ("Respondent", "Channel", "Confirmed", "Suspected")]
        ]
        for channel in sorted({c for c, _ in counts}):
            rows.append(
                [
                    Paragraph(esc(b.mask(person)), st["cell"]),
                    Paragraph(esc(channel), st["cell"]),
                    Paragraph(str(counts[(channel, "confirmed")]), st["cell"]),
                    Paragraph(str(counts[(channel, "suspected")]), st["cell"]),
                ]
            )
        b.story.append(b.table(rows, [140, 90, 70, 70]))
    police_facts.add_behaviours(b)
    b.story.append(Paragraph("Escalation: attempts per week", st["h2"]))
    for person, stats in sorted(d.respondent_stats.items()):
        weeks = stats.get("per_week") or {}
        rows = [[Paragraph(h, st["cellb"]) for h in ("Respondent", "ISO week", "Attempts")]]
        rows += [
            [
                Paragraph(esc(b.mask(person)), st["cell"]),
                Paragraph(esc(w), st["cell"]),
                Paragraph(str(n), st["cell"]),
            ]
            for w, n in weeks.items()
        ]
        b.story.append(b.table(rows, [140, 90, 70]))
    b.story.append(PageBreak())


def _diary(b: Builder) -> None:
    d, st = b.data, b.st
    b.story.append(
        Paragraph("Incidents the complainant recorded (diary: the complainant's own account)", st["h2"])
    )
    rows: list[list[Any]] = [
        [
            Paragraph(h, st["cellb"])
            for h in ("When", "Place", "Witness", "Police ref", "Account (start)", "Exhibit")
        ]
    ]
    recorded = diary.acquired_times(d.entries, d.exhibits)
    for entry in d.timeline:
        rec = entry.record
        if rec.channel is not Channel.DIARY:
            continue
        how = diary.origin(entry, d.exhibits, recorded.get(entry.sources[0].exhibit or ""))
        raw = rec.raw
        when = record_time(rec, d.tz)  # "about" before an approximate time
        text = (rec.text or "").replace("\n", " ")
        rows.append(
            [
                Paragraph(esc(when), st["cell"]),
                Paragraph(esc(b.mask(str(raw.get("where") or "-"))), st["cell"]),
                Paragraph(esc(b.mask(str(raw.get("witness") or "-"))), st["cell"]),
                Paragraph(esc(str(raw.get("police_ref") or "-")), st["cell"]),
                paragraph(b.mask(text[:EXCERPT] + ("…" if len(text) > EXCERPT else "")), st["cell"]),
                Paragraph(
                    esc(f"{entry.sources[0].exhibit} {entry.sources[0].locator} ({HOW[how]})"), st["cell"]
                ),
            ]
        )
    if len(rows) == 1:
        b.story.append(Paragraph("No diary entry.", st["body"]))
    else:
        # The police reference ("CAD 4521/14MAR26") fits its column whole: it broke inside before.
        b.story.append(b.table(rows, [62, 58, 56, 84, 150, 94]))


def _requests(b: Builder) -> None:
    d, st = b.data, b.st
    head = [
        Paragraph("Requests to stop", st["h2"]),
        Paragraph(
            esc(
                "The complainant's own outgoing messages and diary entries whose words ask for contact to stop "
                "(found by words such as 'stop contacting', 'don't contact', 'leave me alone': read each; a request "
                "in other words is not listed)."
            ),
            st["body"],
        ),
    ]
    rows: list[list[Any]] = [[Paragraph(h, st["cellb"]) for h in ("When", "How", "Words", "Exhibit")]]
    for entry in d.timeline:
        rec = entry.record
        own = rec.direction is Direction.OUTGOING or rec.channel is Channel.DIARY
        if not own or not rec.text or not STOP_WORDS.search(rec.text):
            continue
        text = rec.text.replace("\n", " ")
        words = "“" + b.mask(text[:EXCERPT]) + ("…”" if len(text) > EXCERPT else "”")
        # An import warning about the record (a line that may be forged, a time out of order) goes with it:
        # a request to stop is relied on, and its caveat must not stay behind in the Timeline.
        warned = [w for s in entry.sources for w in d.record_warnings.get((s.item_sha256, s.locator), [])]
        words += "".join(f"\n[import warning: {b.mask(w)}]" for w in warned)
        rows.append(
            [
                Paragraph(esc(record_time(rec, d.tz)), st["cell"]),
                Paragraph(esc(rec.channel.value), st["cell"]),
                paragraph(words, st["cell"]),
                Paragraph(esc(f"{entry.sources[0].exhibit} {entry.sources[0].locator}"), st["cell"]),
            ]
        )
    found = b.table(rows, [90, 50, 270, 94]) if len(rows) > 1 else Paragraph("None found.", st["body"])
    b.story.append(KeepTogether([*head, found]))  # a heading never alone at the foot of a page
