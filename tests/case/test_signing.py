"""Case keys: mode 0600, passphrase encryption, clear errors."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from evidence.api import Case
from evidence.case.signing import PublicKey, SigningKey
from evidence.errors import CaseError, SigningKeyError


def test_private_key_is_0600_and_public_key_is_pem(tmp_path: Path) -> None:
    with Case.init(tmp_path / "c", title="t", tz="UTC") as case:
        mode = stat.S_IMODE((case.root / "keys" / "case.key").stat().st_mode)
        assert mode == 0o600
        pem = (case.root / "keys" / "case.pub").read_bytes()
        assert pem.startswith(b"-----BEGIN PUBLIC KEY-----")
        assert PublicKey.from_pem(pem) == case.public_key


def test_passphrase_encrypts_the_key(tmp_path: Path) -> None:
    with Case.init(tmp_path / "c", title="t", tz="UTC", passphrase="correct horse") as case:
        keys = case.root / "keys"
        assert b"ENCRYPTED" in (keys / "case.key").read_bytes()
        assert SigningKey.is_encrypted(keys)
        assert case.genesis["key_encrypted"] is True
        with pytest.raises(SigningKeyError, match="protected by a passphrase") as locked:
            SigningKey.load(keys, None)
        assert locked.value.hint and "EVIDENCE_PASSPHRASE" in locked.value.hint
        with pytest.raises(SigningKeyError, match="wrong passphrase"):
            SigningKey.load(keys, "wrong")
        assert SigningKey.load(keys, "correct horse").public == case.public_key
        f = tmp_path / "x.txt"
        f.write_text("x")
        with pytest.raises(SigningKeyError):
            case.import_files([f], passphrase=lambda: "wrong")
        assert case.head().seq == 1  # nothing recorded
        case.import_files([f], passphrase=lambda: "correct horse")
        assert case.head().seq == 2


def test_a_foreign_private_key_is_refused(tmp_path: Path) -> None:
    with Case.init(tmp_path / "c", title="t", tz="UTC") as case:
        keys = case.root / "keys"
        (keys / "case.key").unlink()
        other = SigningKey.generate()
        (keys / "case.pub").rename(keys / "case.pub.orig")
        other.save(keys, None)
        (keys / "case.pub").unlink()
        (keys / "case.pub.orig").rename(keys / "case.pub")
        f = tmp_path / "x.txt"
        f.write_text("x")
        with pytest.raises(CaseError, match="not the key this case was created with"):
            case.import_files([f])


def test_signatures_verify_only_for_their_message() -> None:
    key = SigningKey.generate()
    sig = key.sign(b"message")
    assert key.public.verify(sig, b"message")
    assert not key.public.verify(sig, b"messagf")
    assert not SigningKey.generate().public.verify(sig, b"message")
    assert len(key.public.fingerprint) == 64
