"""The imessage-exporter text importer. ``txt-rs-*.txt`` are the exporter's own expected outputs, copied
verbatim from the tests of imessage-exporter/src/exporters/txt.rs; the other files are small defects written
here (tests/data/iphone/README.md)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evidence.errors import InputError
from evidence.importers.base import Skip
from evidence.importers.iphone_imessage_txt import IMessageExporterTxtImporter
from evidence.models import Direction, ImportOptions
from tests.importers.helpers import Parsed, source_for, tally_of

DATA = Path(__file__).resolve().parents[1] / "data" / "iphone" / "imessage-exporter"


def parse(name: str, tz: str = "America/Los_Angeles") -> Parsed:
    source = source_for(DATA / name)
    return Parsed(list(IMessageExporterTxtImporter().parse(source, ImportOptions(tz=tz))))


def test_the_exporters_own_outputs_read_with_sides_and_notes() -> None:
    parsed = parse("txt-rs-expected-outputs.txt")
    got = [(r.locator, r.direction, r.sender, r.text) for r in parsed.records]
    assert got == [
        ("line 1", Direction.OUTGOING, None, "Hello world"),
        ("line 5", Direction.OUTGOING, None, "Hello world"),
        ("line 10", Direction.OUTGOING, None, "Hello world"),
        ("line 14", Direction.INCOMING, "Sample Contact", "Hello world"),
        ("line 18", Direction.INCOMING, "Sample Contact", "Hello world"),
        ("line 22", Direction.OUTGOING, None, "SharePlay Message\nEnded"),
        ("line 27", Direction.OUTGOING, None, "You renamed the conversation to Hello world"),
    ]
    assert parsed.warnings == []
    first = parsed.at("line 1")
    assert first.occurred_at.isoformat() == "2022-05-17T17:29:42-07:00"
    assert first.tz_assumed and first.recipients == ("Sample Contact",)
    deleted = parsed.at("line 5")
    assert deleted.raw["deleted"] is True and deleted.status == "deleted"
    assert parsed.at("line 10").raw["read_by"] == "them"
    assert parsed.at("line 27").raw["kind"] == "system"


def test_a_custom_owner_name_is_learnt_from_the_read_note() -> None:
    parsed = parse("txt-rs-custom-name.txt")
    assert [(r.direction, r.sender) for r in parsed.records] == [
        (Direction.INCOMING, "Sample Contact"),
        (Direction.OUTGOING, None),  # "Name renamed …": Name read the message above, so Name is the owner
    ]


def test_a_message_with_an_empty_line_stays_one_message() -> None:
    parsed = parse("multiline-message.txt", tz="Europe/London")
    (asked, answered) = parsed.records
    assert asked.text == "Are we still on?\n\nAt six, I mean."
    assert asked.sender == "+15558675309" and asked.direction is Direction.INCOMING
    assert answered.text == "Yes, at six.\nBring the cake."
    assert answered.recipients == ("+15558675309",)
    assert asked.occurred_at.isoformat() == "2023-03-01T14:05:31+00:00"


def test_a_time_line_without_a_sender_is_counted_as_skipped() -> None:
    parsed = parse("truncated-after-time-line.txt")
    assert len(parsed.records) == 2
    assert parsed.warnings == []  # the import words the count (tests/importers/test_base.py)
    tally = tally_of(parsed.items, every_skip_warned=False)
    assert (tally.unit, tally.seen, tally.made) == ("messages", 3, 2)
    assert tally.skipped == (Skip("line 9", "a time line with no sender after it"),)


def test_sides_are_unknown_when_no_message_is_marked_as_the_owners() -> None:
    parsed = parse("no-owner-marked.txt")
    assert {r.direction for r in parsed.records} == {Direction.UNKNOWN}
    assert parsed.messages()[0].startswith("no message is marked as the owner's")


def test_sniff_and_a_file_with_no_message(tmp_path: Path) -> None:
    importer = IMessageExporterTxtImporter()
    path = DATA / "txt-rs-expected-outputs.txt"
    assert importer.sniff(path.read_bytes(), source_for(path))
    whatsapp = b"[1/2/24, 9:41:05 PM] Alice: Lunch on the 13th?\n"
    other = tmp_path / "chat.txt"
    other.write_bytes(whatsapp)
    assert not importer.sniff(whatsapp, source_for(other))
    with pytest.raises(InputError, match="no message understood"):
        list(importer.parse(source_for(other), ImportOptions(tz="UTC")))


@given(
    st.lists(
        st.sampled_from(["May 17, 2022  5:29:42 PM", "Me", "Sample Contact", "", "hello", "    x"]),
        max_size=30,
    )
)
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_arrangement_of_lines_reads_or_fails_with_one_input_error(
    tmp_path: Path, lines: list[str]
) -> None:
    path = tmp_path / "chat.txt"
    path.write_text("\n".join(lines))
    try:
        parsed = Parsed(list(IMessageExporterTxtImporter().parse(source_for(path), ImportOptions(tz="UTC"))))
    except InputError:
        return
    stamps = sum(1 for line in lines if line.startswith("May"))
    assert len(parsed.records) <= stamps
