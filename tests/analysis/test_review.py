"""Suggested tactic tags on the timeline, and the user's decisions recorded in the ledger."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from evidence.analysis import review
from evidence.api import Case
from evidence.errors import UsageError
from evidence.models import Channel, Direction, Record, TimeSource
from evidence.verify.case import verify_case
from tests.conftest import run_cli


def _timeline(case: Case, *args: str) -> list[dict[str, object]]:
    out = run_cli("-C", str(case.root), "timeline", "--json", *args)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert isinstance(data, list)
    return data


def _received(case: Case, folder: Path, *texts: str) -> None:
    """Import ``texts`` as incoming SMS (an SMS Backup & Restore file), a minute apart from 2026-03-14 21:30 UTC."""
    rows = "".join(
        f'<sms protocol="0" address="+447700900123" date="{1773523800000 + 60000 * i}" type="1" '
        f'body="{text}" read="1" status="-1" locked="0" date_sent="0" contact_name="Alex" />\n'
        for i, text in enumerate(texts)
    )
    path = folder / "sms-20260315090000.xml"
    path.write_text(
        f"<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n<smses count=\"{len(texts)}\">\n{rows}</smses>\n",
        encoding="utf-8",
    )
    case.import_files([path])


def test_suggest_confirm_reject(case: Case, tmp_path: Path) -> None:
    _received(case, tmp_path, "I know where you are tonight.", "I'd kill for a coffee after last night.")
    entries = _timeline(case)
    threat_or_watch = entries[0]
    tags = threat_or_watch["tags"]
    assert isinstance(tags, list) and tags
    first = tags[0]
    assert first["status"] == "suggested" and first["rule"] and first["words"]
    assert entries[1]["tags"] == []  # the coffee trap is not a threat
    record_id = str(threat_or_watch["id"])
    tactic = str(first["tactic"])

    head_before = case.head()
    out = run_cli("-C", str(case.root), "tag", "reject", record_id, tactic, "--note", "a joke between us")
    assert out.returncode == 0, out.stderr
    after = list(case.entries())[-1]
    assert after.seq == head_before.seq + 1 and after.kind == "tactic.reviewed"
    assert after.body["decision"] == "rejected" and after.body["words"] == first["words"]
    assert _timeline(case, "--tag", tactic) == []
    assert _timeline(case)[0]["tags"][0]["status"] == "rejected"  # type: ignore[index]

    case.review_tag(record_id, tactic, "confirmed", note="on reflection it was not a joke")
    assert [e["id"] for e in _timeline(case, "--tag", tactic)] == [record_id]
    case.review_tag(record_id, "threat", "confirmed")  # a tactic the rules did not suggest
    shown = {t["tactic"]: t for t in _timeline(case)[0]["tags"]}  # type: ignore[union-attr]
    assert shown["threat"]["status"] == "confirmed" and shown["threat"]["rule"] is None
    assert verify_case(case.root).ok


def test_review_refuses_unknown_things(case: Case) -> None:
    case.add_diary_entry(when="2026-03-14 21:30", text="Calls all evening.")
    (record,) = case.records()
    with pytest.raises(UsageError, match="unknown tactic"):
        case.review_tag(record.id, "rudeness", "confirmed")
    with pytest.raises(UsageError, match="no record"):
        case.review_tag("R-0000000000000000", "threat", "confirmed")
    assert case.head().seq == 3  # genesis, acquisition, derivation: nothing appended


def test_timeline_text_shows_ids_and_tags(tmp_path: Path, case: Case) -> None:
    case.add_diary_entry(when="2026-03-14 21:30", text="Message said: you'll regret this.")
    out = run_cli("-C", str(case.root), "timeline").stdout
    (record,) = case.records()
    assert record.id in out


def test_show_record_explains_each_tag(case: Case, tmp_path: Path) -> None:
    _received(case, tmp_path, "I know where you are tonight.")
    (record,) = case.records()
    shown = case.show_record(record.id)
    (tag,) = [t for t in shown["tags"] if t["tactic"] == "monitoring"]
    assert tag["rule_description"] and tag["rule_file"].endswith(".toml")
    assert record.text is not None and record.text[tag["start"] : tag["end"]] == tag["words"]
    out = run_cli("-C", str(case.root), "show", record.id)
    assert out.returncode == 0, out.stderr
    assert f"tag monitoring [suggested]: rule {tag['rule']}" in out.stdout
    assert repr(tag["words"]) in out.stdout
    with pytest.raises(UsageError, match="no record"):
        case.show_record("R-ffffffffffffffff")


def _said(text: str, direction: Direction, channel: Channel = Channel.SMS, **raw: object) -> Record:
    return Record(
        item_sha256="0" * 64,
        locator="m1",
        occurred_at=datetime(2026, 3, 14, 21, 0, tzinfo=UTC),
        time_source=TimeSource.EXPORT,
        tz_assumed=False,
        channel=channel,
        direction=direction,
        importer="test",
        importer_version="1",
        text=text,
        raw=dict(raw),
    )


def test_the_owners_own_words_and_split_screenshots_get_no_suggestions() -> None:
    threat = "You'll regret this, I know where you live"
    assert review.tags_for(_said(threat, Direction.INCOMING), {})  # the rules do fire on these words
    assert review.tags_for(_said(threat, Direction.OUTGOING), {}) == []  # but not on what the owner sent
    whole = _said(threat, Direction.UNKNOWN, Channel.SCREENSHOT, layout_messages=3)
    assert review.tags_for(whole, {}) == []  # its three message records are read instead
    unsplit = _said(threat, Direction.UNKNOWN, Channel.SCREENSHOT, layout_messages=0)
    assert review.tags_for(unsplit, {})  # a post or a page with no messages found: its text is read
    # The owner's diary quotes the respondent's words, but they are the owner's account, not a message (issue 17).
    assert review.tags_for(_said(threat, Direction.UNKNOWN, Channel.DIARY), {}) == []


def test_a_diary_entry_gets_no_suggestion_but_can_be_tagged_by_hand(case: Case) -> None:
    case.add_diary_entry(
        when="2026-03-14 21:30", text="He texted: I know where you live, you'll regret this."
    )
    (record,) = case.records()
    assert _timeline(case)[0]["tags"] == []
    case.review_tag(record.id, "threat", "confirmed", note="what he sent that night")
    (shown,) = _timeline(case)[0]["tags"]  # type: ignore[misc]
    assert shown["tactic"] == "threat" and shown["status"] == "confirmed" and shown["rule"] is None
