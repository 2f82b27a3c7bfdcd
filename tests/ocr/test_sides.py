"""The side of a chat bubble from its edge and colour (``layout/sides.py``) and the shapes that are no message
(``layout/furniture.py``): pure functions over boxes and colours, with the geometry of real screenshots
(FluffyChat, Fossify Messages, WhatsApp; tests/data/screenshots-real)."""

from __future__ import annotations

from evidence.ocr.layout.furniture import _not_messages, _placeholder
from evidence.ocr.layout.sides import sides

GREY, PURPLE, VOICE = (231, 230, 238), (144, 52, 149), (78, 89, 145)


def test_a_long_incoming_bubble_is_incoming_by_its_colour_not_its_width() -> None:
    # fluffychat-android_2.png (1280 wide): "Whoa! ..." fills the width like the outgoing bubbles do
    boxes = [
        (183, 356, 1256, 534),
        (183, 623, 1001, 736),
        (183, 825, 1066, 938),
        (438, 1015, 1256, 1128),
        (183, 2036, 1256, 2220),
        (183, 2291, 1256, 2469),
    ]
    colours = [PURPLE, GREY, GREY, (123, 64, 148), GREY, VOICE]
    found = sides(boxes, colours, 1280)
    assert [s.direction for s in found] == [
        "outgoing",
        "incoming",
        "incoming",
        "outgoing",
        "incoming",
        "outgoing",
    ]
    assert [s.basis for s in found] == ["colour", "edge", "edge", "edge", "colour", "colour"]


def test_edges_shared_by_a_sides_bubbles_not_the_widest_one() -> None:
    # fossifymessages-2_en-US.png: incoming bubbles all end at 835, the outgoing ones at 1035
    boxes = [
        (180, 305, 835, 480),
        (180, 1310, 835, 1540),
        (245, 1565, 1035, 1740),
        (180, 1765, 835, 1940),
        (440, 2050, 1035, 2170),
    ]
    colours = [(222, 224, 220), (222, 224, 220), (0, 168, 112), (222, 224, 220), (0, 168, 112)]
    assert [s.direction for s in sides(boxes, colours, 1080)] == [
        "incoming",
        "incoming",
        "outgoing",
        "incoming",
        "outgoing",
    ]


def test_two_colours_and_no_anchor_the_accent_colour_is_outgoing() -> None:
    boxes = [(40, 100, 1040, 200), (40, 300, 1040, 400)]  # both as wide as the screen allows
    found = sides(boxes, [(235, 235, 235), (0, 132, 255)], 1080)
    assert [(s.direction, s.basis) for s in found] == [("incoming", "saturation"), ("outgoing", "saturation")]


def test_one_bubble_alone_goes_by_its_nearer_edge_and_says_so() -> None:
    (found,) = sides([(900, 100, 1040, 180)], [(0, 132, 255)], 1080)
    assert (found.direction, found.basis) == ("outgoing", "position")  # nothing to compare with: marked so
    (found,) = sides([(30, 100, 1000, 180)], [(235, 235, 235)], 1080)
    assert found.direction == "incoming"


def test_chips_notices_and_the_compose_box_are_no_messages() -> None:
    # bethehero-whatsapp_mobile.png (270 x 567): two centred notices, the draft in the compose box (its round
    # send button is no bubble shape: round and small)
    shapes = [(15, 93, 255, 131), (15, 140, 255, 166), (2, 460, 233, 532)]
    kept, chat = _not_messages([(i, box, None) for i, box in enumerate(shapes)], 270, 567)
    assert kept == [] and chat is True
    # filter chips side by side (fluffychat-android_4.png): dropped, and they make no chat screen
    chips = [(47, 748, 190, 852), (214, 748, 441, 852), (466, 748, 692, 852)]
    kept, chat = _not_messages([(i, box, None) for i, box in enumerate(chips)], 1280, 2856)
    assert kept == [] and chat is False


def test_a_bubble_centred_by_chance_among_a_sides_bubbles_is_kept() -> None:
    # fluffychat-android_2.png: "Ooh, ..." has margins 183 and 214 and shares the incoming edge
    shapes = [(183, 623, 1001, 736), (183, 825, 1066, 938), (438, 1015, 1256, 1128)]
    kept, _ = _not_messages([(i, box, None) for i, box in enumerate(shapes)], 1280, 2856)
    assert [i for i, _, _ in kept] == [0, 1, 2]
    # an avatar beside a bubble is another height: not a row of chips
    kept, _ = _not_messages([(0, (20, 1815, 92, 1887), None), (1, (130, 1815, 425, 1920), None)], 1080, 2340)
    assert len(kept) == 2


def test_a_compose_placeholder_but_not_a_message_ending_in_dots() -> None:
    bottom = (15, 1660, 575, 1755)
    assert _placeholder("Send secure message...", bottom, 1920)
    assert _placeholder("Type a message\u2026", bottom, 1920)
    assert not _placeholder("I am waiting...", bottom, 1920)
    assert not _placeholder("Type a message...", (15, 200, 575, 300), 1920)  # not at the bottom
