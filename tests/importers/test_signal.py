"""Signal (signal-export text) importer: the corpus file, continuation lines, DST, impossible dates, the
boundary with the WhatsApp importer's sniff over both corpora, and an import into a real case."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from evidence.api import Case
from evidence.errors import InputError
from evidence.importers.signal import SignalImporter
from evidence.importers.whatsapp import WhatsAppImporter
from evidence.models import Channel, Direction, ImportOptions, ImportWarning, Record, TimeSource
from evidence.verify.case import verify_case
from tests.importers.helpers import source_for

DATA = Path(__file__).resolve().parent.parent / "data" / "signal"


def parse(path: Path, tz: str = "Europe/London") -> tuple[list[Record], list[ImportWarning]]:
    items = list(SignalImporter().parse(source_for(path, "text/plain"), ImportOptions(tz=tz)))
    return [i for i in items if isinstance(i, Record)], [i for i in items if isinstance(i, ImportWarning)]


# file -> (records, warnings, [(locator, sender, text)])
CORPUS_TABLE: dict[str, tuple[int, int, list[tuple[str, str, str]]]] = {
    "chatminer-test_export.txt": (
        2,
        0,
        [("line 1", "Jane Doe", "Hello John!"), ("line 2", "John Doe", "Hello\nJane!")],
    ),
}


def test_the_table_covers_every_corpus_file(corpus: Path) -> None:
    assert {p.name for p in (corpus / "signal").iterdir()} == set(CORPUS_TABLE)


@pytest.mark.parametrize("name", sorted(CORPUS_TABLE))
def test_corpus_file(corpus: Path, name: str) -> None:
    path = corpus / "signal" / name
    count, warning_count, expected = CORPUS_TABLE[name]
    assert SignalImporter().sniff(path.read_bytes(), source_for(path, "text/plain"))
    records, warnings = parse(path)
    assert len(records) == count and len(warnings) == warning_count
    assert [(r.locator, r.sender, r.text) for r in records] == expected
    for r in records:
        assert r.channel == Channel.CHAT and r.app == "signal" and r.direction == Direction.UNKNOWN
        assert r.tz_assumed and r.tz_name == "Europe/London" and r.time_source == TimeSource.EXPORT


def test_fields_and_zone(corpus: Path) -> None:
    records, _ = parse(corpus / "signal" / "chatminer-test_export.txt", tz="America/New_York")
    first = records[0]
    assert first.occurred_at == datetime(2019, 12, 24, 17, 23, tzinfo=UTC)
    assert first.occurred_at.utcoffset() == timedelta(hours=-5)
    assert first.raw == {
        "prefix": "[2019-12-24, 12:23] ",
        "date": "2019-12-24",
        "time": "12:23",
        "kind": "message",
        "sender": "Jane Doe",
    }


def test_dst_fall_back_and_gap_are_warned() -> None:
    records, warnings = parse(DATA / "dst_fall_back_and_gap.txt")
    assert [r.occurred_at.astimezone(UTC) for r in records] == [
        datetime(2024, 10, 27, 0, 30, tzinfo=UTC),  # the first 01:30, BST
        datetime(2024, 10, 27, 0, 45, tzinfo=UTC),
        datetime(2024, 3, 31, 1, 30, tzinfo=UTC),  # 01:30 never happened: read with GMT
        datetime(2024, 11, 1, 9, 0, tzinfo=UTC),
    ]
    assert [w.locator for w in warnings] == ["line 1", "line 2", "line 3"]
    assert "happened twice" in warnings[0].message and "does not exist" in warnings[2].message


def test_impossible_dates_orphans_and_system_lines() -> None:
    records, warnings = parse(DATA / "impossible_dates_and_orphans.txt")
    assert [w.locator for w in warnings] == ["line 1", "line 2", "line 4"]
    assert "text before the first message" in warnings[0].message
    assert "2024-02-30 10:00 is not a real date and time" in warnings[1].message
    assert "25:00" in warnings[2].message
    system, multi = records
    assert system.locator == "line 5" and system.sender is None and system.raw["kind"] == "system"
    assert system.text == "You changed the disappearing message timer"
    assert multi.locator == "line 6" and multi.text == "multi\nline"


def test_refusals(tmp_path: Path) -> None:
    empty = tmp_path / "notes.txt"
    empty.write_text("just some notes\n")
    with pytest.raises(InputError, match="holds no Signal messages"):
        parse(empty)
    path = DATA / "dst_fall_back_and_gap.txt"
    with pytest.raises(InputError, match="limit 256 MiB"):
        list(
            SignalImporter().parse(
                source_for(path, "text/plain", size=256 * 2**20 + 1), ImportOptions(tz="UTC")
            )
        )
    latin = tmp_path / "latin.txt"
    latin.write_bytes(b"[2024-01-01, 10:00] Zo\xeb: hi\n")
    records, warnings = parse(latin)
    assert records[0].sender == "Zo\ufffd" and "not valid UTF-8" in warnings[0].message


def test_signal_and_whatsapp_sniffs_never_both_claim(corpus: Path) -> None:
    signal, whatsapp = SignalImporter(), WhatsAppImporter()
    for folder in ("whatsapp", "signal"):
        for path in sorted((corpus / folder).iterdir()):
            head = path.read_bytes()[: 64 * 1024]
            claims = (
                signal.sniff(head, source_for(path, "text/plain")),
                whatsapp.sniff(head, source_for(path, "text/plain")),
            )
            assert claims == ((False, True) if folder == "whatsapp" else (True, False)), path.name


def test_whatsapp_ios_form_with_seconds_is_not_signal(tmp_path: Path) -> None:
    path = tmp_path / "ios.txt"
    path.write_text("[2019-12-24, 12:23:05] Jane Doe: Hello\n")
    assert not SignalImporter().sniff(path.read_bytes(), source_for(path, "text/plain"))
    assert WhatsAppImporter().sniff(path.read_bytes(), source_for(path, "text/plain"))


def test_import_into_a_case_and_verify(case: Case, corpus: Path) -> None:
    result = case.import_files([corpus / "signal" / "chatminer-test_export.txt"])
    assert len(result.items) == 1
    records = case.records()
    assert [r.text for r in records] == ["Hello John!", "Hello\nJane!"]
    assert {r.importer for r in records} == {"signal"}
    assert verify_case(case.root).ok
