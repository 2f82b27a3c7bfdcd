"""Tampering with the stored tactic suggestions (issue 18): the views read them from the index, so an attacker who
can write ``evidence.db`` could plant a suggestion ("threat" on a friend's message) or hide one. Each edit is
shown to reach a view, then caught by ``evidence verify`` (``INDEX_MISMATCH``, naming the table), because the
verifier replays the table from the signed suggestions blob; an edited blob is ``MODIFIED``. The case: devadvance's
SMS Backup & Restore sample and whats-reader's WhatsApp chat with Alice (files written by others)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from evidence.analysis import review
from evidence.api import Case
from evidence.case import sqldriver, vault
from evidence.case.folder import keyed
from evidence.case.formats import DB_NAME, Kind, object_path
from evidence.models import ImportOptions
from evidence.verify import ERROR
from evidence.verify.case import verify_case

FILES = [
    "smsbackup/sms-devadvance-sms_small.xml",
    "whatsapp/whatsreader-android-WhatsApp Chat with Alice.txt",
]


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory, corpus: Path) -> Path:
    root = tmp_path_factory.mktemp("suggestions") / "case"
    with Case.init(root, title="Suggestions", tz="Europe/London") as case:
        case.import_files(
            [corpus / f for f in FILES], options=ImportOptions(tz="Europe/London", date_order="DMY")
        )
    assert verify_case(root).findings == []
    return root


@pytest.fixture
def root(base: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "case"
    shutil.copytree(base, copy)
    return copy


def _sql(root: Path, statement: str, params: tuple[object, ...] = ()) -> int:
    conn = sqlite3.connect(root / DB_NAME, isolation_level=None)
    try:
        return conn.execute(statement, params).rowcount
    finally:
        conn.close()


def _mismatches(root: Path) -> list[str]:
    report = verify_case(root)
    assert not report.ok
    return [f.message for f in report.findings if f.severity == ERROR and f.code == "INDEX_MISMATCH"]


def _shown(root: Path) -> dict[str, set[str]]:
    """Each record's suggested tactics as the timeline shows them."""
    with Case.open(root, readonly=True) as case:
        stored = case.stored_suggestions()
        return {
            e.record.id: {t.tactic for t in review.tags_for(e.record, {}, stored=stored)}
            for e in case.timeline_stream(settled=True)
        }


def _plain_record(root: Path) -> tuple[str, int]:
    """An incoming record the tagger suggests nothing for."""
    shown = _shown(root)
    with Case.open(root, readonly=True) as case:
        rid, seq = next(
            (rid, seq)
            for rid, seq in case.conn.execute("SELECT id, derived_seq FROM records ORDER BY id")
            if shown.get(rid) == set()
        )
    return str(rid), int(seq)


def test_a_planted_suggestion_reaches_the_timeline_and_verify_names_it(root: Path) -> None:
    rid, seq = _plain_record(root)
    _sql(
        root,
        "INSERT INTO suggestions (record_id, derived_seq, tactic, rule, word_start, word_end, words, seq) "
        "VALUES (?, ?, 'threat', 'en.threat.explicit', 0, 1, 'x', 4)",
        (rid, seq),
    )
    assert _shown(root)[rid] == {"threat"}  # the attack works on the view...
    found = _mismatches(root)  # ...and is caught
    assert any(m.startswith("the suggestions table") and f"record {rid}" in m for m in found), found


def test_a_removed_suggestion_is_named(root: Path) -> None:
    rid, tactic = _sql_one(root, "SELECT record_id, tactic FROM suggestions ORDER BY record_id LIMIT 1")
    assert _sql(root, "DELETE FROM suggestions WHERE record_id = ? AND tactic = ?", (rid, tactic)) == 1
    assert tactic not in _shown(root)[rid]
    found = _mismatches(root)
    assert any(m.startswith("the suggestions table") and f"missing: record {rid}" in m for m in found), found


def test_edited_words_are_named(root: Path) -> None:
    assert _sql(root, "UPDATE suggestions SET words = 'I will hurt you' WHERE rowid = 1") == 1
    assert any(m.startswith("the suggestions table") for m in _mismatches(root))


def test_a_removed_set_makes_the_views_tag_again_and_is_named(root: Path) -> None:
    before = _shown(root)
    assert (
        _sql(root, "DELETE FROM suggestion_sets WHERE rowid = (SELECT min(rowid) FROM suggestion_sets)") == 1
    )
    assert _shown(root) == before  # the records it covered are tagged on the fly: the same suggestions
    assert any(m.startswith("the suggestion_sets table") for m in _mismatches(root))


def test_a_set_claiming_another_tagger_is_named(root: Path) -> None:
    assert _sql(root, "UPDATE suggestion_sets SET tagger = '9:' || substr(tagger, 3)") >= 1
    assert any(m.startswith("the suggestion_sets table") for m in _mismatches(root))


def test_an_edited_suggestions_blob_is_modified(root: Path) -> None:
    with Case.open(root, readonly=True) as case:
        sha = next(
            e.body["blob_sha256"]
            for e in case.entries()
            if e.kind == Kind.TACTICS_SUGGESTED and e.body["records_suggested"]
        )
    path = object_path(root, sha)
    path.chmod(0o644)
    path.write_bytes(path.read_bytes().replace(b'"tactic":"', b'"tactic":"x', 1))
    report = verify_case(root)
    assert not report.ok and any(f.code == "MODIFIED" and sha in str(f.path) for f in report.findings)


def _sql_one(root: Path, query: str) -> tuple[str, str]:
    conn = sqlite3.connect(root / DB_NAME)
    try:
        row = conn.execute(query).fetchone()
    finally:
        conn.close()
    return str(row[0]), str(row[1])


def test_an_encrypted_case_s_suggestions_are_stored_sealed_and_checked(tmp_path: Path, corpus: Path) -> None:
    root = tmp_path / "sealed"
    with Case.init(
        root,
        title="T",
        tz="Europe/London",
        passphrase="correct horse battery staple",
        encrypted=True,
        cost=vault.TEST_COST,
    ) as case:
        case.import_files(
            [corpus / f for f in FILES], options=ImportOptions(tz="Europe/London", date_order="DMY")
        )
        keys = case.keys
        stored = case.stored_suggestions()
        bodies = [e.body for e in case.entries() if e.kind == Kind.TACTICS_SUGGESTED]
        words = [w for (_, _, w, _, _) in (t for tags in stored.tags.values() for t in tags)]
    assert keys is not None and bodies and words
    assert verify_case(root, keys=keys).findings == []
    # The blob is sealed: none of the suggested words is in any file of the store in clear.
    stored_bytes = b"".join(p.read_bytes() for p in (root / "objects").rglob("*") if p.is_file())
    assert not any(w.encode() in stored_bytes for w in words if len(w) > 3)
    conn = sqldriver.connect(root / DB_NAME, isolation_level=None)
    keyed(conn, keys.db_key)
    try:
        conn.execute("DELETE FROM suggestions WHERE rowid = 1")
    finally:
        conn.close()
    report = verify_case(root, keys=keys)
    assert any(
        f.code == "INDEX_MISMATCH" and f.message.startswith("the suggestions table") for f in report.findings
    )
