"""Choosing timeline entries: by person, channel, direction and a date range in the case zone."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, tzinfo

from evidence.analysis.people import Resolver
from evidence.timeline import TimelineEntry


def select(
    entries: Iterable[TimelineEntry],
    tz: tzinfo,
    *,
    resolver: Resolver | None = None,
    person: str | None = None,
    channels: Iterable[str] = (),
    direction: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> list[TimelineEntry]:
    """The entries that pass every filter given; ``since`` and ``until`` are inclusive days of the case zone;
    ``person`` keeps entries where the person is the sender or a recipient (needs ``resolver``)."""
    wanted = {c.casefold() for c in channels}
    chosen: list[TimelineEntry] = []
    for entry in entries:
        rec = entry.record
        day = rec.occurred_at.astimezone(tz).date()
        if since is not None and day < since:
            continue
        if until is not None and day > until:
            continue
        if wanted and rec.channel.value not in wanted:
            continue
        if direction is not None and rec.direction.value != direction:
            continue
        if person is not None:
            assert resolver is not None
            if person.casefold() not in {p.casefold() for p in resolver.parties(rec)}:
                continue
        chosen.append(entry)
    return chosen
