"""RFC 3161 timestamps: ask a Time-Stamp Authority (TSA) to sign the ledger head's hash, and check its answer.

What is sent is a TimeStampReq: the SHA-256 imprint of the 32-byte head entry hash (``hashedMessage`` is those
32 bytes, so ``openssl ts -verify -digest <head hash>`` checks the token), a random 64-bit nonce, and
``certReq`` true (the TSA includes its certificate). Nothing else leaves the machine: no file, no name.

The answer is checked before anything is recorded, each failure an ``AnchorError`` whose ``code`` the
verifier reports: here (1) ``ANCHOR_MALFORMED`` (the reply is not DER of the right shape) and (2)
``ANCHOR_STATUS`` (not granted / grantedWithMods; the TSA's reason is quoted); then the token's checks (1) and
(3)-(9), from the imprint to the chain to ``--tsa-cert``, in ``evidence.verify.tsa``, which the verifiers use
too (the list and its codes are there).

Without a trust anchor, (9) is skipped and the result says so (``chain_checked`` false): the token still
proves that whoever holds that TSA certificate's key saw the head at genTime, and the certificate is kept, so
the chain can be checked later against the TSA's published root. Revocation (CRL/OCSP) is not checked.
"""

from __future__ import annotations

import http.client
import secrets
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from asn1crypto import cms, core, tsp
from cryptography import x509 as cx509
from cryptography.hazmat.primitives.serialization import Encoding

from evidence.errors import AnchorError, InputError
from evidence.verify.tsa import ASN1_ERRORS as ASN1_ERRORS
from evidence.verify.tsa import CheckedToken as CheckedToken
from evidence.verify.tsa import check_token as check_token

MAX_RESPONSE = 1 << 20  # a timestamp reply is a few KiB; anything past 1 MiB is refused unread
MAX_ANCHOR_FILE = 1 << 20
TIMEOUT = 30  # seconds, for connecting and for each read
REQUEST_TYPE = "application/timestamp-query"

_DER = Encoding.DER


class TimeStampResp(core.Sequence):  # type: ignore[misc]
    """RFC 3161 TimeStampResp. asn1crypto's makes the token mandatory; RFC 3161 omits it on a refusal."""

    _fields = [  # noqa: RUF012  (asn1crypto's declaration style)
        ("status", tsp.PKIStatusInfo),
        ("time_stamp_token", cms.ContentInfo, {"optional": True}),
    ]


def new_nonce() -> int:
    """A random 64-bit nonce (positive, top bit set so it always has 64 bits)."""
    return secrets.randbits(64) | (1 << 63)


def build_request(digest: bytes, nonce: int) -> bytes:
    """The DER TimeStampReq: SHA-256 imprint ``digest`` (32 bytes), ``nonce``, certReq true."""
    if len(digest) != 32:
        raise ValueError("a SHA-256 imprint has 32 bytes")
    req = tsp.TimeStampReq(
        {
            "version": "v1",
            "message_imprint": {"hash_algorithm": {"algorithm": "sha256"}, "hashed_message": digest},
            "nonce": nonce,
            "cert_req": True,
        }
    )
    return bytes(req.dump())


def post_request(
    url: str, request: bytes, *, timeout: float = TIMEOUT, max_bytes: int = MAX_RESPONSE
) -> bytes:
    """POST ``request`` to the TSA at ``url`` (http or https) and return the body of its answer.

    Raises AnchorError: ``ANCHOR_URL`` (not http/https), ``ANCHOR_UNREACHABLE`` (refused, timed out, DNS),
    ``ANCHOR_HTTP`` (an HTTP error status), ``ANCHOR_TOO_LARGE`` (more than ``max_bytes``).
    """
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AnchorError("ANCHOR_URL", "the TSA URL must start with http:// or https://", path=url)
    req = urllib.request.Request(  # noqa: S310  (the scheme is checked above)
        url,
        data=request,
        headers={"Content-Type": REQUEST_TYPE, "Accept": "application/timestamp-reply"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310
            declared = resp.headers.get("Content-Length")
            if declared is not None and declared.strip().isdigit() and int(declared) > max_bytes:
                raise AnchorError(
                    "ANCHOR_TOO_LARGE",
                    f"the TSA's answer is {int(declared)} bytes (at most {max_bytes})",
                    path=url,
                )
            data: bytes = resp.read(max_bytes + 1)
    except urllib.error.HTTPError as exc:
        raise AnchorError("ANCHOR_HTTP", f"the TSA answered HTTP {exc.code} {exc.reason}", path=url) from None
    except urllib.error.URLError as exc:
        raise AnchorError("ANCHOR_UNREACHABLE", f"cannot reach the TSA ({exc.reason})", path=url) from None
    except TimeoutError:
        raise AnchorError(
            "ANCHOR_UNREACHABLE", f"the TSA did not answer within {timeout:g} s", path=url
        ) from None
    except (http.client.HTTPException, OSError) as exc:
        raise AnchorError(
            "ANCHOR_UNREACHABLE", f"the connection to the TSA failed ({exc})", path=url
        ) from None
    if len(data) > max_bytes:
        raise AnchorError("ANCHOR_TOO_LARGE", f"the TSA's answer is larger than {max_bytes} bytes", path=url)
    return data


def token_from_response(data: bytes, *, where: str) -> bytes:
    """The DER TimeStampToken of a TimeStampResp whose status is granted (checks (1) and (2))."""
    try:
        resp = TimeStampResp.load(data, strict=True)
        status = resp["status"]
        value = status["status"].native
        token = resp["time_stamp_token"]
        _ = resp.native  # parse everything now: a malformed part must fail here, not later
    except ASN1_ERRORS as exc:
        raise AnchorError(
            "ANCHOR_MALFORMED", f"the answer is not an RFC 3161 reply ({exc})", path=where
        ) from None
    if value not in ("granted", "granted_with_mods"):
        text = status["status_string"].native if status["status_string"].native else []
        info = status["fail_info"].native if status["fail_info"].native else set()
        detail = "; ".join([*(str(t) for t in text), *sorted(str(i) for i in info)])
        raise AnchorError(
            "ANCHOR_STATUS",
            f"the TSA refused: status {value}" + (f" ({detail})" if detail else ""),
            path=where,
        )
    if isinstance(token, core.Void) or token.native is None:
        raise AnchorError("ANCHOR_MALFORMED", "the TSA granted but sent no token", path=where)
    return bytes(token.dump())


def load_trust_anchor(path: Path) -> tuple[cx509.Certificate, bytes]:
    """Read one certificate (PEM or DER) from ``path``: the TSA's root or the TSA certificate itself."""
    try:
        size = path.stat().st_size
        if size > MAX_ANCHOR_FILE:
            raise InputError(f"is {size} bytes, too large for a certificate", path=path)
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the TSA certificate ({exc.strerror})", path=path) from None
    try:
        if b"-----BEGIN" in data:
            certs = cx509.load_pem_x509_certificates(data)
            if len(certs) != 1:
                raise InputError(
                    f"holds {len(certs)} certificates; give the one root the TSA chains to", path=path
                )
            cert = certs[0]
        else:
            cert = cx509.load_der_x509_certificate(data)
    except (ValueError, cx509.InvalidVersion) as exc:
        raise InputError(f"is not a PEM or DER certificate ({exc})", path=path) from None
    return cert, cert.public_bytes(_DER)
