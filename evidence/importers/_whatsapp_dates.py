"""The dates of a WhatsApp chat text (``importers/whatsapp.py``): day-first or month-first decided once for the
whole file, a prefix's date and 24-hour clock, and the wall time placed in the phone's zone.

Not an importer (its name starts with ``_``, so the registry test does not expect it in ``REGISTRY``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from evidence.errors import InputError
from evidence.importers._whatsapp_lines import Message, Prefix
from evidence.timeutil import DstCase, localise_wall

ORDERS = ("DMY", "MDY", "YMD")
ORDER_WORDS = {"DMY": "day-first (DMY)", "MDY": "month-first (MDY)", "YMD": "year-first (YMD)"}


def plausible(p: Prefix) -> bool:
    """Whether some date order makes ``p`` a real date and time (the cheap test ``sniff`` uses)."""
    a, b, c = int(p.a), int(p.b), int(p.c)
    if len(p.a) == 4:
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
    """The date of ``p`` read in ``order``, or None when that order makes it impossible."""
    if order == "YMD":
        y, mo, d = p.a, p.b, p.c
    elif order == "DMY":
        d, mo, y = p.a, p.b, p.c
    else:
        mo, d, y = p.a, p.b, p.c
    year = int(y) + (2000 if len(y) == 2 else 0)
    try:
        return date(year, int(mo), int(d))
    except ValueError:
        return None


@dataclass(frozen=True)
class Order:
    """The date order of the year-last dates of a file, and why."""

    order: str | None  # None when every date is year-first
    source: str  # "user", "file"
    reason: str


def decide_order(messages: list[Message], given: str | None, path: str) -> Order:
    """Day-first or month-first for the whole file (see the docstring of ``importers/whatsapp.py``); raises when
    undecidable."""
    year_last = [m for m in messages if len(m.prefix.a) != 4]
    day_first = next((m for m in year_last if int(m.prefix.a) > 12), None)
    month_first = next((m for m in year_last if int(m.prefix.b) > 12), None)
    if given is not None:
        # The user's word settles what the file cannot, but not what the file plainly contradicts.
        misfit: tuple[Message, str] | None = None
        if given == "DMY" and month_first is not None and day_first is None:
            misfit = month_first, "MDY"
        elif given == "MDY" and day_first is not None and month_first is None:
            misfit = day_first, "DMY"
        elif given == "YMD":
            year_last_4 = next((m for m in year_last if len(m.prefix.c) == 4), None)
            if year_last_4 is not None:
                misfit = year_last_4, "DMY or MDY"
        if misfit is not None:
            bad, fits = misfit
            raise InputError(
                f"--date-order {given} does not fit this file: line {bad.line_no} has "
                f"{bad.prefix.date_text}, which only reads as {fits}",
                path=path,
                hint=f"leave --date-order out, or give {fits}",
            )
        return Order(given, "user", f"as given by --date-order {given}")
    if not year_last:
        return Order(None, "file", "every date starts with a 4-digit year")
    if day_first is not None and month_first is not None:
        raise InputError(
            f"dates contradict each other: line {day_first.line_no} has {day_first.prefix.date_text} "
            f"(day-first) and line {month_first.line_no} has {month_first.prefix.date_text} (month-first)",
            path=path,
            hint="the file may join two exports; pass --date-order DMY or MDY to read it one way",
        )
    if day_first is not None:
        return Order(
            "DMY",
            "file",
            f"line {day_first.line_no} has {day_first.prefix.date_text}, and {day_first.prefix.a} is no month",
        )
    if month_first is not None:
        return Order(
            "MDY",
            "file",
            f"line {month_first.line_no} has {month_first.prefix.date_text}, and {month_first.prefix.b} is no month",
        )
    if all(int(m.prefix.a) == int(m.prefix.b) for m in year_last):
        return Order("DMY", "file", "day and month are equal in every date, so either order reads the same")
    if all(m.prefix.sep == "." for m in year_last):
        return Order("DMY", "file", "dates written with dots are day-first in every locale that writes them")
    backwards = {order: _jumps_back(year_last, order) for order in ("DMY", "MDY")}
    for order, other in (("DMY", "MDY"), ("MDY", "DMY")):
        jump = backwards[other]
        if backwards[order] is None and jump is not None:
            line_no, before, after = jump
            return Order(
                order,
                "file",
                f"read {ORDER_WORDS[other]}, line {line_no} would jump back in time from {before} to {after}",
            )
    example = year_last[0].prefix.date_text
    raise InputError(
        f"dates like {example} could be day-first or month-first and nothing in the file settles it",
        path=path,
        hint="pass --date-order DMY (31/12/21) or --date-order MDY (12/31/21), as the phone shows dates",
    )


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
