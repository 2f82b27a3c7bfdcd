"""The page every section is set on: A4 geometry and margins, the embedded DejaVu fonts, the paragraph
styles, and the text helpers every section uses (escaping user text for a Paragraph, times in a zone).

DejaVu fonts are embedded (subsetted), so accented, Greek, Cyrillic and most symbol characters render; other
scripts and emoji are drawn glyph by glyph in fallback fonts (``evidence.report.fonts``; ``esc`` marks them up).
"""

from __future__ import annotations

import re
from datetime import datetime, tzinfo
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from evidence.case.ledger import Entry
from evidence.errors import DependencyError
from evidence.models import Channel, Record
from evidence.report import fonts
from evidence.timeutil import display, parse_iso

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONTS = {
    "DejaVu": "DejaVuSans.ttf",
    "DejaVu-Bold": "DejaVuSans-Bold.ttf",
    "DejaVuMono": "DejaVuSansMono.ttf",
}
PAGE_W, PAGE_H = A4
MARGIN = 16 * mm
FRAME_W = PAGE_W - 2 * MARGIN
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def register_fonts() -> None:
    """Register the DejaVu faces with reportlab once (a missing font file is a :class:`DependencyError`)."""
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


def styles() -> dict[str, ParagraphStyle]:
    """The paragraph styles of the report, by name (body, title, h1, h2, the table cells, code)."""
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


def esc(text: str) -> str:
    """User text made safe for a Paragraph: markup escaped, control characters dropped, newlines kept, and
    characters DejaVu lacks put in the font that has them (``evidence.report.fonts``)."""
    clean = CONTROL.sub("", text)
    if clean.isascii():
        return escape(clean).replace("\n", "<br/>")
    parts = [
        escape(piece) if font == "DejaVu" else f'<font face="{font}">{escape(piece)}</font>'
        for font, piece in fonts.runs(clean, "DejaVu")
    ]
    return "".join(parts).replace("\n", "<br/>")


def shown_in(moment: datetime, tz: tzinfo) -> str:
    """A moment as the report prints it in zone ``tz`` (with its UTC offset)."""
    return display(moment, tz)


def entry_time(entry: Entry, tz: tzinfo) -> str:
    """When a ledger entry was recorded, as the report prints it in zone ``tz``."""
    return shown_in(parse_iso(entry.recorded_at), tz)


def precision(rec: Record) -> str | None:
    """How precise the record's time is when less than to the second: ``minute`` or ``approximate``."""
    if rec.raw.get("approximate") is True:
        return "approximate"
    if rec.raw.get("time_precision") == "minute":
        return "minute"
    shown = rec.raw.get("time")
    if isinstance(shown, str) and shown.count(":") == 1:
        return "minute"
    if rec.channel is Channel.DIARY:
        return "minute"  # diary times are typed to the minute
    return None


def record_time(rec: Record, tz: tzinfo) -> str:
    """When a record happened, as every part of the report prints it: in zone ``tz``, to its precision
    (``2026-03-14 20:41 +00:00`` for a minute-precision time, never an invented ":00"; ``about`` before an
    approximate one), always with its UTC offset."""
    local = rec.occurred_at.astimezone(tz)
    offset = local.strftime("%z")
    shown = precision(rec)
    clock = f"{local:%H:%M}" if shown in ("minute", "approximate") else f"{local:%H:%M:%S}"
    return f"{local:%Y-%m-%d} {'about ' if shown == 'approximate' else ''}{clock} {offset[:3]}:{offset[3:]}"
