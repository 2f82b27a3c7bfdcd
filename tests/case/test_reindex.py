"""A case made by an older version is re-indexed from its ledger; the verifier says so instead of failing."""

from __future__ import annotations

from pathlib import Path

from evidence.api import Case
from evidence.case import index
from evidence.verify.case import verify_case


def test_an_outdated_index_is_rebuilt_from_the_ledger(tmp_path: Path) -> None:
    with Case.init(tmp_path / "c", title="t", tz="Europe/London") as case:
        case.add_diary_entry(when="2026-03-14 21:30", text="Twelve missed calls tonight.")
        head = case.head()
        # What an older version left: no people table, no search table, no recorded index version.
        case.conn.execute("DROP TABLE people")
        case.conn.execute("DROP TABLE search_text")
        case.conn.execute("DELETE FROM meta WHERE key = 'index_version'")
    report = verify_case(tmp_path / "c")
    assert report.ok and report.codes() == {"INDEX_OUTDATED"}
    with Case.open(tmp_path / "c", readonly=True) as case:  # reading re-indexes once
        assert index.stored_version(case.conn) == index.INDEX_VERSION
        assert case.head() == head  # the ledger is untouched
        assert [r.text for r in case.records()] == ["Twelve missed calls tonight."]
    report = verify_case(tmp_path / "c")
    assert report.ok and report.findings == []
