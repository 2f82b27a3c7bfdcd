"""Complex scripts in the report: Arabic and Hebrew put right to left, Arabic letters joined, Devanagari,
Thai and the other Brahmic scripts' marks and conjuncts placed by a shaping engine.

reportlab draws one glyph per character, left to right. A line of the timeline that holds a character of a
complex or right-to-left script is drawn here instead: (1) the Unicode bidirectional algorithm (python-bidi's
reference implementation, UAX #9) gives each character its embedding level; (2) the line is cut into pieces
of one font (``evidence.report.fonts``) and one level; (3) the pieces are put in display order (rule L2:
from the highest level down, each run at that level or above reversed); (4) each piece is shaped by HarfBuzz
(``uharfbuzz``) in its direction, giving glyphs and their positions, drawn by reportlab's own shaped-text
output. Lines of other scripts (Latin, Cyrillic, Greek, CJK) are not touched.

Extracting the text gives back the characters stored: each piece is drawn inside a marked-content span whose
``/ActualText`` is its text, since a shaped glyph (a conjunct, a vowel sign drawn before its consonant, a joined
Arabic letter) does not stand for one character. A right-to-left piece's ActualText is its text in display
order: poppler (``pdftotext``), like most extractors, takes a line's characters as laid out on the page and puts
right-to-left runs back in reading order, so it reads that piece's words in their stored order. Outside the
spans, each glyph's ToUnicode entry is still its character (``fonts.unicode_of``).

The levels are those of the whole paragraph (a line of the text as written, before it is broken to fit a
cell): a digit or a space at the start of a wrapped line takes its level from the Arabic before the break,
as UAX #9 says (rule L1's reset of trailing spaces is not applied).

Known limits: the paragraph direction is that of its first strong character (rule P2), so a line
starting with a Latin name and going on in Arabic is laid out left to right with the Arabic part read right to left
inside it, as a browser would; lines are broken before shaping, at spaces, by the unshaped widths; a reader
that takes ActualText as it is (Acrobat's copy) gets a right-to-left piece's characters reversed; pdftotext
may put an Arabic comma or colon on the other side of its space, and on a page mostly left to right it reads
the sentences of one right-to-left line from the left. Quoted words outside the table (the appendix, the
incidents) are shaped too (``shaped_text``); other paragraphs (the cover's title, names in the summary and
the exhibits) are not yet.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import uharfbuzz as hb  # type: ignore[import-untyped]  # a Cython binding without stubs
from bidi import algorithm as uba  # type: ignore[import-untyped]  # python-bidi's pure-Python UAX #9
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import ShapeData, ShapedStr

from evidence.report import fonts

# scripts whose glyphs depend on their neighbours, and right-to-left ones
COMPLEX = re.compile(
    "[\u0590-\u08ff\u0900-\u0dff\u0e00-\u0eff\u0f00-\u0fff\u1000-\u109f\u1780-\u17ff"
    "\u200f\u202b\u202e\u2067\ufb1d-\ufdff\ufe70-\ufeff]"
)
_FEATURES = {"kern": True, "liga": True}
ARABIC_FONT = "NotoSansArabic"
_ARABIC_CHARS = "\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff"
_ARABIC = re.compile(f"[{_ARABIC_CHARS}]")
# a run of Arabic words with the spaces between them (one piece to shape and one ActualText span, not one a
# word), or a run of anything else
_ARABIC_SPLIT = re.compile(f"([{_ARABIC_CHARS}]+(?: +[{_ARABIC_CHARS}]+)*)|[^{_ARABIC_CHARS}]+")
# characters of right-to-left scripts and the marks and embeddings that make text right to left
_RIGHT_TO_LEFT = re.compile("[\u0590-\u08ff\u200f\u202b\u202e\u2067\ufb1d-\ufdff\ufe70-\ufeff]")


@dataclass(frozen=True)
class Piece:
    """A run of one font and one direction, shaped: ``glyphs`` is what reportlab draws, ``text`` the
    characters it stands for, ``width`` its advance in points."""

    font: str
    text: str
    rtl: bool
    glyphs: Any  # reportlab's ShapedStr
    width: float


def needs_shaping(text: str) -> bool:
    """Whether ``text`` holds a character of a complex or right-to-left script."""
    return COMPLEX.search(text) is not None


def paragraph_rtl(text: str) -> bool:
    """Whether a paragraph reads right to left: its first strong character is (UAX #9 rules P2-P3)."""
    return bool(uba.get_base_level(text))


@lru_cache(maxsize=1 << 12)
def paragraph_levels(text: str, rtl: bool | None = None) -> tuple[int, ...]:
    """``levels`` of a whole paragraph, cached: each of its wrapped lines takes its slice."""
    return tuple(levels(text, rtl))


def line_levels(paragraph: str, line: str, start: int, rtl: bool | None = None) -> tuple[int, ...] | None:
    """The levels of ``line``, found in ``paragraph`` at or after ``start``, from the whole paragraph's
    analysis; None when the line is not a piece of the paragraph (then the line is analysed alone)."""
    at = paragraph.find(line, start)
    if at < 0:
        return None
    return paragraph_levels(paragraph, rtl)[at : at + len(line)]


def levels(text: str, rtl: bool | None = None) -> list[int]:
    """The embedding level of each character of ``text`` (UAX #9 rules X1-X10, W1-W7, N1-N2, I1-I2) in a
    paragraph of direction ``rtl`` (None: from ``text``): even left to right, odd right to left."""
    base = int(paragraph_rtl(text) if rtl is None else rtl)
    if not base and _RIGHT_TO_LEFT.search(text) is None:
        return [0] * len(text)  # Hindi, Thai...: nothing to reorder (and the reference algorithm is slow)
    storage = uba.get_empty_storage()
    storage["base_level"] = base
    storage["base_dir"] = ("L", "R")[base]
    uba.get_embedding_levels(_assigned(text), storage)
    uba.explicit_embed_and_overrides(storage)
    uba.resolve_weak_types(storage)
    uba.resolve_neutral_types(storage, False)
    uba.resolve_implicit_levels(storage, False)
    found = [int(ch["level"]) for ch in storage["chars"]]
    return found if len(found) == len(text) else [base] * len(text)


# UAX #9's default classes of unassigned code points (DerivedBidiClass.txt): right to left inside the Hebrew,
# Arabic, Syriac, Thaana, NKo... blocks, left to right elsewhere. python-bidi's reference algorithm stops on a
# character with no class (an e-mail decoded into unassigned code points stopped the whole report).
_DEFAULT_RTL = re.compile(
    "[\u0590-\u05ff\u07c0-\u085f\ufb1d-\ufb4f\U00010800-\U00010fff\U0001e800-\U0001edff]"
)
_DEFAULT_AL = re.compile(
    "[\u0600-\u07bf\u0860-\u08ff\ufb50-\ufdcf\ufdf0-\ufdff\ufe70-\ufeff\U0001ee00-\U0001eeff]"
)


def _assigned(text: str) -> str:
    """``text`` with each character that has no bidirectional class (unassigned) replaced by one of its
    default class (Hebrew alef, Arabic alef or Latin a): the same length, so the levels line up."""
    if all(unicodedata.bidirectional(ch) for ch in text):
        return text
    return "".join(
        ch
        if unicodedata.bidirectional(ch)
        else "\u05d0"
        if _DEFAULT_RTL.match(ch)
        else "\u0627"
        if _DEFAULT_AL.match(ch)
        else "a"
        for ch in text
    )


def _font_runs(text: str, base: str) -> list[tuple[str, str]]:
    """``fonts.runs``, except that every letter and mark of the Arabic script is set in Noto Sans Arabic (when
    installed): a word must be shaped in one font to be joined, and DejaVu lacks letters of Urdu and others."""
    if _ARABIC.search(text) is None or not fonts.installed(ARABIC_FONT):
        return fonts.runs(text, base)
    found: list[tuple[str, str]] = []
    for arabic, piece in ((m.group(1) is not None, m.group(0)) for m in _ARABIC_SPLIT.finditer(text)):
        found += [(ARABIC_FONT, piece)] if arabic else fonts.runs(piece, base)
    return found


def _runs(
    text: str, base: str, rtl: bool | None, given: tuple[int, ...] | None = None
) -> list[tuple[int, str, str]]:
    """(level, font, text) runs in logical order; ``given``: the line's levels in its paragraph."""
    level_of = list(given) if given is not None and len(given) == len(text) else levels(text, rtl)
    found: list[tuple[int, str, str]] = []
    at = 0
    for font, piece in _font_runs(text, base):
        start = at
        for i in range(at, at + len(piece)):
            if level_of[i] != level_of[start]:
                found.append((level_of[start], font, text[start:i]))
                start = i
        at += len(piece)
        found.append((level_of[start], font, text[start:at]))
    return found


def _display_order(runs: list[tuple[int, str, str]]) -> list[tuple[int, str, str]]:
    """Rule L2: from the highest level to the lowest odd one, reverse every run of pieces at or above it."""
    if not runs:
        return runs
    order = list(runs)
    top = max(r[0] for r in order)
    lowest_odd = min((r[0] for r in order if r[0] % 2), default=top + 1)
    for level in range(top, lowest_odd - 1, -1):
        i = 0
        while i < len(order):
            if order[i][0] < level:
                i += 1
                continue
            j = i
            while j < len(order) and order[j][0] >= level:
                j += 1
            order[i:j] = reversed(order[i:j])
            i = j
    return order


def _shape(text: str, font: str, size: float, rtl: bool) -> Piece:
    ttf = pdfmetrics.getFont(font)
    hb_font = ttf.hbFont(size)
    buf = hb.Buffer()
    buf.add_str(text)
    buf.guess_segment_properties()
    buf.direction = "rtl" if rtl else "ltr"
    buf.cluster_level = hb.BufferClusterLevel.MONOTONE_CHARACTERS
    hb.shape(hb_font, buf, _FEATURES)
    infos, positions = buf.glyph_infos, buf.glyph_positions
    starts = sorted({info.cluster for info in infos})
    ends = {start: (starts[k + 1] if k + 1 < len(starts) else len(text)) for k, start in enumerate(starts)}
    face_name = ttf.face.name.decode("latin-1") if isinstance(ttf.face.name, bytes) else str(ttf.face.name)
    scale = ttf.face._pdfScale  # font units to thousandths of the size
    chars: list[str] = []
    data: list[ShapeData] = []
    advance = 0.0
    for info, pos in zip(infos, positions, strict=True):
        gid = info.codepoint
        owned = ttf.face.glyphToChar.get(gid)
        if owned:
            code = owned[0]
        else:
            code = ttf.hbAddPrivate(hb_font.glyph_to_string(gid), gid, pos.x_advance)
            fonts.PRIVATE[(face_name, code)] = text[info.cluster : ends[info.cluster]]
        chars.append(chr(code))
        x_advance = scale(pos.x_advance)
        advance += x_advance
        data.append(
            ShapeData(
                info.cluster,
                x_advance,
                scale(pos.y_advance),
                scale(pos.x_offset),
                scale(pos.y_offset),
                ttf.face.charWidths[code],
            )
        )
    glyphs = ShapedStr("".join(chars), shapeData=data)
    return Piece(font, text, rtl, glyphs, advance * size / 1000.0)


@lru_cache(maxsize=1 << 14)
def shape_line(
    text: str, base: str, size: float, rtl: bool | None = None, given: tuple[int, ...] | None = None
) -> tuple[Piece, ...]:
    """``text`` (one line of a paragraph of direction ``rtl``, None: the line's own) as shaped pieces in display
    order, left to right on the page; ``given``: the line's levels in its paragraph (``line_levels``)."""
    runs = _display_order(_runs(text, base, rtl, given))
    return tuple(_shape(piece, font, size, level % 2 == 1) for level, font, piece in runs)


def line_width(
    text: str, base: str, size: float, rtl: bool | None = None, given: tuple[int, ...] | None = None
) -> float:
    """The width in points of one line as drawn shaped."""
    return sum(piece.width for piece in shape_line(text, base, size, rtl, given))


def _utf16_hex(text: str) -> str:
    return "FEFF" + text.encode("utf-16-be").hex().upper()


def draw_line(
    textobject: Any,
    text: str,
    base: str,
    size: float,
    leading: float,
    *,
    rtl: bool = False,
    width: float = 0.0,
    given: tuple[int, ...] | None = None,
) -> None:
    """Draw one line shaped at the start of the text object's line and move to the next line; a line of a
    right-to-left paragraph (``rtl``) is set flush right in ``width`` points. ``given``: the line's levels in
    its paragraph (``line_levels``); without them the line is analysed alone."""
    shift = max(0.0, width - line_width(text, base, size, rtl, given)) if rtl else 0.0
    if shift:
        textobject.moveCursor(shift, 0)
    for piece in shape_line(text, base, size, rtl, given):
        textobject.setFont(piece.font, size, leading)
        actual = piece.text[::-1] if piece.rtl else piece.text
        textobject._code.append(f"/Span <</ActualText <{_utf16_hex(actual)}>>> BDC")
        textobject.textOut(piece.glyphs)
        textobject._code.append("EMC")
    textobject.setFont(base, size, leading)
    textobject.textLine("")
    if shift:
        textobject.moveCursor(-shift, 0)
