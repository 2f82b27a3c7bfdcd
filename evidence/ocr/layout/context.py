"""Step 6b, what stands around the bubbles of a chat: date separators and group senders.

- *Separators.* A band centred on the screen (its middle within ``CENTRE_PERMILLE`` of the screen's), level
  with no bubble, that is only a day or a time ("Today", "Yesterday", "Mon", "20 Mar", "07:21 PM", or a date in full: "Sat, 13 Apr,
  10:09 AM", "Monday, 20 March 2023", "Today at 10:09") dates the bubbles below it, up to
  the next separator. Its text is kept as shown (``Message.day``); the importer resolves it.
- *Group senders.* In a group chat the other members' names stand just above their bubbles: a band of one to
  three words, not a time, whose left edge is within ``SENDER_ALIGN_PERMILLE`` of the bubble's and whose
  bottom is at most two of its own heights above the bubble's top. An incoming bubble with no name above it
  continues the run of the incoming bubble just above it (no outgoing bubble between), as apps draw the name
  once per run. A name printed inside the bubble, on its first line in smaller print, is its sender too
  (``sender_inside``).
"""

from __future__ import annotations

from typing import Final

from evidence.ocr.layout.page import _Line
from evidence.ocr.layout.settings import Box
from evidence.ocr.layout.times import _clean_time, _is_time, is_separator
from evidence.ocr.layout.words import _confident, _strip_junk, _text

CENTRE_PERMILLE: Final = 60
SENDER_ALIGN_PERMILLE: Final = 30
NAME_HEIGHT_PERCENT: Final = 80


def separators(bands: list[_Line], width: int, below: int, bubbles: list[Box]) -> list[tuple[int, int, str]]:
    """The date separators under ``below`` (the header's bottom): (index in ``bands``, top, text). A time
    level with a bubble is that bubble's (Instagram prints it beside the bubble, near the middle), never a
    separator: a separator stands between bubbles."""
    found: list[tuple[int, int, str]] = []
    for number, line in enumerate(bands):
        x0, y0, x1, y1 = line.box
        if y0 < below or abs((x0 + x1) - width) * 1000 > CENTRE_PERMILLE * 2 * width:
            continue
        if any(box[1] < y1 and y0 < box[3] for box in bubbles):
            continue
        text = _text(_strip_junk(line.words))
        if text and is_separator(text):
            found.append((number, y0, _clean_time(text) if _is_time(text) else text))
    return found


def day_above(found: list[tuple[int, int, str]], box: Box) -> str | None:
    """The last separator above a bubble's top."""
    day: str | None = None
    for _, top, text in found:
        if top < box[1]:
            day = text
    return day


def sender_above(bands: list[_Line], used: set[int], box: Box, width: int) -> str | None:
    """The name band just above an incoming bubble, left-aligned with it (its index is added to ``used``)."""
    best: tuple[int, str, int] | None = None
    for number, line in enumerate(bands):
        if number in used:
            continue
        x0, y0, _, y1 = line.box
        tall = max(1, y1 - y0)
        if not (0 <= box[1] - y1 <= tall * 2) or abs(x0 - box[0]) * 1000 > SENDER_ALIGN_PERMILLE * width:
            continue
        words = _confident(_strip_junk(line.words))
        text = _text(words)
        if not words or len(words) > 3 or _is_time(text) or not any(ch.isalpha() for ch in text):
            continue
        if best is None or y1 > best[0]:
            best = (y1, text, number)
    if best is None:
        return None
    used.add(best[2])
    return best[1]


def sender_inside(own: list[_Line]) -> tuple[str | None, list[_Line]]:
    """The sender's name printed inside an incoming bubble, on its first line in smaller print (WhatsApp
    groups, Anonymous Messenger), and the bubble's other lines; ``(None, own)`` when there is none. The name
    line is one to three words (after an avatar read as a token or two) whose height is at most
    ``NAME_HEIGHT_PERCENT`` of the text's below it."""
    if len(own) < 2:
        return None, own
    words = _strip_junk(own[0].words)
    while len(words) > 1 and len(words[0].text) <= 3 and words[0].conf < 80:
        words = _strip_junk(words[1:])  # the avatar beside the name
    below = sorted(w.height for line in own[1:] for w in line.words if any(c.isalpha() for c in w.text))
    if not words or len(words) > 3 or not below:
        return None, own
    name_height = sorted(w.height for w in words)[len(words) // 2]
    if name_height * 100 > below[len(below) // 2] * NAME_HEIGHT_PERCENT or _is_time(_text(words)):
        return None, own
    return _text(words), own[1:]
