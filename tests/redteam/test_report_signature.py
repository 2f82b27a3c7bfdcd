"""A13: a signed report changed in the one place its signature cannot cover (the /Contents padding)."""

from __future__ import annotations

import re
from pathlib import Path

from evidence.api import Case
from evidence.verify.report import verify_report

DATA = Path(__file__).resolve().parent.parent / "data"


def _hide_in_padding(pdf: bytes) -> bytes:
    """What a13_sig_padding.py does: a message written into the zeros after the CMS signature."""
    data = bytearray(pdf)
    found = re.search(rb"/Contents <([0-9a-fA-F]+)>", data)
    assert found is not None
    digits = found.group(1)
    pad = len(digits) - len(digits.rstrip(b"0"))
    message = b"This report was altered after signing and still verifies".hex().upper().encode()
    start = found.end(1) - pad + 64
    data[start : start + len(message)] = message
    return bytes(data)


def test_a13_a_message_hidden_in_the_signature_padding_is_caught(tmp_path: Path) -> None:
    root = tmp_path / "case"
    out = tmp_path / "signed.pdf"
    with Case.init(root, title="T", tz="Europe/London") as case:
        case.import_files([DATA / "smsbackup" / "all_sms_types.xml"])
        case.report(out, sign=True)
        fingerprint = case.public_key.fingerprint
    intact = verify_report(out, None, expect_key=fingerprint)
    assert "SIGNATURE_GAP_CHANGED" not in intact.codes()
    altered = tmp_path / "altered.pdf"
    altered.write_bytes(_hide_in_padding(out.read_bytes()))
    without_case = verify_report(altered, None, expect_key=fingerprint)
    assert "SIGNATURE_GAP_CHANGED" in without_case.codes() and not without_case.ok
    with_case = verify_report(altered, root)
    assert {"SIGNATURE_GAP_CHANGED", "UNKNOWN_REPORT"} <= with_case.codes()
