"""WhatsApp exports written by others (issue 16): every file of ``corpus/whatsapp-real`` with its messages, system
lines, calls, deleted and omitted-media lines and its first and last times, counted by reading the files; the
date and time forms the corpus lacks (Japanese era, time-first, Arabic-Indic digits, midnight crossings); the
call forms; no silent loss; and the held-out exports of ``tests/data/whatsapp-heldout`` (not tuned on)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from evidence.api import Case
from evidence.errors import InputError
from evidence.importers.whatsapp import WhatsAppImporter
from evidence.models import Channel, Direction, ImportOptions
from tests.importers.helpers import Parsed, source_for, tally_of

DATA = Path(__file__).resolve().parent.parent / "data"
ENC = "Messages and calls are end-to-end encrypted"


def parse(path: Path, date_order: str | None = None) -> Parsed:
    options = ImportOptions(tz="Europe/London", date_order=date_order)
    return Parsed(list(WhatsAppImporter().parse(source_for(path, "text/plain"), options)))


def sniff(path: Path) -> bool:
    return WhatsAppImporter().sniff(path.read_bytes()[: 64 * 1024], source_for(path, "text/plain"))


# file -> (--date-order needed, messages, system lines, calls, deleted, media omitted, media attached,
#          earliest, latest). Counted by reading each file: a line that starts with a date is a record; the
#          encryption notice and security-code changes (iOS writes them under the contact's name) are system
#          lines; "Missed voice call" / "Zmeškaný hovor" are calls; deleted and media lines are messages.
ANDROID_TIMES = ("2022-03-18T14:56:00+00:00", "2023-01-07T23:32:00+00:00")
IOS_TIMES = ("2022-03-18T14:56:01+00:00", "2023-01-07T23:32:30+00:00")
IOS_TIMES_00 = ("2022-03-18T14:56:00+00:00", "2023-01-07T23:32:30+00:00")
REAL: dict[str, tuple[str | None, int, int, int, int, int, int, tuple[str, str]]] = {
    "whatsjson-android-Chat WhatsApp s\xa0uživatelem Dmitry S CZ Android.txt": (
        None, 57, 1, 2, 8, 27, 2, ANDROID_TIMES,
    ),
    "whatsjson-android-WhatsApp Chat with Dmitry S EN Android.txt": (None, 57, 1, 2, 8, 27, 2, ANDROID_TIMES),
    "whatsjson-android-WhatsApp Chat with Dmitry S EN+Media Android.txt": (
        None, 57, 1, 2, 8, 18, 11, ANDROID_TIMES,
    ),
    # Every line is dated 11/01/2023: nothing in the file says day or month (needs --date-order).
    "whatsjson-android-WhatsApp Chat with Group Chat XXX Android.txt": (
        "DMY", 4, 16, 0, 1, 0, 0, ("2023-01-11T16:11:00+00:00", "2023-01-11T16:57:00+00:00"),
    ),
    "whatsjson-calendars-Buddhist iOS.txt": (
        None, 25, 3, 0, 3, 16, 0, ("2022-03-18T14:56:01+00:00", "2023-01-12T15:35:15+00:00"),
    ),
    "whatsjson-ios-WhatsApp Chat - Elon Musk (Arabic).txt": (None, 22, 3, 0, 2, 14, 0, IOS_TIMES),
    "whatsjson-ios-WhatsApp Chat - Elon Musk (EN).txt": (None, 22, 3, 0, 2, 14, 0, IOS_TIMES),
    "whatsjson-ios-WhatsApp Chat - Elon Musk (EN+Media).txt": (None, 22, 3, 0, 2, 1, 13, IOS_TIMES),
    "whatsjson-ios-WhatsApp Chat - Elon Musk (FR).txt": (None, 22, 3, 0, 2, 14, 0, IOS_TIMES_00),
    "whatsjson-ios-WhatsApp Chat - Elon Musk (German).txt": (None, 22, 3, 0, 2, 14, 0, IOS_TIMES_00),
    "whatsjson-ios-WhatsApp Chat - Elon Musk (RU).zip": (None, 22, 3, 0, 2, 14, 0, IOS_TIMES_00),
}  # fmt: skip


def test_the_table_covers_every_real_export(corpus: Path) -> None:
    assert {p.name for p in (corpus / "whatsapp-real").iterdir()} == set(REAL)


@pytest.mark.parametrize("name", sorted(REAL))
def test_real_export(corpus: Path, name: str) -> None:
    path = corpus / "whatsapp-real" / name
    needs, messages, system, calls, deleted, omitted, attached, (earliest, latest) = REAL[name]
    assert sniff(path)
    if needs is not None:
        with pytest.raises(InputError, match="could be day-first or month-first"):
            parse(path)
    parsed = parse(path, needs)
    kinds = Counter(r.raw["kind"] for r in parsed.records)
    assert kinds == Counter({"message": messages, "system": system, "call": calls}) - Counter()
    assert sum(1 for r in parsed.records if "deleted" in r.raw) == deleted
    assert sum(1 for r in parsed.records if r.raw.get("media") == "omitted") == omitted
    assert sum(1 for r in parsed.records if r.raw.get("media") == "attached") == attached
    times = sorted(r.occurred_at for r in parsed.records)
    assert (times[0].isoformat(), times[-1].isoformat()) == (earliest, latest)
    for record in parsed.records:
        if record.raw["kind"] == "system":
            assert record.sender is None and record.channel is Channel.CHAT
        elif record.raw["kind"] == "call":
            assert record.channel is Channel.CALL and record.status == "missed"
            assert record.direction is Direction.INCOMING and record.sender == "Dmitry S"
        else:
            assert record.sender is not None and record.channel is Channel.CHAT
    assert not [w for w in parsed.warnings if "not imported" in w.message]


def test_ios_notices_under_the_contacts_name_are_system_lines_in_every_language(corpus: Path) -> None:
    for name in REAL:
        if "ios" not in name.casefold():
            continue
        parsed = parse(corpus / "whatsapp-real" / name)
        notices = [r for r in parsed.records if r.raw["kind"] == "system"]
        assert [r.locator.rsplit(" ", 1)[-1] for r in notices] == ["1", "24", "25"], name
        assert all(r.raw["sender"] == "Elon Musk" and r.sender is None for r in notices)
    german = parse(corpus / "whatsapp-real" / "whatsjson-ios-WhatsApp Chat - Elon Musk (German).txt")
    assert german.at("line 24").text == (
        "Deine Sicherheitsnummer für Elon hat sich geändert. \u200eTippe, um mehr zu erfahren."
    )


def test_buddhist_and_arabic_dates(corpus: Path) -> None:
    thai = parse(corpus / "whatsapp-real" / "whatsjson-calendars-Buddhist iOS.txt")
    assert thai.at("line 2").occurred_at.isoformat() == "2022-03-27T21:41:35+01:00"
    assert thai.at("line 2").raw["calendar"] == "buddhist" and thai.at("line 2").raw["date"] == "3/27/2565 BE"
    arabic = parse(corpus / "whatsapp-real" / "whatsjson-ios-WhatsApp Chat - Elon Musk (Arabic).txt")
    assert arabic.at("line 25").occurred_at.isoformat() == "2023-01-07T23:32:30+00:00"
    assert arabic.messages()[0].startswith(
        "dates read day-first (DMY), decided from the file: line 1 has 18/3/2022"
    )


def test_japanese_era_and_time_first() -> None:
    parsed = parse(DATA / "whatsapp" / "japanese_era_time_first.txt")
    assert [r.occurred_at.isoformat() for r in parsed.records] == [
        "2022-03-18T14:56:01+00:00",
        "2022-03-27T21:41:35+01:00",
        "2022-03-27T21:41:55+01:00",
        "2019-04-30T23:58:10+01:00",  # Heisei 31, its last day
        "2022-03-18T14:56:01+00:00",  # "[14:56:01, 3/18/22]"
    ]
    assert parsed.records[0].raw["kind"] == "system" and parsed.records[0].text.startswith(ENC)
    assert parsed.records[2].raw["media"] == "omitted"
    assert parsed.records[1].raw["calendar"] == "japanese" and "calendar" not in parsed.records[4].raw


@pytest.mark.parametrize(
    ("line", "moment", "calendar"),
    [
        ("[R4/03/27 14:56:01] A: x", "2022-03-27T14:56:01+01:00", "japanese"),  # year first, Japanese locale
        ("[27/3/2565 14:56:01] A: x", "2022-03-27T14:56:01+01:00", "buddhist"),  # Thai locale, no "BE"
        ("[S64/01/07 10:00:00] A: x", "1989-01-07T10:00:00+00:00", "japanese"),  # the last day of Showa
        ("[๑๘/๓/๒๕๖๕ ๑๔:๕๖:๐๑] A: x", "2022-03-18T14:56:01+00:00", "buddhist"),  # Thai digits
        ("18/3/2565 14:56 น. - A: x", "2022-03-18T14:56:00+00:00", "buddhist"),  # Thai "o'clock" mark
        ("[१८/३/२२, २:५६:०१ अपराह्न] A: x", "2022-03-18T14:56:01+00:00", None),  # Devanagari digits, Hindi PM
    ],
)
def test_other_calendars_year_first_and_without_era_mark(
    tmp_path: Path, line: str, moment: str, calendar: str | None
) -> None:
    chat = tmp_path / "_chat.txt"
    chat.write_text(line + "\n", encoding="utf-8")
    (record,) = parse(chat, "DMY").records
    assert record.occurred_at.isoformat() == moment and record.raw.get("calendar") == calendar
    assert record.sender == "A" and record.text == "x"


def test_arabic_indic_digits_comma_and_two_marks() -> None:
    parsed = parse(DATA / "whatsapp" / "arabic_digits_and_comma.txt")
    assert [r.occurred_at.isoformat() for r in parsed.records] == [
        "2023-11-12T23:58:00+00:00",
        "2023-11-12T23:59:10+00:00",
        "2023-11-13T00:01:20+00:00",
    ]
    assert parsed.records[0].raw["kind"] == "system" and parsed.records[0].sender is None
    assert [r.sender for r in parsed.records[1:]] == ["Dmitry S", "Dmitry S"]


def test_midnight_crossing_settles_the_order() -> None:
    parsed = parse(DATA / "whatsapp" / "midnight_crossing.txt")
    assert [r.occurred_at.isoformat() for r in parsed.records] == [
        "2023-05-06T23:59:00+01:00",
        "2023-05-07T00:01:00+01:00",
    ]
    assert parsed.messages() == [
        "dates read month-first (MDY), decided from the file: the clock passes midnight between lines 1 and 2 "
        "(05/06/2023 23:59 to 05/07/2023 00:01) and the second field steps by one: it is the day"
    ]
    # The user's word still overrides what the file only suggests.
    assert parse(DATA / "whatsapp" / "midnight_crossing.txt", "DMY").records[1].occurred_at.month == 7


def test_a_midnight_crossing_that_time_runs_back_from_decides_nothing(tmp_path: Path) -> None:
    chat = tmp_path / "chat.txt"
    chat.write_text(
        "05/06/2023, 23:59 - Alex: still up?\n05/07/2023, 00:01 - Jordan: go to sleep\n04/07/2023, 10:00 - Alex: hm\n",
        encoding="utf-8",
    )
    assert parse(chat).messages()[0] == (
        "dates read day-first (DMY), decided from the file: read month-first (MDY), "
        "line 3 would jump back in time from 2023-05-07 to 2023-04-07"
    )


def test_ios_group_notices_under_the_group_name_in_a_language_without_phrases() -> None:
    # iOS writes a group's notices under the group's name, each starting with a mark: "Rodina" never writes
    # anything else, so its lines are system lines whatever the language; Máma's deleted and media lines are not.
    parsed = parse(DATA / "whatsapp" / "ios_group_notices_under_group_name.txt")
    assert [(r.raw["kind"], r.sender) for r in parsed.records] == [
        ("system", None),
        ("system", None),
        ("system", None),
        ("message", "Sarah"),
        ("system", None),
        ("message", "Máma"),
        ("message", "Máma"),
    ]
    assert parsed.records[5].raw["deleted"] == "sender" and parsed.records[6].raw["media"] == "omitted"


def test_a_person_whose_lines_all_start_with_a_mark_keeps_their_name(tmp_path: Path) -> None:
    # Two marked lines WhatsApp's table does not know, and no notice under that name: Bob sent them.
    chat = tmp_path / "_chat.txt"
    chat.write_text(
        "[13/02/2024, 10:00:00] Bob: \u200eujumbe wa kwanza\n"
        "[13/02/2024, 10:01:00] Bob: \u200eujumbe wa pili\n"
        "[13/02/2024, 10:02:00] Ann: ok\n",
        encoding="utf-8",
    )
    assert [(r.raw["kind"], r.sender) for r in parse(chat).records] == [
        ("message", "Bob"),
        ("message", "Bob"),
        ("message", "Ann"),
    ]


@pytest.mark.parametrize(
    ("line", "hour"),
    [
        ("12/03/24, 9:05 em - A: x", 21),  # Swedish
        ("[13/03/24, 9:05:01 CH] A: x", 21),  # Vietnamese
        ("13.03.24 9:05 ÖS - A: x", 21),  # Turkish
        ("13/03/24, 9:05 ب.ظ. - A: x", 21),  # Persian
        ("13/03/24, 9:05 अपराह्न - A: x", 21),  # Hindi
        ("13/03/24, 9:05 SA - A: x", 9),  # Vietnamese morning
    ],
)
def test_localised_am_pm_markers(tmp_path: Path, line: str, hour: int) -> None:
    chat = tmp_path / "chat.txt"
    chat.write_text(line + "\n", encoding="utf-8")
    (record,) = parse(chat, "DMY").records
    assert record.occurred_at.hour == hour and record.sender == "A" and record.text == "x"


def test_calls_and_deleted_messages() -> None:
    parsed = parse(DATA / "whatsapp" / "calls_and_deleted.txt")
    calls = [(r.raw.get("call"), r.status, r.direction, r.duration_s) for r in parsed.records]
    assert calls == [
        ("voice", "missed", Direction.INCOMING, None),
        ("video", "missed", Direction.INCOMING, None),
        ("voice", "no answer", Direction.OUTGOING, None),
        ("voice", "answered", Direction.UNKNOWN, 3720),
        ("video", "answered", Direction.UNKNOWN, 45),
        ("voice", "missed", Direction.INCOMING, None),  # Portuguese "Chamada de voz perdida"
        (None, None, Direction.UNKNOWN, None),
        (None, None, Direction.UNKNOWN, None),  # a text of two lines that starts with "Missed voice call"
    ]
    assert all(r.channel is Channel.CALL for r in parsed.records[:6])
    # Portuguese writes the same words for "deleted by the sender" and "by you" in different countries.
    assert parsed.records[6].raw["deleted"] == "unknown" and parsed.records[6].sender == "Dmitry S"
    assert (
        parsed.records[7].channel is Channel.CHAT
        and parsed.records[7].text == "Missed voice call\nabout that call"
    )


def test_a_file_with_no_readable_message_is_an_error(tmp_path: Path) -> None:
    chat = tmp_path / "WhatsApp Chat with Anna.txt"
    chat.write_text(
        "31/02/2024, 10:00 - Anna: no such day\n30/02/2024, 10:01 - Anna: nor this\n", encoding="utf-8"
    )
    with pytest.raises(InputError) as info:
        parse(chat)
    assert info.value.message == (
        "no message could be read: line 1: date 31/02/2024 does not exist: '31/02/2024, 10:00 - Anna: no such day'"
    )
    notes = tmp_path / "notes.txt"
    notes.write_text("\nShopping list\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"the first line is 'Shopping list'"):
        parse(notes)


def _skipped(parsed: Parsed) -> int:
    return len(tally_of(parsed.items, every_skip_warned=False).skipped)


@pytest.mark.parametrize("folder", ["whatsapp", "whatsapp-real", "data"])
def test_every_line_seen_is_in_a_record_or_counted_as_skipped(corpus: Path, folder: str) -> None:
    # Seen vs made: the non-empty lines of a chat text are the records' lines plus the lines reported skipped.
    paths = (
        sorted((DATA / "whatsapp").glob("*.txt")) if folder == "data" else sorted((corpus / folder).iterdir())
    )
    checked = 0
    for path in paths:
        if (
            path.suffix != ".txt"
            or (folder != "data" and not sniff(path))
            or path.name.startswith(("utf16", "cp1252"))
        ):
            continue
        text = path.read_text(encoding="utf-8-sig")
        seen = sum(1 for line in text.split("\n") if line.strip())
        try:
            parsed = parse(path)
        except InputError:
            parsed = parse(path, "DMY")
        made = sum(
            1 + sum(1 for line in (r.text or "").split("\n")[1:] if line.strip()) for r in parsed.records
        )
        assert made + _skipped(parsed) == seen, path.name
        tally = tally_of(parsed.items, every_skip_warned=False)  # the importer's own count agrees
        assert (tally.seen, tally.made) == (seen, made), path.name
        checked += 1
    assert checked >= 8


def test_one_date_order_for_a_folder_does_not_block_its_decided_exports(case: Case, corpus: Path) -> None:
    group = corpus / "whatsapp-real" / "whatsjson-android-WhatsApp Chat with Group Chat XXX Android.txt"
    month_first = corpus / "whatsapp-real" / "whatsjson-ios-WhatsApp Chat - Elon Musk (EN).txt"
    result = case.import_files(
        [group, month_first], options=ImportOptions(tz="Europe/London", date_order="DMY")
    )
    assert [item.records for item in result.items] == [20, 25]
    assert any(
        w.message.startswith("--date-order DMY does not fit this file") for w in result.items[1].warnings
    )


def _flagged(parsed: Parsed) -> list[str]:
    return [w.locator for w in parsed.warnings if "written to look like a new message" in w.message]


def test_the_forged_header_flag_is_quiet_on_deleted_placeholders_and_fires_on_calls(
    corpus: Path, tmp_path: Path
) -> None:
    # It fired twice on the real exports, both on "You deleted this message" right after a media caption.
    real = parse(
        corpus / "whatsapp-real" / "whatsjson-android-WhatsApp Chat with Dmitry S EN+Media Android.txt"
    )
    assert _flagged(real) == []
    chat = tmp_path / "chat.txt"
    chat.write_text(
        "04/03/2026, 12:46 - Alex: first line\nsecond line\n"
        "04/03/2026, 12:47 - Jordan Lee: Missed voice call\n"
        "04/03/2026, 12:50 - Alex: again\nand again\n"
        "04/03/2026, 12:51 - Jordan Lee: This message was deleted\n"
        "14/03/2026, 09:00 - Alex: Answer me.\n",
        encoding="utf-8",
    )
    parsed = parse(chat)
    assert parsed.at("line 3").channel is Channel.CALL
    assert _flagged(parsed) == ["line 3"]


# -- held out: exports written by others, added after the work above and not tuned on -----------------

HELD_OUT: dict[str, tuple[int, tuple[str, str]]] = {
    # 500 lines "[15-01-20 02:22:56] Name: text" (day-month-2-digit-year with dashes, no comma), no system line
    "whatstk-lorem.txt": (500, ("2020-01-15T02:22:56+00:00", "2020-05-11T22:32:48+01:00")),
    # 300 lines "2020-06-20, 10:16 - Name: text" (year first), no system line
    "whatstk-lorem-merge-part2.txt": (300, ("2020-06-20T10:16:00+01:00", "2020-09-10T00:00:00+01:00")),
}


@pytest.mark.parametrize("name", sorted(HELD_OUT))
def test_held_out_export(name: str) -> None:
    path = DATA / "whatsapp-heldout" / name
    count, (first, last) = HELD_OUT[name]
    assert sniff(path)
    parsed = parse(path)
    assert len(parsed.records) == count
    assert all(r.raw["kind"] == "message" and r.sender for r in parsed.records)
    assert (parsed.records[0].occurred_at.isoformat(), parsed.records[-1].occurred_at.isoformat()) == (
        first,
        last,
    )
