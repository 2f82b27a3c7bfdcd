"""The summary: the figures of the case (contact attempts, first and last, since the no-contact date, days
with contact, the longest burst, with the statistics' definitions), tactics, entries by channel, attempts by
sender identifier, and the chart of incoming attempts per day."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.platypus import KeepTogether, PageBreak, Paragraph, Spacer

from evidence.models import Channel, Direction
from evidence.report.builder import Builder
from evidence.report.page import FRAME_W, esc, shown_in
from evidence.report.templates import Section
from evidence.timeline import TimelineEntry


def add(b: Builder, section: Section) -> None:
    """The figures, tactics, channel and sender tables and the chart of attempts per day."""
    d, st = b.data, b.st
    b.story.append(b.heading(section.title, "summary"))
    b.intro(section)
    tl = d.timeline
    attempts = [e for e in tl if _is_attempt(e)]
    no_contact = d.genesis.get("no_contact_since")
    facts: list[tuple[str, str, bool]] = [("Timeline entries", str(len(tl)), False)]
    stats = d.stats
    if stats is not None:
        facts.append(("Contact attempts", str(stats["attempts"]), False))
        if stats.get("first"):
            facts.append(
                ("First contact attempt", shown_in(datetime.fromisoformat(stats["first"]), d.tz), False)
            )
            facts.append(
                ("Last contact attempt", shown_in(datetime.fromisoformat(stats["last"]), d.tz), False)
            )
        if stats.get("no_contact_since"):
            facts.append(
                (
                    f"Attempts since {stats['no_contact_since']} (no-contact date)",
                    str(stats["attempts_since_no_contact"]),
                    False,
                )
            )
        days = stats.get("days") or {}
        if days.get("days"):
            facts.append(
                (
                    "Days with contact",
                    f"{days['with_contact']} of the {days['days']} days from {days['from']} to {days['to']}",
                    False,
                )
            )
        bursts = stats.get("bursts") or []
        if bursts:
            top = max(bursts, key=lambda b: (b["attempts"], -b["minutes"]))
            facts.append(
                (
                    "Longest burst",
                    f"{top['attempts']} attempts in {top['minutes']} minutes from "
                    f"{shown_in(datetime.fromisoformat(top['start']), d.tz)}",
                    False,
                )
            )
        for key, text in (stats.get("definitions") or {}).items():
            facts.append((f"Definition: {key}", str(text), False))
    else:
        facts.append(("Incoming contact attempts", str(len(attempts)), False))
        if attempts:
            facts.append(("First contact attempt", shown_in(attempts[0].record.occurred_at, d.tz), False))
            facts.append(("Last contact attempt", shown_in(attempts[-1].record.occurred_at, d.tz), False))
        if no_contact:
            cut = date.fromisoformat(str(no_contact))
            since = [e for e in attempts if e.record.occurred_at.astimezone(d.tz).date() >= cut]
            facts.append((f"Attempts since {cut.isoformat()} (no-contact date)", str(len(since)), False))
    b.story.append(b.kv(facts, label_w=200))
    b.story.append(Spacer(1, 8))
    if d.tactics:
        trows: list[list[Any]] = [
            [
                Paragraph(h, st["cellb"])
                for h in ("Tactic", "Confirmed", "Suggested by the rules, not reviewed")
            ]
        ]
        trows += [
            [
                Paragraph(esc(t.replace("_", " ")), st["cell"]),
                Paragraph(str(n.get("confirmed", 0)), st["cell"]),
                Paragraph(str(n.get("suggested", 0)), st["cell"]),
            ]
            for t, n in sorted(d.tactics.items())
        ]
        b.story.append(Paragraph("Tactics (rejected suggestions are not counted)", st["h2"]))
        b.story.append(b.table(trows, [160, 70, 200]))

    channels = Counter(e.record.channel.value for e in tl)
    rows: list[list[Any]] = [[Paragraph("Channel", st["cellb"]), Paragraph("Entries", st["cellb"])]]
    rows += [
        [Paragraph(esc(c), st["cell"]), Paragraph(str(n), st["cell"])] for c, n in sorted(channels.items())
    ]
    b.story.append(Paragraph("By channel", st["h2"]))
    b.story.append(b.table(rows, [120, 60]))
    if stats is not None:
        # The stats' identities are normalised (07700 900123 and +447700900123 are one number) and copies of
        # one call in two files count once, as in the figures above.
        irows: list[list[Any]] = [[Paragraph(h, st["cellb"]) for h in ("Sender identifier", "Attempts")]]
        irows += [
            [Paragraph(esc(s), st["mono"]), Paragraph(str(n), st["cell"])]
            for s, n in sorted(stats["per_identity"].items(), key=lambda kv: (-kv[1], kv[0]))
        ]
        b.story.append(Paragraph("Contact attempts by sender identifier", st["h2"]))
        b.story.append(b.table(irows, [240, 60]))
    else:
        senders = Counter(
            (b.party(e.record.sender, as_sender=True) or "(not given)", e.record.channel.value)
            for e in attempts
        )
        srows: list[list[Any]] = [
            [Paragraph(h, st["cellb"]) for h in ("Sender identifier", "Channel", "Attempts")]
        ]
        srows += [
            [
                Paragraph(esc(s), st["mono"]),
                Paragraph(esc(c), st["cell"]),
                Paragraph(str(n), st["cell"]),
            ]
            for (s, c), n in sorted(senders.items(), key=lambda kv: (-kv[1], kv[0]))
        ]
        b.story.append(Paragraph("Incoming attempts by sender identifier", st["h2"]))
        b.story.append(b.table(srows, [240, 80, 60]))
    if attempts:
        # Kept with its heading: a heading at the foot of one page and its chart alone on the next looked lost.
        b.story.append(
            KeepTogether([Paragraph("Incoming attempts per day", st["h2"]), _chart(_per_day(b, attempts))])
        )
    b.story.append(PageBreak())


def _is_attempt(entry: TimelineEntry) -> bool:
    """A contact attempt: an incoming record that is not the case owner's own diary."""
    rec = entry.record
    return rec.direction is Direction.INCOMING and rec.channel is not Channel.DIARY


def _per_day(b: Builder, attempts: list[TimelineEntry]) -> Counter[date]:
    """Attempts per day in the case zone: the stats' figures when there are stats (the same as the summary)."""
    stats = b.data.stats
    if stats is not None and stats.get("per_day"):
        return Counter({date.fromisoformat(day): int(n) for day, n in stats["per_day"].items()})
    return Counter(e.record.occurred_at.astimezone(b.data.tz).date() for e in attempts)


def _chart(per_day: Counter[date]) -> Drawing:
    first, last = min(per_day), max(per_day)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    step = max(1, len(days) // 12)
    drawing = Drawing(FRAME_W, 170, initialFontName="DejaVu")  # PDF/A: not the unembedded Helvetica
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 30, 30, FRAME_W - 40, 125
    chart.data = [[per_day.get(day, 0) for day in days]]
    chart.bars[0].fillColor = colors.HexColor("#4A6FA5")
    chart.bars[0].strokeColor = None
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontName = "DejaVu"
    chart.valueAxis.labels.fontSize = 7
    chart.categoryAxis.categoryNames = [
        day.strftime("%d %b") if i % step == 0 else "" for i, day in enumerate(days)
    ]
    chart.categoryAxis.labels.fontName = "DejaVu"
    chart.categoryAxis.labels.fontSize = 6.5
    chart.categoryAxis.labels.angle = 45
    chart.categoryAxis.labels.boxAnchor = "ne"
    chart.categoryAxis.tickShift = 0
    chart.barSpacing = 0.5
    drawing.add(chart)
    drawing.add(
        String(
            30,
            160,
            f"{first.isoformat()} to {last.isoformat()} ({len(days)} days)",
            fontName="DejaVu",
            fontSize=7,
        )
    )
    return drawing
