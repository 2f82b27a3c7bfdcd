"""The report's figures, attributed and reconciled: who each contact attempt is counted against, and why.

A defence lawyer adds the summary up. So every timeline row carries what it counts as (``Counted``), and the
summary's figures are sums of those marks (``Figures``), never computed another way:

- **An attempt** is what ``evidence.analysis.stats`` counts (incoming records, plus records of unknown
  direction sent by a respondent's identifier); the same attempt in two files (a call in the phone's log and
  in the carrier's bill) is one attempt: the first record is numbered, the other is marked "copy of attempt N"
  and the Timeline shows it in the attempt's row, naming both sources (``sections.timeline.copies_of``).
- **Attributed to a respondent** when its sender identifier is linked to a person whose role is
  ``respondent``: *confirmed* or *suspected* as the link says (``person link --suspected``), with the basis
  the link states (a number from saved contacts, a chat display name, a screenshot's header).
- **A third party's** when the identifier is linked to anyone else (a mutual friend, a witness): counted as
  theirs and never as the respondent's.
- **Unattributed** when it is linked to no one: a withheld number, a sender the source did not give or the
  OCR could not read, an identifier nobody linked.
- **Not counted**: outgoing records, the complainant's own diary, records of unknown direction from someone
  who is not a respondent, and records between other people (``Direction.OTHERS``: a chat she is not in, a
  message addressed only to others), whoever sent them: what is counted is contact with the complainant;
  those are listed apart ("to others", per sender, ``Figures.to_others``). One such event read from two files (the complainant's call to the police in the
  handset's log and in the carrier's bill) is one of them too: the second record is marked a copy and shown in
  the first one's row (``timeline.corroborating``: same channel, direction, other party and words, less than
  60 s apart, different files).
- Which record of one event is the row: the one whose time is the most exact (``exactness``: an offset its file
  gave before an assumed zone, the handset's log before the carrier's bill), the others its copies; only the
  presentation, never a count.

So: attempts = each respondent's (confirmed + suspected) + third parties' + unattributed, records =
attempts + copies + records not counted, and the Timeline's rows = records - copies. ``tests/report/test_figures.py`` checks both sums on the rendered PDF.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass, field

from evidence.analysis.people import Person, Resolver
from evidence.analysis.stats import NOT_READ, WITHHELD, attempts
from evidence.models import Channel, Direction, TimeSource
from evidence.timeline import TimelineEntry, corroborating, normalised_party

RESPONDENT = "respondent"
THIRD_PARTY = "third party"
UNATTRIBUTED = "unattributed"
COPY = "copy"
NOT_COUNTED = "not counted"

DEFINITIONS = {
    "attempt": (
        "an incoming record (a call of any status, a text, a message, an e-mail to the complainant), or a record "
        "whose direction the source does not give sent by an identifier linked to a respondent; numbered in "
        "the Timeline's Counted column"
    ),
    "copy": "the same event read from a second file (same channel and sender, less than 60 s apart; for a "
    "record not counted, such as the complainant's own call, the same recipient and words too): counted once, "
    "and shown in the first record's Timeline row, which names both files",
    "confirmed": "sent from an identifier the complainant states is the respondent's, on the basis shown on the cover",
    "suspected": "sent from an identifier only suspected to be the respondent's (basis on the cover); not proof",
    "third party": "sent by someone else the case names (a friend, a witness): never counted as the respondent",
    "between other people": "a chat the complainant is not in, or a message addressed only to others (direction "
    "'others'): not an attempt whoever sent it, since what is counted is contact with the complainant; listed "
    "apart, per sender",
    "unattributed": "marked 'nobody' in the Timeline: withheld numbers ('withheld'), senders the source did not give "
    "or OCR could not read ('no sender read'), and identifiers linked to no person ('not linked')",
}


@dataclass(frozen=True)
class Counted:
    """What one timeline row counts as."""

    kind: str  # RESPONDENT, THIRD_PARTY, UNATTRIBUTED, COPY or NOT_COUNTED
    number: int | None = None  # the attempt's number (a copy: the number of the attempt it copies, if any)
    person: str | None = None
    status: str | None = None  # confirmed / suspected (a respondent's), or why unattributed / not counted
    of: int | None = None  # a copy: the timeline index of the row it is shown in

    def label(self) -> str:
        """The row's mark, as the Timeline's Counted column prints it."""
        if self.kind == COPY:
            return f"copy of attempt {self.number}" if self.number is not None else "copy of this row's event"
        if self.kind == NOT_COUNTED:
            return f"not counted: {self.status}"
        who = {
            RESPONDENT: f"{self.person}, {self.status}",
            THIRD_PARTY: f"{self.person}, third party",
            UNATTRIBUTED: f"nobody: {self.status}",
        }[self.kind]
        return f"attempt {self.number}\n{who}"


@dataclass(frozen=True)
class Figures:
    """The summary's counts, each a sum of the rows' marks."""

    rows: int
    attempts: int
    copies: int
    not_counted: int
    respondents: dict[str, dict[str, int]] = field(default_factory=dict)  # name -> confirmed/suspected
    third_parties: dict[str, int] = field(default_factory=dict)
    unattributed: dict[str, int] = field(default_factory=dict)  # reason -> n
    # records between other people (not attempts, among those not counted): the sender's person (or the
    # sender as written, linked to nobody) -> n
    to_others: dict[str, int] = field(default_factory=dict)

    def respondent_total(self, name: str) -> int:
        """Confirmed plus suspected attempts of one respondent."""
        return sum(self.respondents.get(name, {}).values())


def _confidence(person: Person | None, value: str) -> str:
    """The link's confidence for the normalised identifier ``value`` (values of different kinds never
    coincide: a phone starts with + or a digit, an address has @, a handle has neither)."""
    if person is None:
        return "confirmed"
    for link in person.links:
        if link.identifier.value == value:
            return link.confidence
    return "confirmed"


def _not_counted(entry: TimelineEntry) -> str:
    rec = entry.record
    if rec.channel is Channel.DIARY:
        return "the complainant's own account"
    if rec.channel is Channel.SCREENSHOT:
        return "a whole screenshot, not a message (its messages are rows of their own)"
    if rec.direction is Direction.OUTGOING:
        return "outgoing"
    if rec.channel is Channel.VOICEMAIL and rec.direction is Direction.UNKNOWN and not rec.sender:
        return "a recording whose file gives neither who left it nor for whom"
    if rec.raw.get("kind") == "system" and not rec.sender:
        return "a line the app wrote, not a message from a person"
    between = rec.raw.get("conversation_between")
    if isinstance(between, list) and between:  # evidence.analysis.sides: a friend's chat handed over
        return (
            "a conversation between " + " and ".join(str(n) for n in between) + ", not with the complainant"
        )
    if rec.direction is Direction.OTHERS:  # evidence.analysis.sides: addressed only to other people
        return f"to others ({', '.join(rec.recipients)}), not to the complainant"
    if rec.direction is Direction.UNKNOWN:
        return "direction unknown, not from a respondent"
    return rec.direction.value


def _same_event(entry: TimelineEntry, resolver: Resolver) -> Hashable | None:
    """What a record not counted has in common with another file's record of the same event: channel,
    direction, the other party (normalised as the people's identifiers are) and words; None for the
    complainant's diary and whole pictures, which are never another file's copy."""
    rec = entry.record
    if rec.channel in (Channel.DIARY, Channel.SCREENSHOT):
        return None

    def who(raw: str | None) -> str:
        ident, _ = resolver.identify(raw)
        return ident.value if ident is not None else normalised_party(raw) or ""

    other = (
        tuple(sorted(who(r) for r in rec.recipients))
        if rec.direction is Direction.OUTGOING
        else who(rec.sender)
    )
    return (rec.channel.value, rec.direction.value, other, rec.subject, rec.text)


def exactness(entry: TimelineEntry) -> tuple[bool, bool]:
    """How exact a record's time is, smaller first: a time whose offset the source gave before one whose zone
    was assumed (a carrier's bill in local wall-clock time), and a dated one before one placed at its import."""
    rec = entry.record
    return (rec.tz_assumed, rec.time_source is TimeSource.ACQUIRED or bool(rec.raw.get("date_unknown")))


def _show_the_most_exact(marks: list[Counted | None], timeline: list[TimelineEntry]) -> None:
    """Among the records of one event (a row and its copies), make the one with the most exact time the row,
    the others its copies (issue 14, finding 12: the phone log's call, offset known, rather than the carrier's
    bill, zone assumed). Only which record is shown changes: the same records are an event's, so every count
    stays the one ``stats`` gives. Ties keep the earlier record (the order ``stats.attempts`` merges in)."""
    groups: dict[int, list[int]] = {}
    for j, mark in enumerate(marks):
        if mark is not None and mark.kind == COPY and mark.of is not None:
            groups.setdefault(mark.of, []).append(j)
    for shown, copies in groups.items():
        best = min([shown, *copies], key=lambda i: exactness(timeline[i]))
        if best == shown:
            continue
        was, copy = marks[shown], marks[best]
        number = copy.number if copy is not None else None
        marks[best] = was  # the attempt's mark, or None (not counted), moves to the row now shown
        status = None if number is not None else _not_counted(timeline[shown])
        marks[shown] = Counted(COPY, number, status=status, of=best)
        for j in copies:
            if j != best:
                old = marks[j]
                assert old is not None
                marks[j] = Counted(COPY, old.number, old.person, old.status, of=best)


def count(timeline: list[TimelineEntry], resolver: Resolver) -> tuple[list[Counted], Figures]:
    """Each row's mark (parallel to ``timeline``) and the figures summed from them."""
    position = {id(entry): i for i, entry in enumerate(timeline)}
    marks: list[Counted | None] = [None] * len(timeline)
    respondents: dict[str, Counter[str]] = {
        p.name: Counter() for p in resolver.people.values() if p.role == RESPONDENT
    }
    third: Counter[str] = Counter()
    nobody: Counter[str] = Counter()
    found = attempts(timeline, resolver)
    for number, attempt in enumerate(found, start=1):
        name = attempt.person  # as stats identified the sender (normalising it once)
        role = resolver.role(name)
        mark: Counted
        if name is not None and role == RESPONDENT:
            status = _confidence(resolver.people.get(name), attempt.identity)
            respondents.setdefault(name, Counter())[status] += 1
            mark = Counted(RESPONDENT, number, name, status)
        elif name is not None:
            third[name] += 1
            mark = Counted(THIRD_PARTY, number, name, role)
        else:
            reason = {WITHHELD: "withheld", NOT_READ: "no sender read"}.get(attempt.identity, "not linked")
            nobody[reason] += 1
            mark = Counted(UNATTRIBUTED, number, None, reason)
        shown = position[id(attempt.entry)]
        marks[shown] = mark
        for copy in attempt.copies:
            marks[position[id(copy)]] = Counted(COPY, number, of=shown)
    # The records not counted: one event in two files (the complainant's call in the log and the bill) is one.
    rest = [i for i, m in enumerate(marks) if m is None]
    pairs = corroborating([timeline[i] for i in rest], lambda e: _same_event(e, resolver))
    for j, k in pairs.items():
        marks[rest[j]] = Counted(COPY, status=_not_counted(timeline[rest[j]]), of=rest[k])
    _show_the_most_exact(marks, timeline)
    final = [
        m if m is not None else Counted(NOT_COUNTED, status=_not_counted(e))
        for m, e in zip(marks, timeline, strict=True)
    ]
    others: Counter[str] = Counter()
    for m, e in zip(final, timeline, strict=True):
        if m.kind == NOT_COUNTED and e.record.direction is Direction.OTHERS:
            sender = e.record.sender
            person = resolver.identify(sender)[1]
            others[person or (f"'{sender}' (as written, linked to nobody)" if sender else "no sender")] += 1
    figures = Figures(
        rows=len(timeline),
        attempts=len(found),
        copies=sum(1 for m in final if m.kind == COPY),
        not_counted=sum(1 for m in final if m.kind == NOT_COUNTED),
        respondents={
            name: {"confirmed": c["confirmed"], "suspected": c["suspected"]}
            for name, c in sorted(respondents.items())
        },
        third_parties=dict(sorted(third.items())),
        unattributed=dict(sorted(nobody.items())),
        to_others=dict(sorted(others.items())),
    )
    return final, figures
