"""The dates of a WhatsApp chat text (``importers/whatsapp.py``): day-first or month-first decided once for the
whole file, a prefix's date (in any calendar the phone writes, ``_whatsapp_calendars``) and 24-hour clock, and
the wall time placed in the phone's zone.

Not an importer (its name starts with ``_``, so the registry test does not expect it in ``REGISTRY``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from evidence.errors import InputError
from evidence.importers._whatsapp_calendars import ISLAMIC, ISLAMIC_READING, gregorian
from evidence.importers._whatsapp_lines import Message, Prefix
from evidence.timeutil import DstCase, localise_wall

ORDERS = ("DMY", "MDY", "YMD")
ORDER_WORDS = {"DMY": "day-first (DMY)", "MDY": "month-first (MDY)", "YMD": "year-first (YMD)"}


def plausible(p: Prefix) -> bool:
    """Whether some date order makes ``p`` a real date and time (the cheap test ``sniff`` uses)."""
    a, b, c = int(p.a), int(p.b), int(p.c)
    if p.year_first:
        date_ok = 1 <= b <= 12 and 1 <= c <= 31
    else:
        date_ok = 1 <= a <= 31 and 1 <= b <= 31 and min(a, b) <= 12
    return date_ok and prefix_clock(p) is not None


def prefix_clock(p: Prefix) -> tuple[int, int, int] | None:
    """Hour, minute, second on a 24 h clock, or None when the time is impossible."""
    hour = p.hour
    if p.marker is not None:
        if hour > 12:
            return None
        hour = hour % 12 + (12 if p.marker == "pm" else 0)
    second = p.second or 0
    if hour > 23 or p.minute > 59 or second > 59:
        return None
    return hour, p.minute, second


def prefix_date(p: Prefix, order: str) -> date | None:
    """The date of ``p`` read in ``order`` (a year-first date is always YMD), or None when impossible."""
    if p.year_first or order == "YMD":
        mo, d = p.b, p.c
    elif order == "DMY":
        d, mo = p.a, p.b
    else:
        mo, d = p.a, p.b
    if not p.year_first and order == "YMD":
        return None
    try:
        return gregorian(p.calendar(), p.year(), int(mo), int(d))
    except ValueError:
        return None


@dataclass(frozen=True)
class Order:
    """The date order of the year-last dates of a file, and why."""

    order: str | None  # None when every date is year-first
    source: str  # "user", "file"
    reason: str
    note: str | None = None  # why a --date-order given was not used for this file


def decide_order(messages: list[Message], given: str | None, path: str) -> Order:
    """Day-first or month-first for the whole file (see the docstring of ``importers/whatsapp.py``); raises when
    undecidable.

    What the file proves (a first field over 12 is a day, a second one a day) beats ``given``, with a note, so
    that one ``--date-order`` for a folder settles its ambiguous files without refusing the others; what the
    file only suggests (dots, a midnight crossing, chronology) gives way to ``given``.
    """
    year_last = [m for m in messages if not m.prefix.year_first]
    day_first = next((m for m in year_last if int(m.prefix.a) > 12), None)
    month_first = next((m for m in year_last if int(m.prefix.b) > 12), None)
    if not year_last:
        return Order(None, "file", "every date starts with its year")
    proven: Order | None = None
    if day_first is not None and month_first is None:
        proven = Order(
            "DMY",
            "file",
            f"line {day_first.line_no} has {day_first.prefix.date_text}, and {day_first.prefix.a} is no month",
        )
    elif month_first is not None and day_first is None:
        proven = Order(
            "MDY",
            "file",
            f"line {month_first.line_no} has {month_first.prefix.date_text}, and {month_first.prefix.b} is no month",
        )
    if given is not None:
        if proven is not None and proven.order != given:
            assert proven.order is not None
            misfit = (
                f"--date-order {given} does not fit this file ({proven.reason}); "
                f"read {ORDER_WORDS[proven.order]} as the file shows"
            )
            return Order(proven.order, "file", proven.reason, misfit)
        if given in ("DMY", "MDY"):
            return Order(given, "user", f"as given by --date-order {given}")
    if proven is not None:
        return proven
    if day_first is not None and month_first is not None:
        raise InputError(
            f"dates contradict each other: line {day_first.line_no} has {day_first.prefix.date_text} "
            f"(day-first) and line {month_first.line_no} has {month_first.prefix.date_text} (month-first)",
            path=path,
            hint="the file may join two exports; pass --date-order DMY or MDY to read it one way",
        )
    note = None if given is None else f"--date-order {given} does not fit dates written year-last"
    if all(int(m.prefix.a) == int(m.prefix.b) for m in year_last):
        return Order(
            "DMY", "file", "day and month are equal in every date, so either order reads the same", note
        )
    if all(m.prefix.sep == "." for m in year_last):
        return Order(
            "DMY", "file", "dates written with dots are day-first in every locale that writes them", note
        )
    backwards = {order: _jumps_back(year_last, order) for order in ("DMY", "MDY")}
    crossing = _midnight(year_last)
    if crossing is not None and backwards[crossing[0]] is None:  # a crossing that time runs back from is none
        return Order(crossing[0], "file", crossing[1], note)
    for order, other in (("DMY", "MDY"), ("MDY", "DMY")):
        jump = backwards[other]
        if backwards[order] is None and jump is not None:
            line_no, before, after = jump
            return Order(
                order,
                "file",
                f"read {ORDER_WORDS[other]}, line {line_no} would jump back in time from {before} to {after}",
                note,
            )
    example = year_last[0].prefix.date_text
    raise InputError(
        f"dates like {example} could be day-first or month-first and nothing in the file settles it",
        path=path,
        hint="pass --date-order DMY (31/12/21) or --date-order MDY (12/31/21), as the phone shows dates",
    )


def calendar_note(messages: list[Message]) -> str | None:
    """What the import says of a file dated in the Islamic calendar: which of its calendars was read."""
    years = sorted({m.prefix.year() for m in messages if m.prefix.calendar() == ISLAMIC})
    if not years:
        return None
    return (
        f"dates are in the Islamic calendar (year {years[0]} AH"
        + (f" to {years[-1]}" if len(years) > 1 else "")
        + f"), read as {ISLAMIC_READING}; a phone set to the civil Islamic calendar writes some dates a day "
        "or two apart: compare one message's date with the phone"
    )


# A midnight crossing counts only when the two messages are this close if the day stepped by one: a wrapped
# clock hours apart could as well be a month later at an earlier hour.
MIDNIGHT_GAP = timedelta(hours=3)


def _midnight(messages: list[Message]) -> tuple[str, str] | None:
    """The order the midnight crossings of the file agree on, and the first one as the reason; None when there
    is none, or they disagree.

    When the clock of the next message is earlier than the one before and the date changed, the field that
    stepped by one is the day: read in that order the two messages are a few minutes apart, read the other
    way they are a month apart.
    """
    votes: dict[str, tuple[int, str]] = {}
    for before, after in pairwise(messages):
        t1, t2 = prefix_clock(before.prefix), prefix_clock(after.prefix)
        if t1 is None or t2 is None or t2 >= t1 or before.prefix.date_text == after.prefix.date_text:
            continue
        gap = timedelta(hours=24 + t2[0] - t1[0], minutes=t2[1] - t1[1], seconds=t2[2] - t1[2])
        if gap > MIDNIGHT_GAP:
            continue
        steps = []
        for order in ("DMY", "MDY"):
            d1, d2 = prefix_date(before.prefix, order), prefix_date(after.prefix, order)
            if d1 is not None and d2 is not None and d2 - d1 == timedelta(days=1):
                steps.append(order)
        if len(steps) == 1:
            order = steps[0]
            field = "first" if order == "DMY" else "second"
            votes.setdefault(
                order,
                (
                    after.line_no,
                    f"the clock passes midnight between lines {before.line_no} and {after.line_no} "
                    f"({before.prefix.date_text} {before.prefix.time_text} to {after.prefix.date_text} "
                    f"{after.prefix.time_text}) and the {field} field steps by one: it is the day",
                ),
            )
    if len(votes) != 1:
        return None
    ((order, (_, reason)),) = votes.items()
    return order, reason


def _jumps_back(messages: list[Message], order: str) -> tuple[int, date, date] | None:
    """The first place where reading dates in ``order`` goes back more than a day, or None."""
    previous: date | None = None
    for m in messages:
        day = prefix_date(m.prefix, order)
        if day is None:
            continue
        if previous is not None and day < previous - timedelta(days=1):
            return m.line_no, previous, day
        previous = day
    return None


def locate(day: date, clock: tuple[int, int, int], tz: ZoneInfo) -> tuple[datetime, DstCase | None]:
    """The wall time ``day`` ``clock`` in ``tz``, and which DST case applied, if any."""
    wall = datetime(day.year, day.month, day.day, *clock)  # noqa: DTZ001 - a wall clock, given its zone next
    return localise_wall(wall, tz)
