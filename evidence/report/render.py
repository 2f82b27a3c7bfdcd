"""Render a case's report as PDF with reportlab platypus: deterministic bytes, embedded fonts, page stamps.

The report never parses sources: it shows what the case already holds (the timeline of records, the exhibits
and the ledger), with the wording of a profile from ``templates/``. The same :class:`ReportData` and profile
give byte-identical bytes: reportlab's invariant mode fixes the document ID, and the PDF's creation date is
``generated_at`` (by default the recorded time of the ledger head the report was built from, never "now").

Every page carries a Bates-style number (``EVD-000001``), "page N of M" (one layout pass: M is a form
XObject drawn once the last page is known) and the ledger head. Sections and exhibits get PDF outline entries.
DejaVu fonts are embedded (subsetted), so accented, Greek, Cyrillic and most symbol characters render.

The manifest of what the report shows (``evidence.report.manifest``) is attached as
``evidence-manifest.json``, for ``evidence verify report.pdf``.

This module holds the document: one layout pass, the page stamps and the PDF's metadata. What it lays out is
elsewhere: ``data`` (what a report shows), ``page`` (geometry, fonts, styles, text helpers), ``builder`` (the
story and the helpers sections share) and ``sections/`` (one module per section a profile can name).
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import SimpleDocTemplate

from evidence.report import manifest, pdfa, sections
from evidence.report.builder import Builder
from evidence.report.data import ReportData
from evidence.report.page import FRAME_W, MARGIN, PAGE_H, PAGE_W
from evidence.report.page import register_fonts as _register_fonts
from evidence.report.sections.exhibits import IMAGE_MAX_H
from evidence.report.templates import Profile

# What other code and the tests import from here: the data, the entry point, the page geometry (and
# ``_register_fonts``, which a test of the row flowable calls).
__all__ = ["FRAME_W", "IMAGE_MAX_H", "MARGIN", "PAGE_H", "ReportData", "render"]

TOTAL_FORM = "evdPageTotal"


def _pdf_date(moment: datetime) -> str:
    offset = moment.strftime("%z") or "+0000"
    return f"D:{moment:%Y%m%d%H%M%S}{offset[:3]}'{offset[3:]}'"


def _layout(data: ReportData, profile: Profile, total: int | None) -> tuple[bytes, int]:
    """One layout pass: the PDF bytes and the number of pages."""
    builder = Builder(data, profile)
    story = sections.build(builder)
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
        author=str(created_by.get("user") or "") if data.show_computer else "",
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
