"""The substring index (``search_trigram``, beside the word index ``search_text``) is checked like every index
table: its rows equal a replay of the ledger (check (7), ``INDEX_MISMATCH``), its full-text index is the index
of its rows (check (1b), ``SEARCH_INDEX_CORRUPT``), its definition is the writer's (``SCHEMA_MODIFIED``), and a
case made before it existed is re-indexed, not rejected."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from evidence.api import Case
from evidence.case import index
from evidence.verify import ERROR, Report
from evidence.verify.case import verify_case
from tests.redteam.test_database import forge

CHAT = "whatsapp/whatsreader-asian-format-test.txt"  # Japanese, from another project's tests
FORGED = "今夜そちらへ行きます"  # "I'm coming to your place tonight", in no record


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory, corpus: Path) -> Path:
    root = tmp_path_factory.mktemp("trigram") / "case"
    with Case.init(root, title="Substrings", tz="Europe/London") as case:
        case.import_files([corpus / "smsbackup" / "sms-devadvance-sms_small.xml", corpus / CHAT])
    assert verify_case(root).findings == []
    return root


@pytest.fixture
def root(base: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "case"
    shutil.copytree(base, copy)
    return copy


def errors(report: Report) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for f in report.findings:
        if f.severity == ERROR:
            found.setdefault(f.code, []).append(f.message)
    return found


def searched(root: Path, query: str) -> list[str]:
    with Case.open(root, readonly=True) as case:
        return [h.locator for h in case.search(query)]


def test_a_forged_row_is_found_by_search_and_named_by_verify(root: Path) -> None:
    with forge(root) as db:
        rid, seq, exhibit = db.execute(
            "SELECT record_id, derived_seq, exhibit FROM search_trigram WHERE text = '元気ですか？'"
        ).fetchone()
        db.execute(
            "INSERT INTO search_trigram (record_id, derived_seq, exhibit, locator, channel, sender, subject, text) "
            "VALUES (?, ?, ?, 'line 2', 'chat', '佐藤花子', NULL, ?)",
            (rid, seq, exhibit, FORGED),
        )
    assert searched(root, "そちらへ") == ["line 2"]  # the forgery works on what search answers
    found = errors(verify_case(root))
    assert list(found) == ["INDEX_MISMATCH"]
    assert "the search_trigram table" in found["INDEX_MISMATCH"][0]
    assert f"not in the ledger: record {rid} (entry {seq})" in found["INDEX_MISMATCH"][0]


def test_a_deleted_row_is_named(root: Path) -> None:
    with forge(root) as db:
        db.execute("DELETE FROM search_trigram WHERE text = '写真は綺麗です'")
    assert searched(root, "写真は綺") == []  # the record is no longer found as a substring
    found = errors(verify_case(root))
    assert list(found) == ["INDEX_MISMATCH"]
    assert "search_trigram" in found["INDEX_MISMATCH"][0] and "missing: record" in found["INDEX_MISMATCH"][0]


def test_a_full_text_index_rebuilt_from_other_text_is_corrupt(root: Path) -> None:
    with forge(root) as db:
        rowid, old = db.execute(
            "SELECT id, c7 FROM search_trigram_content WHERE c7 = '写真は綺麗です'"
        ).fetchone()
        db.execute("BEGIN")
        db.execute("UPDATE search_trigram_content SET c7 = ? WHERE id = ?", (FORGED, rowid))
        db.execute("INSERT INTO search_trigram (search_trigram) VALUES ('rebuild')")
        db.execute("UPDATE search_trigram_content SET c7 = ? WHERE id = ?", (old, rowid))
        db.execute("COMMIT")
    # Found for text it does not have, missed for text it has; its row still reads the same.
    assert searched(root, "そちらへ行") == ["line 4"]
    assert searched(root, "写真は綺") == []
    found = errors(verify_case(root))
    assert list(found) == ["SEARCH_INDEX_CORRUPT"]
    assert "search_trigram" in found["SEARCH_INDEX_CORRUPT"][0]


def test_a_changed_definition_and_configuration_are_named(root: Path) -> None:
    with forge(root) as db:
        db.execute("INSERT INTO search_trigram (search_trigram, rank) VALUES ('rank', 'bm25(1000.0)')")
    found = errors(verify_case(root))
    assert list(found) == ["INDEX_MISMATCH"] and "search_trigram_config" in found["INDEX_MISMATCH"][0]
    with forge(root) as db:
        db.execute("DROP TABLE search_trigram")
        db.execute(
            "CREATE VIRTUAL TABLE search_trigram USING fts5 (record_id UNINDEXED, derived_seq UNINDEXED, "
            "exhibit UNINDEXED, locator UNINDEXED, channel UNINDEXED, sender, subject, text)"
        )
    found = errors(verify_case(root))
    assert any(m.startswith("table search_trigram is defined as") for m in found["SCHEMA_MODIFIED"])


def test_a_case_indexed_before_substrings_is_reindexed(root: Path) -> None:
    # What version 3 left: no search_trigram (its shadow tables go with it).
    with forge(root) as db:
        db.execute("DROP TABLE search_trigram")
        db.execute("UPDATE meta SET value = '3' WHERE key = 'index_version'")
    report = verify_case(root)
    assert report.ok and report.codes() == {"INDEX_OUTDATED"}
    assert "search_trigram" in next(f.message for f in report.findings)
    assert searched(root, "写真は綺") == ["line 4"]  # opening it rebuilt the index from the ledger
    with forge(root) as db:
        assert index.stored_version(db) == index.INDEX_VERSION >= 4  # 5: records_counted, 6: suggestions
    assert verify_case(root).findings == []
