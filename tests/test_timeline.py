"""The timeline merges the same message from overlapping exports and keeps both sources."""

from __future__ import annotations

import json
from pathlib import Path

from evidence.api import Case
from tests.conftest import run_cli

SMS = """<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>
<smses count="{count}">
{rows}
</smses>
"""
ROW = (
    '<sms protocol="0" address="+447700900123" date="{date}" type="1" subject="null" body="{body}" '
    'toa="null" sc_toa="null" service_center="null" read="1" status="-1" locked="0" date_sent="0" '
    'readable_date="x" contact_name="Alex" />'
)


def _backup(path: Path, messages: list[tuple[int, str]]) -> Path:
    rows = "\n".join(ROW.format(date=d, body=b) for d, b in messages)
    path.write_text(SMS.format(count=len(messages), rows=rows), encoding="utf-8")
    return path


def test_overlapping_backups_give_one_entry_with_both_sources(case: Case, tmp_path: Path) -> None:
    march = [(1772900000000, "Pick up the phone."), (1772900060000, "I know you're there.")]
    april = [*march, (1775600000000, "I've changed, I promise.")]
    first = _backup(tmp_path / "sms-20260310.xml", march)
    second = _backup(tmp_path / "sms-20260410.xml", april)
    case.import_files([first, second])
    entries = case.timeline()
    assert len(case.records()) == 5
    assert [e.record.text for e in entries] == [
        "Pick up the phone.",
        "I know you're there.",
        "I've changed, I promise.",
    ]
    assert [len(e.sources) for e in entries] == [2, 2, 1]
    assert [s.exhibit for s in entries[0].sources] == ["EX-0001", "EX-0002"]
    out = json.loads(run_cli("-C", str(case.root), "timeline", "--json").stdout)
    assert len(out) == 3
    keys = {
        "id",
        "exhibit",
        "locator",
        "occurred_at",
        "time_source",
        "tz_assumed",
        "channel",
        "app",
        "direction",
        "sender",
        "recipients",
        "subject",
        "text",
        "status",
        "duration_s",
        "attachments",
        "item_sha256",
        "sources",
    }
    assert keys <= set(out[0])
    assert out[0]["occurred_at"].endswith("+00:00") and out[0]["exhibit"] == "EX-0001"
    assert [s["exhibit"] for s in out[0]["sources"]] == ["EX-0001", "EX-0002"]


def test_the_same_words_twice_in_one_export_stay_two_messages(case: Case, tmp_path: Path) -> None:
    twice = [(1772900000000, "Answer me."), (1772900000000, "Answer me.")]
    case.import_files([_backup(tmp_path / "sms.xml", twice)])
    assert len(case.timeline()) == 2


def test_two_different_pictures_that_read_alike_stay_two_entries(tmp_path: Path) -> None:
    """Two screenshots with the same (here: no) text and the same time are two files, two exhibits, two
    timeline entries, each drawn in the report (the second red team saw one merged into the other)."""
    from PIL import Image

    from evidence.api import Case

    folder = tmp_path / "in"
    folder.mkdir()
    for name, colour in (
        ("Screenshot_20260314-213344.png", "white"),
        ("Screenshot_20260314-213344 (1).png", "ivory"),
    ):
        Image.new("RGB", (64, 64), colour).save(folder / name)
    with Case.init(tmp_path / "case", title="T", tz="Europe/London") as case:
        case.import_files(sorted(folder.iterdir()))
        pictures = [e for e in case.timeline() if e.record.locator == "image"]
        assert len(pictures) == 2 and {e.sources[0].exhibit for e in pictures} == {"EX-0001", "EX-0002"}


STREAMED_FILES = (
    "smsbackup/sms-fkleon-sms-dupes.xml",
    "smsbackup/sms-devadvance-sms_and_mms.xml",
    "smsbackup/sms-shruggietech-mixed.xml",
    "smsbackup/calls-phonecallorg-readme-example.xml",
    "whatsapp/chatminer-test_ddmmyy_24hrs.txt",
)


def test_streamed_timeline_is_the_built_one(case: Case, corpus: Path, tmp_path: Path) -> None:
    """``timeline_stream`` (a cursor, one instant at a time) gives exactly ``timeline()``'s entries, in its order,
    on real exports (one with duplicate messages) plus two overlapping backups, and the CLI prints the same."""
    march = [(1772900000000, "Pick up the phone."), (1772900000000, "I know you're there.")]
    first = _backup(tmp_path / "sms-20260310.xml", march)
    second = _backup(tmp_path / "sms-20260410.xml", [*march, (1775600000000, "Later.")])
    case.import_files([*(corpus / name for name in STREAMED_FILES), first, second])
    built = [e.to_json() for e in case.timeline()]
    streamed = [e.to_json() for e in case.timeline_stream()]
    assert streamed == built
    assert len(built) > 40
    assert any(len(e["sources"]) == 2 for e in built)  # merged across the two backups
    instants = [e["occurred_at"] for e in built]
    assert len(set(instants)) < len(instants)  # entries sharing an instant: the grouping is exercised
    printed = json.loads(run_cli("-C", str(case.root), "timeline", "--json").stdout)
    assert [e["id"] for e in printed] == [e["id"] for e in built]


def test_empty_timeline_prints_an_empty_array(case: Case) -> None:
    assert run_cli("-C", str(case.root), "timeline", "--json").stdout == "[]\n"
    assert run_cli("-C", str(case.root), "timeline").stdout == ""


SAME_CALLS = Path(__file__).parent / "data" / "same_calls"


def test_one_call_in_two_files_is_paired_by_corroborating(corpus: Path, tmp_path: Path) -> None:
    """iMazing's call history and the SB&R file its converter's author expects from it (tests/data/same_calls):
    the same four calls, two outgoing and two incoming; the exact merge keeps them apart (the files differ in
    status and app), ``corroborating`` pairs each call of one file with the same call of the other."""
    from evidence.timeline import TimelineEntry, corroborating, normalised_party

    root = tmp_path / "case"
    with Case.init(root, title="calls", tz="UTC") as case:
        case.import_files(
            [
                corpus / "imazing" / "imazingtosbr-call_history_basic.csv",
                SAME_CALLS / "imazingtosbr-call_history_basic-result.xml",
            ]
        )
        entries = case.timeline()
    assert len(entries) == 8  # the exact merge keeps both files' records

    def key(e: TimelineEntry) -> tuple[str, ...]:
        rec = e.record
        other = rec.recipients[0] if rec.recipients else rec.sender
        return (rec.channel.value, rec.direction.value, normalised_party(other) or "")

    pairs = corroborating(entries, key)
    assert len(pairs) == 4
    for copy, shown in pairs.items():
        a, b = entries[shown], entries[copy]
        assert a.record.occurred_at == b.record.occurred_at and a.record.duration_s == b.record.duration_s
        assert {a.sources[0].exhibit, b.sources[0].exhibit} == {"EX-0001", "EX-0002"}
    # One file's records are never one event; no key, no pair; the calls are more than 60 s apart, so
    # even a key that says only the direction pairs each call with its own twin.
    one_file = [e for e in entries if e.sources[0].exhibit == "EX-0001"]
    assert corroborating(one_file, lambda e: "same") == {}
    assert corroborating(entries, lambda e: None) == {}
    assert len(corroborating(entries, lambda e: e.record.direction.value)) == 4
