"""Whose side each record is on, from the case's own facts: the complainant's identifiers and name, the
people's links, and a screenshot's header (issue 14). One resolution for every view: the report, ``evidence
stats``, ``evidence timeline`` and the app's timeline and chart all read directions and senders through
:class:`Sides`, so their counts of contact attempts agree.

Chat exports and mailboxes do not say which way a message went: an importer reads only the file, and marks
such records "direction unknown". The case knows more. The person with the role ``owner`` is the complainant,
with her numbers, addresses and accounts (``person add --role owner``) and her name. So:

- a record **sent by the complainant** (her identifier, or a chat display name equal to her name) is
  outgoing;
- a record **addressed to her** (one of her identifiers among its recipients) is incoming;
- in a **chat export she takes part in** (one of its senders is her), the other senders' lines are incoming;
- in a chat export **she is not in** (two or more senders, none hers: a friend's chat handed over) the lines
  are between others (``Direction.OTHERS``), marked as a conversation between those senders;
- a record **addressed only to others** (recipients given, none of them hers: an e-mail from the respondent
  to a friend, found in a mailbox she was given) is between others too.

What is counted is contact *with the complainant*: a record between others is never an attempt (``stats``
counts incoming records and records of unknown direction from a respondent), whoever sent it; it is relevant
(a message asking a friend to pass something on) and the views list it apart ("to others"). A record of
unknown direction that names no recipient (a chat export with only the other party's lines, a voicemail)
stays of unknown direction: nothing says it was to anyone else. Limit: an e-mail that reached her as a blind
copy (Bcc) names only the others; her mailbox holding it is the sign, which the file does not record.

Only records of unknown direction are settled: a direction the file gave is kept, and diary entries and whole
screenshots are never changed. A chat's senders are those of every line of the file (``chats``: each
export's senders as written, app notices left out), whichever copy a timeline shows.

A screenshot's message with no sender (the layout read no header) is attributed from the words OCR read
above the first message, where a chat app names the other party: when those words hold identifiers linked to
exactly one person (``@alex.m.2``), the message's sender is the longest of them, and the record says so
(``sender_basis``). Only incoming messages (the outgoing ones are hers), never a call row. Nothing else is
inferred: a message whose header names nobody stays "sender not read".

Each changed record keeps the importer's reading in ``raw`` (``direction_read``/``sender_read``) and gains the
basis of the change (``direction_basis``, ``sender_basis``), which the views print beside the row. The
records' identity (item, locator, id) never changes, so the manifest and ``evidence verify report.pdf`` are
unaffected. :meth:`Sides.settle` is the one decision, over a record's plain fields, so that the counts read
from the index's narrow rows (``analysis.stats.compute_rows``) and those over whole records agree.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple, Protocol

from evidence.analysis.people import Person, Resolver
from evidence.models import Channel, Direction, Record
from evidence.ocr.cache import word_boxes
from evidence.timeline import TimelineEntry

OWNER = "owner"
_FIXED = frozenset({Channel.DIARY.value, Channel.SCREENSHOT.value})  # never settled
_NO_ATTRIBUTION = frozenset({Channel.SCREENSHOT.value, Channel.CALL.value})
_TOKEN = re.compile(r"[^\s,;:()\[\]<>\"'“”]+")


class HeaderWord(Protocol):
    """An OCR word with its box (``evidence.report.screens.Word``): what the header attribution reads."""

    @property
    def text(self) -> str: ...

    @property
    def top(self) -> int: ...

    @property
    def height(self) -> int: ...


class Settled(NamedTuple):
    """What the case's facts say of one record: its direction and sender (as the file gave them when nothing
    was settled), and the bases (``None`` when nothing changed)."""

    direction: str
    sender: str | None
    direction_basis: str | None = None
    sender_basis: str | None = None
    conversation_between: tuple[str, ...] | None = None

    @property
    def changed(self) -> bool:
        """Whether anything was settled."""
        return bool(self.direction_basis or self.sender_basis or self.conversation_between)


class Sides:
    """The case's facts about sides, read once: the complainant, each chat export's senders, and the screens
    whose header names one person. ``chats``: item SHA-256 -> the senders of its chat lines as written;
    ``headers``: item SHA-256 -> the OCR words above a screenshot's first message (:func:`header_words`)."""

    def __init__(
        self,
        people: Iterable[Person],
        resolver: Resolver,
        chats: Mapping[str, Iterable[str]] | None = None,
        headers: Mapping[str, Iterable[HeaderWord]] | None = None,
    ) -> None:
        self.people = list(people)
        self.resolver = resolver
        self.owner = next((p for p in self.people if p.role == OWNER), None)
        self._mine: dict[str, str | None] = {}
        # Each chat export: its senders as written, and how the first of them who is her is hers (None: she is
        # not among them).
        self.chats: dict[str, tuple[tuple[str, ...], str | None]] = {}
        for item, senders in (chats or {}).items():
            written = tuple(sorted({s.strip() for s in senders if s and s.strip()}))
            self.chats[item] = (written, next((how for s in written if (how := self.mine(s))), None))
        self.attributions = {
            item: hit for item, words in (headers or {}).items() if (hit := self._attribution(words))
        }

    @property
    def active(self) -> bool:
        """Whether anything can be settled at all (an owner, or a screen's header naming someone)."""
        return self.owner is not None or bool(self.attributions)

    def mine(self, raw: str | None) -> str | None:
        """How ``raw`` is the complainant's ("her own address jordan.lee@example.org", "her name, 'Jordan'"),
        or None; remembered per raw string (a case has thousands of records and a few senders)."""
        if not raw or self.owner is None:
            return None
        if raw not in self._mine:
            self._mine[raw] = _is_owner(raw, self.owner, self.resolver)
        return self._mine[raw]

    def _attribution(self, words: Iterable[HeaderWord]) -> tuple[str, str] | None:
        hits: dict[str, str] = {}  # token -> person
        for word in words:
            for token in _TOKEN.findall(word.text):
                token = token.strip(".")
                if len(token) < 3 or not any(c.isalpha() or c.isdigit() for c in token):
                    continue
                ident, name = self.resolver.identify(token)
                if ident is not None and name is not None and self.resolver.role(name) != OWNER:
                    hits[token] = name
        names = set(hits.values())
        if len(names) != 1:
            return None
        return max(hits, key=lambda t: (len(t), t)), names.pop()

    def settle(
        self,
        *,
        item: str,
        channel: str,
        direction: str,
        sender: str | None,
        recipients: Iterable[str],
        has_header: bool = False,
    ) -> Settled:
        """The one decision (see the module docstring), over a record's plain fields: ``channel`` and
        ``direction`` as their values, ``has_header`` whether the layout read the screen's header."""
        sender_basis = None
        hit = self.attributions.get(item)
        if (
            hit is not None
            and not sender
            and not has_header
            and direction == Direction.INCOMING.value
            and channel not in _NO_ATTRIBUTION
        ):
            token, name = hit
            sender = token
            sender_basis = f"the screen's header, above the messages, reads '{token}' (OCR), an identifier linked to {name}"
        if direction != Direction.UNKNOWN.value or channel in _FIXED or self.owner is None:
            return Settled(direction, sender, sender_basis=sender_basis)
        mine = self.mine(sender)
        if mine:
            return Settled(
                Direction.OUTGOING.value, sender, f"sent by the complainant ({mine})", sender_basis
            )
        to_her = next((how for r in recipients if (how := self.mine(r))), None)
        if to_her:
            return Settled(
                Direction.INCOMING.value, sender, f"addressed to the complainant ({to_her})", sender_basis
            )
        others = Direction.OTHERS.value
        if channel == Channel.CHAT.value:
            written, hers = self.chats.get(item, ((), None))
            if sender and hers:
                basis = f"a chat the complainant takes part in (her lines: {hers})"
                return Settled(Direction.INCOMING.value, sender, basis, sender_basis)
            if len(written) >= 2 and not hers:
                return Settled(others, sender, between(written), sender_basis, written)
        named = [r.strip() for r in recipients if r and r.strip()]
        if named:  # recipients given, none of them hers (to_her above)
            basis = (
                f"addressed to {', '.join(named)}: none of the complainant's identifiers among its recipients"
            )
            return Settled(others, sender, basis, sender_basis)
        return Settled(direction, sender, sender_basis=sender_basis)

    def record(self, rec: Record) -> Record:
        """``rec`` with its direction and sender settled; the importer's reading kept in ``raw``."""
        if not self.active:
            return rec
        found = self.settle(
            item=rec.item_sha256,
            channel=rec.channel.value,
            direction=rec.direction.value,
            sender=rec.sender,
            recipients=rec.recipients,
            has_header=bool(rec.raw.get("header")),
        )
        if not found.changed:
            return rec
        raw: dict[str, Any] = dict(rec.raw)
        changes: dict[str, Any] = {}
        if found.sender_basis:
            raw["sender_read"] = rec.sender or None
            raw["sender_basis"] = found.sender_basis
            changes["sender"] = found.sender
        if found.direction_basis:
            raw["direction_read"] = rec.direction.value
            raw["direction_basis"] = found.direction_basis
            changes["direction"] = Direction(found.direction)
        if found.conversation_between:
            raw["conversation_between"] = list(found.conversation_between)
        return dataclasses.replace(rec, raw=raw, **changes)

    def entry(self, entry: TimelineEntry) -> TimelineEntry:
        """``entry`` with its record settled (:meth:`record`); its sources unchanged."""
        rec = self.record(entry.record)
        return entry if rec is entry.record else dataclasses.replace(entry, record=rec)

    def timeline(self, entries: Iterable[TimelineEntry]) -> list[TimelineEntry]:
        """Every entry settled."""
        return [self.entry(e) for e in entries]


def settled_fields(rec: Record) -> dict[str, Any]:
    """What :meth:`Sides.record` settled of ``rec``, for JSON: ``direction_read`` (the file's direction) and
    ``direction_basis``, ``sender_read`` and ``sender_basis``, ``conversation_between``; only those it set."""
    keys = ("direction_read", "direction_basis", "sender_read", "sender_basis", "conversation_between")
    raw = rec.raw
    found = {key: raw[key] for key in keys if key in raw}
    if "direction_basis" not in found:
        found.pop("direction_read", None)
    if "sender_basis" not in found:
        found.pop("sender_read", None)
    return found


def notes(rec: Record) -> list[str]:
    """What the case's facts settled about ``rec``, in words (as the report's Timeline prints it): its
    direction and the basis with what the file said, the sender read from a screen's header, or a
    conversation between two other people."""
    return notes_of(rec.direction.value, rec.raw)


def notes_of(direction: str, raw: Mapping[str, Any]) -> list[str]:
    """:func:`notes` of a record's direction (its value) and ``raw``, as JSON gives them."""
    found: list[str] = []
    if isinstance(raw.get("direction_basis"), str) and "direction_read" in raw:
        found.append(f"{direction}: {raw['direction_basis']}; the file said {raw['direction_read']}")
    if isinstance(raw.get("sender_basis"), str):
        found.append(f"sender: {raw['sender_basis']}; the file gave none")
    pair = raw.get("conversation_between")
    if isinstance(pair, list) and pair and not (found and between(pair) in found[0]):
        found.append(between(pair))
    return found


def between(senders: Iterable[object]) -> str:
    """A chat between other people, in words: "a conversation between A and B: the complainant is not in it"."""
    return (
        "a conversation between " + " and ".join(str(n) for n in senders) + ": the complainant is not in it"
    )


def _is_owner(raw: str, owner: Person, resolver: Resolver) -> str | None:
    """How ``raw`` is the complainant's ("her own address jordan.lee@example.org", "her name"), or None."""
    if raw.strip().casefold() == owner.name.casefold():
        return f"her name, '{raw.strip()}'"
    ident, name = resolver.identify(raw)
    if ident is not None and name == owner.name:
        kind = {"phone": "number", "email": "address", "handle": "account"}.get(ident.kind, ident.kind)
        return f"her own {kind} {ident.value}"
    return None


def chat_senders(timeline: Iterable[TimelineEntry]) -> dict[str, set[str]]:
    """Each chat export's senders as written, from records (app notices left out): what :class:`Sides` needs
    when the records are at hand (``actions.query.sides`` reads the same from the index)."""
    found: dict[str, set[str]] = {}
    for entry in timeline:
        rec = entry.record
        if rec.channel is Channel.CHAT and rec.sender and rec.raw.get("kind") != "system":
            found.setdefault(rec.item_sha256, set()).add(rec.sender)
    return found


class Word(NamedTuple):
    """An OCR word's text and vertical extent, in the picture's pixels (what :func:`header_words` reads)."""

    text: str
    top: int
    height: int


def blob_words(blob: dict[str, Any]) -> list[Word]:
    """The words of an OCR blob (``evidence.ocr.cache.word_boxes``) with their vertical extent (without
    loading the report's libraries: ``evidence stats`` reads these)."""
    return [Word(text, y0, y1 - y0) for text, _, y0, _, y1 in word_boxes(blob)]


def header_words(words: Iterable[HeaderWord], record_boxes: Iterable[Any]) -> tuple[HeaderWord, ...]:
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
