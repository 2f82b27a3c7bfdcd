"""WhatsApp "Export chat" importer: every corpus file, each prefix family field by field, the date-order
decision, DST, encodings, and an import into a real case (zips: test_whatsapp_zip.py)."""

from __future__ import annotations

import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evidence.api import Case
from evidence.errors import InputError
from evidence.importers.base import Skip
from evidence.importers.whatsapp import WhatsAppImporter
from evidence.models import Channel, Direction, ImportOptions, TimeSource
from evidence.verify.case import verify_case
from tests.importers.helpers import Parsed, source_for, tally_of

DATA = Path(__file__).resolve().parent.parent / "data" / "whatsapp"
LONDON = ZoneInfo("Europe/London")


def parse(path: Path, *, tz: str = "Europe/London", date_order: str | None = None) -> Parsed:
    options = ImportOptions(tz=tz, date_order=date_order)
    return Parsed(list(WhatsAppImporter().parse(source_for(path, "text/plain"), options)))


def sniff(path: Path) -> bool:
    return WhatsAppImporter().sniff(path.read_bytes()[: 64 * 1024], source_for(path, "text/plain"))


def messages(parsed: Parsed) -> list[str]:
    return [w.message for w in parsed.warnings]


# -- every corpus file ---------------------------------------------------------------------------------

AMBIGUOUS = "could be day-first or month-first"

# file -> (date order the file needs, or None; records; warnings). Counted by hand from the files: one
# record per line that starts with a date and time (continuation lines join the message above).
CORPUS_TABLE: dict[str, tuple[str | None, int, int]] = {
    # 5 lines; 1/1/21 reads the same either way; warnings: order, line 5 earlier than line 4, media omitted
    "chatanalytics-2A_5M.txt": (None, 5, 3),
    # 14 lines, every date 12/9/20; warnings: order, line 2 (23:16) earlier than line 1 (23:55)
    "chatanalytics-4A_11M.txt": ("MDY", 14, 2),
    "chatanalytics-4A_11M.zip": ("MDY", 14, 2),
    # 11 lines, 2 of them continuation lines: 9 messages; warning: order (01/20 settles MDY / 20/01 DMY)
    "chatminer-test_[mmddyy]_24hrs.txt": (None, 9, 1),
    "chatminer-test_ddmmyy_24hrs.txt": (None, 9, 1),
    "chatminer-test_mmddyy_24hrs.txt": (None, 9, 1),
    "chatminer-test_mmddyyyy_12hrs.txt": (None, 9, 1),
    "chatminer-test_yyyymmdd_24hrs.txt": (None, 9, 0),  # year-first: nothing to decide
    # 45 lines 01/12/24..04/12/24; warnings: order, 4 attached files not in a .txt
    "whatsreader-android-WhatsApp Chat with Alice.txt": ("DMY", 45, 2),
    "whatsreader-asian-ampm-format-test.txt": (None, 5, 1),  # media omitted
    "whatsreader-asian-format-test.txt": (None, 5, 2),  # media omitted, .jpg attached
    "whatsreader-bracketed-year-first-test.txt": (None, 3, 2),  # lines 2 and 3 go back in time
    "whatsreader-dash-format-test.txt": ("DMY", 5, 3),  # order, omitted, .png attached
    "whatsreader-dot-time-klo-format-test.txt": (None, 3, 2),  # order, line 3 (no seconds) earlier
    "whatsreader-european-ampm-format-test.txt": (None, 4, 2),  # order, line 4 (1:58 am) earlier
    "whatsreader-french-format-test.txt": ("DMY", 6, 3),  # order, omitted, attached
    "whatsreader-german-format-test.txt": (None, 6, 3),  # order (dots), omitted, attached
    "whatsreader-ios-attached-media-test.txt": (None, 4, 2),  # order, 2 attached
    # 20 lines, 15 of them continuations of 3 Arabic messages; warnings: order, line 3 (9:09 AM) earlier
    "whatsreader-ios-format-test.txt": (None, 5, 2),
    "whatsreader-ios-group-_chat.txt": ("DMY", 39, 2),  # order, 2 attached
    "whatsreader-ios-private-_chat.txt": ("DMY", 45, 2),  # order, 4 attached
    "whatsreader-spanish-format-test.txt": ("DMY", 6, 3),  # order, omitted, attached
    "whatstk-pokemon.txt": (None, 20, 1),  # 20 messages and a trailing empty line; order
}


def test_the_table_covers_every_corpus_file(corpus: Path) -> None:
    assert {p.name for p in (corpus / "whatsapp").iterdir()} == set(CORPUS_TABLE)


@pytest.mark.parametrize("name", sorted(CORPUS_TABLE))
def test_corpus_file(corpus: Path, name: str) -> None:
    path = corpus / "whatsapp" / name
    needs, count, warning_count = CORPUS_TABLE[name]
    assert sniff(path)
    if needs is not None:
        with pytest.raises(InputError, match=AMBIGUOUS) as info:
            parse(path)
        assert info.value.hint is not None and "--date-order" in info.value.hint
        assert info.value.path == name
    parsed = parse(path, date_order=needs)
    assert len(parsed.records) == count
    assert len(parsed.warnings) == warning_count, messages(parsed)
    assert not parsed.blobs
    for record in parsed.records:
        assert record.occurred_at.tzinfo is LONDON
        assert record.tz_assumed and record.tz_name == "Europe/London"
        assert record.time_source is TimeSource.EXPORT
        assert record.channel is Channel.CHAT and record.direction is Direction.UNKNOWN
        assert record.app == "whatsapp" and record.importer == "whatsapp"
        assert record.item_sha256 == source_for(path, "text/plain").sha256


def test_signal_export_text_is_not_taken_for_whatsapp(corpus: Path) -> None:
    # SOURCES.md: signal-export's "[YYYY-MM-DD, HH:MM] Name:" form; WhatsApp's bracketed form has seconds.
    assert not sniff(corpus / "signal" / "chatminer-test_export.txt")


def test_sniff_rejects_other_text_and_zips(tmp_path: Path, corpus: Path) -> None:
    email = sorted((corpus / "email").iterdir())[0]
    assert not sniff(email)
    notes = tmp_path / "notes.txt"
    notes.write_text("Shopping list\n12 eggs\n", encoding="utf-8")
    assert not sniff(notes)
    other_zip = tmp_path / "photos.zip"
    with zipfile.ZipFile(other_zip, "w") as zf:
        zf.writestr("IMG-1.jpg", b"\xff\xd8\xff")
    assert not sniff(other_zip)
    assert not sniff(DATA / "invalid_dates.txt")  # its first line is no message: sniff reads content only


# -- prefix families, field by field --------------------------------------------------------------------


def test_android_12h_month_first_spanish_markers(corpus: Path) -> None:
    parsed = parse(corpus / "whatsapp" / "chatminer-test_mmddyyyy_12hrs.txt")
    assert messages(parsed) == [
        "dates read month-first (MDY), decided from the file: line 2 has 01/20/2019, and 20 is no month"
    ]
    first = parsed.at("line 1")
    assert first.occurred_at == datetime(2019, 1, 1, 11, 25, tzinfo=LONDON)
    assert first.sender == "John Doe" and first.text == "Lorem ipsum dolor sit amet."
    assert first.raw == {
        "prefix": "01/01/2019, 11:25 a. m. - ",
        "date": "01/01/2019",
        "time": "11:25 a. m.",
        "date_order": "MDY",
        "date_order_from": "file",
        "sender": "John Doe",
        "kind": "message",
    }
    multi = parsed.at("line 3")
    assert multi.occurred_at == datetime(2019, 1, 30, 20, 49, tzinfo=LONDON)
    assert multi.sender == "Jahn Doe"
    assert multi.text == "Lorem ipsum dolor sit amet,\nconsectetur adipiscing elit. Duis libero."
    created = parsed.at("line 6")  # "00:08 a. m." is just after midnight
    assert created.occurred_at == datetime(2020, 6, 20, 0, 8, tzinfo=LONDON)
    assert created.occurred_at.utcoffset() == timedelta(hours=1)
    assert created.sender is None and created.raw["kind"] == "system"
    assert created.text == '+12 345 578 created group "Groupname"'
    noon = parsed.at("line 9")
    assert noon.occurred_at == datetime(2021, 12, 20, 12, 10, tzinfo=LONDON)
    assert noon.sender == "🤓" and noon.text == "Lorem ipsum 🤓"
    colon = parsed.at("line 5")
    assert colon.sender == "John-John Doe" and colon.text == "Lorem ipsum : dolor sit amet."
    assert parsed.at("line 2").sender is None  # "John Doe:." has no ": " after the name
    assert parsed.at("line 2").text == "John Doe:."
    last = parsed.at("line 10")  # no trailing newline in the file
    assert last.text == "Lorem ipsum dolor sit amet,\nconsectetur adipiscing elit. Duis libero."


def test_android_12h_with_bom_and_crlf() -> None:
    parsed = parse(DATA / "utf8_bom_crlf.txt", tz="America/New_York")
    assert [r.locator for r in parsed.records] == ["line 1", "line 3"]
    first, second = parsed.records
    assert first.occurred_at == datetime(2021, 12, 31, 21, 41, tzinfo=ZoneInfo("America/New_York"))
    assert first.text == "first line\nsecond line"
    assert first.raw["prefix"] == "12/31/21, 9:41 PM - "
    assert first.tz_name == "America/New_York"
    assert second.occurred_at.astimezone(UTC) == datetime(2022, 1, 1, 4, 59, tzinfo=UTC)
    assert messages(parsed) == [
        "dates read month-first (MDY), decided from the file: line 1 has 12/31/21, and 31 is no month"
    ]


def test_ios_bracketed_day_first_with_seconds_and_invisible_marks(corpus: Path) -> None:
    path = corpus / "whatsapp" / "whatsreader-ios-format-test.txt"
    parsed = parse(path)
    notice = parsed.at("line 1")
    assert notice.occurred_at == datetime(2025, 11, 13, 12, 25, 55, tzinfo=LONDON)
    assert notice.sender is None and notice.raw["kind"] == "system"
    assert notice.raw["sender"] == "Amazon EG"  # the chat's name, written where a sender goes
    assert (
        notice.text == "This business uses a secure service from Meta to manage this chat. Tap to learn more."
    )
    assert notice.raw["prefix"] == "[13/11/2025, 12:25:55\u202fPM] "
    empty = parsed.at("line 2")
    assert empty.sender == "Amazon EG" and empty.text == "" and empty.raw["kind"] == "message"
    arabic = parsed.at("line 3")
    assert arabic.occurred_at == datetime(2025, 11, 13, 9, 9, 43, tzinfo=LONDON)
    assert arabic.raw["time"] == "9:09:43 AM"
    assert arabic.text is not None and arabic.text.count("\n") == 5
    assert arabic.text.startswith("الشوبينج مستنيك\n")
    assert arabic.text.endswith("اكتب STOP علشان توقف الرسايل")
    assert parsed.at("line 15").occurred_at == datetime(2025, 12, 19, 8, 50, 53, tzinfo=LONDON)
    assert messages(parsed)[1] == (
        "time 13/11/2025 9:09:43 AM is earlier than the message before it (line 2); kept in file order"
    )


def test_ios_marks_nbsp_in_sender_media_placeholders_and_blank_lines() -> None:
    parsed = parse(DATA / "ios_marks_and_nbsp.txt", tz="Europe/Berlin")
    berlin = ZoneInfo("Europe/Berlin")
    image = parsed.at("line 1")
    assert image.occurred_at == datetime(2021, 12, 31, 21, 41, 5, tzinfo=berlin)
    assert image.sender == "Anna" and image.raw["sender"] == "\u200eAnna"
    assert image.text == "image omitted" and image.raw["media"] == "omitted"
    number = parsed.at("line 2")
    assert number.sender == "+49 151 2345678"
    assert number.raw["sender"] == "\u200e+49\u00a0151\u00a02345678"
    attached = parsed.at("line 3")
    assert attached.raw["media"] == "attached"
    assert attached.raw["media_file"] == "00000012-PHOTO-2021-12-31-21-43-00.jpg"
    assert attached.attachments == ()
    lines = parsed.at("line 4")
    assert lines.text == "erste Zeile\nzweite Zeile\n\nvierte Zeile\u202f!"  # text is kept as written
    new_year = parsed.at("line 8")
    assert new_year.occurred_at == datetime(2022, 1, 1, 0, 0, 1, tzinfo=berlin)
    assert new_year.text == "Frohes neues Jahr\u200e"  # only the marks WhatsApp puts in front are dropped
    assert len(parsed.records) == 5
    assert messages(parsed) == [
        "dates read day-first (DMY), decided from the file: line 1 has 31.12.21, and 31 is no month",
        "1 message(s) say their media was left out of the export; "
        "the pictures, recordings or files themselves are not in it",
        "1 attached file(s) are named but a .txt export does not hold them "
        "(00000012-PHOTO-2021-12-31-21-43-00.jpg); the zip exported 'with media' does",
    ]


def test_german_dots_and_placeholders(corpus: Path) -> None:
    parsed = parse(corpus / "whatsapp" / "whatsreader-german-format-test.txt")
    assert messages(parsed)[0] == (
        "dates read day-first (DMY), decided from the file: "
        "dates written with dots are day-first in every locale that writes them"
    )
    first = parsed.at("line 1")
    assert first.occurred_at == datetime(2024, 12, 10, 14, 30, tzinfo=LONDON)
    assert first.sender == "John Doe" and first.text == "Hallo, wie geht es dir?"
    omitted = parsed.at("line 3")
    assert omitted.text == "<Medien ausgelassen>" and omitted.raw["media"] == "omitted"
    system_named = parsed.at("line 5")  # a sender literally called "System" is a sender as written
    assert system_named.sender == "System" and system_named.raw["kind"] == "message"
    attached = parsed.at("line 6")
    assert attached.text == ".jpg (Datei angehängt)" and attached.raw["media_file"] == ".jpg"


def test_german_old_android_vorm_nachm() -> None:
    parsed = parse(DATA / "german_vorm_nachm.txt", tz="Europe/Berlin")
    morning, evening = parsed.records
    assert morning.occurred_at == datetime(2021, 12, 31, 9, 41, tzinfo=ZoneInfo("Europe/Berlin"))
    assert evening.occurred_at == datetime(2021, 12, 31, 21, 41, tzinfo=ZoneInfo("Europe/Berlin"))
    assert evening.raw["time"] == "9:41 nachm."


def test_pokemon_notice_with_chat_name_and_trailing_empty_line(corpus: Path) -> None:
    parsed = parse(corpus / "whatsapp" / "whatstk-pokemon.txt")
    notice = parsed.at("line 1")
    assert notice.sender is None and notice.raw["sender"] == "Pokemon Chat"
    assert notice.occurred_at == datetime(2016, 4, 15, 15, 4, tzinfo=LONDON)
    group_notice = parsed.at("line 2")
    assert group_notice.sender is None and "sender" not in group_notice.raw
    last = parsed.records[-1]
    assert last.locator == "line 20" and last.sender == "Wobbuffet" and last.text == "Wo-bbu-ffet"
    assert parsed.at("line 13").sender == "Jessie & James"


def test_french_and_spanish_with_the_order_given(corpus: Path) -> None:
    french = parse(corpus / "whatsapp" / "whatsreader-french-format-test.txt", date_order="DMY")
    assert messages(french)[0] == "dates read day-first (DMY), as given by --date-order DMY"
    assert french.at("line 3").text == "<Médias omis>" and french.at("line 3").raw["media"] == "omitted"
    assert french.at("line 5").sender == "Système"
    assert french.at("line 6").raw["media_file"] == ".jpg"
    assert french.at("line 1").raw["date_order_from"] == "user"
    spanish = parse(corpus / "whatsapp" / "whatsreader-spanish-format-test.txt", date_order="DMY")
    greeting = spanish.at("line 2")
    assert greeting.sender == "María García" and greeting.text == "¡Bien, gracias!"
    assert greeting.occurred_at == datetime(2024, 12, 10, 14, 31, tzinfo=LONDON)
    assert spanish.at("line 3").raw["media"] == "omitted"
    assert spanish.at("line 6").text == ".jpg (archivo adjunto)"
    as_mdy = parse(corpus / "whatsapp" / "whatsreader-spanish-format-test.txt", date_order="MDY")
    assert as_mdy.at("line 2").occurred_at == datetime(2024, 10, 12, 14, 31, tzinfo=LONDON)


def test_asian_lowercase_pm(corpus: Path) -> None:
    parsed = parse(corpus / "whatsapp" / "whatsreader-asian-ampm-format-test.txt", tz="Asia/Tokyo")
    tokyo = ZoneInfo("Asia/Tokyo")
    notice = parsed.at("line 1")
    assert notice.occurred_at == datetime(2024, 12, 1, 22, 4, tzinfo=tokyo)
    assert notice.sender is None and notice.raw["sender"] == "Alice"
    assert parsed.at("line 3").sender == "Bob" and parsed.at("line 3").text == "Hi!"
    assert parsed.at("line 4").raw["media"] == "omitted"
    japanese = parse(corpus / "whatsapp" / "whatsreader-asian-format-test.txt", tz="Asia/Tokyo")
    assert japanese.at("line 2").sender == "佐藤花子" and japanese.at("line 2").text == "元気ですか？"
    assert japanese.at("line 3").raw["media"] == "omitted"  # <メディアなし>
    assert japanese.at("line 5").raw["media_file"] == ".jpg"  # ".jpg (ファイル添付)"


def test_chinese_japanese_korean_markers_before_the_time() -> None:
    parsed = parse(DATA / "asian_ampm_markers.txt", tz="Asia/Shanghai")
    shanghai = ZoneInfo("Asia/Shanghai")
    assert [(r.sender, r.occurred_at) for r in parsed.records] == [
        ("小明", datetime(2024, 12, 1, 9, 5, 10, tzinfo=shanghai)),
        ("小明", datetime(2024, 12, 1, 22, 4, tzinfo=shanghai)),
        ("花子", datetime(2024, 12, 2, 13, 30, tzinfo=shanghai)),
        ("민수", datetime(2024, 12, 3, 0, 15, tzinfo=shanghai)),  # 오전 12:15 is a quarter past midnight
        ("민수", datetime(2024, 12, 3, 14, 30, tzinfo=shanghai)),
    ]
    assert parsed.records[0].raw["prefix"] == "[2024/12/1 上午9:05:10] "
    assert parsed.records[4].raw["date"] == "2024. 12. 3."
    assert not parsed.warnings  # year-first throughout: nothing to decide


def test_year_first(corpus: Path) -> None:
    parsed = parse(corpus / "whatsapp" / "chatminer-test_yyyymmdd_24hrs.txt")
    first = parsed.at("line 1")
    assert first.occurred_at == datetime(2019, 1, 1, 11, 25, tzinfo=LONDON)
    assert first.raw["date_order"] == "YMD" and first.raw["date_order_from"] == "year-first"
    assert parsed.at("line 7").text == "You were added" and parsed.at("line 7").sender is None
    bracketed = parse(corpus / "whatsapp" / "whatsreader-bracketed-year-first-test.txt")
    assert [r.occurred_at for r in bracketed.records] == [
        datetime(2018, 6, 13, 21, 25, 15, tzinfo=LONDON),
        datetime(2018, 6, 13, 13, 55, tzinfo=LONDON),  # "1:55:00 p. m."
        datetime(2018, 6, 13, 1, 56, tzinfo=LONDON),
    ]
    assert bracketed.at("line 2").sender == "Bruno" and bracketed.at("line 2").text == "ampm com espaços"


def test_finnish_klo_and_dotted_times(corpus: Path) -> None:
    parsed = parse(corpus / "whatsapp" / "whatsreader-dot-time-klo-format-test.txt", tz="Europe/Helsinki")
    helsinki = ZoneInfo("Europe/Helsinki")
    klo, colon, no_seconds = parsed.records
    assert klo.occurred_at == datetime(2018, 6, 13, 21, 25, 15, tzinfo=helsinki)
    assert klo.sender == "Mika" and klo.text == "tämä on testi"
    assert klo.raw["prefix"] == "13.6.2018 klo 21.25.15 - "
    assert colon.occurred_at == datetime(2018, 6, 13, 21, 25, 15, tzinfo=helsinki)
    assert colon.sender == "Laura" and colon.text == "tämä on toinen testi"
    assert colon.raw["prefix"] == "13.06.18 21.25.15: "
    assert no_seconds.occurred_at == datetime(2018, 6, 13, 21, 25, tzinfo=helsinki)


def test_european_am_pm_spellings(corpus: Path) -> None:
    parsed = parse(corpus / "whatsapp" / "whatsreader-european-ampm-format-test.txt")
    assert [r.occurred_at.hour for r in parsed.records] == [13, 13, 13, 1]
    assert [r.raw["time"] for r in parsed.records] == ["1:55 p.m.", "1:56 p. m.", "1:57 PM", "1:58 am"]


# -- the date-order decision ----------------------------------------------------------------------------


def test_ambiguous_file_stops_and_the_given_order_imports(corpus: Path) -> None:
    path = corpus / "whatsapp" / "whatsreader-android-WhatsApp Chat with Alice.txt"
    with pytest.raises(InputError) as info:
        parse(path)
    assert info.value.message == (
        "dates like 01/12/24 could be day-first or month-first and nothing in the file settles it"
    )
    assert info.value.hint is not None and "--date-order DMY" in info.value.hint
    assert "--date-order MDY" in info.value.hint
    as_dmy = parse(path, date_order="DMY")
    assert as_dmy.records[0].occurred_at == datetime(2024, 12, 1, 10, 0, tzinfo=LONDON)
    assert as_dmy.records[-1].occurred_at == datetime(2024, 12, 4, 16, 45, tzinfo=LONDON)
    assert all(r.raw["date_order"] == "DMY" and r.raw["date_order_from"] == "user" for r in as_dmy.records)
    as_mdy = parse(path, date_order="MDY")
    assert as_mdy.records[-1].occurred_at == datetime(2024, 4, 12, 16, 45, tzinfo=LONDON)


def test_android_and_ios_forms_of_one_chat_agree(corpus: Path) -> None:
    android = parse(
        corpus / "whatsapp" / "whatsreader-android-WhatsApp Chat with Alice.txt", date_order="DMY"
    )
    ios = parse(corpus / "whatsapp" / "whatsreader-ios-private-_chat.txt", date_order="DMY")
    assert [(r.sender, r.text) for r in android.records] == [(r.sender, r.text) for r in ios.records]


def test_order_decided_from_chronology() -> None:
    parsed = parse(DATA / "order_from_chronology.txt")
    assert [r.occurred_at.date().isoformat() for r in parsed.records] == ["2024-11-12", "2024-12-01"]
    assert messages(parsed) == [
        "dates read day-first (DMY), decided from the file: read month-first (MDY), "
        "line 2 would jump back in time from 2024-12-11 to 2024-01-12"
    ]


def test_contradicting_dates_stop_unless_an_order_is_given() -> None:
    path = DATA / "contradicting_orders.txt"
    with pytest.raises(InputError, match="dates contradict each other: line 1 has 13/01/24"):
        parse(path)
    parsed = parse(path, date_order="DMY")
    assert [r.text for r in parsed.records] == ["day first"]
    skipped = ("line 2", "date 01/13/24 does not exist: '01/13/24, 10:00 - Anna: month first'")
    assert (parsed.warnings[1].locator, messages(parsed)[1]) == skipped
    assert parsed.tally.skipped == (Skip(*skipped),) and (parsed.tally.seen, parsed.tally.made) == (2, 1)


def test_a_given_order_the_file_plainly_contradicts_is_not_used_for_it(corpus: Path) -> None:
    # Issue 16: one --date-order for a folder settles its ambiguous exports; a file whose dates prove the other
    # order is read as they show, with a warning, instead of stopping the whole import (it used to stop).
    parsed = parse(corpus / "whatsapp" / "chatminer-test_ddmmyy_24hrs.txt", date_order="MDY")
    assert len(parsed.records) == 9
    assert all(r.raw["date_order"] == "DMY" and r.raw["date_order_from"] == "file" for r in parsed.records)
    assert messages(parsed)[0] == (
        "--date-order MDY does not fit this file (line 2 has 20/01/19, and 20 is no month); "
        "read day-first (DMY) as the file shows"
    )
    german = parse(corpus / "whatsapp" / "whatsreader-german-format-test.txt", date_order="YMD")
    assert messages(german)[0] == "--date-order YMD does not fit dates written year-last"
    assert german.records[0].occurred_at == datetime(2024, 12, 10, 14, 30, tzinfo=LONDON)


def test_impossible_dates_and_text_before_the_first_message_are_warnings() -> None:
    parsed = parse(DATA / "invalid_dates.txt")
    assert [(r.locator, r.text) for r in parsed.records] == [("line 2", "fine"), ("line 6", "fine again")]
    # Issue 16: each line skipped is a warning with its text, and the tally counts them all (a skipped
    # message's further lines too); the import sums them up in one warning (tests/importers/test_base.py).
    assert [(w.locator, w.message) for w in parsed.warnings] == [
        (
            "file",
            "dates read day-first (DMY), decided from the file: line 2 has 30/01/2024, and 30 is no month",
        ),
        ("line 1", "text before the first message: 'text before anything'"),
        (
            "line 3",
            "date 31/02/2024 does not exist, and the 1 line(s) after it: '31/02/2024, 10:00 - Anna: no such day'",
        ),
        ("line 5", "time 25:61 does not exist: '30/01/2024, 25:61 - Anna: no such time'"),
    ]
    tally = tally_of(parsed.items, every_skip_warned=False)
    assert [s.where for s in tally.skipped] == ["line 1", "line 3", "line 4", "line 5"]
    assert tally.skipped[2].why == "continues line 3, not imported" and tally.made == 2


# -- DST, encodings ---------------------------------------------------------------------------------------


def test_dst_gap_and_overlap_are_warned() -> None:
    parsed = parse(DATA / "dst_gap_and_overlap.txt")
    gap, overlap = parsed.at("line 2"), parsed.at("line 4")
    assert gap.raw["dst"] == "nonexistent" and overlap.raw["dst"] == "ambiguous"
    assert gap.occurred_at.astimezone(UTC) == datetime(2024, 3, 31, 1, 30, tzinfo=UTC)  # offset before: GMT
    assert overlap.occurred_at.astimezone(UTC) == datetime(2024, 10, 27, 0, 30, tzinfo=UTC)  # fold=0: BST
    assert overlap.occurred_at.fold == 0
    assert "dst" not in parsed.at("line 3").raw
    assert [(w.locator, w.message) for w in parsed.warnings[1:]] == [
        (
            "line 2",
            "2024-03-31 01:30:00 does not exist in Europe/London (clocks went forward); "
            "read with the offset before the change (2024-03-31T01:30:00+00:00)",
        ),
        (
            "line 4",
            "2024-10-27 01:30:00 happened twice in Europe/London (clocks went back); "
            "read as the first one (2024-10-27T01:30:00+01:00), the export does not say which",
        ),
    ]
    assert len(parsed.warnings) == 3


def test_cp1252_falls_back_with_a_warning() -> None:
    parsed = parse(DATA / "cp1252_encoded.txt")
    (record,) = parsed.records
    assert record.sender == "Jürgen" and record.text == "Schön, dass es klappt – bis später"
    assert messages(parsed)[0].startswith("the chat text is not valid UTF-8 (byte 21); read as cp1252")


def test_utf16_with_bom_is_read_with_a_warning() -> None:
    assert sniff(DATA / "utf16_bom.txt")
    parsed = parse(DATA / "utf16_bom.txt")
    assert [r.text for r in parsed.records] == ["happy new year"]
    assert messages(parsed)[0] == "the chat text is UTF-16, not UTF-8 as WhatsApp writes it"


# -- end to end -------------------------------------------------------------------------------------------


def test_ambiguous_import_into_a_case_stores_nothing(case: Case, corpus: Path) -> None:
    path = corpus / "whatsapp" / "whatsreader-ios-group-_chat.txt"
    with pytest.raises(InputError, match=AMBIGUOUS):
        case.import_files([path])
    assert case.exhibits() == []
    result = case.import_files([path], options=ImportOptions(tz="Europe/London", date_order="DMY"))
    assert result.items[0].records == 39
    assert verify_case(case.root).ok


# -- property: what WhatsApp writes, this reads back -----------------------------------------------------

NAME = st.from_regex(r"[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ ]{0,20}[A-Za-zÀ-ÿ]", fullmatch=True)
LINE = st.from_regex(r"[A-Za-zÀ-ÿ一-龥][A-Za-zÀ-ÿ一-龥 .,!?:]{0,30}", fullmatch=True)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    sender=NAME,
    lines=st.lists(LINE, min_size=1, max_size=4),
    moment=st.datetimes(min_value=datetime(2010, 1, 1), max_value=datetime(2030, 12, 31)),
    ios=st.booleans(),
)
def test_round_trip(tmp_path: Path, sender: str, lines: list[str], moment: datetime, ios: bool) -> None:
    if ios:
        prefix = f"[{moment:%d.%m.%y}, {moment:%H:%M:%S}] "
        expected = moment.replace(microsecond=0)
    else:
        prefix = f"{moment.day}/{moment.month}/{moment:%y}, {moment:%H:%M} - "
        expected = moment.replace(second=0, microsecond=0)
    path = tmp_path / "round_trip.txt"
    path.write_text(prefix + sender + ": " + "\n".join(lines) + "\n", encoding="utf-8")
    assert sniff(path)
    (record,) = parse(path, tz="UTC", date_order="DMY").records
    assert record.sender == sender
    assert record.text == "\n".join(lines)
    assert record.occurred_at == expected.replace(tzinfo=ZoneInfo("UTC"))
