"""The records blob written and read record by record is byte for byte the canonical JSON of the whole."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from evidence.api import Case
from evidence.case import recordsblob
from evidence.case.canonical import CanonicalError, canonical_bytes, parse_canonical


def _blob(case: Case, corpus: Path, name: str) -> bytes:
    case.import_files([corpus / "smsbackup" / name])
    (entry,) = [e for e in case.entries() if e.kind == "records.derived"]
    return case.store.read_bytes(entry.body["blob_sha256"])


def test_pieces_and_reader_agree_with_the_whole_on_a_real_backup(case: Case, corpus: Path) -> None:
    data = _blob(case, corpus, "sms-fkleon-sms-and-mms.xml")
    whole = parse_canonical(data)
    assert len(whole["records"]) == 3 and whole["warnings"]  # two messages and an MMS; warnings too
    header: dict[str, Any] = {}
    read = list(recordsblob.read_records(data, header))
    assert read == whole["records"]
    assert header["warnings"] == whole["warnings"] and header["item_sha256"] == whole["item_sha256"]
    head = {k: whole[k] for k in ("importer", "importer_version", "item_sha256")}
    assert whole["tally"]["seen"] == 3  # the importer's count, after the records
    tail = {k: whole[k] for k in ("tally", "warnings")}
    written = b"".join(recordsblob.pieces(head, iter(read), tail))
    assert written == data == canonical_bytes(whole)


def test_records_longer_than_the_window_and_characters_across_its_edge(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(recordsblob, "WINDOW", 7)  # every record and most characters cross a window's edge
    records = [{"id": f"R-{i}", "text": "é😡字" * (i % 5) + "x" * i} for i in range(40)]
    data = canonical_bytes({"importer": "t", "records": records, "warnings": []})
    assert list(recordsblob.read_records(data)) == records
    assert b"".join(recordsblob.pieces({"importer": "t"}, iter(records), {"warnings": []})) == data


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('{"records":[{"a":1}] }', "canonical"),
        ('{"records":[{"b":1,"a":2}]}', "canonical"),
        ('{"records":[{"a":1,"a":2}]}', "duplicate key"),
        ('{"records":[{"a":1.5}]}', "float"),
        ('{"records":[{"a":9007199254740993}]}', "outside"),
        ('{"records":[{"a":"\\ud800"}]}', "not valid Unicode"),
        ('{"warnings":[],"records":[]}', "canonical"),
        ('{"records":[{"a":1}]}x', "after the object"),
        ('{"records":{"a":1}}', "not a list"),
        ('{"records":[1]}', "not an object"),
        ('{"records":[{"a":1}', "canonical form"),  # cut short
        ('{"records":[{"a":1', "not JSON"),
        ('{"warnings":[]}', "no list of records"),
    ],
)
def test_what_is_not_a_canonical_records_blob_is_refused(text: str, problem: str) -> None:
    with pytest.raises(CanonicalError, match=problem):
        list(recordsblob.read_records(text.encode("utf-8")))
