"""People of a case and the identifiers that are theirs; records matched to people through those identifiers.

A person is added, and identifiers linked to or unlinked from them, by ledger entries (``person.added``,
``person.linked``, ``person.unlinked``): never an edit. Each body carries the identifier as typed *and*
normalised (see ``identity``), the basis the user gave and whether the link is ``confirmed`` or
``suspected``, so the people projection is replayed from the ledger without re-parsing anything.

A record belongs to a person when its sender, or one of its recipients, normalises to an identifier linked to
them. Hidden callers belong to no one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from evidence.analysis.identity import Identifier, normalise, valid_region
from evidence.case import sqldriver as sqlite3
from evidence.errors import UsageError
from evidence.models import Record

ROLES = ("respondent", "owner", "witness", "third-party", "other")
CONFIDENCE = ("confirmed", "suspected")


@dataclass(frozen=True)
class Link:
    """One identifier linked to a person."""

    identifier: Identifier
    basis: str | None
    confidence: str
    seq: int

    def to_json(self) -> dict[str, Any]:
        """As ``person list --json`` prints it."""
        return {
            **self.identifier.to_json(),
            "basis": self.basis,
            "confidence": self.confidence,
            "seq": self.seq,
        }


@dataclass(frozen=True)
class Person:
    """A person of the case with their current identifiers."""

    name: str
    role: str
    region: str | None
    links: tuple[Link, ...]

    def to_json(self) -> dict[str, Any]:
        """As ``person list --json`` prints it."""
        return {
            "name": self.name,
            "role": self.role,
            "region": self.region,
            "identifiers": [link.to_json() for link in self.links],
        }


def load(conn: sqlite3.Connection) -> list[Person]:
    """The people projection, by name."""
    links: dict[str, list[Link]] = {}
    for kind, value, name, raw, basis, confidence, seq in conn.execute(
        "SELECT kind, value, name, raw, basis, confidence, seq FROM person_ids ORDER BY seq, kind, value"
    ):
        links.setdefault(name, []).append(Link(Identifier(kind, value, raw), basis, confidence, seq))
    return [
        Person(name, role, region, tuple(links.get(name, ())))
        for name, role, region in conn.execute("SELECT name, role, region FROM people ORDER BY name")
    ]


def find(people: Iterable[Person], name: str) -> Person:
    """The person called ``name`` (case-insensitive), or a UsageError."""
    for person in people:
        if person.name.casefold() == name.strip().casefold():
            return person
    raise UsageError(f"no person called {name!r} in this case", hint="see 'evidence person list'")


def parse_ids(raws: Iterable[str], region: str) -> list[Identifier]:
    """Normalise identifiers the user typed; a hidden one is refused (it would match no one)."""
    if not valid_region(region):
        raise UsageError(f"unknown phone region {region!r}", hint="a two-letter country code: --region GB")
    found: list[Identifier] = []
    for raw in raws:
        ident = normalise(raw, region.upper())
        if ident is None:
            raise UsageError(
                f"{raw!r} is a hidden caller and cannot identify anyone",
                hint="give a number, address or handle",
            )
        if all((i.kind, i.value) != (ident.kind, ident.value) for i in found):
            found.append(ident)
    return found


def check_free(people: Iterable[Person], idents: Iterable[Identifier], name: str) -> None:
    """Refuse an identifier already linked to someone else (unlink it there first)."""
    owners = {(link.identifier.kind, link.identifier.value): p.name for p in people for link in p.links}
    for ident in idents:
        owner = owners.get((ident.kind, ident.value))
        if owner is not None and owner.casefold() != name.casefold():
            raise UsageError(
                f"{ident.raw!r} ({ident.value}) is already linked to {owner}",
                hint=f'evidence person unlink "{owner}" --id {ident.raw!r} --basis "..."',
            )


class Resolver:
    """Maps a record's parties to people."""

    def __init__(self, people: Iterable[Person], region: str) -> None:
        self.region = region
        self.people = {p.name: p for p in people}
        self.owner: dict[tuple[str, str], str] = {
            (link.identifier.kind, link.identifier.value): p.name
            for p in self.people.values()
            for link in p.links
        }
        # A case of 100,000 messages has a few hundred distinct senders: each is parsed once.
        self._known: dict[str | None, tuple[Identifier | None, str | None]] = {}

    def identify(self, raw: str | None) -> tuple[Identifier | None, str | None]:
        """The normalised identifier of ``raw`` and the person it is linked to (either may be None)."""
        known = self._known.get(raw)
        if known is not None:
            return known
        ident = normalise(raw, self.region)
        found = (None, None) if ident is None else (ident, self.owner.get((ident.kind, ident.value)))
        self._known[raw] = found
        return found

    def sender(self, record: Record) -> str | None:
        """The person who sent ``record``, if its sender is a linked identifier."""
        return self.identify(record.sender)[1]

    def parties(self, record: Record) -> list[str]:
        """Every person among the record's sender and recipients, sender first, each once."""
        names: list[str] = []
        for raw in (record.sender, *record.recipients):
            name = self.identify(raw)[1]
            if name is not None and name not in names:
                names.append(name)
        return names

    def role(self, name: str | None) -> str | None:
        """The role of a person by name."""
        person = self.people.get(name) if name else None
        return person.role if person else None
