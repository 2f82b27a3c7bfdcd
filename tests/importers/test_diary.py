"""Diary entries: incident time as given, written-at time from the system, stored as an exhibit."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from evidence.api import Case
from evidence.errors import UsageError
from evidence.models import Channel, TimeSource
from evidence.verify.case import verify_case
from tests.conftest import run_cli


def test_diary_entry_keeps_incident_and_written_times(case: Case) -> None:
    before = datetime.now(UTC)
    result = case.add_diary_entry(
        when="2026-03-14 21:30",
        text="He was waiting outside the flat when I came home.",
        where="outside 12 Elm Road",
        witness="Sam Patel",
        police_ref="CAD 4521/14MAR26",
    )
    assert result.items[0].exhibit == "EX-0001"
    assert result.items[0].importer == "diary"
    (record,) = case.records()
    assert record.channel is Channel.DIARY
    assert record.time_source is TimeSource.USER
    assert record.tz_assumed is True and record.tz_name == "Europe/London"
    assert record.occurred_at.isoformat() == "2026-03-14T21:30:00+00:00"  # GMT in March before the change
    assert record.raw["police_ref"] == "CAD 4521/14MAR26"
    assert record.raw["witness"] == "Sam Patel"
    written = datetime.fromisoformat(record.raw["written_at"])
    assert before - timedelta(seconds=1) <= written <= datetime.now(UTC)
    stored = json.loads(case.store.read_bytes(result.items[0].sha256))
    assert stored["entries"][0]["text"] == "He was waiting outside the flat when I came home."
    assert verify_case(case.root).ok


def test_summer_time_and_explicit_offsets(case: Case) -> None:
    case.add_diary_entry(
        when="2026-04-02 08:15", text="Post about me shared by two friends.", approximate=True
    )
    case.add_diary_entry(when="2026-04-02T09:00:00-04:00", text="Written while abroad.")
    first, second = case.records()
    assert first.occurred_at.isoformat() == "2026-04-02T08:15:00+01:00"
    assert first.status == "approximate time"
    assert second.occurred_at.utcoffset() == timedelta(hours=-4)
    assert second.tz_assumed is False


def test_bad_diary_input(case: Case) -> None:
    with pytest.raises(UsageError, match="not a date and time"):
        case.add_diary_entry(when="last tuesday", text="x")
    with pytest.raises(UsageError, match="no text"):
        case.add_diary_entry(when="2026-03-14 21:30", text="  ")
    assert case.head().seq == 1


def test_diary_cli(tmp_path: Path) -> None:
    case = tmp_path / "c"
    assert run_cli("init", "--plain", str(case), "--title", "t", "--tz", "Europe/London").returncode == 0
    out = run_cli(
        "-C", str(case), "diary", "add", "--when", "2026-03-14 21:30", "--text", "Twelve missed calls."
    )
    assert out.returncode == 0, out.stderr
    assert "EX-0001  diary entry recorded" in out.stdout
    timeline = json.loads(run_cli("-C", str(case), "timeline", "--json").stdout)
    assert timeline[0]["channel"] == "diary"
    assert timeline[0]["occurred_at"] == "2026-03-14T21:30:00+00:00"
    assert timeline[0]["exhibit"] == "EX-0001"
