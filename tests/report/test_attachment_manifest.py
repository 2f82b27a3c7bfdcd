"""Attachments (files inside an e-mail or an MMS, stored as derived objects) are listed under their parent
exhibit with their SHA-256, in the Exhibits section and in the embedded manifest, so a recipient can check
each (issue 14, finding 6). The hashes expected are those of Python's own e-mail parser's decoding of the
same files, not this toolkit's."""

from __future__ import annotations

import email
import email.policy
import hashlib
import json
import subprocess
from pathlib import Path

import pytest

from evidence.api import Case
from tests.conftest import CORPUS, run_cli

# imaptools (ikvk/imap_tools, Apache-2.0): an attachment with a non-ASCII file name, and a message that is
# only a gzip attachment.
FILES = ("imaptools-attachment_nonascii_filename.eml", "imaptools-attachment_only_email.eml")


def _stdlib_attachments(path: Path) -> list[tuple[str, str, int]]:
    """(file name, SHA-256, size) of each attachment, as the standard library decodes it."""
    msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    found = []
    for part in msg.walk():
        if part.get_filename():
            data = part.get_payload(decode=True)
            assert isinstance(data, bytes)
            found.append((str(part.get_filename()), hashlib.sha256(data).hexdigest(), len(data)))
    return found


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("attachments")
    root = base / "case"
    with Case.init(root, title="Attachments", tz="Europe/London") as case:
        case.import_files([CORPUS / "email" / name for name in FILES])
    out = base / "report.pdf"
    assert run_cli("-C", str(root), "report", "-o", str(out)).returncode == 0
    return root, out


def test_each_attachment_is_in_the_manifest_under_its_exhibit(
    report: tuple[Path, Path], tmp_path: Path
) -> None:
    root, pdf = report
    subprocess.run(["pdfdetach", "-save", "1", str(pdf), "-o", str(tmp_path / "m.json")], check=True)
    manifest = json.loads((tmp_path / "m.json").read_text(encoding="utf-8"))
    by_name = {e["original_name"]: e for e in manifest["exhibits"]}
    for name in FILES:
        expected = _stdlib_attachments(CORPUS / "email" / name)
        listed = by_name[name]["attachments"]
        assert [(a["name"], a["sha256"], a["size"]) for a in listed] == expected, name
        assert all(a["stored"] and a["locator"] and a["record_id"].startswith("R-") for a in listed)
    assert by_name[FILES[0]]["attachments"][0]["media_type"] == "text/plain"
    # The report with its new manifest still verifies against its case.
    out = run_cli("-C", str(root), "verify", str(pdf))
    assert out.returncode == 0, out.stdout + out.stderr


def test_the_exhibits_section_lists_each_attachment_with_its_hash(report: tuple[Path, Path]) -> None:
    _, pdf = report
    text = subprocess.run(
        ["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(text.split())
    exhibits = flat[flat.index("Each original with its exhibit number") :]  # the Exhibits section
    for name in FILES:
        ((file_name, sha, size),) = _stdlib_attachments(CORPUS / "email" / name)
        at = exhibits.index(name)  # the exhibit's heading; its attachments follow before the next exhibit
        block = exhibits[at : exhibits.find("EX-000", at + len(name) + 40)]
        assert "Attachments in this exhibit (1)" in block, name
        assert file_name in block and f"{size:,} bytes" in block
        # Long hashes wrap in the table's cell: compare without the spaces a wrap adds.
        assert sha in block.replace(" ", ""), name


def test_verify_compares_each_listed_attachment_with_the_case(
    report: tuple[Path, Path], tmp_path: Path
) -> None:
    """`verify report.pdf` checks the manifest's attachments against the case's records (it did not): the
    manifest as written passes; one whose attachment hash, or record, was changed does not."""
    from evidence.verify import Report
    from evidence.verify.casefacts import read_case_facts
    from evidence.verify.report import _compare_attachments

    root, pdf = report
    subprocess.run(["pdfdetach", "-save", "1", str(pdf), "-o", str(tmp_path / "m.json")], check=True)
    exhibits = json.loads((tmp_path / "m.json").read_text(encoding="utf-8"))["exhibits"]
    facts = read_case_facts(root)
    clean = Report("report")
    _compare_attachments(exhibits, facts.records, clean)
    assert not clean.findings
    forged = json.loads(json.dumps(exhibits))
    forged[0]["attachments"][0]["sha256"] = "0" * 64  # a picture swapped in the listing
    moved = json.loads(json.dumps(exhibits))
    moved[0]["attachments"][0]["record_id"] = moved[1]["attachments"][0][
        "record_id"
    ]  # another exhibit's record
    for listing in (forged, moved):
        found = Report("report")
        _compare_attachments(listing, facts.records, found)
        assert [f.code for f in found.findings] == ["MODIFIED"]
        assert "not an attachment of that record of this exhibit in the case" in found.findings[0].message
