"""Tactic tags on the timeline: suggested by the rules, confirmed or rejected by the user in the ledger.

A suggestion comes from a record's words and the rules in ``templates/tactics``: stored signed when the record
entered the case (``evidence.analysis.suggested``, read by the views through ``tags_for``'s ``stored``), or
computed when shown (a case made before they were stored, or under another version of the rules); either way it
says which rule fired on which words. The user's decision is a ``tactic.reviewed`` ledger entry
(never an edit): the latest decision for a record and tactic wins. A tactic the rules missed can be confirmed
too; it is then marked as added by the user.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from evidence.analysis.tactics import RuleSet, Tag, default_rules, tag
from evidence.case.formats import Kind
from evidence.case.ledger import Entry
from evidence.models import Channel, Direction, Record

if TYPE_CHECKING:
    from evidence.analysis.suggested import Stored

CONFIRMED = "confirmed"
REJECTED = "rejected"
SUGGESTED = "suggested"


@dataclass(frozen=True)
class ShownTag:
    """One tactic of one record as the timeline shows it."""

    tactic: str
    status: str  # suggested, confirmed or rejected
    rule: str | None  # the rule that fired (None when the user added the tactic)
    words: str | None
    start: int | None
    end: int | None
    note: str | None

    def to_json(self) -> dict[str, Any]:
        """As ``timeline --json`` prints it."""
        return {
            "tactic": self.tactic,
            "status": self.status,
            "rule": self.rule,
            "words": self.words,
            "start": self.start,
            "end": self.end,
            "note": self.note,
        }


def rules_fingerprint(rules: RuleSet) -> str:
    """A hash of the rules' ids and descriptions, recorded with each review (which rules the user saw)."""
    text = "\n".join(f"{r.id}\t{r.tactic}\t{r.description}\t{r.source}" for r in rules.rules)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def decisions(entries: Iterable[Entry]) -> dict[tuple[str, str], dict[str, Any]]:
    """The latest ``tactic.reviewed`` body for each (record id, tactic)."""
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for entry in entries:
        if entry.kind == Kind.TACTIC_REVIEWED:
            body = entry.body
            latest[(str(body["record"]), str(body["tactic"]))] = body
    return latest


def record_words(record: Record) -> str:
    """The words the rules read: the subject and the text."""
    return "\n".join(part for part in (record.subject, record.text) if part)


def suggests(record: Record) -> bool:
    """Whether the rules read this record: not the owner's own outgoing words or diary (what the owner writes is
    never the respondent's tactic, even when it quotes them), and not a screenshot's whole-screen text when the
    layout already made a record of each message on it (they are read one by one instead)."""
    if record.direction is Direction.OUTGOING or record.channel is Channel.DIARY:
        return False
    return not (record.channel is Channel.SCREENSHOT and int(record.raw.get("layout_messages") or 0) > 0)


def tags_for(
    record: Record,
    reviewed: dict[tuple[str, str], dict[str, Any]],
    rules: RuleSet | None = None,
    stored: Stored | None = None,
) -> list[ShownTag]:
    """Suggested tags (one per tactic: its first match) with the user's decisions applied, plus user-added ones.
    The suggestions are ``stored``'s for the record when it has them (the shipped rules' only), else the rules
    are run on the record's words."""
    words = record_words(record)
    if not words or not suggests(record):
        return with_decisions(record.id, [], reviewed)
    shipped = rules is None or rules is default_rules()
    kept = stored.get(record.id) if stored is not None and shipped else None
    if kept is not None:
        return with_decisions(record.id, kept, reviewed)
    found: dict[str, Tag] = {}
    for hit in tag(words, rules or default_rules()):
        found.setdefault(hit.tactic, hit)
    suggested = [
        ShownTag(tactic, SUGGESTED, hit.rule_id, hit.words, hit.start, hit.end, None)
        for tactic, hit in found.items()
    ]
    return with_decisions(record.id, suggested, reviewed)


def with_decisions(
    record_id: str, suggested: Iterable[ShownTag], reviewed: dict[tuple[str, str], dict[str, Any]]
) -> list[ShownTag]:
    """The rules' suggestions for one record (``tags_for`` with no decisions) with the user's decisions applied,
    plus the tactics the user added to it: what ``tags_for`` gives, without tagging the words again."""
    shown = []
    found = set()
    for hit in suggested:
        found.add(hit.tactic)
        decision = reviewed.get((record_id, hit.tactic))
        if decision:
            hit = replace(hit, status=str(decision["decision"]), note=decision.get("note"))
        shown.append(hit)
    for (decided_id, tactic), decision in reviewed.items():
        if decided_id == record_id and tactic not in found:
            shown.append(
                ShownTag(tactic, str(decision["decision"]), None, None, None, None, decision.get("note"))
            )
    return shown
