"""WhatsApp exports dated in the Persian (Solar Hijri) and Islamic (Hijri) calendars (issue 16): converted, and
each record says which calendar its line was written in.

No real export in these calendars was found in public repositories. The lines are built exactly as the app
writes them: iOS's ``[date, time] Sender: text`` with the date and time in the short forms of the Unicode CLDR
(version 48, as ICU 78.2 formats them: ``new Intl.DateTimeFormat("ar-SA-u-ca-islamic-umalqura", {dateStyle:
"short", timeStyle: "medium"})`` and the like), right-to-left marks included. Expected dates by hand: 7
Farvardin 1401 (Nowruz 1401 fell on 21 March 2022) and 24 Sha'ban 1443 in the Umm al-Qura tables are both
27 March 2022 (the day clocks go forward in London: +01:00 from 01:00).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from evidence.importers.whatsapp import WhatsAppImporter
from evidence.models import ImportOptions
from tests.importers.helpers import Parsed, source_for

RLM = "\u200f"


def parse(tmp_path: Path, text: str, date_order: str | None = None) -> Parsed:
    chat = tmp_path / "_chat.txt"
    chat.write_text(text, encoding="utf-8")
    options = ImportOptions(tz="Europe/London", date_order=date_order)
    return Parsed(list(WhatsAppImporter().parse(source_for(chat, "text/plain"), options)))


@pytest.mark.parametrize(
    ("line", "calendar", "order"),
    [
        # en, Persian calendar: 1/7 is as ambiguous as in any one-line month-first export, so the order is given
        ("[1/7/1401 AP, 5:41:35 PM] A: x", "persian", "MDY"),
        ("[۱۴۰۱/۱/۷, ۱۷:۴۱:۳۵] A: x", "persian", None),  # fa-IR: Persian digits, year first, no era
        ("[8/24/1443 AH, 5:41:35 PM] A: x", "islamic", None),  # en, Islamic (Umm al-Qura)
        ("[24/08/1443 AH, 17:41:35] A: x", "islamic", None),  # en-GB
        (f"[٢٤{RLM}/٨{RLM}/١٤٤٣ هـ، ٥:٤١:٣٥ م] A: x", "islamic", None),  # ar-SA: Arabic digits, marks, هـ
    ],
)
def test_a_line_in_either_calendar_is_converted_and_says_so(
    tmp_path: Path, line: str, calendar: str, order: str | None
) -> None:
    parsed = parse(tmp_path, line + "\n", order)
    (record,) = parsed.records
    assert record.occurred_at.isoformat() == "2022-03-27T17:41:35+01:00"
    assert record.raw["calendar"] == calendar
    assert record.sender == "A" and record.text == "x"


def test_an_islamic_export_says_which_islamic_calendar_was_read(tmp_path: Path) -> None:
    text = "[8/24/1443 AH, 5:41:35 PM] A: x\n[9/1/1443 AH, 9:00:00 AM] B: first day of Ramadan\n"
    parsed = parse(tmp_path, text)
    assert [r.occurred_at.date().isoformat() for r in parsed.records] == ["2022-03-27", "2022-04-02"]
    (note,) = [w.message for w in parsed.warnings if "Islamic" in w.message]
    assert "year 1443 AH" in note and "Umm al-Qura" in note and "civil" in note


def test_a_persian_export_over_a_year_end_and_its_leap_day(tmp_path: Path) -> None:
    # 1403 is a leap year of the Persian calendar: 30 Esfand 1403 exists and is 20 March 2025
    text = "[۱۴۰۳/۱۲/۳۰, ۲۳:۵۹:۰۰] A: last day\n[۱۴۰۴/۱/۱, ۰۰:۰۱:۰۰] B: Nowruz\n"
    parsed = parse(tmp_path, text)
    assert [r.occurred_at.isoformat() for r in parsed.records] == [
        "2025-03-20T23:59:00+00:00",
        "2025-03-21T00:01:00+00:00",
    ]
    assert {r.raw["calendar"] for r in parsed.records} == {"persian"}
    assert not [w for w in parsed.warnings if "Islamic" in w.message]


def test_a_date_that_does_not_exist_in_its_calendar_is_skipped_by_line(tmp_path: Path) -> None:
    # 30 Esfand 1401 does not exist (1401 is not a leap year); 30 Sha'ban 1443 not in Umm al-Qura (29 days)
    text = "[۱۴۰۱/۱۲/۳۰, ۱۰:۰۰:۰۰] A: no such day\n[۱۴۰۱/۱۲/۲۹, ۱۰:۰۰:۰۰] A: the last day\n"
    parsed = parse(tmp_path, text)
    assert [r.text for r in parsed.records] == ["the last day"]
    assert any("1401/12/30" in w.message and "does not exist" in w.message for w in parsed.warnings)
    hijri = parse(tmp_path, "[8/30/1443 AH, 10:00:00 AM] A: x\n[8/29/1443 AH, 10:00:00 AM] A: y\n")
    assert [r.text for r in hijri.records] == ["y"]
