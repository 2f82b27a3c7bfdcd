"""E-mail importer: .eml / raw RFC 5322 messages and mbox files, on the real corpus and small fixtures."""

from __future__ import annotations

import base64
import hashlib
import socket
from datetime import UTC, datetime, timedelta
from email import policy as email_policy
from email.parser import BytesParser
from pathlib import Path

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evidence import media
from evidence.api import Case
from evidence.case.canonical import canonical_bytes
from evidence.errors import InputError
from evidence.importers import REGISTRY, SNIFF_BYTES, find_importer
from evidence.importers._mail.addresses import split_address_list
from evidence.importers._mail.dates import parse_date
from evidence.importers._mail.dkim_check import NO_KEY
from evidence.importers._mail.mbox import split_mbox
from evidence.importers._mail.text import html_to_text
from evidence.importers.base import Source
from evidence.importers.email import EmailImporter
from evidence.models import Blob, Channel, Direction, ImportOptions, Record, TimeSource
from evidence.verify.case import verify_case
from tests.importers.helpers import Parsed, source_for

DATA = Path(__file__).resolve().parent.parent / "data" / "email"
LONDON = ImportOptions(tz="Europe/London")


def run(path: Path, importer: EmailImporter | None = None, options: ImportOptions = LONDON) -> Parsed:
    return Parsed(list((importer or EmailImporter()).parse(source_for(path, "message/rfc822"), options)))


def run_bytes(
    tmp_path: Path,
    data: bytes,
    name: str = "message.eml",
    importer: EmailImporter | None = None,
    options: ImportOptions = LONDON,
) -> Parsed:
    path = tmp_path / name
    path.write_bytes(data)
    return run(path, importer, options)


def one(parsed: Parsed) -> Record:
    (record,) = parsed.records
    return record


def with_date(data: bytes) -> bytes:
    """A corpus message that has no Date header, given one (to look at its other fields)."""
    return b"Date: Sat, 14 Mar 2026 21:33:44 +0000\r\n" + data


# -- every corpus file ---------------------------------------------------------------------------------------

# (file, records, warnings, attachment blobs, time sources of its records)
CORPUS = [
    ("cpython-mailbox_01.mbox", 1, 2, 0, {"received"}),
    ("cpython-msg_01.txt", 1, 0, 0, {"header-date"}),
    ("cpython-msg_02.txt", 1, 0, 5, {"header-date"}),
    ("cpython-msg_05.txt", 0, 1, 0, set()),
    ("cpython-msg_06.txt", 1, 0, 1, {"header-date"}),
    ("cpython-msg_07.txt", 1, 0, 1, {"header-date"}),
    ("cpython-msg_10.txt", 1, 0, 0, {"header-date"}),
    ("cpython-msg_14.txt", 1, 1, 0, {"header-date"}),
    ("cpython-msg_15.txt", 1, 3, 0, {"received"}),
    ("cpython-msg_18.txt", 0, 1, 0, set()),
    ("cpython-msg_20.txt", 1, 0, 0, {"header-date"}),
    ("cpython-msg_23.txt", 0, 1, 0, set()),
    ("cpython-msg_27.txt", 1, 0, 0, {"header-date"}),
    ("cpython-msg_29.txt", 1, 0, 0, {"header-date"}),
    ("cpython-msg_31.txt", 0, 1, 0, set()),
    ("cpython-msg_32.txt", 1, 0, 0, {"header-date"}),
    ("cpython-msg_35.txt", 0, 1, 0, set()),
    ("cpython-msg_41.txt", 1, 2, 0, {"header-date"}),
    ("cpython-msg_44.txt", 1, 0, 1, {"header-date"}),
    ("cpython-msg_45.txt", 0, 1, 0, set()),
    ("cpython-msg_46.txt", 1, 0, 1, {"header-date"}),
    ("cpython-msg_47.txt", 1, 1, 0, {"header-date"}),
    ("hunnysoft-invalid-charset.eml", 1, 2, 0, {"header-date"}),
    ("hunnysoft-m0001.eml", 1, 2, 0, {"header-date"}),
    ("hunnysoft-m0004.eml", 1, 0, 0, {"header-date"}),
    ("hunnysoft-m0006.eml", 1, 0, 0, {"header-date"}),
    ("hunnysoft-m0008.eml", 1, 0, 0, {"header-date"}),
    ("hunnysoft-m0010.eml", 1, 0, 0, {"header-date"}),
    ("hunnysoft-m0012.eml", 1, 0, 1, {"header-date"}),
    ("hunnysoft-m0014.eml", 1, 0, 0, {"header-date"}),
    ("hunnysoft-m0016.eml", 1, 0, 2, {"header-date"}),
    ("hunnysoft-m1005.eml", 1, 0, 3, {"header-date"}),
    ("hunnysoft-m1011.eml", 1, 0, 0, {"header-date"}),
    ("hunnysoft-m2003.eml", 1, 0, 0, {"header-date"}),
    ("hunnysoft-m2004.eml", 1, 0, 2, {"header-date"}),
    ("hunnysoft-m2014.eml", 1, 0, 0, {"header-date"}),
    ("hunnysoft-m3002.eml", 1, 0, 0, {"header-date"}),
    ("hunnysoft-m4006.eml", 1, 0, 1, {"header-date"}),
    ("hunnysoft-m4007.eml", 1, 0, 1, {"header-date"}),
    ("hunnysoft-m4009.eml", 1, 0, 1, {"header-date"}),
    ("imaptools-attachment_message_rfc822.eml", 1, 0, 1, {"header-date"}),
    ("imaptools-attachment_nonascii_filename.eml", 1, 0, 1, {"header-date"}),
    ("imaptools-attachment_only_email.eml", 1, 0, 1, {"header-date"}),
    ("imaptools-bad_date_header.eml", 1, 1, 0, {"received"}),
    ("imaptools-bad_encoded_subject.eml", 0, 2, 0, set()),
    ("imaptools-base.eml", 0, 1, 0, set()),
    ("imaptools-basic_email_lf.eml", 1, 0, 0, {"header-date"}),
    ("imaptools-double_fields.eml", 1, 2, 0, {"header-date"}),
    ("imaptools-encoding_madness.eml", 1, 0, 0, {"header-date"}),
    ("imaptools-invalid_subject_characters.eml", 0, 2, 0, set()),
    ("imaptools-japanese_iso_2022.eml", 0, 1, 0, set()),
    ("imaptools-japanese_shift_jis.eml", 1, 0, 0, {"header-date"}),
    ("imaptools-ks_c_5601-1987.eml", 1, 0, 0, {"header-date"}),
    ("imaptools-missing_body.eml", 1, 2, 0, {"header-date"}),
    ("imaptools-raw_email_string_in_date_field.eml", 1, 0, 0, {"header-date"}),
    ("imaptools-raw_email_with_bad_date.eml", 1, 1, 0, {"received"}),
    ("imaptools-two_from_in_message.eml", 1, 0, 0, {"header-date"}),
    ("imaptools-utf8_headers.eml", 0, 1, 0, set()),
    ("mailparser-mail_malformed_2.eml", 1, 0, 2, {"header-date"}),
    ("mailparser-mail_test_12.eml", 1, 1, 0, {"header-date"}),
    ("mailparser-mail_test_14.eml", 1, 0, 1, {"header-date"}),
    ("mailparser-mail_test_16.eml", 1, 0, 0, {"header-date"}),
    ("mailparser-mail_test_17.eml", 1, 1, 0, {"header-date"}),
    ("mailparser-mail_test_18.eml", 1, 0, 0, {"header-date"}),
    ("mailparser-mail_test_19.eml", 1, 3, 0, {"header-date"}),
    ("mailparser-mail_test_3.eml", 1, 0, 1, {"header-date"}),
    ("mailparser-mail_test_9.eml", 1, 0, 0, {"header-date"}),
    ("mimekit-delivery-status.eml", 1, 0, 2, {"header-date"}),
    ("mimekit-disposition-notification.eml", 1, 0, 2, {"header-date"}),
    ("mimekit-empty-multipart.eml", 1, 2, 0, {"header-date"}),
    ("mimekit-issue1189.mbox", 4, 1, 1, {"header-date"}),
    ("mimekit-japanese.eml", 1, 0, 0, {"header-date"}),
    ("mimekit-missing-subtype.eml", 1, 1, 1, {"header-date"}),
    ("mimekit-multipart-related-mhtml.eml", 0, 1, 0, set()),
    ("mimekit-simple.mbox", 3, 7, 0, {"header-date"}),
    ("mimekit-unmunged.mbox", 0, 2, 0, set()),
]


def test_the_table_covers_every_corpus_file(corpus: Path) -> None:
    assert sorted(p.name for p in (corpus / "email").iterdir()) == sorted(row[0] for row in CORPUS)


@pytest.mark.parametrize(("name", "records", "warnings", "blobs", "sources"), CORPUS)
def test_corpus_file_imports(
    corpus: Path, name: str, records: int, warnings: int, blobs: int, sources: set[str]
) -> None:
    path = corpus / "email" / name
    assert EmailImporter().sniff(path.read_bytes()[:65536], source_for(path, "message/rfc822"))
    parsed = run(path)
    assert (len(parsed.records), len(parsed.warnings), len(parsed.blobs)) == (records, warnings, blobs)
    assert {r.time_source.value for r in parsed.records} == sources
    stored: set[str] = set()
    for item in parsed.items:
        if isinstance(item, Blob):
            stored.add(item.sha256)
        elif isinstance(item, Record):
            assert set(item.attachments) <= stored  # every attachment was yielded before its record
            assert item.occurred_at.utcoffset() is not None
            assert item.channel is Channel.EMAIL and item.direction is Direction.UNKNOWN
            assert item.app == "email" and item.importer == "email"
            canonical_bytes(item.to_json())  # storable: no floats, no lone surrogates
            assert len(item.raw["headers"]) >= 1
    if records == 0:
        assert parsed.messages()[-1].endswith("message skipped")


def test_plain_message_fields(corpus: Path) -> None:
    record = one(run(corpus / "email" / "cpython-msg_01.txt"))
    assert record.sender == "bbb@ddd.com"
    assert record.raw["from"] == [{"name": "John X. Doe", "address": "bbb@ddd.com"}]
    assert record.recipients == ("bbb@zzz.org",)
    assert record.subject == "This is a test message"
    assert record.occurred_at.isoformat() == "2001-05-04T14:05:44-04:00"
    assert record.time_source is TimeSource.HEADER_DATE and record.tz_assumed is False
    assert record.tz_name is None
    assert record.text is not None and record.text.startswith("Hi,\n\nDo you like this message?")
    assert record.locator == "message" and record.raw["container"] == "eml"
    assert record.attachments == ()


def test_all_headers_kept_in_order_with_raw_form_when_different(corpus: Path) -> None:
    path = corpus / "email" / "hunnysoft-m0004.eml"
    record = one(run(path))
    headers = record.raw["headers"]
    assert len(headers) == len(BytesParser(policy=email_policy.compat32).parsebytes(path.read_bytes()).keys())
    assert [h[0] for h in headers[:5]] == ["From", "To", "Subject", "Date", "Message-ID"]
    assert headers[2] == [
        "Subject",
        "Die Hasen und die Frösche (Microsoft Outlook 00)",
        "=?iso-8859-1?Q?Die_Hasen_und_die_Fr=F6sche_=28Microsoft_Outlook_00=29?=",
    ]
    assert headers[3] == ["Date", "Wed, 17 May 2000 19:13:51 -0400"]  # no third element: nothing to decode
    assert headers[6] == [
        "Content-Type",
        'text/plain;\tcharset="iso-8859-1"',  # unfolded: the line break goes, the tab stays
        'text/plain;\r\n\tcharset="iso-8859-1"',  # as written (CRLF)
    ]
    assert record.raw["message_id"] == "<NDBBIAKOPKHFGPLCODIGEEKCCHAA.doug@example.com>"


def test_multiple_cc_headers_in_any_case(corpus: Path) -> None:
    record = one(run(corpus / "email" / "cpython-msg_20.txt"))
    assert record.recipients == ("bbb@zzz.org", "ccc@zzz.org", "ddd@zzz.org", "eee@zzz.org")
    assert [h[0] for h in record.raw["headers"] if h[0].lower() == "cc"] == ["Cc", "CC", "cc"]


def test_encoded_comma_does_not_split_a_display_name(corpus: Path) -> None:
    record = one(run(corpus / "email" / "mailparser-mail_test_18.eml"))
    assert record.raw["from"] == [{"name": "LastßlName, FirstName", "address": "comma.name@example.com"}]
    assert record.raw["cc"][1] == {"name": 'John "Johnny" Doe', "address": "john.doe@example.com"}
    assert record.recipients == ("tony.stark@example.com", "simple@example.net", "john.doe@example.com")


def test_display_name_that_is_another_address_is_warned(corpus: Path) -> None:
    parsed = run(corpus / "email" / "mailparser-mail_test_19.eml")
    record = one(parsed)
    assert record.sender == "bob@example.com"  # the real address, not the display name
    assert record.raw["from"] == [{"name": "alice@example.com", "address": "bob@example.com"}]
    assert record.recipients == ("charlie@example.com", "dave@example.com", "frank@example.com")
    assert any("'alice@example.com' is itself an address" in m for m in parsed.messages())


def test_group_syntax_and_mangled_groups_give_no_recipient(corpus: Path) -> None:
    record = one(run(corpus / "email" / "imaptools-missing_body.eml"))
    assert record.recipients == ()  # To: <Undisclosed-Recipient:@mailman.enron.com;>
    assert record.raw["to"] == [{"name": "", "address": "Undisclosed-Recipient:@mailman.enron.com;"}]
    status = one(run(corpus / "email" / "mimekit-delivery-status.eml"))  # unlisted-recipients:; (comment)
    assert status.raw["to"] == []
    assert split_address_list("Undisclosed recipients:;, a@b.example") == ["a@b.example"]
    assert split_address_list('"Doe, John" <j@x.example>, (c, d) k@x.example') == [
        '"Doe, John" <j@x.example>',
        "(c, d) k@x.example",
    ]


# -- time ------------------------------------------------------------------------------------------------------


def test_received_fallback_when_the_date_header_is_empty(corpus: Path) -> None:
    parsed = run(corpus / "email" / "imaptools-bad_date_header.eml")
    record = one(parsed)
    assert record.time_source is TimeSource.RECEIVED and record.tz_assumed is False
    # The top-most (newest) Received header, not the older one below it (22:08:27 -0800).
    assert record.occurred_at.isoformat() == "2010-12-10T19:20:19-08:00"
    assert record.raw["date"]["header"] == "Received 1"
    assert parsed.messages() == [
        "the Date header '<HR>' is not a date; time taken from the newest Received header (time_source received)"
    ]


def test_received_fallback_when_the_date_is_garbage(corpus: Path) -> None:
    parsed = run(corpus / "email" / "imaptools-raw_email_with_bad_date.eml")
    record = one(parsed)
    assert record.time_source is TimeSource.RECEIVED
    assert record.occurred_at.isoformat() == "2007-11-05T20:17:37+11:00"
    assert "'Pn, 29 paX 2007 21:13:00 +0100' is not a date" in parsed.messages()[0]
    assert record.raw["headers"][-1][0] == "Status"  # every header kept, to the last


def test_date_with_an_8bit_comment_is_still_the_date(corpus: Path) -> None:
    # "Sat, 20 Sep 2008 20:04:30 +0300 (<8-bit bytes>)": a valid date whose comment is garbage. The Date
    # header wins over the Received header (Mon, 22 Sep 2008 20:20:25 GMT).
    parsed = run(corpus / "email" / "imaptools-raw_email_string_in_date_field.eml")
    record = one(parsed)
    assert record.time_source is TimeSource.HEADER_DATE
    assert record.occurred_at.isoformat() == "2008-09-20T20:04:30+03:00"
    assert record.locator == "message 1 of the mbox"  # the file starts with an mbox From line
    assert record.raw["mbox_from_line"] == "From mikel@me.com Mon May  2 16:07:05 2005"


def test_top_received_without_a_date_falls_to_the_next(tmp_path: Path) -> None:
    data = (
        b"Received: by mx.example (no date here)\r\n"
        b"Received: from a by b; Tue, 17 Mar 2026 09:15:00 +0000\r\n"
        b"From: a@example.org\r\nSubject: s\r\n\r\nbody\r\n"
    )
    parsed = run_bytes(tmp_path, data)
    record = one(parsed)
    assert record.occurred_at == datetime(2026, 3, 17, 9, 15, tzinfo=UTC)
    assert "Received header 2 from the top" in parsed.messages()[0]


def test_comment_before_the_offset_keeps_the_offset(corpus: Path) -> None:
    # Date: Wed, 20 Sep 1995 00:19:00 (EDT) -0400 -- policy.default reads this as -0000.
    record = one(run(corpus / "email" / "mimekit-disposition-notification.eml"))
    assert record.occurred_at.isoformat() == "1995-09-20T00:19:00-04:00"


def test_minus_zero_offset_is_utc_with_unknown_sender_zone() -> None:
    parsed = run(DATA / "date_minus_0000.eml")
    record = one(parsed)
    assert record.occurred_at.isoformat() == "2026-03-16T10:00:00+00:00"
    assert record.tz_assumed is False and record.raw["date"]["zone"] == "-0000"
    assert parsed.messages() == [
        "the Date time has the offset -0000: UTC, but the sender's own zone is unknown (RFC 5322)"
    ]


def test_date_without_zone_takes_the_import_zone_and_warns_about_dst() -> None:
    parsed = run(DATA / "date_no_zone_fall_back.eml")
    record = one(parsed)
    assert record.tz_assumed is True and record.tz_name == "Europe/London"
    assert record.occurred_at.utcoffset() == timedelta(hours=1)  # fold=0: the first 01:30, still BST
    assert parsed.messages() == [
        "the Date time has no zone; the import's zone Europe/London was applied",
        "2025-10-26 01:30:00 happened twice in Europe/London (clocks went back); the first of the two was taken",
    ]
    other = one(run(DATA / "date_no_zone_fall_back.eml", options=ImportOptions(tz="America/New_York")))
    assert other.occurred_at.isoformat() == "2025-10-26T01:30:00-04:00"


def test_no_date_or_received_takes_the_latest_date_in_other_headers() -> None:
    parsed = run(DATA / "date_resent_only.eml")
    record = one(parsed)
    # Resent-Date is 09:15 UTC; X-Apparently-To's stamp is 10:20 +01:00 = 09:20 UTC, the latest.
    assert record.occurred_at.isoformat() == "2026-03-17T10:20:00+01:00"
    assert record.time_source is TimeSource.RECEIVED
    assert record.raw["date"] == {
        "header": "X-Apparently-To",
        "value": "Tue, 17 Mar 2026 10:20:00 +0100",
        "zone": "offset",
    }
    assert "time taken from the X-Apparently-To header" in parsed.messages()[0]


def test_no_date_anywhere_skips_the_message_with_its_locator() -> None:
    parsed = run(DATA / "no_date_anywhere.eml")
    assert parsed.records == [] and parsed.blobs == []
    assert [(w.locator, w.message) for w in parsed.warnings] == [
        (
            "message",
            "no Date header, and no Received header or other header field has a date: message skipped",
        )
    ]


def test_mbox_from_line_is_the_last_resort(corpus: Path) -> None:
    parsed = run(corpus / "email" / "cpython-mailbox_01.mbox")
    record = one(parsed)
    assert record.occurred_at.isoformat() == "2022-08-07T11:40:37+01:00"
    assert record.tz_assumed is True and record.tz_name == "Europe/London"
    assert record.raw["date"]["header"] == "mbox From line"
    assert record.text == "Hello\n\nFrom time to time"  # an unescaped body line is not a separator


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Fri, 23 Aug 2002 2:32:53 -0400", "2002-08-23T02:32:53-04:00"),
        ("01 Jan 2001 00:01+0000", "2001-01-01T00:01:00+00:00"),
        ("Fri, 10 Jul 2016 15:29:52 GMT", "2016-07-10T15:29:52+00:00"),
        ("Wed, 28 May 2014 17:18:19 +0900 (JST)", "2014-05-28T17:18:19+09:00"),
        ("Tue, 10 Jul 2016 15:29:52 EDT", "2016-07-10T15:29:52-04:00"),
        ("Tue, 10 Jul 2016 15:29:52 XYZ", "2016-07-10T15:29:52+00:00"),
    ],
)
def test_parse_date_forms(text: str, expected: str) -> None:
    parsed = parse_date(text)
    assert parsed is not None and parsed.moment is not None
    assert parsed.moment.isoformat() == expected


@pytest.mark.parametrize(
    "text", ["", "   <HR>", "Pn, 29 paX 2007 21:13:00 +0100", "Fri, 31 Feb 2016 10:00 +0000", "(((("]
)
def test_parse_date_refuses(text: str) -> None:
    assert parse_date(text) is None


# -- decoding --------------------------------------------------------------------------------------------------


def test_iso_2022_jp_subject_and_body(corpus: Path) -> None:
    record = one(run(corpus / "email" / "mimekit-japanese.eml"))
    assert record.subject == "日本語メールテスト (testing Japanese emails)"
    assert record.text is not None and "日本語が\n正常に\n送れているか" in record.text


def test_utf8_encoded_words_and_iso_2022_jp_body(corpus: Path, tmp_path: Path) -> None:
    data = with_date((corpus / "email" / "imaptools-japanese_iso_2022.eml").read_bytes())
    record = one(run_bytes(tmp_path, data))
    assert record.subject == "まみむめも"
    assert record.raw["to"] == [{"name": "みける", "address": "raasdnil@gmail.com"}]
    assert record.text == "すみません。"


def test_shift_jis_body(corpus: Path) -> None:
    record = one(run(corpus / "email" / "imaptools-japanese_shift_jis.eml"))
    assert record.text is not None and record.text.startswith(
        "あいうえお\n\nこのメールはテスト用のメールです。"
    )


def test_rfc6532_raw_utf8_headers(corpus: Path, tmp_path: Path) -> None:
    data = with_date((corpus / "email" / "imaptools-utf8_headers.eml").read_bytes())
    parsed = run_bytes(tmp_path, data)
    record = one(parsed)
    assert record.subject == "Säying Hello"
    assert record.sender == "jdöe@mächine.example"
    assert record.raw["from"] == [{"name": "Jöhn Doe", "address": "jdöe@mächine.example"}]
    assert record.recipients == ("märy@exämple.net",)
    assert parsed.warnings == []  # valid UTF-8 is not a problem


def test_legacy_8bit_header_is_read_as_windows_1252_with_a_warning(corpus: Path, tmp_path: Path) -> None:
    data = with_date((corpus / "email" / "imaptools-invalid_subject_characters.eml").read_bytes())
    parsed = run_bytes(tmp_path, data)
    record = one(parsed)
    assert record.subject == "Formação FrenetikPolis: Mega Campanha Final Verão | Cursos de Setembro"
    assert record.raw["from"][0]["name"] == "Formação Frenetikpolis"
    assert parsed.messages() == ["header Subject: 8-bit bytes that are not UTF-8, read as windows-1252"]
    raw_subject = next(h for h in record.raw["headers"] if h[0] == "Subject")
    assert raw_subject[2].startswith("Forma\\xe7\\xe3o")  # the bytes as written, escaped


def test_unknown_charset_and_bad_padding_in_an_encoded_word(corpus: Path, tmp_path: Path) -> None:
    parsed = run_bytes(
        tmp_path, with_date((corpus / "email" / "imaptools-bad_encoded_subject.eml").read_bytes())
    )
    assert one(parsed).subject == "TEST"  # =?NONE?B?VEVTVA=?=
    assert parsed.messages() == ["header Subject: unknown charset 'NONE', read as UTF-8 or windows-1252"]


@pytest.mark.parametrize(
    ("name", "subject"),
    [
        (
            "mailparser-mail_test_9.eml",
            "我把镜头拉近些，你们看看这个是什么屄，这种场合自然少不了内射",
        ),  # gb2312, split
        ("imaptools-raw_email_string_in_date_field.eml", "NOTE: 한국말로 하는 것"),  # EUC-KR Q
        ("hunnysoft-m0008.eml", "Die Hasen und die Frösche (Microsoft Outlook 00)"),  # utf-8 Q
        ("hunnysoft-m0006.eml", "Die Hasen und die Frösche (Microsoft Outlook 00)"),  # utf-7 Q
        ("hunnysoft-m1005.eml", "Die Hasen und die Frösche (Netscape Messenger 4.7)"),  # partly encoded
        ("hunnysoft-m2004.eml", "Die Hasen und die Frösche"),  # raw 8-bit byte inside the encoded word
        ("mailparser-mail_test_17.eml", "Transferencia Interbancaria Banca en Línea"),
    ],
)
def test_rfc2047_subjects(corpus: Path, name: str, subject: str) -> None:
    assert one(run(corpus / "email" / name)).subject == subject


def test_charsets_of_bodies(corpus: Path) -> None:
    korean = one(run(corpus / "email" / "imaptools-ks_c_5601-1987.eml"))
    assert korean.text == "스티해"
    parsed = run(corpus / "email" / "hunnysoft-invalid-charset.eml")
    assert "part 1 (text/plain): unknown charset 'invalid-charset', read as UTF-8 or windows-1252" in (
        parsed.messages()
    )
    assert "ridiculed the short feet" in (one(parsed).text or "")
    mislabelled = run(corpus / "email" / "mailparser-mail_test_12.eml")  # says GB2312, is UTF-8
    assert (one(mislabelled).text or "").startswith("你好！我公司可代开各类增值税发票")
    assert "declared GB2312 but is valid UTF-8" in mislabelled.messages()[0]


def test_html_only_body_becomes_readable_text() -> None:
    record = one(run(DATA / "html_only_script_style.eml"))
    assert record.text == (
        "First paragraph & more.\n\nLine one\nLine two\nCafé\n\ncell 1 cell 2\n\nLast <paragraph>"
    )
    assert record.raw["text_from"] == ["text/html"]


def test_plain_text_preferred_and_empty_plain_passed_over(corpus: Path) -> None:
    both = one(run(corpus / "email" / "hunnysoft-m0014.eml"))
    assert both.raw["text_from"] == ["text/plain"]
    empty_plain = one(run(corpus / "email" / "mailparser-mail_test_17.eml"))  # text/plain holds only newlines
    assert empty_plain.text == "Test" and empty_plain.raw["text_from"] == ["text/html"]


def test_html_to_text_is_linear_on_hostile_markup() -> None:
    assert html_to_text("<a" * 200_000) == ""
    assert html_to_text("x < y and <b>bold</b> &lt;ok&gt;") == "x < y and bold <ok>"
    assert html_to_text("<p>one<script>if (a<b) {}</script>two</p>three") == "onetwo\nthree"
    assert html_to_text("<!-- never closed <p>text") == ""


def test_format_flowed_is_unwrapped(tmp_path: Path) -> None:
    data = (
        b"From: a@example.org\r\nDate: Sat, 14 Mar 2026 21:33:44 +0000\r\n"
        b"Content-Type: text/plain; charset=us-ascii; format=flowed\r\n\r\n"
        b"This line was \r\nwrapped by the sender.\r\n>quoted\r\n"
    )
    assert one(run_bytes(tmp_path, data)).text == "This line was wrapped by the sender.\n>quoted"


def test_crlf_and_lf_give_the_same_record(tmp_path: Path) -> None:
    crlf = (DATA / "attachments_rfc2231_rfc2047.eml").read_bytes()
    a = one(run_bytes(tmp_path, crlf, "crlf.eml"))
    b = one(run_bytes(tmp_path, crlf.replace(b"\r\n", b"\n"), "lf.eml"))
    for field in ("occurred_at", "sender", "recipients", "subject", "text"):
        assert getattr(a, field) == getattr(b, field)
    assert a.attachments[:2] == b.attachments[:2]  # decoded attachments; the forwarded message keeps its EOLs


# -- attachments -----------------------------------------------------------------------------------------------


def test_attachment_names_hashes_and_order() -> None:
    parsed = run(DATA / "attachments_rfc2231_rfc2047.eml")
    record = one(parsed)
    rates = hashlib.sha256(b"rate,amount\nweekly,40\n").hexdigest()
    photo = hashlib.sha256(bytes(range(256)) * 4).hexdigest()
    forwarded = (
        b"From: Alex Morgan <alex@example.org>\r\nTo: Jordan Lee <jordan@example.net>\r\n"
        b"Subject: you know what you did\r\nDate: Fri, 13 Mar 2026 23:58:01 +0000\r\n\r\n"
        b"I know where you live."  # the line break before the boundary belongs to the boundary
    )
    assert record.attachments == (rates, photo, hashlib.sha256(forwarded).hexdigest(), rates)
    # The same bytes twice are one blob; blobs come before the record and carry the decoded names.
    assert [(b.name, b.media_type, b.sha256) for b in parsed.blobs] == [
        ("€ rates.csv", "text/csv", rates),  # RFC 2231
        ("été.jpg", "image/jpeg", photo),  # RFC 2047 inside the parameter
        (None, "message/rfc822", hashlib.sha256(forwarded).hexdigest()),
    ]
    assert parsed.items.index(record) == len(parsed.items) - 2  # then the tally, last
    assert (parsed.tally.seen, parsed.tally.made) == (1, 1)
    assert [a["name"] for a in record.raw["attachments"]] == [
        "€ rates.csv",
        "été.jpg",
        None,
        "copy of rates.csv",
    ]
    assert record.raw["attachments"][2]["regenerated"] is True
    assert parsed.blobs[0].locator == "message, attachment 1"
    assert record.subject == "Fotos für dich"
    assert record.text == "Schau dir die Anhänge an."
    assert record.recipients == ("jordan@example.net", "sam@example.net")


def test_corpus_attachments_match_the_stdlib_decoding(corpus: Path) -> None:
    path = corpus / "email" / "cpython-msg_07.txt"
    parsed = run(path)
    record = one(parsed)
    message = BytesParser(policy=email_policy.default).parsebytes(path.read_bytes())
    gif = next(p for p in message.walk() if p.get_content_type() == "image/gif").get_payload(decode=True)
    assert isinstance(gif, bytes)
    assert [(b.name, b.sha256) for b in parsed.blobs] == [("dingusfish.gif", hashlib.sha256(gif).hexdigest())]
    assert record.attachments == (hashlib.sha256(gif).hexdigest(),)
    assert record.text == "Hi there,\n\nThis is the dingus fish."


@pytest.mark.parametrize(
    ("name", "names"),
    [
        ("imaptools-attachment_nonascii_filename.eml", ["ciële.txt"]),  # raw 8-bit name
        ("imaptools-attachment_message_rfc822.eml", ["ForwardedMessage.eml"]),
        ("imaptools-attachment_only_email.eml", ["blah.gz"]),  # the whole body is the attachment
        ("hunnysoft-m4009.eml", ["test10Mb.db"]),
        ("hunnysoft-m0016.eml", ["blueball.png", "redball.png"]),  # images of an HTML body
        ("cpython-msg_44.txt", ["msg.txt", "msg.txt"]),  # the same name twice
        ("mimekit-missing-subtype.eml", ["document.xml.gz"]),
    ],
)
def test_corpus_attachment_names(corpus: Path, name: str, names: list[str]) -> None:
    record = one(run(corpus / "email" / name))
    assert [a["name"] for a in record.raw["attachments"]] == names
    assert len(record.attachments) == len(names)


def test_attached_message_is_stored_byte_for_byte(corpus: Path) -> None:
    path = corpus / "email" / "imaptools-attachment_message_rfc822.eml"
    (blob,) = run(path).blobs
    assert blob.media_type == "message/rfc822" and blob.data in path.read_bytes()
    assert blob.data.startswith(b"Return-Path: <xxxx@xxxx.com>\r\n")


def test_mime_defects_are_kept_and_warned(corpus: Path) -> None:
    parsed = run(corpus / "email" / "imaptools-missing_body.eml")
    record = one(parsed)
    assert record.raw["defects"] == [
        "part 1: StartBoundaryNotFoundDefect",
        "part 1: MultipartInvariantViolationDefect",
    ]
    assert "MIME defects: part 1: StartBoundaryNotFoundDefect" in parsed.messages()[1]


# -- mbox ------------------------------------------------------------------------------------------------------


def test_takeout_mbox() -> None:
    parsed = run(DATA / "takeout.mbox")
    first, second, third = parsed.records
    assert [r.locator for r in parsed.records] == [f"message {n} of the mbox" for n in (1, 2, 3)]
    assert first.text == (
        "First message.\n\nFrom here on, every message is evidence.\n>From the quoted line too."
    )
    assert first.raw["mbox_from_line"] == "From 1826389571030405060@xxx Sat Mar 14 21:33:44 +0000 2026"
    assert ["X-Gmail-Labels", "Inbox,Opened"] in first.raw["headers"]
    assert second.subject == "Ärger ohne Ende"
    assert second.attachments == (hashlib.sha256(base64.b64decode("iVBORw0KGgo=")).hexdigest(),)
    assert third.sender == "jordan@example.net" and third.text == "Please stop contacting me."
    assert parsed.warnings == []
    assert len({r.id for r in parsed.records}) == 3


def test_mbox_without_blank_lines_before_thunderbird_separators(corpus: Path) -> None:
    parsed = run(corpus / "email" / "mimekit-simple.mbox")
    assert [r.subject for r in parsed.records] == [
        "this'll probably break a lot of mime parsers",
        "this'll probably break even more mime parsers",
        "if a mime parser can correctly handle this, I'm impressed",
    ]


def test_unmunged_from_lines_and_bom(corpus: Path) -> None:
    with open(corpus / "email" / "mimekit-unmunged.mbox", "rb") as fh:
        messages = list(split_mbox(fh, 10_000))
    assert [(index, postmark) for index, postmark, _, _ in messages] == [(1, b"From -"), (2, b"From -")]
    first = messages[0][2]
    assert first is not None and b"\nFrom Russia with love\n" in first and first.startswith(b"From: Jeffrey")
    parsed = run(corpus / "email" / "mimekit-unmunged.mbox")  # no dates at all: both skipped, by locator
    assert [w.locator for w in parsed.warnings] == ["message 1 of the mbox", "message 2 of the mbox"]


def test_gmail_separators_without_dates(corpus: Path) -> None:
    parsed = run(corpus / "email" / "mimekit-issue1189.mbox")
    assert [r.subject for r in parsed.records] == ["Message 1", "Message 2", "Message 3", "Message 4"]
    assert [b.name for b in parsed.blobs] == ["Attachment.zip"]
    assert parsed.records[1].attachments == (parsed.blobs[0].sha256,)


def test_message_over_the_size_limit_is_skipped(tmp_path: Path) -> None:
    parsed = run(DATA / "takeout.mbox", importer=EmailImporter(max_message_bytes=500))
    assert [r.locator for r in parsed.records] == ["message 1 of the mbox", "message 3 of the mbox"]
    (warning,) = parsed.warnings
    assert warning.locator == "message 2 of the mbox"
    assert warning.message.endswith("is larger than the limit of 500 bytes; skipped")
    single = run(DATA / "attachments_rfc2231_rfc2047.eml", importer=EmailImporter(max_message_bytes=500))
    assert single.records == [] and "larger than the limit" in single.messages()[0]


# -- DKIM ------------------------------------------------------------------------------------------------------


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to reach the network fails the test."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the e-mail importer tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture(scope="module")
def dkim_key() -> tuple[bytes, bytes]:
    """A test RSA key: (PEM private key, the TXT record that would publish it)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return pem, b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)


MESSAGE = (
    b"From: Alex Morgan <alex@example.org>\r\nTo: jordan@example.net\r\nSubject: hello\r\n"
    b"Date: Sat, 14 Mar 2026 21:33:44 +0000\r\nMessage-ID: <dkim-1@example.org>\r\n\r\n"
    b"You will regret this.\r\n"
)


def signed(pem: bytes) -> bytes:
    headers = [b"from", b"to", b"subject", b"date", b"message-id"]
    return bytes(dkim.sign(MESSAGE, b"test", b"example.org", pem, include_headers=headers)) + MESSAGE


def test_dkim_absent(corpus: Path, no_network: None) -> None:
    record = one(run(corpus / "email" / "cpython-msg_01.txt"))
    assert record.raw["dkim"] == {"present": False, "domain": None, "selector": None, "result": None}


def test_dkim_present_but_not_checked_without_an_offline_key(
    tmp_path: Path, dkim_key: tuple[bytes, bytes], no_network: None
) -> None:
    record = one(run_bytes(tmp_path, signed(dkim_key[0])))
    assert record.raw["dkim"] == {
        "present": True,
        "count": 1,
        "domain": "example.org",
        "selector": "test",
        "result": NO_KEY,
    }


def test_dkim_sign_verify_and_tamper_offline(
    tmp_path: Path, dkim_key: tuple[bytes, bytes], no_network: None
) -> None:
    pem, txt = dkim_key
    asked: list[bytes] = []

    def dnsfunc(name: bytes, timeout: int = 5) -> bytes | None:
        asked.append(name)
        return txt if name == b"test._domainkey.example.org." else None

    importer = EmailImporter(dnsfunc=dnsfunc)
    good = signed(pem)
    assert one(run_bytes(tmp_path, good, "good.eml", importer=importer)).raw["dkim"]["result"] == "pass"
    tampered = good.replace(b"You will regret this.", b"You will enjoy this.")
    result = one(run_bytes(tmp_path, tampered, "tampered.eml", importer=importer)).raw["dkim"]["result"]
    assert result.startswith("fail: body hash mismatch")
    forged = good.replace(b"Subject: hello", b"Subject: hi there")
    result = one(run_bytes(tmp_path, forged, "forged.eml", importer=importer)).raw["dkim"]["result"]
    assert result == "fail: signature does not verify"
    assert asked == [b"test._domainkey.example.org."] * 3

    def nothing(name: bytes, timeout: int = 5) -> bytes | None:
        return None

    unknown = one(run_bytes(tmp_path, good, "unknown.eml", importer=EmailImporter(dnsfunc=nothing)))
    assert (
        unknown.raw["dkim"]["result"]
        == "not-checked: no key for test._domainkey.example.org. available offline"
    )


# -- recognising, errors, hostile input ------------------------------------------------------------------------


def test_sniff_claims_no_other_corpus_format(corpus: Path) -> None:
    importer = EmailImporter()
    for path in sorted(corpus.rglob("*")):
        if path.is_file() and path.parent.name != "email":
            assert not importer.sniff(path.read_bytes()[:65536], source_for(path, "message/rfc822")), path


def test_sniff_by_content() -> None:
    importer = EmailImporter()
    probe = source_for(DATA / "not_an_email.eml")
    assert not importer.sniff((DATA / "not_an_email.eml").read_bytes(), probe)
    assert importer.sniff(b"\xef\xbb\xbfFrom - \nFrom: a@b\n\nx\n", probe)  # mbox with a BOM
    assert importer.sniff(b"Subject: hi\r\n\r\nbody", probe)  # one known field: only for a .eml name
    txt = Source(probe.path, "note.txt", probe.sha256, probe.size, "text/plain")
    assert not importer.sniff(b"Subject: hi\r\n\r\nbody", txt)
    assert importer.sniff(b"Received: x\r\nX-Other: y\r\nFrom: a@b\r\n\r\n", txt)
    assert not importer.sniff(b"From: me\nthis is a letter, not a header\n", txt)


def test_every_corpus_email_goes_to_this_importer(corpus: Path) -> None:
    assert EmailImporter in REGISTRY
    for path in sorted((corpus / "email").iterdir()):
        data = path.read_bytes()
        found = find_importer(
            data[:SNIFF_BYTES],
            Source(path, path.name, hashlib.sha256(data).hexdigest(), len(data), media.detect(path)),
        )
        assert isinstance(found, EmailImporter), path.name


def test_not_an_email_fails_with_a_specific_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"does not start with e-mail header fields") as info:
        run(DATA / "not_an_email.eml")
    assert info.value.path == "not_an_email.eml"
    with pytest.raises(InputError, match="empty file"):
        run_bytes(tmp_path, b"\n\n", "empty.eml")


def test_deep_nesting_and_huge_content_type_do_not_hang(tmp_path: Path) -> None:
    head = b"From: a@example.org\r\nDate: Sat, 14 Mar 2026 21:33:44 +0000\r\n"
    nested = head + b"".join(
        b"Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n" % (i, i) for i in range(3000)
    )
    parsed = run_bytes(tmp_path, nested, "nested.eml")
    assert len(parsed.records) <= 1 and parsed.warnings
    huge = head + b"Content-Type: multipart/mixed; " + b"a=b; " * 20_000 + b"boundary=x\r\n\r\n--x--\r\n"
    parsed = run_bytes(tmp_path, huge, "huge.eml")
    assert parsed.records == []
    assert parsed.messages() == [
        "a Content-Type field longer than 65536 bytes: message not parsed, skipped (the original is kept)"
    ]
    many = (
        head
        + b"Content-Type: multipart/mixed; boundary=b\r\n\r\n"
        + b"--b\r\nContent-Type: image/png\r\n\r\nx\r\n" * 6000
    )
    parsed = run_bytes(tmp_path, many, "many.eml")
    assert "more than 5000 MIME parts" in " ".join(parsed.messages())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    body=st.binary(max_size=600), header=st.sampled_from([b"From: a@b\r\n", b"Received: x; y\n", b"From x\n"])
)
def test_random_input_never_crashes(tmp_path: Path, body: bytes, header: bytes) -> None:
    path = tmp_path / "fuzz.eml"
    path.write_bytes(header + b"Date: Sat, 14 Mar 2026 21:33:44 +0000\r\n" + body)
    try:
        items = list(EmailImporter().parse(source_for(path, "message/rfc822"), LONDON))
    except InputError:
        return
    for item in items:
        if isinstance(item, Record):
            canonical_bytes(item.to_json())


# -- end to end ------------------------------------------------------------------------------------------------


def test_import_mbox_into_a_case(case: Case) -> None:
    result = case.import_files([DATA / "takeout.mbox"])
    (item,) = result.items
    assert item.importer == "email" and item.records == 3 and item.warnings == ()
    records = case.records()
    assert [r.subject for r in records] == ["first", "Ärger ohne Ende", "stop"]
    png = base64.b64decode("iVBORw0KGgo=")
    assert case.store.read_bytes(hashlib.sha256(png).hexdigest()) == png
    assert records[1].occurred_at.utcoffset() == timedelta(hours=1)  # the original offset is kept
    assert verify_case(case.root).ok


def test_import_of_eml_with_attachments_into_a_case(case: Case) -> None:
    result = case.import_files([DATA / "attachments_rfc2231_rfc2047.eml"])
    (record,) = case.records()
    for sha in record.attachments:
        assert hashlib.sha256(case.store.read_bytes(sha)).hexdigest() == sha
    assert result.items[0].records == 1
    original = (DATA / "attachments_rfc2231_rfc2047.eml").read_bytes()
    assert case.store.read_bytes(result.items[0].sha256) == original
    assert verify_case(case.root).ok


# -- UTF-16 (issue 8) ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "codec"),
    [
        ("hunnysoft-m0004.eml", "utf-16"),
        ("cpython-mailbox_01.mbox", "utf-16-le"),
        ("hunnysoft-m0001.eml", "utf-16-be"),
    ],
)
def test_utf16_message_is_read_as_text_with_a_warning(
    tmp_path: Path, corpus: Path, name: str, codec: str
) -> None:
    """A message re-saved as UTF-16 by an editor (BOM first) is not a message as mail programs write one; its
    text is read (the same records as the original's text) with a warning that its bytes are not the original's."""
    original = corpus / "email" / name
    text = original.read_bytes().decode("latin-1")
    path = tmp_path / name
    path.write_bytes(("\ufeff" if codec != "utf-16" else "").encode(codec) + text.encode(codec))
    head = path.read_bytes()[:SNIFF_BYTES]
    assert isinstance(find_importer(head, source_for(path)), EmailImporter)
    got = run(path)
    expected = run(original)
    assert [(r.locator, r.subject, r.sender, r.occurred_at) for r in got.records] == [
        (r.locator, r.subject, r.sender, r.occurred_at) for r in expected.records
    ]
    assert got.records
    assert got.messages()[0].startswith("the file is UTF-16 text"), got.messages()
    # Everything after the UTF-16 warning is what the original gives, except that 8-bit header bytes the original
    # held (here decoded by the "editor" as latin-1) are now valid UTF-8.
    assert len(got.messages()) <= len(expected.messages()) + 1
