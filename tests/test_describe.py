"""The one-line descriptions of ledger entries shared by `evidence log` and the report's chain of custody."""

from __future__ import annotations

import pytest

from evidence.describe import describe, exact_size, human_size

KINDS = [
    "case.created",
    "item.acquired",
    "records.derived",
    "ocr.derived",
    "person.added",
    "person.linked",
    "person.unlinked",
    "case.updated",
    "record.relayed",
    "tactic.reviewed",
    "report.generated",
    "export.created",
    "checkpoint.signed",
    "key.certificate",
    "anchor.timestamped",
]


@pytest.mark.parametrize("kind", KINDS)
def test_every_known_kind_has_its_own_words_even_with_an_empty_body(kind: str) -> None:
    line = describe(kind, {})
    assert line and "\n" not in line
    assert not line.startswith(f"{kind}: {{")  # not the fallback for unknown kinds


def test_an_unknown_kind_shows_its_kind_and_the_start_of_its_body() -> None:
    assert describe("future.kind", {"b": 1, "a": "x"}) == 'future.kind: {"a": "x", "b": 1}'


def test_identifiers_sizes_and_checkpoints_are_named() -> None:
    linked = {
        "name": "Alex Morgan",
        "identity": {"raw": "07700 900789"},
        "confidence": "suspected",
        "basis": "b",
    }
    assert describe("person.linked", linked).startswith("07700 900789 linked to Alex Morgan (suspected)")
    acquired = {"exhibit": "EX-0001", "original_name": "a.eml", "size": 1_234_567, "sha256": "ab" * 32}
    assert "1.2 MB" in describe("item.acquired", acquired)
    assert "1,234,567 bytes" in describe("item.acquired", acquired, size=exact_size)
    assert describe("checkpoint.signed", {"note": "case\n42\nroot=\n"}).endswith("entries 1-42")
    assert human_size(999) == "999 bytes" and human_size(1000) == "1.0 KB"
