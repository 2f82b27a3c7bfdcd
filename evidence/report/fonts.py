"""Per-glyph font fallback: a character DejaVu lacks is drawn in the first installed font that has it.

DejaVu covers Latin, Greek, Cyrillic and many symbols; a harassment report also quotes Thai, Hindi, Arabic,
Japanese and emoji. Each character outside DejaVu is looked up by its Unicode block in a Noto font of that
script (Debian's ``fonts-noto-core``), CJK in Droid Sans Fallback (``fonts-droid-fallback``: TrueType
outlines, which reportlab embeds; the Noto CJK fonts are CFF, which it cannot), and anything else (emoji,
symbols) in Symbola (``fonts-symbola``; colour emoji fonts are bitmaps reportlab cannot embed), then Noto
Symbols. Fonts are registered only when a character needs them, so a report in Latin script loads none.
Combining marks, joiners and variation selectors stay in the font of the character before them.

Known limits: the timeline's lines and the quoted words of the appendix and incidents are shaped
(``evidence.report.shaping``: Arabic joined and right to left, Devanagari and Thai marks placed by HarfBuzz);
other paragraphs (the cover's title, names) are not, so there Arabic and Hebrew letters are drawn unjoined,
left to right in stored order, and Indic marks at the font's default places.
A character no installed font has is drawn as DejaVu's empty box.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFError, TTFont

NOTO = Path("/usr/share/fonts/truetype/noto")
FILES = {
    "NotoSansThai": NOTO / "NotoSansThai-Regular.ttf",
    "NotoSansDevanagari": NOTO / "NotoSansDevanagari-Regular.ttf",
    "NotoSansArabic": NOTO / "NotoSansArabic-Regular.ttf",
    "NotoSansHebrew": NOTO / "NotoSansHebrew-Regular.ttf",
    "NotoSansBengali": NOTO / "NotoSansBengali-Regular.ttf",
    "NotoSansGurmukhi": NOTO / "NotoSansGurmukhi-Regular.ttf",
    "NotoSansGujarati": NOTO / "NotoSansGujarati-Regular.ttf",
    "NotoSansTamil": NOTO / "NotoSansTamil-Regular.ttf",
    "NotoSansTelugu": NOTO / "NotoSansTelugu-Regular.ttf",
    "NotoSansKannada": NOTO / "NotoSansKannada-Regular.ttf",
    "NotoSansMalayalam": NOTO / "NotoSansMalayalam-Regular.ttf",
    "NotoSansSinhala": NOTO / "NotoSansSinhala-Regular.ttf",
    "NotoSansLao": NOTO / "NotoSansLao-Regular.ttf",
    "NotoSansMyanmar": NOTO / "NotoSansMyanmar-Regular.ttf",
    "NotoSansGeorgian": NOTO / "NotoSansGeorgian-Regular.ttf",
    "NotoSansArmenian": NOTO / "NotoSansArmenian-Regular.ttf",
    "NotoSansEthiopic": NOTO / "NotoSansEthiopic-Regular.ttf",
    "NotoSansKhmer": NOTO / "NotoSansKhmer-Regular.ttf",
    "DroidSansFallback": Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"),
    "Symbola": Path("/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf"),
    "NotoSansSymbols2": NOTO / "NotoSansSymbols2-Regular.ttf",
    "NotoSansSymbols": NOTO / "NotoSansSymbols-Regular.ttf",
}
# (first, last code point, font): the script's own font is tried first
BLOCKS = (
    (0x0530, 0x058F, "NotoSansArmenian"),
    (0x0590, 0x05FF, "NotoSansHebrew"),
    (0x0600, 0x08FF, "NotoSansArabic"),
    (0x0900, 0x097F, "NotoSansDevanagari"),
    (0x0980, 0x09FF, "NotoSansBengali"),
    (0x0A00, 0x0A7F, "NotoSansGurmukhi"),
    (0x0A80, 0x0AFF, "NotoSansGujarati"),
    (0x0B80, 0x0BFF, "NotoSansTamil"),
    (0x0C00, 0x0C7F, "NotoSansTelugu"),
    (0x0C80, 0x0CFF, "NotoSansKannada"),
    (0x0D00, 0x0D7F, "NotoSansMalayalam"),
    (0x0D80, 0x0DFF, "NotoSansSinhala"),
    (0x0E00, 0x0E7F, "NotoSansThai"),
    (0x0E80, 0x0EFF, "NotoSansLao"),
    (0x1000, 0x109F, "NotoSansMyanmar"),
    (0x10A0, 0x10FF, "NotoSansGeorgian"),
    (0x1200, 0x139F, "NotoSansEthiopic"),
    (0x1780, 0x17FF, "NotoSansKhmer"),
    (0x1100, 0x11FF, "DroidSansFallback"),
    (0x2E80, 0x9FFF, "DroidSansFallback"),
    (0xA960, 0xA97F, "DroidSansFallback"),
    (0xAC00, 0xD7FF, "DroidSansFallback"),
    (0xF900, 0xFAFF, "DroidSansFallback"),
    (0xFB1D, 0xFB4F, "NotoSansHebrew"),
    (0xFB50, 0xFDFF, "NotoSansArabic"),
    (0xFE70, 0xFEFF, "NotoSansArabic"),
    (0xFF00, 0xFFEF, "DroidSansFallback"),
    (0x20000, 0x3FFFF, "DroidSansFallback"),
)
GENERAL = ("Symbola", "NotoSansSymbols2", "NotoSansSymbols", "DroidSansFallback")
_KEEP = frozenset({"Mn", "Me", "Cf"})  # combining marks, joiners (ZWJ), variation selectors: no font switch
# (font's PostScript name, code reportlab gave a shaped glyph with no character of its own) -> the characters
# it was shaped from (``evidence.report.shaping``)
PRIVATE: dict[tuple[str, int], str] = {}


def unicode_of(fontname: str, code: int) -> str:
    """The text a glyph code stands for in the ToUnicode map of ``fontname`` (``XXXXXX+PostScriptName``):
    the characters a ligature was shaped from, an Arabic presentation form's letter (NFKC: only the shaping
    engine draws them), else the code's own character."""
    private = PRIVATE.get((fontname.split("+", 1)[-1], code))
    if private is not None:
        return private
    if 0xFB50 <= code <= 0xFDFF or 0xFE70 <= code <= 0xFEFF:
        return unicodedata.normalize("NFKC", chr(code))
    return chr(code)


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """reportlab's ToUnicode CMap with code points above U+FFFF written as UTF-16 surrogate pairs, as the PDF
    format wants: reportlab 5.1 writes ``<1F60A>``, which readers take as U+1F0A (an emoji copied or
    extracted from the report came out as a Greek letter); shaped glyphs map to their characters
    (:func:`unicode_of`)."""

    def utf16(code: int) -> str:
        return unicode_of(fontname, code).encode("utf-16-be").hex().upper()

    return "\n".join(
        [
            "/CIDInit /ProcSet findresource begin",
            "12 dict begin",
            "begincmap",
            "/CIDSystemInfo",
            f"<< /Registry ({fontname})",
            f"/Ordering ({fontname})",
            "/Supplement 0",
            ">> def",
            f"/CMapName /{fontname} def",
            "/CMapType 2 def",
            "1 begincodespacerange",
            f"<00> <{len(subset) - 1:02X}>",
            "endcodespacerange",
            f"{len(subset)} beginbfchar",
            *(f"<{i:02X}> <{utf16(code)}>" for i, code in enumerate(subset)),
            "endbfchar",
            "endcmap",
            "CMapName currentdict /CMap defineresource pop",
            "end",
            "end",
        ]
    )


ttfonts.makeToUnicodeCMap = _to_unicode_cmap  # the one function reportlab calls for it, by module name


@cache
def _cmap(font: str) -> frozenset[int] | None:
    """The code points ``font`` draws, registering it with reportlab first; None when not installed."""
    if font not in pdfmetrics.getRegisteredFontNames():
        path = FILES.get(font)
        if path is None or not path.is_file():
            return None
        try:
            pdfmetrics.registerFont(TTFont(font, str(path)))
        except (TTFError, OSError):
            return None
    face = pdfmetrics.getFont(font).face
    return frozenset(face.charToGlyph)


def installed(font: str) -> bool:
    """Whether ``font`` (a name of ``FILES``, or a font already registered) can be drawn with."""
    return _cmap(font) is not None


@cache
def font_for(code: int, base: str) -> str:
    """The font that draws code point ``code`` in text set in ``base``: ``base`` when it has the glyph."""
    has = _cmap(base)
    if has is None or code in has:
        return base
    candidates = [name for first, last, name in BLOCKS if first <= code <= last]
    for name in (*candidates, *GENERAL):
        cmap = _cmap(name)
        if cmap is not None and code in cmap:
            return name
    return base


def runs(text: str, base: str) -> list[tuple[str, str]]:
    """``text`` cut into (font, run) pieces, each drawn in one font; one piece when ``base`` has every glyph."""
    found: list[tuple[str, str]] = []
    current, start = base, 0
    for i, ch in enumerate(text):
        if i and unicodedata.category(ch) in _KEEP:
            continue
        font = font_for(ord(ch), base)
        if font != current:
            if i > start:
                found.append((current, text[start:i]))
            current, start = font, i
    if len(text) > start:
        found.append((current, text[start:]))
    return found


def char_width(code: int, base: str, size: float) -> float:
    """The advance width in points of one code point as drawn (in its fallback font when ``base`` lacks it)."""
    face = pdfmetrics.getFont(font_for(code, base)).face
    return float(face.charWidths.get(code, face.defaultWidth)) * size / 1000.0
