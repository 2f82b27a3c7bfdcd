"""Red-team regressions on reports and the case folder: a report changed or checked against the wrong case,
recorded_at rewritten by the key holder (attack 11), reports without the case (attacks 12, 13), and the case
folder's index, tail and times. Each asserts that verification fails naming the problem."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from evidence.api import Case
from evidence.case.canonical import entry_hash
from evidence.case.signing import SigningKey
from evidence.verify.bundle import verify_bundle
from evidence.verify.case import verify_case
from evidence.verify.report import verify_report
from tests.conftest import run_cli
from tests.verify.conftest import (
    Built,
    _check,
    _drop_tail,
    _exhibit,
    _ledger_lines,
    _read,
    _resigned,
    _resum,
    _set_time,
    _swap_first_page,
    _with_ledger,
)

# -- the report ----------------------------------------------------------------------------------------------


def test_a_page_swapped_by_an_incremental_update_is_an_unknown_report(built: Built, tmp_path: Path) -> None:
    forged = _swap_first_page(built.report, tmp_path / "report.pdf")
    found = verify_report(forged, built.case)
    assert any(f.code == "UNKNOWN_REPORT" and f.path == "report.pdf" for f in found.findings)
    assert verify_report(built.report, built.case).ok


def test_a_report_checked_against_another_case_is_named(built: Built, tmp_path: Path) -> None:
    other = tmp_path / "other"
    shutil.copytree(built.other_case, other)
    found = verify_report(built.report, other)
    assert {"OTHER_CASE", "UNKNOWN_REPORT", "KEY_NOT_EXPECTED"} <= found.codes()


def test_an_exhibit_planted_in_a_selective_bundle_is_unknown(built: Built, tmp_path: Path) -> None:
    full, selective = _read(built.full), _read(built.sel_early)
    planted = _exhibit(full, "EX-0002")
    found = _check(tmp_path, _resum([*selective, (planted, dict(full)[planted])]))
    assert any(f.code == "UNKNOWN_EXHIBIT" and f.path == planted for f in found.findings)


def test_a_local_header_name_differing_from_the_directory_is_named(built: Built, tmp_path: Path) -> None:
    """``unzip`` extracts by the central directory's name; the verifier must not read another member."""
    data = built.full.read_bytes()
    name = _exhibit(_read(built.full), "EX-0001").encode()
    at = data.find(name)  # the first occurrence is the member's local header
    forged = tmp_path / "forged.zip"
    forged.write_bytes(data[:at] + name.replace(b"EX-0001", b"EX-0009") + data[at + len(name) :])
    found = verify_bundle(forged)
    assert any(f.code == "MODIFIED" and f.path == name.decode() for f in found.findings)


# -- recorded_at, by the holder of the case key (red-team attack 11) -----------------------------------------


def test_a_key_holders_rewrite_verifies_when_nothing_is_wrong(built: Built, tmp_path: Path) -> None:
    key = SigningKey.load(built.case / "keys", None)
    assert _check(tmp_path, _resigned(_read(built.full), key, lambda entries: None)).ok


@pytest.mark.parametrize(
    "value",
    ["2026-11-23T23:33:20.601157", "yesterday", "2026-11-23T23:33:20.601157Z", "2026-11-23 23:33+00:00"],
)
def test_a_recorded_at_without_an_offset_or_not_a_time_fails(
    built: Built, tmp_path: Path, value: str
) -> None:
    key = SigningKey.load(built.case / "keys", None)
    found = _check(tmp_path, _resigned(_read(built.full), key, _set_time(3, value)))
    assert not found.ok
    assert [(f.code, f.entry) for f in found.findings] == [("RECORDED_AT_INVALID", 3)]


def test_times_are_compared_as_instants_and_the_right_entry_is_named(built: Built, tmp_path: Path) -> None:
    members = _read(built.full)
    key = SigningKey.load(built.case / "keys", None)
    second = datetime.fromisoformat(json.loads(_ledger_lines(members)[1])["recorded_at"])
    # An hour before entry 2, written at +05:00: as text it sorts after every other entry's time.
    earlier = (second - timedelta(hours=1)).astimezone(timezone(timedelta(hours=5))).isoformat()
    found = _check(tmp_path, _resigned(members, key, _set_time(3, earlier)))
    assert found.ok  # a warning: the writer's clock is the writer's word
    assert [(f.code, f.entry) for f in found.findings] == [("CLOCK_WENT_BACKWARDS", 3)]
    assert "before entry 2" in found.findings[0].message
    # A year back is named as such.
    year = (second - timedelta(days=365)).isoformat()
    found = _check(tmp_path, _resigned(members, key, _set_time(3, year)))
    assert [(f.code, f.entry) for f in found.findings] == [("CLOCK_WENT_BACKWARDS", 3)]
    assert "365 days" in found.findings[0].message


# -- reports without the case, and the messages (red-team attacks 12, 13) ------------------------------------


def test_an_unsigned_report_with_another_cases_manifest_fails_without_the_case(built: Built) -> None:
    found = verify_report(built.report, None)
    assert not found.ok and found.codes() == {"UNSIGNED_REPORT"}


def test_a_signed_report_is_checked_by_its_key_without_the_case(
    signed: tuple[Path, Path, str], tmp_path: Path
) -> None:
    real, own, fingerprint = signed
    assert verify_report(real, None, expect_key=fingerprint).ok
    attacker = verify_report(own, None, expect_key=fingerprint)
    assert not attacker.ok and "KEY_NOT_EXPECTED" in attacker.codes()
    assert fingerprint not in str(attacker.facts["signature"]["key_fingerprint"])
    swapped = _swap_first_page(real, tmp_path / "swapped.pdf")
    found = verify_report(swapped, None, expect_key=fingerprint)
    assert not found.ok and "SIGNATURE_NOT_WHOLE_FILE" in found.codes()
    assert all("\n" not in f.message for f in found.findings)


def test_a_changed_signed_report_prints_no_traceback(signed: tuple[Path, Path, str], tmp_path: Path) -> None:
    swapped = _swap_first_page(signed[0], tmp_path / "swapped.pdf")
    done = run_cli("verify", str(swapped), cwd=tmp_path)
    assert done.returncode == 1 and "SIGNATURE_NOT_WHOLE_FILE" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr and "Error in diff" not in done.stderr, done.stderr


def test_a_report_against_the_wrong_case_says_other_case_not_removed_entries(built: Built) -> None:
    found = verify_report(built.report, built.other_case)
    assert "OTHER_CASE" in found.codes()
    assert not any("removed" in f.message for f in found.findings), found.findings


# -- the case folder -----------------------------------------------------------------------------------------


def test_a_record_text_edited_in_the_index_is_named(built: Built, tmp_path: Path) -> None:
    mail = tmp_path / "threat.eml"
    mail.write_text(
        "From: Alex Morgan <alex@example.com>\nTo: Jordan Lee <jordan@example.com>\n"
        "Date: Tue, 03 Mar 2026 21:14:00 +0000\nSubject: again\nMessage-ID: <1@example.com>\n\n"
        "Alex called again. I know where you live.\n",
        encoding="utf-8",
    )
    root = tmp_path / "case"
    with Case.init(root, title="T", tz="Europe/London") as case:
        case.import_files([mail])
    assert verify_case(root).ok
    with sqlite3.connect(root / "evidence.db") as db:
        rid, text = db.execute("SELECT id, json FROM records ORDER BY id LIMIT 1").fetchone()
        assert "Alex called again" in text
        db.execute(
            "UPDATE records SET json = ? WHERE id = ?", (text.replace("called again", "apologised"), rid)
        )
    db.close()
    found = verify_case(root)
    assert not found.ok
    assert [(f.code, rid in f.message) for f in found.findings] == [("INDEX_MISMATCH", True)]


def test_what_a_truncated_tail_leaves_is_named_and_a_head_catches_the_rest(
    built: Built, tmp_path: Path
) -> None:
    """What the README says of a truncation: objects only the dropped entries named are EXTRA; entries that name
    no object (checkpoints, reports, exports) go unseen without a head recorded elsewhere."""
    with Case.open(built.case, readonly=True) as case:
        entries = list(case.entries())
    first_import = next(e.seq for e in entries if e.kind == "item.acquired")
    last_import = max(e.seq for e in entries if e.kind in ("item.acquired", "records.derived"))
    head = f"{entries[-1].seq}:{entries[-1].hash}"
    root = tmp_path / "imports-dropped"
    shutil.copytree(built.case, root)
    _drop_tail(root, first_import - 1)
    found = verify_case(root)
    assert not found.ok and "EXTRA" in found.codes()
    root = tmp_path / "outputs-dropped"
    shutil.copytree(built.case, root)
    _drop_tail(root, last_import)
    assert {e.kind for e in entries if e.seq > last_import} <= {
        "checkpoint.signed",
        "export.created",
        "report.generated",
    }
    assert verify_case(root).ok  # the documented limit
    found = verify_case(root, heads=[head])
    assert [f.code for f in found.findings] == ["HEAD_MISMATCH"] and "removed" in found.findings[0].message
    # An attacker who forgets the private details of the dropped report and export entries is seen without a head.
    root = tmp_path / "outputs-dropped-private-left"
    shutil.copytree(built.case, root)
    _drop_tail(root, last_import, private_too=False)
    found = verify_case(root)
    assert not found.ok and set(found.codes()) == {"PRIVATE_DETAILS_EXTRA"}


def test_a_disclosed_entry_with_a_time_without_offset_is_named(built: Built, tmp_path: Path) -> None:
    members = _read(built.sel_early)
    key = SigningKey.load(built.case / "keys", None)
    lines = _ledger_lines(members)
    entry = json.loads(lines[1])
    entry["recorded_at"] = entry["recorded_at"].removesuffix("+00:00")
    entry["hash"] = entry_hash(entry["prev"], entry["kind"], entry["recorded_at"], entry["body"])
    entry["sig"] = key.sign(bytes.fromhex(entry["hash"])).hex()
    lines[1] = json.dumps(entry, ensure_ascii=False) + "\n"
    found = _check(tmp_path, _resum(_with_ledger(members, lines)))
    assert any(f.code == "RECORDED_AT_INVALID" and f.entry == entry["seq"] for f in found.findings)
    assert "BAD_SIGNATURE" not in found.codes()


def test_the_manifests_report_and_head_time_rest_on_the_ledger(built: Built, tmp_path: Path) -> None:
    root = tmp_path / "case"
    shutil.copytree(built.case, root)
    with Case.open(root) as case:
        case.export(tmp_path / "with-report.zip", report=built.report)
    members = _read(tmp_path / "with-report.zip")
    assert verify_bundle(tmp_path / "with-report.zip").ok
    assert any(n.startswith("report/") for n, _ in members)

    def no_report(manifest: dict[str, Any]) -> None:
        manifest["report"] = None

    found = _check(tmp_path, _resum(members, no_report))
    assert any(f.code == "MANIFEST_MISMATCH" and "names no report" in f.message for f in found.findings)

    def other_time(manifest: dict[str, Any]) -> None:
        manifest["built_from"]["recorded_at"] = "2020-01-01T00:00:00.000000+00:00"

    found = _check(tmp_path, _resum(members, other_time))
    assert any(f.code == "MANIFEST_MISMATCH" and "head's time" in f.message for f in found.findings)


def test_a_bundle_in_the_older_unsigned_format_is_named(built: Built, tmp_path: Path) -> None:
    def older(manifest: dict[str, Any]) -> None:
        manifest["format"] = "evidence-bundle/1"

    members = [(n, d) for n, d in _resum(_read(built.full), older) if n != "manifest.sig"]
    found = _check(tmp_path, members)
    assert not found.ok
    assert any(f.code == "MANIFEST_UNSIGNED" and "evidence-bundle/1" in f.message for f in found.findings)
