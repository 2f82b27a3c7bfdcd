"""Whose side each record is on, from the case's own facts: the complainant's identifiers and name, the
people's links, and a screenshot's header (issue 14, the audit's findings 1 and 2).

Chat exports and mailboxes do not say which way a message went: an importer reads only the file, and marks
such records "direction unknown". The case knows more. The person with the role ``owner`` is the complainant,
with her numbers, addresses and accounts (``person add --role owner``) and her name. So, for the report:

- a record **sent by the complainant** (her identifier, or a chat display name equal to her name) is
  outgoing;
- a record **addressed to her** (one of her identifiers among its recipients) is incoming;
- in a **chat export she takes part in** (one of its senders is her), the other senders' lines are incoming;
- in a chat export **she is not in** (two or more senders, none hers: a friend's chat handed over) the lines
  stay of unknown direction and are marked as a conversation between those senders, never addressed to her.

A screenshot's message with no sender (the layout read no header) is attributed from the words OCR read
above the first message, where a chat app names the other party: when those words hold identifiers linked to
exactly one person (``@alex.m.2``), the message's sender is the longest of them, and the record says so
(``sender_basis``). Nothing else is inferred: a message whose header names nobody stays "sender not read".

Each changed record keeps the importer's reading in ``raw`` (``direction_read``/``sender_read``) and gains the
basis of the change (``direction_basis``, ``sender_basis``), which the Timeline prints on the row. The
records' identity (item, locator, id) never changes, so the manifest and ``evidence verify report.pdf`` are
unaffected. The same resolution feeds the counts (``evidence.report.figures``), so a message to the
complainant from a third party is counted as that third party's attempt, and her own lines never are.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from typing import Any

from evidence.analysis.people import Person, Resolver
from evidence.models import Channel, Direction, Record
from evidence.report.screens import Word
from evidence.timeline import TimelineEntry

OWNER = "owner"


def _owner(people: Iterable[Person]) -> Person | None:
    return next((p for p in people if p.role == OWNER), None)


def _is_owner(raw: str | None, owner: Person, resolver: Resolver) -> str | None:
    """How ``raw`` is the complainant's ("her address jordan.lee@example.org", "her name"), or None."""
    if not raw:
        return None
    if raw.strip().casefold() == owner.name.casefold():
        return f"her name, '{raw.strip()}'"
    ident, name = resolver.identify(raw)
    if ident is not None and name == owner.name:
        kind = {"phone": "number", "email": "address", "handle": "account"}.get(ident.kind, ident.kind)
        return f"her own {kind} {ident.value}"
    return None


def _with(entry: TimelineEntry, record: Record) -> TimelineEntry:
    return dataclasses.replace(entry, record=record)


def resolve(
    timeline: list[TimelineEntry],
    people: Iterable[Person],
    resolver: Resolver,
    headers: Mapping[str, tuple[Word, ...]] | None = None,
) -> list[TimelineEntry]:
    """``timeline`` with each record's direction settled from the complainant's identifiers and name, and
    screenshot messages' senders read from their header words (``headers``: an item's SHA-256 -> the OCR
    words above its first message); see the module docstring."""
    people = list(people)
    if headers:
        timeline = _screen_senders(timeline, people, resolver, headers)
    owner = _owner(people)
    if owner is None:
        return timeline
    # Each chat export's senders as written: whether she is among them.
    chats: dict[str, dict[str, str | None]] = {}
    for entry in timeline:
        rec = entry.record
        if rec.channel is Channel.CHAT and rec.sender and rec.raw.get("kind") != "system":
            chats.setdefault(rec.item_sha256, {})[rec.sender.strip()] = _is_owner(rec.sender, owner, resolver)
    out: list[TimelineEntry] = []
    for entry in timeline:
        rec = entry.record
        if rec.direction is not Direction.UNKNOWN or rec.channel in (Channel.DIARY, Channel.SCREENSHOT):
            out.append(entry)
            continue
        raw: dict[str, Any] = dict(rec.raw)
        direction: Direction | None = None
        mine = _is_owner(rec.sender, owner, resolver)
        to_her = next((how for r in rec.recipients if (how := _is_owner(r, owner, resolver))), None)
        senders = chats.get(rec.item_sha256, {})
        hers = next((how for how in senders.values() if how), None)
        if mine:
            direction, raw["direction_basis"] = Direction.OUTGOING, f"sent by the complainant ({mine})"
        elif to_her:
            direction, raw["direction_basis"] = Direction.INCOMING, f"addressed to the complainant ({to_her})"
        elif rec.channel is Channel.CHAT and rec.sender and hers:
            direction = Direction.INCOMING
            raw["direction_basis"] = f"a chat the complainant takes part in (her lines: {hers})"
        elif rec.channel is Channel.CHAT and len(senders) >= 2 and not hers:
            raw["conversation_between"] = sorted(senders)
        if direction is None and "conversation_between" not in raw:
            out.append(entry)
            continue
        if direction is not None:
            raw["direction_read"] = rec.direction.value
        out.append(_with(entry, dataclasses.replace(rec, direction=direction or rec.direction, raw=raw)))
    return out


_TOKEN = re.compile(r"[^\s,;:()\[\]<>\"'“”]+")


def _screen_senders(
    timeline: list[TimelineEntry],
    people: list[Person],
    resolver: Resolver,
    headers: Mapping[str, tuple[Word, ...]],
) -> list[TimelineEntry]:
    """Screenshot messages with no sender and no header read: attributed from the header's words when
    those name identifiers of exactly one person (incoming messages only: the outgoing ones are hers)."""
    found: dict[str, tuple[str, str] | None] = {}
    for item, words in headers.items():
        hits: dict[str, str] = {}  # token -> person
        for word in words:
            for token in _TOKEN.findall(word.text):
                token = token.strip(".")
                if len(token) < 3 or not any(c.isalpha() or c.isdigit() for c in token):
                    continue
                ident, name = resolver.identify(token)
                if ident is not None and name is not None and resolver.role(name) != OWNER:
                    hits[token] = name
        names = set(hits.values())
        if len(names) == 1:
            token = max(hits, key=lambda t: (len(t), t))
            found[item] = (token, names.pop())
    out: list[TimelineEntry] = []
    for entry in timeline:
        rec = entry.record
        hit = found.get(rec.item_sha256)
        if (
            hit is None
            or rec.sender
            or rec.raw.get("header")
            or rec.direction is not Direction.INCOMING
            or rec.channel in (Channel.SCREENSHOT, Channel.CALL)
        ):
            out.append(entry)
            continue
        token, name = hit
        raw = dict(rec.raw)
        raw["sender_read"] = None
        raw["sender_basis"] = (
            f"the screen's header, above the messages, reads '{token}' (OCR), an identifier linked to {name}"
        )
        out.append(_with(entry, dataclasses.replace(rec, sender=token, raw=raw)))
    return out


def header_words(words: Iterable[Word], record_boxes: Iterable[Any]) -> tuple[Word, ...]:
    """The OCR words wholly above the first message's box (a chat app's header: the other party's name)."""
    tops = [
        box[1] for box in record_boxes if isinstance(box, list) and len(box) == 4 and isinstance(box[1], int)
    ]
    if not tops:
        return ()
    top = min(tops)
    return tuple(w for w in words if w.top + w.height <= top)


def mentions(record: Record, person: Person) -> bool:
    """Whether a diary entry's words name ``person``: their name, first name, or a linked identifier as
    written (whole words, case-insensitive)."""
    text = " ".join(filter(None, (record.subject, record.text)))
    if not text:
        return False
    names = {person.name, person.name.split()[0] if person.name.split() else person.name}
    names |= {link.identifier.raw for link in person.links} | {link.identifier.value for link in person.links}
    for name in names:
        name = name.strip()
        if len(name) < 3:
            continue
        if re.search(rf"(?<![\w@.]){re.escape(name)}(?![\w])", text, re.IGNORECASE):
            return True
    return False
