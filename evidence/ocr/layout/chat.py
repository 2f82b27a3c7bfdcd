"""Step 6, chats: one message per bubble with its shown time (corner, end of line, under or beside the
bubble) and the header above the first bubble."""

from __future__ import annotations

import re
from itertools import pairwise
from typing import Final

from evidence.ocr.layout.context import day_above, sender_above, sender_inside, separators
from evidence.ocr.layout.grid import _Region
from evidence.ocr.layout.headers import _contact, _header_pieces
from evidence.ocr.layout.model import Message
from evidence.ocr.layout.page import _Line
from evidence.ocr.layout.settings import (
    _STATUS_BAR_PERMILLE,
    CORNER_TEXT_CONFIDENCE,
    MIN_MESSAGE_CONFIDENCE,
    SPECK_CONF,
    Box,
)
from evidence.ocr.layout.sides import sides
from evidence.ocr.layout.times import (
    _MISREAD_CLOCK,
    _MISREAD_MERIDIEM,
    _clean_time,
    _corner_clock,
    _is_time,
    _split_time_tail,
    footer,
)
from evidence.ocr.layout.words import _confidence, _confident, _has_alnum, _text, _trim_tail
from evidence.ocr.tesseract import Word


def _read_chat(
    lines: list[_Line],
    bubbles: list[tuple[_Region, Box]],
    width: int,
    height: int,
    photos: list[Box] | None = None,
    frame: Box | None = None,
    *,
    skip: set[int] | None = None,
) -> tuple[str | None, list[Message]]:
    """The header and one message per bubble (with its shown time, inside or beside it). A bubble holding
    one of ``photos`` (a picture, a map, a GIF sent inside a bubble) is a ``photo`` whose text is the
    caption outside the picture: what tesseract reads inside a picture is never text. In a store picture
    (``frame``: the app's screen inside a phone frame) the sides are read against the frame's edges and the
    header among the lines just above it, not the slogan above the phone."""
    by_bubble: dict[int, list[_Line]] = {}
    bands: list[_Line] = []
    corners: dict[int, list[Word]] = {}
    for line in lines:
        if line.slot.kind == "bubble":
            by_bubble.setdefault(line.slot.index, []).append(line)
        elif line.slot.kind == "corner":
            corners.setdefault(line.slot.index, []).extend(line.words)
        else:
            bands.append(line)
    first_top = min((box[1] for _, box in bubbles), default=height)
    holds = frame is not None and frame[1] <= first_top  # (a keyboard's panel below the bubbles holds none)
    header = _chat_header(_in_frame(bands, frame if holds else None, height), height, first_top)
    header_line = next((line for line in bands if header and line.box[1] < first_top), None)
    days = separators(bands, width, header_line.box[3] + 1 if header_line else 0, [box for _, box in bubbles])
    used: set[int] = {number for number, _, _ in days}
    previous: Message | None = None
    messages: list[Message] = []
    # only bubbles holding text vote on the sides: a reaction chip ("👍" under a bubble) is no message
    skip = skip or set()
    voters = [
        index
        for index in range(len(bubbles))
        if index not in skip
        and (ws := [w for line in by_bubble.get(index, []) for w in line.words])
        and _confidence(ws) >= MIN_MESSAGE_CONFIDENCE
        and _has_alnum(_text(ws))
    ]
    x0, span = (frame[0], frame[2] - frame[0]) if frame else (0, width)
    shifted = [(b[0] - x0, b[1], b[2] - x0, b[3]) for _, b in bubbles]
    voted = sides([shifted[i] for i in voters], [bubbles[i][0].colour for i in voters], span)
    fallback = sides(shifted, [region.colour for region, _ in bubbles], span)
    read_sides = [voted[voters.index(i)] if i in voters else fallback[i] for i in range(len(bubbles))]
    for index, (_region, box) in enumerate(bubbles):
        if index in skip:
            continue
        own = _without_reactions(by_bubble.get(index, []))
        inside = [p for p in photos or [] if _holds(box, p)]
        if not inside and _labelled_picture(own, box):
            inside, own = [box], []  # a map or a picture with a few labels on it: a photo, no text
        if inside:
            own = [ln for ln in own if not any(_centre_in(ln.box, p) for p in inside)]
        named: str | None = None
        if read_sides[index].direction == "incoming":
            named, own = sender_inside(own)
        above: tuple[str, str | None] | None = None
        if len(own) >= 2 and footer(own[-1].words) is None and _split_time_tail(own[-1].words)[1] is None:
            # the time line printed at the top of the bubble, above its text ("Today 12:51 - You"): its
            # time and sender, as a footer line would be
            above = footer(own[0].words)
            if above is not None:
                own = own[1:]
        words = [w for line in own for w in line.words]
        corner = corners.get(index, [])
        if not words and not inside:
            continue
        shown: str | None = None
        last = own[-1].words if own else []
        kept_last, shown = _split_time_tail(last) if last else ([], None)
        signed: str | None = None
        if shown is None and above is not None:
            shown, signed = above
        if shown is None and own and (found_footer := footer(last)) is not None:
            # the bubble's footer line ("@ 3 mins ago", "9:03 am - ciacona"): its time and sender, no text;
            # its corner then holds the read ticks, never words
            kept_last, (shown, signed) = [], found_footer
            corner = [w for w in corner if _is_time(w.text)]
        body = [w for line in own[:-1] for w in line.words] + kept_last
        meridiem = _MISREAD_MERIDIEM.match(corner[0].text) if len(corner) == 1 else None
        if meridiem and shown is not None and re.fullmatch(r"\d{1,2}:\d{2}", shown):
            shown = f"{shown} {meridiem.group(1).upper()}M"  # the clock's AM/PM cut off on its own
        elif corner:
            rest, corner_time = _split_time_tail(corner)
            if corner_time is None and not rest:
                corner_time = _corner_clock(corner)
            if corner_time is not None and not rest:
                shown = shown or corner_time
            elif (
                _confidence(corner) >= CORNER_TEXT_CONFIDENCE
                and sum(ch.isalnum() for w in corner for ch in w.text) >= 2
            ):  # not a time after all but words: text at the end of the bubble (else a speck of the corner)
                body += corner
        body = [w for w in _trim_tail(body) if w.text.strip("_")]  # "__": a rule, not a word
        media: str | None
        duration: str | None
        if inside:
            media, duration = "photo", None
            if not _worded(body):
                body = []  # a picture without a caption (specks of its edge are not one)
        else:
            media, duration, shown = _voice(body, corner, shown)
        if media == "voice":
            body = []
        elif media is None and len(body) == 1 and _LINK.fullmatch(body[0].text):
            media = "link"  # a bubble that is only a web address: a link sent, its address kept as text
        elif media is None and not _worded(body):
            continue  # a play button, a waveform or a picture read as junk: no text message
        if shown is None:
            shown = _time_beside(bands, used, box)
        direction = read_sides[index].direction
        sender = (
            named
            or (signed if direction == "incoming" else None)
            or (sender_above(bands, used, box, width) if direction == "incoming" else None)
        )
        if (
            sender is None
            and direction == "incoming"
            and previous is not None
            and previous.direction == direction
        ):
            sender = previous.sender  # the name is drawn once per run of one member's bubbles
        message = Message(
            direction=direction,
            direction_basis=read_sides[index].basis,
            text=_text(body),
            shown_time=shown,
            bbox=box,
            sender=sender,
            confidence=_confidence(words) if words else 0,
            day=day_above(days, box),
            media=media,
            duration=duration,
        )
        messages.append(message)
        previous = message
    return header, messages


def _in_frame(bands: list[_Line], frame: Box | None, height: int) -> list[_Line]:
    """The lines that may hold a framed chat's header: inside the frame's width, from a tenth of the
    picture's height above the frame down (the app's title bar; a slogan above the phone is no header)."""
    if frame is None:
        return bands
    return [
        ln
        for ln in bands
        if frame[0] <= (ln.box[0] + ln.box[2]) // 2 <= frame[2] and ln.box[1] >= frame[1] - height // 10
    ]


def _labelled_picture(own: list[_Line], box: Box) -> bool:
    """Whether a bubble's words are labels on a picture (a map's street names, a sticker's word), not lines
    of text: no two of its worded lines start at the same place (text in a bubble is left-aligned) and they
    are read with a mean confidence under 75, or a bubble taller than five lines holds one short line
    covering under a twentieth of it."""
    lines = [
        ln
        for ln in own
        if any(_has_alnum(w.text) for w in ln.words) and footer(ln.words) is None and not _is_time(ln.text)
    ]  # a footer ("Now", "12:32") is where a picture's bubble prints its time, no label
    if not lines:
        return False
    tall = sorted(ln.box[3] - ln.box[1] for ln in lines)[len(lines) // 2]
    worded = [ln for ln in lines if any(sum(c.isalpha() for c in w.text) >= 3 for w in ln.words)]
    starts = sorted(ln.box[0] for ln in worded)
    labels = [w for ln in worded for w in ln.words if _has_alnum(w.text)]
    if (
        len(worded) >= 2
        and all(b - a > tall for a, b in pairwise(starts))
        and sum(w.conf for w in labels) < 75 * len(labels)
    ):
        return True  # no two lines start together, and they are read poorly: labels on a picture
    area = (box[2] - box[0]) * (box[3] - box[1])
    inked = sum((ln.box[2] - ln.box[0]) * (ln.box[3] - ln.box[1]) for ln in lines)
    return len(lines) == 1 and box[3] - box[1] > 5 * tall and inked * 20 < area


def _holds(bubble: Box, photo: Box) -> bool:
    """Whether most (80 %) of ``photo`` lies inside ``bubble``."""
    w = min(bubble[2], photo[2]) - max(bubble[0], photo[0])
    h = min(bubble[3], photo[3]) - max(bubble[1], photo[1])
    area = (photo[2] - photo[0]) * (photo[3] - photo[1])
    return w > 0 and h > 0 and w * h * 5 >= area * 4


def _centre_in(line: Box, photo: Box) -> bool:
    cx, cy = (line[0] + line[2]) // 2, (line[1] + line[3]) // 2
    return photo[0] <= cx <= photo[2] and photo[1] <= cy <= photo[3]


_LINK: Final = re.compile(
    r"(?:https?://|www\.)[\w.-]+\.[a-z]{2,}(?:/\S*)?|[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}/\S*", re.IGNORECASE
)
_TEXT_MARKS: Final = frozenset(".,!?:;'\"\u00a3$\u20ac%-+/()#*&")


def _reaction_line(words: list[Word]) -> bool:
    """A row of reaction chips under a bubble's text ("👍 1 😀 1" read as "@1 @1"): short tokens (at most
    three characters) without a letter, each holding a mark that writing does not use (an emoji read as "@",
    "©") or read with no confidence. A number ("123456."), a price ("£5.") or a time stays text."""
    return bool(words) and all(
        len(w.text) <= 3
        and not any(ch.isalpha() for ch in w.text)
        and (any(not ch.isalnum() and ch not in _TEXT_MARKS for ch in w.text) or w.conf < SPECK_CONF)
        for w in words
    )


def _without_reactions(own: list[_Line]) -> list[_Line]:
    """A bubble's lines without the reaction chips at its bottom (never its only line)."""
    end = len(own)
    while end > 1 and _reaction_line(own[end - 1].words):
        end -= 1
    return own[:end]


_DURATION_TOKEN: Final = re.compile(r"0?\d:\d{2}")
# a length in a bubble's corner whose zeros were read as letters and whose colon was lost ("oo19")
_SMALL_LENGTH: Final = re.compile(r"[0oO]{2}[0-5]\d")


def _worded(words: list[Word]) -> bool:
    """Whether a bubble's words hold a word: three letters or digits read with some confidence, or two words
    read with good confidence ("Hi ok")."""
    if any(w.conf >= 60 and sum(ch.isalnum() for ch in w.text) >= 3 for w in words):
        return True
    return sum(1 for w in words if w.conf >= 80 and _has_alnum(w.text)) >= 2 or (
        len(words) == 1 and words[0].conf >= 80 and _has_alnum(words[0].text)
    )


def _voice(
    body: list[Word], corner: list[Word], shown: str | None
) -> tuple[str | None, str | None, str | None]:
    """A voice note: a bubble holding no word but a short bare length (``0:07``, ``00:19``: under ten minutes,
    no AM/PM) beside its play button and waveform, in its text or its corner, or a play button and a seek
    bar with no length (then the length is None). Returns ``("voice", length,
    shown time)``, or ``(None, None, shown)`` for any other bubble; a length is never the bubble's time."""
    clocks = [w for w in body if not _DURATION_TOKEN.fullmatch(w.text)]
    if _worded([w for w in clocks if not _is_time(w.text) and w.text.upper() not in ("AM", "PM")]):
        return None, None, shown
    if _play_and_bar(clocks):
        return "voice", None, shown  # no length shown: the note is kept, its length unknown
    lengths = [w.text for w in (*body, *corner) if _DURATION_TOKEN.fullmatch(w.text)]
    lengths += [f"00:{w.text[2:]}" for w in corner if _SMALL_LENGTH.fullmatch(w.text)]  # "oo19": 00:19
    if shown is not None and _DURATION_TOKEN.fullmatch(shown):
        lengths.insert(0, shown)
        shown = None
    if not lengths:
        return None, None, shown
    if shown is None and clocks and _is_time(_text(clocks)):
        shown = _clean_time(_text(clocks))
    return "voice", lengths[0], shown


_PLAY: Final = frozenset({">", "\u25b6", "\u25ba", "D>", "|>"})
_BAR: Final = frozenset("-_\u2014\u2013~.\u00b7=")


def _play_and_bar(words: list[Word]) -> bool:
    """A play button read as ">" (with confidence) and the seek bar beside it read as dashes: an audio
    bubble that shows no length (Nextcloud Talk)."""
    if not words or words[0].text not in _PLAY or words[0].conf < 60 or len(words) > 3:
        return False
    rest = "".join(w.text for w in words[1:])
    return bool(rest) and sum(ch in _BAR for ch in rest) * 2 >= len(rest)


def _chat_header(bands: list[_Line], height: int, first_top: int | None = None) -> str | None:
    """The contact or group name: on the first row of bands under the status bar (and above the first bubble),
    the piece with the most letters read with confidence (not the back arrow, the avatar or the call icons beside it), joined with
    the pieces close to it (a number with wide spaces), without one- or two-character icon junk at its ends."""
    row: list[_Line] = []
    for line in bands:
        centre = (line.box[1] + line.box[3]) // 2
        if centre * 1000 < _STATUS_BAR_PERMILLE * height or (
            first_top is not None and line.box[1] >= first_top
        ):
            continue
        kept = _confident(line.words)
        if not kept or _is_time(_text(kept)):
            continue
        if _is_time(kept[-1].text) and all(len(w.text) <= 2 for w in kept[:-1]):
            continue  # a status bar drawn lower (a store picture's phone): its icons read as specks, the clock
        if not row:
            row = [line]
        elif row[0].box[1] <= centre <= row[0].box[3]:
            row.append(line)
    if not row:
        return None
    best = max(
        row, key=lambda ln: sum(w.conf * sum(ch.isalnum() for ch in w.text) for w in _confident(ln.words))
    )
    words = _header_pieces(bands, best, _confident(best.words)).split()
    end = len(words)
    while end > 1 and len(words[end - 1]) <= 2 and not any(ch.isalpha() for ch in words[end - 1]):
        end -= 1
    if any(not any(ch.isalnum() for ch in w) for w in words[end:]):
        words = words[:end]  # the call and video icons read as "\\ . 4" (a number's last group stays)
    if any(sum(ch.isalnum() for ch in w) >= 3 for w in words):
        while words and len(words[0]) <= 2 and not any(ch.isdigit() for ch in words[0]):
            words = words[1:]
        while words and len(words[-1]) <= 2 and not any(ch.isdigit() for ch in words[-1]):
            words = words[:-1]
    if not any(sum(ch.isalnum() for ch in w) >= 2 for w in words):
        return None  # status-bar or icon junk ("+t"), no name
    return _contact(" ".join(words))


def _time_beside(bands: list[_Line], used: set[int], box: Box) -> str | None:
    """A band that is only a time, right under the bubble (overlapping it) or beside its lower half."""
    for number, line in enumerate(bands):
        if number in used or not (_is_time(line.text) or _MISREAD_CLOCK.match(line.text)):
            continue
        x0, y0, x1, y1 = line.box
        misread = _MISREAD_CLOCK.match(line.text)
        if not re.search(r"\d[:.]\d", line.text) and misread is None:
            continue  # a date separator ("Yesterday") is not a bubble's time
        aligned = abs(x0 - box[0]) <= (y1 - y0) * 3 or abs(x1 - box[2]) <= (y1 - y0) * 3
        under = 0 <= y0 - box[3] <= (y1 - y0) * 3 // 2 and aligned
        centre = (y0 + y1) // 2
        beside = box[1] <= centre <= box[3] + (y1 - y0) and (x1 <= box[0] or x0 >= box[2])
        if under or beside:
            used.add(number)
            if misread is not None:  # "2352": a tiny time whose colon was lost
                return f"{misread.group(1)}:{misread.group(2)}"
            return _clean_time(line.text)
    return None
