"""The declarations (issue 14, finding 14): the police profile carries a CJA 1967 s.9 statement in MG11 style
with the exhibits produced, not a civil statement of truth; the lawyer's has FRE 902(13) and 902(14)
certifications with the 902(11) notice; every placeholder is filled, the assumed zones said exactly."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from evidence.api import Case
from tests.conftest import CORPUS


@pytest.fixture(scope="module")
def case_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """SMS Backup & Restore's test archive (times with offsets; devadvance/sms-backup-reader-2, MIT), a real
    Android WhatsApp export of 60 messages whose times have no zone (starkdmi/whats_json, GPL-3.0; 62 lines, two
    of them a message's continuation), and a typed diary entry."""
    root = tmp_path_factory.mktemp("decl") / "case"
    with Case.init(root, title="Backup", tz="Europe/London") as case:
        case.import_files(
            [
                CORPUS / "smsbackup" / "sms-devadvance-sms_small.xml",
                CORPUS / "whatsapp-real" / "whatsjson-android-WhatsApp Chat with Dmitry S EN Android.txt",
            ]
        )
        case.add_diary_entry(when="2026-03-01T10:00:00+00:00", text="He called again.")
    return root


def _text(root: Path, profile: str, tmp: Path) -> str:
    out = tmp / f"{profile}.pdf"
    with Case.open(root, readonly=True) as case:
        out.write_bytes(case.render_report(profile=profile))
        exhibits = case.exhibits()
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    flat = " ".join(text.split())
    for exhibit in exhibits:
        assert exhibit["exhibit"] in flat
    return flat


def test_police_profile_has_an_mg11_style_s9_statement_with_the_exhibits(
    case_root: Path, tmp_path: Path
) -> None:
    text = _text(case_root, "police", tmp_path)
    declaration = text[text.rindex("WITNESS STATEMENT") :]
    assert "Criminal Justice Act 1967, s.9" in declaration
    assert (
        "I shall be liable to prosecution if I have wilfully stated in it anything which I know to be false"
        in declaration
    )
    assert "CPR Part 22" not in text and "contempt of court" not in text
    with Case.open(case_root, readonly=True) as case:
        first = case.exhibits()[0]
    # Produced under the complainant's initials and the exhibit's number (issue 14); this case names no owner,
    # so the initials are a blank to fill in by hand.
    produced = f"__/1 ({first['exhibit']}): {first['original_name']}, SHA-256 {first['sha256'][:40]}"
    assert produced in declaration
    assert "not an extraction of a device" in declaration
    assert not re.search(r"\$[a-z_]+", declaration), "a placeholder was left unfilled"


def test_lawyer_profile_has_902_13_and_14_with_the_902_11_notice(case_root: Path, tmp_path: Path) -> None:
    text = _text(case_root, "lawyer", tmp_path)
    assert "Federal Rule of Evidence 902(13)" in text and "Federal Rule of Evidence 902(14)" in text
    assert text.count("NOTICE UNDER FED. R. EVID. 902(11)") == 2
    for field in ("Qualification.", "Data identified.", "Process and tool.", "Hash results.", "Disclosure."):
        assert field in text, field
    # 12 texts with offsets, 1 diary entry typed with its offset, 60 WhatsApp messages without a zone (by eye).
    assert (
        "60 of the 73 records had a time written by their source without a zone or offset; a zone was assumed "
        "(Europe/London for 60)"
    ) in text
    assert not re.search(r"\$[a-z_]+", text), "a placeholder was left unfilled"
    assert re.search(r"commit ([0-9a-f]{40}|not run from a git checkout)", text)
