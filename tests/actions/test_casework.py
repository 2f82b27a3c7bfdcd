"""The review queue and the diary entries (``evidence.actions.casework``) on files written by others: a WhatsApp
export from rodrigogs/whats-reader's parser tests, one from whatsjson's (Dmitry S) and an SMS Backup & Restore
file from devadvance."""

from __future__ import annotations

from pathlib import Path

from evidence.actions.casework import SuggestionMemo, diary_entries, review_queue
from evidence.analysis import review
from evidence.api import Case
from evidence.models import ImportOptions

ALICE = "whatsapp/whatsreader-android-WhatsApp Chat with Alice.txt"
DMITRY = "whatsapp-real/whatsjson-android-WhatsApp Chat with Dmitry S EN Android.txt"


def _chat(case: Case, corpus: Path) -> None:
    # "01/12/24" is day-first in this export (its last lines run 02/12 .. 04/12 on consecutive days)
    case.import_files([corpus / ALICE], options=ImportOptions(tz="Europe/London", date_order="DMY"))


def test_the_queue_holds_what_nobody_reviewed_and_a_decision_moves_it_apart(case: Case, corpus: Path) -> None:
    _chat(case, corpus)
    queue = review_queue(case)
    assert queue.waiting and not queue.decided
    # Each suggestion is what the timeline shows for its record, and its words are where it says they are.
    for item in queue.waiting:
        shown = review.tags_for(item.entry.record, {})
        assert item.tag in shown and item.tag.status == review.SUGGESTED
        assert item.tag.start is not None and item.tag.end is not None
        assert item.words_read[item.tag.start : item.tag.end] == item.tag.words
        assert item.why  # the rule's description
    times = [item.entry.record.occurred_at for item in queue.waiting]
    assert times == sorted(times)

    first, *rest = queue.waiting
    case.review_tag(first.entry.record.id, first.tag.tactic, review.REJECTED, note="friends planning coffee")
    after = review_queue(case)
    assert [(i.entry.record.id, i.tag.tactic) for i in after.waiting] == [
        (i.entry.record.id, i.tag.tactic) for i in rest
    ]
    (decided,) = after.decided
    assert (decided.entry.record.id, decided.tag.tactic) == (first.entry.record.id, first.tag.tactic)
    assert decided.tag.status == review.REJECTED and decided.tag.note == "friends planning coffee"
    assert decided.decided_seq == case.head().seq
    assert decided.decided_at is not None and decided.decided_at.endswith(("Z", "+00:00"))

    # A change of mind: the latest decision is the one in force, and the item is still decided once.
    case.review_tag(first.entry.record.id, first.tag.tactic, review.CONFIRMED)
    (changed,) = review_queue(case).decided
    assert changed.tag.status == review.CONFIRMED and changed.decided_seq == case.head().seq


def test_diary_entries_are_the_diary_records_with_when_they_were_written(case: Case, corpus: Path) -> None:
    case.import_files([corpus / "smsbackup" / "sms-devadvance-sms_small.xml"])
    assert list(diary_entries(case)) == []
    case.add_diary_entry(when="2017-12-02 18:30", text="He texted nine times in ten minutes.", where="home")
    case.add_diary_entry(
        when="2017-12-01 09:00",
        text="Saw him outside work.",
        approximate=True,
        witness="Sam",
        police_ref="CAD 1",
    )
    found = list(diary_entries(case))
    assert [e.record.text for e in found] == ["Saw him outside work.", "He texted nine times in ten minutes."]
    early, late = (e.record.raw for e in found)
    assert early["approximate"] is True and early["witness"] == "Sam" and early["police_ref"] == "CAD 1"
    assert late["where"] == "home" and late["approximate"] is False
    # in the order of the incidents, not of the writing: the earlier incident was written down second
    assert str(early["written_at"]) > str(late["written_at"])
    assert all(e.sources[0].exhibit for e in found)


def test_the_memo_keeps_the_suggestions_until_the_records_change(case: Case, corpus: Path) -> None:
    _chat(case, corpus)
    memo = SuggestionMemo()
    first = review_queue(case, memo)
    kept = memo.found
    assert kept and all(not entry.record.raw for entry, _, _ in kept)  # kept without the source's fields
    item = first.waiting[0]
    case.review_tag(item.entry.record.id, item.tag.tactic, review.CONFIRMED, note="yes")
    # A decision is not a change of the records: the suggestions are not read again, the decision is applied.
    second = review_queue(case, memo)
    assert memo.found is kept
    assert second == review_queue(case)  # the same as without a memo
    assert [d.tag.status for d in second.decided] == [review.CONFIRMED]
    # A tactic the rules did not suggest, confirmed on another record, is listed as decided (added by the user).
    other = next(e for e in case.timeline() if not review.tags_for(e.record, {}))
    case.review_tag(other.record.id, "threat", review.CONFIRMED)
    third = review_queue(case, memo)
    assert memo.found is kept and third == review_queue(case)
    assert (third.decided[0].entry.record.id, third.decided[0].tag.rule) == (other.record.id, None)
    # New records: read again.
    case.import_files([corpus / DMITRY])
    assert review_queue(case, memo) == review_queue(case)
    assert memo.found is not kept and len(memo.found) > len(kept)


def test_decisions_applied_to_kept_suggestions_are_what_tags_for_gives(case: Case, corpus: Path) -> None:
    _chat(case, corpus)
    case.import_files([corpus / DMITRY])
    entries = case.timeline()
    tagged = [e for e in entries if review.tags_for(e.record, {})]
    plain = next(e for e in entries if not review.tags_for(e.record, {}))
    case.review_tag(tagged[0].record.id, review.tags_for(tagged[0].record, {})[0].tactic, "rejected")
    case.review_tag(plain.record.id, "insult", "confirmed", note="the rules missed it")
    reviewed = review.decisions(case.entries())
    for entry in entries:
        suggested = review.tags_for(entry.record, {})
        assert review.with_decisions(entry.record.id, suggested, reviewed) == review.tags_for(
            entry.record, reviewed
        )
