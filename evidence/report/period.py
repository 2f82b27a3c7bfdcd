"""The period a report covers, and what it is made of (issue 14: "Period covered" ran from a 2024 chat that
predates the case, and said nothing of where its ends came from).

The period is the first and the last record shown, each named by its exhibit and locator; records before the
no-contact date are counted apart, with the exhibits they come from (a friend's older chat, the start of a
conversation), so a reader sees at once which material predates the complaint; and each exhibit's own first
and last record is listed.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, tzinfo
from typing import Any

from evidence.timeline import TimelineEntry


def _day(entry: TimelineEntry, tz: tzinfo) -> date:
    return entry.record.occurred_at.astimezone(tz).date()


def _where(entry: TimelineEntry) -> str:
    source = entry.sources[0]
    return f"{source.exhibit or '?'} {source.locator}"


def covered(timeline: list[TimelineEntry], tz: tzinfo, no_contact: Any) -> str:
    """The cover's "Period covered": first and last record with where each is, and the records before the
    no-contact date apart (how many, from which exhibits, from when to when)."""
    if not timeline:
        return "no records"
    first, last = timeline[0], timeline[-1]
    text = (
        f"{_day(first, tz).isoformat()} to {_day(last, tz).isoformat()}: from the first record shown "
        f"({_where(first)}) to the last ({_where(last)})"
    )
    try:
        since = date.fromisoformat(str(no_contact)) if no_contact else None
    except ValueError:
        since = None
    if since is None:
        return text
    before = [e for e in timeline if _day(e, tz) < since]
    after = len(timeline) - len(before)
    if not before:
        return text + f". Every record is on or after the no-contact date, {since.isoformat()}"
    per = Counter(e.sources[0].exhibit or "?" for e in before)
    which = ", ".join(f"{ex} ({n})" for ex, n in sorted(per.items()))
    return text + (
        f". Before the no-contact date, {since.isoformat()}: {len(before)} record(s), "
        f"{_day(before[0], tz).isoformat()} to {_day(before[-1], tz).isoformat()}, in {which}; "
        f"on or after it: {after} record(s)"
        + (f", {_day(next(e for e in timeline if _day(e, tz) >= since), tz).isoformat()} to "
           f"{_day(last, tz).isoformat()}" if after else "")
    )  # fmt: skip


def per_exhibit(timeline: list[TimelineEntry], tz: tzinfo) -> str:
    """One line per exhibit shown: its number, first and last record's day and how many records."""
    spans: dict[str, list[TimelineEntry]] = {}
    for entry in timeline:
        spans.setdefault(entry.sources[0].exhibit or "?", []).append(entry)
    lines = []
    for exhibit, entries in sorted(spans.items()):
        start, end = _day(entries[0], tz), _day(entries[-1], tz)
        span = start.isoformat() if start == end else f"{start.isoformat()} to {end.isoformat()}"
        lines.append(f"{exhibit}: {span} ({len(entries)} record{'s' if len(entries) != 1 else ''})")
    return "\n".join(lines)
