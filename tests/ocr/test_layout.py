"""Screen layout (issue #4): real tesseract on synthetic screenshots of every category and on the corpus."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw

from evidence.case.canonical import canonical_bytes
from evidence.ocr.layout import LAYOUT_VERSION, Layout, Message, analyse
from evidence.ocr.layout.headers import _call_name
from evidence.ocr.layout.page import _fix_word
from evidence.ocr.layout.times import _clean_time, _list_date, _misread_time_tail
from evidence.ocr.tesseract import TesseractFailed, TesseractProbe, Word
from tests.ocr.synth import CATEGORIES, generate, load_truth

SEED = 3
Box = tuple[int, int, int, int]


def levenshtein(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def centre_inside(inner: Box, outer: Box) -> bool:
    cx, cy = (inner[0] + inner[2]) // 2, (inner[1] + inner[3]) // 2
    return outer[0] <= cx <= outer[2] and outer[1] <= cy <= outer[3]


def matched(truth: dict[str, Any], layout: Layout) -> list[tuple[dict[str, Any], Message]]:
    """Truth messages paired with the found message whose box centre lies inside the truth's box."""
    pairs: list[tuple[dict[str, Any], Message]] = []
    free = list(layout.messages)
    for want in truth["messages"]:
        box: Box = (want["bbox"][0], want["bbox"][1], want["bbox"][2], want["bbox"][3])
        for got in free:
            if centre_inside(got.bbox, box):
                pairs.append((want, got))
                free.remove(got)
                break
    return pairs


@pytest.fixture(scope="module")
def screens(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[dict[str, Any], Layout]]:
    """One screenshot per category (JPEG and scaled copies included), each analysed once."""
    folder = tmp_path_factory.mktemp("screens")
    found: dict[str, tuple[dict[str, Any], Layout]] = {}
    for path in generate(folder, 1, seed=SEED):
        truth = load_truth(path)
        with Image.open(path) as image:
            found[truth["category"]] = (truth, analyse(image, name=path.name))
    return found


@pytest.mark.parametrize("category", ["light", "dark", "jpeg", "scaled"])
def test_chat_bubbles_sides_times_and_header(
    screens: dict[str, tuple[dict[str, Any], Layout]], category: str
) -> None:
    truth, layout = screens[category]
    assert layout.kind == "chat"
    assert layout.header == truth["header"]
    pairs = matched(truth, layout)
    assert len(pairs) * 100 >= len(truth["messages"]) * 95, f"{len(pairs)} of {len(truth['messages'])} found"
    assert all(got.direction == want["direction"] for want, got in pairs)
    errors = sum(levenshtein(want["text"], got.text) for want, got in pairs)
    length = sum(len(want["text"]) for want, _ in pairs)
    assert errors * 100 <= length * 3, f"{errors} errors in {length} characters"
    timed = [(want, got) for want, got in pairs if want["shown_time"]]
    right = [1 for want, got in timed if got.shown_time == want["shown_time"]]
    assert len(right) * 100 >= len(timed) * 80  # small grey times are the weakest reading (see the report)
    assert all(0 <= got.confidence <= 1000 for _, got in pairs)


def test_call_list_rows(screens: dict[str, tuple[dict[str, Any], Layout]]) -> None:
    truth, layout = screens["call_list"]
    assert layout.kind == "call_list"
    assert layout.header == truth["header"]
    pairs = matched(truth, layout)
    assert len(pairs) * 100 >= len(truth["messages"]) * 95
    calls_right = [1 for want, got in pairs if got.call == want["call"]]
    assert len(calls_right) * 100 >= len(pairs) * 95
    times_right = [1 for want, got in pairs if got.shown_time == want["shown_time"]]
    assert len(times_right) * 100 >= len(pairs) * 95
    errors = sum(levenshtein(want["text"], got.text) for want, got in pairs)
    assert errors * 100 <= sum(len(want["text"]) for want, _ in pairs) * 2
    counted = [(want, got) for want, got in pairs if want["count"] is not None]
    assert all(got.count == want["count"] for want, got in counted)
    assert all(got.sender is None for _, got in pairs)


def test_email_screen(screens: dict[str, tuple[dict[str, Any], Layout]]) -> None:
    truth, layout = screens["email"]
    assert layout.kind == truth["kind"]
    assert layout.header == truth["header"]
    pairs = matched(truth, layout)
    assert len(pairs) * 100 >= len(truth["messages"]) * 95
    senders_right = [1 for want, got in pairs if want["sender"] == got.sender]
    assert len(senders_right) * 100 >= len(pairs) * 90


def test_layout_is_canonical_json(screens: dict[str, tuple[dict[str, Any], Layout]]) -> None:
    for category in CATEGORIES:
        _, layout = screens[category]
        document = layout.to_json()
        assert canonical_bytes(document)  # refuses floats
        assert document["settings"]["layout_version"] == LAYOUT_VERSION
        assert document["settings"]["engine_version"]
        assert layout.text and layout.words
        for word in layout.words:  # boxes in the original image's pixels
            assert word.left >= 0 and word.top >= 0


def test_blank_and_photo_are_unknown(tmp_path: Path) -> None:
    blank = analyse(Image.new("RGB", (1080, 2340), (255, 255, 255)))
    assert (blank.kind, blank.messages, blank.header) == ("unknown", (), None)
    photo = Image.new("RGB", (800, 600), (90, 140, 200))
    draw = ImageDraw.Draw(photo)
    for i in range(0, 800, 7):  # stripes and blobs of many colours, no text
        draw.line((i, 0, 800 - i, 600), fill=((i * 7) % 256, (i * 3) % 256, (i * 11) % 256), width=3)
        draw.ellipse((i % 300, i % 200, i % 300 + 60, i % 200 + 40), fill=((i * 5) % 256, 120, (i * 2) % 256))
    result = analyse(photo)
    assert result.kind == "unknown"
    assert result.messages == ()


def test_corpus_screenshots_read(corpus: Path) -> None:
    kinds: dict[str, str] = {}
    for path in sorted((corpus / "screenshots").iterdir()):
        with Image.open(path) as image:
            layout = analyse(image, name=path.name)
        assert canonical_bytes(layout.to_json())
        kinds[path.name] = layout.kind
    photos = [name for name in kinds if name.startswith("exifsamples")]
    assert photos and all(kinds[name] == "unknown" for name in photos)
    assert all(kind in ("chat", "call_list", "email_list", "email", "unknown") for kind in kinds.values())
    assert kinds["fossify-1_en-US.png"] != "chat"  # a list of conversations is not one conversation


def test_tesseract_crash_is_a_typed_error(tmp_path: Path) -> None:
    script = tmp_path / "tesseract"
    script.write_text(
        '#!/bin/sh\nif [ "$1" = "--version" ]; then echo "tesseract 5.3.0"; exit 0; fi\nexit 3\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    image = Image.new("RGB", (400, 300), (255, 255, 255))
    ImageDraw.Draw(image).text((20, 20), "Hello there", fill=(0, 0, 0))
    with pytest.raises(TesseractFailed, match="exited 3"):
        analyse(image, probe=TesseractProbe(str(script)), name="Screenshot_1.png")


@pytest.mark.parametrize(
    ("read", "fixed"),
    [
        ("|", "I"),
        ("|'m", "I'm"),
        ("|'ll", "I'll"),
        ("|,", "I,"),
        ("|ts", "Its"),
        ("a|b", "a|b"),
        ("|x", "|x"),
    ],
)
def test_pipe_read_as_capital_i(read: str, fixed: str) -> None:
    assert _fix_word(read) == fixed


@pytest.mark.parametrize(
    ("read", "shown"),
    [
        ("9.41 PM", "9:41 PM"),
        ("12:14PM", "12:14 PM"),
        ("3May", "3 May"),
        ("21:33", "21:33"),
        ("Yesterday", "Yesterday"),
    ],
)
def test_times_written_as_phones_show_them(read: str, shown: str) -> None:
    assert _clean_time(read) == shown


@pytest.mark.parametrize(
    ("read", "shown"),
    [
        ("1. Nov", "1 Nov"),
        ("19 oct", "19 Oct"),
        ("220ct", "22 Oct"),
        ("3oct", "3 Oct"),
        ("22 Oct", "22 Oct"),
        ("Yesterday", "Yesterday"),
        ("10:33", "10:33"),
        ("Olivia", "Olivia"),
        ("octopus", "octopus"),
    ],
)
def test_list_dates_misread_in_small_print(read: str, shown: str) -> None:
    assert _list_date(read) == shown


@pytest.mark.parametrize(
    ("read", "shown"),
    [
        ("+33 612 34 56 78", "+33 6 12 34 56 78"),  # valid: spaced as phones show it, digits unchanged
        ("+33 6 12 3456 78", "+33 6 12 34 56 78"),
        ("+33 612 34 56 79", "+33 6 12 34 56 79"),
        ("+44 7700 900123", "+44 7700 900123"),  # not a valid number (drama range): left as read
        ("+1 (555) 014-2298", "+1 (555) 014-2298"),  # not only digits and spaces: left as read
        ("07700 900456", "07700 900456"),
        ("lan Cole", "Ian Cole"),
        ("sam", "Sam"),
        ("Dan Lloyd", "Dan Lloyd"),
        ("lisa smith", "lisa smith"),  # a contact saved in lower case stays so
    ],
)
def test_call_names_put_right(read: str, shown: str) -> None:
    assert _call_name(read) == shown


def _word(text: str, left: int, width: int) -> Word:
    return Word(text=text, left=left, top=10, width=width, height=20, conf=90, block=0, par=0, line=0)


@pytest.mark.parametrize(
    ("tail", "gap", "shown"),
    [
        ("1857", 40, "18:57"),  # set apart by twice its height: a time whose colon was lost
        ("1857", 6, None),  # an ordinary number at the end of a sentence
        ("2399", 40, None),  # no such clock
        ("316", 40, None),  # three digits without AM/PM stay text
    ],
)
def test_time_without_colon_at_a_bubble_end(tail: str, gap: int, shown: str | None) -> None:
    words = [_word("waiting.", 0, 100), _word(tail, 100 + gap, 60)]
    kept, time = _misread_time_tail(words)
    assert time == shown
    assert len(kept) == (1 if shown else 2)
