"""An encrypted case: what it holds on disk reveals nothing of its content; it opens only with its passphrase;
it reads exactly as the same material in a plain case.

The plaintext searched for is the material's own (numbers, words of messages, file names, hashes), taken from the
real files imported, so a leak of any of them fails the test."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from evidence.api import Case
from evidence.case import vault
from evidence.errors import PassphraseError
from tests.conftest import run_cli

PASS = "correct horse battery staple"


def _corpus_file(corpus: Path) -> Path:
    return corpus / "smsbackup" / "sms-devadvance-sms_and_mms.xml"


def _case(root: Path, source: Path, *, encrypted: bool) -> Case:
    case = Case.init(
        root,
        title="Harassment by A. Morgan",
        tz="Europe/London",
        passphrase=PASS if encrypted else None,
        encrypted=encrypted,
        cost=vault.TEST_COST,
    )
    case.import_files([source])
    return case


def _needles(case: Case, source: Path) -> set[bytes]:
    """Plaintext that must not appear anywhere in an encrypted case folder."""
    found: set[bytes] = {source.name.encode(), case.title.encode()}
    for entry in case.exhibits():
        found.add(str(entry["sha256"]).encode())
    for record in case.records()[:40]:
        for value in (record.text, record.sender, *record.recipients):
            if isinstance(value, str) and len(value.strip()) >= 8:
                found.add(value.strip()[:24].encode("utf-8"))
    return {n for n in found if len(n) >= 6}


def _folder_bytes(root: Path) -> list[tuple[Path, bytes]]:
    return [(p, p.read_bytes()) for p in sorted(root.rglob("*")) if p.is_file()]


def test_an_encrypted_case_holds_no_plaintext_and_reads_as_a_plain_one(tmp_path: Path, corpus: Path) -> None:
    source = _corpus_file(corpus)
    plain = _case(tmp_path / "plain", source, encrypted=False)
    secret = _case(tmp_path / "secret", source, encrypted=True)
    try:
        assert [r.to_json() for r in secret.records()] == [r.to_json() for r in plain.records()]
        assert [e["sha256"] for e in secret.exhibits()] == [e["sha256"] for e in plain.exhibits()]
        needles = _needles(plain, source)
        assert len(needles) > 10
        # the same needles are in the plain case: the search would find a leak
        plain_bytes = b"".join(data for _, data in _folder_bytes(tmp_path / "plain"))
        assert sum(n in plain_bytes for n in needles) >= len(needles) // 2
        secret.close()
        leaks = [
            (path.relative_to(tmp_path), needle)
            for path, data in _folder_bytes(tmp_path / "secret")
            for needle in needles
            if needle in data
        ]
        assert leaks == []
        names = [p.name for p in (tmp_path / "secret").rglob("*")]
        assert not any(str(e["sha256"]) in names for e in plain.exhibits())
        assert not (tmp_path / "secret" / "objects" / "sha256").exists()
    finally:
        plain.close()
        secret.close()


def test_an_encrypted_case_opens_only_with_its_passphrase(tmp_path: Path, corpus: Path) -> None:
    _case(tmp_path / "c", _corpus_file(corpus), encrypted=True).close()
    with pytest.raises(PassphraseError, match="passphrase is needed"):
        Case.open(tmp_path / "c")
    with pytest.raises(PassphraseError, match="wrong passphrase"):
        Case.open(tmp_path / "c", passphrase="not it")
    asked: list[int] = []

    def ask() -> str:
        asked.append(1)
        return PASS

    with Case.open(tmp_path / "c", readonly=True, passphrase=ask) as case:
        assert case.keys is not None and len(case.records()) > 0
    assert asked == [1]


def test_the_cli_encrypts_by_default_and_says_so(tmp_path: Path, corpus: Path) -> None:
    case = tmp_path / "case"
    refused = run_cli("init", str(case), "--title", "t", "--tz", "UTC")
    assert refused.returncode == 2, refused.stderr
    assert "needs one" in refused.stderr and "--plain" in refused.stderr
    assert not case.exists() or not any(case.iterdir())
    env = {"EVIDENCE_PASSPHRASE": PASS}
    made = run_cli("init", str(case), "--title", "t", "--tz", "UTC", env=env)
    assert made.returncode == 0, made.stderr
    assert "encrypted: yes" in made.stdout
    assert json.loads((case / "keys" / "vault.json").read_text())["format"] == "evidence-vault/1"
    imported = run_cli("-C", str(case), "import", str(_corpus_file(corpus)), env=env)
    assert imported.returncode == 0, imported.stderr
    wrong = run_cli("-C", str(case), "timeline", env={"EVIDENCE_PASSPHRASE": "nope"})
    assert wrong.returncode == 5 and "wrong passphrase" in wrong.stderr and "Traceback" not in wrong.stderr
    missing = run_cli("-C", str(case), "stats")
    assert missing.returncode == 5 and "passphrase is needed" in missing.stderr
    shown = run_cli("-C", str(case), "timeline", env=env)
    assert shown.returncode == 0 and shown.stdout.count("\n") > 5
    assert os.stat(case / "keys" / "vault.json").st_mode & 0o077 == 0
