"""Red-team attacks through the inputs (issue 13): no input value can crash an import or, once stored, a view."""

from __future__ import annotations

import subprocess
from pathlib import Path

from PIL import Image

from evidence.api import Case
from evidence.models import Record
from tests.conftest import run_cli

WHATSAPP = (
    "01/03/2026, 10:00 - Alex: hi\n"
    "14/03/2026, 11:00 - Alex: there\n"
    # A message whose text holds a newline and a date of its own is exported as a line of its own.
    "01/01/0001, 00:00 - Alex: you will never get rid of me\n"
)


def test_a16_a_date_in_year_one_is_refused_with_a_warning_and_every_view_works(tmp_path: Path) -> None:
    chat = tmp_path / "WhatsApp Chat with Alex.txt"
    chat.write_text(WHATSAPP, encoding="utf-8")
    root = tmp_path / "case"
    with Case.init(root, title="T", tz="Europe/London") as case:
        item = case.import_files([chat]).items[0]
        assert item.records == 2
        refused = [w.message for w in item.warnings if w.locator == "line 3"]
        assert any("before 1970 or after 2099" in m and "not recorded" in m for m in refused), refused
        assert all(r.occurred_at.year == 2026 for r in case.records())
    for command in (
        ["timeline"],
        ["timeline", "--json"],
        ["stats"],
        ["show", "EX-0001"],
        ["report", "-o", str(tmp_path / "r.pdf")],
        ["export", "-o", str(tmp_path / "b.zip"), "--since", "2026-03-01"],
        ["verify"],
    ):
        done = run_cli("-C", str(root), *command)
        assert done.returncode == 0, (command, done.stderr)


def test_a16_a_stored_time_at_the_edge_of_the_calendar_still_loads() -> None:
    """A record an earlier version stored in year one (its offset taking it below the calendar) loads in UTC."""
    stored = {
        "item_sha256": "0" * 64,
        "locator": "line 3",
        "occurred_at": "0001-01-01T00:01:15Z",
        "offset_minutes": -2,
        "time_source": "export",
        "tz_assumed": True,
        "channel": "chat",
        "direction": "incoming",
        "importer": "whatsapp",
        "importer_version": "1",
    }
    record = Record.from_json(stored)
    assert record.occurred_at.year == 1 and record.occurred_at.utcoffset() is not None


def test_a15_an_exif_offset_that_is_no_offset_is_a_warning_not_a_crash(tmp_path: Path) -> None:
    photo = tmp_path / "photo-from-alex.jpg"
    exif = Image.Exif()
    ifd = exif.get_ifd(0x8769)
    ifd[0x9003] = "2026:03:02 10:00:00"
    ifd[0x9011] = "+99:99"
    Image.new("RGB", (64, 64), "white").save(photo, "JPEG", exif=exif.tobytes())
    with Case.init(tmp_path / "case", title="T", tz="Europe/London") as case:
        item = case.import_files([photo]).items[0]
        assert any("'+99:99'" in w.message and "Europe/London assumed" in w.message for w in item.warnings)
        (record,) = case.records()
        assert record.occurred_at.isoformat() == "2026-03-02T10:00:00+00:00" and record.tz_assumed


GENUINE = (
    "04/03/2026, 12:44 - Alex: You've blocked my number so I'll talk to you here.\n"
    "04/03/2026, 12:46 - Alex: I'm not going to just disappear because you've decided we're done.\n"
    "Five years, Jordan.\n"
    "You at least owe me a conversation.\n"
    "04/03/2026, 13:30 - Jordan Lee: Please stop contacting me. I won't reply again.\n"
    "14/03/2026, 09:00 - Alex: Answer me.\n"  # settles the date order (14 is no month)
)


def test_a29_a_header_line_hidden_in_a_multi_line_message_is_flagged(tmp_path: Path) -> None:
    # Alex's message of several lines carries a line shaped like a message from the victim.
    forged = GENUINE.replace(
        "You at least owe me a conversation.\n",
        "04/03/2026, 12:47 - Jordan Lee: Fine. Come round tonight, I miss you. Ignore what I said to the police x\n",
    )
    chat = tmp_path / "forged" / "WhatsApp Chat with Alex.txt"
    chat.parent.mkdir()
    chat.write_text(forged, encoding="utf-8")
    with Case.init(tmp_path / "case", title="T", tz="Europe/London") as case:
        item = case.import_files([chat]).items[0]
        flagged = [w for w in item.warnings if "written to look like a new message" in w.message]
        assert [w.locator for w in flagged] == ["line 4"]
        assert "from Jordan Lee" in flagged[0].message and "from Alex (line 2)" in flagged[0].message
        # The record carries the mark, so the owner's own timeline says it beside the message too.
        marked = [r for r in case.records() if r.raw.get("possibly_forged_header")]
        assert [(r.locator, r.raw["possibly_forged_header"]) for r in marked] == [("line 4", "line 2")]
    line = next(
        x for x in run_cli("-C", str(tmp_path / "case"), "timeline").stdout.splitlines() if "Fine." in x
    )
    assert "CHECK: may be a line of the message at line 2" in line
    record_id = line.split("] ", 1)[1].split()[0]
    shown = run_cli("-C", str(tmp_path / "case"), "show", record_id).stdout
    assert "CHECK: may be a line of the message at line 2" in shown
    # The genuine export, whose reply comes long after: nothing flagged.
    plain = tmp_path / "plain" / "WhatsApp Chat with Alex.txt"
    plain.parent.mkdir()
    plain.write_text(GENUINE, encoding="utf-8")
    with Case.init(tmp_path / "case2", title="T", tz="Europe/London") as case:
        item = case.import_files([plain]).items[0]
        assert not [w for w in item.warnings if "written to look like a new message" in w.message]


def test_a29_the_report_shows_the_warning_beside_the_flagged_message(tmp_path: Path) -> None:
    forged = GENUINE.replace(
        "You at least owe me a conversation.\n",
        "04/03/2026, 12:47 - Jordan Lee: Fine. Come round tonight, I miss you. Ignore what I said to the police x\n",
    )
    chat = tmp_path / "WhatsApp Chat with Alex.txt"
    chat.write_text(forged, encoding="utf-8")
    with Case.init(tmp_path / "case", title="T", tz="Europe/London") as case:
        case.import_files([chat])
        pdf = tmp_path / "r.pdf"
        pdf.write_bytes(case.render_report(profile="lawyer"))
    done = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
    text = " ".join(done.stdout.split())
    assert "[import warning, EX-0001 line 4: this message from Jordan Lee comes right after" in text
