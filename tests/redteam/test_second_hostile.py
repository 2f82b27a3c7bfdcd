"""The second red team's hostile files and inputs (B02-B06, /tmp/redteam2/): each attack reproduced in Python
on a small case built here, and shown caught, refused or harmless.

B02/B03: ``evidence.db-wal`` (or ``-shm``, or the database) replaced by a link to ``/dev/zero`` or a FIFO: the
verifier's snapshot read it without bound or blocked on it for ever; now it opens no link, never blocks, takes
regular files only and bounds their size (``DATABASE_UNREADABLE`` naming the file), and the other commands
refuse such a folder with one line. B04: deeply nested JSON in the unsigned records index crashed verify and
the views (``RecursionError``). B05: a time at the end of the calendar crashed imports east of UTC
(``OverflowError``). B06: control sequences in a message were obeyed by the terminal showing the timeline.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from evidence.api import Case
from evidence.case.formats import DB_NAME
from evidence.errors import CaseError, InputError
from evidence.verify import ERROR, Report
from evidence.verify import db as snapshot_db
from evidence.verify.case import verify_case
from evidence.verify.casefacts import CaseUnreadable, read_case_facts
from tests.conftest import run_cli

DEADLINE = 60  # seconds: a command that takes longer on this small case hangs
MEMORY = 2 << 30  # bytes of address space a command may have: reading /dev/zero would pass it
THREAT = "I will kill you tonight."


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A case of two e-mails and a diary entry, in Europe/London."""
    folder = tmp_path_factory.mktemp("second")
    mail = folder / "threat.eml"
    mail.write_text(_email(1, "tonight", THREAT), encoding="utf-8")
    root = folder / "case"
    with Case.init(root, title="Second red team", tz="Europe/London") as case:
        case.import_files([mail])
        case.add_diary_entry(when="2026-03-14 21:30", text="Twelve missed calls tonight.")
    assert verify_case(root).findings == []
    return root


@pytest.fixture
def root(base: Path, tmp_path: Path) -> Path:
    """A fresh copy of the base case."""
    copy = tmp_path / "case"
    shutil.copytree(base, copy)
    return copy


def _email(n: int, subject: str, body: str, *, qp: bool = False) -> str:
    encoding = "Content-Transfer-Encoding: quoted-printable\n" if qp else ""
    return (
        "From: Alex Morgan <alex.morgan@example.net>\nTo: jordan.lee@example.org\n"
        f"Subject: {subject}\nDate: Sat, 14 Mar 2026 21:0{n}:00 +0000\nMessage-ID: <{n}@example.net>\n"
        f"Content-Type: text/plain; charset=utf-8\n{encoding}\n{body}\n"
    )


# ``python -m evidence`` under a memory cap set in the child itself (no preexec_fn: the test process may have
# threads).
CAPPED = (
    "import resource, runpy, sys; "
    f"resource.setrlimit(resource.RLIMIT_AS, ({MEMORY}, {MEMORY})); "
    "sys.argv[0] = 'evidence'; runpy.run_module('evidence', run_name='__main__')"
)


def cli_with_deadline(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m evidence`` with a deadline and a memory cap: a hang or an unbounded read fails the test
    (``subprocess.TimeoutExpired``, or a crash) instead of stalling or exhausting the machine."""
    env = {k: v for k, v in os.environ.items() if k not in {"EVIDENCE_CASE", "EVIDENCE_PASSPHRASE"}}
    return subprocess.run(
        [sys.executable, "-c", CAPPED, *args], env=env, capture_output=True, text=True, timeout=DEADLINE
    )


def errors(report: Report) -> dict[str, list[tuple[str | None, str]]]:
    found: dict[str, list[tuple[str | None, str]]] = {}
    for f in report.findings:
        if f.severity == ERROR:
            found.setdefault(f.code, []).append((f.path, f.message))
    return found


def assert_one_line_refusal(result: subprocess.CompletedProcess[str], words: str) -> None:
    """The command refused with a case error (exit 4) on one error line, no traceback."""
    assert result.returncode == 4, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("error: ") and words in result.stderr.splitlines()[0]


# -- B02: evidence.db-wal linked to /dev/zero -----------------------------------------------------------------


def test_b02_wal_linked_to_dev_zero_is_a_finding_not_a_crash(root: Path, tmp_path: Path) -> None:
    wal = root / f"{DB_NAME}-wal"
    wal.symlink_to("/dev/zero")
    found = errors(verify_case(root))
    assert list(found) == ["DATABASE_UNREADABLE"]
    assert found["DATABASE_UNREADABLE"] == [
        (wal.name, "the ledger cannot be read (evidence.db-wal is a symbolic link, not a file of the case)")
    ]
    result = cli_with_deadline("-C", str(root), "verify")
    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith("DATABASE_UNREADABLE evidence.db-wal: ")
    # The reading and writing commands refuse the folder on one line; SQLite never opens the link.
    assert_one_line_refusal(
        cli_with_deadline("-C", str(root), "timeline"), "evidence.db-wal is a symbolic link"
    )
    note = tmp_path / "note.txt"
    note.write_text("hello\n", encoding="utf-8")
    assert_one_line_refusal(
        cli_with_deadline("-C", str(root), "import", str(note)), "the case folder was altered"
    )
    assert wal.is_symlink()  # verification only reads


def test_b02_a_database_or_shm_that_is_not_a_regular_file_is_named(root: Path, tmp_path: Path) -> None:
    shm = root / f"{DB_NAME}-shm"
    shm.symlink_to("/dev/zero")
    assert errors(verify_case(root))["DATABASE_UNREADABLE"][0][0] == shm.name
    with pytest.raises(CaseError, match=r"evidence\.db-shm is a symbolic link"):
        Case.open(root, readonly=True)
    shm.unlink()
    # The database itself a link to a copy elsewhere: not a file of the case either.
    outside = tmp_path / "outside.db"
    (root / DB_NAME).rename(outside)
    (root / DB_NAME).symlink_to(outside)
    assert errors(verify_case(root))["DATABASE_UNREADABLE"][0][0] == DB_NAME


def test_b02_a_database_larger_than_the_bound_is_not_read(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(snapshot_db, "MAX_FILE_BYTES", 4096)
    found = errors(verify_case(root))
    assert list(found) == ["DATABASE_UNREADABLE"]
    assert found["DATABASE_UNREADABLE"][0][0] == DB_NAME
    assert "more than the 4096" in found["DATABASE_UNREADABLE"][0][1]


# -- B03: evidence.db-wal replaced by a FIFO ------------------------------------------------------------------


def test_b03_wal_fifo_does_not_hang_verify(root: Path, tmp_path: Path) -> None:
    wal = root / f"{DB_NAME}-wal"
    os.mkfifo(wal)
    result = cli_with_deadline("-C", str(root), "verify")  # hung for ever before the fix
    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith(
        "DATABASE_UNREADABLE evidence.db-wal: the ledger cannot be read (evidence.db-wal is a FIFO, not a file of "
        "the case)"
    )
    for command in (["timeline"], ["log"], ["search", "kill"]):
        assert_one_line_refusal(cli_with_deadline("-C", str(root), *command), "evidence.db-wal is a FIFO")
    # A writing command: SQLite would write into the FIFO and fail inside the commit (exit 70).
    note = tmp_path / "note.txt"
    note.write_text("hello\n", encoding="utf-8")
    assert_one_line_refusal(
        cli_with_deadline("-C", str(root), "import", str(note)), "evidence.db-wal is a FIFO"
    )
    assert wal.exists() and not wal.is_file()  # left as found
    # A FIFO -shm (never read by verify, opened by SQLite everywhere else) is named too.
    wal.unlink()
    os.mkfifo(root / f"{DB_NAME}-shm")
    assert cli_with_deadline("-C", str(root), "verify").stdout.startswith(
        "DATABASE_UNREADABLE evidence.db-shm: "
    )


# -- B04: deeply nested JSON in the records index -------------------------------------------------------------


def test_b04_deeply_nested_record_json_is_a_finding_and_a_one_line_error(root: Path) -> None:
    nested = "[" * 200_000 + "]" * 200_000
    with sqlite3.connect(root / DB_NAME, isolation_level=None) as db:
        rid, seq = db.execute("SELECT id, derived_seq FROM records LIMIT 1").fetchone()
        db.execute("UPDATE records SET json = ? WHERE id = ? AND derived_seq = ?", (nested, rid, seq))
    db.close()
    found = errors(verify_case(root))
    assert list(found) == ["INDEX_MISMATCH"]
    assert found["INDEX_MISMATCH"][0][1].startswith(
        f"record {rid}: its stored JSON in the index is not the record"
    )
    with Case.open(root, readonly=True) as case, pytest.raises(CaseError, match="index is damaged"):
        case.timeline()
    with pytest.raises(CaseUnreadable):
        read_case_facts(root)  # what `verify report.pdf --case` reads
    for command in ("timeline", "stats", "log"):
        result = run_cli("-C", str(root), command)
        if command != "timeline":
            # the log reads the signed ledger; stats the counted columns (issue 18): neither the records' JSON
            assert result.returncode == 0
            continue
        assert_one_line_refusal(result, f"the case's index is damaged (record {rid} cannot be read)")
        assert "run 'evidence verify'" in result.stderr
    result = run_cli("-C", str(root), "verify")
    assert result.returncode == 1 and result.stdout.startswith("INDEX_MISMATCH evidence.db entry ")


# -- B05: a time at the end of the calendar in an import east of UTC ------------------------------------------

EDGE_INPUTS = {
    "sms-20260415093000.xml": (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n<smses count=\"2\">\n"
        '<sms protocol="0" address="+33612345678" date="1773500000000" type="1" body="You can\'t hide" '
        'read="1" status="-1" locked="0" date_sent="0" contact_name="(Unknown)" />\n'
        '<sms protocol="0" address="+33612345678" date="253402300799999" type="1" body="." '
        'read="1" status="-1" locked="0" date_sent="0" contact_name="(Unknown)" />\n</smses>\n'
    ),
    "message_1.json": json.dumps(
        {
            "participants": [{"name": "Alex"}, {"name": "Jordan"}],
            "messages": [
                {"sender_name": "Alex", "timestamp_ms": 253402300799999, "content": "."},
                {"sender_name": "Alex", "timestamp_ms": 999999999999999, "content": ".."},
                {"sender_name": "Alex", "timestamp_ms": 1773500000000, "content": "You can't hide"},
            ],
            "title": "Alex",
            "thread_path": "inbox/alex_1",
        }
    ),
    "result.json": json.dumps(
        {
            "name": "Alex",
            "type": "personal_chat",
            "id": 1,
            "messages": [
                {"id": 1, "type": "message", "date": "2026-03-14T12:00:00", "date_unixtime": "253402300799",
                 "from": "Alex", "from_id": "user1", "text": "."},
                {"id": 2, "type": "message", "date": "9999-12-31T23:59:59", "date_unixtime": "999999999999",
                 "from": "Alex", "from_id": "user1", "text": ".."},
                {"id": 3, "type": "message", "date": "2026-03-14T12:00:00", "date_unixtime": "1773500000",
                 "from": "Alex", "from_id": "user1", "text": "You can't hide"},
            ],
        }
    ),
}  # fmt: skip


@pytest.mark.parametrize("zone", ["Europe/Paris", "Asia/Tokyo", "America/New_York"])
@pytest.mark.parametrize("name", sorted(EDGE_INPUTS))
def test_b05_a_time_at_the_end_of_the_calendar_is_skipped_with_a_warning(
    tmp_path: Path, name: str, zone: str
) -> None:
    source = tmp_path / name
    source.write_text(EDGE_INPUTS[name], encoding="utf-8")
    with Case.init(tmp_path / "case", title="t", tz=zone) as case:
        result = case.import_files([source])  # OverflowError, exit 70, before the fix
        assert [r.text for r in case.records()] == ["You can't hide"]
    warnings = [w.message for item in result.items for w in item.warnings]
    assert any("9999-12-31T" in w and "before 1970 or after 2099" in w for w in warnings), warnings


def test_b05_any_other_overflow_in_an_importer_is_an_input_error(
    case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from evidence.importers.smsbackup import SmsBackupImporter

    def overflow(*args: object, **kwargs: object) -> None:
        raise OverflowError("date value out of range")

    monkeypatch.setattr(SmsBackupImporter, "parse", overflow)
    source = tmp_path / "sms-20260415093000.xml"
    source.write_text(EDGE_INPUTS["sms-20260415093000.xml"], encoding="utf-8")
    with pytest.raises(InputError, match="out of range") as raised:
        case.import_files([source])
    assert raised.value.path == source.name


# -- B06: terminal control sequences in record text -----------------------------------------------------------

ERASE_ROW_ABOVE = "\x1b[1A\x1b[2K\x1b[1B"
RAW_CONTROLS = {chr(c) for c in (*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0))} | {
    chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))
}


def _raw_controls(text: str) -> set[str]:
    return {c for c in text if c in RAW_CONTROLS}


def _strings(value: object) -> list[str]:
    """Every string in a JSON value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _json_values(out: str) -> list[object]:
    """One JSON document, or JSON Lines."""
    try:
        return [json.loads(out)]
    except json.JSONDecodeError:
        return [json.loads(line) for line in out.splitlines()]


def test_b06_control_sequences_in_record_text_are_shown_escaped(root: Path, tmp_path: Path) -> None:
    # The attack's e-mail (quoted-printable =1B), with a C1 CSI and a right-to-left override added, and a file
    # name holding an escape (the import's lines print it).
    mail = tmp_path / "sorry\x1b[2K.eml"
    mail.write_text(
        _email(5, "sorry", "Sorry=1B[1A=1B[2K=1B[1B=C2=9B2K=E2=80=AEtxt.exe", qp=True), encoding="utf-8"
    )
    imported = run_cli("-C", str(root), "import", str(mail))
    assert imported.returncode == 0, imported.stderr
    assert not _raw_controls(imported.stdout + imported.stderr) and "sorry\\x1b[2K.eml" in imported.stdout
    with Case.open(root, readonly=True) as case:
        record = next(r for r in case.records() if r.text and r.text.startswith("Sorry"))
    assert ERASE_ROW_ABOVE in (record.text or "")  # stored as received: only the display escapes it
    shown = {
        "timeline": run_cli("-C", str(root), "timeline"),
        "show": run_cli("-C", str(root), "show", record.id),
        "search": run_cli("-C", str(root), "search", "exe"),
        "log": run_cli("-C", str(root), "log"),
        "stats": run_cli("-C", str(root), "stats"),
    }
    for command, result in shown.items():
        assert result.returncode == 0, (command, result.stderr)
        assert not _raw_controls(result.stdout + result.stderr), command
    timeline = shown["timeline"].stdout
    assert THREAT in timeline and "Sorry\\x1b[1A\\x1b[2K\\x1b[1B\\x9b2K\\u202etxt.exe" in timeline
    assert "Sorry\\x1b[1A" in shown["show"].stdout and "\\u202etxt.[exe]" in shown["search"].stdout
    added = run_cli("-C", str(root), "person", "add", "Alex\x1b[2K Morgan", "--role", "respondent", "--id",
                    "alex.morgan@example.net", "--basis", "saved\u202e contacts")  # fmt: skip
    assert added.returncode == 0, added.stderr
    people = run_cli("-C", str(root), "person", "list")
    assert "Alex\\x1b[2K Morgan" in people.stdout and not _raw_controls(people.stdout + added.stdout)
    # JSON output stays valid and names the same characters (as JSON escapes).
    as_json = run_cli("-C", str(root), "show", record.id, "--json")
    assert as_json.returncode == 0 and not _raw_controls(as_json.stdout)
    assert any(ERASE_ROW_ABOVE + "\x9b2K\u202e" in text for text in _strings(json.loads(as_json.stdout)))
    for command in ("timeline", "log", "search"):
        out = run_cli("-C", str(root), command, *(["exe"] if command == "search" else []), "--json").stdout
        assert not _raw_controls(out), command
        wanted = "sorry\x1b[2K.eml" if command == "log" else ERASE_ROW_ABOVE  # the log names the file
        assert any(wanted in text for text in _strings(_json_values(out))), command
