"""Tactic suggestions computed once at import and kept signed (``evidence.analysis.suggested``, issue 18), on
files written by others: SMS Backup & Restore files (devadvance, fkleon), WhatsApp exports (whats-reader,
whatsjson, chatminer), a Signal export (chatminer) and a Telegram one (chat-analytics).

What the views show must not change: for every record, the stored suggestions are what the tagger says of it on
the fly, and a case without stored suggestions (made before them, or by another tagger) is tagged on the fly."""

from __future__ import annotations

import itertools
import os
import shutil
import signal
import sqlite3
from pathlib import Path

import pytest

from evidence.analysis import review, suggested
from evidence.api import Case
from evidence.case import index
from evidence.case.canonical import canonical_bytes, parse_canonical
from evidence.case.formats import DB_NAME, Kind
from evidence.models import ImportOptions
from evidence.verify.case import verify_case
from tests.conftest import run_cli

FILES = [
    "smsbackup/sms-devadvance-sms_small.xml",
    "smsbackup/sms-fkleon-sms-and-mms.xml",
    "smsbackup/calls-timecockpit-doc-example.xml",
    "whatsapp/whatsreader-android-WhatsApp Chat with Alice.txt",
    "whatsapp/whatsreader-german-format-test.txt",
    "whatsapp/chatminer-test_ddmmyy_24hrs.txt",
    "whatsapp-real/whatsjson-android-WhatsApp Chat with Dmitry S EN Android.txt",
    "signal/chatminer-test_export.txt",
    "telegram/chatanalytics-DM_2A_7M.json",
]


def _build(root: Path, corpus: Path) -> None:
    with Case.init(root, title="Stored suggestions", tz="Europe/London") as case:
        for name in FILES:
            case.import_files([corpus / name], options=ImportOptions(tz="Europe/London", date_order="DMY"))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, corpus: Path) -> Path:
    root = tmp_path_factory.mktemp("suggested") / "case"
    _build(root, corpus)
    return root


@pytest.fixture(scope="module")
def unstored(tmp_path_factory: pytest.TempPathFactory, corpus: Path) -> Path:
    """The same files imported as a version before stored suggestions did: no ``tactics.suggested`` entry."""
    root = tmp_path_factory.mktemp("unstored") / "case"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("evidence.actions.importing._stage_suggestions", lambda *args: None)
        _build(root, corpus)
    return root


def _kinds(root: Path) -> list[str]:
    with Case.open(root, readonly=True) as case:
        return [e.kind for e in case.entries()]


def test_each_records_entry_has_its_suggestions_entry_and_the_case_verifies(built: Path) -> None:
    kinds = _kinds(built)
    # The call log and fkleon's file (its one incoming message is a picture, no words) give the tagger nothing to
    # read: no set (their records show no suggestion either way).
    assert kinds.count(Kind.TACTICS_SUGGESTED) == kinds.count(Kind.RECORDS_DERIVED) - 2 == len(FILES) - 2
    # Each follows its records entry and names it.
    with Case.open(built, readonly=True) as case:
        entries = list(case.entries())
    for before, entry in itertools.pairwise(entries):
        if entry.kind == Kind.TACTICS_SUGGESTED:
            assert before.kind == Kind.RECORDS_DERIVED and entry.body["derived_seq"] == before.seq
            assert entry.body["tagger"] == suggested.tagger_identity()
    assert verify_case(built).findings == []


def test_stored_suggestions_are_what_the_tagger_says_of_every_record(built: Path) -> None:
    with Case.open(built, readonly=True) as case:
        stored = case.stored_suggestions()
        read = {r.id for r in case.records() if review.suggests(r) and review.record_words(r)}
        assert read and read.isdisjoint(stored.uncovered)  # every record the tagger reads was read at import
        timeline = list(case.timeline_stream(settled=True))
        compared = 0
        for entry in timeline:
            fresh = review.tags_for(entry.record, {})
            assert review.tags_for(entry.record, {}, stored=stored) == fresh, entry.record.id
            compared += bool(fresh)
    assert len(timeline) == 149 and compared == 8  # real suggestions were compared, not only empty lists
    # The blob's entries hold only records with a suggestion, and each suggestion's words are where it says.
    with Case.open(built, readonly=True) as case:
        for rec in case.records():
            for shown in stored.get(rec.id) or []:
                assert shown.start is not None and shown.end is not None
                assert review.record_words(rec)[shown.start : shown.end] == shown.words


def test_the_blob_is_canonical_and_lists_the_tagger(built: Path) -> None:
    with Case.open(built, readonly=True) as case:
        bodies = [e.body for e in case.entries() if e.kind == Kind.TACTICS_SUGGESTED]
        blobs = [case.store.read_bytes(b["blob_sha256"]) for b in bodies]
    for body, data in zip(bodies, blobs, strict=True):
        document = parse_canonical(data)
        assert canonical_bytes(document) == data  # written in pieces, byte for byte the canonical form
        assert document["tagger"] == body["tagger"] and document["item_sha256"] == body["item_sha256"]
        assert len(document["records"]) == body["records_suggested"] <= body["records_read"]
        assert all(item["tags"] for item in document["records"])
    assert sum(b["records_suggested"] for b in bodies) == 8


def test_a_case_without_stored_suggestions_shows_the_same_timeline(built: Path, unstored: Path) -> None:
    assert Kind.TACTICS_SUGGESTED not in _kinds(unstored)
    with Case.open(unstored, readonly=True) as case:
        stored = case.stored_suggestions()
        assert stored.uncovered and not stored.tags  # nothing stored: every record tagged on the fly
    assert verify_case(unstored).findings == []
    shown = []
    for root in (built, unstored):
        for args in (["timeline", "--json"], ["timeline"], ["timeline", "--tag", "insult", "--json"]):
            done = run_cli("-C", str(root), *args)
            assert done.returncode == 0, done.stderr
            shown.append(done.stdout)
    # The same bytes (record ids and exhibits are the same: the same files in the same order).
    assert shown[:3] == shown[3:]
    assert '"status": "suggested"' in shown[0]


def test_another_tagger_s_suggestions_are_not_shown_as_this_one_s(
    built: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(suggested, "current_tagger", lambda: "2:" + "0" * 64)
    with Case.open(built, readonly=True) as case:
        stored = case.stored_suggestions()
        ids = {r.id for r in case.records()}
    assert stored.uncovered == ids and not stored.tags


def test_a_case_indexed_before_stored_suggestions_is_reindexed(built: Path, tmp_path: Path) -> None:
    root = tmp_path / "case"
    shutil.copytree(built, root)
    with Case.open(root, readonly=True) as case:
        before = case.stored_suggestions()
    conn = sqlite3.connect(root / DB_NAME, isolation_level=None)
    try:
        conn.execute("DROP TABLE suggestions")
        conn.execute("DROP TABLE suggestion_sets")
        conn.execute("UPDATE meta SET value = '4' WHERE key = 'index_version'")
    finally:
        conn.close()
    report = verify_case(root)
    assert report.ok and report.codes() == {"INDEX_OUTDATED"}
    with Case.open(root) as case:  # opening it for writing rebuilds the index from the ledger
        assert index.stored_version(case.conn) == index.INDEX_VERSION
        assert case.stored_suggestions() == before and before.tags
    assert verify_case(root).findings == []


def test_a_review_records_the_stored_suggestion(built: Path, tmp_path: Path) -> None:
    root = tmp_path / "case"
    shutil.copytree(built, root)
    with Case.open(root) as case:
        stored = case.stored_suggestions()
        record_id = min(stored.tags)
        tags = stored.get(record_id) or []
        case.review_tag(record_id, tags[0].tactic, review.CONFIRMED)
        body = next(e.body for e in case.entries() if e.kind == Kind.TACTIC_REVIEWED)
        shown = case.show_record(record_id)["tags"]
    assert body["suggested_by_rule"] == tags[0].rule and body["words"] == tags[0].words
    first = next(t for t in shown if t["tactic"] == tags[0].tactic)
    assert first["status"] == review.CONFIRMED and first["rule_description"]


def test_pictures_read_after_their_import_get_their_suggestions(
    case: Case, corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.ocr.test_cache import TEXTS, pictures

    files = [*pictures(tmp_path / "in", TEXTS), corpus / "screenshots-real" / "fossifymessages-2_en-US.png"]
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    with monkeypatch.context() as patch:
        patch.setenv("PATH", str(empty))  # imported while tesseract was not installed: no words yet
        case.import_files(files)
    unread = {r.id for r in case.records()}
    assert len(unread) == 4 and case.stored_suggestions().uncovered == unread  # no words: no set
    done = case.ocr()
    assert [d.status for d in done] == ["read"] * 4
    bodies = [e.body for e in case.entries() if e.kind == Kind.TACTICS_SUGGESTED]
    # One set for each picture's new words, one for the messages the layout of the real screenshot found.
    assert sum("ocr_seq" in b for b in bodies) == 4 and sum("derived_seq" in b for b in bodies) == 1
    stored = case.stored_suggestions()
    assert (
        stored.uncovered == unread
    )  # the pictures' own records are tagged when shown (their import's set: none)
    compared = 0
    for entry in case.timeline_stream(settled=True):
        fresh = review.tags_for(entry.record, {})
        assert review.tags_for(entry.record, {}, stored=stored) == fresh, entry.record.locator
        compared += bool(fresh)
    assert compared >= 2  # "Pick up the phone Jordan", "Answer me or else"
    assert verify_case(case.root).findings == []


def test_words_too_long_to_tag_at_import_are_tagged_when_shown(
    case: Case, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(suggested, "LONGEST_TAGGED", 40)  # a hostile 30 MB message, scaled down
    case.import_files([corpus / FILES[3]], options=ImportOptions(tz="Europe/London", date_order="DMY"))
    stored = case.stored_suggestions()
    records = case.records()
    long = {r.id for r in records if review.suggests(r) and len(review.record_words(r)) > 40}
    assert long and stored.uncovered == long  # deferred to the views, not lost
    for rec in records:
        assert review.tags_for(rec, {}, stored=stored) == review.tags_for(rec, {})
    assert verify_case(case.root).findings == []


def test_a_tagging_worker_that_dies_loses_nothing(built: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Case.open(built, readonly=True) as case:
        records = case.records()
    alone = suggested.Batches(workers=1)
    for rec in records:
        alone.add(rec)
    want = alone.results()
    monkeypatch.setattr(suggested, "BATCH", 5)
    pooled = suggested.Batches(workers=2)
    for rec in records[:40]:
        pooled.add(rec)
    assert pooled.pool is not None and pooled.futures
    for process in list(pooled.pool._processes.values()):  # killed, as the out-of-memory killer would
        os.kill(process.pid, signal.SIGKILL)
    for rec in records[40:]:
        pooled.add(rec)
    assert pooled.results() == want and len(want) == 8
    assert pooled.workers == 1 and pooled.read == alone.read


def test_the_tagger_identity_changes_with_a_rule_or_the_code(tmp_path: Path) -> None:
    from evidence.analysis.tactics import rules_dir

    shipped = suggested.tagger_identity()
    folder = tmp_path / "rules"
    shutil.copytree(rules_dir(), folder)
    assert suggested.tagger_identity(folder) == shipped  # the same bytes: the same tagger
    edited = tmp_path / "edited"
    shutil.copytree(rules_dir(), edited)
    (edited / "en.toml").write_text((edited / "en.toml").read_text(encoding="utf-8") + "\n# one more line\n")
    changed = suggested.tagger_identity(edited)
    assert (
        changed["rules_sha256"] != shipped["rules_sha256"]
        and changed["code_sha256"] == shipped["code_sha256"]
    )
    code = [Path(suggested.__file__).with_name(n) for n in suggested.TAGGER_CODE]
    assert all(p.is_file() for p in code)  # every module named is there (a rename would go unseen)
    copies = []
    for path in code:
        copies.append(tmp_path / path.name)
        copies[-1].write_bytes(path.read_bytes())
    assert suggested._files_digest(b"evidence/tagger-code/v1\x00", copies) == shipped["code_sha256"]
    copies[0].write_bytes(copies[0].read_bytes() + b"# a comment\n")
    assert suggested._files_digest(b"evidence/tagger-code/v1\x00", copies) != shipped["code_sha256"]
