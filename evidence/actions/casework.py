"""The reads behind the user's own work on a case, read only: the identifiers the records name and whom they
are linked to (``person link`` acts on them), the tactic suggestions waiting for a review and those decided
(``tag confirm|reject``), and the diary entries (``diary add``). The writes they lead to are
``annotate.link_person``, ``annotate.add_person``, ``annotate.review_tag`` and ``diary.add_diary_entry``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from evidence.case import index
from evidence.case.folder import CaseFolder, canonical_loads
from evidence.case.formats import Kind
from evidence.case.ledger import entries_of_kind
from evidence.models import Channel

if TYPE_CHECKING:
    from evidence.analysis.review import ShownTag
    from evidence.analysis.seen import Sightings
    from evidence.analysis.tactics import RuleSet
    from evidence.timeline import TimelineEntry


@dataclass
class SightingsMemo:
    """The identifiers counted over one case's records, kept between calls while the records stay the same
    (an app keeps one; each call links them to people afresh)."""

    key: tuple[Any, ...] | None = None
    found: Sightings | None = None


def identifiers_seen(case: CaseFolder, memo: SightingsMemo | None = None) -> Sightings:
    """Every identifier the case's timeline names, counted, with the person it is linked to
    (``evidence.analysis.seen``); hidden callers counted apart. ``memo`` keeps the counts between calls."""
    from evidence import timeline
    from evidence.analysis.seen import sightings

    resolver = case.resolver()
    key = _records_key(case)
    if memo is not None and memo.key == key and memo.found is not None:
        return memo.found.linked_by(resolver)
    exhibits = {e["sha256"]: e["exhibit"] for e in case.exhibits()}
    entries = timeline.stream(index.records_in_time_order(case.conn, raw=False), exhibits)
    found = sightings(entries, resolver)
    if memo is not None:
        memo.key, memo.found = key, found
    return found


@dataclass(frozen=True)
class Suggestion:
    """One tactic on one timeline entry: waiting for a review, or decided."""

    entry: TimelineEntry
    tag: ShownTag  # status suggested, confirmed or rejected; start/end index ``words_read``
    words_read: str  # the text the rules read (``review.record_words``): subject and text
    why: str | None  # the description of the rule that fired (None for a tactic the user added)
    decided_seq: int | None  # the ``tactic.reviewed`` entry of the decision in force
    decided_at: str | None  # its time (RFC 3339 with the offset the ledger recorded)


@dataclass(frozen=True)
class ReviewQueue:
    """The suggestions nobody reviewed, oldest message first, and those decided, latest decision first."""

    waiting: tuple[Suggestion, ...]
    decided: tuple[Suggestion, ...]


@dataclass
class SuggestionMemo:
    """The rules' suggestions for one case's records, kept between calls while the records and the rules stay
    the same (an app keeps one: tagging is the slow part, about 1 ms a message). The records are kept without
    their ``raw`` fields."""

    key: tuple[Any, ...] | None = None
    found: list[tuple[TimelineEntry, str, tuple[ShownTag, ...]]] = field(default_factory=list)


def _records_key(case: CaseFolder, rules: RuleSet | None = None) -> tuple[Any, ...]:
    """What a reading of the records depends on: the case, its records (and the rules, for suggestions).
    Records change only by new ``records.derived`` entries (the index is a replay of the append-only ledger)."""
    from evidence.analysis import review

    count, last = case.conn.execute("SELECT count(*), max(derived_seq) FROM records").fetchone()
    return (str(case.root), count, last, review.rules_fingerprint(rules) if rules is not None else None)


def suggestions_kept(case: CaseFolder, memo: SuggestionMemo) -> int | None:
    """None when ``memo`` holds the suggestions of the case's records as they are (``review_queue`` is then
    quick), else how many records the rules would read first (an app says so while it waits)."""
    from evidence.analysis.tactics import default_rules

    key = _records_key(case, default_rules())
    return None if memo.key == key else int(key[1])


def _suggestions(
    case: CaseFolder, rules: RuleSet, memo: SuggestionMemo | None
) -> list[tuple[TimelineEntry, str, tuple[ShownTag, ...]]]:
    """Each timeline entry the rules suggest a tactic for, with the words they read and their suggestions (those
    stored when the records entered the case, when the rules in force made them)."""
    from evidence.actions.query import stored_suggestions, timeline_stream
    from evidence.analysis import review
    from evidence.timeline import TimelineEntry

    key = _records_key(case, rules)
    if memo is not None and memo.key == key:
        return memo.found
    found = []
    stored = stored_suggestions(case)
    for entry in timeline_stream(case):
        suggested = review.tags_for(entry.record, {}, rules, stored)
        if suggested:
            slim = TimelineEntry(replace(entry.record, raw={}), entry.sources)
            found.append((slim, review.record_words(entry.record), tuple(suggested)))
    if memo is not None:
        memo.key, memo.found = key, found
    return found


def review_queue(case: CaseFolder, memo: SuggestionMemo | None = None) -> ReviewQueue:
    """The tactic suggestions of every timeline entry, split into waiting and decided (the latest decision for
    a record and tactic wins, as on the timeline and in reports); ``memo`` keeps the suggestions between calls."""
    from evidence.actions.query import timeline_stream
    from evidence.analysis import review
    from evidence.analysis.tactics import default_rules

    rules = default_rules()
    latest: dict[tuple[str, str], tuple[int | None, str | None]] = {}
    reviewed: dict[tuple[str, str], dict[str, Any]] = {}
    for decision in entries_of_kind(case.conn, Kind.TACTIC_REVIEWED):
        body = canonical_loads(decision.body_text)
        key = (str(body["record"]), str(body["tactic"]))
        reviewed[key] = body
        latest[key] = (decision.seq, decision.recorded_at)
    waiting: list[Suggestion] = []
    decided: list[Suggestion] = []

    def add(entry: TimelineEntry, words: str, shown: ShownTag) -> None:
        why = rules.rule(shown.rule).description if shown.rule is not None else None
        seq, at = latest.get((entry.record.id, shown.tactic), (None, None))
        item = Suggestion(entry, shown, words, why, seq, at)
        (waiting if shown.status == review.SUGGESTED else decided).append(item)

    suggested_for: set[str] = set()
    for entry, words, suggested in _suggestions(case, rules, memo):
        suggested_for.add(entry.record.id)
        for shown in review.with_decisions(entry.record.id, suggested, reviewed):
            add(entry, words, shown)
    # Tactics the user added to records the rules suggest nothing for (``tag confirm`` of a tactic they missed).
    added_to = {record_id for record_id, _ in reviewed} - suggested_for
    if added_to:
        for entry in timeline_stream(case):
            if entry.record.id in added_to:
                for shown in review.with_decisions(entry.record.id, (), reviewed):
                    add(entry, review.record_words(entry.record), shown)
    decided.sort(key=lambda s: -(s.decided_seq or 0))
    return ReviewQueue(tuple(waiting), tuple(decided))


def diary_entries(case: CaseFolder) -> Iterator[TimelineEntry]:
    """The diary entries (typed with ``diary add`` or imported from a diary file), in the order of the
    incidents; each record's ``raw`` holds ``written_at``, ``where``, ``witness``, ``police_ref`` and
    ``approximate``."""
    from evidence import timeline

    exhibits = {e["sha256"]: e["exhibit"] for e in case.exhibits()}
    rows = index.records_in_time_order(
        case.conn, "json_extract(json, '$.channel') = ?", (Channel.DIARY.value,)
    )
    return timeline.stream(rows, exhibits)
