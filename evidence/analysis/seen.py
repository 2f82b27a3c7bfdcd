"""The identifiers seen in a case's records, counted: which are linked to a person and which to no one.

Every timeline entry's sender and recipients are normalised with the case's region (``identity.normalise``, the
same as matching does), so ``07700 900123`` and ``+44 7700 900123`` are one identifier; an entry counts once for
an identifier however many times it names it. Copies of one message merged on the timeline are one entry.
Hidden callers (withheld, private) are counted apart: they cannot be linked to anyone.

Known limits: the owner's own number or address is "seen" like any other when the exports name it (a group
message's recipients, some chat exports): add the owner as a person with the role ``owner`` to set it apart. A
record's parties are read as the importer wrote them; a name shown by a chat export is a handle, not a number.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime

from evidence.analysis.identity import Identifier, is_hidden
from evidence.analysis.people import Resolver
from evidence.models import Direction
from evidence.timeline import TimelineEntry

MAX_FORMS = 5  # the spellings kept for one identifier (as the exports wrote it)


@dataclass(frozen=True)
class Seen:
    """One identifier as seen in the records."""

    identifier: Identifier  # ``raw`` is the first spelling seen
    person: str | None  # the person it is linked to, or None
    entries: int  # timeline entries naming it (as sender or recipient)
    from_them: int  # of which it is the sender
    first: datetime
    last: datetime
    forms: tuple[str, ...]  # the spellings seen, at most ``MAX_FORMS``


@dataclass
class _Tally:
    identifier: Identifier
    entries: int = 0
    from_them: int = 0
    first: datetime | None = None
    last: datetime | None = None
    forms: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Sightings:
    """Every identifier seen, most entries first, and the number of entries from a hidden caller."""

    seen: tuple[Seen, ...]
    hidden: int

    def unlinked(self) -> list[Seen]:
        """The identifiers linked to no one, most entries first."""
        return [s for s in self.seen if s.person is None]

    def of(self, person: str) -> list[Seen]:
        """The identifiers of ``person`` that the records name."""
        return [s for s in self.seen if s.person == person]

    def linked_by(self, resolver: Resolver) -> Sightings:
        """The same counts with each identifier's person as ``resolver`` links them now (after a link or an
        unlink the counts do not change, only whose they are)."""
        return Sightings(
            tuple(
                replace(s, person=resolver.owner.get((s.identifier.kind, s.identifier.value)))
                for s in self.seen
            ),
            self.hidden,
        )


def sightings(entries: Iterable[TimelineEntry], resolver: Resolver) -> Sightings:
    """Count each identifier over ``entries`` (see the module docstring)."""
    tallies: dict[tuple[str, str], _Tally] = {}
    hidden = 0
    for entry in entries:
        record = entry.record
        parties: list[tuple[str | None, bool]] = [(record.sender, True)]
        parties += [(raw, False) for raw in record.recipients]
        named: set[tuple[str, str]] = set()
        # A received record with no sender, or one whose sender is withheld (a diary entry has neither side).
        from_hidden = is_hidden(record.sender) and (
            record.direction is Direction.INCOMING or record.sender is not None
        )
        for raw, is_sender in parties:
            ident = resolver.identify(raw)[0] if raw is not None else None
            if ident is None:
                continue
            key = (ident.kind, ident.value)
            tally = tallies.setdefault(key, _Tally(ident))
            if raw is not None and raw not in tally.forms and len(tally.forms) < MAX_FORMS:
                tally.forms.append(raw)
            if key in named:
                continue
            named.add(key)
            tally.entries += 1
            tally.from_them += is_sender
            moment = record.occurred_at
            tally.first = moment if tally.first is None or moment < tally.first else tally.first
            tally.last = moment if tally.last is None or moment > tally.last else tally.last
        hidden += from_hidden
    seen = [
        Seen(
            t.identifier,
            resolver.owner.get((t.identifier.kind, t.identifier.value)),
            t.entries,
            t.from_them,
            t.first,
            t.last,
            tuple(t.forms),
        )
        for t in tallies.values()
        if t.first is not None and t.last is not None
    ]
    seen.sort(key=lambda s: (-s.entries, s.identifier.kind, s.identifier.value))
    return Sightings(tuple(seen), hidden)
