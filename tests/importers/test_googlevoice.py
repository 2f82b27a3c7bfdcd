"""Google Voice Takeout pages: every corpus file, calls, voicemail, text threads, broken pages, a case import."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from evidence.api import Case
from evidence.errors import InputError
from evidence.importers import find_importer
from evidence.importers.base import SNIFF_BYTES, Source, Yielded
from evidence.importers.googlevoice import GoogleVoiceImporter, parse_duration
from evidence.models import Channel, Direction, ImportOptions, ImportWarning, Record, TimeSource
from evidence.verify.case import verify_case
from tests.conftest import DATA
from tests.importers.helpers import tally_of

FIXTURES = DATA / "googlevoice"
CALLS = Path("googlevoice") / "Takeout" / "Voice" / "Calls"


def _source(path: Path) -> Source:
    data = path.read_bytes()
    return Source(path, path.name, hashlib.sha256(data).hexdigest(), len(data), "text/html")


def _parse(path: Path) -> tuple[list[Record], list[ImportWarning]]:
    items: list[Yielded] = list(GoogleVoiceImporter().parse(_source(path), ImportOptions(tz="Europe/London")))
    records = [i for i in items if isinstance(i, Record)]
    warnings = [i for i in items if isinstance(i, ImportWarning)]
    assert len(records) + len(warnings) + 1 == len(items)
    assert tally_of(items).made == len(records)  # every unit seen is read or skipped
    return records, warnings


@dataclass(frozen=True)
class Expected:
    file: str
    count: int
    warnings: int
    channel: Channel
    direction: Direction  # of the first record
    status: str
    sender: str | None
    recipients: tuple[str, ...]
    duration_s: int | None
    utc: str  # the first record's instant


TABLE = [
    Expected(
        " - Placed - 2013-07-29T20_56_11Z.html",
        1,
        1,
        Channel.CALL,
        Direction.OUTGOING,
        "dialled",
        None,
        ("(unknown)",),
        2,
        "2013-07-29T20:56:11",
    ),
    Expected(
        "+17323215555 - Missed - 2016-11-22T17_57_49Z.html",
        1,
        0,
        Channel.CALL,
        Direction.INCOMING,
        "missed",
        "+17323215555",
        (),
        None,
        "2016-11-22T17:57:49",
    ),
    Expected(
        "+17323215555 - Received - 2016-11-22T22_27_58Z.html",
        1,
        0,
        Channel.CALL,
        Direction.INCOMING,
        "answered",
        "+17323215555",
        (),
        4,
        "2016-11-22T22:27:58",
    ),
    Expected(
        "+17323217777 - Text - 2021-01-22T01_33_43Z.html",
        5,
        0,
        Channel.SMS,
        Direction.OUTGOING,
        "sent",
        None,
        ("+17323217777",),
        None,
        "2021-01-22T01:33:43.242000",
    ),
    Expected(
        "+17323218888 - 2015-03-20T03_59_29Z.html",
        1,
        0,
        Channel.CALL,
        Direction.OUTGOING,
        "dialled",
        None,
        ("+17323218888",),
        60,
        "2015-03-20T03:59:29",
    ),
    Expected(
        "17323211010 - Received - 2018-07-30T22_31_33Z.html",
        1,
        0,
        Channel.CALL,
        Direction.INCOMING,
        "answered",
        "+17323211010",
        (),
        771,
        "2018-07-30T22:31:33",
    ),
    Expected(
        "Albert Einstein - Recorded - 2019-05-22T18_18_56Z.html",
        1,
        0,
        Channel.CALL,
        Direction.UNKNOWN,
        "recorded",
        "+17323213333",
        (),
        29 * 60 + 46,
        "2019-05-22T18:18:56.616000",
    ),
    Expected(
        "Edson Arantes do Nascimento - Text - 2023-09-20T14_41_11Z.html",
        18,
        0,
        Channel.SMS,
        Direction.INCOMING,
        "received",
        "+17323214444",
        (),
        None,
        "2023-09-20T14:41:11.657000",
    ),
    Expected(
        "Edson Arantes do Nascimento - Voicemail - 2014-05-17T02_54_27Z.html",
        1,
        0,
        Channel.VOICEMAIL,
        Direction.INCOMING,
        "voicemail",
        "+12123214444",
        (),
        22,
        "2014-05-17T02:54:27",
    ),
    Expected(
        "Group Conversation - 2023-10-01T19_34_50Z.html",
        20,
        0,
        Channel.SMS,
        Direction.INCOMING,
        "received",
        "+12125550003",
        ("+12125550001", "+12125550002", "+12125550004", "+12125550005"),
        None,
        "2023-10-01T19:34:50.760000",
    ),
]


def test_table_covers_every_corpus_page(corpus: Path) -> None:
    assert sorted(e.file for e in TABLE) == sorted(p.name for p in (corpus / CALLS).glob("*.html"))


@pytest.mark.parametrize("expected", TABLE, ids=[e.file for e in TABLE])
def test_corpus_page(corpus: Path, expected: Expected) -> None:
    path = corpus / CALLS / expected.file
    source = _source(path)
    head = path.read_bytes()[:SNIFF_BYTES]
    assert GoogleVoiceImporter().sniff(head, source)
    claimed = find_importer(head, source)
    assert claimed is not None and claimed.name == "googlevoice"
    records, warnings = _parse(path)
    assert len(records) == expected.count
    assert len(warnings) == expected.warnings
    first = records[0]
    assert first.channel is expected.channel
    assert first.direction is expected.direction
    assert first.status == expected.status
    assert first.sender == expected.sender
    assert first.recipients == expected.recipients
    assert first.duration_s == expected.duration_s
    assert first.occurred_at.astimezone(UTC).replace(tzinfo=None).isoformat() == expected.utc
    for record in records:
        assert record.time_source is TimeSource.EXPORT
        assert record.tz_assumed is False
        assert record.occurred_at.utcoffset() is not None
        assert record.app == "google-voice"
        assert record.importer == "googlevoice"
    assert len({r.locator for r in records}) == len(records)


def test_voicemail_transcript_and_audio_file(corpus: Path) -> None:
    records, _ = _parse(
        corpus / CALLS / "Edson Arantes do Nascimento - Voicemail - 2014-05-17T02_54_27Z.html"
    )
    (record,) = records
    assert record.text == "Hi, it's me. I'm just calling to say that I'm coming home."
    assert record.locator == "call"
    assert record.occurred_at.isoformat() == "2014-05-16T19:54:27-07:00"  # the offset the export wrote
    assert record.raw["audio_files"] == ["Edson Arantes do Nascimento - Voicemail - 2014-05-17T02_54_27Z.mp3"]
    assert record.raw["labels"] == ["Inbox", "Voicemail"]
    assert record.raw["name"] == "Edson Arantes do Nascimento"
    assert record.raw["duration"] == "PT22S"


def test_text_thread_fields(corpus: Path) -> None:
    records, _ = _parse(corpus / CALLS / "Group Conversation - 2023-10-01T19_34_50Z.html")
    assert [r.locator for r in records[:3]] == ["message 1", "message 2", "message 3"]
    assert records[1].text is None
    assert records[1].raw["attachment_files"] == ["Group Conversation - 2023-10-01T19_34_50Z-2-1"]
    mine = records[2]
    assert mine.direction is Direction.OUTGOING and mine.sender is None
    assert len(mine.recipients) == 5
    assert mine.raw["tel"] == "tel:+17323210011"
    assert records[19].text == "Laura 212 555 0005\nWhat a great weekend! Until next time..."
    thread, _ = _parse(corpus / CALLS / "+17323217777 - Text - 2021-01-22T01_33_43Z.html")
    assert thread[4].raw["attachment_files"] == ["+17323217777 - Text - 2021-01-22T01_33_43Z-5-1"]
    assert thread[2].text is not None and thread[2].text.startswith("Hey it's Hans Christian Andersen!")


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("PT4S", 4), ("PT1M", 60), ("PT1M23S", 83), ("PT1H2M3S", 3723), ("PT2.9S", 2), ("P1DT1S", 86401)],
)
def test_parse_duration(value: str, seconds: int) -> None:
    assert parse_duration(value) == seconds


@pytest.mark.parametrize("value", ["", "P", "PT", "4S", "PT-1S", "1:23"])
def test_parse_duration_refuses(value: str) -> None:
    assert parse_duration(value) is None


def test_bad_times_are_warned_and_skipped() -> None:
    records, warnings = _parse(FIXTURES / "bad_times.html")
    assert [r.locator for r in records] == ["message 3"]
    assert records[0].occurred_at == datetime(2024, 3, 31, 1, 30, tzinfo=UTC)
    assert records[0].text == "kept\ntwo lines & more"
    assert [w.locator for w in warnings] == ["message 1", "message 2"]
    assert "not an ISO 8601 time" in warnings[0].message
    assert "no UTC offset" in warnings[1].message


def test_truncated_thread_keeps_what_it_can() -> None:
    records, warnings = _parse(FIXTURES / "truncated_thread.html")
    assert len(records) == 1
    assert records[0].sender == "+12125550003"
    assert records[0].text == "Such a beautiful weekend - so great"
    assert warnings == []


def test_page_without_voice_blocks_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text("<html><body><p>hello</p></body></html>", encoding="utf-8")
    assert not GoogleVoiceImporter().sniff(path.read_bytes(), _source(path))
    with pytest.raises(InputError, match="no Google Voice call"):
        _parse(path)


def test_deeply_nested_page_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "deep.html"
    path.write_text('<html><body><div class="hChatLog">' + "<div>" * 1000, encoding="utf-8")
    with pytest.raises(InputError, match="nested more than"):
        _parse(path)


def test_not_utf8_is_warned(tmp_path: Path) -> None:
    data = (FIXTURES / "bad_times.html").read_bytes().replace(b"kept", b"k\xe9pt")
    path = tmp_path / "latin1.html"
    path.write_bytes(data)
    records, warnings = _parse(path)
    assert records[0].text is not None and records[0].text.startswith("k\ufffdpt")
    assert any("not valid UTF-8" in w.message for w in warnings)


def test_end_to_end_through_the_case(case: Case, corpus: Path) -> None:
    paths = [
        corpus / CALLS / "Edson Arantes do Nascimento - Voicemail - 2014-05-17T02_54_27Z.html",
        corpus / CALLS / "+17323217777 - Text - 2021-01-22T01_33_43Z.html",
    ]
    result = case.import_files(paths)
    assert [item.importer for item in result.items] == ["googlevoice", "googlevoice"]
    records = case.records()
    assert len(records) == 6
    assert sum(r.channel is Channel.VOICEMAIL for r in records) == 1
    assert any(r.occurred_at.isoformat() == "2021-01-21T17:33:43.242000-08:00" for r in records)
    assert verify_case(case.root).ok
