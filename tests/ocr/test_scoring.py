"""The OCR benchmark's scoring: CER of known strings, box matching, one screen scored against its truth."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bench.ocr_accuracy import (
    Tally,
    cer_permille,
    distance,
    iou_permille,
    levenshtein,
    main,
    match,
    missed_targets,
    normalise,
    run,
    score,
    table,
    verdict,
    write_results,
)
from evidence.ocr.layout import Layout, Message
from tests.ocr.synth import CATEGORIES, load_truth


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("", "", 0),
        ("abc", "", 3),
        ("", "abc", 3),
        ("kitten", "sitting", 3),
        ("I know", "| know", 1),
        ("flaw", "lawn", 2),
        ("07700 900123", "O77OO 9OO123", 5),
    ],
)
def test_levenshtein_of_known_strings(a: str, b: str, expected: int) -> None:
    assert levenshtein(a, b) == expected
    assert levenshtein(b, a) == expected


def test_cer_normalises_whitespace_and_counts_per_mille() -> None:
    assert normalise("  Answer\n the   phone ") == "Answer the phone"
    assert cer_permille("Answer the phone", "Answer  the\nphone") == 0
    assert distance("I know you read it.", "| know you read it.") == (1, 19)
    assert cer_permille("I know you read it.", "| know you read it.") == 52
    assert cer_permille("", "") == 0 and cer_permille("", "x") == 1000
    assert cer_permille("abcd", "") == 1000


def test_iou_and_matching_by_boxes() -> None:
    assert iou_permille((0, 0, 10, 10), (0, 0, 10, 10)) == 1000
    assert iou_permille((0, 0, 10, 10), (20, 20, 30, 30)) == 0
    assert iou_permille((0, 0, 10, 10), (5, 0, 15, 10)) == 333
    truth = [(0, 0, 100, 50), (0, 60, 100, 110), (0, 120, 100, 170)]
    found = [
        (2, 62, 98, 108),  # the second bubble, nearly exact
        (10, 10, 40, 30),  # a small box whose centre is in the first bubble (IoU under 0.5)
        (500, 500, 600, 600),  # nowhere
        (10, 65, 90, 105),  # a second candidate for the second bubble: loses to the better one
    ]
    assert match(truth, found) == {1: 0, 0: 1}
    assert match(truth, []) == {}


def truth_of(messages: list[dict[str, Any]], *, kind: str = "chat", header: str = "Jordan") -> dict[str, Any]:
    return {
        "category": "light",
        "kind": kind,
        "header": header,
        "messages": messages,
        "text": "Jordan Hi there",
    }


def test_score_counts_found_direction_time_and_header() -> None:
    truth = truth_of(
        [
            {"direction": "incoming", "text": "Hi there", "shown_time": "21:33", "bbox": [0, 0, 100, 50]},
            {"direction": "outgoing", "text": "Go away", "shown_time": None, "bbox": [200, 60, 300, 110]},
            {"direction": "incoming", "text": "Never", "shown_time": "21:35", "bbox": [0, 120, 100, 170]},
        ]
    )
    layout = Layout(
        kind="chat",
        header="Jordan",
        messages=(
            Message(direction="incoming", text="Hi  there", shown_time="21:33", bbox=(0, 0, 100, 50)),
            Message(direction="incoming", text="Go away!", shown_time=None, bbox=(200, 60, 300, 110)),
        ),
        text="Jordan\nHi there",
        words=(),
        settings={},
    )
    tally = score(truth, layout, baseline_text="Jordan Hi thera")
    assert (tally.expected, tally.found) == (3, 2)
    assert (tally.msg_errors, tally.msg_length) == (1, len("Hi there") + len("Go away"))
    assert tally.direction_ok == 1
    assert (tally.timed, tally.time_ok) == (1, 1)
    assert tally.header_ok == 1
    assert (tally.full_errors, tally.base_errors) == (0, 1)
    assert tally.misses and "Go away" in tally.misses[0]


def test_call_rows_score_their_fields() -> None:
    truth = truth_of(
        [
            {
                "direction": "incoming",
                "text": "Mum",
                "shown_time": "Yesterday",
                "bbox": [0, 0, 1080, 150],
                "sender": None,
                "call": "missed",
                "count": 3,
            }
        ],
        kind="call_list",
        header="Recents",
    )
    right = Message(
        direction="incoming",
        text="Mum",
        shown_time="Yesterday",
        bbox=(0, 0, 1080, 150),
        call="missed",
        count=3,
    )
    wrong = Message(
        direction="incoming",
        text="Mum",
        shown_time="Yesterday",
        bbox=(0, 0, 1080, 150),
        call="missed",
        count=None,
    )
    for message, ok in ((right, 1), (wrong, 0)):
        layout = Layout(kind="call_list", header=None, messages=(message,), text="", words=(), settings={})
        tally = score(truth, layout)
        assert (tally.fields, tally.fields_ok, tally.header_ok) == (1, ok, 0)


def test_targets_and_table() -> None:
    good = Tally(images=1, msg_errors=1, msg_length=200, expected=100, found=99, direction_ok=99)
    bad = Tally(images=1, msg_errors=5, msg_length=200, expected=100, found=90, direction_ok=80)
    assert missed_targets({"light": good}) == []
    missed = missed_targets({"light": good, "dark": bad})
    assert missed[0].startswith("dark: message CER 2.5%")
    assert any("found" in m for m in missed) and any("direction" in m for m in missed)
    rendered = table({"light": good, "dark": bad})
    assert "| light | 1 |" in rendered and "| **all** | 2 |" in rendered and "189/200 (94.5%)" in rendered


def test_write_results_replaces_only_its_section(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    results = tmp_path / "RESULTS.md"
    results.write_text(
        "# Benchmark results\n\n## Verify\n\nfast\n\n## OCR accuracy\n\nold table\n\n## Later\n\nkept\n"
    )
    monkeypatch.setattr("bench.ocr_accuracy.RESULTS", results)
    write_results("new table")
    text = results.read_text()
    assert "old table" not in text and "new table" in text
    assert text.index("## Verify") < text.index("new table") < text.index("## Later") and "kept" in text
    results.write_text("# Benchmark results\n")
    write_results("first")
    assert results.read_text() == "# Benchmark results\n\n## OCR accuracy\n\nfirst\n"


def test_run_scores_a_perfect_reader_as_perfect(tmp_path: Path) -> None:
    """The whole harness (generation, reading, scoring) with a stand-in that returns the ground truth."""

    def perfect(image: object, *, name: str) -> Layout:
        truth = load_truth(tmp_path / name)
        messages = tuple(
            Message(
                direction=m["direction"],
                text=m["text"],
                shown_time=m["shown_time"],
                bbox=tuple(m["bbox"]),
                sender=m["sender"],
                call=m["call"],
                count=m["count"],
            )
            for m in truth["messages"]
        )
        return Layout(truth["kind"], truth["header"], messages, truth["text"], (), {})

    tallies, by_app = run(tmp_path, 1, 5, perfect, with_baseline=False)
    assert sorted(tallies) == sorted(CATEGORIES) and all(t.images == 1 for t in tallies.values())
    assert missed_targets(tallies) == []
    assert sum(t.images for t in by_app.values()) == len(CATEGORIES)
    for t in tallies.values():
        assert t.expected > 0 and t.found == t.expected == t.direction_ok
        assert t.full_errors == t.msg_errors == 0 and t.time_ok == t.timed and t.header_ok == 1
        assert t.fields_ok == t.fields


def test_verdict_and_seed_sets_kept_apart() -> None:
    good = Tally(images=1, msg_errors=1, msg_length=200, expected=100, found=99, direction_ok=99)
    bad = Tally(images=1, msg_errors=5, msg_length=200, expected=100, found=99, direction_ok=99)
    assert verdict({"light": good}).endswith("all met.")
    assert "missed: light: message CER 2.5% > 1%." in verdict({"light": bad})
    with pytest.raises(SystemExit) as refused:
        main(["--seed", "3", "--heldout-seed", "3"])
    assert refused.value.code == 2
