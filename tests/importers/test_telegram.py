"""Telegram Desktop JSON importer: every corpus file, times exact and wall-clock (DST), text entities, service
actions and calls, deleted accounts, malformed and hostile JSON, sniffing, and an import into a real case."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from evidence.api import Case
from evidence.errors import InputError
from evidence.importers import telegram
from evidence.importers.diary import DiaryImporter, diary_document
from evidence.importers.facebook import FacebookImporter
from evidence.importers.signal import SignalImporter
from evidence.importers.telegram import TelegramImporter
from evidence.importers.whatsapp import WhatsAppImporter
from evidence.models import Channel, Direction, ImportOptions, ImportWarning, Record, TimeSource
from evidence.verify.case import verify_case
from tests.importers.helpers import source_for

DATA = Path(__file__).resolve().parent.parent / "data" / "telegram"


def parse(path: Path, tz: str = "Europe/London") -> tuple[list[Record], list[ImportWarning]]:
    items = list(TelegramImporter().parse(source_for(path, "application/json"), ImportOptions(tz=tz)))
    return [i for i in items if isinstance(i, Record)], [i for i in items if isinstance(i, ImportWarning)]


def sniff(path: Path) -> bool:
    return TelegramImporter().sniff(path.read_bytes()[: 64 * 1024], source_for(path, "application/json"))


# file -> (records, warnings, first locator, calls). Counted by hand from the files.
CORPUS_TABLE: dict[str, tuple[int, int, str, int]] = {
    # 8 messages: a joined_telegram service, 6 messages (2 photos not included: 1 warning), 1 phone_call
    "chatanalytics-DM_2A_7M.json": (8, 1, "chat Bob message 2675", 1),
    # 2 chats: 2 + 4 messages, one of them a phone_call without discard_reason, one photo not included
    "chatanalytics-MultiChat_2C_6M.json": (6, 1, "chat Chat One message 1001", 1),
    # chats.list wrapper, messages without ids
    "chatminer-test_batch_export.json": (2, 0, "chat Chatname message #1", 0),
    # bare {"messages": [...]}: no chat name, no ids
    "chatminer-test_single_export.json": (2, 0, "chat #1 message #1", 0),
}


def test_the_table_covers_every_corpus_file(corpus: Path) -> None:
    assert {p.name for p in (corpus / "telegram").iterdir()} == set(CORPUS_TABLE)


@pytest.mark.parametrize("name", sorted(CORPUS_TABLE))
def test_corpus_file(corpus: Path, name: str) -> None:
    path = corpus / "telegram" / name
    count, warning_count, first, calls = CORPUS_TABLE[name]
    assert sniff(path)
    assert not FacebookImporter().sniff(path.read_bytes(), source_for(path, "application/json"))
    records, warnings = parse(path)
    assert len(records) == count
    assert len(warnings) == warning_count
    assert records[0].locator == first
    assert len({r.locator for r in records}) == count
    assert sum(r.channel == Channel.CALL for r in records) == calls
    for r in records:
        assert r.app == "telegram" and r.direction == Direction.UNKNOWN and r.importer == "telegram"
        assert r.occurred_at.tzinfo is not None and r.time_source == TimeSource.EXPORT


def test_single_chat_fields(corpus: Path) -> None:
    records, _ = parse(corpus / "telegram" / "chatanalytics-DM_2A_7M.json")
    by = {r.locator: r for r in records}
    joined = by["chat Bob message 2675"]
    assert joined.raw["kind"] == "service" and joined.raw["action"] == "joined_telegram"
    assert joined.sender == "Bob" and joined.raw["from_id"] == "user700000000" and joined.text is None
    # Only the wall clock: London's summer offset, assumed.
    assert joined.occurred_at == datetime(2019, 7, 5, 15, 55, 32, tzinfo=UTC)
    assert joined.occurred_at.utcoffset() == timedelta(hours=1)
    assert joined.tz_assumed and joined.tz_name == "Europe/London"
    link = by["chat Bob message 3644"]
    assert link.text == "https://google.com 👀" and link.channel == Channel.CHAT
    assert link.raw["chat"] == {"name": "Bob", "type": "personal_chat", "id": 700000000}
    exact = by["chat Bob message 3662"]
    assert exact.occurred_at == datetime.fromtimestamp(1652135033, UTC)
    assert exact.occurred_at.utcoffset() == timedelta(hours=1)  # BST in May, as a fixed offset
    assert not exact.tz_assumed and exact.tz_name is None
    photo = by["chat Bob message 3672"]
    assert photo.text is None and photo.raw["media"] == "not included"
    assert photo.raw["message"]["width"] == 960
    call = by["chat Bob message 3674"]
    assert call.channel == Channel.CALL and call.status == "hangup" and call.duration_s == 56
    assert call.sender == "Alice" and call.raw["kind"] == "call"
    # date_unixtime wins over the wall clock; the wall clock is kept verbatim.
    assert call.occurred_at == datetime(2023, 8, 11, 2, 11, 2, tzinfo=UTC)
    assert call.raw["message"]["date"] == "2023-08-10T23:11:02"


def test_account_export_chats_and_call_without_reason(corpus: Path) -> None:
    records, _ = parse(corpus / "telegram" / "chatanalytics-MultiChat_2C_6M.json", tz="America/New_York")
    call = next(r for r in records if r.channel == Channel.CALL)
    assert call.locator == "chat Chat Two message 2003"
    assert call.status is None and call.duration_s == 120 and call.sender == "Charlie"
    assert call.occurred_at.utcoffset() == timedelta(hours=-5)
    assert [r.raw["chat"]["type"] for r in records].count("private_group") == 4


def test_entities_flattened(corpus: Path) -> None:
    records, _ = parse(corpus / "telegram" / "chatminer-test_single_export.json")
    assert records[1].text == "Link:https://telegram.org/"
    assert records[1].raw["message"]["text"][0] == {"type": "bold", "text": "Link:"}


def test_wall_clock_dst_services_deleted_and_missing_date() -> None:
    records, warnings = parse(DATA / "wall_clock_dst_services_deleted.json")
    by = {r.locator: r for r in records}
    texts = [(w.locator, w.message) for w in warnings]
    fall = by["chat Alex message 1"]
    assert fall.occurred_at.astimezone(UTC) == datetime(
        2024, 10, 27, 0, 30, tzinfo=UTC
    )  # the first 01:30 (BST)
    assert fall.tz_assumed
    assert any(loc == "chat Alex message 1" and "happened twice" in m for loc, m in texts)
    gap = by["chat Alex message 2"]
    assert gap.occurred_at.astimezone(UTC) == datetime(
        2024, 3, 31, 1, 30, tzinfo=UTC
    )  # offset before the change
    assert any(loc == "chat Alex message 2" and "does not exist" in m for loc, m in texts)
    deleted = by["chat Alex message 3"]
    assert deleted.sender == "(deleted account)" and deleted.raw["deleted_account"] is True
    assert deleted.raw["from_id"] == "user999" and deleted.raw["message"]["from"] is None
    assert deleted.text == "see https://example.org and @jordan"
    missed = by["chat Alex message 4"]
    assert missed.channel == Channel.CALL and missed.status == "missed" and missed.duration_s is None
    invite = by["chat Alex message 5"]
    assert invite.raw["kind"] == "service" and invite.raw["action"] == "invite_members"
    assert invite.raw["message"]["members"] == ["Sam"]
    # id 6 twice: the first has no date (skipped, warned), the second gets a unique locator.
    assert ("chat Alex message 6", "message has no usable date or date_unixtime; skipped") in texts
    assert any(loc == "chat Alex message 6" and "more than once" in m for loc, m in texts)
    dup = by["chat Alex message 6 #7"]
    assert dup.raw["media"] == "file beside the export: files/letter.pdf"
    assert dup.raw["message"]["rating"] == "4.5"  # no floats in raw
    assert "chat Alex message 7" not in by
    assert any(loc == "chat Alex message 7" and "'soon' is not epoch seconds" in m for loc, m in texts)
    assert any("beside the JSON" in m for _, m in texts)
    assert len(records) == 6
    assert len(warnings) == 8  # 2 DST, no date, duplicate id, 3 for message 7, media beside


def test_truncated_json_is_an_input_error() -> None:
    with pytest.raises(InputError, match=r"breaks off at line \d+ column \d+ \(truncated\?\)") as info:
        parse(DATA / "truncated.json")
    assert info.value.path == "truncated.json"


def test_malformed_and_hostile_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"messages": [}')
    with pytest.raises(InputError, match="not valid JSON"):
        parse(bad)
    deep = tmp_path / "deep.json"
    deep.write_text('{"messages": ' + "[" * 100_000 + "]" * 100_000 + "}")
    with pytest.raises(InputError, match="nested too deeply"):
        parse(deep)
    deep_ok = tmp_path / "deep70.json"
    deep_ok.write_text('{"messages": ' + "[" * 70 + "]" * 70 + "}")
    with pytest.raises(InputError, match="nests 71 levels deep"):
        parse(deep_ok)
    nan = tmp_path / "nan.json"
    nan.write_text('{"messages": [NaN]}')
    with pytest.raises(InputError, match="NaN"):
        parse(nan)
    other = tmp_path / "other.json"
    other.write_text('{"about": "x"}')
    with pytest.raises(InputError, match="no messages and no chats list"):
        parse(other)
    ok = DATA / "wall_clock_dst_services_deleted.json"
    with pytest.raises(InputError, match="limit 512 MiB"):
        list(
            TelegramImporter().parse(
                source_for(ok, "application/json", size=512 * 2**20 + 1), ImportOptions(tz="UTC")
            )
        )
    monkeypatch.setattr(telegram, "MAX_BYTES", 10)
    with pytest.raises(InputError, match="more than a Telegram export"):
        parse(ok)


def test_sniff_claims_only_telegram(tmp_path: Path, corpus: Path) -> None:
    diary = tmp_path / "diary.json"
    diary.write_bytes(diary_document([{"incident_at": "2026-03-14T21:30", "text": "from_id date_unixtime"}]))
    case_json = tmp_path / "case.json"
    case_json.write_text(
        json.dumps({"format": "evidence-samples-case/1", "title": "x", "tz": "Europe/London"})
    )
    account = tmp_path / "account.json"
    account.write_text('{"about": "x", "personal_information": {"user_id": 1}, "contacts": {"list": []}}')
    assert not sniff(diary) and DiaryImporter().sniff(diary.read_bytes(), source_for(diary))
    assert not sniff(case_json)
    assert sniff(account)
    for path in (corpus / "facebook").iterdir():
        assert not sniff(path), path.name
    for path in [*(corpus / "signal").iterdir(), *(corpus / "whatsapp").iterdir()]:
        assert not sniff(path), path.name
    for path in (corpus / "telegram").iterdir():
        head = path.read_bytes()
        assert not WhatsAppImporter().sniff(head, source_for(path, "application/json"))
        assert not SignalImporter().sniff(head, source_for(path, "application/json"))


def test_import_into_a_case_and_verify(case: Case, corpus: Path) -> None:
    paths = [
        corpus / "telegram" / n for n in ("chatanalytics-DM_2A_7M.json", "chatanalytics-MultiChat_2C_6M.json")
    ]
    result = case.import_files(paths)
    assert len(result.items) == 2
    records = case.records()
    assert len(records) == 14
    assert {r.importer for r in records} == {"telegram"}
    calls = [r for r in records if r.channel == Channel.CALL]
    assert sorted(c.duration_s or 0 for c in calls) == [56, 120]
    assert verify_case(case.root).ok
