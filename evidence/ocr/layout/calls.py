"""Step 7, call rows: a missed call's red ink and the direction of the arrow before a row's label or name."""

from __future__ import annotations

from PIL import Image

from evidence.ocr.layout.grid import _pixels
from evidence.ocr.layout.page import _Line
from evidence.ocr.layout.settings import Box, Color
from evidence.ocr.tesseract import Word


def _ink_colour(rgb: Image.Image, words: list[Word], background: Color) -> Color | None:
    """The colour of the pixels of ``words`` farthest from the background (their ink), or None."""
    best: Color | None = None
    best_distance = 0
    for word in words[:4]:
        crop = rgb.crop(word.bbox).resize((max(1, word.width // 2), max(1, word.height // 2)))
        pixels = _pixels(crop)
        for c in pixels:
            distance = max(abs(c[0] - background[0]), abs(c[1] - background[1]), abs(c[2] - background[2]))
            if distance > best_distance:
                best, best_distance = c, distance
    return best


def _is_red(c: Color | None) -> bool:
    return c is not None and c[0] >= 150 and c[0] - max(c[1], c[2]) >= 90


def _red_icon_before(rgb: Image.Image, word: Word) -> bool:
    """Whether the icon just left of ``word`` (within two of its heights) is drawn in red: a missed call's
    arrow when the name itself stays black (GNOME Calls)."""
    h = word.height
    window = (
        max(0, word.left - 2 * h),
        max(0, word.top - h // 3),
        max(0, word.left - 1),
        word.top + h + h // 3,
    )
    if window[2] - window[0] < 4:
        return False
    return sum(1 for c in _pixels(rgb.crop(window)) if _is_red(c)) >= 6


def _arrow(rgb: Image.Image, word: Word, background: Color) -> str | None:
    """The direction of a call arrow drawn just left of ``word``: "outgoing" (up-right) or "incoming"."""
    h = word.height
    x1 = word.left - max(1, h // 6)
    window = (max(0, x1 - h * 2), max(0, word.top - h // 3), max(0, x1), word.top + h + h // 3)
    return _arrow_in(rgb, window, background, window=True)


def _arrow_in(rgb: Image.Image, box: Box, background: Color, *, window: bool = False) -> str | None:
    """The direction of the arrow whose ink is in ``box``: "outgoing" when its head is up and right,
    "incoming" when down and left; None when the ink is not a square-ish shape (or, in a ``window``,
    touches its left side: an avatar's edge)."""
    if box[2] - box[0] < 4 or box[3] - box[1] < 4:
        return None
    crop = rgb.crop(box)
    pixels = _pixels(crop)
    ink: list[tuple[int, int]] = []
    for i, c in enumerate(pixels):
        if max(abs(c[0] - background[0]), abs(c[1] - background[1]), abs(c[2] - background[2])) >= 60:
            ink.append((i % crop.width, i // crop.width))
    if len(ink) < 8:
        return None
    ix0, ix1 = min(x for x, _ in ink), max(x for x, _ in ink)
    iy0, iy1 = min(y for _, y in ink), max(y for _, y in ink)
    iw, ih = ix1 - ix0 + 1, iy1 - iy0 + 1
    if (window and ix0 == 0) or not (iw * 10 >= ih * 5 and ih * 10 >= iw * 5):
        return None
    if window and ih * 3 < (box[3] - box[1]):
        return None
    mx2, my2 = ix0 + ix1, iy0 + iy1  # twice the centre, to stay in integers
    top_right = sum(1 for x, y in ink if 2 * x > mx2 and 2 * y < my2)
    bottom_left = sum(1 for x, y in ink if 2 * x < mx2 and 2 * y > my2)
    if top_right == bottom_left:
        return None
    return "outgoing" if top_right > bottom_left else "incoming"


def _around(word: Word, after: Word | None) -> Box:
    """The box of an icon read as ``word``, widened by a quarter of its height (tesseract's box of an arrow
    read as "/" may hold its shaft only) but not into the next word."""
    pad = max(1, word.height // 4)
    right = word.left + word.width + pad
    if after is not None:
        right = min(right, after.left - 1)
    return (max(0, word.left - pad), max(0, word.top - pad), right, word.top + word.height + pad)


def _arrow_before(rgb: Image.Image, word: Word, row_lines: list[_Line], background: Color) -> str | None:
    """The call arrow left of ``word``: a short token of the row read on a line of its own (an arrow
    taller than the small label beside it), else the ink just left of ``word``."""
    for line in row_lines:
        for icon in line.words:
            right = icon.left + icon.width
            overlap = min(right, word.left) - icon.left
            if (
                len(icon.text) <= 2
                and not (icon.text.isalnum() and icon.conf >= 60)
                and icon is not word
                and right <= word.left + word.height // 2
                and word.left - right <= word.height * 2
                and overlap > 0
                and icon.top < word.top + word.height
                and word.top < icon.top + icon.height
            ):
                found = _arrow_in(rgb, _around(icon, word), background)
                if found:
                    return found
    return _arrow(rgb, word, background)


def _arrow_token(words: list[Word]) -> bool:
    """Whether the line's first word is an arrow icon read as a character ("7", "\\", "x")."""
    if len(words) < 2:
        return False
    first = words[0].text
    if first.startswith(("(", "+")) or len(first) > 2:
        return False
    if len(first) == 2 and first.isalnum() and words[0].conf >= 60:
        return False  # a real two-letter word ("No Caller ID")
    return words[0].width * 2 >= words[0].height
