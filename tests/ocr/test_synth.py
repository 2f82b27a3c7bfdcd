"""The synthetic screenshot generator: deterministic, every category, ground truth consistent with the pixels."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from PIL import Image

from tests.ocr.synth import CATEGORIES, SENTENCES, generate, load_truth, main, render


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def screens(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return generate(tmp_path_factory.mktemp("synth"), 2, seed=7)


def test_same_seed_gives_byte_identical_files(screens: list[Path], tmp_path: Path) -> None:
    again = generate(tmp_path, 2, seed=7)
    assert [p.name for p in again] == [p.name for p in screens]
    for first, second in zip(screens, again, strict=True):
        assert digest(first) == digest(second), first.name
        assert first.with_suffix(".json").read_bytes() == second.with_suffix(".json").read_bytes()


def test_another_seed_gives_other_screens(screens: list[Path], tmp_path: Path) -> None:
    other = generate(tmp_path, 1, seed=8, categories=("light",))
    assert digest(other[0]) != digest(screens[0])


def test_every_category_is_produced_with_its_kind(screens: list[Path]) -> None:
    truths = [load_truth(p) for p in screens]
    assert sorted({t["category"] for t in truths}) == sorted(CATEGORIES)
    for path, truth in zip(screens, truths, strict=True):
        expected = {"call_list": {"call_list"}, "email": {"email", "email_list"}}.get(
            truth["category"], {"chat"}
        )
        assert truth["kind"] in expected, path.name
        assert truth["header"], path.name
        assert truth["messages"], path.name
        assert (path.suffix == ".jpg") == (truth["category"] == "jpeg")


def test_boxes_lie_inside_the_image_top_to_bottom(screens: list[Path]) -> None:
    for path in screens:
        truth = load_truth(path)
        with Image.open(path) as img:
            assert img.size == (truth["width"], truth["height"])
        previous_top = -1
        for message in truth["messages"]:
            x0, y0, x1, y1 = message["bbox"]
            assert 0 <= x0 < x1 <= truth["width"] and 0 <= y0 < y1 <= truth["height"], (path.name, message)
            assert y0 > previous_top, path.name
            previous_top = y0


def test_bubble_colour_lies_under_each_box(screens: list[Path]) -> None:
    """Inside each box near its left edge (padding, no text, clear of rounded corners) is the bubble's fill."""
    for path in screens:
        truth = load_truth(path)
        if truth["category"] not in ("light", "dark"):
            continue  # lossless and unscaled: exact colours
        with Image.open(path) as img:
            rgb = img.convert("RGB")
            for message in truth["messages"]:
                x0, y0, _x1, y1 = message["bbox"]
                pixel = rgb.getpixel((x0 + 3, (y0 + y1) // 2))
                assert pixel == tuple(message["fill"]), (path.name, message["text"])
                # and left of the box (clear of a tail), not the bubble but the background or wallpaper
                outside = rgb.getpixel((x0 - 12, (y0 + y1) // 2)) if x0 >= 12 else None
                if outside is not None:
                    assert outside != tuple(message["fill"]), (path.name, message["text"])


def test_degraded_copies_keep_boxes_on_the_bubbles() -> None:
    """The scaled copy's boxes are the full-size boxes times the scale (within a pixel of rounding)."""
    img, truth, suffix = render("scaled", 3)
    permille = truth["style"]["scale_permille"]
    assert 500 <= permille <= 600 and suffix == ".png"
    for message in truth["messages"]:
        x0, y0, _x1, y1 = message["bbox"]
        pixel = img.convert("RGB").getpixel((x0 + 3, (y0 + y1) // 2))
        assert isinstance(pixel, tuple)
        fill = message["fill"]
        assert sum(abs(a - b) for a, b in zip(pixel, fill, strict=True)) < 30, (pixel, fill)


def test_truth_text_holds_every_message_and_the_header(screens: list[Path]) -> None:
    for path in screens:
        truth = load_truth(path)
        flat = " ".join(truth["text"].split())
        assert truth["header"] in flat
        for message in truth["messages"]:
            if truth["kind"] in ("chat", "call_list"):
                # a bubble's lines are consecutive lines of the full text, unless a time sits on its last line
                assert message["text"].split()[0] in flat
            if message["shown_time"]:
                assert message["shown_time"] in flat, (path.name, message["shown_time"])
        if truth["kind"] == "call_list":
            assert {m["call"] for m in truth["messages"]} <= {"missed", "incoming", "outgoing"}
            assert all(m["count"] is None or m["count"] >= 2 for m in truth["messages"])


def test_sentence_pool_is_varied_and_has_ocr_traps() -> None:
    assert len(SENTENCES) >= 150 and len(set(SENTENCES)) == len(SENTENCES)
    joined = " ".join(SENTENCES)
    for trap in ("I ", "l", "1", "0", "O", "'", "www.", "http", "+44"):
        assert trap in joined, trap


def test_command_line_writes_the_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path), "--per-category", "1", "--seed", "2", "--category", "call_list"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["call_list-000.json", "call_list-000.png"]
    assert "1 screenshots" in capsys.readouterr().out
