"""The ledger's Ed25519 signatures checked by libsodium first (issue 18): a quick accept, never a refusal.

libsodium's ``crypto_sign_verify_detached`` checks an entry's signature in about 57 us on this project's
machines, OpenSSL's (through ``cryptography``, ``evidence.case.signing``) in about 130 us; a 100,000-entry
ledger's signatures were the largest single cost of its check. libsodium is called through ``ctypes`` from the
system's library (Debian's ``libsodium23``, in the Makefile's ``DEB_PACKAGES``); where it cannot be loaded,
every signature is checked by ``cryptography`` as before.

Why the findings stay exactly ``cryptography``'s: both implement RFC 8032's cofactorless check the same way
(refuse S >= L, decode the key, h = SHA-512(R || A || M) mod L, compare the encoding of [S]B - [h]A with R
byte for byte); libsodium refuses more beforehand (small-order R or key, a key not canonically encoded). So a
signature libsodium accepts is one OpenSSL accepts, and only libsodium's refusals are decided again, by
``signing.bad_signatures``: a genuine case's entries never are, a tampered one's few are.
``tests/verify/test_sodium.py`` holds the two to the same answers on genuine and hostile signatures.

Only fixed-size bytes reach the C function (a 64-byte signature, a 32-byte key; anything else goes to
``cryptography``), so no input can make it read outside its buffers.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable, Sequence

from evidence.case.signing import bad_signatures as checked_by_cryptography

_LIBRARY_NAMES = ("libsodium.so.23", "libsodium.so.26", "libsodium.so", "libsodium.dylib")
_UNSET = object()
_loaded: object = _UNSET

Verify = Callable[[bytes, bytes, int, bytes], int]


def _load() -> Verify | None:
    """libsodium's ``crypto_sign_verify_detached``, or None when the library cannot be loaded."""
    for name in _LIBRARY_NAMES:
        try:
            library = ctypes.CDLL(name)
        except OSError:
            continue
        if library.sodium_init() < 0:
            return None
        verify = library.crypto_sign_verify_detached
        verify.argtypes = (ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulonglong, ctypes.c_char_p)
        verify.restype = ctypes.c_int
        found: Verify = verify
        return found
    return None


def sodium_verify() -> Verify | None:
    """The loaded check (loaded once a process), or None without libsodium."""
    global _loaded
    if _loaded is _UNSET:
        _loaded = _load()
    return _loaded  # type: ignore[return-value]


def bad_signatures(public_raw: bytes, pairs: Sequence[tuple[bytes, bytes]]) -> list[int]:
    """Positions in ``pairs`` of (signature, message) whose signature is not valid for ``public_raw``: what
    ``evidence.case.signing.bad_signatures`` returns, libsodium accepting the valid ones first."""
    verify = sodium_verify()
    if verify is None or len(public_raw) != 32:
        return checked_by_cryptography(public_raw, pairs)
    refused = [
        i
        for i, (signature, message) in enumerate(pairs)
        if len(signature) != 64 or verify(signature, message, len(message), public_raw) != 0
    ]
    if not refused:
        return []
    again = checked_by_cryptography(public_raw, [pairs[i] for i in refused])
    return [refused[j] for j in again]
