"""A long table drawn fast: the timeline's rows as one flowable that splits between rows and repeats its header.

reportlab's ``Table`` of ``Paragraph`` cells parses markup and measures every cell several times (wrap, split,
draw) on every layout pass; 10,000 rows took well over a minute. Here each cell is plain text in one font,
broken into lines once (character widths read from the font's table, over-long words such as addresses and
hashes broken between characters), and drawn with ``drawString``. The look is the report's other tables: a
grey grid, a shaded header repeated at the top of each page, zebra rows.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from reportlab.lib import colors
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Flowable

from evidence.report import fonts, shaping

PAD_X = 3.0
PAD_Y = 2.0
GRID = colors.HexColor("#B0B0B0")
HEADER_BG = colors.HexColor("#E4E8EE")
ZEBRA_BG = colors.HexColor("#F6F7F9")


@cache
def _widths(font: str) -> tuple[dict[int, int], int]:
    face = pdfmetrics.getFont(font).face
    return face.charWidths, int(face.defaultWidth)


def text_width(text: str, font: str, size: float) -> float:
    """The width of ``text`` in points (the font's advance widths; no kerning, as reportlab draws it); a
    character ``font`` lacks is measured in the font that draws it (``evidence.report.fonts``)."""
    table, _default = _widths(font)
    total, fallback = 0, 0.0
    for c in text:
        width = table.get(ord(c))
        if width is None:
            fallback += fonts.char_width(ord(c), font, size)
        else:
            total += width
    return total * size / 1000.0 + fallback


@lru_cache(maxsize=1 << 16)
def break_lines(text: str, font: str, size: float, width: float) -> tuple[str, ...]:
    """``text`` broken into lines no wider than ``width``: at spaces, and inside words too long for a line;
    explicit newlines are kept. Cached: the same cells come back when a report is rendered again."""
    lines: list[str] = []
    space = text_width(" ", font, size)
    for para in text.split("\n"):
        line, line_w = "", 0.0
        for word in para.split(" "):
            word_w = text_width(word, font, size)
            if line and line_w + space + word_w <= width:
                line, line_w = f"{line} {word}", line_w + space + word_w
                continue
            if line:
                lines.append(line)
            while word_w > width and len(word) > 1:
                cut = 1
                while cut < len(word) and text_width(word[: cut + 1], font, size) <= width:
                    cut += 1
                while 1 < cut < len(word) and unicodedata.category(word[cut])[0] == "M":
                    cut -= 1  # a vowel sign or tone mark (Thai, Devanagari) stays with its letter
                lines.append(word[:cut])
                word = word[cut:]
                word_w = text_width(word, font, size)
            line, line_w = word, word_w
        lines.append(line)
    return tuple(lines)


@dataclass(frozen=True)
class Cell:
    """One cell: its text and font."""

    text: str
    font: str = "DejaVu"


class RowsFlowable(Flowable):  # type: ignore[misc]  # reportlab is untyped
    """A table of ``rows`` under ``header`` with column ``widths``; splits between rows."""

    def __init__(
        self,
        header: list[Cell],
        rows: list[list[Cell]],
        widths: list[float],
        *,
        size: float = 7.5,
        leading: float = 9.5,
        first_index: int = 0,
        shades: list[Any] | None = None,
        _lines: list[list[tuple[str, ...]]] | None = None,
        _heights: list[float] | None = None,
    ) -> None:
        super().__init__()
        self.header = header
        self.rows = rows
        self.widths = widths
        self.size = size
        self.leading = leading
        self.first_index = first_index  # for the zebra shading to continue across pages
        self.shades = shades if shades is not None else [None] * len(rows)  # a row's own background
        self.head_lines = self._break(header)
        self.lines = _lines if _lines is not None else [self._break(row) for row in rows]
        self.head_h = self._height(self.head_lines)
        self.heights = _heights if _heights is not None else [self._height(cells) for cells in self.lines]

    def _break(self, row: list[Cell]) -> list[tuple[str, ...]]:
        return [
            break_lines(cell.text, cell.font, self.size, w - 2 * PAD_X)
            for cell, w in zip(row, self.widths, strict=True)
        ]

    def _directions(self, cell: Cell, width: float) -> list[tuple[bool, tuple[int, ...] | None]]:
        """For each line of ``cell``, whether its paragraph (a line of the text as written) reads right to
        left, and the line's bidi levels in that paragraph: a line breaks into as many lines here as in
        ``break_lines``."""
        found: list[tuple[bool, tuple[int, ...] | None]] = []
        for para in cell.text.split("\n"):
            rtl, at = shaping.paragraph_rtl(para), 0
            for line in break_lines(para, cell.font, self.size, width):
                given = shaping.line_levels(para, line, at, rtl) if shaping.needs_shaping(line) else None
                found.append((rtl, given))
                at = max(at, para.find(line, at)) + len(line)
        return found

    def _height(self, cells: list[tuple[str, ...]]) -> float:
        return max(len(c) for c in cells) * self.leading + 2 * PAD_Y + 1

    def wrap(self, avail_w: float, avail_h: float) -> tuple[float, float]:
        self.width = sum(self.widths)
        self.height = self.head_h + sum(self.heights)
        return self.width, self.height

    def split(self, avail_w: float, avail_h: float) -> list[Any]:
        used, fit = self.head_h, 0
        for h in self.heights:
            if used + h > avail_h:
                break
            used += h
            fit += 1
        if fit == 0:
            return []
        if fit == len(self.rows):
            return [self]
        cls = type(self)
        common: dict[str, Any] = {"size": self.size, "leading": self.leading}
        return [
            cls(self.header, self.rows[:fit], self.widths, first_index=self.first_index,
                shades=self.shades[:fit], _lines=self.lines[:fit], _heights=self.heights[:fit], **common),
            cls(self.header, self.rows[fit:], self.widths, first_index=self.first_index + fit,
                shades=self.shades[fit:], _lines=self.lines[fit:], _heights=self.heights[fit:], **common),
        ]  # fmt: skip

    def _draw_row(
        self, y_top: float, height: float, cells: list[tuple[str, ...]], row: list[Cell], bg: Any
    ) -> None:
        canv = self.canv
        total = sum(self.widths)
        if bg is not None:
            canv.setFillColor(bg)
            canv.rect(0, y_top - height, total, height, stroke=0, fill=1)
        canv.setFillColor(colors.black)
        text = canv.beginText()
        x = 0.0
        for lines, cell, w in zip(cells, row, self.widths, strict=True):
            text.setFont(cell.font, self.size, self.leading)
            text.setTextOrigin(x + PAD_X, y_top - PAD_Y - self.size)
            table = _widths(cell.font)[0]
            rtl = self._directions(cell, w - 2 * PAD_X) if shaping.needs_shaping(cell.text) else []
            for i, line in enumerate(lines):
                if shaping.needs_shaping(line):  # Arabic, Hebrew, Indic, Thai: shaped, in display order
                    shaping.draw_line(
                        text, line, cell.font, self.size, self.leading,
                        rtl=rtl[i][0], width=w - 2 * PAD_X, given=rtl[i][1],
                    )  # fmt: skip
                    continue
                if all(ord(c) in table for c in line):
                    text.textLine(line)
                    continue
                for font, piece in fonts.runs(line, cell.font):  # per-glyph fallback
                    text.setFont(font, self.size, self.leading)
                    text.textOut(piece)
                text.setFont(cell.font, self.size, self.leading)
                text.textLine("")
            x += w
        canv.drawText(text)

    def draw(self) -> None:
        canv = self.canv
        canv.saveState()
        y = self.height
        head = [Cell(c.text, c.font) for c in self.header]
        self._draw_row(y, self.head_h, self.head_lines, head, HEADER_BG)
        edges = [y, y - self.head_h]
        y -= self.head_h
        for i, (row, cells, h, shade) in enumerate(
            zip(self.rows, self.lines, self.heights, self.shades, strict=True)
        ):
            zebra = ZEBRA_BG if (self.first_index + i) % 2 else None
            self._draw_row(y, h, cells, row, shade if shade is not None else zebra)
            y -= h
            edges.append(y)
        canv.setStrokeColor(GRID)
        canv.setLineWidth(0.25)
        total = sum(self.widths)
        for edge in edges:
            canv.line(0, edge, total, edge)
        x = 0.0
        for w in [0.0, *self.widths]:
            x += w
            canv.line(x, self.height, x, edges[-1])
        canv.restoreState()
