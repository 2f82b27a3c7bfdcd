"""SMS Backup & Restore XML: the real corpus, type mappings, exact times, MMS, end to end (repairs, hostile input,
memory and UTF-16: test_smsbackup_robust.py)."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from evidence import importers
from evidence.api import Case
from evidence.errors import InputError
from evidence.importers.base import Source, Yielded
from evidence.importers.smsbackup import SmsBackupImporter
from evidence.models import Blob, Channel, Direction, ImportOptions, ImportWarning, Record, TimeSource
from evidence.timeutil import iso_utc
from evidence.verify.case import verify_case
from tests.conftest import DATA
from tests.importers.helpers import tally_of

HERE = DATA / "smsbackup"
LONDON = ImportOptions(tz="Europe/London")
# The PNG in mms_attachments.xml (written there over three lines) and the vCard beside it.
PNG_B64 = (
    "iVBORw0KGgoAAAANSUhEUgAAAAMAAAACCAIAAAASFvFNAAAAEElEQVR4nGP4z8AAQQxwFgBB0gX7h/C5SAAAAABJRU5ErkJggg=="
)
VCARD = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Alex Morgan\r\nTEL:+447700900123\r\nEND:VCARD\r\n"


def source_for(path: Path) -> Source:
    data = path.read_bytes()
    return Source(path, path.name, hashlib.sha256(data).hexdigest(), len(data), "text/xml")


def parse(path: Path, options: ImportOptions = LONDON) -> list[Yielded]:
    return list(SmsBackupImporter().parse(source_for(path), options))


def records_of(items: list[Yielded]) -> list[Record]:
    return [i for i in items if isinstance(i, Record)]


def warnings_of(items: list[Yielded]) -> list[ImportWarning]:
    return [i for i in items if isinstance(i, ImportWarning)]


def blobs_of(items: list[Yielded]) -> list[Blob]:
    return [i for i in items if isinstance(i, Blob)]


def by_locator(items: list[Yielded]) -> dict[str, Record]:
    return {r.locator: r for r in records_of(items)}


# -- the real corpus: every file imports with these counts, or fails with this error -------------------------

# file: (records, blobs, one substring per expected warning) or the InputError's message.
CORPUS: dict[str, tuple[int, int, list[str]] | str] = {
    "calls-phonecallorg-readme-example.xml": (
        2,
        0,
        ["breaks at line 5", "declares 8 records, the file holds 2"],
    ),
    "calls-shruggietech-minimal_calls.xml": (1, 0, []),
    "calls-timecockpit-doc-example.xml": (4, 0, []),
    "sms-brokensandals-test_archive.xml": (4, 1, []),
    "sms-devadvance-corrupt_attachments.xml": (2, 0, ["not valid base64", "not valid base64"]),
    "sms-devadvance-empty.xml": (0, 0, []),
    "sms-devadvance-sample_mms.xml": (4, 4, []),
    "sms-devadvance-sample_small.xml": (7, 0, []),
    "sms-devadvance-sms_and_mms.xml": (
        49,
        1,
        ["cut off at line 136", "declares 58 records, the file holds 49"],
    ),
    "sms-devadvance-sms_small.xml": (12, 0, []),
    "sms-fkleon-invalidSms.xml": (1, 0, ["empty <sms/> element", "declares 2444 records, the file holds 2"]),
    "sms-fkleon-invalidSms2.xml": (
        0,
        0,
        ["date 'today' is not epoch milliseconds", "no usable time; skipped"],
    ),
    "sms-fkleon-sms-and-mms.xml": (3, 0, ["image/jpeg has no data", "declares 2 records, the file holds 3"]),
    "sms-fkleon-sms-dupes.xml": (8, 0, ["declares 2444 records, the file holds 8"]),
    "sms-shruggietech-edge_cases.xml": (4, 0, []),
    "sms-shruggietech-malformed.xml": "unreadable XML at line 4, column 3: not well-formed (invalid token); "
    "no complete record before it",
    "sms-shruggietech-minimal_mms.xml": (1, 1, []),
    "sms-shruggietech-mixed.xml": (4, 0, []),
}

# What each file holds, counted by looking: (elements seen, records made, where the others are). A break in the
# XML counts as one element not read (in sms_and_mms.xml it is the 50th, cut off mid-way).
TALLIES: dict[str, tuple[int, int, list[str]]] = {
    "calls-phonecallorg-readme-example.xml": (3, 2, ["line 5"]),
    "calls-timecockpit-doc-example.xml": (4, 4, []),
    "sms-devadvance-empty.xml": (0, 0, []),
    "sms-devadvance-sms_and_mms.xml": (50, 49, ["line 136"]),
    "sms-fkleon-invalidSms.xml": (2, 1, ["sms 2"]),
    "sms-fkleon-invalidSms2.xml": (1, 0, ["sms 1"]),
    "sms-fkleon-sms-and-mms.xml": (3, 3, []),
}

# file: {locator: {field: expected}}; occurred_at as UTC ISO text.
SPOTS: dict[str, dict[str, dict[str, Any]]] = {
    "calls-phonecallorg-readme-example.xml": {
        "call 1": {"occurred_at": "2011-04-21T09:30:37.194000+00:00", "status": "missed", "duration_s": 0},
        "call 2": {
            "direction": Direction.OUTGOING,
            "recipients": ("+436651234567",),
            "duration_s": 103,
            "status": "connected",
        },
    },
    "calls-shruggietech-minimal_calls.xml": {
        "call 1": {
            "occurred_at": "2021-01-03T00:00:00.000000+00:00",
            "sender": "+15551234567",
            "status": "answered",
            "duration_s": 125,
        },
    },
    "calls-timecockpit-doc-example.xml": {
        # Outgoing calls (type 2): call 1 lasted 0 s, call 3 4 s (connected: the issue 16 fix; both were
        # "dialled" before, whether anyone answered or not).
        "call 1": {
            "occurred_at": "2017-04-27T17:27:56.076000+00:00",
            "sender": None,
            "status": "dialled, not answered",
        },
        "call 2": {"sender": "+3133221115", "status": "missed"},
        "call 3": {"direction": Direction.OUTGOING, "duration_s": 4, "status": "connected"},
        "call 4": {"direction": Direction.INCOMING, "status": "answered", "duration_s": 139},
    },
    "sms-brokensandals-test_archive.xml": {
        "sms 1": {"sender": "+1 (234) 567-8910", "occurred_at": "2017-04-01T16:05:13.000000+00:00"},
        "sms 2": {
            "direction": Direction.OUTGOING,
            "recipients": ("234-567-8910",),
            "text": "Yes, certainly.",
        },
        "mms 1": {"direction": Direction.OUTGOING, "recipients": ("+12345678910",), "text": None},
        "sms 3": {"text": "\U0001f601 \U0001f60d", "sender": "(234) 567-8910"},
    },
    "sms-devadvance-corrupt_attachments.xml": {
        "mms 1": {"text": "MMS with corrupted base64 image data", "attachments": ()},
        "mms 2": {"text": "MMS with unsupported attachment type", "sender": "+15550000004"},
    },
    "sms-devadvance-sample_mms.xml": {
        "mms 2": {"text": "Here is a video attachment", "occurred_at": "2024-07-16T20:29:25.000000+00:00"},
    },
    "sms-devadvance-sample_small.xml": {
        "mms 1": {"channel": Channel.MMS, "sender": "+15550000001", "recipients": ()},
        "mms 2": {
            "direction": Direction.OUTGOING,
            "recipients": ("+15550000002",),
            "text": "MMS 2 text in Thread 2",
        },
    },
    "sms-devadvance-sms_and_mms.xml": {
        "sms 10": {"text": "Body text 10\nBody text 11\nBody text 12", "direction": Direction.OUTGOING},
        "mms 3": {
            "sender": "+15550000009",
            "recipients": ("+15550000006", "+15550000010", "+15550000007"),
            "text": "Body text 47",
        },
        "mms 4": {"sender": None, "recipients": ("+15550000009", "+15550000006", "+15550000010")},
        "mms 8": {"text": "Body text 55", "occurred_at": "2024-07-17T21:37:26.000000+00:00"},
    },
    "sms-devadvance-sms_small.xml": {
        "sms 1": {
            "occurred_at": "2017-12-02T14:49:27.463000+00:00",
            "text": "Body text 1",
            "status": "received",
        },
    },
    "sms-fkleon-invalidSms.xml": {
        "sms 1": {"sender": "Google", "text": "Der Google-Bestätigungscode lautet 123456."},
    },
    "sms-fkleon-sms-and-mms.xml": {
        "sms 1": {"text": "Klar ", "direction": Direction.OUTGOING},
        "mms 1": {"sender": "+491762345678", "text": None, "attachments": ()},
        "mms 2": {"recipients": ("+12127654321", "+492151111111"), "text": "Where is Santa Clause?"},
    },
    "sms-fkleon-sms-dupes.xml": {
        "sms 6": {"text": "Duplicate text.", "occurred_at": "2011-10-21T19:50:44.995000+00:00"},
        "sms 7": {"text": "Duplicate text.", "occurred_at": "2011-10-21T19:50:44.995000+00:00"},
        "sms 8": {"recipients": ("773-338-7786",)},
    },
    "sms-shruggietech-edge_cases.xml": {
        "sms 2": {"text": "Hello \U0001f30d \u2014 this has \u00abspecial\u00bb chars & symbols < > \" '"},
        "sms 3": {"text": ""},
        "mms 1": {"text": None, "attachments": (), "sender": "+15557778888"},
    },
    "sms-shruggietech-minimal_mms.xml": {
        "mms 1": {"subject": "Test MMS Subject", "text": "Hello from MMS!", "recipients": ("+15551234567",)},
    },
    "sms-shruggietech-mixed.xml": {
        "sms 3": {"status": "draft", "direction": Direction.OUTGOING, "recipients": ("+15559990001",)},
    },
}


def test_corpus_table_covers_every_file(corpus: Path) -> None:
    assert {p.name for p in (corpus / "smsbackup").iterdir()} == set(CORPUS)


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_corpus_file(corpus: Path, name: str) -> None:
    path = corpus / "smsbackup" / name
    assert SmsBackupImporter().sniff(path.read_bytes()[:65536], source_for(path))
    expected = CORPUS[name]
    if isinstance(expected, str):
        with pytest.raises(InputError) as caught:
            parse(path)
        assert caught.value.message == expected
        assert caught.value.path == name
        return
    n_records, n_blobs, warning_parts = expected
    items = parse(path)
    records, warnings = records_of(items), warnings_of(items)
    assert len(records) == n_records
    assert len(blobs_of(items)) == n_blobs
    assert len(warnings) == len(warning_parts), [w.message for w in warnings]
    for part, warning in zip(warning_parts, warnings, strict=True):
        assert part in warning.message
    for record in records:
        assert record.time_source is TimeSource.EXPORT and record.tz_assumed is False
        assert record.occurred_at.tzinfo is not None
        assert record.importer == "smsbackup"
        assert record.item_sha256 == source_for(path).sha256
    tally = tally_of(items)
    assert tally.unit == "elements" and tally.made == n_records
    if name in TALLIES:
        assert (tally.seen, tally.made, [s.where for s in tally.skipped]) == TALLIES[name]
    found = by_locator(items)
    for locator, fields in SPOTS.get(name, {}).items():
        record = found[locator]
        for field_name, value in fields.items():
            actual = (
                iso_utc(record.occurred_at) if field_name == "occurred_at" else getattr(record, field_name)
            )
            assert actual == value, (locator, field_name)


def test_brokensandals_jpeg_is_stored_whole(corpus: Path) -> None:
    items = parse(corpus / "smsbackup" / "sms-brokensandals-test_archive.xml")
    (blob,) = blobs_of(items)
    assert blob.data[:3] == b"\xff\xd8\xff" and blob.data[-2:] == b"\xff\xd9"
    assert blob.media_type == "image/jpeg"
    assert by_locator(items)["mms 1"].attachments == (blob.sha256,)


# -- type mappings --------------------------------------------------------------------------------------------


def test_every_call_type_and_hidden_number() -> None:
    records = records_of(parse(HERE / "all_call_types.xml"))
    got = [(r.direction, r.status, r.sender, r.recipients, r.duration_s) for r in records]
    number = "+447700900001"
    assert got == [
        (Direction.INCOMING, "answered", number, (), 65),
        (Direction.OUTGOING, "connected", None, (number,), 12),  # issue 16: it lasted, so it was answered
        (Direction.INCOMING, "missed", number, (), 0),
        (Direction.INCOMING, "voicemail", number, (), 31),
        (Direction.INCOMING, "rejected", number, (), 0),
        (Direction.INCOMING, "blocked", number, (), 0),
        (Direction.INCOMING, "answered elsewhere", number, (), 40),
        (Direction.INCOMING, "missed", "(withheld)", (), 0),
        (Direction.INCOMING, "missed", "(unknown)", (), 0),
        (Direction.INCOMING, "answered", "(payphone)", (), 8),
        (Direction.UNKNOWN, "type 9", "(withheld)", (), 0),
    ]
    assert all(r.channel is Channel.CALL and r.app == "phone" for r in records)
    assert [r.raw.get("hidden_number") for r in records[7:]] == [
        "withheld (presentation 2)",
        "unknown (presentation 3)",
        "payphone (presentation 4)",
        "withheld (number '-2')",
    ]
    assert records[9].raw["attributes"]["number"] == "+441632960000"  # the number as written stays in raw


def test_unknown_call_type_is_warned() -> None:
    warnings = warnings_of(parse(HERE / "all_call_types.xml"))
    assert [(w.locator, w.message) for w in warnings] == [
        ("call 11", "unknown call type '9'; direction unknown")
    ]


def test_every_sms_type_and_mms_box() -> None:
    items = parse(HERE / "all_sms_types.xml")
    got = [(r.locator, r.channel, r.direction, r.status) for r in records_of(items)]
    assert got == [
        ("sms 1", Channel.SMS, Direction.INCOMING, "received"),
        ("sms 2", Channel.SMS, Direction.OUTGOING, "sent"),
        ("sms 3", Channel.SMS, Direction.OUTGOING, "draft"),
        ("sms 4", Channel.SMS, Direction.OUTGOING, "outbox"),
        ("sms 5", Channel.SMS, Direction.OUTGOING, "failed"),
        ("sms 6", Channel.SMS, Direction.OUTGOING, "queued"),
        ("sms 7", Channel.SMS, Direction.UNKNOWN, "type 0"),
        ("mms 1", Channel.MMS, Direction.INCOMING, "received"),
        ("mms 2", Channel.MMS, Direction.OUTGOING, "sent"),
        ("mms 3", Channel.MMS, Direction.OUTGOING, "draft"),
        ("mms 4", Channel.MMS, Direction.OUTGOING, "outbox"),
        ("mms 5", Channel.MMS, Direction.INCOMING, "not downloaded"),
    ]
    assert [(w.locator, w.message) for w in warnings_of(items)] == [
        ("sms 7", "unknown SMS type '0'; direction unknown")
    ]
    unknown = by_locator(items)["sms 7"]
    assert unknown.sender == "+447700900008" and unknown.recipients == ()


# -- field by field, and exact times ----------------------------------------------------------------------------


def test_call_record_field_by_field() -> None:
    path = HERE / "all_call_types.xml"
    first = records_of(parse(path))[0]
    assert first.item_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert first.locator == "call 1"
    assert first.occurred_at == datetime(2026, 3, 14, 21, 33, 44, 123000, tzinfo=UTC)
    assert first.occurred_at.isoformat() == "2026-03-14T21:33:44.123000+00:00"  # GMT, before the March change
    assert first.time_source is TimeSource.EXPORT
    assert first.tz_assumed is False
    assert first.tz_name is None  # nothing assumed: the offset is London's at that instant
    assert first.occurred_at.utcoffset() == timedelta(0)
    assert first.channel is Channel.CALL
    assert first.direction is Direction.INCOMING
    assert first.importer == "smsbackup" and first.importer_version == SmsBackupImporter.version
    assert first.app == "phone"
    assert first.sender == "+447700900001"
    assert first.recipients == ()
    assert first.subject is None and first.text is None
    assert first.status == "answered"
    assert first.duration_s == 65
    assert first.attachments == ()
    assert first.raw == {
        "element": "call",
        "attributes": {
            "number": "+447700900001",
            "duration": "65",
            "date": "1773524024123",
            "type": "1",
            "presentation": "1",
            "subscription_id": "null",
            "post_dial_digits": "",
            "subscription_component_name": "null",
            "readable_date": "14 Mar 2026 21:33:44",
            "contact_name": "A. Morgan",
        },
    }


def test_sms_record_field_by_field() -> None:
    first = records_of(parse(HERE / "all_sms_types.xml"))[0]
    assert first.locator == "sms 1"
    assert iso_utc(first.occurred_at) == "2026-03-14T21:33:44.123000+00:00"
    assert (first.channel, first.app, first.direction) == (Channel.SMS, "sms", Direction.INCOMING)
    assert (first.sender, first.recipients) == ("+447700900008", ())
    assert (first.text, first.subject, first.status, first.duration_s) == ("received", None, "received", None)
    assert first.raw["element"] == "sms"
    assert first.raw["attributes"]["subject"] == "null"  # "null" means missing, but raw keeps it verbatim
    assert first.raw["attributes"]["date_sent"] == "1773524020000"
    sent = records_of(parse(HERE / "all_sms_types.xml"))[1]
    assert (sent.sender, sent.recipients) == (None, ("+447700900008",))


def test_dst_fall_back_night_two_calls_one_hour_apart() -> None:
    early, late = records_of(parse(HERE / "dst_fall_back.xml"))
    # Both rang at 01:30 on the London clock: once in summer time, once an hour later in winter time.
    assert early.occurred_at.strftime("%H:%M") == late.occurred_at.strftime("%H:%M") == "01:30"
    assert early.occurred_at.utcoffset() == timedelta(hours=1)
    assert late.occurred_at.utcoffset() == timedelta(0)
    assert late.occurred_at - early.occurred_at == timedelta(hours=1)
    assert iso_utc(early.occurred_at) == "2026-10-25T00:30:00.000000+00:00"
    assert iso_utc(late.occurred_at) == "2026-10-25T01:30:00.000000+00:00"
    assert early.to_json()["offset_minutes"] == 60 and late.to_json()["offset_minutes"] == 0
    assert not early.tz_assumed and not late.tz_assumed
    early_back, late_back = Record.from_json(early.to_json()), Record.from_json(late.to_json())
    assert late_back.occurred_at.utcoffset() == timedelta(0)
    assert late_back.occurred_at - early_back.occurred_at == timedelta(hours=1)


def test_times_are_the_same_instant_in_any_presentation_zone() -> None:
    london = records_of(parse(HERE / "dst_fall_back.xml"))
    utc = records_of(parse(HERE / "dst_fall_back.xml", ImportOptions(tz="UTC")))
    new_york = records_of(parse(HERE / "dst_fall_back.xml", ImportOptions(tz="America/New_York")))
    assert (
        [r.occurred_at for r in london] == [r.occurred_at for r in utc] == [r.occurred_at for r in new_york]
    )
    assert utc[0].occurred_at.isoformat() == "2026-10-25T00:30:00+00:00"
    assert new_york[0].occurred_at.isoformat() == "2026-10-24T20:30:00-04:00"
    assert new_york[0].tz_name is None and new_york[0].tz_assumed is False
    assert new_york[0].occurred_at.utcoffset() == ZoneInfo("America/New_York").utcoffset(
        datetime(2026, 10, 24, 20, 30)
    )


def test_odd_times_fall_back_with_warnings() -> None:
    items = parse(HERE / "odd_times.xml", ImportOptions(tz="UTC"))
    found = by_locator(items)
    assert sorted(found) == ["mms 1", "sms 1", "sms 2"]
    assert found["sms 1"].occurred_at.isoformat() == "2026-03-14T21:33:44+00:00"
    assert found["sms 2"].occurred_at.isoformat() == "2026-03-14T21:34:44+00:00"
    assert found["mms 1"].occurred_at.isoformat() == "2026-03-14T21:35:44+00:00"  # MMS date_sent is seconds
    assert [(w.locator, w.message) for w in warnings_of(items)] == [
        ("sms 1", "date 1773524024 is too small for milliseconds; read as seconds"),
        ("sms 2", "date 'null' is not epoch milliseconds"),
        ("sms 2", "time taken from date_sent 1773524084000"),
        ("mms 1", "date 'null' is not epoch milliseconds"),
        ("mms 1", "time taken from date_sent 1773524144"),
        ("sms 3", "date 99999999999999999 is out of range"),
        ("sms 3", "<sms> has no usable time; skipped"),
        ("sms 4", "no date"),
        ("sms 4", "<sms> has no usable time; skipped"),
    ]


# -- MMS attachments ---------------------------------------------------------------------------------------------


def test_mms_parts_become_text_and_blobs() -> None:
    items = parse(HERE / "mms_attachments.xml")
    png = base64.b64decode(PNG_B64)
    png_sha = hashlib.sha256(png).hexdigest()
    vcard_sha = hashlib.sha256(VCARD).hexdigest()
    blobs = blobs_of(items)
    assert [(b.locator, b.name, b.media_type) for b in blobs] == [
        ("mms 1 part 3", "photo.png", "image/png"),
        ("mms 1 part 4", "contact.vcf", "text/x-vCard"),
        ("mms 2 part 1", "note.mp3", "audio/mpeg"),
    ]
    assert blobs[0].data == png and blobs[0].sha256 == png_sha
    assert blobs[1].data == VCARD and blobs[1].sha256 == vcard_sha
    # Each Blob comes before the first record naming it; the same picture sent again is one Blob.
    order = [i.locator if isinstance(i, Record) else getattr(i, "sha256", None) for i in items]
    assert order.index(png_sha) < order.index("mms 1") and order.index(vcard_sha) < order.index("mms 1")
    first, second = records_of(items)
    assert first.attachments == (png_sha, vcard_sha)
    assert second.attachments == (blobs[2].sha256, png_sha)
    assert warnings_of(items) == []


def test_mms_record_field_by_field() -> None:
    first, second = records_of(parse(HERE / "mms_attachments.xml"))
    assert first.locator == "mms 1"
    assert iso_utc(first.occurred_at) == "2026-03-14T21:33:44.123000+00:00"  # from date, not date_sent
    assert (first.channel, first.app, first.direction, first.status) == (
        Channel.MMS,
        "sms",
        Direction.INCOMING,
        "received",
    )
    assert first.sender == "+447700900006"  # the FROM (137) address
    assert first.recipients == ("+447700900099", "+447700900007")  # TO (151) and CC (130)
    assert first.subject == "look at this"
    assert first.text == "I know where you live\n\U0001f440 watching"
    assert first.raw["attributes"]["address"] == "+447700900006~+447700900007"
    assert first.raw["addrs"][0] == {"address": "+447700900006", "type": "137", "charset": "106"}
    assert first.raw["parts"][2]["data_length"] == len(PNG_B64) + 2  # two line breaks, kept as written
    assert "data" not in first.raw["parts"][2]
    assert first.raw["parts"][0]["ct"] == "application/smil"
    assert second.sender is None and second.recipients == ("+447700900006",)  # insert-address-token ignored
    assert second.subject is None and second.text == "stop" and second.status == "sent"


# -- through the case --------------------------------------------------------------------------------------------


def test_registered() -> None:
    assert SmsBackupImporter in importers.REGISTRY


def test_import_into_a_case(case: Case, corpus: Path) -> None:
    files = [
        HERE / "mms_attachments.xml",
        HERE / "dst_fall_back.xml",
        corpus / "smsbackup" / "sms-devadvance-sms_and_mms.xml",
    ]
    result = case.import_files(files)
    assert [item.importer for item in result.items] == ["smsbackup"] * 3
    assert [item.records for item in result.items] == [2, 2, 49]
    # The cut-off file's two warnings come after the one that says what was not read (issue 16).
    assert [len(item.warnings) for item in result.items] == [0, 0, 3]
    assert (
        result.items[2]
        .warnings[0]
        .message.startswith("1 of 50 elements not read: line 136 (the file is cut off")
    )
    assert [(i.tally.made, i.tally.seen) for i in result.items if i.tally] == [(2, 2), (2, 2), (49, 50)]
    records = case.records()
    assert len(records) == 53
    assert [r.occurred_at for r in records] == sorted(r.occurred_at for r in records)
    by_key = {(r.item_sha256, r.locator): r for r in records}
    mms = by_key[(result.items[0].sha256, "mms 1")]
    assert mms.text == "I know where you live\n\U0001f440 watching"
    assert mms.attachments == (
        hashlib.sha256(base64.b64decode(PNG_B64)).hexdigest(),
        hashlib.sha256(VCARD).hexdigest(),
    )
    stored_attachments = {sha for r in records for sha in r.attachments}
    assert len(stored_attachments) == 4  # PNG, vCard, MP3 and the corpus file's PNG
    for sha in stored_attachments:
        assert case.store.exists(sha)
        assert hashlib.sha256(case.store.read_bytes(sha)).hexdigest() == sha
    early = by_key[(result.items[1].sha256, "call 1")]
    late = by_key[(result.items[1].sha256, "call 2")]
    assert early.occurred_at.isoformat() == "2026-10-25T01:30:00+01:00"
    assert late.occurred_at.isoformat() == "2026-10-25T01:30:00+00:00"
    assert late.occurred_at - early.occurred_at == timedelta(hours=1)
    assert verify_case(case.root).ok
