"""The report's embedded manifest and ``evidence verify report.pdf``: against its case, another case, no case."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from evidence.api import Case
from evidence.case.canonical import canonical_bytes, parse_canonical
from evidence.report.manifest import FORMAT, NAME
from evidence.verify.report import is_report, verify_report
from tests.conftest import run_cli, sample_files


@pytest.fixture(scope="module")
def sample_case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample case of `make demo` (as tests/report/test_report.py builds it)."""
    base = tmp_path_factory.mktemp("report-verify")
    files = sample_files(base)
    root = base / "case"
    with Case.init(
        root,
        title="Harassment of Jordan Lee by Alex Morgan",
        tz="Europe/London",
        no_contact_since=date(2026, 3, 1),
    ) as case:
        case.import_files(files)
    return root


@pytest.fixture
def case_copy(sample_case: Path, tmp_path: Path) -> Path:
    target = tmp_path / "case"
    shutil.copytree(sample_case, target)
    return target


@pytest.fixture
def written(case_copy: Path, tmp_path: Path) -> Path:
    """A report of the sample case, written (and recorded in its ledger) by ``evidence report``."""
    out = tmp_path / "report.pdf"
    with Case.open(case_copy) as case:
        case.report(out, profile="police")
    return out


def _manifest(pdf: Path, tmp_path: Path) -> bytes:
    """The attachment as poppler's pdfdetach extracts it (an independent PDF reader)."""
    listing = subprocess.run(["pdfdetach", "-list", str(pdf)], capture_output=True, text=True, check=True)
    assert f"1: {NAME}" in listing.stdout
    target = tmp_path / "detached.json"
    subprocess.run(["pdfdetach", "-save", "1", "-o", str(target), str(pdf)], check=True, capture_output=True)
    return target.read_bytes()


def test_manifest_lists_what_the_report_shows(case_copy: Path, written: Path, tmp_path: Path) -> None:
    data = _manifest(written, tmp_path)
    manifest = parse_canonical(data)  # raises unless canonical JSON
    assert canonical_bytes(manifest) == data
    with Case.open(case_copy, readonly=True) as case:
        exhibits = case.exhibits()
        timeline = case.timeline()
        entries = list(case.entries())
        settings = case.settings()
        fingerprint = case.public_key.fingerprint
    built_from = entries[-2]  # the report.generated entry came after the head it was built from
    assert manifest["format"] == FORMAT
    assert manifest["case"] == {"id": settings["case_id"], "title": "Harassment of Jordan Lee by Alex Morgan"}
    assert manifest["built_from"] == {"seq": built_from.seq, "hash": built_from.hash}
    assert manifest["key_fingerprint"] == fingerprint
    assert manifest["profile"] == "police"
    assert manifest["options"]["bates_prefix"] == "EVD"
    assert manifest["options"]["custom_templates"] is False
    assert [e["exhibit"] for e in manifest["exhibits"]] == [e["exhibit"] for e in exhibits]
    assert {(e["sha256"], e["size"], e["original_name"]) for e in manifest["exhibits"]} == {
        (e["sha256"], e["size"], e["original_name"]) for e in exhibits
    }
    shown = {s.record_id for entry in timeline for s in entry.sources}
    assert {r["record_id"] for r in manifest["records"]} == shown
    assert len(manifest["records"]) == len(shown)


def test_renders_stay_byte_identical(sample_case: Path) -> None:
    with Case.open(sample_case, readonly=True) as case:
        first = case.render_report(profile="lawyer")
        second = case.render_report(profile="lawyer")
    assert first == second
    assert first.count(NAME.encode()) >= 2  # in the name tree and the file specification


def test_verify_ok_against_its_case(case_copy: Path, written: Path) -> None:
    assert is_report(written)
    report = verify_report(written, case_copy)
    assert report.ok, [str(f) for f in report.findings]
    assert report.findings == []
    assert report.facts["report"]["entry"] == report.facts["head"]["seq"]
    assert report.checked["exhibits"] > 0 and report.checked["records"] > 0

    result = run_cli("-C", str(case_copy), "verify", str(written), "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["ok"] is True
    # found from the current folder too
    result = run_cli("verify", str(written), cwd=case_copy)
    assert result.returncode == 0 and result.stdout.startswith("OK:"), result.stdout + result.stderr


def test_one_byte_changed_is_an_unknown_report(case_copy: Path, written: Path) -> None:
    data = bytearray(written.read_bytes())
    at = data.index(b"/Title (") + len(b"/Title (")
    data[at] = ord("X") if data[at] != ord("X") else ord("Y")
    written.write_bytes(bytes(data))
    report = verify_report(written, case_copy)
    assert not report.ok
    assert report.codes() == {"UNKNOWN_REPORT"}
    result = run_cli("-C", str(case_copy), "verify", str(written))
    assert result.returncode == 1
    assert "UNKNOWN_REPORT" in result.stdout


def test_a_report_of_another_case(case_copy: Path, tmp_path: Path) -> None:
    files = sample_files(tmp_path / "other-samples")
    other = tmp_path / "other"
    with Case.init(other, title="Another case", tz="Europe/London") as case:
        case.import_files(files[:1])
        foreign = tmp_path / "foreign.pdf"
        case.report(foreign)
    report = verify_report(foreign, case_copy)
    assert not report.ok
    codes = report.codes()
    assert {"KEY_NOT_EXPECTED", "OTHER_CASE", "UNKNOWN_REPORT"} <= codes
    # Another case's head and records say nothing about this one: no "newer entries were removed".
    assert not codes & {"HEAD_MISMATCH", "MISSING_RECORD", "MISSING_EXHIBIT", "MODIFIED"}, report.findings
    # The same file verifies against its own case.
    assert verify_report(foreign, other).ok


def test_an_unsigned_report_without_its_case_fails(written: Path, tmp_path: Path) -> None:
    report = verify_report(written, None)
    assert not report.ok
    assert [(f.code, f.severity) for f in report.findings] == [("UNSIGNED_REPORT", "error")]
    assert "-C CASE" in report.findings[0].message and "--sign" in report.findings[0].message
    away = tmp_path / "elsewhere"
    away.mkdir()
    result = run_cli("verify", str(written), "--json", cwd=away)
    assert result.returncode == 1, result.stdout + result.stderr
    out = json.loads(result.stdout)
    assert out["ok"] is False and [f["code"] for f in out["findings"]] == ["UNSIGNED_REPORT"]
    assert out["manifest"]["exhibits"] > 0


def test_a_signed_report_without_its_case_passes_with_the_key_to_compare(
    case_copy: Path, tmp_path: Path
) -> None:
    signed = tmp_path / "signed.pdf"
    with Case.open(case_copy) as case:
        case.report(signed, sign=True)
        fingerprint = case.public_key.fingerprint
    report = verify_report(signed, None)
    assert report.ok and [(f.code, f.severity) for f in report.findings] == [("NEEDS_CASE", "warning")]
    assert fingerprint in report.findings[0].message
    expected = verify_report(signed, None, expect_key=fingerprint)
    assert expected.ok and "the fingerprint you expected" in expected.findings[0].message
    assert "or pass --expect-key" not in expected.findings[0].message
    wrong = verify_report(signed, None, expect_key="0" * 64)
    assert not wrong.ok and "KEY_NOT_EXPECTED" in wrong.codes()
    away = tmp_path / "elsewhere"
    away.mkdir()
    result = run_cli("verify", str(signed), "--expect-key", fingerprint, cwd=away)
    assert result.returncode == 0 and fingerprint in result.stdout, result.stdout + result.stderr


def test_a_missing_or_damaged_manifest(written: Path, tmp_path: Path) -> None:
    data = written.read_bytes()
    renamed = tmp_path / "renamed.pdf"
    renamed.write_bytes(data.replace(b"(" + NAME.encode() + b")", b"(evidence-manifest.jsox)"))
    assert verify_report(renamed, None).codes() == {"MANIFEST_MISSING", "UNSIGNED_REPORT"}

    damaged = tmp_path / "damaged.pdf"
    damaged.write_bytes(data.replace(b'{"built_from":{', b'{"built_from" {', 1))
    report = verify_report(damaged, None)
    assert not report.ok and "MANIFEST_MALFORMED" in report.codes()

    cut = tmp_path / "cut.pdf"
    cut.write_bytes(data[: len(data) // 2])
    assert "REPORT_UNREADABLE" in verify_report(cut, None).codes()
