"""Shown times: what a time looks like on a screen, the corrections of how tesseract misreads one
(``9.41``, ``3May``, ``1857``, ``1. Nov``), and the time at the end of a bubble's text or in its corner."""

from __future__ import annotations

import re
from typing import Final

from evidence.ocr.layout.settings import SPECK_CONF
from evidence.ocr.layout.words import _text
from evidence.ocr.tesseract import Word

_WEEKDAY: Final = r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*"
# English, and the German short forms that differ ("Okt 15" in a German call list)
_MONTH: Final = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec|Okt|Dez|Mai)[a-z]*"
_CLOCK: Final = r"\d{1,2}[:.]\d{2}(?:\s?[AaPp]\.?[Mm]\.?)?"
_DAY: Final = rf"(?:Yesterday|Today|{_WEEKDAY}|\d{{1,2}}\s?{_MONTH}|{_MONTH}\s?\d{{1,2}})"
# a whole line that is a shown time: "21:33", "9:41 PM", "Yesterday", "Mon", "Mon 9:41 PM", "14 Mar"
_TIME_LINE: Final = re.compile(rf"^(?:(?:{_DAY}),?\s)?{_CLOCK}$|^{_DAY}$")
# a clock at the end of a bubble's last line, optionally followed by read ticks (1-3 non-word characters, or
# the double tick read as one or two of "v", "y", "w", "J", "S")
_TIME_TAIL: Final = re.compile(
    rf"(?:^|\s)((?:{_DAY},?\s)?{_CLOCK})(?:\s(?:[^\w\s]{{1,3}}|[vVyYwWJsS]{{1,2}}))?$"
)


# a date separator written out in full: "Sat, 13 Apr, 10:09 AM", "Friday, June 25", "Monday, 20 March 2023",
# "April 13, 2024", "13th April", "Today at 10:09", "2024-04-13"; letters in any case ("SATURDAY, APRIL 13")
_SEPARATOR: Final = re.compile(
    rf"^(?:(?:{_WEEKDAY}\.?,?\s)?(?:\d{{1,2}}(?:st|nd|rd|th)?\s{_MONTH}\.?|{_MONTH}\.?\s\d{{1,2}}(?:st|nd|rd|th)?)"
    rf"(?:,?\s\d{{4}})?|Today|Yesterday|{_WEEKDAY}|\d{{4}}-\d{{2}}-\d{{2}})(?:,?\s(?:at\s)?{_CLOCK})?$",
    re.IGNORECASE,
)
_TRAILING_JUNK: Final = ":;,._-'\u00ab\u00bb"


def _clean_time(text: str) -> str:
    """A read time with "." between hours and minutes written as ":" (phones show a colon) and a space put
    back between a day and its month ("3May" is "3 May")."""
    text = re.sub(r"^(.*?\d{1,2})\.(\d{2})", r"\1:\2", text)
    text = re.sub(r"(\d{2})([AaPp][Mm])$", r"\1 \2", text)
    return re.sub(r"^(\d{1,2})(?=[A-Z][a-z])|^([A-Z][a-z]{2,})(?=\d)", lambda m: (m.group(0)) + " ", text)


def _is_time(text: str) -> bool:
    return _TIME_LINE.match(text) is not None


def is_separator(text: str) -> bool:
    """Whether a centred line is a date separator: a shown time (``_is_time``) or a date written out in full,
    with its weekday, year or clock ("Sat, 13 Apr, 10:09 AM", "Monday, 20 March 2023", "Today at 10:09")."""
    return _is_time(text) or _SEPARATOR.match(text) is not None


def _split_time_tail(words: list[Word]) -> tuple[list[Word], str | None]:
    """A bubble's last line without its trailing shown time (and ticks), and that time."""
    text = _text(words)
    if _is_time(text):
        return [], _clean_time(text)
    last = words[-1] if words else None
    if (
        last is not None
        and len(last.text) <= 2
        and last.conf < SPECK_CONF
        and not any(c.isdigit() for c in last.text)
    ):
        shorter = _text(words[:-1])  # read ticks after the time, read as letters with no confidence ("FY")
        if _is_time(shorter) or _TIME_TAIL.search(shorter):
            return _split_time_tail(words[:-1])
    match = _TIME_TAIL.search(text)
    if match is None:
        return _misread_time_tail(words)
    keep = len(text[: match.start(1)].split())
    return words[:keep], _clean_time(match.group(1))


_MISREAD_CLOCK: Final = re.compile(r"^(\d{1,2})[:.;,'\-]?(\d{2})$")
_MISREAD_MERIDIEM: Final = re.compile(r"^([AaPp])[MmNnYy]\.?$")


def _misread_time_tail(words: list[Word]) -> tuple[list[Word], str | None]:
    """A small time at the end of a bubble whose colon was misread ("316 PM", "3-18 PM"): 3-4 digits on a
    line of their own or set apart from the text before them (a gap wider than the digits' height), followed
    by AM/PM (or with a colon), or four digits making a 24-hour clock that exists ("1857")."""
    end = len(words)
    meridiem = ""
    if end >= 2 and _MISREAD_MERIDIEM.match(words[-1].text):
        meridiem = " " + words[-1].text[0].upper() + "M"
        end -= 1
    if end < 1:
        return words, None
    clock = _MISREAD_CLOCK.match(words[end - 1].text)
    bare = clock is not None and re.fullmatch(r"\d{4}", words[end - 1].text) is not None
    if bare and clock is not None and (int(clock.group(1)) > 23 or int(clock.group(2)) > 59):
        return words, None
    if clock is None or (not meridiem and ":" not in words[end - 1].text and not bare):
        return words, None
    token = words[end - 1]
    if end >= 2 and token.left - (words[end - 2].left + words[end - 2].width) < token.height:
        return words, None  # an ordinary number in the sentence ("Room 101")
    return words[: end - 1], f"{clock.group(1)}:{clock.group(2)}{meridiem}"


def _corner_clock(corner: list[Word]) -> str | None:
    """A bubble's cut-out corner read as a clock whose colon was lost in small print ("1857", "16.01 PM"):
    one token of 3-4 digits making an hour and minutes that exist, then AM/PM or nothing. The corner is
    where the time is printed, set apart from the text; its digits are kept as read."""
    meridiem = ""
    words = corner
    if len(words) == 2 and _MISREAD_MERIDIEM.match(words[1].text):
        meridiem = " " + words[1].text[0].upper() + "M"
        words = words[:1]
    clock = _MISREAD_CLOCK.match(words[0].text) if len(words) == 1 else None
    if clock is None or int(clock.group(1)) > 23 or int(clock.group(2)) > 59:
        return None
    return f"{clock.group(1)}:{clock.group(2)}{meridiem}"


_MONTH_TAILS: Final = "an|eb|ar|pr|ay|un|ul|ug|ep|ct|ov|ec"


def _list_date(text: str) -> str:
    """A list row's date as tesseract misreads small grey print, put right: "1. Nov" is "1 Nov", "19 oct"
    "19 Oct", "15 sept." "15 Sept", "220ct" "22 Oct" (an "O" read as a zero), "Okt12" "Okt 12"; anything else
    unchanged."""
    text = re.sub(rf"^({_MONTH})\.?(?=\d{{1,2}}$)", r"\1 ", text)  # "Okt12": the space lost
    text = re.sub(r"^(\d{1,2})\.?\s?0(?=ct$)", r"\1 O", text)
    text = re.sub(
        rf"^(\d{{1,2}})\.?\s?([a-z])(?=(?:{_MONTH_TAILS})[a-z]?\.?$)",
        lambda m: f"{m[1]} {m[2].upper()}",
        text,
    )
    text = re.sub(rf"^(\d{{1,2}} {_MONTH})\.$", r"\1", text)  # "15 sept.": the month's abbreviation mark
    return re.sub(rf"^(\d{{1,2}})\.\s?(?=[A-Z](?:{_MONTH_TAILS})$)", r"\1 ", text)


# a bubble's footer line: its time, written as a clock, a day or relative to now ("3 mins ago", "now"),
# optionally followed by the group member's name after a dash or a dot ("9:03 am - ciacona")
_FOOTER_TIME: Final = re.compile(
    rf"^(?:(?:{_DAY},?\s)?{_CLOCK}|{_DAY}|\d{{1,2}}\s?(?:min|mins|minutes?|h|hrs?|hours?|days?)\s+ago|just now|now)$",
    re.IGNORECASE,
)
_FOOTER_SEPARATORS: Final = frozenset({"-", "\u2013", "\u2014", "\u00b7", "\u2022", "|"})


def _footer_mark(word: Word) -> bool:
    """An icon or a read tick beside a footer's time: no letter or digit, or at most two characters without
    a letter or read with less than full confidence ("Ov", "4", "@")."""
    return not any(ch.isalnum() for ch in word.text) or (
        len(word.text) <= 2 and (word.conf < 95 or not any(ch.isalpha() for ch in word.text))
    )


def footer(words: list[Word]) -> tuple[str, str | None] | None:
    """A bubble's last line when it is only its footer: icons and read ticks, the shown time (clock, day, or
    relative: "3 mins ago", "now") and, after a dash or a dot, the sender's name of a group chat, as
    ``(time, name or None)``; None when the line holds anything else (then it is text). A name holding a
    digit ("178 KiB", a file's size) is no name."""
    start, end = 0, len(words)
    while (
        start < end
        and _footer_mark(words[start])
        and not any(ch.isdigit() for ch in words[start].text)  # "3" of "3 mins ago"
    ):
        start += 1
    while end > start and _footer_mark(words[end - 1]) and not _FOOTER_TIME.match(words[end - 1].text):
        end -= 1
    kept = words[start:end]
    for cut in range(len(kept), 0, -1):
        shown = _text(kept[:cut])
        if not _FOOTER_TIME.match(shown):
            continue
        rest = kept[cut:]
        marked = start > 0 or end < len(words)
        if not rest and not marked and not re.search(r"\d", shown):
            return None  # "now" or "Tuesday" alone ends many a sentence: a footer needs its icon or ticks
        if not rest:
            return _clean_time(shown), None
        if rest[0].text in _FOOTER_SEPARATORS and 1 < len(rest) <= 4:
            name = _text(rest[1:])
            has_digit = any(ch.isdigit() for ch in name)
            return _clean_time(shown), (None if has_digit or not any(c.isalpha() for c in name) else name)
        return None
    return None
