"""The token checks on hostile bytes: any damage is an AnchorError (a finding), never another exception."""

from __future__ import annotations

import hashlib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evidence.anchor.tsa import build_request, check_token, token_from_response
from evidence.errors import AnchorError
from tests.anchor.tsa_kit import PKI, FaultyTSA

DIGEST = hashlib.sha256(b"ledger head").digest()
NONCE = 0x8000_0000_0000_0001
_PKI = PKI()
TOKEN = token_from_response(
    FaultyTSA(_PKI.tsa, _PKI.tsa_key, [_PKI.inter], set())(build_request(DIGEST, NONCE)), where="test"
)


def test_the_intact_token_passes() -> None:
    checked = check_token(TOKEN, DIGEST, nonce=NONCE, anchor=_PKI.root, where="test")
    assert checked.chain_checked and checked.nonce == NONCE


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_damaged_token_raises_only_anchor_errors(data: st.DataObject) -> None:
    token = bytearray(TOKEN)
    action = data.draw(st.sampled_from(["flip", "truncate", "insert"]))
    at = data.draw(st.integers(0, len(token) - 1))
    if action == "flip":
        token[at] ^= data.draw(st.integers(1, 255))
    elif action == "truncate":
        del token[at:]
    else:
        token[at:at] = data.draw(st.binary(min_size=1, max_size=8))
    try:
        check_token(bytes(token), DIGEST, nonce=NONCE, anchor=_PKI.root, where="test")
    except AnchorError as exc:
        assert exc.code.startswith("ANCHOR_")


def test_a_certificate_of_an_unknown_version_is_an_anchor_error() -> None:
    """cryptography raises InvalidVersion (not a ValueError) for an X.509 version it does not know: found by the
    test above, kept here so it is checked every run."""
    at = (
        TOKEN.index(bytes.fromhex("a003020102")) + 4
    )  # [0] EXPLICIT INTEGER 2 (X.509 v3) of the first certificate
    damaged = TOKEN[:at] + b"\x03" + TOKEN[at + 1 :]
    try:
        check_token(damaged, DIGEST, nonce=NONCE, anchor=_PKI.root, where="test")
    except AnchorError as exc:
        assert exc.code.startswith("ANCHOR_")
    else:
        raise AssertionError("a token with a damaged certificate passed")


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=64))
def test_random_replies_raise_only_anchor_errors(reply: bytes) -> None:
    try:
        token_from_response(reply, where="test")
    except AnchorError as exc:
        assert exc.code in {"ANCHOR_MALFORMED", "ANCHOR_STATUS"}
