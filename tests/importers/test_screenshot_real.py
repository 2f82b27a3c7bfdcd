"""Real screenshots written by others (issue 15): each picture of the tuning set read by the screenshot importer
(real tesseract) and checked against the hand-written expected values in
``tests/data/screenshots-real/expected.json`` (format: ``FORMAT.md`` there; scoring: ``bench/ocr_real.py``).

What is asserted is what the importer reads today; what it does not read yet (call rows whose time or name
tesseract cannot read, a sender's address in small JPEG print) is named in the tests and in bench/RESULTS.md.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from bench.ocr_real import alike, fold, run_picture, score_picture
from evidence.importers._screenshot_messages import resolve_shown
from evidence.models import Direction, Record, TimeSource

CORPUS = Path("/work/shared/corpus")
DATA = Path(__file__).resolve().parent.parent / "data" / "screenshots-real"
EXPECTED: dict[str, dict[str, Any]] = json.loads((DATA / "expected.json").read_text(encoding="utf-8"))[
    "pictures"
]
EXPECTED_CORPUS: dict[str, dict[str, Any]] = json.loads(
    (DATA / "expected-corpus-screenshots.json").read_text(encoding="utf-8")
)["pictures"]
Read = tuple[Record, list[Record], dict[str, Any]]
_CACHE: dict[str, Read] = {}


def read(folder: str, name: str) -> Read:
    """The picture's record, its message records and its layout (each picture read once per session); a
    picture kept in tests/data/screenshots-real is read from there."""
    if name not in _CACHE:
        path = DATA / name if (DATA / name).is_file() else CORPUS / folder / name
        picture, records, layout, _ = run_picture(path)
        _CACHE[name] = (picture, records, layout)
    return _CACHE[name]


NOT_MESSAGES = [n for n, w in EXPECTED.items() if not w["messages"] and not w["calls"] and not w["emails"]]
CHATS = [n for n, w in EXPECTED.items() if w["messages"]]


@pytest.mark.parametrize("name", NOT_MESSAGES)
def test_a_screen_without_messages_makes_no_message_record(name: str) -> None:
    picture, records, _ = read("screenshots-real", name)
    assert records == []
    screen = EXPECTED[name]["screen"]
    if screen == "other":  # a screen the layout has no name for: it says unknown
        screen = "unknown"
    assert picture.raw["screen"] == screen  # says what screen it was


@pytest.mark.parametrize("name", sorted(EXPECTED_CORPUS))
def test_the_corpus_non_message_screens_make_no_message_record(name: str) -> None:
    picture, records, _ = read("screenshots", name)
    assert records == [] and picture.raw["screen"] != "chat"


@pytest.mark.parametrize("name", CHATS)
def test_every_text_bubble_is_found_on_its_side_and_nothing_else_is_a_message(name: str) -> None:
    picture, records, layout = read("screenshots-real", name)
    want = EXPECTED[name]
    tally = score_picture(name, want, picture, records, layout)
    assert picture.raw["screen"] == "chat"
    assert tally.bubbles_found == tally.bubbles, tally.notes
    assert tally.media_found == tally.media, tally.notes  # photos (with their caption) and voice notes
    assert tally.direction_ok == tally.direction_n, tally.notes
    assert tally.junk == 0, tally.notes  # no draft, notice, chip, reaction or waveform as a message
    assert tally.senders_ok == tally.senders, tally.notes  # group chats: the member above the bubble
    assert tally.dates_ok == tally.dates and tally.times_ok == tally.times, tally.notes
    assert not any(r.time_source is TimeSource.ACQUIRED and not r.raw.get("date_unknown") for r in records)


def test_headers_read_exactly() -> None:
    for name in (
        "Simulator Screen Shot - iPhone 13 Pro Max - 2021-11-05 at 18.09.00.png",
        "fluffychat-android_2.png",
    ):
        assert read("screenshots-real", name)[2]["header"] in ("Paul", "Friday party")
    assert read("screenshots-real", "fossifymessages-2_en-US.png")[2]["header"] == "Mia Zhang"


def test_a_header_whose_words_tesseract_glued_is_read_again_alone() -> None:
    """An avatar photo close before the name made the page reading glue its words ("LeonGreen",
    "OngNossaSenhoraDaP.."); the header words are read again from their own crop, and only spaces change."""
    assert read("screenshots-real", "nextcloudtalk-voiceRecord_light.png")[2]["header"] == "Leon Green"
    assert (
        read("screenshots-real", "bethehero-whatsapp_mobile.png")[2]["header"] == "Ong Nossa Senhora Da P..."
    )


def test_a_long_incoming_bubble_stays_incoming_by_its_colour() -> None:
    _, records, _ = read("screenshots-real", "fluffychat-android_2.png")
    (whoa,) = [r for r in records if r.text and r.text.startswith("Whoa")]
    assert whoa.direction is Direction.INCOMING and whoa.raw["bbox"][2] > 1200  # reaches the right edge
    assert whoa.sender == "alice" and whoa.raw["group"] == "Friday party"
    assert whoa.raw["date_unknown"] is True  # no time or date anywhere on this screen


def test_voice_notes_are_voice_records_with_their_length_not_a_time() -> None:
    _, records, _ = read(
        "screenshots-real", "Simulator Screen Shot - iPhone 13 Pro Max - 2021-11-05 at 18.09.00.png"
    )
    (voice,) = [r for r in records if r.raw.get("media") == "voice"]
    assert voice.direction is Direction.OUTGOING and voice.text is None
    assert voice.duration_s == 0 and voice.raw["duration_shown"] == "00:00"
    assert (
        voice.occurred_at.isoformat() == "2021-11-05T18:08:00+00:00"
    )  # its 06:08 pm, on the file name's day
    _, records, _ = read("screenshots-real", "fluffychat-android_2.png")
    (voice,) = [r for r in records if r.raw.get("media") == "voice"]
    assert voice.duration_s == 19 and voice.direction is Direction.OUTGOING


def test_shown_times_are_read_in_the_pictures_own_offset() -> None:
    _, records, _ = read("screenshots-real", "fairemail-messages.png")
    assert [(r.sender, r.subject, r.occurred_at.isoformat()) for r in records] == [
        ("Marcel Bokhorst", "Example message 3", "2021-06-28T18:46:00+02:00"),
        ("Marcel Bokhorst", "Example message 2", "2021-06-28T18:46:00+02:00"),
        ("Marcel Bokhorst", "Example message 1", "2021-06-28T18:45:00+02:00"),
    ]  # EXIF 18:49:06 +02:00: in the case zone (UTC) 6:46 PM would have landed on the day before
    assert all(r.time_source is TimeSource.SHOWN_ON_SCREEN and not r.tz_assumed for r in records)


def test_a_separator_that_is_a_clock_times_the_bubble_below_it() -> None:
    _, records, _ = read("screenshots-real", "fossifymessages-2_en-US.png")
    # five bubbles and the photo above the divider show no date; the last bubble is under "07:21 PM"
    assert [r.raw.get("date_unknown", False) for r in records] == [True, True, True, True, True, False]
    last = records[-1]
    assert last.raw["day_shown"] == "07:21 PM"
    assert last.occurred_at == datetime.fromisoformat(
        "2024-01-21T19:21:00+05:30"
    )  # after EXIF 19:15: a day before


def test_call_history_rows_with_durations_and_types() -> None:
    picture, records, _ = read("screenshots-real", "fossifyphone-5_en-US.png")
    assert picture.raw["screen"] == "call_list"
    *want, cut = EXPECTED["fossifyphone-5_en-US.png"]["calls"]
    *rows, last = records
    assert len(rows) == len(want)
    # Zoe Castillo, cut off under her name by the bottom bar: a call, but nothing shown says when, what type or
    # how long; never the picture's time as if it were the call's
    assert cut["partial"] and last.raw["shown_as"] == cut["party"]
    assert last.status is None and last.direction is Direction.UNKNOWN and last.duration_s is None
    assert (
        last.raw["shown_time"] is None and last.raw["date_unknown"] is True and "shown_date" not in last.raw
    )
    for record, call in zip(rows, want, strict=True):
        assert alike(record.raw["shown_as"], call["party"]) >= 0.8
        assert record.status == call["type"]
        assert record.raw["shown_time"] == call["shown_time"]
        if call["duration"] is None:  # hidden under the dial pad button
            assert record.duration_s is None
        else:
            minutes, seconds = call["duration"].split(":")
            assert record.duration_s == int(minutes) * 60 + int(seconds)
        if "time" in call:
            assert record.occurred_at == datetime.fromisoformat(call["time"])
        else:  # "13.01": a day, no minute
            assert record.raw["shown_date"] == call["date"]


def test_an_open_email_is_one_email_record() -> None:
    _, records, layout = read("screenshots-real", "entrymgmt-emailtohost.jpeg")
    assert layout["kind"] == "email" and fold(layout["header"]) == fold("You Latest Visitor Details")
    (email,) = records
    assert email.channel.value == "email" and email.subject == "You Latest Visitor Details"
    assert email.occurred_at.isoformat() == "2019-11-28T18:45:00+00:00"  # 6:45 PM on the EXIF day (no offset)


def test_a_senders_name_inside_a_bubble_and_a_narrow_compose_field() -> None:
    _, records, layout = read("screenshots-real", "anonymousmessenger-12.png")
    assert [(r.direction.value, r.text, r.sender) for r in records] == [
        ("incoming", "Key Exchange Message", "5uakdrff5pwsby65fz5542trt"),
        ("outgoing", "Response Key Exchange Message", None),
        ("incoming", "hi", "boto"),
        ("incoming", "hello", "boto"),
        ("outgoing", "hi", None),
    ]  # and no record of "Send secure message...", the compose field's placeholder
    assert fold(layout["header"]) == "boto"


def test_messages_no_screen_dates_are_out_of_the_statistics(tmp_path: Path) -> None:
    from evidence.api import Case

    with Case.init(tmp_path / "case", title="Undated", tz="Europe/London") as case:
        case.import_files([CORPUS / "screenshots-real" / "jared-Example.png"])
        messages = [r for r in case.records() if "#" in r.locator]
        incoming = [r for r in messages if r.direction is Direction.INCOMING]
        assert len(incoming) == 7 and all(r.raw["date_unknown"] for r in messages)
        result = case.stats()
    # seven incoming messages, none dated: no attempts, no day, no burst, no last contact at the import time
    assert (
        result["attempts"] == 0
        and result["per_day"] == {}
        and result["bursts"] == []
        and result["last"] is None
    )


def test_photos_are_photo_records_on_their_side() -> None:
    _, records, _ = read("screenshots-real", "fossifymessages-2_en-US.png")
    (photo,) = [r for r in records if r.raw.get("media") == "photo"]
    assert photo.direction is Direction.OUTGOING and photo.text is None and photo.raw["sequence"] == 2
    _, records, _ = read("screenshots-real", "fluffychat-android_2.png")
    (photo,) = [r for r in records if r.raw.get("media") == "photo"]
    assert (photo.direction, photo.text, photo.sender) == (
        Direction.INCOMING,
        "I'll prepare nachos",
        "charley",
    )


def test_one_line_call_rows_with_arrows_and_a_red_missed_arrow() -> None:
    """GNOME Calls (a Linux phone): one line a row, the arrow before the name, the time or "Okt 12" at the
    right, a missed call told by its red arrow only. Rows whose time or name tesseract cannot read (Ulf's two
    rows: a yellow avatar joined to the name; the last row cut off) make no record, never a guessed one."""
    picture, records, layout = read("screenshots-real", "gnomecalls-history.png")
    want = EXPECTED["gnomecalls-history.png"]["calls"]
    tally = score_picture(
        "gnomecalls-history.png", EXPECTED["gnomecalls-history.png"], picture, records, layout
    )
    assert picture.raw["screen"] == "call_list" and tally.junk == 0
    got = [(fold(r.raw["shown_as"]), r.status, r.raw["shown_time"]) for r in records]
    assert got == [
        (fold(c["party"]), c["type"], c["shown_time"]) for c in (want[0], want[1], want[3], want[5], want[6])
    ]
    # no date in the picture (no EXIF, no date in its name): "Okt 13" has no year, so no day is invented
    assert all(r.raw.get("date_unknown") for r in records[2:])
    # with the picture's day known, the German "Okt" is October
    shot = datetime.fromisoformat("2021-10-19T10:54:00+02:00")
    resolved = resolve_shown("Okt 13", shot, "Europe/Berlin")
    assert resolved is not None and resolved.day.isoformat() == "2021-10-13"


def test_a_picture_inside_a_bubble_and_an_audio_bubble_without_a_length() -> None:
    """Nextcloud Talk: a map sent as a location is a photo whose text is the address under it, never what
    tesseract reads in the map; the audio bubble (play button and seek bar) is a voice note of unknown
    length with its time; the reaction chips under a bubble are not its text."""
    _, records, _ = read("screenshots-real", "nextcloudtalk-voiceRecord_light.png")
    kinds = [(r.raw.get("media"), r.direction, r.text, r.raw["shown_time"]) for r in records]
    assert kinds == [
        (None, Direction.INCOMING, "Thanks a lot!", "20:49"),
        (None, Direction.OUTGOING, "Hey Leon, let's meet near Brandenburger Tor at 15:00?", "13:43"),
        (
            "photo",
            Direction.OUTGOING,
            "Brandenburger Tor, 1, Pariser Platz, Mitte, Berlin, 10117, Deutschland",
            "13:44",
        ),
        ("voice", Direction.INCOMING, None, "13:45"),
    ]
    assert records[3].duration_s is None
    _, records, _ = read("screenshots-real", "nextcloudtalk-receive_gifs.jpg")
    (gif,) = records  # nine call notices around it make no record
    assert (gif.raw.get("media"), gif.direction, gif.raw["shown_time"]) == (
        "photo",
        Direction.INCOMING,
        "01:48",
    )
