"""The timeline: every record of a case in time order, the same message from two exports shown once.

Two backups taken weeks apart overlap: the same SMS is in both. On the timeline it is one entry that names
both sources (exhibit and locator), so counts are not inflated and the reader sees it was captured twice.
Only records that agree exactly are merged (same channel, direction, instant, parties, words, call status and
duration): a carrier's bill and the phone's own log of one call differ in detail and stay two corroborating
entries.

``build`` merges a list; ``stream`` does the same over records read in time order (a cursor), one instant at a
time, so a case of a million records is shown without holding them all: copies of one message share their
instant (it is part of what must agree), so no merge reaches across two instants, and the order within an
instant is the one ``build`` gives.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from evidence.errors import CaseError
from evidence.models import Record

_SEPARATORS = re.compile(r"[\s\-().]")
# Two files' records of one event (a call in the handset's log and the carrier's bill) less than this apart are
# one event when their keys agree (``corroborating``); the statistics pair attempts with the same window.
COPY_WINDOW = timedelta(seconds=60)


@dataclass(frozen=True)
class Source:
    """Where one copy of a timeline entry came from."""

    record_id: str
    exhibit: str | None
    locator: str
    item_sha256: str

    def to_json(self) -> dict[str, Any]:
        """As JSON."""
        return {
            "record_id": self.record_id,
            "exhibit": self.exhibit,
            "locator": self.locator,
            "item_sha256": self.item_sha256,
        }


@dataclass(frozen=True)
class TimelineEntry:
    """One record on the timeline, with every source it was found in (the first is the record shown)."""

    record: Record
    sources: tuple[Source, ...]

    def to_json(self) -> dict[str, Any]:
        """The keys ``timeline --json`` prints for one entry."""
        rec = self.record
        data = rec.to_json()
        data.pop("raw", None)
        data["occurred_at"] = rec.occurred_at.isoformat()
        data["exhibit"] = self.sources[0].exhibit
        data["sources"] = [s.to_json() for s in self.sources]
        return data


def normalised_party(value: str | None) -> str | None:
    """A sender or recipient as written, without separators and case: "07700 900-123" is "07700900123"."""
    return _SEPARATORS.sub("", value).casefold() if value else value


_party = normalised_party  # the name evidence.analysis.stats imports


# A record that stands for its whole file (a picture, a recording) is that file: two different files are two
# exhibits however alike they read (two screenshots with the same text and time must not become one entry).
WHOLE_ITEM_LOCATORS = frozenset({"image", "recording"})


def dedupe_key(record: Record) -> tuple[Any, ...]:
    """What two copies of one message have in common, exactly."""
    return (
        record.item_sha256 if record.locator in WHOLE_ITEM_LOCATORS else None,
        record.channel.value,
        record.direction.value,
        record.occurred_at.timestamp(),
        normalised_party(record.sender),
        tuple(sorted(normalised_party(r) or "" for r in record.recipients)),
        record.subject,
        record.text,
        record.status,
        record.duration_s,
    )


def build(records: list[Record], exhibits: dict[str, str]) -> list[TimelineEntry]:
    """Merge exact duplicates across items and order by time; ``exhibits`` maps item SHA-256 to exhibit number."""
    merged: dict[tuple[Any, ...], list[Record]] = {}
    for record in records:
        merged.setdefault(dedupe_key(record), []).append(record)
    entries: list[TimelineEntry] = []
    for copies in merged.values():
        sources = tuple(
            Source(r.id, exhibits.get(r.item_sha256), r.locator, r.item_sha256)
            for r in sorted(copies, key=lambda r: (exhibits.get(r.item_sha256) or "", r.locator))
        )
        # Copies inside one item are separate messages (someone sent the same words twice at once): keep them.
        if len({s.item_sha256 for s in sources}) < len(sources):
            entries.extend(
                TimelineEntry(r, (Source(r.id, exhibits.get(r.item_sha256), r.locator, r.item_sha256),))
                for r in copies
            )
            continue
        first = next(r for r in copies if r.id == sources[0].record_id)
        entries.append(TimelineEntry(first, sources))
    entries.sort(
        key=lambda e: (e.record.occurred_at.timestamp(), e.sources[0].exhibit or "", e.record.locator)
    )
    return entries


def stream(records: Iterable[Record], exhibits: dict[str, str]) -> Iterator[TimelineEntry]:
    """``build`` over ``records`` already in time order, entry by entry: the records of one instant are merged
    as ``build`` merges them and yielded before the next instant is read (see the module docstring)."""
    group: list[Record] = []
    instant = 0.0
    for record in records:
        moment = record.occurred_at.timestamp()
        if group and moment != instant:
            if (
                moment < instant
            ):  # only an index edited by hand is out of order (its times are UTC, one format)
                raise CaseError(
                    f"the case's index is damaged (record {record.id} is out of time order): run 'evidence verify'"
                )
            yield from build(group, exhibits)
            group = []
        group.append(record)
        instant = moment
    if group:
        yield from build(group, exhibits)


def corroborating(
    entries: Sequence[TimelineEntry],
    key: Callable[[TimelineEntry], Hashable | None],
    *,
    window: timedelta = COPY_WINDOW,
) -> dict[int, int]:
    """The entries of ``entries`` (in time order) that are another file's record of an earlier entry's event:
    copy index -> the index of the entry shown.

    Two entries are one event when ``key`` gives both the same value (``None``: never paired), they are less
    than ``window`` apart, and no file holds both (one file's two records are two events, as in ``build``). An
    event may be in several files (log, bill, a screenshot of the call list): each further file's record
    joins it, at most one per file.
    """
    groups: list[tuple[float, Hashable, set[str], int]] = []  # first time, key, files, index shown
    found: dict[int, int] = {}
    for i, entry in enumerate(entries):
        value = key(entry)
        if value is None:
            continue
        moment = entry.record.occurred_at.timestamp()
        items = {s.item_sha256 for s in entry.sources}
        match = None
        for first, other, files, shown in reversed(groups):
            if moment - first >= window.total_seconds():
                break  # the groups are in time order: every earlier one is further away
            if other == value and not items & files:
                files.update(items)
                match = shown
                break
        if match is None:
            groups.append((moment, value, items, i))
        else:
            found[i] = match
    return found
