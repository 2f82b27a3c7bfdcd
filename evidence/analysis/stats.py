"""Counts of contact attempts: per day and ISO week, per channel, identity and person, bursts, gaps.

**What counts as an attempt.** Directions and senders are those the case's facts settle
(``evidence.analysis.sides``: the report's, the timeline's and the app's too; ``compute`` is given settled
entries, ``compute_rows`` settles each row with the same ``Sides.settle``). A record whose direction is
``incoming`` (towards the case's owner: calls of every status, including missed, rejected and blocked ones the
phone still logged, texts, MMS), plus a record
whose direction is ``unknown`` but whose sender is an identifier linked to a person with the role
``respondent`` (chat exports and mailboxes often do not say which way a message went; a message sent *by* the
respondent's own identifier is taken as towards the owner). Outgoing records, diary entries, screenshots and
records without a linked respondent sender and no direction are not attempts, nor are records whose day is not
known (:func:`undated`: messages marked ``date_unknown``, read from a screenshot that shows no date for them, and
records whose only time is the import's, ``time_source`` ``acquired``: an e-mail with neither a Date nor a
Received header, a recording with no time in it). Caution: a chat between the
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

**Two ways in, one answer.** :func:`compute` counts over timeline entries (what a report holds);
:func:`compute_rows` over the index's candidate rows read narrow (``actions/query.stats``: no record or timeline
entry built, ``timeline.build``'s merge and order done on the rows), several times faster on a large case. A test
keeps the two equal on a case with copies, outgoing records and records of unknown direction.
"""

from __future__ import annotations

import heapq
import json
from collections import Counter, deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, TypeVar

from evidence.analysis.people import Resolver
from evidence.errors import CaseError
from evidence.models import Direction, Record, TimeSource
from evidence.timeline import WHOLE_ITEM_LOCATORS, TimelineEntry
from evidence.timeline import _party as party

if TYPE_CHECKING:
    from evidence.analysis.sides import Sides

# The records that can be attempts, as an SQL condition over the index's ``records_counted`` rows (the counted
# fields of each record as columns: ``evidence.case.counted``): only incoming ones and those of unknown direction
# are. Exact, not an estimate: copies on the timeline are merged only when their directions agree, so leaving
# the others out changes no entry that stays, and ``is_attempt`` decides the rest record by record.
# A record whose day is not known (``raw.date_unknown``: a message no screen dated; or a record whose only time
# is the import's) is no attempt either, and is left out here too (``dated``).
CANDIDATES = "dated = 1 AND direction IN ('incoming', 'unknown')"

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

    @property
    def channel(self) -> str:
        """The channel of the record shown (``call``, ``sms``, ...)."""
        return self.entry.record.channel.value


class Counted(Protocol):
    """What the counts read of an attempt: an :class:`Attempt`, or one read from the index's rows
    (:class:`RowAttempt`)."""

    @property
    def at(self) -> datetime: ...

    @property
    def channel(self) -> str: ...

    @property
    def identity(self) -> str: ...

    @property
    def person(self) -> str | None: ...


_A = TypeVar("_A", bound=Counted)


def is_attempt(record: Record, resolver: Resolver) -> bool:
    """Whether ``record`` is a contact attempt (see the module docstring)."""
    if record.direction == Direction.INCOMING:
        return True
    if record.direction == Direction.UNKNOWN:
        return resolver.role(resolver.sender(record)) == "respondent"
    return False


def undated(record: Record) -> bool:
    """Whether the day ``record`` happened on is not known: a message no screen dated (``raw.date_unknown``,
    kept at the screenshot's time for its order only), or a record whose only time is the import's
    (``TimeSource.ACQUIRED``). Such a record is counted on no day, in no burst and in no gap."""
    return bool(record.raw.get("date_unknown")) or record.time_source is TimeSource.ACQUIRED


def attempts(entries: Iterable[TimelineEntry], resolver: Resolver) -> list[Attempt]:
    """Every attempt in time order, copies from other files counted once."""
    found: list[Attempt] = []
    for entry in entries:
        record = entry.record
        if not is_attempt(record, resolver) or undated(record):
            continue  # a record whose day is not known is counted on no day
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


class IndexRow(NamedTuple):
    """One record of the index as the counts read it: a row of ``records_counted`` (``evidence.case.counted``)
    that can be an attempt (``CANDIDATES``)."""

    id: str
    item_sha256: str
    locator: str
    occurred_at: datetime
    channel: str
    direction: str
    sender: str | None
    recipients: str  # the JSON array as stored: parsed (``recipients``) only for the few rows that need it
    content: bytes  # the digest of subject, text, status and duration (``counted.content_digest``)
    has_header: bool = False  # the screen's header was read (``raw.header``): its messages keep their sender


def recipients(row: IndexRow) -> tuple[str, ...]:
    """The row's recipients; a stored value that is not a JSON list is a ``CaseError`` naming the record."""
    try:
        value = json.loads(row.recipients)
        return tuple(value or ())
    except (ValueError, TypeError, RecursionError):
        raise CaseError(
            f"the case's index is damaged (record {row.id} is not a record): run 'evidence verify'"
        ) from None


@dataclass(slots=True)
class RowAttempt:
    """An attempt read from index rows: when, on which channel, from whom, from which files."""

    at: datetime
    channel: str
    identity: str
    person: str | None
    items: frozenset[str]
    copied: bool = False


def _key(row: IndexRow) -> tuple[Any, ...]:
    # ``timeline.dedupe_key`` of the row's record (subject, text, status and duration as their digest).
    return (
        row.item_sha256 if row.locator in WHOLE_ITEM_LOCATORS else None,
        row.channel,
        row.direction,
        row.occurred_at.timestamp(),
        party(row.sender),
        tuple(sorted(party(r) or "" for r in recipients(row))),
        row.content,
    )


def _entries(group: list[IndexRow], exhibits: dict[str, str]) -> list[tuple[IndexRow, frozenset[str]]]:
    """``timeline.build`` of one instant's rows: each entry's row shown and the files of its copies, in order."""
    if len(group) == 1:  # nearly every instant: nothing to merge
        return [(group[0], frozenset((group[0].item_sha256,)))]
    merged: dict[tuple[Any, ...], list[IndexRow]] = {}
    for row in group:
        merged.setdefault(_key(row), []).append(row)
    entries: list[tuple[str, str, IndexRow, frozenset[str]]] = []
    for copies in merged.values():
        ordered = sorted(copies, key=lambda r: (exhibits.get(r.item_sha256) or "", r.locator))
        items = frozenset(r.item_sha256 for r in ordered)
        if len(items) < len(ordered):
            entries += [
                (exhibits.get(r.item_sha256) or "", r.locator, r, frozenset((r.item_sha256,))) for r in copies
            ]
            continue
        first = next(r for r in copies if r.id == ordered[0].id)
        entries.append((exhibits.get(ordered[0].item_sha256) or "", first.locator, first, items))
    entries.sort(key=lambda e: (e[0], e[1]))
    return [(row, items) for _, _, row, items in entries]


def counted_attempts(
    rows: Iterable[IndexRow], exhibits: dict[str, str], resolver: Resolver, settled: Sides | None = None
) -> Iterator[RowAttempt]:
    """:func:`attempts` over index rows in time order (``timeline.stream`` and ``timeline.build`` done on the
    rows' fields): the same attempts, merged the same way, without a record or timeline entry built, given as
    they are settled (only the attempts of the last minute are held, for copies). With ``settled``, each
    entry's direction and sender are those the case's facts settle (as on the timeline the report counts:
    ``Sides.record``), decided on the row's fields by the same ``Sides.settle``."""
    settle = settled.settle if settled is not None and settled.active else None
    attributed = settled.attributions if settled is not None else {}
    incoming, unknown = Direction.INCOMING.value, Direction.UNKNOWN.value
    known: dict[str | None, tuple[str, str | None]] = {}  # sender -> (identity, person)

    def count(row: IndexRow, items: frozenset[str]) -> RowAttempt | None:
        direction, sender = row.direction, row.sender
        # ``settle`` changes only a direction not given, or a missing sender on a screen whose header names
        # someone: every other row (nearly all, in a phone's backup) is left as read, without the call.
        if settle is not None and (direction == unknown or (not sender and row.item_sha256 in attributed)):
            direction, sender, *_ = settle(
                item=row.item_sha256,
                channel=row.channel,
                direction=direction,
                sender=sender,
                recipients=recipients(row),
                has_header=row.has_header,
            )
        who = known.get(sender)
        if who is None:
            ident, person = resolver.identify(sender)
            # as in ``attempts``: a hidden caller says so; a record with no sender at all is not a withheld number
            withheld = WITHHELD if (sender or "").strip() else NOT_READ
            who = known[sender] = (ident.value if ident is not None else withheld, person)
        identity, person = who
        if direction != incoming and not (direction == unknown and resolver.role(person) == "respondent"):
            return None
        return RowAttempt(row.occurred_at, row.channel, identity, person, items)

    def found() -> Iterator[RowAttempt]:
        group: list[IndexRow] = []
        instant = 0.0
        for row in rows:
            moment = row.occurred_at.timestamp()
            if group and moment != instant:
                if moment < instant:
                    raise CaseError(
                        f"the case's index is damaged (record {row.id} is out of time order): run 'evidence verify'"
                    )
                if len(group) == 1:  # nearly every instant: nothing to merge
                    attempt = count(group[0], frozenset((group[0].item_sha256,)))
                    if attempt is not None:
                        yield attempt
                else:
                    for shown, items in _entries(group, exhibits):
                        if (attempt := count(shown, items)) is not None:
                            yield attempt
                group = []
            group.append(row)
            instant = moment
        for shown, items in _entries(group, exhibits) if group else ():
            if (attempt := count(shown, items)) is not None:
                yield attempt

    # Rows come in time order and an instant's entries share its time, so the attempts do too (what ``attempts``
    # sorts).
    return merged_in_time_order(found())


def merged_in_time_order(found: Iterable[RowAttempt]) -> Iterator[RowAttempt]:
    """Attempts given in time order, copies from other files counted once (as :func:`attempts` merges them):
    an attempt a minute older than the newest can no longer take a copy, so it is given then, and only the
    attempts of the last minute are held."""
    window: deque[RowAttempt] = deque()
    for attempt in found:
        while window and attempt.at - window[0].at >= COPY_WINDOW:
            yield window.popleft()
        for other in reversed(window):
            if (
                not other.copied
                and other.identity == attempt.identity
                and other.channel == attempt.channel
                and not attempt.items & other.items
            ):
                other.copied = True
                break
        else:
            window.append(attempt)
    yield from window


def iso_week(day: date) -> str:
    """``2026-W13``."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _local(moment: datetime, tz: tzinfo) -> str:
    return moment.astimezone(tz).isoformat()


def bursts(found: Sequence[_A], *, minimum: int = BURST_MIN, gap: timedelta = BURST_GAP) -> list[list[_A]]:
    """Runs of at least ``minimum`` attempts with no gap longer than ``gap``."""
    runs: list[list[_A]] = []
    current: list[_A] = []
    for attempt in found:
        if current and attempt.at - current[-1].at > gap:
            runs.append(current)
            current = []
        current.append(attempt)
    runs.append(current)
    return [run for run in runs if len(run) >= minimum]


def burst_days(result: dict[str, Any]) -> set[date]:
    """The days of the case zone that the bursts of a :func:`summary` result touch (both days of one that runs
    across midnight)."""
    days: set[date] = set()
    for burst in result["bursts"]:
        day = datetime.fromisoformat(burst["start"]).date()
        last = datetime.fromisoformat(burst["end"]).date()
        while day <= last:
            days.add(day)
            day += timedelta(days=1)
    return days


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
    return summary(
        attempts(entries, resolver), tz, no_contact_since=no_contact_since, since=since, person=person
    )


def compute_rows(
    rows: Iterable[IndexRow],
    exhibits: dict[str, str],
    resolver: Resolver,
    tz: tzinfo,
    *,
    no_contact_since: date | None = None,
    since: date | None = None,
    person: str | None = None,
    settled: Sides | None = None,
) -> dict[str, Any]:
    """:func:`compute` over the index's candidate rows in time order (``CANDIDATES``: see
    ``actions.query._stats_rows``), without building records or timeline entries, read once and not held: the
    same figures, many times faster. With ``settled``, the figures of the timeline that :meth:`Sides.timeline`
    settles (what the report counts)."""
    found = counted_attempts(rows, exhibits, resolver, settled)
    return summary(found, tz, no_contact_since=no_contact_since, since=since, person=person)


def summary(
    found: Iterable[Counted],
    tz: tzinfo,
    *,
    no_contact_since: date | None = None,
    since: date | None = None,
    person: str | None = None,
) -> dict[str, Any]:
    """The statistics of attempts already found and merged (:func:`attempts`), in time order, read once: what
    is held is the counts per day, channel, identity and person, the bursts and the longest gaps, never the
    attempts (a case of a million records has 700,000 of them)."""
    if since is not None:
        found = (a for a in found if a.at.astimezone(tz).date() >= since)
    if person is not None:
        wanted = person.casefold()
        found = (a for a in found if a.person is not None and a.person.casefold() == wanted)
    tally = _Tally(tz)
    tally.count(found)
    days = tally.days
    weeks: Counter[str] = Counter()
    for day, n in days.items():
        weeks[iso_week(day)] += n
    result: dict[str, Any] = {
        "definitions": {
            "attempt": "incoming records, plus records of unknown direction sent by a respondent's identifier",
            "copies": f"the same attempt in two files less than {COPY_WINDOW.seconds} s apart counts once",
            "burst": f"at least {BURST_MIN} attempts with no gap over {BURST_GAP.seconds // 60} minutes",
        },
        "person": person,
        "since": since.isoformat() if since else None,
        "attempts": tally.attempts,
        "first": _local(tally.first, tz) if tally.first is not None else None,
        "last": _local(tally.last, tz) if tally.last is not None else None,
        "per_day": {d.isoformat(): n for d, n in sorted(days.items())},
        "per_week": dict(sorted(weeks.items())),
        "per_channel": _per(tally.kinds, 0),
        "per_identity": _per(tally.kinds, 1),
        "per_person": _per(tally.kinds, 2),
        "no_contact_since": no_contact_since.isoformat() if no_contact_since else None,
        "attempts_since_no_contact": (
            sum(n for d, n in days.items() if d >= no_contact_since) if no_contact_since else None
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
            "start": _local(run.start, tz),
            "end": _local(run.end, tz),
            "attempts": run.attempts,
            "minutes": int((run.end - run.start).total_seconds() // 60),
            "across_midnight": run.start.astimezone(tz).date() != run.end.astimezone(tz).date(),
            "per_channel": _per(run.kinds, 0),
            "per_identity": _per(run.kinds, 1),
        }
        for run in tally.bursts
    ]
    # the longest first, ties in time order (as ``heapq.nlargest``, ``sorted(..., reverse=True)[:n]``, gives)
    result["gaps"] = [
        {"from": _local(a, tz), "to": _local(b, tz), "hours": int(length.total_seconds() // 3600)}
        for length, _, a, b in sorted(tally.gaps, reverse=True)
    ]
    return result


def _per(kinds: dict[tuple[str, str, str], int], part: int) -> dict[str, int]:
    """The counts of ``kinds`` (channel, identity, person) by one of the three, sorted (plain dicts: a Counter
    is slow to make, and there is one a burst)."""
    found: dict[str, int] = {}
    for kind, n in kinds.items():
        found[kind[part]] = found.get(kind[part], 0) + n
    return dict(sorted(found.items()))


@dataclass(slots=True)
class _Run:
    """A run of attempts with no gap over ``BURST_GAP``: its ends and its attempts by channel, identity and
    person (a burst when there are enough)."""

    start: datetime
    end: datetime
    attempts: int = 0
    kinds: dict[tuple[str, str, str], int] = field(default_factory=dict)


class _Tally:
    """What :func:`summary` keeps of attempts given in time order: counts by day and by (channel, identity,
    person), the bursts and the ``TOP_GAPS`` longest gaps."""

    __slots__ = ("attempts", "bursts", "days", "first", "gaps", "kinds", "last", "tz")

    def __init__(self, tz: tzinfo) -> None:
        self.tz = tz
        self.attempts = 0
        self.first: datetime | None = None
        self.last: datetime | None = None
        self.days: Counter[date] = Counter()
        self.kinds: dict[tuple[str, str, str], int] = {}
        self.bursts: list[_Run] = []
        # the longest gaps as a min-heap of (length, -order, from, to): the shortest, and of equal ones the
        # latest, is the first to go, so ties keep the earliest (``heapq.nlargest``'s order)
        self.gaps: list[tuple[timedelta, int, datetime, datetime]] = []

    def count(self, found: Iterable[Counted]) -> None:
        """Count ``found`` (each not earlier than the one before), all of them: called once. One loop with its
        state in local names: it runs once an attempt, 700,000 times for a million records."""
        tz, days, kinds, gaps, bursts = self.tz, self.days, self.kinds, self.gaps, self.bursts
        n, first, last = 0, None, None
        never = datetime.min.replace(tzinfo=UTC)
        run = _Run(never, never)  # the run of the first attempt replaces it
        nobody = "(nobody linked)"
        for attempt in found:
            at = attempt.at
            kind = (attempt.channel, attempt.identity, attempt.person or nobody)
            days[at.astimezone(tz).date()] += 1
            kinds[kind] = kinds.get(kind, 0) + 1
            if last is None:
                first = at
                run = _Run(at, at)
            else:
                length = at - last
                # a gap only as long as the shortest kept comes later than it: it never displaces it
                if len(gaps) < TOP_GAPS:
                    heapq.heappush(gaps, (length, -n, last, at))
                elif length > gaps[0][0]:
                    heapq.heapreplace(gaps, (length, -n, last, at))
                if length > BURST_GAP:  # the run ends at the last attempt
                    if run.attempts >= BURST_MIN:
                        bursts.append(run)
                    run = _Run(at, at)
            run.end = at
            run.attempts += 1
            run.kinds[kind] = run.kinds.get(kind, 0) + 1
            n += 1
            last = at
        if run.attempts >= BURST_MIN:
            bursts.append(run)
        self.attempts, self.first, self.last = n, first, last
