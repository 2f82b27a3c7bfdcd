"""libsodium's quick accept of Ed25519 signatures (``evidence.verify.sodium``) gives exactly the answers of
``cryptography`` (``evidence.case.signing.bad_signatures``) on genuine and hostile signatures and keys: what
libsodium accepts, cryptography accepts; what libsodium refuses is decided by cryptography."""

from __future__ import annotations

import hashlib
import random

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from evidence.case.signing import bad_signatures as by_cryptography
from evidence.verify import sodium

L = 2**252 + 27742317777372353535851937790883648493  # the group order
P = 2**255 - 19

# Encodings of the points of small order (libsodium's list), and keys that are not canonical encodings.
SMALL_ORDER = [
    bytes.fromhex(h)
    for h in (
        "0100000000000000000000000000000000000000000000000000000000000000",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0000000000000000000000000000000000000000000000000000000000000080",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
    )
]
NON_CANONICAL = [(P + k).to_bytes(32, "little") for k in (0, 1)] + [
    ((P + 1) | (1 << 255)).to_bytes(32, "little")
]


def _raw(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def _with_s(signature: bytes, s: int) -> bytes:
    return signature[:32] + (s % 2**256).to_bytes(32, "little")


def _hostile(signature: bytes, message: bytes, rng: random.Random) -> list[tuple[bytes, bytes]]:
    s = int.from_bytes(signature[32:], "little")
    pairs = [
        (signature, message),
        (signature, hashlib.sha256(message).digest()),  # another message
        (bytes(64), message),
        (bytes([signature[0] ^ 1]) + signature[1:], message),  # R altered
        (signature[:40] + bytes([signature[40] ^ 0x80]) + signature[41:], message),  # S altered
        (_with_s(signature, s + L), message),  # the same S, not reduced: malleability
        (_with_s(signature, L), message),
        (_with_s(signature, 2**256 - 1), message),
        (signature[:63], message),  # short
        (signature + b"\x00", message),  # long
        (rng.randbytes(64), message),
    ]
    pairs += [(r + signature[32:], message) for r in SMALL_ORDER]
    pairs += [(r + bytes(32), message) for r in SMALL_ORDER]
    return pairs


def test_libsodium_is_there() -> None:
    # The Makefile installs libsodium23; without it the verifier is slower, not different.
    assert sodium.sodium_verify() is not None


def test_genuine_signatures_are_accepted_by_both() -> None:
    key = Ed25519PrivateKey.generate()
    pairs = [(key.sign(m), m) for m in (hashlib.sha256(bytes([i])).digest() for i in range(200))]
    assert sodium.bad_signatures(_raw(key), pairs) == [] == by_cryptography(_raw(key), pairs)


@pytest.mark.parametrize("seed", range(5))
def test_hostile_signatures_get_cryptographys_answers(seed: int) -> None:
    rng = random.Random(seed)
    key = Ed25519PrivateKey.generate()
    message = rng.randbytes(32)
    pairs = _hostile(key.sign(message), message, rng)
    bad = sodium.bad_signatures(_raw(key), pairs)
    assert bad == by_cryptography(_raw(key), pairs)
    assert 0 not in bad and len(bad) == len(pairs) - 1


@pytest.mark.parametrize("public", SMALL_ORDER + NON_CANONICAL, ids=lambda b: b.hex()[:8])
def test_hostile_keys_get_cryptographys_answers(public: bytes) -> None:
    rng = random.Random(public)
    message = rng.randbytes(32)
    # For some small-order keys, R = the identity and S = 0 satisfy the cofactorless equation for any message:
    # OpenSSL accepts it, libsodium refuses it; the answer must still be OpenSSL's.
    pairs = [(SMALL_ORDER[0] + bytes(32), message), *_hostile(rng.randbytes(64), message, rng)]
    assert sodium.bad_signatures(public, pairs) == by_cryptography(public, pairs)


def test_libsodiums_acceptances_are_cryptographys() -> None:
    verify = sodium.sodium_verify()
    assert verify is not None
    rng = random.Random(18)
    keys = [Ed25519PrivateKey.generate() for _ in range(3)]
    accepted = 0
    for key in keys:
        for public in [_raw(key), *SMALL_ORDER, *NON_CANONICAL]:
            message = rng.randbytes(32)
            for signature, text in _hostile(key.sign(message), message, rng):
                if len(signature) == 64 and verify(signature, text, len(text), public) == 0:
                    accepted += 1
                    assert by_cryptography(public, [(signature, text)]) == []
    assert accepted == len(keys)  # the genuine signature under its own key, nothing else


def test_without_libsodium_cryptography_decides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sodium, "_loaded", None)
    key = Ed25519PrivateKey.generate()
    message = b"m" * 32
    pairs = _hostile(key.sign(message), message, random.Random(1))
    assert sodium.bad_signatures(_raw(key), pairs) == by_cryptography(_raw(key), pairs)
