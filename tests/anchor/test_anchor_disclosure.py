"""Trusted timestamps in a selective bundle: `evidence anchor` signs a checkpoint and timestamps that entry, and a
bundle of a few exhibits carries every anchor with the checkpoint it covers and their Merkle proofs, so the
recipient checks token -> checkpoint entry -> signed root -> consistency with the bundle's checkpoint, with
`evidence verify` and with `openssl ts -verify`; and nothing of the withheld exhibits leaks."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from evidence.api import Case
from evidence.case import ledger
from evidence.errors import CaseError
from evidence.verify import Report
from evidence.verify.bundle import verify_bundle
from tests.anchor.tsa_kit import PKI, OpenSSLTSA, serve
from tests.conftest import run_cli
from tests.export.forgery import Members
from tests.export.forgery import read as _read
from tests.export.forgery import write as _write

pytestmark = pytest.mark.allow_loopback
WITHHELD = {
    "diary-private-medical.txt": "WITHHELD-ALPHA my therapist said\n",
    "bank-letter-secret.txt": "WITHHELD-BRAVO account 12345678\n",
}
CHOSEN_NAME = "call-log-chosen.txt"


class Anchored:
    """The case, its selective bundle of EX-0002, and the seqs of its two anchors and the checkpoints they cover."""

    def __init__(self, root: Path, bundle: Path, anchors: list[int], covered: list[int]) -> None:
        self.root, self.bundle, self.anchors, self.covered = root, bundle, anchors, covered


@pytest.fixture(scope="module")
def anchored(tmp_path_factory: pytest.TempPathFactory, pki: PKI) -> Anchored:
    base = tmp_path_factory.mktemp("anchored")
    first_withheld, second_withheld = WITHHELD
    names = [first_withheld, CHOSEN_NAME, second_withheld]
    texts = {**WITHHELD, CHOSEN_NAME: "He called 14 times tonight.\n"}
    root = base / "case"
    with Case.init(root, title="Anchored case", tz="Europe/London") as case:
        for name in names:  # EX-0001 withheld, EX-0002 chosen, EX-0003 withheld
            path = base / name
            path.write_text(texts[name])
            case.import_files([path])
        with serve(OpenSSLTSA(pki, base / "tsa")) as (url, _):
            first = case.anchor(url, tsa_cert=pki.write_root(base / "root.pem"))
            later = base / "later-withheld.txt"
            later.write_text("WITHHELD-CHARLIE\n")
            case.import_files([later])
            second = case.anchor(url, tsa_cert=pki.write_root(base / "root.pem"))
    bundle = base / "one.zip"
    done = run_cli("-C", str(root), "export", "-o", str(bundle), "--exhibits", "EX-0002")
    assert done.returncode == 0, done.stderr
    return Anchored(root, bundle, [first.entry.seq, second.entry.seq], [first.covers.seq, second.covers.seq])


def _resum(members: Members) -> Members:
    """A careful forger: manifest.json and SHA256SUMS rewritten to match the changed files."""
    manifest = json.loads(members["manifest.json"])
    manifest["files"] = [
        {"name": n, "sha256": hashlib.sha256(d).hexdigest(), "size": len(d), "role": "file"}
        for n, d in members.items()
        if n not in {"manifest.json", "SHA256SUMS"}
    ]
    out = {n: d for n, d in members.items() if n != "SHA256SUMS"}
    out["manifest.json"] = json.dumps(manifest).encode()
    out["SHA256SUMS"] = "".join(f"{hashlib.sha256(d).hexdigest()}  {n}\n" for n, d in out.items()).encode()
    return out


def _tampered(bundle: Path, tmp_path: Path, change: Callable[[Members], None]) -> Report:
    members = _read(bundle)
    change(members)
    return verify_bundle(_write(tmp_path / "tampered.zip", _resum(members)))


def _named(report: Report, code: str) -> set[int | str | None]:
    return {f.entry if f.entry is not None else f.path for f in report.findings if f.code == code}


def _lines(members: Members) -> list[dict[str, Any]]:
    return [json.loads(line) for line in members["ledger.jsonl"].decode().splitlines()]


# -- what the bundle carries, and that it verifies -------------------------------------------------------------


def test_a_selective_bundle_carries_the_anchors_and_their_checkpoints(
    anchored: Anchored, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The verifying user trusts this TSA's root (else each anchor is ANCHOR_SELF_ASSERTED: tests/redteam).
    monkeypatch.setenv("EVIDENCE_TSA_ROOTS", str(anchored.root.parent / "root.pem"))
    members = _read(anchored.bundle)
    by_seq = {e["seq"]: e for e in _lines(members)}
    for anchor, covered in zip(anchored.anchors, anchored.covered, strict=True):
        assert by_seq[anchor]["kind"] == "anchor.timestamped"
        assert by_seq[covered]["kind"] == "checkpoint.signed" and covered == anchor - 1
        assert by_seq[covered]["body"]["size"] == covered - 1
        assert f"anchors/{anchor:04d}.tsr" in members and f"anchors/{anchor:04d}-ca.pem" in members
        assert members[f"anchors/{anchor:04d}.digest"].decode().strip() == by_seq[covered]["hash"]
    proofs = json.loads(members["proofs.json"])
    proved = {p["entry"] for p in proofs["inclusion"]}
    assert set(anchored.anchors) | set(anchored.covered) <= proved
    assert set(anchored.covered) <= {c["entry"] for c in proofs["consistency"]}
    report = verify_bundle(anchored.bundle)
    assert report.ok and not report.findings, [str(f) for f in report.findings]
    assert report.checked["anchors"] == 2
    assert [a["covers"]["seq"] for a in report.facts["anchors"]] == anchored.covered
    printed = run_cli("verify", str(anchored.bundle))
    assert printed.returncode == 0, printed.stdout + printed.stderr


def test_openssl_verifies_every_token_of_the_selective_bundle(anchored: Anchored, tmp_path: Path) -> None:
    out = tmp_path / "unzipped"
    with zipfile.ZipFile(anchored.bundle) as zf:
        zf.extractall(out)
    text = (out / "VERIFY.txt").read_text()
    assert "THIS BUNDLE DISCLOSES ONLY PART" in text and "The entry timestamped is a checkpoint" in text
    sums = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=out, capture_output=True, text=True)
    assert sums.returncode == 0, sums.stdout + sums.stderr
    for anchor, covered in zip(anchored.anchors, anchored.covered, strict=True):
        digest = (out / f"anchors/{anchor:04d}.digest").read_text().strip()
        assert f"entry {anchor}: checkpoint {covered}:{digest}" in text
        command = (
            f"openssl ts -verify -digest {digest} -in anchors/{anchor:04d}.tsr -token_in "
            f"-CAfile anchors/{anchor:04d}-ca.pem"
        )
        assert command in text
        result = subprocess.run(command.split(), cwd=out, capture_output=True, text=True)
        assert result.returncode == 0 and "Verification: OK" in result.stdout, result.stdout + result.stderr


def test_nothing_of_the_withheld_exhibits_leaks(anchored: Anchored) -> None:
    members = _read(anchored.bundle)
    with Case.open(anchored.root) as case:
        withheld = [e for e in case.exhibits() if e["exhibit"] != "EX-0002"]
    assert len(withheld) == 3
    blob = b"\n".join(name.encode() + b"\n" + data for name, data in members.items())
    assert CHOSEN_NAME.encode() in blob
    for ex in withheld:
        assert ex["original_name"].encode() not in blob
        assert ex["sha256"].encode() not in blob
    for secret in ("WITHHELD-ALPHA", "WITHHELD-BRAVO", "WITHHELD-CHARLIE"):
        assert secret.encode() not in blob
    kinds = {e["kind"] for e in _lines(members)}
    assert kinds == {"case.created", "item.acquired", "checkpoint.signed", "anchor.timestamped"} | (
        kinds & {"records.derived", "ocr.derived"}
    )


# -- tampering, each detected and named -----------------------------------------------------------------------


def test_a_changed_token_is_named(anchored: Anchored, tmp_path: Path) -> None:
    name = f"anchors/{anchored.anchors[0]:04d}.tsr"

    def change(members: Members) -> None:
        data = members[name]
        members[name] = data[:-20] + bytes([data[-20] ^ 1]) + data[-19:]

    report = _tampered(anchored.bundle, tmp_path, change)
    assert not report.ok
    assert anchored.anchors[0] in _named(report, "ANCHOR_TOKEN_MISSING"), [str(f) for f in report.findings]
    # Without a careful forger, the member itself is named too.
    members = _read(anchored.bundle)
    change(members)
    plain = verify_bundle(_write(tmp_path / "plain.zip", members))
    assert name in _named(plain, "MODIFIED")


def test_a_changed_digest_file_is_named(anchored: Anchored, tmp_path: Path) -> None:
    name = f"anchors/{anchored.anchors[1]:04d}.digest"

    def change(members: Members) -> None:
        members[name] = b"0" * 64 + b"\n"

    report = _tampered(anchored.bundle, tmp_path, change)
    assert _named(report, "ANCHOR_DIGEST") == {name}, [str(f) for f in report.findings]
    assert not report.ok


def test_a_swapped_ca_file_is_named(anchored: Anchored, tmp_path: Path, pki: PKI) -> None:
    from cryptography.hazmat.primitives.serialization import Encoding

    name = f"anchors/{anchored.anchors[0]:04d}-ca.pem"

    def change(members: Members) -> None:
        members[name] = pki.stranger.public_bytes(Encoding.PEM)

    report = _tampered(anchored.bundle, tmp_path, change)
    assert not report.ok
    # The other anchor's copy of the root still lets `evidence verify` check the token, but the file the
    # recipient's openssl command uses is not the recorded trust anchor.
    assert _named(report, "ANCHOR_CA") == {name}, [str(f) for f in report.findings]
    # The only copy swapped: the token cannot be checked against the recorded trust anchor at all.
    other = f"anchors/{anchored.anchors[1]:04d}-ca.pem"

    def both(members: Members) -> None:
        change(members)
        members[other] = pki.stranger.public_bytes(Encoding.PEM)

    report = _tampered(anchored.bundle, tmp_path, both)
    assert _named(report, "ANCHOR_CA") == {name, other}
    assert set(anchored.anchors) <= _named(report, "ANCHOR_TOKEN_MISSING"), [str(f) for f in report.findings]


@pytest.mark.parametrize("which", ["inclusion", "consistency"])
def test_a_dropped_proof_of_the_anchored_checkpoint_is_named(
    anchored: Anchored, tmp_path: Path, which: str
) -> None:
    checkpoint = anchored.covered[0]

    def change(members: Members) -> None:
        doc = json.loads(members["proofs.json"])
        doc[which] = [p for p in doc[which] if p["entry"] != checkpoint]
        members["proofs.json"] = json.dumps(doc).encode()

    report = _tampered(anchored.bundle, tmp_path, change)
    code = "PROOF_MISSING" if which == "inclusion" else "CONSISTENCY_MISSING"
    assert _named(report, code) == {checkpoint}, [str(f) for f in report.findings]
    assert not report.ok


def test_a_dropped_anchored_checkpoint_entry_is_named(anchored: Anchored, tmp_path: Path) -> None:
    checkpoint = anchored.covered[1]

    def change(members: Members) -> None:
        kept = [e for e in _lines(members) if e["seq"] != checkpoint]
        members["ledger.jsonl"] = "".join(json.dumps(e) + "\n" for e in kept).encode()

    report = _tampered(anchored.bundle, tmp_path, change)
    assert anchored.anchors[1] in _named(report, "ANCHOR_HEAD"), [str(f) for f in report.findings]
    assert not report.ok


# -- the checkpoint and the anchor are one unit ---------------------------------------------------------------


def test_a_ledger_moved_behind_the_lock_while_the_tsa_answered_records_nothing(
    case: Case, pki: PKI, tmp_path: Path
) -> None:
    """Fault injection: a rogue writer that ignores the case lock appends an entry while the TSA is answering.
    The token covers a checkpoint that can no longer be the next entry, so neither is recorded."""
    tsa = OpenSSLTSA(pki, tmp_path / "tsa")
    key = case._signing_key(None)

    def rogue_then_answer(request: bytes) -> bytes:
        conn = sqlite3.connect(case.root / "evidence.db", isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            ledger.append(conn, key, "annotation.added", {"note": "written behind the lock"})
            conn.execute("COMMIT")
        finally:
            conn.close()
        return tsa(request)

    objects = {p.name for p in (case.root / "objects").rglob("*") if p.is_file()}
    before = case.head()
    with serve(rogue_then_answer) as (url, _), pytest.raises(CaseError) as caught:
        case.anchor(url, tsa_cert=pki.write_root(tmp_path / "root.pem"))
    assert f"the ledger changed while entry {before.seq + 1} was being timestamped" in caught.value.message
    kinds = [e.kind for e in case.entries()]
    assert kinds[-1] == "annotation.added" and len(kinds) == before.seq + 1
    assert "checkpoint.signed" not in kinds and "anchor.timestamped" not in kinds
    assert {p.name for p in (case.root / "objects").rglob("*") if p.is_file()} == objects
