"""Rows and bands read from their geometry (issue 15, session 8), on five real pictures of the second held-out
set, spent (its misses were read) and kept in ``tests/data/screenshots-real`` with their hand-written expected
values (``expected-heldout2.json``, written by the set's collector by looking; sources and licences in that
folder's README): a timeline drawn without bubbles (its rows repeat their senders' names) inside a store
picture's phone frame, a bubble's time line printed above its text, call rows whose time is a day over a
clock, an inbox in a store picture with a floating button, and an inbox whose rows all come from one sender.

Each picture is imported once, as ``evidence import`` would (``bench.ocr_real.run_picture``: real tesseract).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.ocr_real import fold, run_picture, score_picture
from evidence.models import Direction, Record

DATA = Path(__file__).resolve().parent.parent / "data" / "screenshots-real"
EXPECTED: dict[str, dict[str, Any]] = json.loads(
    (DATA / "expected-heldout2.json").read_text(encoding="utf-8")
)["pictures"]
Read = tuple[Record, list[Record], dict[str, Any]]
_CACHE: dict[str, Read] = {}


def read(name: str) -> Read:
    """The picture's record, its message records and its layout (each picture read once per session)."""
    if name not in _CACHE:
        picture, records, layout, _ = run_picture(DATA / name)
        _CACHE[name] = (picture, records, layout)
    return _CACHE[name]


def test_every_picture_has_its_source_recorded() -> None:
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    for name in EXPECTED:
        assert (DATA / name).is_file() and f"`{name}`" in readme


def test_a_timeline_without_bubbles_is_a_chat_whose_rows_name_their_senders() -> None:
    """Element draws no bubble: an avatar, the sender's coloured name with the time at the right, the text
    under it. Read as a list it looked like a conversation list; its names repeat (Matthew, Steve), so it
    is one conversation: each row an incoming message from the member it names, with the row's time. The
    phone frame around the screen no longer joins every line into one band (the small grey times are read:
    "17:44", not "7:4")."""
    name = "elementandroid-4.png"
    picture, records, layout = read(name)
    assert picture.raw["screen"] == "chat"
    tally = score_picture(name, EXPECTED[name], picture, records, layout)
    assert tally.junk == 0, tally.notes
    assert tally.bubbles_found >= 4, tally.notes  # of 8 text messages (the emoji-only one, one cut off...)
    assert tally.senders_ok == tally.senders >= 4, tally.notes
    assert tally.direction_ok == tally.direction_n, tally.notes
    by_text = {fold(r.text): r for r in records}
    nad = by_text[fold("cool, i'll put it live in a few minutes.")]
    assert nad.sender == "Nad" and nad.raw["shown_time"] == "17:45"
    assert nad.direction is Direction.INCOMING and "owner" in nad.raw["direction_basis"]  # the basis said
    assert {m["direction_basis"] for m in layout["messages"]} == {"named"}  # the side is not drawn: named
    assert all(r.raw["shown_time"] in {"17:44", "17:45", "17:46", "17:48"} for r in records)


def test_a_time_line_above_a_bubbles_text_is_its_time_not_its_text() -> None:
    """baresip prints "Today 12:51 - You" at the top of each bubble: the time (and the member after the
    dash), never words of the message."""
    name = "baresip-shot2.png"
    picture, records, layout = read(name)
    tally = score_picture(name, EXPECTED[name], picture, records, layout)
    assert tally.junk == 0 and tally.bubbles_found == tally.text_exact == 2, tally.notes
    texts = {fold(r.text): r for r in records}
    assert texts["how are you?"].direction is Direction.OUTGOING
    assert texts["how are you?"].raw["shown_time"] == "Today 12:51"
    assert texts["fine thanks"].direction is Direction.INCOMING
    assert texts["fine thanks"].raw["shown_time"] == "Today 12:52"


def test_a_call_rows_time_written_as_a_day_over_a_clock_is_one_time() -> None:
    """baresip's call history puts "Today" over "11:58" at the right of each row: one row, dated by both,
    named by the line level with them, never a row named "Today" or "Jul 23"."""
    name = "baresip-shot3.png"
    picture, records, _ = read(name)
    assert picture.raw["screen"] == "call_list"
    shown = {str(r.raw.get("shown_as") or r.sender): r.raw["shown_time"] for r in records}
    assert shown.get("Test Test") == "Today 11:58" and shown.get("Verify") == "Jul 23 11:03"
    assert not any(
        fold(str(r.raw.get("shown_as") or r.sender)) in {"today", "jul 23", "jul 15"} for r in records
    )
    assert all(" " in r.raw["shown_time"] for r in records)  # every time with its day


def test_an_inbox_in_a_store_picture_with_a_floating_button_is_read() -> None:
    """kMail's inbox in a phone frame with a "New message" button over the last rows: the button is
    furniture, not a chat's compose box, and the rows are mail; the day above a section ("Today") is not a
    row's sender, and "yesterday" in lower case is a row's time."""
    name = "kmail-2.png"
    picture, records, layout = read(name)
    assert picture.raw["screen"] == "email_list"
    tally = score_picture(name, EXPECTED[name], picture, records, layout)
    assert tally.emails_found >= 6, tally.notes  # of 8: the row under the button and the last, cut off
    assert tally.junk == 0, tally.notes
    senders = {r.sender for r in records}
    assert {"Infomaniak", "Linda Gert", "Camille Gey", "La Poste"} <= senders and "Today" not in senders


def test_an_inbox_whose_rows_share_one_sender_is_mail_not_a_conversation_list() -> None:
    """A conversation list names each conversation once; six rows from "Florian Tessiderae", each with a
    subject and a snippet under the name, are an inbox (a search in it), though no line says mail."""
    name = "kmail-6.png"
    picture, records, layout = read(name)
    assert picture.raw["screen"] == "email_list"
    tally = score_picture(name, EXPECTED[name], picture, records, layout)
    assert tally.emails_found == tally.emails == 6, tally.notes
    assert {r.sender for r in records} == {"Florian Tessiderae"}
    assert records[0].raw["shown_time"] == "yesterday"
