"""Facebook Messenger / Instagram JSON importer: every corpus file, mojibake repair, BOM, newest-first order,
calls and unsent messages, the app decision, malformed JSON, sniffing, and an import into a real case."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from evidence.api import Case
from evidence.errors import InputError
from evidence.importers.facebook import FacebookImporter, repair
from evidence.importers.telegram import TelegramImporter
from evidence.models import Channel, Direction, ImportOptions, ImportWarning, Record, TimeSource
from evidence.verify.case import verify_case
from tests.importers.helpers import source_for

DATA = Path(__file__).resolve().parent.parent / "data" / "facebook"


def parse(path: Path, tz: str = "Europe/London") -> tuple[list[Record], list[ImportWarning]]:
    items = list(FacebookImporter().parse(source_for(path, "application/json"), ImportOptions(tz=tz)))
    return [i for i in items if isinstance(i, Record)], [i for i in items if isinstance(i, ImportWarning)]


def sniff(path: Path) -> bool:
    return FacebookImporter().sniff(path.read_bytes()[: 64 * 1024], source_for(path, "application/json"))


# file -> (records, warnings, app, first sender, first timestamp_ms)
CORPUS_TABLE: dict[str, tuple[int, int, str, str, int]] = {
    # BOM; 7 messages newest first; 4 media uris (files, audio, sticker, photo): 1 warning
    "chatanalytics-messenger-2A_7M.json": (7, 1, "messenger", "Alice", 1415147732056),
    # bare {"messages": [...]}, 2 messages; "instagram" in the file name
    "chatminer-instagram-test_export.json": (2, 0, "instagram", "John Doe", 1579294140000),
}


def test_the_table_covers_every_corpus_file(corpus: Path) -> None:
    assert {p.name for p in (corpus / "facebook").iterdir()} == set(CORPUS_TABLE)


@pytest.mark.parametrize("name", sorted(CORPUS_TABLE))
def test_corpus_file(corpus: Path, name: str) -> None:
    path = corpus / "facebook" / name
    count, warning_count, app, sender, first_ms = CORPUS_TABLE[name]
    assert sniff(path)
    assert not TelegramImporter().sniff(path.read_bytes(), source_for(path, "application/json"))
    records, warnings = parse(path)
    assert len(records) == count and len(warnings) == warning_count
    assert [r.locator for r in records] == [f"message {n}" for n in range(1, count + 1)]
    assert records[0].sender == sender
    assert records[0].occurred_at == datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=first_ms)
    for r in records:
        assert r.app == app and r.channel == Channel.SOCIAL and r.direction == Direction.UNKNOWN
        assert not r.tz_assumed and r.tz_name is None and r.time_source == TimeSource.EXPORT
    assert all(a.occurred_at > b.occurred_at for a, b in itertools.pairwise(records))


def test_messenger_fields(corpus: Path) -> None:
    records, _ = parse(corpus / "facebook" / "chatanalytics-messenger-2A_7M.json")
    first = records[0]
    assert first.text == "Hello" and first.recipients == ("Bob",)
    assert first.occurred_at.microsecond == 56000 and first.occurred_at.utcoffset() == timedelta(0)
    assert first.raw["thread"] == {
        "title": "Alice",
        "thread_type": "Regular",
        "thread_path": "inbox/alice_aaaaaaaaaa",
    }
    assert first.raw["app_from"] == "default" and first.raw["kind"] == "Generic"
    files = records[3]
    assert files.text is None and files.raw["media"] == ["messages/inbox/alice_aaaaaaaaaa/files/blabla.docx"]
    assert files.raw["message"]["ip"] == "1.1.1.1" and files.attachments == ()
    assert records[5].raw["media"] == ["messages/stickers_used/123123123123123.png"]


def test_mojibake_bom_calls_unsent_and_order() -> None:
    records, warnings = parse(DATA / "bom_mojibake_call_unsent.json")
    by = {r.locator: r for r in records}
    texts = [(w.locator, w.message) for w in warnings]
    first = by["message 1"]
    assert first.text == "sorry 😅" and first.sender == "Zoë" and first.recipients == ("Jordan",)
    assert first.raw["repaired"] is True and first.raw["message"]["reactions"][0]["reaction"] == "❤"
    assert first.raw["thread"]["title"] == "Zoë"
    # 2024-03-31 01:00:00.123 UTC: just after London's clocks went forward; exact, with the new offset.
    assert first.occurred_at.utcoffset() == timedelta(hours=1)
    assert first.occurred_at.isoformat() == "2024-03-31T02:00:00.123000+01:00"
    missed = by["message 2"]
    assert missed.channel == Channel.CALL and missed.status == "missed" and missed.duration_s == 0
    assert missed.text == "Zoë called you." and missed.occurred_at.utcoffset() == timedelta(0)
    answered = by["message 3"]
    assert answered.channel == Channel.CALL and answered.status is None and answered.duration_s == 95
    unsent = by["message 4"]
    assert unsent.status == "unsent" and unsent.raw["message"]["is_unsent"] is True
    assert "repaired" not in unsent.raw
    assert (
        "message 4",
        "newer than the message before it, though Facebook writes newest first; kept in file order",
    ) in texts
    assert "message 5" not in by
    assert ("message 5", "message has no usable timestamp_ms; skipped") in texts
    photo = by["message 6"]
    assert photo.raw["media"] == ["your_instagram_activity/messages/inbox/zoe_1/photos/1.jpg"]
    assert {r.app for r in records} == {"instagram"} and photo.raw["app_from"] == "media uri"
    assert by["message 7"].text == "é"
    assert len(records) == 6 and len(warnings) == 3


def test_repair_only_when_the_round_trip_succeeds() -> None:
    assert repair("\u00f0\u009f\u0098\u0085") == "😅"
    assert repair("plain") == "plain"
    assert repair("Zoë") == "Zoë"  # ë alone is not a UTF-8 sequence: left as it is
    assert repair("😅") == "😅"  # not Latin-1 at all


def test_truncated_and_malformed_json(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"breaks off at line \d+ column \d+ \(truncated\?\)") as info:
        parse(DATA / "truncated.json")
    assert info.value.path == "truncated.json"
    deep = tmp_path / "deep.json"
    deep.write_text('{"messages": ' + "[" * 100_000 + "]" * 100_000 + "}")
    with pytest.raises(InputError, match="nested too deeply"):
        parse(deep)
    no_list = tmp_path / "no_list.json"
    no_list.write_text('{"messages": {"sender_name": "a", "timestamp_ms": 1}}')
    with pytest.raises(InputError, match="no list of messages"):
        parse(no_list)
    latin = tmp_path / "latin.json"
    latin.write_bytes(b'{"messages": [{"sender_name": "Zo\xeb", "timestamp_ms": 1}]}')
    with pytest.raises(InputError, match="not UTF-8"):
        parse(latin)
    path = DATA / "bom_mojibake_call_unsent.json"
    with pytest.raises(InputError, match="limit 512 MiB"):
        list(
            FacebookImporter().parse(
                source_for(path, "application/json", size=512 * 2**20 + 1), ImportOptions(tz="UTC")
            )
        )


def test_old_timestamp_in_seconds_is_warned(tmp_path: Path) -> None:
    path = tmp_path / "old.json"
    path.write_text('{"messages": [{"sender_name": "A", "timestamp": 1415147732, "content": "x"}]}')
    records, warnings = parse(path)
    assert records[0].occurred_at == datetime(2014, 11, 5, 0, 35, 32, tzinfo=UTC)
    assert "epoch seconds" in warnings[0].message


def test_sniff_claims_only_facebook(tmp_path: Path, corpus: Path) -> None:
    diary = tmp_path / "diary.json"
    diary.write_text('{"evidence_diary": 1, "entries": [{"text": "messages sender_name timestamp_ms"}]}')
    assert not sniff(diary)
    case_json = tmp_path / "case.json"
    case_json.write_text('{"format": "evidence-samples-case/1", "title": "x", "tz": "Europe/London"}')
    assert not sniff(case_json)
    for folder in ("telegram", "signal", "whatsapp"):
        for path in (corpus / folder).iterdir():
            assert not sniff(path), path.name
    assert sniff(DATA / "bom_mojibake_call_unsent.json")


def test_import_into_a_case_and_verify(case: Case, corpus: Path) -> None:
    paths = sorted((corpus / "facebook").iterdir())
    result = case.import_files(paths)
    assert len(result.items) == 2
    records = case.records()
    assert len(records) == 9 and {r.importer for r in records} == {"facebook"}
    assert {r.app for r in records} == {"messenger", "instagram"}
    assert verify_case(case.root).ok
