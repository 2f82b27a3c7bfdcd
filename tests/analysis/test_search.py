"""Full-text search over the sample case, and the timeline's filters."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

from evidence.api import Case
from evidence.verify.case import verify_case
from tests.conftest import run_cli


def test_search_names_the_exhibit_and_locator(sample_case: Path) -> None:
    with Case.open(sample_case, readonly=True) as case:
        hits = case.search("light")
        exhibits = {e["original_name"]: e["exhibit"] for e in case.exhibits()}
    sms = [h for h in hits if h.channel == "sms"]
    assert len(sms) == 1
    assert sms[0].exhibit == exhibits["sms-20260415093000.xml"]
    assert sms[0].locator.startswith("sms ")
    assert "[light]" in sms[0].snippet
    # Jordan's diary entry of that evening mentions it too.
    assert any(h.channel == "diary" and h.exhibit == exhibits["diary.json"] for h in hits)


def test_search_reaches_email_bodies_chat_and_odd_queries(sample_case: Path) -> None:
    with Case.open(sample_case, readonly=True) as case:
        rent = {h.channel for h in case.search("rent")}
        apostrophe = case.search("don't")  # not FTS5 syntax: searched as a plain word
        nothing = case.search("zebra")
    assert {"sms", "chat"} <= rent
    assert apostrophe and all("[don" in h.snippet.lower() for h in apostrophe)
    assert nothing == []


def test_search_finds_parts_of_words_and_says_so(sample_case: Path) -> None:
    with Case.open(sample_case, readonly=True) as case:
        words = case.search("counsellor")
        parts = case.search("counsel")  # no record has the word "counsel": only "counsellor"
    assert words and {h.match for h in words} == {"word"}
    assert [h.record_id for h in parts] == [h.record_id for h in words]
    assert all(h.match == "substring" and "[counsel]lor" in h.snippet.lower() for h in parts)


def test_cli_search_json(sample_case: Path) -> None:
    out = run_cli("-C", str(sample_case), "search", "counsellor", "--json")
    assert out.returncode == 0, out.stderr
    hits = json.loads(out.stdout)
    assert hits and all(h["exhibit"].startswith("EX-") for h in hits)
    assert any(h["sender"] == "+447700900456" for h in hits)


def test_search_rows_are_verified(sample_case: Path, tmp_path: Path) -> None:
    copy = tmp_path / "case"
    shutil.copytree(sample_case, copy)
    assert verify_case(copy).ok
    db = sqlite3.connect(copy / "evidence.db")
    db.execute("DELETE FROM search_text WHERE rowid = (SELECT MIN(rowid) FROM search_text)")
    db.commit()
    db.close()
    report = verify_case(copy)
    assert any(f.code == "INDEX_MISMATCH" and "search_text" in str(f) for f in report.findings)


def test_timeline_filters(sample_case: Path) -> None:
    base = ("-C", str(sample_case), "timeline", "--json")
    alex = json.loads(run_cli(*base, "--person", "Alex Morgan", "--channel", "email").stdout)
    assert len(alex) == 4 and all(e["people"] == ["Alex Morgan"] for e in alex)
    night = json.loads(
        run_cli(*base, "--since", "2026-03-29", "--until", "2026-03-29", "--direction", "incoming").stdout
    )
    # 3 calls, each in the phone's log and the carrier's bill, and 2 texts.
    assert len(night) == 8
    outgoing = json.loads(run_cli(*base, "--direction", "outgoing", "--channel", "sms").stdout)
    assert len(outgoing) == 4
    text = run_cli("-C", str(sample_case), "timeline", "--person", "sam patel")
    assert "(Sam Patel)" in text.stdout


def test_search_every_hit_for_a_filter(case: Case, corpus: Path) -> None:
    """``every``: all the records that match, not the first ``MAX_HITS`` (the app's timeline filters with it).
    Six WhatsApp exports written by others hold more than ``MAX_HITS`` lines with an "e"."""
    from evidence.analysis.search import MAX_HITS

    real = corpus / "whatsapp-real"
    case.import_files(
        [
            real / "whatsjson-android-WhatsApp Chat with Dmitry S EN Android.txt",
            real / "whatsjson-android-WhatsApp Chat with Dmitry S EN+Media Android.txt",
            real / "whatsjson-android-Chat WhatsApp s\u00a0uživatelem Dmitry S CZ Android.txt",
            real / "whatsjson-calendars-Buddhist iOS.txt",
            real / "whatsjson-ios-WhatsApp Chat - Elon Musk (EN).txt",
            corpus / "whatsapp" / "whatstk-pokemon.txt",
        ]
    )
    first = case.search("e")
    every = case.search("e", every=True)
    holding = {
        r.id for r in case.records() if "e" in " ".join(v for v in (r.sender, r.subject, r.text) if v).lower()
    }
    assert len(first) == MAX_HITS < len(every)
    assert {h.record_id for h in every} == holding
    assert [h.record_id for h in first] == [h.record_id for h in every][:MAX_HITS]
