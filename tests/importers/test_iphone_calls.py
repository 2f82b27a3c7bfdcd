"""The iPhone CallHistory.storedata importer, on the call history of ``built-backup`` (Apple's real schema,
six calls written by ``build_backup.py``; tests/data/iphone/README.md)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from evidence.errors import InputError
from evidence.importers.base import Skip
from evidence.importers.iphone_calls import IphoneCallsImporter
from evidence.models import Channel, Direction, ImportOptions
from tests.importers.helpers import Parsed, source_for, tally_of

DATA = Path(__file__).resolve().parents[1] / "data" / "iphone"
CALLS = DATA / "built-backup" / "5a" / "5a4935c78a5255723f707230a451d79c540d2741"


def parse(path: Path) -> Parsed:
    return Parsed(list(IphoneCallsImporter().parse(source_for(path), ImportOptions(tz="Europe/London"))))


def test_calls_read_with_direction_status_and_duration() -> None:
    parsed = parse(CALLS)
    got = [(r.locator, r.direction, r.app, r.status, r.duration_s) for r in parsed.records]
    assert got == [
        ("call 1", Direction.INCOMING, "phone", "answered", 65),
        ("call 2", Direction.INCOMING, "phone", "missed", 0),
        ("call 3", Direction.OUTGOING, "phone", "dialled, not answered", 0),
        ("call 4", Direction.OUTGOING, "FaceTime video", "answered (connected)", 120),
        ("call 5", Direction.INCOMING, "FaceTime audio", "answered", 30),
    ]
    assert all(r.channel is Channel.CALL for r in parsed.records)


def test_parties_times_and_a_blob_address() -> None:
    parsed = parse(CALLS)
    first = parsed.at("call 1")
    assert first.sender == "+17038296071" and first.recipients == ()
    assert first.occurred_at.isoformat() == "2020-01-10T12:00:00+00:00"
    facetime = parsed.at("call 4")  # ZADDRESS stored as a UTF-8 BLOB
    assert facetime.sender is None and facetime.recipients == ("tracysumtwelve@gmail.com",)
    assert facetime.raw["ZDURATION"] == "120.4"
    hidden = parsed.at("call 5")
    assert hidden.sender == "(unknown)" and "withheld" in hidden.raw["hidden_number"]


def test_a_call_without_a_date_is_counted_as_skipped() -> None:
    parsed = parse(CALLS)
    assert parsed.warnings == []  # the import words the count (tests/importers/test_base.py)
    tally = tally_of(parsed.items, every_skip_warned=False)
    assert (tally.unit, tally.seen, tally.made) == ("calls", 6, 5)
    assert tally.skipped == (Skip("call 6", "ZDATE None is not a time"),)


def test_a_store_with_no_dated_call_is_an_error(tmp_path: Path) -> None:
    copy = tmp_path / "CallHistory.storedata"
    shutil.copyfile(CALLS, copy)
    conn = sqlite3.connect(copy)
    conn.execute("UPDATE ZCALLRECORD SET ZDATE = NULL")
    conn.commit()
    conn.close()
    with pytest.raises(
        InputError, match="no call read: 6 rows in table 'ZCALLRECORD', none with a usable date"
    ):
        parse(copy)
    conn = sqlite3.connect(copy)
    conn.execute("DELETE FROM ZCALLRECORD")
    conn.commit()
    conn.close()
    with pytest.raises(InputError, match="no call read: 0 rows"):
        parse(copy)
