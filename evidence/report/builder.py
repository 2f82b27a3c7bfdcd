"""The story builder every section adds to: one layout pass's flowables, the bookmarks of its headings, and
the helpers sections share (headings, grid tables, label-value tables, redaction of parties and text).

Each section (``evidence.report.sections``) is a function that takes a :class:`Builder` and the profile's
:class:`~evidence.report.templates.Section` and appends to ``Builder.story``.
"""

from __future__ import annotations

from typing import Any

from reportlab.lib import colors
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from evidence.report.data import ReportData
from evidence.report.page import FRAME_W, esc, styles
from evidence.report.shaped_text import paragraph
from evidence.report.templates import Profile, Section

CELL_PADDING = 3  # points left and right of a table cell


class Builder:
    """Builds one pass's story (flowables are consumed by a build, so each pass needs its own)."""

    def __init__(self, data: ReportData, profile: Profile) -> None:
        self.data = data
        self.profile = profile
        self.st = styles()
        self.marks: dict[int, tuple[str, str, int]] = {}
        # The marked flowables themselves, kept alive: marks are keyed by id(), and once platypus has drawn and
        # dropped a heading, a new object (a split paragraph, a row) could get its id and a spurious bookmark.
        self.marked: list[Any] = []
        self.story: list[Any] = []
        self.cache: dict[str, Any] = {}  # what several sections of one pass share (the appendix's plan)

    def heading(self, text: str, key: str, *, level: int = 0) -> Paragraph:
        """A section (level 0) or exhibit (level 1) heading that gets a PDF outline entry under ``key``."""
        para = Paragraph(esc(text), self.st["h1" if level == 0 else "h2"])
        self.marks[id(para)] = (key, text, level)
        self.marked.append(para)
        return para

    def table(
        self, rows: list[list[Any]], widths: list[float], *, header: bool = True, zebra: bool = True
    ) -> Table:
        """A grid table in the report's look: a shaded header row repeated on each page, zebra rows."""
        table = Table(rows, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT")
        style: list[tuple[Any, ...]] = [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("FONTNAME", (0, 0), (-1, -1), "DejaVu"),  # PDF/A: not reportlab's unembedded Helvetica
            ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#B0B0B0")),
            ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
            ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
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
            [Paragraph(esc(k), self.st["cellb"]), paragraph(v, self.st["mono" if mono else "cell"])]
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

    def initials(self) -> str:
        """The complainant's initials as exhibit references show them (masked when redacting)."""
        from evidence.report import producer

        found = producer.initials(self.data.people)
        red = self.data.redactor
        return red.initials(found) if red is not None and found != producer.BLANK else found

    def reference(self, exhibit: str) -> str:
        """The producer's reference of an exhibit ("JL/7"; "[owner initials]/7" when redacting)."""
        from evidence.report import producer

        return producer.reference(exhibit, self.data.people, shown=self.initials())

    def intro(self, section: Section) -> None:
        """The profile's introduction of a section, when it has one."""
        if section.intro:
            self.story.append(Paragraph(esc(section.intro), self.st["body"]))
            self.story.append(Spacer(1, 4))
