"""Step 7a, two-line call rows (Fossify Phone, Google Phone and AOSP dialers): the name on one line; under it
the call's icon, its time or date and, at the right, the call's duration.

A duration (``07:55``, ``58:37``) looks like a clock; read as the row's time it put calls on the wrong day. So
a line whose left part holds a clock or a date and whose right end holds one more clock-like token makes a
row with a duration: the left one is the time, the right one the duration, never a time. A date written
``13.01`` in a list whose clocks are written with a colon is a day and month (``day`` of the message, in
words: "13 Jan"); the icon just left of the time gives the type: the arrow in the icon's top-right quarter
has its head (more ink) up and right for outgoing, down and left for incoming; a red name or time is missed.
A type the icon does not tell stays None (the record says so), never guessed. A row without a duration is
a call row too when its time stands after nothing but icons and a label that names the call's type
("Missed", "Outgoing call"; the type is then that word), or, once the list is known, in the time column.

``two_line_calls`` returns None unless at least ``MIN_ROWS`` rows read so (then the screen is a call list).
"""

from __future__ import annotations

import re
from typing import Final

from PIL import Image

from evidence.ocr.layout.calls import _ink_colour, _is_red
from evidence.ocr.layout.grid import _pixels
from evidence.ocr.layout.headers import _call_name
from evidence.ocr.layout.model import Message
from evidence.ocr.layout.page import _Line
from evidence.ocr.layout.settings import Color
from evidence.ocr.layout.times import _MONTH, _WEEKDAY, _clean_time, _is_time, _list_date
from evidence.ocr.layout.words import _confidence, _strip_junk, _text
from evidence.ocr.tesseract import Word

MIN_ROWS: Final = 3
_MONTHS: Final = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_CLOCK_TOKEN: Final = re.compile(r"^(\d{1,2})([:.])(\d{2})([AaPp][Mm])?$")
_DURATION: Final = re.compile(r"^(?:(\d{1,2}):)?(\d{1,2})[:.;]?(\d{2})\.?$")
_NAME: Final = re.compile(r"[A-Za-z+\d]")


def _time_in(words: list[Word], width: int) -> tuple[int, str, str | None] | None:
    """The first clock or date token in the left two thirds of a line: (its index, the text shown, the day
    in words when it is a dotted day.month)."""
    for index, word in enumerate(words):
        if word.left * 3 >= width * 2:
            break
        dated = _date_at(words, index)
        if dated is not None:
            return index, dated, None
        match = _CLOCK_TOKEN.match(word.text)
        if match is None:
            continue
        hour, sep, minute, meridiem = match.groups()
        if meridiem is None and index + 1 < len(words) and words[index + 1].text.upper() in ("AM", "PM"):
            meridiem = words[index + 1].text
        if sep == "." and meridiem is None:
            day, month = int(hour), int(minute)
            if not (1 <= day <= 31 and 1 <= month <= 12):
                return None
            return index, word.text, f"{day} {_MONTHS[month - 1]}"
        shown = f"{hour}:{minute}" + (f" {meridiem.upper()}" if meridiem else "")
        return index, shown, None
    return None


_DATE_WORD: Final = re.compile(rf"^(?:Yesterday|Today|{_WEEKDAY})$", re.IGNORECASE)
_DAY_MONTH: Final = re.compile(rf"^\d{{1,2}}\s?{_MONTH}$|^{_MONTH}\s?\d{{1,2}}$")


def _date_at(words: list[Word], index: int) -> str | None:
    """A date shown instead of a clock at ``words[index]`` ("10 May", "10May", "May 8", "Yesterday",
    "Mon"), as shown with its space put back; None otherwise. A clock after it ("Yesterday 21:33") is the
    row's time, not this."""
    word = _list_date(words[index].text)
    if index + 1 < len(words) and _CLOCK_TOKEN.match(words[index + 1].text):
        return None
    if _DATE_WORD.match(word) or _DAY_MONTH.match(word):
        return _clean_time(word)
    if index + 1 < len(words):
        pair = _list_date(f"{word} {words[index + 1].text}")
        if _DAY_MONTH.match(pair):
            return pair
    return None


_CALL_LABELS: Final = {
    "missed": "missed",
    "incoming": "incoming",
    "received": "incoming",
    "outgoing": "outgoing",
    "dialed": "outgoing",
    "dialled": "outgoing",
    "rejected": "rejected",
    "declined": "rejected",
    "blocked": "rejected",
}
_LINE_LABELS: Final = frozenset(
    {"mobile", "home", "work", "other", "main", "phone", "call", "voice", "video"}
)


def _label_before(words: list[Word]) -> str | None:
    """What stands before a call row's time on its line: "" for icons and a number's label only ("Mobile",
    "Work", "·"), the call's type when a word names it ("Missed", "Outgoing call"), None for anything else
    (a sentence: a preview line with a time in it is no call row)."""
    said = ""
    for word in words:
        token = word.text.strip(".,:;\u00b7\u2022-").lower()
        if not token or not any(ch.isalnum() for ch in token) or len(token) <= 2:
            continue  # an icon, a separator
        if token in _CALL_LABELS:
            said = _CALL_LABELS[token]
        elif token not in _LINE_LABELS:
            return None
    return said


def _duration_at(lines: list[_Line], time: Word, width: int) -> tuple[_Line, str] | None:
    """The line ending at the right with a duration level with the row's time (the nearest one)."""
    centre = time.top + time.height // 2
    best: tuple[int, _Line, str] | None = None
    for other in lines:
        words = _strip_junk(other.words)
        if not words:
            continue
        last = words[-1]
        distance = abs(last.top + last.height // 2 - centre)
        if last is time or last.left * 5 < width * 3 or distance > time.height:
            continue
        match = _DURATION.match(last.text)
        if match is None:
            continue
        hours, minutes, seconds = match.groups()
        if int(seconds) > 59:
            continue
        shown = (f"{hours}:" if hours else "") + f"{int(minutes):02d}:{seconds}"
        if best is None or distance < best[0]:
            best = (distance, other, shown)
    return None if best is None else (best[1], best[2])


def _arrow_of(rgb: Image.Image, time: Word, background: Color) -> str | None:
    """The call type from the icon just left of the row's time: the arrow in the icon's top-right quarter
    has its head (more ink) up-right for outgoing, down-left for incoming."""
    h = time.height
    window = (
        max(0, time.left - 2 * h),
        max(0, time.top - h // 3),
        max(0, time.left - h // 6),
        time.top + h + h // 3,
    )
    if window[2] - window[0] < 4:
        return None
    crop = rgb.crop(window)
    ink = [
        (i % crop.width, i // crop.width)
        for i, c in enumerate(_pixels(crop))
        if max(abs(c[0] - background[0]), abs(c[1] - background[1]), abs(c[2] - background[2])) >= 60
    ]
    if len(ink) < 8:
        return None
    x0, x1 = min(x for x, _ in ink), max(x for x, _ in ink)
    y0, y1 = min(y for _, y in ink), max(y for _, y in ink)
    quarter = [(x, y) for x, y in ink if 2 * x > x0 + x1 and 2 * y < y0 + y1]
    if len(quarter) < 4:
        return None
    qx = min(x for x, _ in quarter) + max(x for x, _ in quarter)
    qy = min(y for _, y in quarter) + max(y for _, y in quarter)
    head_up = sum(1 for x, y in quarter if 2 * x > qx and 2 * y < qy)
    head_down = sum(1 for x, y in quarter if 2 * x < qx and 2 * y > qy)
    if head_up == head_down:
        return None
    return "outgoing" if head_up > head_down else "incoming"


def two_line_calls(rgb: Image.Image, lines: list[_Line], background: Color) -> list[Message] | None:
    """The rows of a two-line call list (see the module docstring), top to bottom, or None. Once
    ``MIN_ROWS`` rows with a duration make it a call list, a row whose time stands in the same column but whose
    duration is hidden (under a floating button) is a row too, its duration unknown."""
    found = _rows(rgb, lines, background, None)
    if len(found) < MIN_ROWS:
        return None
    column = sorted(left for _, left in found)[len(found) // 2]
    return [m for m, _ in _rows(rgb, lines, background, column)]


def _rows(
    rgb: Image.Image, lines: list[_Line], background: Color, column: int | None
) -> list[tuple[Message, int]]:
    """The rows with their time's left edge; with ``column``, also rows without a duration whose time starts
    within a time's height of it."""
    width, _ = rgb.size
    used: set[int] = set()
    messages: list[tuple[Message, int]] = []
    for number, line in enumerate(lines):
        words = line.words
        found = _time_in(words, width)
        if found is None:
            continue
        index, shown, day = found
        time = words[index]
        duration = _duration_at(lines, time, width)
        label = _label_before(words[:index])
        if (
            duration is None
            and (column is None or abs(time.left - column) > time.height)
            and (label is None or label == "")
        ):
            continue
        height = max(1, line.box[3] - line.box[1])
        name_line: _Line | None = None
        for k, other in enumerate(lines):
            if k == number or k in used or (duration is not None and other is duration[0]):
                continue
            gap = line.box[1] + height // 2 - other.box[3]
            if (
                -height // 2 <= gap <= height * 2
                and other.box[0] * 3 < width * 2
                and any(w.conf >= 40 and sum(c.isalnum() for c in w.text) >= 2 for w in other.words)
                and _NAME.search(other.text)
                and not _is_time(_text(_strip_junk(other.words)))  # another row's time line is no name
                and (name_line is None or other.box[3] > name_line.box[3])
            ):
                name_line = other
        if name_line is None:
            continue
        used.add(lines.index(name_line))
        name_words = [w for w in _strip_junk(name_line.words) if w.conf >= 40 or len(w.text) > 2]
        while len(name_words) > 1 and len(name_words[0].text) <= 2 and name_words[0].conf < 80:
            name_words = name_words[1:]  # the avatar read as a token before the name
        text_left = time.left - time.height * 3 // 2  # the row's text starts at the icon before its time
        while len(name_words) > 1 and name_words[0].left + name_words[0].width < text_left:
            name_words = name_words[1:]  # left of the text column: the avatar read as a word ("Ze,")
        call = None
        if _is_red(_ink_colour(rgb, [*name_words, words[index]], background)):
            call = "missed"
        elif label:
            call = label
        else:
            call = _arrow_of(rgb, words[index], background)
        row_words = name_line.words + words
        bottom = max(line.box[3], duration[0].box[3]) if duration else line.box[3]
        messages.append(
            (
                Message(
                    direction="unknown" if call is None else "outgoing" if call == "outgoing" else "incoming",
                    text=_call_name(_text(name_words)),
                    shown_time=shown,
                    bbox=(0, name_line.box[1], width, bottom),
                    call=call,
                    confidence=_confidence(row_words),
                    duration=duration[1] if duration else None,
                    day=day,
                ),
                time.left,
            )
        )
    messages.sort(key=lambda pair: pair[0].bbox[1])
    return messages
