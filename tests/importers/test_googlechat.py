"""Google Chat messages.json from Google Takeout."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evidence.api import Case
from evidence.errors import InputError
from evidence.importers.base import SNIFF_BYTES, Source
from evidence.importers.googlechat import GoogleChatImporter, parse_created_date
from evidence.models import ImportOptions, ImportWarning, Record
from evidence.verify.case import verify_case

GROUPS = "googlevoice/Takeout/Google Chat/Groups"


def _source(path: Path) -> Source:
    import hashlib

    return Source(
        path,
        path.name,
        hashlib.sha256(path.read_bytes()).hexdigest(),
        path.stat().st_size,
        "application/json",
    )


def _parse(path: Path) -> tuple[list[Record], list[ImportWarning]]:
    out = list(GoogleChatImporter().parse(_source(path), ImportOptions(tz="Europe/London")))
    return [r for r in out if isinstance(r, Record)], [w for w in out if isinstance(w, ImportWarning)]


@pytest.mark.parametrize(
    ("folder", "count", "claimed_info"),
    [("DM 2k64eoAAAAE", 2, False), ("Space AAAAdvGdRgs", None, False)],
)
def test_corpus_messages_and_group_info(
    corpus: Path, folder: str, count: int | None, claimed_info: bool
) -> None:
    base = corpus / GROUPS / folder
    messages, info = base / "messages.json", base / "group_info.json"
    importer = GoogleChatImporter()
    assert importer.sniff(messages.read_bytes()[:SNIFF_BYTES], _source(messages))
    assert importer.sniff(info.read_bytes()[:SNIFF_BYTES], _source(info)) is claimed_info
    records, warnings = _parse(messages)
    expected = len(json.loads(messages.read_text(encoding="utf-8"))["messages"])
    assert len(records) == (count if count is not None else expected)
    assert warnings == []


def test_fields_of_a_message(corpus: Path) -> None:
    records, _ = _parse(corpus / GROUPS / "DM 2k64eoAAAAE" / "messages.json")
    first = records[0]
    assert first.occurred_at.isoformat() == "2014-08-25T17:29:21+00:00"
    assert first.tz_assumed is False and first.time_source.value == "export"
    assert first.sender == "mssc@science.example.org"
    assert first.raw["creator_name"] == "Maria S Curie"
    assert first.channel.value == "chat" and first.app == "googlechat"
    assert first.text is not None and first.text.startswith("you are really on top")
    assert records[1].occurred_at.isoformat() == "2014-08-27T05:55:31+00:00"


def test_dates() -> None:
    assert parse_created_date("Monday, January 7, 2019 at 7:25:08\u202fPM UTC") is not None
    assert parse_created_date("Monday, January 7, 2019 at 12:05:08 AM UTC").hour == 0  # type: ignore[union-attr]
    assert parse_created_date("Monday, January 7, 2019 at 7:25:08 PM PST") is None
    assert parse_created_date("yesterday") is None


def test_bad_input(tmp_path: Path) -> None:
    bad = tmp_path / "messages.json"
    bad.write_text('{"messages": [{"creator": {"name": "A"}, "created_date": "soon", "text": "x"}]}')
    records, warnings = _parse(bad)
    assert records == [] and "not a Takeout UTC date" in warnings[0].message
    bad.write_text('{"messages": [{"creator": ')
    with pytest.raises(InputError, match="breaks off at line 1"):
        _parse(bad)


def test_end_to_end(case: Case, corpus: Path) -> None:
    result = case.import_files([corpus / GROUPS / "DM 2k64eoAAAAE" / "messages.json"])
    assert result.items[0].importer == "googlechat" and result.items[0].records == 2
    assert verify_case(case.root).ok
