"""The iPhone sms.db importer, on the real sms.db of the Magnet Forensics 2020 CTF phone (iOS 13) and mvt's test
backup; expected values read from the database with the sqlite3 shell (tests/data/iphone/README.md)."""

from __future__ import annotations

import shutil
import sqlite3
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evidence.errors import InputError
from evidence.importers._iphone_sms import attributed_text
from evidence.importers.base import Skip
from evidence.importers.iphone_calls import IphoneCallsImporter
from evidence.importers.iphone_sms import IphoneSmsImporter
from evidence.models import Channel, Direction, ImportOptions
from tests.importers.helpers import Parsed, source_for, tally_of

DATA = Path(__file__).resolve().parents[1] / "data" / "iphone"
MAGNET = DATA / "magnet-ctf-2020-sms.db"
MVT_SMS = DATA / "mvt-backup" / "3d" / "3d0d7e5fb2ce288813306e4d4636395e047a3d28"
OPTIONS = ImportOptions(tz="America/New_York")


def parse(path: Path) -> Parsed:
    return Parsed(list(IphoneSmsImporter().parse(source_for(path), OPTIONS)))


def test_every_message_of_the_magnet_phone_is_read_with_its_side_and_service() -> None:
    parsed = parse(MAGNET)
    assert len(parsed.records) == 105  # SELECT count(*) FROM message
    sides = Counter((r.app, r.direction) for r in parsed.records)
    assert sides == {
        ("iMessage", Direction.INCOMING): 26,
        ("iMessage", Direction.OUTGOING): 23,
        ("SMS", Direction.INCOMING): 28,
        ("SMS", Direction.OUTGOING): 28,
    }
    assert Counter(r.channel for r in parsed.records) == {Channel.CHAT: 49, Channel.SMS: 51, Channel.MMS: 5}


def test_times_are_apple_nanoseconds_and_date_read_in_seconds() -> None:
    first = parse(MAGNET).at("message 12")
    # date 599079037641931008 ns after 2001-01-01 UTC; date_read 599597752 s (this iOS 13 keeps it in seconds).
    assert first.occurred_at.isoformat() == "2019-12-26T13:50:37.641931-05:00"
    assert first.raw["date_read"] == "2020-01-01T18:55:52.000000+00:00"
    assert first.sender == "22000" and first.direction is Direction.INCOMING
    assert first.text == "G-680228 is your Google verification code."
    assert first.status == "read"


def test_an_outgoing_imessage_names_its_recipient_and_delivery() -> None:
    record = parse(MAGNET).at("message 61")
    assert record.direction is Direction.OUTGOING and record.sender is None
    assert record.recipients == ("+15183808956",)
    assert record.text == "This for gps I’m the way now"
    assert record.status == "delivered"
    assert (
        record.raw["date_delivered"] == "2020-01-16T13:55:07.033525+00:00"
    )  # sqlite3: datetime(date_delivered/1e9 + 978307200)


def test_attachments_outside_the_file_are_counted_in_one_warning() -> None:
    parsed = parse(MAGNET)
    (warning,) = parsed.warnings
    assert warning.message.startswith("7 attachments live outside sms.db")
    assert "message 125: IMG_0177.JPG" in warning.message
    assert parsed.at("message 125").raw["attachments"][0]["mime_type"] == "image/jpeg"
    assert parsed.blobs == []


def test_attributed_body_holds_the_same_text_in_every_real_message() -> None:
    conn = sqlite3.connect(MAGNET)
    rows = conn.execute(
        "SELECT text, attributedBody FROM message WHERE attributedBody IS NOT NULL"
    ).fetchall()
    conn.close()
    assert len(rows) == 105
    assert all(attributed_text(body) == text for text, body in rows)


def test_the_text_is_read_from_attributed_body_when_text_is_null(tmp_path: Path) -> None:
    copy = tmp_path / "sms.db"
    shutil.copyfile(MAGNET, copy)
    conn = sqlite3.connect(copy)
    conn.execute("UPDATE message SET text = NULL WHERE ROWID = 56")
    conn.commit()
    conn.close()
    record = parse(copy).at("message 56")
    assert record.text == "Wait what door"
    assert record.raw["text_from"] == "attributedBody"


def test_mvt_minimal_sms_db_without_attachment_tables() -> None:
    (record,) = parse(MVT_SMS).records
    assert record.text == "Please click here https://badbadbad.example.org/"
    assert record.sender == "apple" and record.app == "Messages"


def test_sniff_claims_sms_db_by_its_tables_not_its_name() -> None:
    for path in (MAGNET, MVT_SMS):
        assert IphoneSmsImporter().sniff(path.read_bytes()[:65536], source_for(path))
    calls = DATA / "built-backup" / "5a" / "5a4935c78a5255723f707230a451d79c540d2741"
    assert not IphoneSmsImporter().sniff(calls.read_bytes()[:65536], source_for(calls))
    assert IphoneCallsImporter().sniff(calls.read_bytes()[:65536], source_for(calls))


def test_a_database_with_no_message_is_an_error(tmp_path: Path) -> None:
    copy = tmp_path / "sms.db"
    shutil.copyfile(MAGNET, copy)
    conn = sqlite3.connect(copy)
    conn.execute("DELETE FROM message")
    conn.commit()
    conn.close()
    with pytest.raises(InputError, match="no message read: 0 rows"):
        parse(copy)


def test_rows_without_a_date_are_counted_and_all_undated_is_an_error(tmp_path: Path) -> None:
    copy = tmp_path / "sms.db"
    shutil.copyfile(MAGNET, copy)
    conn = sqlite3.connect(copy)
    conn.execute("UPDATE message SET date = 0 WHERE ROWID IN (12, 26)")
    conn.commit()
    conn.close()  # the database is in WAL mode: closing writes the change into the file read
    parsed = parse(copy)
    assert len(parsed.records) == 103
    tally = tally_of(parsed.items, every_skip_warned=False)
    assert (tally.unit, tally.seen, tally.made) == ("messages", 105, 103)
    assert tally.skipped[0] == Skip("message 12", "date 0 is not a time") and len(tally.skipped) == 2
    conn = sqlite3.connect(copy)
    conn.execute("UPDATE message SET date = 0")
    conn.commit()
    conn.close()
    with pytest.raises(InputError, match="none with a usable date"):
        parse(copy)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # imessage-database/src/util/streamtyped.rs's expectations for its own test data
        ("AttributedBodyTextOnly", "Noter test"),
        ("AttributedBodyTextOnly2", "Test 3"),
        ("WeirdText", "𝖍𝖊𝖑𝖑𝖔 𝖜𝖔𝖗𝖑𝖉"),
        ("URL", "https://github.com/ReagentX/Logria"),
        ("MultiPart", "\ufffctest 1\ufffctest 2 \ufffctest 3"),
        ("Blank", ""),
    ],
)
def test_attributed_body_samples_of_imessage_exporter(name: str, expected: str) -> None:
    assert attributed_text((DATA / "streamtyped" / name).read_bytes()) == expected


def test_attributed_body_whose_length_runs_past_the_string() -> None:
    text = attributed_text((DATA / "streamtyped" / "ExtraData").read_bytes())
    assert text is not None and text.startswith("This is parsing")


@given(st.binary(max_size=300))
@settings(max_examples=300, deadline=None)
def test_attributed_text_never_fails_on_any_bytes(body: bytes) -> None:
    result = attributed_text(b"\x04\x0bstreamtyped\x81\xe8\x03NSString\x01\x94\x84\x01+" + body)
    assert result is None or isinstance(result, str)
