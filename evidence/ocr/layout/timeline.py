"""Step 7, a chat drawn without bubbles: a list whose rows repeat a name is one conversation's timeline.

Some apps (Element's timeline, Slack- and Discord-like layouts) draw no bubble: each message is an avatar, the
sender's name with the time at the right, and the text under it. Read as a list, such rows look like a
conversation list's (a name, a time, a line of preview), but a conversation list names each conversation once,
while a timeline names the same sender again and again. So: when at least two of the rows' names are each
shown on two rows or more, and the rows holding such a repeated name are at least half of all rows, the
screen is a ``chat``: one incoming message per row, its sender the name on the row, its shown time the
row's time, its text the row's lines under the name (all that tesseract read, joined with spaces).

Known limits: the screen does not say which sender is the phone's owner (every message is drawn on the
same side with its sender's name), so every message is read as received from the sender it names
(``direction_basis`` ``named``); a message under the same sender's previous one without a name and time of
its own is part of that row's text when it follows close under it, else lost; rows cut short with an
ellipsis are a list's previews (an inbox with repeated senders), never a timeline; a photo in such a row, read only as junk, makes no message; a row whose
time tesseract misread anchors no row, and its lines join the row above.
"""

from __future__ import annotations

from collections import Counter
from typing import Final

from evidence.ocr.layout.model import Message
from evidence.ocr.layout.page import _Line
from evidence.ocr.layout.settings import SPECK_CONF
from evidence.ocr.layout.words import _confidence, _has_alnum, _strip_junk, _text
from evidence.ocr.tesseract import Word

# a name counts as repeated when it is on this many rows or more
_REPEATS: Final = 2


def _name(rest: list[Word]) -> str:
    """The sender's name on a row's anchor line: its words before the time, without the avatar's junk (one
    or two characters read with little confidence before the name)."""
    words = _strip_junk(rest)
    while len(words) > 1 and len(words[0].text) <= 2 and words[0].conf < 80:
        words = words[1:]
    return _text(words)


def _row_name(row_lines: list[_Line], rest: list[Word], anchor: int) -> tuple[str, int]:
    """A row's sender name and the index of its last line that is not text: the words before the time on
    the anchor line, else (the time read as a region of its own) a line level with the time above it in the
    row (an avatar's junk may come first)."""
    if _strip_junk(rest):
        return _name(rest), anchor
    if anchor >= len(row_lines):
        return "", anchor  # the row was cut before its time's line (a wide gap): no name beside it
    time_box = row_lines[anchor].box
    for above in reversed(row_lines[:anchor]):
        if above.box[1] < time_box[3] and time_box[1] < above.box[3] and _name(above.words):
            return _name(above.words), anchor
    return "", anchor


def _worded(line: _Line) -> bool:
    """A line holding a word read with some confidence (not a reaction chip's or an avatar's junk)."""
    return any(w.conf >= 50 and sum(ch.isalnum() for ch in w.text) >= 2 for w in line.words)


def _body(lines: list[_Line]) -> list[_Line]:
    """A message's lines under its name: one text column, each line close under the one before (a read
    receipt's avatars at the right, the compose field further down, are not its text), and without a
    trailing speck of one or two characters read with little confidence (an emoji)."""
    if not lines:
        return []
    kept = [lines[0]]
    for line in lines[1:]:
        last = kept[-1].box
        tall = max(1, last[3] - last[1])
        if line.box[1] - last[3] > tall or abs(line.box[0] - kept[0].box[0]) > 3 * tall:
            break
        kept.append(line)
    *head, tail = kept
    words = list(tail.words)
    while len(words) > 1 and len(words[-1].text) <= 2 and words[-1].conf < SPECK_CONF:
        words.pop()
    return [*head, _Line(words, tail.slot)]


def mail_from_repeats(rows: list[tuple[list[_Line], str, list[Word], int]]) -> bool:
    """Whether rows that nothing else calls mail are an inbox all the same: one name on half of the rows or
    more (at least three), and most rows holding two lines of words under the name (a subject and a
    snippet). A conversation list names each conversation once; a timeline repeats several names and is
    read first (``timeline``)."""
    named = [_row_name(row_lines, rest, anchor) for row_lines, _, rest, anchor in rows]
    counted = Counter(n.casefold() for n, _ in named if sum(ch.isalpha() for ch in n) >= 2)
    if not counted:
        return False
    top = counted.most_common(1)[0][1]
    if top < 3 or top * 2 < len(rows):
        return False
    deep = sum(
        1
        for (row_lines, _, _, _), (_, last) in zip(rows, named, strict=True)
        if sum(1 for ln in row_lines[last + 1 :] if _worded(ln)) >= 2
    )
    return deep * 2 > len(rows)


def _cut(line: _Line) -> bool:
    """A line cut short with an ellipsis to fit the row ("Validation of the monthly...")."""
    return line.text.rstrip(" _").endswith(("...", "..", "\u2026"))


def cut_twice(rows: list[tuple[list[_Line], str, list[Word], int]]) -> bool:
    """Whether most rows hold two lines under the name that are each cut short with an ellipsis: a subject
    and a snippet, each cut to fit (an inbox). A conversation list's preview is one line (or one wrapped
    on two, cut only at its end), and a timeline's messages are shown whole."""
    cut = 0
    for row_lines, _, rest, anchor in rows:
        _, last = _row_name(row_lines, rest, anchor)
        under = [ln for ln in row_lines[last + 1 :] if _worded(ln)]
        cut += len(under) >= 2 and _cut(under[0]) and _cut(under[1])
    return cut >= 2 and cut * 2 > len(rows)


def timeline(rows: list[tuple[list[_Line], str, list[Word], int]], width: int) -> list[Message] | None:
    """The messages of a timeline drawn without bubbles, or None when the rows' names do not repeat (see the
    module's docstring)."""
    named = [_row_name(row_lines, rest, anchor) for row_lines, _, rest, anchor in rows]
    names = [n for n, _ in named]
    counted = Counter(n.casefold() for n in names if sum(ch.isalpha() for ch in n) >= 2)
    repeated = {n for n, k in counted.items() if k >= _REPEATS}
    if len(repeated) < 2:
        return None
    if sum(1 for n in names if n.casefold() in repeated) * 2 < len(rows):
        return None
    if sum(1 for row_lines, _, _, _ in rows if _cut(row_lines[-1])) * 2 >= len(rows):
        return None  # most rows cut short with an ellipsis: a list's previews (an inbox), not messages
    messages: list[Message] = []
    for (row_lines, shown, _rest, _anchor), (name, last) in zip(rows, named, strict=True):
        if not name:
            continue  # no name level with the time: not this layout's row
        body = _body([ln for ln in row_lines[last + 1 :] if _worded(ln)])
        words = [w for ln in body for w in _strip_junk(ln.words)]
        if not words or not any(_has_alnum(w.text) for w in words):
            continue  # a photo or an emoji alone, read as junk: no message with invented text
        box = (0, min(ln.box[1] for ln in row_lines), width, max(ln.box[3] for ln in row_lines))
        messages.append(
            Message(
                direction="incoming",
                text=" ".join(_text(_strip_junk(ln.words)) for ln in body),
                shown_time=shown,
                bbox=box,
                sender=name,
                confidence=_confidence(words),
                direction_basis="named",
            )
        )
    return messages or None
