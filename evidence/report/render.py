"""Render a case's report as PDF with reportlab platypus: deterministic bytes, embedded fonts, page stamps.

The report never parses sources: it shows what the case already holds (the timeline of records, the exhibits
and the ledger), with the wording of a profile from ``templates/``. The same :class:`ReportData` and profile
give byte-identical bytes: reportlab's invariant mode fixes the document ID, and the PDF's creation date is
``generated_at`` (by default the recorded time of the ledger head the report was built from, never "now").

Every page carries a Bates-style number (``EVD-000001``), "page N of M" (one layout pass: M is a form
XObject drawn once the last page is known) and the ledger head. Sections and exhibits get PDF outline entries.
DejaVu fonts are embedded (subsetted), so accented, Greek, Cyrillic and most symbol characters render; emoji and CJK
characters outside DejaVu show as empty boxes.

The manifest of what the report shows (``evidence.report.manifest``) is attached as
``evidence-manifest.json``, for ``evidence verify report.pdf``.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from evidence.analysis.people import Person
from evidence.case.formats import ANCHOR_KIND, Kind
from evidence.case.ledger import Entry, Head
from evidence.describe import describe, exact_size
from evidence.errors import DependencyError
from evidence.models import Channel, Direction
from evidence.report import emails, manifest, pdfa
from evidence.report.redact import DESCRIPTION as REDACTION
from evidence.report.redact import Redactor
from evidence.report.rows import Cell, RowsFlowable
from evidence.report.screens import Screen, ScreenFlowable
from evidence.report.templates import Profile, Section, fill
from evidence.timeline import TimelineEntry
from evidence.timeutil import display, parse_iso

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONTS = {
    "DejaVu": "DejaVuSans.ttf",
    "DejaVu-Bold": "DejaVuSans-Bold.ttf",
    "DejaVuMono": "DejaVuSansMono.ttf",
}
WORDS_LIMIT = 300
IMAGE_MAX_H = 520.0  # points: a tall phone screenshot leaves room for its caption on the page
EMAILS_PER_EXHIBIT = 50  # header blocks per mailbox exhibit; the rest are on the timeline
TOTAL_FORM = "evdPageTotal"
ROWS_PER_TABLE = 200  # long timelines become several flowables (each splits across pages between rows)
PAGE_W, PAGE_H = A4
MARGIN = 16 * mm
FRAME_W = PAGE_W - 2 * MARGIN
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class ReportData:
    """Everything a report shows, read from the case by ``Case.render_report``."""

    title: str
    tz: tzinfo
    tz_name: str
    genesis: dict[str, Any]
    head: Head
    generated_at: datetime
    key_fingerprint: str
    tool: dict[str, str]
    timeline: list[TimelineEntry]
    exhibits: list[dict[str, Any]]
    entries: list[Entry]
    bates_prefix: str = "EVD"
    stats: dict[str, Any] | None = None  # evidence.analysis.stats.compute, as Case.stats() gives it
    tactics: dict[str, dict[str, int]] | None = None  # tactic -> {"confirmed": n, "suggested": n}
    options: dict[str, Any] = field(default_factory=dict)  # further options the manifest records
    people: list[Person] = field(default_factory=list)  # evidence.analysis.people, for the cover
    screens: dict[str, Screen] = field(default_factory=dict)  # item SHA-256 -> stored picture and OCR words
    filters: dict[str, str] = field(default_factory=dict)  # since/until/person as given; empty: everything
    withheld: list[dict[str, Any]] = field(
        default_factory=list
    )  # exhibits not shown: exhibit, sha256, records
    withheld_records: int = 0  # timeline entries of the case not shown
    redactor: Redactor | None = None


def _register_fonts() -> None:
    if "DejaVu" in pdfmetrics.getRegisteredFontNames():
        return
    for name, file_name in FONTS.items():
        path = FONT_DIR / file_name
        if not path.is_file():
            raise DependencyError(
                "the DejaVu fonts are missing", path=path, hint="install fonts-dejavu-core (make deps)"
            )
        pdfmetrics.registerFont(TTFont(name, str(path)))
    pdfmetrics.registerFontFamily("DejaVu", normal="DejaVu", bold="DejaVu-Bold")


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName="DejaVu", fontSize=9, leading=12, spaceAfter=4)
    return {
        "body": base,
        "title": ParagraphStyle(
            "title", parent=base, fontName="DejaVu-Bold", fontSize=20, leading=25, spaceAfter=8
        ),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=11, leading=15, spaceAfter=14),
        "h1": ParagraphStyle(
            "h1", parent=base, fontName="DejaVu-Bold", fontSize=14, leading=18, spaceBefore=4, spaceAfter=8
        ),
        "h2": ParagraphStyle(
            "h2", parent=base, fontName="DejaVu-Bold", fontSize=10.5, leading=14, spaceBefore=8, spaceAfter=4
        ),
        "cell": ParagraphStyle("cell", parent=base, fontSize=7.5, leading=9.5, spaceAfter=0),
        "cellb": ParagraphStyle(
            "cellb", parent=base, fontName="DejaVu-Bold", fontSize=7.5, leading=9.5, spaceAfter=0
        ),
        "mono": ParagraphStyle(
            "mono", parent=base, fontName="DejaVuMono", fontSize=7.5, leading=9.5, spaceAfter=0
        ),
        "code": ParagraphStyle(
            "code", parent=base, fontName="DejaVuMono", fontSize=8, leading=11, leftIndent=12, spaceAfter=2
        ),
        "center": ParagraphStyle("center", parent=base, alignment=TA_CENTER),
    }


def _esc(text: str) -> str:
    """User text made safe for a Paragraph: markup escaped, control characters dropped, newlines kept."""
    return escape(_CONTROL.sub("", text)).replace("\n", "<br/>")


def _size(size: int) -> str:
    return f"{size:,} bytes"


def _when(moment: datetime, tz: tzinfo) -> str:
    return display(moment, tz)


def _entry_time(entry: Entry, tz: tzinfo) -> str:
    return _when(parse_iso(entry.recorded_at), tz)


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


def _is_attempt(entry: TimelineEntry) -> bool:
    """A contact attempt: an incoming record that is not the case owner's own diary."""
    rec = entry.record
    return rec.direction is Direction.INCOMING and rec.channel is not Channel.DIARY


def _describe(entry: Entry) -> str:
    return describe(entry.kind, entry.body if isinstance(entry.body, dict) else {}, size=exact_size)


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


class _Builder:
    """Builds one pass's story (flowables are consumed by a build, so each pass needs its own)."""

    def __init__(self, data: ReportData, profile: Profile) -> None:
        self.data = data
        self.profile = profile
        self.st = _styles()
        self.marks: dict[int, tuple[str, str, int]] = {}
        # The marked flowables themselves, kept alive: marks are keyed by id(), and once platypus has drawn and
        # dropped a heading, a new object (a split paragraph, a row) could get its id and a spurious bookmark.
        self.marked: list[Any] = []
        self.story: list[Any] = []

    def heading(self, text: str, key: str, *, level: int = 0) -> Paragraph:
        para = Paragraph(_esc(text), self.st["h1" if level == 0 else "h2"])
        self.marks[id(para)] = (key, text, level)
        self.marked.append(para)
        return para

    def table(
        self, rows: list[list[Any]], widths: list[float], *, header: bool = True, zebra: bool = True
    ) -> Table:
        table = Table(rows, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT")
        style: list[tuple[Any, ...]] = [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("FONTNAME", (0, 0), (-1, -1), "DejaVu"),  # PDF/A: not reportlab's unembedded Helvetica
            ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#B0B0B0")),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ]
        if header:
            style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E4E8EE")))
        if zebra:
            start = 1 if header else 0
            for i in range(start + 1, len(rows), 2):
                style.append(("BACKGROUND", (0, i), (-1, i), colors.HexColor("#F6F7F9")))
        table.setStyle(TableStyle(style))
        return table

    def kv(self, pairs: list[tuple[str, str, bool]], label_w: float = 120) -> Table:
        """A two-column table of label and value (mono values for hashes)."""
        rows = [
            [Paragraph(_esc(k), self.st["cellb"]), Paragraph(_esc(v), self.st["mono" if mono else "cell"])]
            for k, v, mono in pairs
        ]
        return self.table(rows, [label_w, FRAME_W - label_w], header=False, zebra=False)

    def party(self, raw: str | None, *, as_sender: bool = False) -> str | None:
        """A sender or recipient as shown (masked when redacting)."""
        red = self.data.redactor
        return red.party(raw, as_sender=as_sender) if red is not None else raw

    def mask(self, text: str) -> str:
        """Free text as shown (identifiers masked when redacting)."""
        red = self.data.redactor
        return red.text(text) if red is not None else text

    def intro(self, section: Section) -> None:
        if section.intro:
            self.story.append(Paragraph(_esc(section.intro), self.st["body"]))
            self.story.append(Spacer(1, 4))

    # -- sections ---------------------------------------------------------------------------------------

    def period(self) -> str:
        tl = self.data.timeline
        if not tl:
            return "no records"
        tz = self.data.tz
        first = tl[0].record.occurred_at.astimezone(tz).date()
        last = tl[-1].record.occurred_at.astimezone(tz).date()
        return f"{first.isoformat()} to {last.isoformat()}"

    def cover(self, section: Section) -> None:
        d = self.data
        st = self.st
        self.marked.append(para := Paragraph(_esc(self.profile.title), st["title"]))
        self.marks[id(para)] = (
            "cover",
            section.title,
            0,
        )
        self.story.append(para)
        self.story.append(Paragraph(_esc(d.title), st["h1"]))
        if self.profile.subtitle:
            self.story.append(Paragraph(_esc(self.profile.subtitle), st["subtitle"]))
        gen = d.generated_at
        no_contact = d.genesis.get("no_contact_since")
        created_by = d.genesis.get("created_by") or {}
        pairs: list[tuple[str, str, bool]] = [
            ("Case", d.title, False),
            ("Case identifier", str(d.genesis.get("case_id")), True),
            ("Case opened by", f"{created_by.get('user')}@{created_by.get('host')}", False),
            ("Period covered", self.period(), False),
            ("No contact since", str(no_contact) if no_contact else "not recorded", False),
            ("Protection order", str(d.genesis.get("protection_order") or "none recorded"), False),
            ("Police reference", str(d.genesis.get("police_ref") or "none recorded"), False),
            *self.parties(),
            (
                "Contents",
                f"{len(d.timeline)} timeline entries from {len(d.exhibits)} exhibits; "
                f"{d.head.seq} ledger entries",
                False,
            ),
            ("Times shown in", f"{d.tz_name} (every time carries its UTC offset)", False),
            (
                "Report generated",
                f"{_when(gen, d.tz)} ({d.tz_name})"
                + (
                    f" = {_when(gen, gen.tzinfo)}"
                    if gen.tzinfo is not None and _when(gen, gen.tzinfo) != _when(gen, d.tz)
                    else ""
                )
                + "; the time of the ledger head below unless another was given",
                False,
            ),
            ("Built from ledger head", f"{d.head.seq}:{d.head.hash}", True),
            ("Signing key fingerprint", d.key_fingerprint, True),
            ("Tool", f"{d.tool.get('name')} {d.tool.get('version')}", False),
            ("Profile", self.profile.name, False),
            ("Selection", self.selection(), False),
        ]
        if d.redactor is not None:
            pairs.append(("REDACTED COPY", "This report is redacted: " + REDACTION, False))
        self.story.append(self.kv(pairs))
        self.story.append(Spacer(1, 10))
        self.story.append(
            Paragraph(
                "Anyone can check that this report was built from the case as it stands by running "
                f"<font face='DejaVuMono'>evidence verify --head {d.head.seq}:{d.head.hash}</font> "
                "on a copy of the case folder (see Verification).",
                st["body"],
            )
        )
        self.story.append(PageBreak())

    def parties(self) -> list[tuple[str, str, bool]]:
        """Cover rows: each person of the case with every identifier linked to them (an owner's are left out
        of a redacted report)."""
        rows: list[tuple[str, str, bool]] = []
        order = {"respondent": 0, "owner": 2}
        for person in sorted(self.data.people, key=lambda p: (order.get(p.role, 1), p.name)):
            if person.role == "owner" and self.data.redactor is not None:
                rows.append((f"{person.name} ({person.role})", "identifiers withheld (redacted copy)", False))
                continue
            ids = "; ".join(
                f"{link.identifier.raw} ({link.identifier.kind}, {link.confidence})" for link in person.links
            )
            label = (
                "Other party" if person.role == "respondent" else person.role.replace("-", " ").capitalize()
            )
            rows.append((f"{label}: {person.name}", ids or "no identifier linked", False))
        if not any(p.role == "respondent" for p in self.data.people):
            rows.append(
                (
                    "Other party",
                    "no person with the role respondent recorded ('evidence person add NAME --role "
                    "respondent --id NUMBER'); senders are listed by identifier in the summary",
                    False,
                )
            )
        return rows

    def selection(self) -> str:
        """What the report shows: everything, or the filter and what it withheld."""
        d = self.data
        if not d.filters:
            return "complete: every record and exhibit of the case at the ledger head below"
        shown = ", ".join(f"{k} {v}" for k, v in d.filters.items())
        return (
            f"filtered ({shown}): {d.withheld_records} timeline entries and {len(d.withheld)} exhibits "
            "withheld, listed by SHA-256 under Completeness"
        )

    def summary(self, section: Section) -> None:
        d, st = self.data, self.st
        self.story.append(self.heading(section.title, "summary"))
        self.intro(section)
        tl = d.timeline
        attempts = [e for e in tl if _is_attempt(e)]
        no_contact = d.genesis.get("no_contact_since")
        facts: list[tuple[str, str, bool]] = [("Timeline entries", str(len(tl)), False)]
        stats = d.stats
        if stats is not None:
            facts.append(("Contact attempts", str(stats["attempts"]), False))
            if stats.get("first"):
                facts.append(
                    ("First contact attempt", _when(datetime.fromisoformat(stats["first"]), d.tz), False)
                )
                facts.append(
                    ("Last contact attempt", _when(datetime.fromisoformat(stats["last"]), d.tz), False)
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
                        f"{_when(datetime.fromisoformat(top['start']), d.tz)}",
                        False,
                    )
                )
            for key, text in (stats.get("definitions") or {}).items():
                facts.append((f"Definition: {key}", str(text), False))
        else:
            facts.append(("Incoming contact attempts", str(len(attempts)), False))
            if attempts:
                facts.append(("First contact attempt", _when(attempts[0].record.occurred_at, d.tz), False))
                facts.append(("Last contact attempt", _when(attempts[-1].record.occurred_at, d.tz), False))
            if no_contact:
                cut = date.fromisoformat(str(no_contact))
                since = [e for e in attempts if e.record.occurred_at.astimezone(d.tz).date() >= cut]
                facts.append((f"Attempts since {cut.isoformat()} (no-contact date)", str(len(since)), False))
        self.story.append(self.kv(facts, label_w=200))
        self.story.append(Spacer(1, 8))
        if d.tactics:
            trows: list[list[Any]] = [
                [
                    Paragraph(h, st["cellb"])
                    for h in ("Tactic", "Confirmed", "Suggested by the rules, not reviewed")
                ]
            ]
            trows += [
                [
                    Paragraph(_esc(t.replace("_", " ")), st["cell"]),
                    Paragraph(str(n.get("confirmed", 0)), st["cell"]),
                    Paragraph(str(n.get("suggested", 0)), st["cell"]),
                ]
                for t, n in sorted(d.tactics.items())
            ]
            self.story.append(Paragraph("Tactics (rejected suggestions are not counted)", st["h2"]))
            self.story.append(self.table(trows, [160, 70, 200]))

        channels = Counter(e.record.channel.value for e in tl)
        rows: list[list[Any]] = [[Paragraph("Channel", st["cellb"]), Paragraph("Entries", st["cellb"])]]
        rows += [
            [Paragraph(_esc(c), st["cell"]), Paragraph(str(n), st["cell"])]
            for c, n in sorted(channels.items())
        ]
        self.story.append(Paragraph("By channel", st["h2"]))
        self.story.append(self.table(rows, [120, 60]))
        if stats is not None:
            # The stats' identities are normalised (07700 900123 and +447700900123 are one number) and copies of
            # one call in two files count once, as in the figures above.
            irows: list[list[Any]] = [[Paragraph(h, st["cellb"]) for h in ("Sender identifier", "Attempts")]]
            irows += [
                [Paragraph(_esc(s), st["mono"]), Paragraph(str(n), st["cell"])]
                for s, n in sorted(stats["per_identity"].items(), key=lambda kv: (-kv[1], kv[0]))
            ]
            self.story.append(Paragraph("Contact attempts by sender identifier", st["h2"]))
            self.story.append(self.table(irows, [240, 60]))
        else:
            senders = Counter(
                (self.party(e.record.sender, as_sender=True) or "(not given)", e.record.channel.value)
                for e in attempts
            )
            srows: list[list[Any]] = [
                [Paragraph(h, st["cellb"]) for h in ("Sender identifier", "Channel", "Attempts")]
            ]
            srows += [
                [
                    Paragraph(_esc(s), st["mono"]),
                    Paragraph(_esc(c), st["cell"]),
                    Paragraph(str(n), st["cell"]),
                ]
                for (s, c), n in sorted(senders.items(), key=lambda kv: (-kv[1], kv[0]))
            ]
            self.story.append(Paragraph("Incoming attempts by sender identifier", st["h2"]))
            self.story.append(self.table(srows, [240, 80, 60]))
        if attempts:
            # Kept with its heading: a heading at the foot of one page and its chart alone on the next looked lost.
            self.story.append(
                KeepTogether(
                    [Paragraph("Incoming attempts per day", st["h2"]), self.chart(self.per_day(attempts))]
                )
            )
        self.story.append(PageBreak())

    def per_day(self, attempts: list[TimelineEntry]) -> Counter[date]:
        """Attempts per day in the case zone: the stats' figures when there are stats (the same as the summary)."""
        stats = self.data.stats
        if stats is not None and stats.get("per_day"):
            return Counter({date.fromisoformat(day): int(n) for day, n in stats["per_day"].items()})
        return Counter(e.record.occurred_at.astimezone(self.data.tz).date() for e in attempts)

    def chart(self, per_day: Counter[date]) -> Drawing:
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

    def timeline(self, section: Section) -> None:
        d, st = self.data, self.st
        self.story.append(self.heading(section.title, "timeline"))
        self.intro(section)
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
            sender = self.party(rec.sender, as_sender=True) or "-"
            if rec.direction is Direction.OUTGOING and rec.recipients:
                to = ", ".join(self.party(r) or "" for r in rec.recipients)
                sender = f"{self.party(rec.sender, as_sender=True) or 'me'} → {to}"
            where = "\n".join(f"{s.exhibit or '?'} {s.locator}" for s in entry.sources)
            rows.append(
                [
                    Cell(when),
                    Cell(chan),
                    Cell(_CONTROL.sub("", sender), "DejaVuMono"),
                    Cell(_CONTROL.sub("", _words(entry, self.mask))),
                    Cell(_CONTROL.sub("", where)),
                ]
            )
            if len(rows) == ROWS_PER_TABLE or i == len(d.timeline) - 1:
                self.story.append(RowsFlowable(header, rows, widths))
                rows = []
        if not d.timeline:
            self.story.append(Paragraph("The case holds no records.", st["body"]))
        self.story.append(PageBreak())

    def exhibits(self, section: Section) -> None:
        d, st = self.data, self.st
        self.story.append(self.heading(section.title, "exhibits"))
        self.intro(section)
        acquired = _acquisitions(d.entries)
        by_exhibit: dict[str, list[TimelineEntry]] = {}
        for tl_entry in d.timeline:
            for src in tl_entry.sources:
                if src.exhibit is not None:
                    by_exhibit.setdefault(src.exhibit, []).append(tl_entry)
        for ex in d.exhibits:
            number = str(ex["exhibit"])
            entry = acquired.get(number)
            body = entry.body if entry else {}
            who = body.get("imported_by") or {}
            tool = body.get("tool") or {}
            local = body.get("acquired_local") or {}
            pairs: list[tuple[str, str, bool]] = [
                ("Original file name", str(ex["original_name"]), False),
                ("SHA-256", str(ex["sha256"]), True),
                ("Media type", str(ex["media_type"]), False),
                ("Size", _size(int(ex["size"])), False),
            ]
            if entry:
                pairs.append(
                    (
                        "Acquired",
                        f"{_entry_time(entry, d.tz)} (ledger entry {entry.seq}; the importing computer's "
                        f"clock read {local.get('local')})",
                        False,
                    )
                )
                pairs.append(("Imported by", f"{who.get('user')}@{who.get('host')}", False))
                pairs.append(("Tool", f"{tool.get('name')} {tool.get('version')}", False))
                if body.get("file_mtime"):
                    pairs.append(("File modified (as found)", str(body["file_mtime"]), False))
            pairs.append(("Timeline entries", self.summarise(by_exhibit.get(number, [])), False))
            self.story.append(
                KeepTogether(
                    [
                        self.heading(f"{number}  {ex['original_name']}", f"ex-{number}", level=1),
                        self.kv(pairs),
                        *self.screen(d.screens.get(str(ex["sha256"]))),
                    ]
                )
            )
            self.email_headers(by_exhibit.get(number, []))
        if not d.exhibits:
            self.story.append(Paragraph("The case holds no exhibits.", st["body"]))
        self.story.append(PageBreak())

    def summarise(self, entries: list[TimelineEntry]) -> str:
        """An exhibit's records in one line: how many, of which channels and directions, from when to when."""
        if not entries:
            return "0 (stored and hashed; nothing in it was read as a record)"
        kinds = Counter(
            e.record.channel.value
            + ("" if e.record.direction is Direction.UNKNOWN else f" {e.record.direction.value}")
            for e in entries
        )
        first = _when(entries[0].record.occurred_at, self.data.tz)
        last = _when(entries[-1].record.occurred_at, self.data.tz)
        span = f"at {first}" if first == last else f"from {first} to {last}"
        listed = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0])))
        return f"{len(entries)}: {listed}; {span}"

    def screen(self, screen: Screen | None) -> list[Any]:
        """A picture exhibit drawn below its facts, with its invisible OCR layer (kept on one page with them)."""
        if screen is None:
            return []
        st = self.st
        red = self.data.redactor
        note = (
            f"The picture as stored ({screen.width} × {screen.height} pixels), scaled to fit the page. "
            + (
                f"The {len(screen.words)} words OCR read are laid invisibly over it, so they can be searched "
                "and selected where they appear (OCR can misread; the picture is what counts)."
                if screen.words
                else "OCR read no text in it."
            )
            + (" Black boxes cover masked identifiers (redacted copy)." if red is not None else "")
        )
        return [
            Spacer(1, 4),
            Paragraph(_esc(note), st["cell"]),
            Spacer(1, 3),
            ScreenFlowable(screen, FRAME_W, IMAGE_MAX_H, masked=red.word if red is not None else None),
            Spacer(1, 8),
        ]

    def email_headers(self, entries: list[TimelineEntry]) -> None:
        """The header fields of each e-mail of an exhibit that the report shows."""
        mails = [
            e.record for e in entries if e.record.channel is Channel.EMAIL and e.record.raw.get("headers")
        ]
        for n, rec in enumerate(mails):
            if n >= EMAILS_PER_EXHIBIT:
                self.story.append(
                    Paragraph(
                        _esc(
                            f"… and {len(mails) - n} more messages of this exhibit, each on the timeline "
                            "with its locator (the headers of every message are in the original file)."
                        ),
                        self.st["cell"],
                    )
                )
                break
            rows = emails.header_rows(rec, self.data.tz, self.party, self.mask)
            self.story.append(Spacer(1, 4))
            self.story.append(Paragraph(_esc(f"Headers of {rec.locator}"), self.st["cellb"]))
            self.story.append(self.kv([(k, v, k == "Message-ID") for k, v in rows], label_w=80))

    def completeness(self, section: Section) -> None:
        """What the report shows of the case, and what a filter withheld (by SHA-256)."""
        d, st = self.data, self.st
        self.story.append(self.heading(section.title, "completeness"))
        self.intro(section)
        shown = (
            f"This report shows {len(d.timeline)} timeline entries from {len(d.exhibits)} exhibits, read from "
            f"the case at ledger entry {d.head.seq} ({d.head.hash})."
        )
        if not d.filters:
            self.story.append(
                Paragraph(_esc(shown + " Nothing was left out: no filter was applied."), st["body"])
            )
        else:
            chosen = "; ".join(f"{k}: {v}" for k, v in d.filters.items())
            self.story.append(
                Paragraph(
                    _esc(
                        f"{shown} It is filtered ({chosen}; dates are days of the case zone {d.tz_name}, "
                        f"inclusive). {d.withheld_records} timeline entries of the case are not shown, and "
                        f"{len(d.withheld)} exhibits, listed below by SHA-256 so that anyone holding the case "
                        "or a full export can check that they exist and what they are."
                    ),
                    st["body"],
                )
            )
            if d.withheld:
                rows: list[list[Any]] = [
                    [Paragraph(h, st["cellb"]) for h in ("Exhibit", "SHA-256", "Records")]
                ]
                rows += [
                    [
                        Paragraph(_esc(str(w["exhibit"])), st["cell"]),
                        Paragraph(_esc(str(w["sha256"])), st["mono"]),
                        Paragraph(str(w["records"]), st["cell"]),
                    ]
                    for w in d.withheld
                ]
                self.story.append(self.table(rows, [60.0, FRAME_W - 110.0, 50.0]))
        if d.redactor is not None:
            self.story.append(Paragraph("Redaction", st["h2"]))
            self.story.append(Paragraph(_esc("This copy is redacted: " + REDACTION), st["body"]))
        self.story.append(PageBreak())

    def custody(self, section: Section) -> None:
        d, st = self.data, self.st
        self.story.append(self.heading(section.title, "custody"))
        self.intro(section)
        header = [Paragraph(h, st["cellb"]) for h in ("Seq", "Recorded", "Kind", "What", "Hash")]
        rows: list[list[Any]] = [header]
        for entry in d.entries:
            rows.append(
                [
                    Paragraph(str(entry.seq), st["cell"]),
                    Paragraph(_esc(_entry_time(entry, d.tz)).replace(" ", "<br/>", 1), st["cell"]),
                    Paragraph(_esc(entry.kind), st["cell"]),
                    Paragraph(_esc(self.mask(_describe(entry))), st["cell"]),
                    Paragraph(entry.hash[:12] + "…", st["mono"]),
                ]
            )
        widths = [26.0, 76.0, 74.0, 0.0, 70.0]
        widths[3] = FRAME_W - sum(widths)
        self.story.append(self.table(rows, widths))
        self.story.append(PageBreak())

    def verification(self, section: Section) -> None:
        d, st = self.data, self.st
        self.story.append(self.heading(section.title, "verification"))
        self.intro(section)
        p = self.story.append
        p(Paragraph("What this proves", st["h2"]))
        p(
            Paragraph(
                "Each original file was stored when it was imported, identified by its SHA-256 fingerprint, and "
                "recorded in an append-only ledger in which every entry is chained to the one before it by hash "
                "and signed with the case's Ed25519 key. If a file still has the fingerprint printed under "
                "Exhibits, not one byte of it has changed since it was imported. If the ledger verifies, no "
                "entry was altered, removed, inserted or reordered without that being detected, unless whoever "
                "did it also held the private key.",
                st["body"],
            )
        )
        p(Paragraph("What this does not prove", st["h2"]))
        p(
            Paragraph(
                "It does not prove who wrote a message, who was holding a phone, or that a screenshot shows what "
                "an app really displayed: it proves integrity <b>since import</b>, not authorship or "
                "authenticity before it. Times are those the sources recorded; where a source gave a wall-clock "
                "time without its zone the timeline says “zone assumed”.",
                st["body"],
            )
        )
        p(Paragraph("How to check a file's fingerprint", st["h2"]))
        p(
            Paragraph(
                "Compute the SHA-256 of the file you were given and compare it, all 64 characters, with the "
                "one printed under Exhibits:",
                st["body"],
            )
        )
        for line in (
            "Linux:    sha256sum FILE",
            "macOS:    shasum -a 256 FILE",
            "Windows:  certutil -hashfile FILE SHA256",
            "          Get-FileHash -Algorithm SHA256 FILE   (PowerShell)",
        ):
            p(Paragraph(_esc(line).replace(" ", "&nbsp;"), st["code"]))
        p(Paragraph("How to check the case", st["h2"]))
        p(
            Paragraph(
                "On a copy of the case folder, run the command below. It checks every entry's hash and "
                "signature, the chain, that every stored file still has its fingerprint, and that the ledger "
                "still contains the entry this report was built from (so no entry was dropped since). It "
                "prints OK and exits with status 0 only when everything is intact.",
                st["body"],
            )
        )
        p(Paragraph(_esc(f"evidence verify --head {d.head.seq}:{d.head.hash}"), st["code"]))
        p(Paragraph(_esc(f"            --expect-key {d.key_fingerprint}"), st["code"]))
        self.anchors()
        self.story.append(PageBreak())

    def anchors(self) -> None:
        """Trusted timestamps (RFC 3161): which ledger heads a TSA signed, and when (only when there are any)."""
        d, st = self.data, self.st
        found = [e for e in d.entries if e.kind == ANCHOR_KIND and isinstance(e.body, dict)]
        if not found:
            return
        self.story.append(Paragraph("Trusted timestamps", st["h2"]))
        self.story.append(
            Paragraph(
                "An independent Time-Stamp Authority (RFC 3161) signed the hash of these ledger heads. Each "
                "proves that the ledger up to that entry, and every file it names, existed at the time the "
                "authority gives, whatever the clock of the computer that kept the case said. Only the hash "
                "was sent to the authority.",
                st["body"],
            )
        )
        for entry in found:
            body = entry.body
            covers = body.get("covers") or {}
            when = datetime.fromisoformat(str(body.get("gen_time")))
            chain = "" if body.get("chain_checked") else " (certificate chain not checked when recorded)"
            self.story.append(
                Paragraph(
                    _esc(
                        f"Entry {entry.seq}: head {covers.get('seq')}:{covers.get('hash')} at "
                        f"{_when(when, d.tz)} per {body.get('tsa_name') or body.get('tsa_url')}{chain}"
                    ),
                    st["body"],
                )
            )

    def declaration(self, section: Section) -> None:
        d, st = self.data, self.st
        self.story.append(self.heading(section.title, "declaration"))
        self.intro(section)
        values = {
            "case_title": d.title,
            "head_seq": str(d.head.seq),
            "head_hash": d.head.hash,
            "key_fingerprint": d.key_fingerprint,
            "exhibit_count": str(len(d.exhibits)),
            "record_count": str(len(d.timeline)),
        }
        for n, text in enumerate(section.declarations):
            if n:
                self.story.append(PageBreak())
            paragraphs = [p.strip() for p in fill(text, values).split("\n\n") if p.strip()]
            for i, para in enumerate(paragraphs):
                self.story.append(Paragraph(_esc(para), st["h2"] if i == 0 else st["body"]))
                self.story.append(Spacer(1, 3))

    def build(self) -> list[Any]:
        sections: dict[str, Callable[[Section], None]] = {
            "cover": self.cover,
            "summary": self.summary,
            "timeline": self.timeline,
            "exhibits": self.exhibits,
            "completeness": self.completeness,
            "custody": self.custody,
            "verification": self.verification,
            "declaration": self.declaration,
        }
        chosen = list(self.profile.sections)
        ids = [sec.id for sec in chosen]
        if (self.data.filters or self.data.redactor is not None) and "completeness" not in ids:
            # A filtered or redacted report always says so, whatever a user's own profile lists.
            at = ids.index("exhibits") + 1 if "exhibits" in ids else len(ids)
            chosen.insert(at, Section("completeness", "Completeness", "", ()))
        for section in chosen:
            sections[section.id](section)
        while self.story and isinstance(self.story[-1], PageBreak):
            self.story.pop()
        return self.story


def _pdf_date(moment: datetime) -> str:
    offset = moment.strftime("%z") or "+0000"
    return f"D:{moment:%Y%m%d%H%M%S}{offset[:3]}'{offset[3:]}'"


def _layout(data: ReportData, profile: Profile, total: int | None) -> tuple[bytes, int]:
    """One layout pass: the PDF bytes and the number of pages."""
    builder = _Builder(data, profile)
    story = builder.build()
    out = io.BytesIO()
    created_by = data.genesis.get("created_by") or {}
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 6 * mm,
        title=f"{profile.title}: {data.title}",
        author=str(created_by.get("user") or ""),
        subject=profile.subtitle or profile.title,
        keywords=f"evidence, case {data.genesis.get('case_id')}, ledger head {data.head}, profile {profile.name}",
        creator=f"{data.tool.get('name')} {data.tool.get('version')}",
        producer=f"{data.tool.get('name')} {data.tool.get('version')} (reportlab)",
        invariant=1,
        initialFontName="DejaVu",  # PDF/A: no unembedded standard font (reportlab starts in Helvetica)
    )
    pages = [0]
    pdf_date = _pdf_date(data.generated_at)
    contents = manifest.build(data, profile)

    def stamp(canv: Any, doc_: Any) -> None:
        page = int(canv.getPageNumber())
        pages[0] = max(pages[0], page)
        if page == 1:
            canv.setDateFormatter(lambda *_: pdf_date)
            canv.showOutline()
            manifest.attach(canv._doc, contents, pdf_date)
            pdfa.apply(canv._doc, data.generated_at)  # after attach: it extends the catalog's keys
        canv.saveState()
        canv.setFont("DejaVu", 7)
        canv.setFillColor(colors.HexColor("#404040"))
        y = MARGIN - 2
        canv.drawString(MARGIN, y, f"{data.bates_prefix}-{page:06d}")
        canv.drawCentredString(PAGE_W / 2, y, f"ledger head {data.head.seq}:{data.head.hash[:16]}…")
        # "page N of M" in one layout pass: M is a form XObject every page names and the canvas defines at
        # the end, when the count is known (a second pass over a 10,000-row timeline doubled the time).
        x = PAGE_W - MARGIN - pdfmetrics.stringWidth("page 000000 of 000000", "DejaVu", 7)
        label = f"page {page} of "
        canv.drawString(x, y, label)
        canv.translate(x + pdfmetrics.stringWidth(label, "DejaVu", 7), y)
        canv.doForm(TOTAL_FORM)
        canv.restoreState()

    def after(flowable: Any) -> None:
        mark = builder.marks.get(id(flowable))
        if mark:
            key, text, level = mark
            doc.canv.bookmarkPage(key)
            doc.canv.addOutlineEntry(text, key, level=level, closed=level == 0 and key == "exhibits")

    class _Canvas(Canvas):  # type: ignore[misc]  # reportlab is untyped
        def save(self) -> None:
            self.beginForm(TOTAL_FORM)
            self.setFont("DejaVu", 7)
            self.setFillColor(colors.HexColor("#404040"))
            self.drawString(0, 0, str(pages[0] if total is None else total))
            self.endForm()
            super().save()

    doc.afterFlowable = after
    doc.build(story, onFirstPage=stamp, onLaterPages=stamp, canvasmaker=_Canvas)
    return out.getvalue(), pages[0]


def render(data: ReportData, profile: Profile) -> bytes:
    """The report as PDF bytes; the same data and profile give the same bytes."""
    _register_fonts()
    rl_config.useA85 = 0  # binary streams for images: a third smaller than ASCII85
    pdf, _ = _layout(data, profile, None)
    return pdf
