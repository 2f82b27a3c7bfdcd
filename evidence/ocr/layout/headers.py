"""Headers and names: a chat's or a list's header line, and a call row's or contact's name or number put
right (libphonenumber's spacing, "lan" as "Ian", a lower-case one-word name capitalised)."""

from __future__ import annotations

import re
from typing import Final

import phonenumbers
from PIL import Image

from evidence.ocr.layout.flatten import _prepare_region
from evidence.ocr.layout.page import _Line, _ocr_page
from evidence.ocr.layout.settings import _STATUS_BAR_PERMILLE
from evidence.ocr.layout.times import _is_time
from evidence.ocr.layout.words import _box_of, _confident, _text
from evidence.ocr.tesseract import TesseractProbe, Word


def _capital_i(name: str) -> str:
    """A name (a call row's, an email's sender) whose first word is "l" + lower case before capitalised
    words ("lan Cole") starts with "I": tesseract reads a sans-serif capital I as "l"."""
    words = name.split(" ")
    if len(words) > 1 and re.fullmatch(r"l[a-z]+", words[0]) and all(w[:1].isupper() for w in words[1:]):
        return "I" + name[1:]
    return name


def _header_pieces(bands: list[_Line], line: _Line, kept: list[Word]) -> str:
    """A chat header's text: ``kept`` (the first header line's words) with the other pieces of the same
    line (a band cut where a number's spaces are wide: "+33 6 12 34" and "56 78") at most three line
    heights apart, left to right."""
    top, bottom = line.box[1], line.box[3]
    height = bottom - top
    pieces = [kept]
    for other in bands:
        if other is line or not (top <= (other.box[1] + other.box[3]) // 2 <= bottom):
            continue
        words = _confident(other.words)
        if words and not _is_time(_text(words)):
            pieces.append(words)
    pieces.sort(key=lambda ws: ws[0].left)
    start = next(k for k, ws in enumerate(pieces) if ws is kept)
    first, last = start, start
    while first > 0 and _box_of(pieces[first])[0] - _box_of(pieces[first - 1])[2] <= height * 3:
        first -= 1
    while last + 1 < len(pieces) and _box_of(pieces[last + 1])[0] - _box_of(pieces[last])[2] <= height * 3:
        last += 1
    return " ".join(_text(ws) for ws in pieces[first : last + 1])


def _contact(text: str) -> str:
    """A chat header's contact name or number, put right as a call row's name is (see ``_call_name``)."""
    return _call_name(text)


def _call_name(text: str) -> str:
    """A call row's name or number with tesseract's confusions of small print put right:

    - an international number ("+33 612 34 56 78") that is valid with the same digits is spaced as phones
      show it (libphonenumber's international format: "+33 6 12 34 56 78"; tesseract drops the space after
      a one-digit group); only spaces change, never a digit;
    - a first word "l" + lower case before capitalised words ("lan Cole") starts with "I";
    - a name of one word in lower case ("sam", "jamie": read without a capital height to compare with) gets
      its capital back.
    """
    if text.startswith("+") and re.fullmatch(r"\+[\d ]+", text):
        try:
            number = phonenumbers.parse(text, None)
        except phonenumbers.NumberParseException:
            return text
        spaced = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
        if phonenumbers.is_valid_number(number) and spaced.replace(" ", "") == text.replace(" ", ""):
            return spaced
        return text
    text = _capital_i(text)
    if " " not in text and re.fullmatch(r"[a-z]{2,}", text):
        return text[0].upper() + text[1:]
    return text


def _list_header(lines: list[_Line], height: int, before: int) -> str | None:
    """The first line under the status bar and above line ``before``, without icon junk."""
    for line in lines[:before]:
        centre = (line.box[1] + line.box[3]) // 2
        if centre * 1000 < _STATUS_BAR_PERMILLE * height:
            continue
        kept = _confident(line.words)
        if kept:
            return _text(kept)
    return None


_GLUED: Final = re.compile(r"[a-z][A-Z]")


def _respaced_header(
    rgb: Image.Image,
    lines: list[_Line],
    header: str,
    probe: TesseractProbe | None,
    name: str,
    timeout_s: int,
) -> str:
    """A chat header whose words tesseract glued together ("LeonGreen": an avatar photo close before the name
    misleads its spacing on the page) read again from the header words' own crop, alone. The new reading is
    taken only when it holds the same letters and digits in the same order: only spaces may change."""
    if not _GLUED.search(header):
        return header
    target = "".join(ch for ch in header if ch.isalnum())
    for line in lines:
        if line.slot.kind != "band":
            continue
        words = [w for w in line.words if _GLUED.search(w.text) and w.text.strip(".") in header]
        if not words:
            continue
        word = words[0]
        pad = max(2, word.height // 2)
        box = (
            max(0, word.left - pad),
            max(0, word.top - pad),
            min(rgb.width, word.left + word.width + pad),
            min(rgb.height, word.top + word.height + pad),
        )
        background = rgb.getpixel((box[0], box[1]))
        assert isinstance(background, tuple)
        flat, scale = _prepare_region(rgb, box, (background[0], background[1], background[2]), None)
        _, slots = _ocr_page([("band", 0, box, flat, scale)], probe, name, timeout_s)
        read = " ".join(w.text for _, ws in slots for w in ws)
        spaced = header.replace(word.text, read, 1) if read else header
        if "".join(ch for ch in spaced if ch.isalnum()) == target:
            return " ".join(spaced.split())
        return header
    return header
