"""The timeline's per-day chart: contact attempts per day as server-drawn SVG bars, the days of a burst marked,
the no-contact day drawn as a line, the bursts in words, and the same numbers as a table (the chart's text
alternative).

The counting is the library's (``evidence.analysis.stats``: what an attempt is, copies counted once, bursts of
``BURST_MIN`` attempts with no gap over ``BURST_GAP``, days of the case's zone, as ``evidence stats`` gives
them); this module only lays the result out. The page's Content-Security-Policy forbids inline style, so the
SVG uses attributes and classes only (``static/timeline.css``).

The chart covers the days from the first to the last attempt, or the dates chosen in the filters, widened to the
no-contact day when it is close; at most ``MAX_DAYS`` days (the last ones): a sentence says so, and the table
of days still lists every day with an attempt.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from evidence.analysis import stats

MAX_DAYS = 366
DAY_WIDTH = 10  # SVG units per day; a bar is 8 wide with a unit of space each side
HEIGHT = 100  # SVG units; the tallest bar is TOP high
TOP = 92
MIN_BAR = 3  # a day with one attempt among days of hundreds still shows
MIN_VIEW_DAYS = 31  # a chart of a few days is drawn in the middle of a month-wide frame, not stretched
MIN_BAR_SHARE = 150
MAX_BURSTS = 100  # listed in words; the chart marks every one


def long_day(day: date) -> str:
    """``14 March 2026``."""
    return f"{day.day} {day.strftime('%B')} {day.year}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


@dataclass(frozen=True)
class Bar:
    """One day's bar: where it stands in the SVG's units, and its words."""

    x: int
    y: int
    width: int
    height: int
    burst: bool
    title: str


@dataclass(frozen=True)
class Burst:
    """One burst in words, with the days it runs over (to link to the timeline of those days)."""

    first_day: date
    last_day: date
    words: str


def burst_words(burst: dict[str, Any]) -> Burst:
    """A burst of ``stats.summary`` as "14 March 2026: 37 attempts in 52 minutes, 21:04+00:00 – 21:56+00:00"
    (both days written out when it runs across midnight)."""
    start, end = datetime.fromisoformat(burst["start"]), datetime.fromisoformat(burst["end"])
    minutes = int(burst["minutes"])
    within = "in less than a minute" if minutes == 0 else f"in {_plural(minutes, 'minute')}"
    attempts = _plural(int(burst["attempts"]), "attempt")

    def clock(moment: datetime) -> str:  # with the seconds when it all happened within a minute
        return moment.strftime("%H:%M:%S" if minutes == 0 else "%H:%M") + moment.isoformat()[-6:]

    if start.date() == end.date():
        words = f"{long_day(start.date())}: {attempts} {within}, {clock(start)} – {clock(end)}"
    else:
        words = (
            f"{long_day(start.date())} {clock(start)} – {long_day(end.date())} {clock(end)}: "
            f"{attempts} {within}"
        )
    return Burst(start.date(), end.date(), words)


def _span(
    per_day: dict[date, int], since: date | None, until: date | None, no_contact: date | None
) -> tuple[date, date]:
    first, last = since or min(per_day), until or max(per_day)
    if (
        no_contact is not None
        and since is None
        and no_contact < first
        and (last - no_contact).days < MAX_DAYS
    ):
        first = no_contact  # the day they were asked to stop, and the silence (or not) after it
    if (
        no_contact is not None
        and until is None
        and last < no_contact
        and (no_contact - first).days < MAX_DAYS
    ):
        last = no_contact
    return first, last


def chart(
    result: dict[str, Any],
    *,
    since: date | None,
    until: date | None,
    no_contact: date | None,
    day_link: Callable[[date, date], str],
) -> dict[str, Any] | None:
    """What the template draws for a ``stats.summary`` result (None when there is no attempt): the SVG's width,
    bars and no-contact line, a caption, the bursts in words with a link each (``day_link(first, last)``), the
    table of days, and the notes on what the chart leaves out."""
    per_day = {date.fromisoformat(d): n for d, n in result["per_day"].items()}
    if not per_day:
        return None
    first, last = _span(per_day, since, until, no_contact)
    notes = []
    if (last - first).days + 1 > MAX_DAYS:
        cut = last - timedelta(days=MAX_DAYS - 1)
        notes.append(
            f"The chart shows the last {MAX_DAYS} days, from {long_day(cut)}. Choose dates in the filters to see "
            "earlier days; the table below lists every day."
        )
        first = cut
    days = (last - first).days + 1
    frame = max(days + 2, MIN_VIEW_DAYS)  # a day's space at each end at least, clear of the frame's border
    offset = (frame - days) // 2
    in_burst = stats.burst_days(result)
    shown = {d: n for d, n in per_day.items() if first <= d <= last}
    highest = max(shown.values(), default=1)
    # A bar is at least 1/MIN_BAR_SHARE of the chart wide, centred on its day: one day among a year's still
    # shows on a phone (its neighbours' bars may then overlap it; each keeps its own title).
    width = max(DAY_WIDTH - 2, frame * DAY_WIDTH // MIN_BAR_SHARE)
    bars = []
    for i in range(days):
        day = first + timedelta(days=i)
        n = per_day.get(day, 0)
        if n == 0:
            continue
        height = max(MIN_BAR, round(TOP * n / highest))
        burst = day in in_burst
        bars.append(
            Bar(
                x=min(
                    max(0, (offset + i) * DAY_WIDTH + DAY_WIDTH // 2 - width // 2), frame * DAY_WIDTH - width
                ),
                y=HEIGHT - height,
                width=width,
                height=height,
                burst=burst,
                title=f"{long_day(day)}: {_plural(n, 'contact attempt')}" + (" (a burst)" if burst else ""),
            )
        )
    line = None
    if no_contact is not None:
        if first <= no_contact <= last:
            line = (offset + (no_contact - first).days) * DAY_WIDTH
            notes.append(f"The dashed line is {long_day(no_contact)}, the day you asked them to stop.")
        else:
            where = "before the first" if no_contact < first else "after the last"
            notes.append(f"You asked them to stop on {long_day(no_contact)}, {where} day shown.")
    caption = f"Contact attempts per day, {long_day(first)} to {long_day(last)}: "
    if shown:
        busiest = max(shown.items(), key=lambda item: (item[1], -item[0].toordinal()))
        caption += (
            f"{_plural(sum(shown.values()), 'attempt')} on {_plural(len(shown), 'day')}; "
            f"the most on one day: {busiest[1]} ({long_day(busiest[0])})."
        )
    else:
        caption += "none on these days."
    if len(shown) < len(per_day):
        caption += (
            f" In all, {_plural(int(result['attempts']), 'attempt')} on {_plural(len(per_day), 'day')}."
        )
    bursts = [burst_words(b) for b in result["bursts"][:MAX_BURSTS]]
    if len(result["bursts"]) > MAX_BURSTS:
        notes.append(
            f"The first {MAX_BURSTS} of {len(result['bursts'])} bursts are listed below; choose dates in the "
            "filters to see the others."
        )
    return {
        "width": frame * DAY_WIDTH,
        "height": HEIGHT,
        "bars": bars,
        "no_contact_x": line,
        "caption": caption,
        "notes": notes,
        "bursts": [{"words": b.words, "href": day_link(b.first_day, b.last_day)} for b in bursts],
        "table": [
            {"day": long_day(d), "href": day_link(d, d), "attempts": n, "burst": d in in_burst}
            for d, n in sorted(per_day.items())
        ],
        "definition": result["definitions"]["burst"],
    }
