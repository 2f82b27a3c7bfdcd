"""``evidence encrypt``: a plain case becomes an encrypted one, its ledger and records unchanged, no plain file
left in the folder or beside it; an altered object stops it with the case unchanged."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from evidence.api import Case
from evidence.case import vault
from evidence.errors import CaseError, UsageError
from evidence.verify.case import verify_case
from tests.conftest import run_cli

PASS = "correct horse battery staple"


def _plain(root: Path, corpus: Path) -> Case:
    case = Case.init(root, title="Harassment by A. Morgan", tz="Europe/London")
    case.import_files(
        [
            corpus / "smsbackup" / "sms-devadvance-sms_and_mms.xml",
            corpus / "email" / "cpython-mailbox_01.mbox",
        ]
    )
    return case


def test_encrypting_keeps_the_ledger_and_leaves_no_plain_file(tmp_path: Path, corpus: Path) -> None:
    root = tmp_path / "case"
    case = _plain(root, corpus)
    head, records = case.head(), [r.to_json() for r in case.records()]
    hashes = [str(e["sha256"]) for e in case.exhibits()]
    words = [r.text.strip()[:20].encode() for r in case.records() if r.text and len(r.text.strip()) >= 12]
    assert len(words) >= 5
    done = case.encrypt(PASS, cost=vault.TEST_COST)
    assert done.head == head and done.objects >= 3 and done.shredded > 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case"]  # nothing aside, nothing half-built
    with Case.open(root, passphrase=PASS) as again:
        assert again.keys is not None
        assert again.head() == head
        assert [r.to_json() for r in again.records()] == records
    # The head written down before encrypting still verifies, and the whole case with it.
    checked = verify_case(root, heads=[f"{head.seq}:{head.hash}"], keys=vault.unlock(root / "keys", PASS))
    assert checked.ok and checked.findings == [], [str(f) for f in checked.findings]
    blob = b"".join(p.read_bytes() for p in root.rglob("*") if p.is_file())
    assert not any(w in blob for w in words)
    assert not any(h.encode() in blob for h in hashes)
    assert not (root / "objects" / "sha256").exists()
    with pytest.raises(UsageError, match="encrypted already"), Case.open(root, passphrase=PASS) as again:
        again.encrypt(PASS, cost=vault.TEST_COST)


def test_an_altered_object_stops_the_conversion_and_changes_nothing(tmp_path: Path, corpus: Path) -> None:
    root = tmp_path / "case"
    case = _plain(root, corpus)
    sha = str(case.exhibits()[0]["sha256"])
    path = case.store.path_for(sha)
    os.chmod(path, 0o644)
    path.write_bytes(path.read_bytes() + b"x")

    def listing() -> list[tuple[str, bytes]]:
        return sorted(
            (str(p.relative_to(root)), p.read_bytes())
            for p in root.rglob("*")
            if p.is_file() and not p.name.endswith(("-wal", "-shm"))
        )

    before = listing()
    with pytest.raises(CaseError, match="not the bytes its name says"):
        case.encrypt(PASS, cost=vault.TEST_COST)
    case.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case"]
    assert [name for name, _ in listing()] == [name for name, _ in before]
    assert [data for name, data in listing() if not name.startswith("evidence.db")] == [
        data for name, data in before if not name.startswith("evidence.db")
    ]
    with Case.open(root) as again:
        assert again.keys is None and len(again.records()) > 0


def test_the_cli_encrypts_a_plain_case(tmp_path: Path, corpus: Path) -> None:
    root = tmp_path / "case"
    _plain(root, corpus).close()
    done = run_cli("-C", str(root), "encrypt", env={"EVIDENCE_PASSPHRASE": PASS})
    assert done.returncode == 0, done.stderr
    assert "the ledger unchanged" in done.stdout and "SSD" in done.stdout
    assert run_cli("-C", str(root), "stats").returncode == 5
    assert run_cli("-C", str(root), "stats", env={"EVIDENCE_PASSPHRASE": PASS}).returncode == 0
