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

from evidence.analysis.stats import NOT_READ, WITHHELD
from evidence.models import Channel, Direction
from evidence.report.builder import Builder
from evidence.report.figures import COPY, DEFINITIONS, Figures
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
    stats = d.stats
    if d.figures is not None:
        _figures(b, d.figures)
    else:
        b.story.append(b.kv([("Timeline entries", str(len(tl)), False)], label_w=200))
    for name, person_stats in sorted(d.respondent_stats.items()):
        b.story.append(Paragraph(esc(f"Attempts attributed to {b.mask(name)}: when"), st["h2"]))
        b.story.append(b.kv(_when(b, person_stats), label_w=200))
    if stats is not None:
        b.story.append(Paragraph("All senders: when (third parties and unattributed included)", st["h2"]))
        b.story.append(b.kv(_when(b, stats), label_w=200))
        defs = dict(DEFINITIONS)
        defs.update({k: str(v) for k, v in (stats.get("definitions") or {}).items() if k == "burst"})
        defs["days with contact"] = (
            "calendar days in the case zone from the no-contact date (else the first attempt) to the last "
            "attempt, and how many of them had at least one attempt"
        )
        b.story.append(Paragraph("Definitions of the figures", st["h2"]))
        b.story.append(b.kv([(k, v, False) for k, v in defs.items()], label_w=110))
    b.story.append(Spacer(1, 8))
    _tactics(b)

    _channels(b)
    if stats is not None:
        # The stats' identities are normalised (07700 900123 and +447700900123 are one number) and copies of
        # one call in two files count once, as in the figures above.
        linked = {
            link.identifier.value: (p.name, p.role, link.confidence) for p in d.people for link in p.links
        }
        irows: list[list[Any]] = [
            [Paragraph(h, st["cellb"]) for h in ("Sender identifier", "Person (role, link)", "Attempts")]
        ]
        for ident, n in sorted(stats["per_identity"].items(), key=lambda kv: (-kv[1], kv[0])):
            link = linked.get(ident)
            who = (
                f"{b.mask(link[0])} ({link[1]}, {link[2]})"
                if link
                else "nobody: " + UNLINKED.get(ident, "not linked")
            )
            irows.append(
                [
                    Paragraph(esc(b.party(ident) or ident), st["mono"]),
                    Paragraph(esc(who), st["cell"]),
                    Paragraph(str(n), st["cell"]),
                ]
            )
        b.story.append(Paragraph("Contact attempts by sender identifier (all senders)", st["h2"]))
        b.story.append(b.table(irows, [180, 200, 60]))
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
            KeepTogether(
                [Paragraph("Contact attempts per day (all senders)", st["h2"]), _chart(_per_day(b, attempts))]
            )
        )
    b.story.append(PageBreak())


def _channels(b: Builder) -> None:
    """Records per channel, the copies among them (another file's record of an event, shown in that event's
    row) and the Timeline rows: each column adds up to the summary's figure of the same name."""
    st = b.st
    records = Counter(e.record.channel.value for e in b.data.timeline)
    copies = Counter(
        e.record.channel.value
        for e, mark in zip(b.data.timeline, b.data.counted, strict=False)
        if mark.kind == COPY
    )
    head = ("Channel", "Records", "Copies (in another row)", "Timeline rows")
    rows: list[list[Any]] = [[Paragraph(h, st["cellb"]) for h in head]]
    for name in [*sorted(records), "total"]:
        n = sum(records.values()) if name == "total" else records[name]
        c = sum(copies.values()) if name == "total" else copies[name]
        style = st["cellb"] if name == "total" else st["cell"]
        rows.append([Paragraph(esc(name), style), *(Paragraph(str(v), style) for v in (n, c, n - c))])
    # Kept with its heading: a heading alone at the foot of a page looks lost.
    b.story.append(KeepTogether([Paragraph("By channel", st["h2"]), b.table(rows, [120, 60, 110, 70])]))


UNLINKED = {WITHHELD: "number withheld", NOT_READ: "no sender given or read"}


def _figures(b: Builder, f: Figures) -> None:
    """The counts per respondent (confirmed / suspected), third parties and unattributed, and the two sums
    that reconcile them with the Timeline's Counted column."""
    facts: list[tuple[str, str, bool]] = [
        (
            "Records on the timeline",
            f"{f.rows} (one per record read; see Counted in the Timeline; a copy is shown in the row of the "
            f"record it copies, so the Timeline has {f.rows - f.copies} rows)",
            False,
        ),
        ("Contact attempts, all senders", str(f.attempts), False),
    ]
    parts: list[str] = []
    for name, split in f.respondents.items():
        total = f.respondent_total(name)
        shown = b.mask(name)
        facts.append(
            (
                f"Attempts attributed to {shown} (respondent)",
                f"{total}: {split['confirmed']} from identifiers confirmed as theirs, {split['suspected']} from "
                "identifiers only suspected to be theirs",
                False,
            )
        )
        parts.append(str(total))
    third = sum(f.third_parties.values())
    facts.append(
        (
            "Attempts by third parties (never counted as the respondent)",
            f"{third}"
            + (": " + ", ".join(f"{b.mask(n)} {c}" for n, c in f.third_parties.items()) if third else ""),
            False,
        )
    )
    nobody = sum(f.unattributed.values())
    facts.append(
        (
            "Unattributed attempts",
            f"{nobody}" + (": " + ", ".join(f"{r} {c}" for r, c in f.unattributed.items()) if nobody else ""),
            False,
        )
    )
    if f.to_others:
        facts.append(
            (
                "Between other people (not attempts; among the records not counted)",
                f"{sum(f.to_others.values())}: "
                + ", ".join(f"from {b.mask(n)} {c}" for n, c in f.to_others.items())
                + " (a chat the complainant is not in, or addressed only to others: relevant, listed in the "
                "Timeline, but not contact with her)",
                False,
            )
        )
    facts.append(
        (
            "Reconciliation",
            f"{' + '.join([*parts, str(third), str(nobody)])} = {f.attempts} attempts (respondents, third "
            f"parties, unattributed); {f.attempts} attempts + {f.copies} copies + {f.not_counted} records not "
            f"counted = {f.rows} records; {f.rows} records − {f.copies} copies shown in another record's row = "
            f"{f.rows - f.copies} timeline rows",
            False,
        )
    )
    b.story.append(b.kv(facts, label_w=200))


def _when(b: Builder, stats: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """First and last attempt, attempts since the no-contact date, days with contact, the longest burst."""
    tz = b.data.tz
    facts: list[tuple[str, str, bool]] = [("Attempts", str(stats["attempts"]), False)]
    if stats.get("first"):
        facts.append(("First attempt", shown_in(datetime.fromisoformat(stats["first"]), tz), False))
        facts.append(("Last attempt", shown_in(datetime.fromisoformat(stats["last"]), tz), False))
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
        top = max(bursts, key=lambda r: (r["attempts"], -r["minutes"]))
        facts.append(
            (
                "Longest burst",
                f"{top['attempts']} attempts in {top['minutes']} minutes from "
                f"{shown_in(datetime.fromisoformat(top['start']), tz)}",
                False,
            )
        )
    return facts


def _tactics(b: Builder) -> None:
    """The tactics table (see ``evidence.report.sections.tactics``)."""
    from evidence.report.tactic_rows import add_table

    add_table(b)


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
