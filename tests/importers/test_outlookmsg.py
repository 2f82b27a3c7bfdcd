"""Outlook .msg: every corpus file, the upstream library's expected parses as oracles, damage, a case import."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest

from evidence.api import Case
from evidence.errors import InputError
from evidence.importers import find_importer
from evidence.importers.base import SNIFF_BYTES, Source, Yielded
from evidence.importers.outlookmsg import OutlookMsgImporter
from evidence.models import Blob, Channel, Direction, ImportOptions, ImportWarning, Record, TimeSource
from evidence.verify.case import verify_case
from tests.importers.helpers import tally_of

MSG = Path("msg")


def _source(path: Path, name: str | None = None) -> Source:
    data = path.read_bytes()
    return Source(
        path, name or path.name, hashlib.sha256(data).hexdigest(), len(data), "application/vnd.ms-outlook"
    )


def _parse(path: Path) -> tuple[Record, list[ImportWarning], list[Blob]]:
    items: list[Yielded] = list(OutlookMsgImporter().parse(_source(path), ImportOptions(tz="Europe/London")))
    records = [i for i in items if isinstance(i, Record)]
    warnings = [i for i in items if isinstance(i, ImportWarning)]
    blobs = [i for i in items if isinstance(i, Blob)]
    assert len(records) == 1 and isinstance(items[-2], Record)
    assert (tally_of(items).seen, tally_of(items).made) == (1, 1)
    return records[0], warnings, blobs


@dataclass(frozen=True)
class Expected:
    file: str
    utc: str
    time_source: TimeSource
    sender: str | None
    recipients: tuple[str, ...]
    subject: str
    blobs: int
    message_id: str | None


TABLE = [
    Expected(
        "mailparser-mail_outlook_1",
        "2017-09-18T10:00:18",
        TimeSource.HEADER_DATE,
        "NueblingV@w-vwa.de",
        ("A.Gaiser-Schoenenborn@kreis-tuebingen.de",),
        "Newsletter Prüfung Personalwesen / Prüfung Eröffnungsbilanz",
        5,
        "<20170918100018.6AE0948009C@www.w-vwa.de>",
    ),
    Expected(
        "msgextractor-strangeDate.msg",
        "2016-02-23T14:57:50.904000",
        TimeSource.EXPORT,
        None,
        ("time2talk@online-convert.com",),
        "MSG Test File",
        0,
        None,
    ),
    Expected(
        "msgreader-Attach sample eml received.msg",
        "2025-12-04T04:38:16",
        TimeSource.HEADER_DATE,
        "hmailuser@hmailserver.test",
        ("hmailuser@hmailserver.test",),
        "Attach sample.eml",
        1,
        "<000001dc64d7$ceee9240$6ccbb6c0$@hmailserver.test>",
    ),
    Expected(
        "msgreader-Hello +CJK.msg",
        "2023-08-27T10:27:38.710000",
        TimeSource.EXPORT,
        None,
        (),
        "Hello +CJK",
        0,
        None,
    ),
    Expected(
        "msgreader-attachAndInline.msg",
        "2021-07-27T22:19:50.992000",
        TimeSource.EXPORT,
        None,
        ("xmailuser@xmailserver.test",),
        "Attach and inline",
        2,
        None,
    ),
    Expected(
        "msgreader-htmlLink.msg",
        "2023-07-27T11:58:43.780000",
        TimeSource.EXPORT,
        None,
        (),
        "htmlLink",
        0,
        None,
    ),
    Expected(
        "msgreader-msgInMsg.msg",
        "2020-09-10T10:18:08.940000",
        TimeSource.EXPORT,
        None,
        (),
        "I have attachments!",
        2,
        None,
    ),
    Expected(
        "msgreader-newOutlook Microsoft Outlook test.msg",
        "2025-09-26T01:43:11",
        TimeSource.HEADER_DATE,
        "ku@digitaldolphins.jp",
        ("ku@digitaldolphins.jp",),
        "Microsoft Outlook テスト メッセージ",
        0,
        "<202509260143.58Q1hBM7074242@www3707.sakura.ne.jp>",
    ),
    Expected(
        "msgreader-nonUnicodeCP932.msg",
        "2021-11-05T10:25:17.315000",
        TimeSource.EXPORT,
        None,
        ("xmailuser2@xmailserver.test",),
        "日本語 Non Unicode タイトル",
        0,
        None,
    ),
    Expected(
        "msgreader-nonUnicodeMail.msg",
        "2021-11-05T10:22:54.841000",
        TimeSource.EXPORT,
        None,
        ("xmailuser2@xmailserver.test",),
        "Non Unicode mail subject",
        0,
        None,
    ),
    Expected(
        "msgreader-sent.msg",
        "2021-02-15T08:19:04.974725",
        TimeSource.EXPORT,
        "xmailuser@xmailserver.test",
        ("xmailuser@xmailserver.test",),
        "Sent time",
        0,
        None,
    ),
    Expected(
        "msgreader-unicode1.msg",
        "2021-09-26T12:42:41.566000",
        TimeSource.EXPORT,
        None,
        (),
        "畑㵲応ｲ瑤㵨㠱",
        0,
        None,
    ),
]


def test_table_covers_every_corpus_message(corpus: Path) -> None:
    names = sorted(p.name for p in (corpus / MSG).iterdir() if p.suffix != ".json")
    assert sorted(e.file for e in TABLE) == names


@pytest.mark.parametrize("expected", TABLE, ids=[e.file for e in TABLE])
def test_corpus_message(corpus: Path, expected: Expected) -> None:
    path = corpus / MSG / expected.file
    head = path.read_bytes()[:SNIFF_BYTES]
    source = _source(path)
    assert OutlookMsgImporter().sniff(head, source)
    claimed = find_importer(head, source)
    assert claimed is not None and claimed.name == "outlookmsg"
    record, warnings, blobs = _parse(path)
    assert record.occurred_at.astimezone(UTC).replace(tzinfo=None).isoformat() == expected.utc
    assert record.time_source is expected.time_source
    assert record.tz_assumed is False
    assert record.sender == expected.sender
    assert record.recipients == expected.recipients
    assert record.subject == expected.subject
    assert len(blobs) == expected.blobs
    assert record.attachments == tuple(b.sha256 for b in blobs)
    assert record.raw["message_id"] == expected.message_id
    assert (
        record.channel is Channel.EMAIL and record.direction is Direction.UNKNOWN and record.app == "outlook"
    )
    if expected.time_source is TimeSource.EXPORT:
        assert any("MAPI property" in w.message for w in warnings)
        assert record.raw["date"]["property"] in {
            "PR_CLIENT_SUBMIT_TIME",
            "PR_MESSAGE_DELIVERY_TIME",
            "PR_CREATION_TIME",  # strangeDate.msg has neither of the others
        }
    else:
        assert record.raw["date"] == {"header": "Date"}
    json.dumps(record.to_json())  # JSON-serialisable raw


ORACLES = [
    "msgreader-attachAndInline",
    "msgreader-msgInMsg",
    "msgreader-nonUnicodeCP932",
    "msgreader-nonUnicodeMail",
    "msgreader-sent",
]


@pytest.mark.parametrize("stem", ORACLES)
def test_against_upstream_expected_parse(corpus: Path, stem: str) -> None:
    oracle = json.loads((corpus / MSG / f"{stem}.json").read_text(encoding="utf-8"))
    record, _, blobs = _parse(corpus / MSG / f"{stem}.msg")
    assert record.subject == oracle["subject"]
    assert record.text == (oracle["body"].replace("\r\n", "\n").strip() or None)
    assert list(record.recipients) == [r["email"] for r in oracle["recipients"]]
    kinds = [r["type"] for r in record.raw["recipients"]]
    assert kinds == [r["recipType"] for r in oracle["recipients"]]
    if "senderEmail" in oracle:
        assert record.sender == oracle["senderEmail"]
    stamp = oracle.get("clientSubmitTime") or oracle["messageDeliveryTime"]
    assert record.occurred_at.replace(microsecond=0) == parsedate_to_datetime(stamp)
    files = [a for a in oracle["attachments"] if "fileName" in a]
    assert [(b.name, len(b.data)) for b in blobs if b.media_type != "application/vnd.ms-outlook"] == [
        (a["fileName"], a["contentLength"]) for a in files
    ]
    inner = [
        a["innerMsgContentFields"]["subject"] for a in oracle["attachments"] if "innerMsgContentFields" in a
    ]
    assert [b.name for b in blobs if b.media_type == "application/vnd.ms-outlook"] == [
        f"{s}.msg" for s in inner
    ]


def test_cp932_without_code_page_is_warned(corpus: Path) -> None:
    record, warnings, _ = _parse(corpus / MSG / "msgreader-nonUnicodeCP932.msg")
    assert record.text == "日本語 Non Unicode 本文"
    assert any("read as cp932 (from the message locale 1041)" in w.message for w in warnings)


def test_headers_dkim_and_embedded_message(corpus: Path) -> None:
    record, _, _ = _parse(corpus / MSG / "msgreader-newOutlook Microsoft Outlook test.msg")
    assert record.raw["dkim"] == {"present": True, "result": "not-checked: no key available offline"}
    assert ["Message-ID", "<202509260143.58Q1hBM7074242@www3707.sakura.ne.jp>"] in record.raw["headers"]
    assert record.text is not None and record.text.startswith("この電子メール メッセージは")
    plain, _, blobs = _parse(corpus / MSG / "msgreader-msgInMsg.msg")
    assert plain.raw["dkim"]["present"] is False and plain.raw["headers"] == []
    embedded = [b for b in blobs if b.media_type == "application/vnd.ms-outlook"]
    assert len(embedded) == 1 and embedded[0].data.startswith(bytes.fromhex("D0CF11E0A1B11AE1"))
    assert plain.raw["attachments"][0]["embedded_subject"] == "Microsoft Outlook テスト メッセージ"


def test_html_only_body_becomes_text(corpus: Path) -> None:
    record, _, _ = _parse(corpus / MSG / "msgreader-newOutlook Microsoft Outlook test.msg")
    assert record.text is not None and "<" not in record.text


def test_sniff_needs_magic_and_msg_signs(corpus: Path, tmp_path: Path) -> None:
    path = corpus / MSG / "mailparser-mail_outlook_1"  # no extension: found by its stream names
    assert OutlookMsgImporter().sniff(path.read_bytes()[:SNIFF_BYTES], _source(path))
    plain_ole = tmp_path / "other.doc"
    plain_ole.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 600)
    assert not OutlookMsgImporter().sniff(plain_ole.read_bytes(), _source(plain_ole))
    not_ole = tmp_path / "x.msg"
    not_ole.write_bytes(b"From: a@b\r\n\r\nhi")
    assert not OutlookMsgImporter().sniff(not_ole.read_bytes(), _source(not_ole))


@pytest.mark.parametrize("size", [512, 4000, 12000])
def test_truncated_file_is_an_input_error(corpus: Path, tmp_path: Path, size: int) -> None:
    path = tmp_path / "cut.msg"
    path.write_bytes((corpus / MSG / "msgreader-sent.msg").read_bytes()[:size])
    with pytest.raises(InputError) as info:
        _parse(path)
    assert info.value.path == "cut.msg"
    assert "Outlook message" in info.value.message


def test_ole_file_without_times_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "garbage.msg"
    path.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + bytes(range(256)) * 8)
    with pytest.raises(InputError):
        _parse(path)


def test_end_to_end_through_the_case(case: Case, corpus: Path) -> None:
    paths = [corpus / MSG / "msgreader-msgInMsg.msg", corpus / MSG / "mailparser-mail_outlook_1"]
    result = case.import_files(paths)
    assert [item.importer for item in result.items] == ["outlookmsg", "outlookmsg"]
    records = case.records()
    assert len(records) == 2
    assert sum(len(r.attachments) for r in records) == 7
    assert any(r.occurred_at == datetime(2017, 9, 18, 10, 0, 18, tzinfo=UTC) for r in records)
    assert verify_case(case.root).ok
