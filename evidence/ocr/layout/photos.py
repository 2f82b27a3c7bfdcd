"""Step 6c, photos in a chat: a picture sent in the conversation is a message of kind ``photo``.

A photo is no region of one colour: the flood fill of step 1 breaks it into many tiny regions. So its cells
are *busy* (their region holds at most ``BUSY_CELLS`` cells); a connected run of busy cells at least
``MIN_WIDTH_PERMILLE`` of the screen wide and ``MIN_HEIGHT_PERMILLE`` high, filling ``MIN_DENSITY`` of its
box and touching neither side of the screen (a wallpaper does), is a photo. Text on a plain background is no
photo: its letters' cells sit in lines with plain rows between them.

- A bubble starting right under a photo, on the same left edge, is its caption: that message becomes a
  ``photo`` with the caption as its text (and, in a group, the member named above the photo as its sender).
- A photo alone is a message when its side is clear: it shares the incoming bubbles' left edge and not the
  outgoing ones' right edge, or the other way round; in a chat without text bubbles (only notices around a
  GIF), it must show a time right under it and hang from one side: starting in the screen's left quarter and
  ending before its right quarter (incoming, an avatar beside it), or the mirror (outgoing). A photo whose side is not clear makes no message (the
  picture's own record keeps the screen), never a guessed side. Its shown time is a band that is only a time
  right under it; its day is the day of the message above it.
"""

from __future__ import annotations

from typing import Final

from evidence.ocr.layout.context import sender_above
from evidence.ocr.layout.grid import _Grid, _Region
from evidence.ocr.layout.model import Message
from evidence.ocr.layout.page import _Line
from evidence.ocr.layout.settings import Box
from evidence.ocr.layout.sides import EDGE_TOLERANCE, edges
from evidence.ocr.layout.times import _clean_time, _is_time
from evidence.ocr.layout.words import _strip_junk, _text

BUSY_CELLS: Final = 4
MIN_WIDTH_PERMILLE: Final = 250
MIN_HEIGHT_PERMILLE: Final = 83
MIN_DENSITY: Final = 60  # per cent
CAPTION_GAP_PERMILLE: Final = 20  # of the screen height, between a photo and its caption


def photo_boxes(grid: _Grid, regions: list[_Region], labels: list[int]) -> list[Box]:
    """The photos' boxes, in pixels, top to bottom (see the module docstring)."""
    size = {r.label: r.count for r in regions}
    w, h = grid.width, grid.height
    busy = [size.get(label, 0) <= BUSY_CELLS for label in labels]
    seen = [False] * (w * h)
    found: list[Box] = []
    for start in range(w * h):
        if not busy[start] or seen[start]:
            continue
        seen[start] = True
        stack, cells = [start], 0
        x0, y0, x1, y1 = w, h, 0, 0
        while stack:
            cell = stack.pop()
            cells += 1
            x, y = cell % w, cell // w
            x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x), max(y1, y)
            for ny in (y - 1, y, y + 1):
                for nx in (x - 1, x, x + 1):
                    if 0 <= nx < w and 0 <= ny < h and busy[ny * w + nx] and not seen[ny * w + nx]:
                        seen[ny * w + nx] = True
                        stack.append(ny * w + nx)
        bw, bh = x1 - x0 + 1, y1 - y0 + 1
        if bw * 1000 < MIN_WIDTH_PERMILLE * w or bh * 1000 < MIN_HEIGHT_PERMILLE * h:
            continue
        if x0 == 0 or x1 == w - 1 or cells * 100 < MIN_DENSITY * bw * bh:
            continue
        found.append(
            (
                x0 * grid.factor_x // 1000,
                y0 * grid.factor_y // 1000,
                (x1 + 1) * grid.factor_x // 1000,
                (y1 + 1) * grid.factor_y // 1000,
            )
        )
    return sorted(found, key=lambda b: b[1])


def _time_under(bands: list[_Line], box: Box) -> str | None:
    """A band that is only a time, right under a photo (starting within its width)."""
    for line in bands:
        words = _strip_junk(line.words)
        for take in (2, 1):  # the time, after an avatar read as junk beside it
            if len(words) < take or len(words) - take > 2:
                continue
            tail = words[-take:]
            top, tall = min(w.top for w in tail), max(w.height for w in tail)
            if (
                0 <= top - box[3] <= tall * 2
                and box[0] - tall <= tail[0].left <= box[2]
                and _is_time(_text(tail))
            ):
                return _clean_time(_text(tail))
    return None


def with_photos(
    messages: list[Message], photos: list[Box], bands: list[_Line], width: int, height: int
) -> list[Message]:
    """The chat's messages with its photos: a caption's bubble made a photo, a photo alone added when its side
    is clear; top to bottom."""
    if not photos:
        return messages
    result = list(messages)
    tolerance = max(2, EDGE_TOLERANCE * width // 1000)
    texts = [m for m in messages if m.media is None]
    left, right = edges([m.bbox for m in texts], width) if len(texts) >= 2 else (None, None)
    for photo in photos:
        caption = next(
            (
                k
                for k, m in enumerate(result)
                if abs(m.bbox[1] - photo[3]) <= CAPTION_GAP_PERMILLE * height // 1000
                and abs(m.bbox[0] - photo[0]) <= tolerance
            ),
            None,
        )
        if caption is not None:
            m = result[caption]
            named = sender_above(bands, set(), photo, width) if m.direction == "incoming" else None
            result[caption] = Message(
                direction=m.direction,
                text=m.text,
                shown_time=m.shown_time,
                bbox=(min(m.bbox[0], photo[0]), photo[1], max(m.bbox[2], photo[2]), m.bbox[3]),
                sender=named or m.sender,  # a group member's name stands above the photo, not the caption
                confidence=m.confidence,
                direction_basis=m.direction_basis,
                media="photo",
                day=m.day,
            )
            continue
        if any(m.bbox[1] < photo[3] and photo[1] < m.bbox[3] for m in result):
            continue  # it overlaps a bubble (a picture inside a bubble is the bubble's)
        if left is not None and right is not None:
            on_left, on_right = abs(photo[0] - left) <= tolerance, abs(photo[2] - right) <= tolerance
        elif not texts:  # no text bubble to compare with: the side the photo hangs from, and a time under it
            if _time_under(bands, photo) is None:
                continue  # a picture without a shown time (an avatar, a banner) is no sent photo
            on_left = photo[0] * 4 < width and photo[2] * 4 < width * 3
            on_right = photo[2] * 4 > width * 3 and photo[0] * 4 > width
        else:
            continue  # its side cannot be told
        if on_left == on_right:
            continue
        above = [m for m in result if m.bbox[3] <= photo[1]]
        result.append(
            Message(
                direction="incoming" if on_left else "outgoing",
                text="",
                shown_time=_time_under(bands, photo),
                bbox=photo,
                confidence=0,
                direction_basis="edge",
                media="photo",
                day=above[-1].day if above else None,
            )
        )
    return sorted(result, key=lambda m: m.bbox[1])
