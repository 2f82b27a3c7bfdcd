"""Step 6b, the on-screen keyboard: its keys and everything below them are no message, nor is the compose
field just above it.

A screenshot taken while typing shows the keyboard. Its keys are shapes like small bubbles, side by side in
rows; read as text they are a run of single letters ("q w e r t y u i o p"), and its wide keys read as
"return", "space" or the compose field's placeholder ("Message"). Found in two ways, whichever comes first:

- *Shapes*: at least ``KEY_SHAPES`` shapes dropped as side by side (``furniture``) in the lower half of the
  screen, on at least two rows: the keyboard's top is the highest of them.
- *Text*: a line in the lower half, or a bubble's text anywhere (a framed store picture puts the phone's
  keyboard higher), whose tokens are mostly single characters, at least ``KEY_TOKENS`` of them: a row of
  keys read as letters; or three lines stacked anywhere, each of five tokens or more, most of them one
  or two characters (keys read poorly), across most of the screen's width. Lines inside a picture are not
  read for this (a photo's texture reads as short tokens too).

Then every message whose box starts at or below the keyboard's top is dropped, and so is the lowest message
above it when its whole text is a compose field's placeholder or a key's label (whatever its height on the
screen: the keyboard lifts the compose field to the middle).
"""

from __future__ import annotations

import re
from typing import Final

from evidence.ocr.layout.furniture import _PLACEHOLDER
from evidence.ocr.layout.model import Message
from evidence.ocr.layout.settings import Box

KEY_SHAPES: Final = 8
KEY_TOKENS: Final = 6
_KEY_LABELS: Final = re.compile(
    r"^(?:return|space|enter|send|go|search|done|next|123|abc|\?123)$", re.IGNORECASE
)


def keys_top(boxes: list[Box], height: int) -> int | None:
    """The top of a keyboard from the shapes dropped as side by side, or None."""
    low = [b for b in boxes if b[1] * 2 >= height]
    rows = {b[1] * 40 // height for b in low}
    if len(low) < KEY_SHAPES or len(rows) < 2:
        return None
    return min(b[1] for b in low)


def _key_run(text: str) -> bool:
    tokens = text.split()
    singles = sum(1 for t in tokens if len(t) == 1)
    return singles >= KEY_TOKENS and singles * 10 >= len(tokens) * 6


def _key_row(text: str, box: Box, span: int) -> bool:
    """A row of keys read outside any bubble: at least five tokens, at least 70 % of them one or two
    characters long ("a) \" - . a r.": small keys read poorly), across 60 % of the screen's width."""
    tokens = text.split()
    return (
        len(tokens) >= 5
        and sum(1 for t in tokens if len(t) <= 2) * 10 >= len(tokens) * 7
        and (box[2] - box[0]) * 10 >= span * 6
    )


def text_top(lines: list[tuple[str, Box]], height: int, span: int) -> int | None:
    """The top of a keyboard from text lines (none inside a picture), or None: a row of keys read as single
    letters in the lower half, or three rows of keys stacked (each within three of their heights of the next)
    anywhere (a store picture's framed phone puts the keyboard higher). ``span``: the screen's width (the
    app's frame in a store picture)."""
    tops = [box[1] for text, box in lines if box[1] * 2 >= height and _key_run(text)]
    rows = sorted((box for text, box in lines if _key_row(text, box, span)), key=lambda box: box[1])
    for a, b, c in zip(rows, rows[1:], rows[2:], strict=False):
        if all(0 < y[1] - x[3] <= 3 * max(1, x[3] - x[1], y[3] - y[1]) for x, y in ((a, b), (b, c))):
            tops.append(a[1])
            break
    return min(tops) if tops else None


def _composing(text: str) -> bool:
    """Whether a shape's text is a compose field's placeholder or a key's label once icon marks and a
    leading one-character token are left out ("a [Message": a "+" button and the field)."""
    words = ["".join(ch for ch in w if ch.isalnum() or ch in ".\u2026") for w in text.split()]
    words = [w for w in words if w]
    while len(words) > 1 and len(words[0]) == 1:
        words = words[1:]
    cleaned = " ".join(words)
    return bool(cleaned) and (
        _PLACEHOLDER.fullmatch(cleaned) is not None or _KEY_LABELS.fullmatch(cleaned) is not None
    )


def under_keyboard(shapes: list[tuple[Box, str]], top: int | None) -> set[int]:
    """The shapes (box and text read, in order) that are no message because of the keyboard at ``top``:
    those starting at or below it, and the lowest one above it when its text is a compose field's
    placeholder. Dropped before the sides are read: a compose field must not vote on them."""
    if top is None:
        return set()
    skip = {i for i, (box, _) in enumerate(shapes) if box[1] >= top}
    above = [i for i in range(len(shapes)) if i not in skip]
    if above:
        lowest = max(above, key=lambda i: shapes[i][0][3])
        if _composing(shapes[lowest][1]):
            skip.add(lowest)
    return skip


def without_keyboard(messages: list[Message], top: int | None) -> tuple[list[Message], bool]:
    """The messages above the keyboard (``top``; also found from the messages' own text), without the compose
    field just above it; and whether there was a keyboard."""
    for m in messages:
        if _key_run(m.text):  # a "bubble" of keys read as letters (the keyboard's own background)
            top = m.bbox[1] if top is None else min(top, m.bbox[1])
    if top is None:
        return messages, False
    kept = [m for m in messages if m.bbox[1] < top]
    while kept and _composing(kept[-1].text):
        kept = kept[:-1]
    return kept, True
