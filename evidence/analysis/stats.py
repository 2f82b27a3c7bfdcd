"""Counts of contact attempts: per day and ISO week, per channel, identity and person, bursts, gaps.

**What counts as an attempt.** A record whose direction is ``incoming`` (towards the case's owner: calls of
every status, including missed, rejected and blocked ones the phone still logged, texts, MMS), plus a record
whose direction is ``unknown`` but whose sender is an identifier linked to a person with the role
``respondent`` (chat exports and mailboxes often do not say which way a message went; a message sent *by* the
respondent's own identifier is taken as towards the owner). Outgoing records, diary entries, screenshots and
records without a linked respondent sender and no direction are not attempts, nor are messages marked
``date_unknown`` (read from a screenshot that shows no date for them). Caution: a chat between the
respondent and a third party (a relayed message) counts too when the respondent's chat name is linked; link
chat names with that in mind.

**Copies are counted once.** The same call in the phone's log and in the carrier's bill are two timeline
entries (they corroborate each other) but one attempt: two attempts of one channel from one identifier, read
from different files and less than 60 seconds apart, are paired (each at most once) and counted as one.

**Days and weeks** are the case zone's calendar days (``Europe/London``: a call at 00:55 GMT on 29 March and one
at 02:05 BST are both on 29 March, ten minutes apart) and ISO weeks (``2026-W13``).

**Bursts:** at least 5 attempts (``BURST_MIN``) with no gap longer than 10 minutes (``BURST_GAP``) between
consecutive ones, on any channel and from any identifier (withheld ones included), across midnight too.

**Days with contact** run from the no-contact date (the genesis ``no_contact_since``; else ``--since``; else
the first attempt) to the day of the last attempt, inclusive. **Gaps** are the longest silences between
consecutive attempts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from itertools import pairwise
from typing import Any

from evidence.analysis.people import Resolver
from evidence.models import Direction, Record
from evidence.timeline import TimelineEntry

# The records that can be attempts, as an SQL condition over the index's ``records`` rows (their stored JSON,
# what the timeline reads): only incoming ones and those of unknown direction are. Exact, not an estimate:
# copies on the timeline are merged only when their directions agree, so leaving the others out changes no
# entry that stays, and ``is_attempt`` decides the rest record by record.
# A message no screen dated (``raw.date_unknown``) is no attempt either, and is left out here too: the records are
# read without ``raw``, so ``attempts`` could not see the mark.
CANDIDATES = (
    "json_extract(json, '$.direction') IN ('incoming', 'unknown') "
    "AND IFNULL(json_extract(json, '$.raw.date_unknown'), 0) = 0"
)

BURST_MIN = 5
BURST_GAP = timedelta(minutes=10)
COPY_WINDOW = timedelta(seconds=60)
WITHHELD = "(withheld)"
NOT_READ = "(sender not read)"  # no sender at all: e.g. a screenshot whose header could not be read
TOP_GAPS = 5


@dataclass(frozen=True)
class Attempt:
    """One contact attempt: the timeline entry shown, its copies in other files, who it came from."""

    entry: TimelineEntry
    copies: tuple[TimelineEntry, ...]
    identity: str  # the normalised sender, (withheld), or (sender not read)
    person: str | None

    @property
    def record(self) -> Record:
        """The record shown."""
        return self.entry.record

    @property
    def at(self) -> datetime:
        """When it happened."""
        return self.entry.record.occurred_at


def is_attempt(record: Record, resolver: Resolver) -> bool:
    """Whether ``record`` is a contact attempt (see the module docstring)."""
    if record.direction == Direction.INCOMING:
        return True
    if record.direction == Direction.UNKNOWN:
        return resolver.role(resolver.sender(record)) == "respondent"
    return False


def attempts(entries: Iterable[TimelineEntry], resolver: Resolver) -> list[Attempt]:
    """Every attempt in time order, copies from other files counted once."""
    found: list[Attempt] = []
    for entry in entries:
        record = entry.record
        if not is_attempt(record, resolver) or record.raw.get("date_unknown"):
            continue  # a message whose date no screen showed (a screenshot's) is counted on no day
        ident, person = resolver.identify(record.sender)
        if ident is not None:
            identity = ident.value
        else:  # a hidden caller says so; a record with no sender at all is not a withheld number
            identity = WITHHELD if (record.sender or "").strip() else NOT_READ
        found.append(Attempt(entry, (), identity, person))
    found.sort(key=lambda a: a.at)
    merged: list[Attempt] = []
    for attempt in found:
        match = _copy_of(merged, attempt)
        if match is None:
            merged.append(attempt)
        else:
            original = merged[match]
            merged[match] = Attempt(
                original.entry, (*original.copies, attempt.entry), original.identity, original.person
            )
    return merged


def _copy_of(merged: list[Attempt], attempt: Attempt) -> int | None:
    items = {s.item_sha256 for s in attempt.entry.sources}
    for i in range(len(merged) - 1, -1, -1):
        other = merged[i]
        if attempt.at - other.at >= COPY_WINDOW:
            return None
        if (
            not other.copies
            and other.identity == attempt.identity
            and other.record.channel == attempt.record.channel
            and not items & {s.item_sha256 for s in other.entry.sources}
        ):
            return i
    return None


def iso_week(day: date) -> str:
    """``2026-W13``."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _local(moment: datetime, tz: tzinfo) -> str:
    return moment.astimezone(tz).isoformat()


def bursts(
    found: list[Attempt], *, minimum: int = BURST_MIN, gap: timedelta = BURST_GAP
) -> list[list[Attempt]]:
    """Runs of at least ``minimum`` attempts with no gap longer than ``gap``."""
    runs: list[list[Attempt]] = []
    current: list[Attempt] = []
    for attempt in found:
        if current and attempt.at - current[-1].at > gap:
            runs.append(current)
            current = []
        current.append(attempt)
    runs.append(current)
    return [run for run in runs if len(run) >= minimum]


def compute(
    entries: Iterable[TimelineEntry],
    resolver: Resolver,
    tz: tzinfo,
    *,
    no_contact_since: date | None = None,
    since: date | None = None,
    person: str | None = None,
) -> dict[str, Any]:
    """The statistics as one JSON-ready dictionary (times in the case zone, with their offsets)."""
    found = attempts(entries, resolver)
    if since is not None:
        found = [a for a in found if a.at.astimezone(tz).date() >= since]
    if person is not None:
        found = [a for a in found if a.person is not None and a.person.casefold() == person.casefold()]
    days = Counter(a.at.astimezone(tz).date() for a in found)
    result: dict[str, Any] = {
        "definitions": {
            "attempt": "incoming records, plus records of unknown direction sent by a respondent's identifier",
            "copies": f"the same attempt in two files less than {COPY_WINDOW.seconds} s apart counts once",
            "burst": f"at least {BURST_MIN} attempts with no gap over {BURST_GAP.seconds // 60} minutes",
        },
        "person": person,
        "since": since.isoformat() if since else None,
        "attempts": len(found),
        "first": _local(found[0].at, tz) if found else None,
        "last": _local(found[-1].at, tz) if found else None,
        "per_day": {d.isoformat(): n for d, n in sorted(days.items())},
        "per_week": dict(sorted(Counter(iso_week(d) for d in days.elements()).items())),
        "per_channel": dict(sorted(Counter(a.record.channel.value for a in found).items())),
        "per_identity": dict(sorted(Counter(a.identity for a in found).items())),
        "per_person": dict(sorted(Counter(a.person or "(nobody linked)" for a in found).items())),
        "no_contact_since": no_contact_since.isoformat() if no_contact_since else None,
        "attempts_since_no_contact": (
            sum(1 for a in found if a.at.astimezone(tz).date() >= no_contact_since)
            if no_contact_since
            else None
        ),
    }
    start = no_contact_since or since or (min(days) if days else None)
    if start is not None and days:
        end = max(days)
        span = (end - start).days + 1
        contact = sum(1 for d in days if start <= d <= end)
        result["days"] = {
            "from": start.isoformat(),
            "to": end.isoformat(),
            "days": span,
            "with_contact": contact,
        }
    else:
        result["days"] = None
    result["bursts"] = [
        {
            "start": _local(run[0].at, tz),
            "end": _local(run[-1].at, tz),
            "attempts": len(run),
            "minutes": int((run[-1].at - run[0].at).total_seconds() // 60),
            "across_midnight": run[0].at.astimezone(tz).date() != run[-1].at.astimezone(tz).date(),
            "per_channel": dict(sorted(Counter(a.record.channel.value for a in run).items())),
            "per_identity": dict(sorted(Counter(a.identity for a in run).items())),
        }
        for run in bursts(found)
    ]
    gaps = sorted(
        ((b.at - a.at, a, b) for a, b in pairwise(found)),
        key=lambda g: g[0],
        reverse=True,
    )
    result["gaps"] = [
        {"from": _local(a.at, tz), "to": _local(b.at, tz), "hours": int(length.total_seconds() // 3600)}
        for length, a, b in gaps[:TOP_GAPS]
    ]
    return result
