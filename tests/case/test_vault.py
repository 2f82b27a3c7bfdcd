"""The vault (evidence.case.vault): the passphrase-wrapped data key, the keys derived from it, wrong
passphrases and their growing delay, damaged vaults, changing the passphrase, and the strength hint."""

from __future__ import annotations

import base64
import json
import os
import random
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from evidence.case.canonical import canonical_bytes, parse_canonical
from evidence.case.vault import (
    DEFAULT_COST,
    TEST_COST,
    CaseKeys,
    Cost,
    change_passphrase,
    create_vault,
    is_encrypted,
    passphrase_strength,
    recorded_failures,
    unlock,
    unlock_delay,
)
from evidence.errors import CaseError, ExitCode, PassphraseError, SigningKeyError, UsageError

PASSPHRASE = "orbit maple tundra velvet"
DATA = Path(__file__).resolve().parents[1] / "data" / "passwords"


class Sleeps:
    """The delays an unlock asked for, recorded instead of slept (the delay rule is what is tested)."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def _case(tmp_path: Path) -> tuple[Path, CaseKeys]:
    keys_dir = tmp_path / "case" / "keys"
    keys_dir.parent.mkdir()
    return keys_dir, create_vault(keys_dir, PASSPHRASE, cost=TEST_COST)


def _vault(keys_dir: Path) -> dict[str, object]:
    document = parse_canonical((keys_dir / "vault.json").read_bytes())
    assert isinstance(document, dict)
    return document


def _rewrite(keys_dir: Path, document: object) -> None:
    (keys_dir / "vault.json").write_bytes(canonical_bytes(document))


# -- the vault and its keys --------------------------------------------------------------------------------------


def test_create_then_unlock_gives_the_same_keys(tmp_path: Path) -> None:
    keys_dir, keys = _case(tmp_path)
    path = keys_dir / "vault.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert is_encrypted(keys_dir.parent) and not is_encrypted(tmp_path)
    raw = path.read_bytes()
    assert canonical_bytes(json.loads(raw)) == raw  # canonical JSON: sorted keys, no spaces
    document = _vault(keys_dir)
    assert document["format"] == "evidence-vault/1"
    assert document["kdf"] == {
        "iterations": 1,
        "lanes": 1,
        "memory_kib": 8192,
        "name": "argon2id",
        "salt": document["kdf"]["salt"],  # type: ignore[index]
    }
    again = unlock(keys_dir, PASSPHRASE)
    assert again == keys
    assert (again.db_key, again.object_key, again.name_key, again.signing_secret) == (
        keys.db_key,
        keys.object_key,
        keys.name_key,
        keys.signing_secret,
    )


def test_the_vault_opens_by_hand_as_documented(tmp_path: Path) -> None:
    # The module docstring's format, followed with cryptography directly: argon2id of the passphrase, then
    # AES-256-GCM with the tag and the canonical document minus nonce and ciphertext as associated data.
    keys_dir, keys = _case(tmp_path)
    document = _vault(keys_dir)
    kdf, aead = document["kdf"], document["aead"]
    assert isinstance(kdf, dict) and isinstance(aead, dict)
    stretched = Argon2id(
        salt=base64.b64decode(kdf["salt"]),
        length=32,
        iterations=kdf["iterations"],
        lanes=kdf["lanes"],
        memory_cost=kdf["memory_kib"],
    ).derive(PASSPHRASE.encode())
    header = {"aead": {"name": "aes-256-gcm"}, "format": document["format"], "kdf": kdf}
    data_key = AESGCM(stretched).decrypt(
        base64.b64decode(aead["nonce"]),
        base64.b64decode(aead["ciphertext"]),
        b"evidence/vault-data-key/v1\x00" + canonical_bytes(header),
    )
    assert data_key == keys.to_bytes()
    for label, value in (
        (b"evidence/db/v1", keys.db_key),
        (b"evidence/objects/v1", keys.object_key),
        (b"evidence/names/v1", keys.name_key),
        (b"evidence/signing/v1", bytes.fromhex(keys.signing_secret)),
    ):
        expected = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label).derive(data_key)
        assert value == expected


def test_the_stretching_matches_the_argon2_reference_implementation() -> None:
    # The reference implementation's command line (phc-winner-argon2, v1.3):
    #   echo -n password | argon2 somesaltSOMESALTsomesaltSOMESALT -id -t 4 -m 14 -p 1 -l 32 -r
    # (-m 14: 2**14 KiB), as its output is quoted in other projects' tests. This pins what memory_kib,
    # iterations and lanes in vault.json mean, and that the passphrase's UTF-8 bytes are what is stretched.
    from evidence.case.vault import _stretch

    salt = b"somesaltSOMESALTsomesaltSOMESALT"
    expected = "dbda37811a190cf4dffda38f6aaeef2f2bb74c675d1c333512790d4d902107a3"
    assert _stretch("password", salt, Cost(memory_kib=16384, iterations=4, lanes=1)).hex() == expected
    assert _stretch("password", salt, Cost(memory_kib=16384, iterations=4, lanes=2)).hex() != expected


def test_the_keys_are_distinct_and_never_shown(tmp_path: Path) -> None:
    _, keys = _case(tmp_path)
    secrets = [
        keys.to_bytes(),
        keys.db_key,
        keys.object_key,
        keys.name_key,
        bytes.fromhex(keys.signing_secret),
    ]
    assert len(set(secrets)) == 5 and all(len(s) == 32 for s in secrets)
    assert keys.signing_secret == keys.signing_secret.lower() and len(keys.signing_secret) == 64
    shown = repr(keys) + str(keys) + f"{keys!r} {keys}"
    for secret in secrets:
        assert secret.hex() not in shown and repr(secret) not in shown and secret.hex()[:8] not in shown
    assert "hidden" in repr(keys)
    assert CaseKeys.from_bytes(keys.to_bytes()) == keys
    with pytest.raises(PassphraseError):
        CaseKeys.from_bytes(keys.to_bytes()[:31])


def test_no_key_byte_and_no_passphrase_in_any_file(tmp_path: Path) -> None:
    keys_dir, keys = _case(tmp_path)
    for _ in range(2):
        with pytest.raises(PassphraseError):
            unlock(keys_dir, "not the passphrase")
    assert (keys_dir / "unlock-failures").exists()
    secrets = [
        keys.to_bytes(),
        keys.db_key,
        keys.object_key,
        keys.name_key,
        bytes.fromhex(keys.signing_secret),
    ]
    forms = [PASSPHRASE.encode(), b"not the passphrase"]
    for secret in secrets:
        forms += [secret, secret.hex().encode(), base64.b64encode(secret), secret[:8]]
    files = sorted(p for p in keys_dir.parent.rglob("*") if p.is_file())
    assert [p.name for p in files] == ["unlock-failures", "vault.json"]
    for path in files:
        content = path.read_bytes()
        assert not [form for form in forms if form in content], path


def test_default_cost_is_memory_hard_and_works(tmp_path: Path) -> None:
    assert DEFAULT_COST.memory_kib >= 64 * 1024 and DEFAULT_COST.problem() is None
    assert (TEST_COST.memory_kib, TEST_COST.iterations, TEST_COST.lanes) == (8 * 1024, 1, 1)
    keys_dir = tmp_path / "keys"
    keys = create_vault(keys_dir, PASSPHRASE)  # the real cost: about half a second
    assert _vault(keys_dir)["kdf"]["memory_kib"] == DEFAULT_COST.memory_kib  # type: ignore[index]
    assert unlock(keys_dir, PASSPHRASE) == keys


def test_unicode_passphrases_are_normalised(tmp_path: Path) -> None:
    keys_dir = tmp_path / "keys"
    composed = "caf\u00e9 na\u00efve r\u00e9sum\u00e9 \u00fcber"
    decomposed = "cafe\u0301 nai\u0308ve re\u0301sume\u0301 u\u0308ber"  # the same words as macOS types them
    keys = create_vault(keys_dir, composed, cost=TEST_COST)
    assert unlock(keys_dir, decomposed) == keys


def test_an_existing_vault_is_never_overwritten(tmp_path: Path) -> None:
    keys_dir, keys = _case(tmp_path)
    before = (keys_dir / "vault.json").read_bytes()
    with pytest.raises(CaseError, match="already has a vault"):
        create_vault(keys_dir, "another passphrase entirely", cost=TEST_COST)
    assert (keys_dir / "vault.json").read_bytes() == before
    assert unlock(keys_dir, PASSPHRASE) == keys


def test_an_empty_passphrase_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="empty"):
        create_vault(tmp_path / "keys", "", cost=TEST_COST)
    assert not (tmp_path / "keys" / "vault.json").exists()
    keys_dir, _ = _case(tmp_path)
    with pytest.raises(PassphraseError, match="no passphrase"):
        unlock(keys_dir, "")
    assert recorded_failures(keys_dir).count == 0  # nothing was tried


# -- wrong passphrases and the delay -----------------------------------------------------------------------------


def test_a_wrong_passphrase_is_a_plain_error_exiting_5(tmp_path: Path) -> None:
    keys_dir, _ = _case(tmp_path)
    with pytest.raises(PassphraseError) as caught:
        unlock(keys_dir, "orbit maple tundra velvets")
    error = caught.value
    assert (
        isinstance(error, SigningKeyError) and error.exit_code == ExitCode.KEY and int(error.exit_code) == 5
    )
    assert error.message == "wrong passphrase for this case"
    assert error.path == str(keys_dir.parent)  # the case folder named
    assert error.one_line() == f"{keys_dir.parent}: wrong passphrase for this case"
    assert error.hint and "velvet" not in error.hint + str(error)  # what was typed is never repeated


def test_failures_grow_the_delay_and_a_success_resets_it(tmp_path: Path) -> None:
    keys_dir, keys = _case(tmp_path)
    vault_before = (keys_dir / "vault.json").read_bytes()
    sleeps = Sleeps()
    waited: list[list[float]] = []
    for _ in range(7):
        before = len(sleeps.waits)
        with pytest.raises(PassphraseError):
            unlock(keys_dir, "guess", sleep=sleeps)
        waited.append(sleeps.waits[before:])
    # Attempts 1-3 wait nothing; after the 3rd failure each attempt first waits 1, 2, 4, 8 s.
    assert waited == [[], [], [], [1], [2], [4], [8]]
    record = recorded_failures(keys_dir)
    assert record.count == 7 and record.last is not None and record.last.utcoffset() is not None
    text = (keys_dir / "unlock-failures").read_text()
    assert text.startswith('{"count":7,"last_failure":"') and text.endswith('+00:00"}')
    assert stat.S_IMODE((keys_dir / "unlock-failures").stat().st_mode) == 0o600
    # The right passphrase waits too (16 s after 7 failures), then opens and resets the count.
    assert unlock(keys_dir, PASSPHRASE, sleep=sleeps) == keys
    assert sleeps.waits[-1] == 16
    assert recorded_failures(keys_dir).count == 0
    assert recorded_failures(keys_dir).last == record.last  # when the last failure was is kept
    with pytest.raises(PassphraseError):
        unlock(keys_dir, "guess", sleep=sleeps)
    assert len(sleeps.waits) == 5  # a fresh failure waits nothing
    # Nothing was ever deleted or changed but the counter.
    assert (keys_dir / "vault.json").read_bytes() == vault_before
    assert sorted(p.name for p in keys_dir.iterdir()) == ["unlock-failures", "vault.json"]


def test_the_delay_is_capped_at_a_minute() -> None:
    assert [unlock_delay(n) for n in range(12)] == [0, 0, 0, 1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert unlock_delay(10_000) == 60


def test_a_damaged_counter_restarts_it_and_a_planted_link_is_replaced(tmp_path: Path) -> None:
    keys_dir, _ = _case(tmp_path)
    (keys_dir / "unlock-failures").write_bytes(b"{not json")
    assert recorded_failures(keys_dir).count == 0
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"someone else's file")
    (keys_dir / "unlock-failures").unlink()
    (keys_dir / "unlock-failures").symlink_to(outside)
    with pytest.raises(PassphraseError):
        unlock(keys_dir, "guess")
    assert outside.read_bytes() == b"someone else's file"  # never written through the link
    assert not (keys_dir / "unlock-failures").is_symlink()
    assert recorded_failures(keys_dir).count == 1


def test_change_passphrase_rewraps_the_same_key(tmp_path: Path) -> None:
    keys_dir, keys = _case(tmp_path)
    old_salt = _vault(keys_dir)["kdf"]["salt"]  # type: ignore[index]
    new = "lantern quarry bicycle saffron"
    assert change_passphrase(keys_dir, PASSPHRASE, new, cost=TEST_COST) == keys
    assert _vault(keys_dir)["kdf"]["salt"] != old_salt  # type: ignore[index]
    assert unlock(keys_dir, new) == keys  # same data key: every object and the database still open
    with pytest.raises(PassphraseError, match="wrong passphrase"):
        unlock(keys_dir, PASSPHRASE)
    assert stat.S_IMODE((keys_dir / "vault.json").stat().st_mode) == 0o600
    # A wrong old passphrase changes nothing.
    before = (keys_dir / "vault.json").read_bytes()
    with pytest.raises(PassphraseError):
        change_passphrase(keys_dir, "wrong", "whatever else", cost=TEST_COST)
    assert (keys_dir / "vault.json").read_bytes() == before
    with pytest.raises(UsageError):
        change_passphrase(keys_dir, new, "", cost=TEST_COST)
    assert unlock(keys_dir, new) == keys


# -- damaged vaults ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [("iterations", 2), ("memory_kib", 16384), ("lanes", 2), ("salt", base64.b64encode(bytes(16)).decode())],
)
def test_an_edited_parameter_fails_the_unlock(tmp_path: Path, field: str, value: object) -> None:
    keys_dir, _ = _case(tmp_path)
    document = _vault(keys_dir)
    document["kdf"][field] = value  # type: ignore[index]
    _rewrite(keys_dir, document)
    with pytest.raises(PassphraseError, match="wrong passphrase"):
        unlock(keys_dir, PASSPHRASE)  # the right passphrase: the parameters are bound


def test_a_weaker_cost_than_allowed_is_refused_before_any_work(tmp_path: Path) -> None:
    keys_dir, _ = _case(tmp_path)
    for field, value in (
        ("memory_kib", 64),
        ("iterations", 0),
        ("memory_kib", 64 * 1024 * 1024),
        ("lanes", True),
    ):
        document = _vault(keys_dir)
        document["kdf"][field] = value  # type: ignore[index]
        _rewrite(keys_dir, document)
        with pytest.raises(CaseError, match="vault is damaged: argon2id") as caught:
            unlock(keys_dir, PASSPHRASE)
        assert not isinstance(caught.value, SigningKeyError)
        assert caught.value.path is not None and caught.value.path.endswith("keys/vault.json")


def test_an_unknown_format_or_algorithm_is_named(tmp_path: Path) -> None:
    keys_dir, _ = _case(tmp_path)
    original = _vault(keys_dir)
    _rewrite(keys_dir, {**original, "format": "evidence-vault/2"})
    with pytest.raises(CaseError, match="format 'evidence-vault/2' is unknown"):
        unlock(keys_dir, PASSPHRASE)
    _rewrite(keys_dir, {**original, "kdf": {**original["kdf"], "name": "scrypt"}})  # type: ignore[dict-item]
    with pytest.raises(CaseError, match="uses 'scrypt'"):
        unlock(keys_dir, PASSPHRASE)


def _unlock_error(keys_dir: Path) -> CaseError:
    with pytest.raises(CaseError) as caught:
        unlock(keys_dir, PASSPHRASE)
    error = caught.value
    assert not isinstance(error, SigningKeyError), error.message  # damage, not a wrong passphrase
    assert error.path is not None and error.path.endswith("keys/vault.json")
    return error


def test_truncated_garbage_linked_and_missing_vaults(tmp_path: Path) -> None:
    keys_dir, _ = _case(tmp_path)
    path = keys_dir / "vault.json"
    good = path.read_bytes()
    for cut in (0, 1, 20, len(good) // 2, len(good) - 1):
        path.write_bytes(good[:cut])
        assert "damaged" in _unlock_error(keys_dir).message
    path.write_bytes(random.Random(5).randbytes(300))
    assert "damaged" in _unlock_error(keys_dir).message
    path.write_bytes(good.replace(b",", b", "))  # JSON, but not canonical
    assert "not in canonical form" in _unlock_error(keys_dir).message
    path.write_bytes(b'{"format":"evidence-vault/1"}' + b" " * 5000)
    assert "larger than any vault" in _unlock_error(keys_dir).message
    path.write_bytes(b"0" * 70_000)
    assert "too large" in _unlock_error(keys_dir).message
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_bytes(good)
    path.unlink()
    path.symlink_to(elsewhere)
    assert "symbolic link" in _unlock_error(keys_dir).message
    assert is_encrypted(keys_dir.parent)  # a link still says "encrypted": never taken for a plain case
    path.unlink()
    os.mkfifo(path)
    assert "cannot read the vault" in _unlock_error(keys_dir).message
    path.unlink()
    assert "no vault" in _unlock_error(keys_dir).message
    assert recorded_failures(keys_dir).count == 0  # none of these was a wrong passphrase


def test_wrong_sizes_and_types_inside_the_vault(tmp_path: Path) -> None:
    keys_dir, _ = _case(tmp_path)
    original = _vault(keys_dir)
    aead = original["aead"]
    assert isinstance(aead, dict)
    for bad in (
        {**original, "aead": {**aead, "nonce": base64.b64encode(bytes(8)).decode()}},
        {**original, "aead": {**aead, "ciphertext": "not base64!"}},
        {**original, "aead": {**aead, "ciphertext": 12}},
        {**original, "extra": 1},
        {**original, "kdf": []},
        [original],
        "evidence-vault/1",
    ):
        _rewrite(keys_dir, bad)
        assert "damaged" in _unlock_error(keys_dir).message


def test_fuzzed_vaults_fail_plainly(tmp_path: Path) -> None:
    keys_dir, keys = _case(tmp_path)
    path = keys_dir / "vault.json"
    good = path.read_bytes()
    rng = random.Random(19)
    outcomes = {"damaged": 0, "wrong": 0, "opened": 0}
    for _ in range(150):
        raw = bytearray(good)
        for _ in range(rng.randrange(1, 4)):
            at = rng.randrange(len(raw))
            if rng.random() < 0.7:
                raw[at] = rng.choice(b'{}[]":,0123456789abcdefXYZ+/= \\\x00\xff')
            else:
                del raw[at]
        path.write_bytes(bytes(raw))
        try:
            opened = unlock(keys_dir, PASSPHRASE, sleep=lambda _: None)
        except PassphraseError:
            outcomes["wrong"] += 1
        except CaseError as exc:
            assert exc.path is not None and exc.path.endswith("keys/vault.json"), exc.message
            outcomes["damaged"] += 1
        else:
            assert opened == keys  # only a change that leaves the vault as it was can open it
            outcomes["opened"] += 1
    assert outcomes["damaged"] > 100 and outcomes["wrong"] > 0, outcomes


# -- the strength hint -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("passphrase", "expected"),
    [
        ("", "weak: short and common; use four or more unrelated words"),
        ("blue", "weak: short and common; use four or more unrelated words"),
        ("Emma2019", "weak: short; use four or more unrelated words"),
        ("P@ssw0rd2024!", "weak: common; use four or more unrelated words"),
        ("sunshine12345", "weak: common; use four or more unrelated words"),
        ("correct horse battery staple", "weak: common; use four or more unrelated words"),
        ("mypassword123456", "weak: common; use four or more unrelated words"),
        ("ilovemykids2015", "fair: 15 characters; longer is stronger: use four or more unrelated words"),
        ("kx8#Lq2!vR9z", "good: 12 characters; one more unrelated word would make it strong"),
        ("my dog is called Rex", "good: 20 characters; one more unrelated word would make it strong"),
        (PASSPHRASE, "strong: long and unusual; remember it well, nobody can open this case without it"),
        (
            "walking to the harbour at dawn",
            "strong: long and unusual; remember it well, nobody can open this case without it",
        ),
    ],
)
def test_strength_hints(passphrase: str, expected: str) -> None:
    assert passphrase_strength(passphrase) == expected


def test_the_long_entries_of_a_leaked_password_list_are_not_good() -> None:
    # SecLists' top 1,000 leaked passwords, the 12 entries of 10 characters or more (tests/data/passwords).
    entries = (DATA / "seclists-top-1000-long.txt").read_text().split()
    assert len(entries) == 12
    ratings = {entry: passphrase_strength(entry).split(":")[0] for entry in entries}
    assert all(rating in ("weak", "fair") for rating in ratings.values()), ratings
    assert sum(rating == "weak" for rating in ratings.values()) == 11  # "Usuckballz1" is only "fair"
