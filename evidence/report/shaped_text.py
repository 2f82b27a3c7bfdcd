"""Words quoted outside the timeline's table (the appendix's full texts, the incidents' excerpts, the case's
title, the values of label-value tables) in a complex or right-to-left script: a flowable that breaks them into lines and draws each line
shaped (``evidence.report.shaping``), in place of reportlab's ``Paragraph``, which draws glyph by glyph.

:func:`paragraph` picks: a ``Paragraph`` for text that needs no shaping (the report's look is unchanged), a
:class:`ShapedText` for the rest. Each paragraph of the text (a line as written) takes its own direction; a
right-to-left one is set flush right. The flowable splits between lines, so a long message runs over pages.
"""

from __future__ import annotations

from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Paragraph

from evidence.report import fonts, shaping
from evidence.report.page import CONTROL, esc
from evidence.report.rows import break_lines


def paragraph(text: str, style: ParagraphStyle) -> Any:
    """``text`` (user text, not markup) set in ``style``: shaped when it holds a complex script."""
    clean = CONTROL.sub("", text)
    if not shaping.needs_shaping(clean):
        return Paragraph(esc(clean), style)
    shaped = ShapedText(clean, style.fontName, style.fontSize, style.leading)
    shaped.spaceBefore, shaped.spaceAfter = style.spaceBefore, style.spaceAfter  # as the Paragraph would
    return shaped


class ShapedText(Flowable):  # type: ignore[misc]  # reportlab is untyped
    """``text`` broken into lines at spaces (inside words too long for a line) and drawn shaped."""

    def __init__(
        self,
        text: str,
        font: str,
        size: float,
        leading: float,
        _lines: list[tuple[str, bool, tuple[int, ...] | None]] | None = None,
    ) -> None:
        super().__init__()
        self.text = text
        self.font = font
        self.size = size
        self.leading = leading
        self.lines = _lines
        self.fixed = _lines is not None  # a piece of a split keeps the lines it was given
        self.width = 0.0

    def _break(self, width: float) -> list[tuple[str, bool, tuple[int, ...] | None]]:
        """Each line, its paragraph's direction, and its bidi levels in that paragraph (when shaped)."""
        found: list[tuple[str, bool, tuple[int, ...] | None]] = []
        for para in self.text.split("\n"):
            rtl, at = shaping.paragraph_rtl(para), 0
            for line in break_lines(para, self.font, self.size, width):
                given = shaping.line_levels(para, line, at, rtl) if shaping.needs_shaping(line) else None
                found.append((line, rtl, given))
                at = max(at, para.find(line, at)) + len(line)
        return found

    def wrap(self, avail_w: float, avail_h: float) -> tuple[float, float]:
        if self.lines is None or (not self.fixed and avail_w != self.width):
            self.lines = self._break(avail_w)
        self.width = avail_w
        return avail_w, len(self.lines) * self.leading

    def split(self, avail_w: float, avail_h: float) -> list[Any]:
        lines = self.lines if self.lines is not None else self._break(avail_w)
        fit = int(avail_h // self.leading)
        if fit <= 0:
            return []
        if fit >= len(lines):
            return [self]
        cls = type(self)
        return [
            cls(self.text, self.font, self.size, self.leading, lines[:fit]),
            cls(self.text, self.font, self.size, self.leading, lines[fit:]),
        ]

    def draw(self) -> None:
        lines = self.lines or []
        text = self.canv.beginText()
        text.setTextOrigin(0, len(lines) * self.leading - self.size)
        text.setFont(self.font, self.size, self.leading)
        for line, rtl, given in lines:
            if shaping.needs_shaping(line):
                shaping.draw_line(
                    text, line, self.font, self.size, self.leading, rtl=rtl, width=self.width, given=given
                )
                continue
            for font, piece in fonts.runs(line, self.font):  # per-glyph fallback, as in the timeline
                text.setFont(font, self.size, self.leading)
                text.textOut(piece)
            text.setFont(self.font, self.size, self.leading)
            text.textLine("")
        self.canv.drawText(text)
