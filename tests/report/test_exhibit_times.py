"""Phone-side times of a whole exhibit (issue 14, finding 9): what the phone or app wrote of when it made the
file, read from real files written by others (the corpus: devadvance's SMS Backup & Restore backups, the
time-cockpit calls example, mlomb's and whatsjson's WhatsApp zips), and shown in a report's Exhibits section,
labelled as written and not verified. Expected values read by eye (``head``, ``zipinfo -T``)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from evidence.api import Case
from evidence.models import ImportOptions
from evidence.report.exhibit_times import LABEL, of_exhibit, of_iphone_backup
from evidence.timeutil import zone

LONDON = zone("Europe/London")


def test_an_sms_backups_backup_date_is_shown_in_the_case_zone(corpus: Path) -> None:
    data = (corpus / "smsbackup" / "sms-devadvance-sms_small.xml").read_bytes()
    # backup_date="1721556032311": 2024-07-21 10:00:32 UTC (date -u -d @1721556032), summer time in London.
    (line,) = of_exhibit(data, LONDON, "Europe/London")
    assert line.startswith("backup made 2024-07-21 11:00:32 +01:00 (the backup_date the app wrote")


def test_a_placeholder_backup_date_is_not_read_as_a_time(corpus: Path) -> None:
    # time-cockpit's documentation example writes backup_date="..." (not a number): nothing to show.
    data = (corpus / "smsbackup" / "calls-timecockpit-doc-example.xml").read_bytes()
    assert of_exhibit(data, LONDON, "Europe/London") == []


def test_a_whatsapp_zips_member_date_is_the_phones_wall_clock_with_the_zone_assumed(corpus: Path) -> None:
    # zipinfo -T: _chat.txt 20230131.141202 (a zip stores no zone: winter, so +00:00 in London).
    data = (corpus / "whatsapp" / "chatanalytics-4A_11M.zip").read_bytes()
    assert of_exhibit(data, LONDON, "Europe/London") == [
        "_chat.txt dated 2023-01-31 14:12:02 +00:00 (zone assumed: Europe/London) in the zip "
        "(the exporting phone's wall clock)"
    ]
    ios = (corpus / "whatsapp-real" / "whatsjson-ios-WhatsApp Chat - Elon Musk (RU).zip").read_bytes()
    (line,) = of_exhibit(ios, zone("Europe/Moscow"), "Europe/Moscow")
    assert line.startswith("_chat.txt dated 2023-01-08 00:08:42 +03:00 (zone assumed: Europe/Moscow)")


def test_an_iphone_backups_date_comes_from_its_records() -> None:
    raw = {"backup": {"backup_date": "2026-04-15T08:30:00Z", "device_name": "iPhone"}}
    assert of_iphone_backup(raw, LONDON) == [
        "backup made 2026-04-15 09:30:00 +01:00 (Info.plist's Last Backup Date, written by the iPhone)"
    ]
    assert of_iphone_backup({}, LONDON) == []


def test_the_exhibits_section_shows_them_labelled_as_written(corpus: Path, tmp_path: Path) -> None:
    files = [
        corpus / "smsbackup" / "sms-devadvance-sms_small.xml",
        corpus / "whatsapp" / "chatanalytics-4A_11M.zip",
    ]
    with Case.init(tmp_path / "case", title="Phone-side times", tz="Europe/London") as case:
        case.import_files(files, options=ImportOptions(tz="Europe/London", date_order="MDY"))
        pdf = case.render_report(profile="lawyer")
    out = tmp_path / "r.pdf"
    out.write_bytes(pdf)
    text = " ".join(
        subprocess.run(
            ["pdftotext", "-raw", str(out), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    exhibits = text[text.index("EX-0001 ") :]
    assert f"{LABEL} backup made 2024-07-21 11:00:32 +01:00" in " ".join(exhibits.split())
    assert "_chat.txt dated 2023-01-31 14:12:02 +00:00 (zone assumed: Europe/London) in the zip" in exhibits
