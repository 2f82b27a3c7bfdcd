"""CSV call and message logs: iMazing exports from the corpus, carrier bills, date order, columns, DST."""

from __future__ import annotations

import csv
import hashlib
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evidence.api import Case
from evidence.errors import InputError
from evidence.importers.base import Source, Yielded
from evidence.importers.csvlog import CsvLogImporter
from evidence.models import Channel, Direction, ImportOptions, ImportWarning, Record, TimeSource
from evidence.verify.case import verify_case
from tests.conftest import DATA, run_cli
from tests.importers.helpers import tally_of

FIXTURES = DATA / "csvlog"


def _source(path: Path) -> Source:
    data = path.read_bytes()
    return Source(path, path.name, hashlib.sha256(data).hexdigest(), len(data), "text/csv")


def _parse(path: Path, **options: object) -> tuple[list[Record], list[ImportWarning]]:
    opts = ImportOptions(tz=str(options.pop("tz", "Europe/London")), **options)  # type: ignore[arg-type]
    items: list[Yielded] = list(CsvLogImporter().parse(_source(path), opts))
    records = [i for i in items if isinstance(i, Record)]
    warnings = [i for i in items if isinstance(i, ImportWarning)]
    assert len(records) + len(warnings) + 1 == len(items)
    assert tally_of(items).made == len(records)  # every unit seen is read or skipped
    return records, warnings


@dataclass(frozen=True)
class Expected:
    file: str
    count: int
    index: int  # the record checked in detail
    channel: Channel
    app: str
    direction: Direction
    sender: str | None
    recipients: tuple[str, ...]
    duration_s: int | None
    london: str
    new_york: str


CORPUS_TABLE = [
    Expected(
        "imazingtosbr-call_history_basic.csv",
        4,
        1,
        Channel.CALL,
        "phone",
        Direction.INCOMING,
        "+9876543210",
        (),
        80,
        "2024-03-15T15:45:30+00:00",
        "2024-03-15T15:45:30-04:00",  # New York is already on summer time on 15 March 2024
    ),
    Expected(
        "imazingtosbr-call_history_empty.csv",
        0,
        -1,
        Channel.CALL,
        "",
        Direction.UNKNOWN,
        None,
        (),
        None,
        "",
        "",
    ),
    Expected(
        "imazingtosbr-call_history_signal.csv",
        2,
        0,
        Channel.CALL,
        "signal",
        Direction.OUTGOING,
        None,
        ("AB123456-7890-ABCD-EF12-34567890ABCD",),
        225,
        "2024-04-10T09:30:00+01:00",
        "2024-04-10T09:30:00-04:00",
    ),
    Expected(
        "imazingtosbr-call_history_teams.csv",
        3,
        1,
        Channel.CALL,
        "teams",
        Direction.INCOMING,
        "Project Review",
        (),
        2730,
        "2024-05-20T14:00:00+01:00",
        "2024-05-20T14:00:00-04:00",
    ),
    Expected(
        "imazingtosbr-messages_imessage.csv",
        5,
        1,
        Channel.CHAT,
        "imessage",
        Direction.OUTGOING,
        None,
        ("Sarah Connor",),  # Sender ID is empty on outgoing rows: the chat session names the other party
        None,
        "2024-07-10T15:22:30+01:00",
        "2024-07-10T15:22:30-04:00",
    ),
    Expected(
        "imazingtosbr-messages_mixed.csv",
        4,
        0,
        Channel.SMS,
        "sms",
        Direction.INCOMING,
        "Notification",
        (),
        None,
        "2024-08-15T08:00:00+01:00",
        "2024-08-15T08:00:00-04:00",
    ),
    Expected(
        "imazingtosbr-messages_sms.csv",
        3,
        2,
        Channel.SMS,
        "sms",
        Direction.OUTGOING,
        None,
        ("+1234567890",),
        None,
        "2024-06-03T14:15:00+01:00",
        "2024-06-03T14:15:00-04:00",
    ),
]


def test_table_covers_every_imazing_file(corpus: Path) -> None:
    assert {e.file for e in CORPUS_TABLE} == {p.name for p in (corpus / "imazing").iterdir()}


@pytest.mark.parametrize("expected", CORPUS_TABLE, ids=lambda e: e.file)
def test_imazing_corpus(corpus: Path, expected: Expected) -> None:
    path = corpus / "imazing" / expected.file
    head = path.read_bytes()
    assert CsvLogImporter().sniff(head, _source(path))
    records, warnings = _parse(path)
    assert warnings == []
    assert len(records) == expected.count
    assert [r.locator for r in records] == [f"row {n}" for n in range(1, expected.count + 1)]
    if not records:
        return
    rec = records[expected.index]
    assert (rec.channel, rec.app, rec.direction) == (expected.channel, expected.app, expected.direction)
    assert (rec.sender, rec.recipients, rec.duration_s) == (
        expected.sender,
        expected.recipients,
        expected.duration_s,
    )
    assert rec.occurred_at.isoformat() == expected.london
    assert rec.tz_assumed is True and rec.tz_name == "Europe/London"
    assert rec.time_source is TimeSource.EXPORT
    assert all(isinstance(v, str) for v in rec.raw.values())
    (ny,) = [r for r in _parse(path, tz="America/New_York")[0] if r.locator == rec.locator]
    assert ny.occurred_at.isoformat() == expected.new_york
    assert ny.tz_name == "America/New_York" and ny.tz_assumed is True


def test_imessage_text_with_comma_and_raw_row(corpus: Path) -> None:
    records, _ = _parse(corpus / "imazing" / "imazingtosbr-messages_imessage.csv")
    assert records[1].text == "I'm doing great, thanks for asking!"
    assert records[1].status == "read"
    assert records[0].raw["Sender Name"] == "Sarah Connor"
    assert records[0].raw["Chat Session"] == "Sarah Connor"
    assert len(records[0].raw) == 15


def test_carrier_bill_day_first() -> None:
    records, warnings = _parse(FIXTURES / "carrier_bill_day_first.csv")
    assert warnings == []
    assert [r.occurred_at.isoformat() for r in records] == [
        "2026-03-14T21:33:00+00:00",
        "2026-04-03T08:15:00+01:00",  # 14/03 settles day-first, so 03/04 is 3 April (summer time)
        "2026-04-03T23:59:00+01:00",
    ]
    assert [r.duration_s for r in records] == [125, 45, 3723]
    assert all(r.channel is Channel.CALL and r.direction is Direction.UNKNOWN for r in records)
    assert records[2].sender == "+44 20 7946 0000"
    assert records[0].raw["Cost"] == "£0.45"


def test_ambiguous_dates_need_date_order() -> None:
    path = FIXTURES / "ambiguous_date_order.csv"
    with pytest.raises(InputError, match="ambiguous") as info:
        _parse(path)
    assert info.value.hint is not None and "--date-order" in info.value.hint
    assert info.value.path == path.name
    records, warnings = _parse(path, date_order="MDY")
    assert warnings == []
    assert [r.occurred_at.isoformat() for r in records] == [
        "2026-01-02T09:45:00+00:00",
        "2026-03-04T10:00:00+00:00",
        "2026-05-06T22:10:00+01:00",
    ]
    assert [r.direction for r in records] == [Direction.INCOMING, Direction.INCOMING, Direction.OUTGOING]
    assert [r.status for r in records] == [None, "missed", None]
    assert [r.duration_s for r in records] == [103, 0, 150]
    assert records[2].recipients == ("+15550199",)
    day_first, _ = _parse(path, date_order="DMY")
    assert day_first[0].occurred_at.isoformat() == "2026-02-01T09:45:00+00:00"


def test_dates_that_disagree_stop_the_import(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_text("Date,Number\n14/03/2026 10:00,+1\n03/14/2026 10:00,+2\n", encoding="utf-8")
    with pytest.raises(InputError, match="row 1 is day-first, row 2 month-first"):
        _parse(path)


def test_explicit_column_mapping() -> None:
    path = FIXTURES / "custom_columns.csv"
    with pytest.raises(InputError, match="no date column among the columns found: When, Who") as info:
        _parse(path)
    assert info.value.hint is not None and "--column date=" in info.value.hint
    columns = (("date", "When"), ("number", "who"), ("direction", "Way"), ("text", "Words"))
    records, warnings = _parse(path, columns=columns)
    assert warnings == []
    assert len(records) == 2
    first, second = records
    assert first.channel is Channel.SMS and first.text == "Stop ignoring me"
    assert first.sender == "+447700900123" and first.direction is Direction.INCOMING
    assert second.recipients == ("+447700900123",) and second.direction is Direction.OUTGOING
    assert first.tz_assumed is False and first.tz_name is None
    with pytest.raises(InputError, match="no column named 'Nope'"):
        _parse(path, columns=(("date", "Nope"),))
    with pytest.raises(InputError, match="unknown field 'colour'"):
        _parse(path, columns=(("colour", "When"),))


def test_no_date_column_names_the_columns() -> None:
    with pytest.raises(InputError, match="Caller, Notes"):
        _parse(FIXTURES / "no_date_column.csv")


def test_dst_fall_back_and_spring_forward() -> None:
    records, warnings = _parse(FIXTURES / "dst_fall_back.csv")
    assert len(records) == 3
    assert [w.locator for w in warnings] == ["row 1", "row 2"]
    assert "happened twice" in warnings[0].message and "first occurrence" in warnings[0].message
    assert "does not exist" in warnings[1].message
    assert records[0].occurred_at.isoformat() == "2026-10-25T01:30:00+01:00"  # fold=0: still summer time
    assert records[1].occurred_at.isoformat() == "2026-03-29T01:30:00+00:00"
    assert records[2].occurred_at.isoformat() == "2026-10-25T03:00:00+00:00"


def test_malformed_rows_are_warned_and_skipped() -> None:
    records, warnings = _parse(FIXTURES / "malformed_rows.csv")
    assert [r.locator for r in records] == ["row 1", "row 4", "row 5"]
    by_row = {w.locator: w.message for w in warnings}
    assert len(warnings) == 5
    assert "3 fields, the header 7; skipped" in by_row["row 2"]
    assert "'last tuesday' cannot be read; skipped" in by_row["row 3"]
    assert "duration 'forever' cannot be read" in by_row["row 4"]
    assert "1 fields more than the header" in by_row["row 5"]
    assert "no date" in by_row["row 7"]
    assert records[1].duration_s is None and records[1].status == "missed"
    assert records[2].raw["(extra)"] == ["surplus"]


def test_cp1252_fallback_with_warning() -> None:
    records, warnings = _parse(FIXTURES / "cp1252_contact_name.csv")
    assert [w.message for w in warnings] == ["not UTF-8; read as Windows-1252 (cp1252)"]
    assert records[0].raw["Contact"] == "Renée Müller"
    assert records[0].sender == "+447700900123" and records[0].duration_s == 5


def test_bom_semicolons_and_offsets(tmp_path: Path) -> None:
    path = tmp_path / "bill.csv"
    path.write_bytes(
        "\ufeffDate & Time;Other party;Direction;Duration\n"
        "2026-03-14 21:33:00 +01:00;+33 6 12 34 56 78;Received;1m\n".encode()
    )
    assert CsvLogImporter().sniff(path.read_bytes(), _source(path))
    (record,), warnings = _parse(path)
    assert warnings == []
    assert record.occurred_at.isoformat() == "2026-03-14T21:33:00+01:00"
    assert record.tz_assumed is False and record.duration_s == 60
    assert record.raw["Date & Time"] == "2026-03-14 21:33:00 +01:00"


def test_sniff_refuses_other_formats(corpus: Path) -> None:
    importer = CsvLogImporter()
    others = [
        next((corpus / "whatsapp").rglob("*.txt")),
        next((corpus / "email").rglob("*.eml")),
        next((corpus / "smsbackup").rglob("*.xml")),
        next((corpus / "telegram").rglob("*.json")),
    ]
    for path in others:
        assert not importer.sniff(path.read_bytes()[:65536], _source(path)), path.name
    assert not importer.sniff(b"Date,Cost\n14/03/2026,1\n", _source(others[0]))
    assert not importer.sniff(b'{"Date": 1, "Number": 2}\n', _source(others[0]))


def test_oversized_field_stops_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    path.write_text(
        'Date,Number,Text\n2026-03-14 10:00:00,+1,hi\n2026-03-14 10:01:00,+1,"' + "x" * (2 * 2**20) + '"\n',
        encoding="utf-8",
    )
    records, warnings = _parse(path)
    assert len(records) == 1
    assert [w.locator for w in warnings] == ["row 2"]
    assert "field larger than" in warnings[0].message


def test_end_to_end_through_the_case(case: Case, corpus: Path) -> None:
    paths = [FIXTURES / "carrier_bill_day_first.csv", corpus / "imazing" / "imazingtosbr-messages_mixed.csv"]
    result = case.import_files(paths)
    assert [item.importer for item in result.items] == ["csvlog", "csvlog"]
    records = case.records()
    assert len(records) == 7
    assert {r.importer for r in records} == {"csvlog"}
    assert any(r.occurred_at.isoformat() == "2026-04-03T08:15:00+01:00" for r in records)
    assert verify_case(case.root).ok


def test_cli_column_option(tmp_path: Path) -> None:
    case_dir = tmp_path / "c"
    assert run_cli("init", "--plain", str(case_dir), "--title", "t", "--tz", "Europe/London").returncode == 0
    path = tmp_path / "calls.csv"
    path.write_text("Date,Number,Type\n01/02/26 09:45,+15550100,Incoming\n", encoding="utf-8")
    refused = run_cli("-C", str(case_dir), "import", str(path))
    assert refused.returncode == 3 and "--date-order" in refused.stderr
    done = run_cli("-C", str(case_dir), "import", "--date-order", "DMY", str(path))
    assert done.returncode == 0, done.stderr
    timeline = json.loads(run_cli("-C", str(case_dir), "timeline", "--json").stdout)
    assert timeline[0]["occurred_at"] == "2026-02-01T09:45:00+00:00"
    bad = run_cli("-C", str(case_dir), "import", "--column", "dateWhen", str(path))
    assert bad.returncode == 2 and "FIELD=NAME" in bad.stderr


def test_date_without_time_utf16_and_empty_file(tmp_path: Path) -> None:
    dated = tmp_path / "dates.csv"
    dated.write_text("Date,Number\n2026-03-14,+1\n", encoding="utf-16")
    assert CsvLogImporter().sniff(dated.read_bytes(), _source(dated))
    (record,), warnings = _parse(dated)
    assert record.occurred_at.isoformat() == "2026-03-14T00:00:00+00:00"
    assert [w.message for w in warnings] == ["'2026-03-14' has no time of day; read as midnight"]
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="empty"):
        _parse(empty)


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(
        st.lists(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=20), max_size=6),
        max_size=8,
    )
)
def test_any_rows_give_records_warnings_or_one_input_error(rows: list[list[str]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["Date", "Number", "Type", "Duration", "Text"])
            writer.writerows(rows)
        try:
            records, warnings = _parse(path)
        except InputError as exc:
            assert exc.hint is not None and "--date-order" in exc.hint
            return
        assert len(records) <= len(rows)
        assert all(r.occurred_at.utcoffset() is not None for r in records)
        assert all(w.locator.startswith("row ") for w in warnings)
