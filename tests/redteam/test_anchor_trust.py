"""A11: a timestamp from a TSA of the case holder's own making is self-asserted time, never independent."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from evidence.api import Case
from evidence.verify.case import verify_case
from tests.anchor.tsa_kit import PKI, OpenSSLTSA, serve
from tests.conftest import run_cli

pytestmark = pytest.mark.allow_loopback  # the test TSA listens on 127.0.0.1


def test_a11_a_self_made_tsa_root_is_self_asserted_time(
    case: Case, pki: PKI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = pki.write_root(tmp_path / "root.pem")  # a root no trust store knows: the holder's own making
    with serve(OpenSSLTSA(pki, tmp_path / "tsa")) as (url, _):
        done = case.anchor(url, tsa_cert=root)
    report = verify_case(case.root)
    assert report.ok  # a warning: the token is intact, only its independence is not shown
    (finding,) = [f for f in report.findings if f.code == "ANCHOR_SELF_ASSERTED"]
    assert finding.entry == done.entry.seq and "not shown to be independent" in finding.message
    assert report.facts["anchors"][0]["independent"] is False
    printed = run_cli("-C", str(case.root), "verify")
    assert "self-asserted time" in printed.stdout and "independent:" not in printed.stdout
    assert printed.returncode == 0
    strict = run_cli("-C", str(case.root), "verify", "--strict")  # for scripts that read only the exit code
    assert strict.returncode == 1 and "ANCHOR_SELF_ASSERTED" in strict.stdout
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(case.render_report(profile="lawyer"))
    text = " ".join(
        subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout.split()
    )
    assert "self-asserted time: its root certificate came with the case" in text
    assert "An independent Time-Stamp Authority" not in text
    # The same root, chosen by the person checking: independent, no warning.
    monkeypatch.setenv("EVIDENCE_TSA_ROOTS", str(root))
    trusted = verify_case(case.root)
    assert "ANCHOR_SELF_ASSERTED" not in trusted.codes() and trusted.facts["anchors"][0]["independent"]
