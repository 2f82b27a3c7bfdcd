"""Date separators written out in full date the bubbles below them (issue 15, session 7): MessageKit's group
chat under "Sat, 13 Apr, 10:09 AM" and "Sat, 13 Apr, 10:38 PM" (a real picture written by others, kept in
``tests/data/screenshots-real`` with the collector's expected values in ``expected-heldout1.json``), and the
forms of ``resolve_shown`` those separators and mail screens show.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from bench.ocr_real import ACQUIRED, fold
from evidence.importers._screenshot_messages import resolve_shown
from evidence.importers.base import Source
from evidence.importers.screenshot import ScreenshotImporter
from evidence.models import ImportOptions, Record, TimeSource

DATA = Path(__file__).resolve().parent.parent / "data" / "screenshots-real"
PICTURE = "messagekit-ExampleB.png"
EXPECTED: dict[str, Any] = json.loads((DATA / "expected-heldout1.json").read_text(encoding="utf-8"))[
    "pictures"
][PICTURE]


def _messages(name: str) -> list[Record]:
    """The message records of the picture imported under the file name ``name`` (case zone UTC)."""
    path = DATA / PICTURE
    data = path.read_bytes()
    source = Source(
        path=path, name=name, sha256=hashlib.sha256(data).hexdigest(), size=len(data), media_type="image"
    )
    out = ScreenshotImporter().parse(source, ImportOptions(tz="UTC", acquired_at=ACQUIRED))
    return [r for r in out if isinstance(r, Record) and "#" in r.locator]


def test_full_date_separators_date_the_bubbles_below_them() -> None:
    """Under the phone's file name (taken on 20 April 2024), the bubbles below "Sat, 13 Apr, 10:38 PM" are of
    13 April 2024 (the latest 13 April that was a Saturday), at the separator's minute (they show none)."""
    records = _messages("Screenshot_20240420-120000.png")
    text = next(m["text"] for m in EXPECTED["messages"] if m["kind"] == "text")
    (late,) = [r for r in records if r.text and fold(r.text) == fold(text)]
    assert late.raw["day_shown"] == "Sat, 13 Apr, 10:38 PM"
    assert late.occurred_at == datetime(2024, 4, 13, 22, 38, tzinfo=UTC)
    assert late.time_source is TimeSource.SHOWN_ON_SCREEN and not late.raw.get("date_unknown")
    early = [r for r in records if r.raw.get("day_shown") == "Sat, 13 Apr, 10:09 AM"]
    assert len(early) >= 2 and all(r.occurred_at == datetime(2024, 4, 13, 10, 9, tzinfo=UTC) for r in early)


def test_a_separator_without_its_year_dates_nothing_without_the_pictures_time() -> None:
    """The same picture under its own name (no EXIF time, no date in the name): "Sat, 13 Apr" was a Saturday
    in 2019 and 2024; the import's time must not choose, so the messages are marked date unknown."""
    records = _messages(PICTURE)
    assert records and all(r.raw.get("date_unknown") for r in records)
    assert not any(r.time_source is TimeSource.ACQUIRED and not r.raw.get("date_unknown") for r in records)


def test_the_forms_of_a_date_written_out() -> None:
    shot = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    cases = {
        "Sat, 13 Apr, 10:09 AM": (date(2024, 4, 13), datetime(2024, 4, 13, 10, 9, tzinfo=UTC)),
        "Friday, June 25 7:02 PM": (date(2021, 6, 25), datetime(2021, 6, 25, 19, 2, tzinfo=UTC)),
        "Monday, 20 March 2023": (date(2023, 3, 20), None),
        "April 13, 2024 9:41": (date(2024, 4, 13), datetime(2024, 4, 13, 9, 41, tzinfo=UTC)),
        "Today at 10:09": (date(2026, 12, 7), datetime(2026, 12, 7, 10, 9, tzinfo=UTC)),
        "2024-04-13": (date(2024, 4, 13), None),
        "11 Oct": (date(2026, 10, 11), None),  # the short form, as before
    }
    for shown, (day, moment) in cases.items():
        found = resolve_shown(shown, shot, "UTC")
        assert found is not None and (found.day, found.moment) == (day, moment), shown
    assert resolve_shown("Mon, 30 Feb", shot, "UTC") is None  # no such day in any year
