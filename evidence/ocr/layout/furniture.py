"""Step 2a, furniture: shapes that look like chat bubbles but are no message, dropped before reading.

- *Chips, buttons and tabs*: two or more bubble-like shapes of one height side by side on one row (a chat's
  bubbles are stacked, never beside each other): filter chips ("All", "Groups", "Unread"), tab bars, button rows;
  also two wide shapes of different heights level with each other (an in-call screen's buttons, split by their
  icons).
- *Notices and date chips*: a shape centred on the screen (its left and right margins within
  ``CENTRED_PERMILLE`` of the width of each other, sharing neither edge with another shape): "Messages and calls are end-to-end encrypted", "Today",
  "Security code changed". Bubbles hug one side; a bubble as wide as the screen still leaves the avatar's
  or the tail's margin on one side only.
- *The compose box*: the lowest shape, reaching below ``COMPOSE_BOTTOM_PERMILLE`` of the screen's height,
  starting at its left edge (within ``COMPOSE_LEFT_PERMILLE``: closer than an incoming bubble's tail) and at least ``COMPOSE_WIDTH_PERMILLE`` wide: the
  field where an unsent draft is typed (a draft is no message: it was never sent). A narrower compose field
  (buttons beside it) is known after reading, by its placeholder (``_placeholder``).

``_not_messages`` returns the bubbles kept and whether a chat's own furniture was found (a notice at least half
the screen wide and at most ``NOTICE_HEIGHT_PERMILLE`` high, or the compose box): then a screen without messages is still a chat screen, not a list.
"""

from __future__ import annotations

import re
from typing import Final, TypeVar

from evidence.ocr.layout.settings import Box

CENTRED_PERMILLE: Final = 15
NOTICE_HEIGHT_PERMILLE: Final = 120
COMPOSE_BOTTOM_PERMILLE: Final = 900
COMPOSE_LEFT_PERMILLE: Final = 12
COMPOSE_WIDTH_PERMILLE: Final = 700
COMPOSE_TEXT_PERMILLE: Final = 850
BUTTON_WIDTH_PERMILLE: Final = 150

_T = TypeVar("_T")
_U = TypeVar("_U")


def _beside(a: Box, b: Box) -> bool:
    """Whether two boxes of one height (within a sixth) stand side by side on one row, sharing no width (an
    avatar beside a bubble is another height)."""
    ha, hb = a[3] - a[1], b[3] - b[1]
    shared = min(a[3], b[3]) - max(a[1], b[1])
    # touching or a few pixels over each other (one row's background split in two by a gradient)
    slack = max(2, min(a[2] - a[0], b[2] - b[0]) // 50)
    apart = a[2] <= b[0] + slack or b[2] <= a[0] + slack
    return abs(ha - hb) * 6 <= max(ha, hb) and shared * 2 > min(ha, hb) and apart


def _buttons(a: Box, b: Box, width: int) -> bool:
    """Whether two wide shapes (each at least ``BUTTON_WIDTH_PERMILLE`` of the screen: no avatar) stand
    side by side, most of the lower one level with the other, whatever their heights (a button's icon can
    split its shape): a row of buttons ("Mute", "Speaker", "Add call"), never two messages."""
    if min(a[2] - a[0], b[2] - b[0]) * 1000 < BUTTON_WIDTH_PERMILLE * width:
        return False
    shared = min(a[3], b[3]) - max(a[1], b[1])
    return (a[2] <= b[0] or b[2] <= a[0]) and shared * 2 > min(a[3] - a[1], b[3] - b[1])


def _centred(box: Box, width: int) -> bool:
    left, right = box[0], width - box[2]
    return left > 0 and right > 0 and abs(left - right) * 1000 <= CENTRED_PERMILLE * width


def _compose(box: Box, width: int, height: int) -> bool:
    return (
        box[3] * 1000 >= COMPOSE_BOTTOM_PERMILLE * height
        and box[0] * 1000 <= COMPOSE_LEFT_PERMILLE * width
        and (box[2] - box[0]) * 1000 >= COMPOSE_WIDTH_PERMILLE * width
    )


def _not_messages(
    bubbles: list[tuple[_T, Box, _U]], width: int, height: int
) -> tuple[list[tuple[_T, Box, _U]], bool]:
    """The bubbles that may be messages, and whether a chat's own furniture (a wide notice, the compose box)
    was found."""
    boxes = [box for _, box, _ in bubbles]
    drop: set[int] = set()
    tolerance = CENTRED_PERMILLE * width // 1000
    centred = [_centred(box, width) for box in boxes]
    for i, a in enumerate(boxes):
        if any(_beside(a, b) or _buttons(a, b, width) for j, b in enumerate(boxes) if j != i):
            drop.add(i)
    sides = [
        box
        for i, box in enumerate(boxes)
        if not centred[i] and i not in drop and (box[2] - box[0]) * 10 >= width
    ]
    for i, a in enumerate(boxes):
        if centred[i] and not any(
            abs(a[0] - o[0]) <= tolerance or abs(a[2] - o[2]) <= tolerance for o in sides
        ):  # a side's bubbles share their edge: one of them is centred by chance only
            drop.add(i)
    chat = any(
        centred[i]
        and (boxes[i][2] - boxes[i][0]) * 2 >= width
        and (boxes[i][3] - boxes[i][1]) * 1000 <= NOTICE_HEIGHT_PERMILLE * height
        for i in drop
    )  # a notice is a line or three, not a dialog
    if boxes and _compose(boxes[-1], width, height):
        drop.add(len(boxes) - 1)
        chat = True
    return [b for i, b in enumerate(bubbles) if i not in drop], chat


_PLACEHOLDER: Final = re.compile(
    r"(?:(?:send|type|write|enter)\s+(?:an?\s+)?)?(?:(?:secure|encrypted|signal|text)\s+)?"
    r"(?:message|imessage|sms|reply)(?:\s*(?:\.\.\.|\u2026))?",
    re.IGNORECASE,
)


def _placeholder(text: str, box: Box, height: int) -> bool:
    """Whether the lowest "bubble" is the compose field showing its placeholder ("Type a message...", "Send
    secure message...", "iMessage"): in the bottom ``COMPOSE_TEXT_PERMILLE`` of the screen, its whole text one
    of those placeholders (a message that only ends in "..." is a message)."""
    return (
        box[3] * 1000 >= COMPOSE_TEXT_PERMILLE * height and _PLACEHOLDER.fullmatch(text.strip()) is not None
    )


_ADDRESS: Final = re.compile(
    r"^(?:https?://)?(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?:/\S*)?$", re.IGNORECASE
)


def _web_address(texts: list[str]) -> bool:
    """Whether a line holds a web address with a path or "www." ("facebook.com/groups/..."): a browser's
    address bar, so a web page, whose centred boxes are no chat's notices."""
    return any(
        _ADDRESS.match(token) and ("/" in token or token.lower().startswith(("www.", "http")))
        for text in texts
        for token in text.split()
    )
