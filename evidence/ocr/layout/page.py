"""Step 5, one tesseract run: the prepared regions stacked on one page and read once, each word put back
in its region (original pixels, ``|`` read as ``I`` corrected), and words grouped into text lines."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Final

from PIL import Image

from evidence.ocr.layout.settings import GAP_PX, MARGIN_PX, OCR_SETTINGS, Box
from evidence.ocr.layout.words import _box_of, _text
from evidence.ocr.tesseract import DEFAULT_TIMEOUT_S, TesseractProbe, Word, recognise


@dataclass(frozen=True)
class _Slot:
    """One region pasted on the OCR page: where it came from and how it was scaled."""

    kind: str  # "bubble" | "band"
    box: Box  # the crop in original pixels
    scale: int  # per mille
    top: int  # y on the page
    height: int  # on the page
    index: int  # bubble index or band index


def _ocr_page(
    regions: list[tuple[str, int, Box, Image.Image, int]],
    probe: TesseractProbe | None,
    name: str,
    timeout_s: int = DEFAULT_TIMEOUT_S,
) -> tuple[str, list[tuple[_Slot, list[Word]]]]:
    """Stack the prepared regions on one white page, OCR it once, return each slot's words (original px)."""
    if not regions:
        return ((probe or TesseractProbe()).version(), [])
    width = max(flat.width for _, _, _, flat, _ in regions) + 2 * MARGIN_PX
    height = sum(flat.height + GAP_PX for _, _, _, flat, _ in regions) + GAP_PX
    page = Image.new("L", (width, height), 255)
    slots: list[_Slot] = []
    top = GAP_PX
    for kind, index, box, flat, scale in regions:
        page.paste(flat, (MARGIN_PX, top))
        slots.append(_Slot(kind, box, scale, top, flat.height, index))
        top += flat.height + GAP_PX
    encoded = io.BytesIO()  # in memory: tesseract reads it on stdin (nothing decrypted is written to disk)
    page.save(encoded, "PNG", compress_level=1)
    result = recognise(encoded.getvalue(), OCR_SETTINGS, probe=probe, name=name, timeout_s=timeout_s)
    found: list[list[Word]] = [[] for _ in slots]
    for word in result.words:
        centre = word.top + word.height // 2
        number = next(
            (
                k
                for k, slot in enumerate(slots)
                if slot.top - GAP_PX // 2 <= centre < slot.top + slot.height + GAP_PX // 2
            ),
            -1,
        )
        if number < 0:
            continue
        s = slots[number]
        x0 = s.box[0] + (word.left - MARGIN_PX) * 1000 // s.scale
        y0 = s.box[1] + (word.top - s.top) * 1000 // s.scale
        found[number].append(
            Word(
                text=_fix_word(word.text),
                left=max(0, x0),
                top=max(0, y0),
                width=max(1, word.width * 1000 // s.scale),
                height=max(1, word.height * 1000 // s.scale),
                conf=word.conf,
                block=number,
                par=word.block * 1000 + word.par,
                line=word.line,
            )
        )
    return (result.engine_version, list(zip(slots, found, strict=True)))


_I_FORMS: Final = re.compile(r"^\|('m|'ll|'d|'ve|'s)?([.,!?]?)$")
_I_START: Final = re.compile(r"^\|(?=[a-z]{2,})")


def _fix_word(text: str) -> str:
    """The documented corrections of tesseract's confusions (whole tokens only)."""
    match = _I_FORMS.match(text)
    if match:
        return "I" + (match.group(1) or "") + match.group(2)
    if text == "lam":  # "I am" with its space lost and the sans-serif I read as l ("lam fine")
        return "I am"
    return _I_START.sub("I", text)


def _lines(words: list[Word]) -> list[list[Word]]:
    """Words grouped into text lines by vertical overlap, top to bottom, each left to right."""
    lines: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (w.top + w.height // 2, w.left)):
        centre = word.top + word.height // 2
        for line in lines:
            # against the line's whole span, not its first word: a small time read first ("15:32") must not
            # push a taller word of the same line ("Efficiency") onto a line of its own
            top = min(w.top for w in line)
            bottom = max(w.top + w.height for w in line)
            tallest = max(w.height for w in line)
            if top <= centre <= bottom and word.height * 4 <= tallest * 9:
                line.append(word)
                break
        else:
            lines.append([word])
    for line in lines:
        line.sort(key=lambda w: w.left)
    lines.sort(key=lambda ln: min(w.top for w in ln))
    return lines


@dataclass
class _Line:
    words: list[Word]
    slot: _Slot

    @property
    def text(self) -> str:
        return _text(self.words)

    @property
    def box(self) -> Box:
        return _box_of(self.words)


def _slot_lines(slots: list[tuple[_Slot, list[Word]]]) -> list[_Line]:
    found = [_Line(line, slot) for slot, words in slots for line in _lines(words)]
    found.sort(key=lambda ln: (ln.box[1], ln.box[0]))
    return found
