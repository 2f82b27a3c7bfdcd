"""The timeline screen: the entries that pass the filters (person, how, which way, tactic, words, dates), the
per-day chart of their contact attempts with the bursts (``daychart.py``), and the entries whose date is not
known, listed apart.

Each filter is the library's, as the command line's: ``analysis.select`` (person, channel, direction, days of the
case's zone, as ``evidence timeline``), ``analysis.review.tags_for`` (a tactic confirmed or suggested, not one
the user rejected, as ``evidence timeline --tag``), the case's search (``evidence search``: words and parts of
words, every hit) and ``analysis.stats`` for the chart (``evidence stats``: attempts, copies counted once,
bursts). An entry whose day is not known (``stats.undated``: a screenshot's message no screen dated, or a record
whose only time is the import's) is counted in no day and shown apart; the dates chosen do not apply to it.
Nothing here writes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from evidence.models import Channel, Direction, Record, TimeSource
from evidence.timeutil import display
from evidence.ui.daychart import chart
from evidence.ui.screens import CHANNEL_WORDS, DIRECTION_WORDS, attribution_words

if TYPE_CHECKING:
    from evidence.analysis.review import ShownTag
    from evidence.analysis.suggested import Stored
    from evidence.analysis.tactics import RuleSet
    from evidence.case.vault import CaseKeys
    from evidence.timeline import TimelineEntry

LIMIT = (
    500  # entries shown at once, in the timeline and in the list of undated ones; the filters narrow the rest
)
WAYS = (
    (Direction.INCOMING.value, "Received"),
    (Direction.OUTGOING.value, "Sent by you"),
    (Direction.UNKNOWN.value, "Way not known"),
    (Direction.OTHERS.value, "Between other people"),
)
TACTIC_WORDS = {
    "threat": "Threats",
    "insult": "Insults, name-calling",
    "guilt_tripping": "Guilt-tripping",
    "love_bombing": "Overwhelming affection, promises",
    "pleading": "Begging, pleading",
    "smear": "Attacks on your reputation",
    "third_party_contact": "Contact through other people",
    "new_account": "A new number or account",
    "demand_to_meet_or_respond": "Demands to answer or meet",
    "monitoring": "Watching you",
}


def tactic_words(tactic: str) -> str:
    """A tactic's name in plain words ("Demands to answer or meet")."""
    return TACTIC_WORDS.get(tactic, tactic.replace("_", " ").capitalize())


@dataclass(frozen=True)
class Filters:
    """The filters as the form sends them (strings; empty when not chosen)."""

    person: str = ""
    channel: str = ""
    direction: str = ""
    tactic: str = ""
    confirmed: str = ""  # "1": only tactics the user confirmed
    q: str = ""
    since: str = ""
    until: str = ""

    def chosen(self) -> bool:
        """Whether any filter is set."""
        return any(getattr(self, key) for key in self.__dataclass_fields__)

    def link(self, **changes: str) -> str:
        """The timeline's address with these filters, changed as given."""
        kept = {k: v for k, v in vars(replace(self, **changes)).items() if v}
        return "/timeline" + ("?" + urlencode(kept) if kept else "")


def read_filters(query: Mapping[str, str], tactics: tuple[str, ...]) -> tuple[Filters, list[str]]:
    """The filters of ``query``, each one checked; a value that is not one of the choices is dropped and said."""
    raw = {key: query.get(key, "").strip() for key in Filters.__dataclass_fields__}
    problems = []
    for key, allowed in (
        ("channel", {c.value for c in Channel}),
        ("direction", {value for value, _ in WAYS}),
        ("tactic", set(tactics)),
        ("confirmed", {"1"}),
    ):
        if raw[key] and raw[key] not in allowed:
            raw[key] = ""
            problems.append(f"A choice in the filters was not one on offer ({key}); it is left out.")
    for key in ("since", "until"):
        try:
            _day(raw[key])
        except ValueError:
            raw[key] = ""
            problems.append("A date in the filters is not a date; it is left out.")
    return Filters(**raw), problems


def _day(value: str) -> date | None:
    return date.fromisoformat(value) if value else None


def _named(raw: str, resolver: Any) -> str:
    """An identifier as written, with the person it is linked to: "+15550000001 (Contact A)"."""
    name = resolver.identify(raw)[1]
    return f"{raw} ({name})" if name else raw


def _who(rec: Record, resolver: Any) -> str:
    """The other side of a record in words: "from X" for what was received, "to Y" for what was sent."""
    if rec.direction == Direction.OUTGOING:
        return "to " + ", ".join(_named(r, resolver) for r in rec.recipients) if rec.recipients else ""
    return "from " + _named(rec.sender, resolver) if rec.sender else ""


def _tag_words(tags: list[ShownTag]) -> list[str]:
    from evidence.analysis.review import CONFIRMED, REJECTED

    return [
        tactic_words(t.tactic)
        + (" (you confirmed it)" if t.status == CONFIRMED else " (suggested, not checked)")
        for t in tags
        if t.status != REJECTED
    ]


def _row(
    entry: TimelineEntry,
    tz: Any,
    resolver: Any,
    tags: list[ShownTag],
    said: Mapping[str, list[dict[str, Any]]] | None = None,
) -> dict[str, Any]:
    rec = entry.record
    return {
        "when": display(rec.occurred_at, tz),
        "iso": rec.occurred_at.isoformat(),
        "assumed": rec.tz_assumed,
        "channel": CHANNEL_WORDS.get(rec.channel, rec.channel.value),
        "direction": DIRECTION_WORDS.get(rec.direction.value, rec.direction.value),
        "who": _who(rec, resolver),
        "text": (rec.text or rec.subject or rec.status or "")[:2000],
        "where": "; ".join(f"{s.exhibit} {s.locator}" for s in entry.sources),
        "sources": [{"exhibit": s.exhibit, "locator": s.locator} for s in entry.sources],
        "tags": _tag_words(tags),
        "attributed": [
            attribution_words(a) for s in entry.sources for a in (said or {}).get(s.record_id, [])
        ],
        "placed": (
            "the time it was added to the case"
            if rec.time_source is TimeSource.ACQUIRED and not rec.raw.get("date_unknown")
            else "the screenshot's time"
        ),
    }


def _tactic_kept(
    rec: Record,
    filters: Filters,
    reviewed: dict[tuple[str, str], dict[str, Any]],
    rules: RuleSet,
    stored: Stored,
) -> tuple[bool, list[ShownTag] | None]:
    """Whether ``rec`` passes the tactic filter, and its tags when they had to be read for it. A tactic the user
    confirmed needs only their decision (as ``review.tags_for`` reads it); one merely suggested needs the rules
    run on the record's words (about a millisecond a message) unless they were stored when the record entered the
    case (``stored``), after every cheaper filter."""
    from evidence.analysis import review

    if not filters.tactic:
        return True, None
    if filters.confirmed:
        decision = reviewed.get((rec.id, filters.tactic))
        return decision is not None and decision["decision"] == review.CONFIRMED, None
    tags = review.tags_for(rec, reviewed, rules, stored)
    return any(t.tactic == filters.tactic and t.status != review.REJECTED for t in tags), tags


def _count(n: int) -> str:
    return f"{n or 'no'} entr{'y' if n == 1 else 'ies'}"


def timeline_view(root: Path, keys: CaseKeys | None, query: Mapping[str, str]) -> dict[str, Any]:
    """What the timeline page shows for the filters in ``query``: at most ``LIMIT`` rows, the undated ones
    apart, a summary line that adds up, and the chart of the matching entries' contact attempts."""
    from evidence.analysis import review, stats
    from evidence.analysis.select import select
    from evidence.analysis.tactics import default_rules
    from evidence.api import Case

    rules = default_rules()
    tactics = tuple(rules.tactics)
    filters, problems = read_filters(query, tactics)
    since, until = _day(filters.since), _day(filters.until)
    rows: list[dict[str, Any]] = []
    undated: list[dict[str, Any]] = []
    total = undated_total = 0
    counted: list[TimelineEntry] = []  # what can be an attempt: stats.attempts decides
    with Case.open(root, readonly=True, keys=keys) as case:
        tz = case.tz
        resolver = case.resolver()
        people = [p.name for p in case.people()]
        if filters.person and filters.person not in people:
            filters = replace(filters, person="")
            problems.append("That person is not in the case; everyone is shown.")
        reviewed = review.decisions(case.entries())
        stored = case.stored_suggestions()
        said = case.attributions()
        found = {h.record_id for h in case.search(filters.q, every=True)} if filters.q else None
        for entry in case.timeline_stream(settled=True):  # the report's sides: the same counts
            rec = entry.record
            if not select(
                (entry,),
                tz,
                resolver=resolver,
                person=filters.person or None,
                channels=[filters.channel] if filters.channel else (),
                direction=filters.direction or None,
            ):
                continue
            if found is not None and not any(s.record_id in found for s in entry.sources):
                continue
            undated_entry = stats.undated(rec)
            if not undated_entry:
                day = rec.occurred_at.astimezone(tz).date()
                if (since is not None and day < since) or (until is not None and day > until):
                    continue
            kept, tags = _tactic_kept(rec, filters, reviewed, rules, stored)
            if not kept:
                continue
            if undated_entry:
                undated_total += 1
                if len(undated) < LIMIT:
                    shown = tags or review.tags_for(rec, reviewed, rules, stored)
                    undated.append(_row(entry, tz, resolver, shown, said))
                continue
            total += 1
            if len(rows) < LIMIT:
                shown = tags or review.tags_for(rec, reviewed, rules, stored)
                rows.append(_row(entry, tz, resolver, shown, said))
            if rec.direction in (Direction.INCOMING, Direction.UNKNOWN):
                counted.append(entry)
        no_contact = case.no_contact_since()
        result = stats.compute(counted, resolver, tz, no_contact_since=no_contact)
        title = case.title
    summary = _count(total).capitalize() + (" with a known date" if undated_total else "")
    if total > len(rows):
        summary += f"; showing the first {len(rows)}. Narrow the filters to see the rest."
    else:
        summary += "."
    if undated_total:
        summary += f" And {_count(undated_total)} whose date is not known, listed apart below."
    elif total == 0:
        summary = "Nothing matches these filters." if filters.chosen() else "Nothing here yet."
    return {
        "rows": rows,
        "undated": undated,
        "undated_total": undated_total,
        "summary": summary,
        "filters": vars(filters),
        "chosen": filters.chosen(),
        "people": people,
        "channels": [(c.value, CHANNEL_WORDS[c]) for c in Channel],
        "ways": WAYS,
        "tactics": [(t, tactic_words(t), rules.descriptions.get(t, "")) for t in tactics],
        "error": " ".join(dict.fromkeys(problems)) or None,
        "case_title": title,
        "chart": chart(
            result,
            since=since,
            until=until,
            no_contact=no_contact,
            day_link=lambda first, last: filters.link(since=first.isoformat(), until=last.isoformat()),
        ),
        "attempts": result["attempts"],
    }
