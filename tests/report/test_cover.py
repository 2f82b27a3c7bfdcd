"""What the cover and the compulsory sections say (issue 14, findings 7, 9, 11 and 13): no backdated report,
custom templates named with their hashes and unable to drop Completeness or Verification, trusted-time
status, event versus acquisition dates, the exact completeness wording, and the exact tool (commit id,
library versions) in the report and its manifest."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from evidence.api import Case
from evidence.errors import ExitCode, UsageError
from tests.anchor.tsa_kit import PKI, OpenSSLTSA, serve
from tests.conftest import CORPUS, ROOT, run_cli

SELECTED = "exports selected by the complainant; not a device extraction"


def read_manifest(pdf: bytes, tmp: Path) -> dict[str, object]:
    """The embedded manifest, detached with poppler's pdfdetach (what a recipient would use)."""
    path = tmp / "m.pdf"
    path.write_bytes(pdf)
    out = tmp / "manifest.json"
    subprocess.run(["pdfdetach", "-save", "1", "-o", str(out), str(path)], check=True, timeout=60)
    data = json.loads(out.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _flat(pdf: Path) -> str:
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    return " ".join(text.split())


@pytest.fixture(scope="module")
def small_case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """SMS Backup & Restore's test archive (devadvance/sms-backup-reader-2, MIT), imported."""
    root = tmp_path_factory.mktemp("cover") / "case"
    with Case.init(root, title="Backup", tz="Europe/London") as case:
        case.import_files([CORPUS / "smsbackup" / "sms-devadvance-sms_small.xml"])
    return root


@pytest.fixture
def case_copy(small_case: Path, tmp_path: Path) -> Path:
    target = tmp_path / "case"
    shutil.copytree(small_case, target)
    return target


def test_a_report_cannot_be_dated_before_its_ledger_head(case_copy: Path, tmp_path: Path) -> None:
    with Case.open(case_copy) as case:
        head_time = datetime.fromisoformat(list(case.entries())[-1].recorded_at)
        with pytest.raises(UsageError, match="before the ledger head"):
            case.render_report(generated_at=head_time - timedelta(seconds=1))
        assert case.render_report(generated_at=head_time)  # the head's own time is fine
    out = tmp_path / "backdated.pdf"
    done = run_cli(
        "-C", str(case_copy), "report", "-o", str(out), "--generated-at", "2026-03-15T10:00:00+00:00"
    )
    assert done.returncode == ExitCode.USAGE, done.stderr
    assert "before the ledger head" in done.stderr and "Traceback" not in done.stderr
    assert not out.exists()


def test_custom_templates_are_named_with_their_hashes_and_cannot_drop_the_compulsory_sections(
    small_case: Path, tmp_path: Path
) -> None:
    mine = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", mine)
    police = json.loads((mine / "profiles" / "police.json").read_text(encoding="utf-8"))
    police["sections"] = [s for s in police["sections"] if s["id"] not in ("completeness", "verification")]
    profile = mine / "profiles" / "police.json"
    profile.write_text(json.dumps(police), encoding="utf-8")
    with Case.open(small_case, readonly=True) as case:
        pdf = case.render_report(profile="police", templates=mine)
    out = tmp_path / "custom.pdf"
    out.write_bytes(pdf)
    text = _flat(out)
    digest = hashlib.sha256(profile.read_bytes()).hexdigest()
    assert "CUSTOM templates (not the toolkit's wording)" in text
    assert f"profiles/police.json sha256 {digest}" in text.replace("- ", "-")
    # Both sections are there though the custom profile left them out.
    assert b"/Title (Completeness)" in pdf and b"/Title (Verification)" in pdf
    options = read_manifest(pdf, tmp_path)["options"]
    assert isinstance(options, dict) and options["custom_templates"] is True
    assert {"file": "profiles/police.json", "sha256": digest} in options["templates"]


def test_cover_trusted_time_dates_completeness_and_exact_tool(small_case: Path, tmp_path: Path) -> None:
    for profile in ("lawyer", "police", "protective-order"):
        with Case.open(small_case, readonly=True) as case:
            pdf = case.render_report(profile=profile)
        out = tmp_path / f"{profile}.pdf"
        out.write_bytes(pdf)
        text = _flat(out)
        assert "NOT anchored: no timestamp authority has signed this ledger" in text, profile
        assert "when each file was acquired (imported into the case)" in text, profile
        # On the cover and in Completeness, word for word.
        assert text.count(SELECTED) == 2, profile
        assert "Nothing was left out" not in text
        assert "the toolkit's own: profiles/" in text
    tool = read_manifest(pdf, tmp_path)["tool"]
    assert isinstance(tool, dict)
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    if commit:  # the suite runs from a checkout; an installed copy says it is not one
        assert tool["commit"].removesuffix("+modified") == commit
    else:
        assert tool["commit"] == "not run from a git checkout"
    assert "reportlab 5." in tool["libraries"] and "pyHanko 0." in tool["libraries"]
    assert f"commit {tool['commit']}" in text.replace("- ", "-")
    assert tool["libraries"].split(",")[0] in text


@pytest.mark.allow_loopback
def test_an_anchor_is_on_the_cover(case_copy: Path, tmp_path: Path) -> None:
    """A recorded anchor by a test TSA on 127.0.0.1, whose root is in no trust store here: anchored, but
    self-asserted."""
    pki = PKI()
    with Case.open(case_copy) as case:
        with serve(OpenSSLTSA(pki, tmp_path / "tsa")) as (url, _):
            case.anchor(url, tsa_cert=pki.write_root(tmp_path / "root.pem"))
        pdf = case.render_report()
    out = tmp_path / "anchored.pdf"
    out.write_bytes(pdf)
    text = _flat(out)
    assert "anchored: entries 1-" in text and "self-asserted" in text
