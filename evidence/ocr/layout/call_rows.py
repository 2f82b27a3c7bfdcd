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

The list's last row may be cut off by the screen's edge under its name (its icon, time and duration below the
picture or under the app's bottom bar): a name one row's pitch below the last row read, in the rows' name
column, with no time of its own, whose time line would be hidden (``_hidden_from``: the picture ends, or,
across the list's own width, a pixel row nearly all of one colour at least 8 levels from the list's starts a bar
reaching down to it; a dark bar may be only 10 levels lighter). It is a call of unknown time and type (missed
only when its name itself is red) and no duration, also when the top of its time line shows above the bar
unreadable: its date stays unknown. A name with the list seen on under it (a footer, a row whose time was not
read) makes no record.

``two_line_calls`` returns None unless at least ``MIN_ROWS`` rows read so (then the screen is a call list).
A line tesseract made of a name and the line under it ("Jane & 10 Fancy May") is first split by its words'
tops (``_unstacked``); a name ends at a gap wider than two of its heights (a button's glyph beside it).

A dark list can lose its second lines in the whole-screen reading: the avatar photo beside a row's grey time sets
the contrast of the band they share, and the time fades out. A screen that made no record but whose lines hold
a column of names at a regular pitch, with room for a line under each, has its text column (right of the
avatars, up to the list's own edge) read again alone (``calls_read_again``: one more tesseract run, 0.2 s of
CPU on a contact list); its rows count only as ``two_line_calls`` reads them, so a contact list stays one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise
from typing import Final

from PIL import Image

from evidence.ocr.layout.calls import _ink_colour, _is_red
from evidence.ocr.layout.flatten import _prepare_region
from evidence.ocr.layout.grid import _pixels
from evidence.ocr.layout.headers import _call_name
from evidence.ocr.layout.model import Message
from evidence.ocr.layout.page import _Line, _ocr_page, _slot_lines
from evidence.ocr.layout.settings import Box, Color
from evidence.ocr.layout.times import _MONTH, _WEEKDAY, _clean_time, _is_time, _list_date
from evidence.ocr.layout.words import _confidence, _strip_junk, _text
from evidence.ocr.tesseract import TesseractProbe, Word

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
    "Mon"), as shown with its space put back; None otherwise. A clock right after it ("Yesterday 21:33") is
    the row's time, not this; one far to the right ("12Dec ... 03:28") is the call's duration."""
    word = _list_date(words[index].text)
    if index + 1 < len(words) and _CLOCK_TOKEN.match(words[index + 1].text):
        after, here = words[index + 1], words[index]
        if after.left - (here.left + here.width) <= 2 * here.height:
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
    duration is hidden (under a floating button) is a row too, its duration unknown; and a last row cut off
    under its name (``_cut_off_row``) is one of unknown time and type."""
    lines = [part for line in lines for part in _unstacked(line)]
    found = _rows(rgb, lines, background, None)
    if len(found) < MIN_ROWS:
        return None
    column = sorted(row.time.left for row in found)[len(found) // 2]
    rows = _rows(rgb, lines, background, column)
    cut = _cut_off_row(rgb, lines, rows, background)
    return [row.message for row in rows] + ([cut] if cut is not None else [])


@dataclass(frozen=True)
class _Row:
    """A call row read, with what the rows around it are measured against."""

    message: Message
    time: Word  # the row's time (or day)
    name: _Line  # the line its name was read from
    name_top: int  # the top of the name's kept words
    name_left: int  # where the name's first kept word starts (the row's text column)


def _name_words(name_line: _Line, text_left: int) -> list[Word]:
    """A call row's name words: junk and weak specks dropped, and the avatar read as a token before the name
    (short and unsure, or left of ``text_left``, the row's text column)."""
    name_words = [w for w in _strip_junk(name_line.words) if w.conf >= 40 or len(w.text) > 2]
    while len(name_words) > 1 and len(name_words[0].text) <= 2 and name_words[0].conf < 80:
        name_words = name_words[1:]  # the avatar read as a token before the name
    while len(name_words) > 1 and name_words[0].left + name_words[0].width < text_left:
        name_words = name_words[1:]  # left of the text column: the avatar read as a word ("Ze,")
    for k in range(1, len(name_words)):
        before = name_words[k - 1]
        if name_words[k].left - (before.left + before.width) > 2 * before.height:
            return name_words[
                :k
            ]  # far right of the name: a floating button's glyph, a row's menu ("Bobby 5")
    return name_words


def _unstacked(line: _Line) -> list[_Line]:
    """A line as tesseract grouped it, or its two lines when it joined a row's name and the line under it
    ("Jane & 10 Fancy May": "Jane Fancy" above "& 10 May"): its words' tops fall in two groups further apart
    than their median height, each holding a word read surely (60) with two letters or digits. A tall token
    (an avatar) stays with the group its top is in."""
    words = sorted(line.words, key=lambda w: w.top)
    if len(words) < 2:
        return [line]
    size = _median([w.height for w in words])
    cut = max(range(1, len(words)), key=lambda k: words[k].top - words[k - 1].top)
    if words[cut].top - words[cut - 1].top <= size:
        return [line]
    parts = [sorted(part, key=lambda w: w.left) for part in (words[:cut], words[cut:])]
    if not all(any(w.conf >= 60 and sum(c.isalnum() for c in w.text) >= 2 for w in part) for part in parts):
        return [line]
    return [_Line(part, line.slot) for part in parts]


def _rows(rgb: Image.Image, lines: list[_Line], background: Color, column: int | None) -> list[_Row]:
    """The rows, top to bottom; with ``column``, also rows without a duration whose time starts within a
    time's height of it."""
    width, _ = rgb.size
    used: set[int] = set()
    rows: list[_Row] = []
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
        # the row's text starts at the icon before its time
        name_words = _name_words(name_line, time.left - time.height * 3 // 2)
        call = None
        if _is_red(_ink_colour(rgb, [*name_words, words[index]], background)):
            call = "missed"
        elif label:
            call = label
        else:
            call = _arrow_of(rgb, words[index], background)
        row_words = name_line.words + words
        bottom = max(line.box[3], duration[0].box[3]) if duration else line.box[3]
        message = Message(
            direction="unknown" if call is None else "outgoing" if call == "outgoing" else "incoming",
            text=_call_name(_text(name_words)),
            shown_time=shown,
            bbox=(0, name_line.box[1], width, bottom),
            call=call,
            confidence=_confidence(row_words),
            duration=duration[1] if duration else None,
            day=day,
        )
        kept = name_words or name_line.words
        rows.append(_Row(message, time, name_line, min(w.top for w in kept), kept[0].left))
    rows.sort(key=lambda row: row.message.bbox[1])
    return rows


def _level(words: list[Word]) -> list[Word]:
    """The words level with the first one (their middles within its height, none twice as tall): not a
    floating button's glyph that tesseract put on the same line."""
    if not words:
        return words
    first = words[0]
    middle = 2 * first.top + first.height
    return [
        w
        for w in words
        if abs(2 * w.top + w.height - middle) <= first.height and w.height <= 2 * first.height
    ]


def _median(values: list[int]) -> int:
    return sorted(values)[len(values) // 2]


def _cut_off_row(rgb: Image.Image, lines: list[_Line], rows: list[_Row], background: Color) -> Message | None:
    """The list's last row when the screen's edge cuts it off under its name: a name one row's pitch below
    the last row read, starting in the rows' name column, with no time of its own, where the line of its
    time would be hidden (below the picture's bottom, or under a bar that is not the list). Its record has
    the name only: no time (its date is unknown), no duration, and no type unless the name itself is red
    (the icon that tells the type is hidden too). None when there is no such row."""
    width, height = rgb.size
    if len(rows) < MIN_ROWS:
        return None
    last = rows[-1]
    pitch = _median([b.name_top - a.name_top for a, b in pairwise(rows)])
    below = _median([row.time.top - row.name_top for row in rows])  # the time line under the name
    size = _median([row.time.height for row in rows])
    column = _median([row.name_left for row in rows])
    text_left = _median([row.time.left for row in rows]) - size * 3 // 2  # as in ``_rows``
    taken = {id(row.name) for row in rows}
    for line in lines:
        words = _level(_name_words(line, text_left))
        if id(line) in taken or not words or abs(words[0].top - (last.name_top + pitch)) > size:
            continue
        if _time_in(line.words, width) is not None:
            return None  # a row with its time is not cut off (and was not read as a row: not this rule's)
        if (
            abs(words[0].left - column) > size
            or not any(w.conf >= 60 and sum(c.isalpha() for c in w.text) >= 2 for w in words)
            or not _NAME.search(_text(words))
        ):
            continue
        top = min(w.top for w in words)
        name_bottom = max(w.top + w.height for w in words)
        # the list's own width, on the pixel row between the last row and this one (a store picture's slogan
        # graphic or a floating button beside it is not the list)
        span = _list_span(rgb, column, (last.message.bbox[3] + top) // 2, size, background)
        hidden = _hidden_from(rgb, span, name_bottom, top + below + size, background)
        if hidden is None:
            return None  # the time's line is there to be seen: a row this rule does not read
        return Message(
            direction="unknown",
            text=_call_name(_text(words)),
            shown_time=None,
            bbox=(0, top, width, min(hidden, height)),
            call="missed" if _is_red(_ink_colour(rgb, words, background)) else None,
            confidence=_confidence(words),
        )
    return None


_BAR_SAMPLES: Final = 48  # points across a pixel row
_BAR_SHARE: Final = 90  # per cent of them of one colour
_BAR_SPREAD: Final = 6  # (within that many levels of their median: a JPEG's noise on a flat bar)
_BAR_DISTANCE: Final = 8  # that far from the list's background in some channel (a dark bar: 10 levels)
_EDGE_DISTANCE: Final = 24  # the ground beside the list (a slogan graphic, a button) is that far from it


def _far(c: Color, background: Color) -> int:
    return max(abs(c[0] - background[0]), abs(c[1] - background[1]), abs(c[2] - background[2]))


def _list_span(rgb: Image.Image, x: int, y: int, size: int, background: Color) -> tuple[int, int]:
    """The run of pixel row ``y`` around ``x`` that is the list's ground: it ends at the first run of ``size``
    pixels all far from ``background`` on either side, else at the picture's edges."""
    width, _ = rgb.size
    left, run = 0, 0
    for at in range(min(x, width - 1), -1, -1):
        run = run + 1 if _far(_pixel(rgb, at, y), background) >= _EDGE_DISTANCE else 0
        if run >= size:
            left = at + size
            break
    return left, _list_right(rgb, x, y, size, background)


def _hidden_from(
    rgb: Image.Image, span: tuple[int, int], top: int, bottom: int, background: Color
) -> int | None:
    """Where, between pixel rows ``top`` and ``bottom``, the list (``span``: its left and right) stops being
    seen: the picture's bottom edge, or the first row of a bar drawn over it (a pixel row nearly all of one
    colour that is not the list's background, from there to ``bottom``). None when the list is seen all the
    way down."""
    _, height = rgb.size
    if bottom > height:
        return height
    start: int | None = None
    step = max(1, (span[1] - span[0]) // _BAR_SAMPLES)
    for y in range(max(0, top), bottom):
        colours = [_pixel(rgb, x, y) for x in range(span[0] + step // 2, span[1], step)]
        mid = sorted(colours)[len(colours) // 2]
        same = sum(1 for c in colours if _far(c, mid) <= _BAR_SPREAD)
        if same * 100 >= len(colours) * _BAR_SHARE and _far(mid, background) >= _BAR_DISTANCE:
            start = y if start is None else start
        else:
            start = None  # a hairline or an avatar's edge, then the list again: not a bar
    return start


def _pixel(rgb: Image.Image, x: int, y: int) -> Color:
    value = rgb.getpixel((x, y))
    assert isinstance(value, tuple)
    return (int(value[0]), int(value[1]), int(value[2]))


def _zone_background(rgb: Image.Image, zone: Box) -> Color:
    """The commonest colour of ``zone`` (the list's own ground, which a store picture's slogan graphic around
    the screen is not)."""
    small = rgb.crop(zone).resize((32, 32), Image.Resampling.NEAREST)
    colours = small.getcolors(32 * 32) or [(1, (255, 255, 255))]
    _, colour = max(colours, key=lambda pair: pair[0])
    assert isinstance(colour, tuple)
    return (int(colour[0]), int(colour[1]), int(colour[2]))


def _list_right(rgb: Image.Image, left: int, y: int, size: int, background: Color) -> int:
    """Where the list's ground ends right of ``left`` on pixel row ``y`` (between rows): the first run of
    ``size`` pixels all far from ``background`` (the edge of the app's screen in a store picture, whose slogan
    graphic would set a zone's contrast; a floating button), else the picture's right edge. A row's menu dots
    are narrower than that."""
    width, _ = rgb.size
    run = 0
    for x in range(left, width):
        run = run + 1 if _far(_pixel(rgb, x, y), background) >= _EDGE_DISTANCE else 0
        if run >= size:
            return x - size + 1
    return width


def _name_column(lines: list[_Line], width: int) -> tuple[int, int, int, int, int] | None:
    """(left, first top, last top, word height, pitch) of a column of at least ``MIN_ROWS`` name lines at a regular
    pitch with room for a line under each (a list whose second lines were not read), or None. A name line: a
    word of two letters or more read with confidence 60, in the left two thirds, no clock or date in it."""
    names: list[tuple[int, int, int]] = []
    for line in lines:
        words = [w for w in _strip_junk(line.words) if w.conf >= 60 and sum(c.isalpha() for c in w.text) >= 2]
        if words and words[0].left * 3 < width * 2 and _time_in(line.words, width) is None:
            names.append((words[0].left, words[0].top, words[0].height))
    best: list[tuple[int, int, int]] = []
    for left, _, size in names:
        column = [n for n in names if abs(n[0] - left) * 2 <= size]
        if len(column) > len(best):
            best = column
    if len(best) < MIN_ROWS:
        return None
    best.sort(key=lambda n: n[1])
    size = _median([n[2] for n in best])
    steps = [b[1] - a[1] for a, b in pairwise(best)]
    pitch = _median(steps)
    if pitch < size * 2 or any(abs(step - pitch) * 4 > pitch for step in steps):
        return None  # not one row's name after another, each with room for a line under it
    return _median([n[0] for n in best]), best[0][1], best[-1][1], size, pitch


def calls_read_again(
    rgb: Image.Image,
    lines: list[_Line],
    probe: TesseractProbe | None,
    name: str,
    timeout_s: int,
) -> list[Message] | None:
    """The rows of a two-line call list whose second lines were lost in the whole-screen reading, or None.

    In a dark list the avatar photo beside a row's grey second line sets the contrast of the band they share,
    and the grey time and duration fade out: only a column of names is read (Simple Dialer's dark theme). When
    the screen's lines hold such a column (``_name_column``), the text column right of the avatars, from the
    first name to one pitch under the last, is read again alone (its own ground, its own contrast; one more
    tesseract run) and its lines go through ``two_line_calls``: at least ``MIN_ROWS`` rows with a time and a
    duration, or nothing. A contact list (names and nothing under them) stays one."""
    width, height = rgb.size
    column = _name_column(lines, width)
    if column is None:
        return None
    left, first, last, size, pitch = column
    x0, y0 = max(0, left - size // 2), max(0, first - size // 2)
    background = _zone_background(rgb, (x0, first, min(width, left + 8 * size), last))
    zone: Box = (x0, y0, _list_right(rgb, left, y0, size, background), min(height, last + pitch))
    flat, scale = _prepare_region(rgb, zone, background, None)
    _, slots = _ocr_page([("band", 0, zone, flat, scale)], probe, name, timeout_s)
    return two_line_calls(rgb, _slot_lines(slots), background)
