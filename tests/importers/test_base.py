"""Nothing lost in silence (issue 16): every importer's tally adds up on real files and on files with a few
broken items, and the import refuses an item of which nothing was read and names what a partly read one lost."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evidence.api import Case
from evidence.errors import ExitCode, InputError
from evidence.importers import REGISTRY, SNIFF_BYTES, find_importer
from evidence.importers.base import Importer, Yielded
from evidence.importers.diary import diary_document
from evidence.models import ImportOptions
from tests.conftest import DATA, run_cli
from tests.importers.helpers import source_for, tally_of

LONDON = ImportOptions(tz="Europe/London")
MEDIA = {".xml": "text/xml", ".json": "application/json", ".html": "text/html", ".msg": "application/x-ole"}


def _parse(path: Path, options: ImportOptions = LONDON, name: str | None = None) -> tuple[str, list[Yielded]]:
    """The importer the registry picks for ``path`` (or the one called ``name``) and everything it yields."""
    source = source_for(path, MEDIA.get(path.suffix, "text/plain"))
    importer = find_importer(path.read_bytes()[:SNIFF_BYTES], source)
    if name is not None:
        importer = next(cls() for cls in REGISTRY if cls.name == name)
    assert importer is not None, path
    return importer.name, list(importer.parse(source, options))


# Real files written by others (../shared/corpus), one or more per importer: (importer, unit, seen, made),
# counted by looking at the files (XML elements, CSV data rows, mbox postmarks, JSON messages, HTML
# div.message blocks, non-empty lines).
CORPUS: dict[str, tuple[str, str, int, int]] = {
    "smsbackup/sms-devadvance-sms_and_mms.xml": ("smsbackup", "elements", 50, 49),  # the 50th is cut off
    "smsbackup/calls-timecockpit-doc-example.xml": ("smsbackup", "elements", 4, 4),
    "imazing/imazingtosbr-call_history_basic.csv": ("csvlog", "rows", 4, 4),
    "imazing/imazingtosbr-call_history_empty.csv": ("csvlog", "rows", 0, 0),
    "email/mimekit-issue1189.mbox": ("email", "messages", 4, 4),
    "email/cpython-mailbox_01.mbox": ("email", "messages", 1, 1),  # its "From time to time" is body text
    "email/hunnysoft-m0001.eml": ("email", "messages", 1, 1),
    "msg/msgreader-sent.msg": ("outlookmsg", "messages", 1, 1),
    "facebook/chatanalytics-messenger-2A_7M.json": ("facebook", "messages", 7, 7),
    "googlevoice/Takeout/Google Chat/Groups/Space AAAAdvGdRgs/messages.json": (
        "googlechat",
        "messages",
        5,
        5,
    ),
    "googlevoice/Takeout/Voice/Calls/Group Conversation - 2023-10-01T19_34_50Z.html": (
        "googlevoice",
        "messages",
        20,
        20,
    ),
    "googlevoice/Takeout/Voice/Calls/ - Placed - 2013-07-29T20_56_11Z.html": ("googlevoice", "calls", 1, 1),
    "signal/chatminer-test_export.txt": ("signal", "lines", 3, 3),  # two messages, the second on two lines
    "telegram/chatanalytics-MultiChat_2C_6M.json": ("telegram", "messages", 6, 6),  # 2 + 4 in two chats
}


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_real_files_add_up(corpus: Path, name: str) -> None:
    importer, items = _parse(corpus / name)
    tally = tally_of(items)
    assert (importer, tally.unit, tally.seen, tally.made) == CORPUS[name]


# Files with a few broken items: (importer, unit, seen, made, where the skipped units are).
BROKEN: dict[str, tuple[str, str, int, int, list[str]]] = {
    # sms 5 is dated 2200: the importer makes it, the import refuses it (test_a_partly_read_item_...).
    "smsbackup/broken_items.xml": ("smsbackup", "elements", 6, 3, ["sms 2", "sms 3", "note 1"]),
    # Row 6 is blank (not a row); row 4's unreadable duration and row 5's extra field are kept.
    "csvlog/malformed_rows.csv": ("csvlog", "rows", 6, 3, ["row 2", "row 3", "row 7"]),
    "email/middle_message_undated.mbox": ("email", "messages", 3, 2, ["message 2 of the mbox"]),
    "email/no_date_anywhere.eml": ("email", "messages", 1, 0, ["message"]),
    "facebook/bom_mojibake_call_unsent.json": ("facebook", "messages", 7, 6, ["message 5"]),
    "googlechat/bad_dates.json": ("googlechat", "messages", 3, 1, ["message 2", "message 3"]),
    "googlevoice/bad_times.html": ("googlevoice", "messages", 3, 1, ["message 1", "message 2"]),
    # Line 1 is before the first message; lines 2-3 and 4 are messages with impossible times; 5, 6-7 read.
    "signal/impossible_dates_and_orphans.txt": (
        "signal",
        "lines",
        7,
        3,
        ["line 1", "line 2", "line 3", "line 4"],
    ),
    "telegram/broken_messages.json": (
        "telegram",
        "messages",
        4,
        1,
        ["chat Alex message #2", "chat Alex message 3", "chat Alex message 4"],
    ),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_items_are_counted_and_named(name: str) -> None:
    # The Signal file starts with a line before its first message, so it is read by name, not recognised.
    importer, items = _parse(DATA / name, name=BROKEN[name][0])
    tally = tally_of(items, every_skip_warned=importer != "signal")
    assert (importer, tally.unit, tally.seen, tally.made, [s.where for s in tally.skipped]) == BROKEN[name]


def test_diary_entries_add_up(tmp_path: Path) -> None:
    path = tmp_path / "diary.json"
    good = {"incident_at": "2026-03-14T21:30:00+00:00", "written_at": "2026-03-15T08:00:00Z", "text": "x"}
    path.write_bytes(
        diary_document([good, {**good, "text": " "}, {**good, "incident_at": "last week"}, good])
    )
    importer, items = _parse(path)
    tally = tally_of(items)
    assert (importer, tally.unit, tally.seen, tally.made) == ("diary", "entries", 4, 2)
    assert [s.where for s in tally.skipped] == ["entry 2", "entry 3"]


def test_a_picture_is_one_unit_whatever_its_bubbles(corpus: Path, tmp_path: Path) -> None:
    from PIL import Image

    # With a time of last resort the picture always makes its record; its bubbles are records beyond it.
    options = ImportOptions(tz="Europe/London", acquired_at="2026-05-01T10:00:00+00:00")
    importer, items = _parse(corpus / "screenshots" / "fossify-1_en-US.png", options)
    tally = tally_of(items)
    assert (importer, tally.unit, tally.seen, tally.made, tally.skipped) == (
        "screenshot",
        "pictures",
        1,
        1,
        (),
    )
    # Outside an import (no time of last resort) and with no time in it, it is one unit skipped.
    undated = tmp_path / "picture.png"
    Image.new("RGB", (64, 48), "white").save(undated)
    _, items = _parse(undated)
    assert [(s.where, s.why) for s in tally_of(items).skipped] == [
        ("image", "no time in the EXIF data or the file name; no timeline record")
    ]


def test_every_importer_keeps_a_count() -> None:
    counted = {cls.name for cls in REGISTRY if _yields_a_tally(cls)}
    assert counted == {cls.name for cls in REGISTRY}


def _yields_a_tally(cls: type[Importer]) -> bool:
    """Whether the importer's module names Tally (it yields one, itself or through ``counted``)."""
    import inspect

    text = inspect.getsource(inspect.getmodule(cls))  # type: ignore[arg-type]
    return any(name in text for name in ("Tally(", "Tallying(", "counted(", ".shared("))


# -- through the import ---------------------------------------------------------------------------------------


def test_an_item_of_which_nothing_was_read_is_refused(case: Case, corpus: Path) -> None:
    head = case.head()
    with pytest.raises(InputError) as caught:
        case.import_files([corpus / "smsbackup" / "sms-fkleon-invalidSms2.xml"])
    assert caught.value.exit_code == ExitCode.INPUT
    assert caught.value.one_line() == (
        "sms-fkleon-invalidSms2.xml: nothing in it could be read; its one element was skipped: "
        "sms 1 (<sms> has no usable time; skipped)"
    )
    assert case.head() == head  # nothing recorded


def test_an_empty_export_is_not_an_error(case: Case, corpus: Path) -> None:
    (item,) = case.import_files([corpus / "smsbackup" / "sms-devadvance-empty.xml"]).items
    assert item.records == 0 and item.tally is not None and (item.tally.seen, item.tally.made) == (0, 0)
    assert item.warnings == ()


def test_a_partly_read_item_says_how_much_and_where_in_one_warning(case: Case) -> None:
    (item,) = case.import_files([DATA / "smsbackup" / "broken_items.xml"]).items
    assert item.records == 2
    assert item.tally is not None and (item.tally.seen, item.tally.made) == (6, 2)
    # The record dated 2200 made by the importer and refused by the import is a skipped unit too.
    assert [s.where for s in item.tally.skipped] == ["sms 2", "sms 3", "note 1", "sms 5"]
    assert item.tally.skipped[-1].why == "time before 1970 or after 2099"
    assert item.warnings[0].locator == "file"
    assert item.warnings[0].message == (
        "4 of 6 elements not read: sms 2 (<sms> has no usable time; skipped), sms 3 (empty <sms/> element "
        "(no attributes) skipped), note 1 (unexpected <note> element skipped), and 1 more (each warned)"
    )
    assert sum("not read" in w.message for w in item.warnings) == 1


def test_a_whatsapp_export_is_counted_in_lines(case: Case, corpus: Path) -> None:
    (item,) = case.import_files([corpus / "whatsapp" / "chatanalytics-2A_5M.txt"]).items
    assert (item.importer, item.records) == ("whatsapp", 5)
    assert item.tally is not None and (item.tally.unit, item.tally.seen, item.tally.made) == ("lines", 5, 5)


def test_the_cli_says_how_much_was_read(tmp_path: Path, corpus: Path) -> None:
    case_dir = tmp_path / "case"
    assert run_cli("init", "--plain", str(case_dir), "--title", "t", "--tz", "Europe/London").returncode == 0
    done = run_cli("-C", str(case_dir), "import", str(DATA / "csvlog" / "malformed_rows.csv"))
    assert done.returncode == 0, done.stderr
    assert "read as csvlog: 3 of 6 rows read, 3 records, 6 warnings" in done.stdout
    assert (
        "warning: file: 3 of 6 rows not read: row 2 (row has 3 fields, the header 7; skipped)" in done.stdout
    )
    refused = run_cli("-C", str(case_dir), "import", str(corpus / "smsbackup" / "sms-fkleon-invalidSms2.xml"))
    assert refused.returncode == ExitCode.INPUT
    assert refused.stderr.startswith(
        "error: sms-fkleon-invalidSms2.xml: nothing in it could be read; its one"
    )
    again = run_cli("-C", str(case_dir), "import", "--json", str(DATA / "smsbackup" / "broken_items.xml"))
    (item,) = json.loads(again.stdout)["items"]
    assert item["read"]["unit"] == "elements" and (item["read"]["seen"], item["read"]["made"]) == (6, 2)
