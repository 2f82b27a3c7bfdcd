"""Check an RFC 3161 timestamp token over a ledger entry's hash: the pure checks, shared by the anchoring
command (``evidence.anchor.tsa``, on the TSA's answer) and the verifiers (``evidence.verify.anchors``).

Each failure is an ``AnchorError`` whose ``code`` the verifier reports, numbered as in
``evidence.anchor.tsa``'s docstring:

  (1) ``ANCHOR_MALFORMED``   the token is not DER of the right shape (or has trailing bytes);
  (3) ``ANCHOR_IMPRINT``     TSTInfo's messageImprint is not SHA-256 over the hash given;
  (4) ``ANCHOR_NONCE``       TSTInfo's nonce is not the one expected (a replayed or mixed-up answer);
  (5) ``ANCHOR_CERTIFICATE`` the signer's certificate is not in the token, or the signing-certificate
                             attribute (ESSCertID / ESSCertIDv2) does not name it;
  (6) ``ANCHOR_SIGNATURE``   the signed attributes lack content-type TSTInfo or a message-digest equal to the
                             TSTInfo's hash, or the signature does not verify with the certificate's key
                             (RSA PKCS#1 v1.5, RSA-PSS, ECDSA; SHA-2 only);
  (7) ``ANCHOR_EKU``         the certificate's extended key usage is missing, not critical, or not exactly
                             timeStamping (RFC 3161 section 2.3);
  (8) ``ANCHOR_VALIDITY``    a certificate of the chain was not valid at genTime;
  (9) ``ANCHOR_UNTRUSTED``   no chain from the signer through the token's certificates to the trust anchor,
                             each link's signature checked, each issuer a CA.

Nothing here talks to the network or writes anything.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from asn1crypto import cms, core, tsp
from cryptography import x509 as cx509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtendedKeyUsageOID

from evidence.errors import AnchorError

MAX_CHAIN = 8
# What asn1crypto raises on malformed DER (it parses lazily, and not only ValueError): caught at the boundary.
ASN1_ERRORS = (ValueError, TypeError, KeyError, AttributeError, IndexError, OverflowError)

_DER = Encoding.DER
_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha224": hashes.SHA224,
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}


@dataclass(frozen=True)
class CheckedToken:
    """A timestamp token that passed every check, and what it says."""

    token: bytes  # the TimeStampToken (CMS ContentInfo), DER: what ``openssl ts -verify -token_in`` reads
    gen_time: datetime  # aware (UTC), as the TSA signed it
    serial: int
    policy: str  # the TSA policy OID
    tsa_name: str | None
    nonce: int | None
    signer_subject: str
    signer_sha256: str  # SHA-256 of the TSA certificate's DER
    chain_checked: bool
    anchor_sha256: str | None  # SHA-256 of the trust anchor's DER, when one was given


def check_token(
    token: bytes,
    digest: bytes,
    *,
    nonce: int | None,
    anchor: cx509.Certificate | None,
    where: str,
) -> CheckedToken:
    """Checks (1) and (3)-(9) of the module docstring on a DER TimeStampToken over ``digest``."""
    try:
        return _check_token(token, digest, nonce=nonce, anchor=anchor, where=where)
    except ASN1_ERRORS as exc:
        # asn1crypto parses lazily: a damaged field deep inside may only fail when it is first read.
        raise AnchorError("ANCHOR_MALFORMED", f"the token is not valid DER ({exc!r})", path=where) from None


def _check_token(
    token: bytes,
    digest: bytes,
    *,
    nonce: int | None,
    anchor: cx509.Certificate | None,
    where: str,
) -> CheckedToken:
    signed, raw_tst, tst = _parse_token(token, where)

    # (3) Imprint, (4) nonce.
    imprint = tst["message_imprint"]
    if (
        imprint["hash_algorithm"]["algorithm"].native != "sha256"
        or imprint["hashed_message"].native != digest
    ):
        raise AnchorError(
            "ANCHOR_IMPRINT", "the token's message imprint is not SHA-256 of the ledger head", path=where
        )
    if nonce is not None and tst["nonce"].native != nonce:
        raise AnchorError("ANCHOR_NONCE", "the token's nonce is not the one sent", path=where)
    gen_time = tst["gen_time"].native
    if not isinstance(gen_time, datetime) or gen_time.tzinfo is None:
        raise AnchorError("ANCHOR_MALFORMED", "the token's genTime is not a UTC time", path=where)

    # (5) The signer and its certificate.
    infos = list(signed["signer_infos"])
    if len(infos) != 1:
        raise AnchorError("ANCHOR_SIGNATURE", f"the token has {len(infos)} signers, not one", path=where)
    info = infos[0]
    pool = (
        [c.chosen for c in signed["certificates"] if c.name == "certificate"]
        if signed["certificates"]
        else []
    )
    signer = _find_signer(info, pool, where)
    signer_der = bytes(signer.dump())
    attrs = _signed_attributes(info, where)
    _check_ess(attrs, signer_der, where)

    # (6) Signed attributes and signature.
    if attrs.get("content_type") != "tst_info":
        raise AnchorError("ANCHOR_SIGNATURE", "the signed content-type is not TSTInfo", path=where)
    hash_name = str(info["digest_algorithm"]["algorithm"].native)
    if hash_name not in _HASHES:
        raise AnchorError(
            "ANCHOR_SIGNATURE", f"the token is signed with digest {hash_name} (not SHA-2)", path=where
        )
    if attrs.get("message_digest") != hashlib.new(hash_name, raw_tst).digest():
        raise AnchorError(
            "ANCHOR_SIGNATURE", "the signed message-digest does not match the timestamp's content", path=where
        )
    cert = _load_cert(signer_der, where)
    _check_signature(info, cert, hash_name, where)

    # (7) Extended key usage.
    try:
        eku = cert.extensions.get_extension_for_class(cx509.ExtendedKeyUsage)
    except cx509.ExtensionNotFound:
        raise AnchorError("ANCHOR_EKU", "the TSA certificate has no extended key usage", path=where) from None
    if not eku.critical:
        raise AnchorError(
            "ANCHOR_EKU", "the TSA certificate's extended key usage is not critical", path=where
        )
    if list(eku.value) != [ExtendedKeyUsageOID.TIME_STAMPING]:
        raise AnchorError(
            "ANCHOR_EKU", "the TSA certificate's extended key usage is not exactly timeStamping", path=where
        )

    # (8) Validity at genTime, (9) chain to the trust anchor.
    _valid_at(cert, gen_time, "the TSA certificate", where)
    if anchor is not None:
        others = [_load_cert(bytes(c.dump()), where) for c in pool]
        _check_chain(cert, others, anchor, gen_time, where)

    tsa = tst["tsa"]
    tsa_name = None if isinstance(tsa, core.Void) or tsa.native is None else _general_name(tsa)
    return CheckedToken(
        token=token,
        gen_time=gen_time,
        serial=int(tst["serial_number"].native),
        policy=str(tst["policy"].dotted),
        tsa_name=tsa_name,
        nonce=tst["nonce"].native,
        signer_subject=cert.subject.rfc4514_string(),
        signer_sha256=hashlib.sha256(signer_der).hexdigest(),
        chain_checked=anchor is not None,
        anchor_sha256=hashlib.sha256(anchor.public_bytes(_DER)).hexdigest() if anchor is not None else None,
    )


def _load_cert(der: bytes, where: str) -> cx509.Certificate:
    try:
        return cx509.load_der_x509_certificate(der)
    except (ValueError, cx509.InvalidVersion) as exc:  # InvalidVersion is not a ValueError
        raise AnchorError(
            "ANCHOR_CERTIFICATE", f"a certificate in the token is malformed ({exc})", path=where
        ) from None


def _parse_token(token: bytes, where: str) -> tuple[Any, bytes, Any]:
    try:
        info = cms.ContentInfo.load(token, strict=True)
        if info["content_type"].native != "signed_data":
            raise AnchorError("ANCHOR_MALFORMED", "the token is not CMS SignedData", path=where)
        signed = info["content"]
        encap = signed["encap_content_info"]
        if encap["content_type"].native != "tst_info":
            raise AnchorError("ANCHOR_MALFORMED", "the token does not carry a TSTInfo", path=where)
        raw = bytes(encap["content"].contents)
        tst = tsp.TSTInfo.load(raw, strict=True)
        _ = tst.native
        _ = signed.native
    except ASN1_ERRORS as exc:
        raise AnchorError("ANCHOR_MALFORMED", f"the token is not valid DER ({exc})", path=where) from None
    return signed, raw, tst


def _find_signer(info: Any, pool: list[Any], where: str) -> Any:
    sid = info["sid"]
    for cert in pool:
        if sid.name == "issuer_and_serial_number":
            if (
                cert.issuer == sid.chosen["issuer"]
                and cert.serial_number == sid.chosen["serial_number"].native
            ):
                return cert
        elif cert.key_identifier == sid.chosen.native:
            return cert
    raise AnchorError(
        "ANCHOR_CERTIFICATE", "the token does not carry the TSA's certificate (certReq was set)", path=where
    )


def _signed_attributes(info: Any, where: str) -> dict[str, Any]:
    signed_attrs = info["signed_attrs"]
    if isinstance(signed_attrs, core.Void) or not len(signed_attrs):
        raise AnchorError("ANCHOR_SIGNATURE", "the token has no signed attributes", path=where)
    found: dict[str, Any] = {}
    for attr in signed_attrs:
        name = attr["type"].native
        values = list(attr["values"])
        if name in found or len(values) != 1:
            raise AnchorError("ANCHOR_SIGNATURE", f"the signed attribute {name} is repeated", path=where)
        found[str(name)] = values[0].native if name in ("content_type", "message_digest") else values[0]
    return found


def _check_ess(attrs: dict[str, Any], signer_der: bytes, where: str) -> None:
    if "signing_certificate_v2" in attrs:
        ids = list(attrs["signing_certificate_v2"]["certs"])
        algo = ids[0]["hash_algorithm"]["algorithm"].native if ids else None
        if algo not in _HASHES:
            raise AnchorError("ANCHOR_CERTIFICATE", f"ESSCertIDv2 uses digest {algo}", path=where)
        expected = hashlib.new(str(algo), signer_der).digest()
    elif "signing_certificate" in attrs:
        ids = list(attrs["signing_certificate"]["certs"])
        expected = hashlib.sha1(signer_der).digest()  # noqa: S324  (ESSCertID is SHA-1 by definition)
    else:
        raise AnchorError("ANCHOR_CERTIFICATE", "the token has no signing-certificate attribute", path=where)
    if not ids or ids[0]["cert_hash"].native != expected:
        raise AnchorError(
            "ANCHOR_CERTIFICATE",
            "the signing-certificate attribute does not name the signer's certificate",
            path=where,
        )


def _check_signature(info: Any, cert: cx509.Certificate, hash_name: str, where: str) -> None:
    data = bytes(info["signed_attrs"].untag().dump())  # signed as a SET OF, not as the [0] it is stored as
    signature = bytes(info["signature"].native)
    algo = info["signature_algorithm"]
    key = cert.public_key()
    chosen = _HASHES[hash_name]()
    try:
        kind = algo.signature_algo
        if kind == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, data, padding.PKCS1v15(), chosen)
        elif kind == "rsassa_pss" and isinstance(key, rsa.RSAPublicKey):
            params = algo["parameters"]
            pss_hash = str(params["hash_algorithm"]["algorithm"].native)
            mgf_hash = str(params["mask_gen_algorithm"]["parameters"]["algorithm"].native)
            if pss_hash not in _HASHES or mgf_hash not in _HASHES:
                raise AnchorError("ANCHOR_SIGNATURE", "RSA-PSS with a digest that is not SHA-2", path=where)
            key.verify(
                signature,
                data,
                padding.PSS(padding.MGF1(_HASHES[mgf_hash]()), int(params["salt_length"].native)),
                _HASHES[pss_hash](),
            )
        elif kind == "ecdsa" and isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, data, ec.ECDSA(chosen))
        else:
            raise AnchorError(
                "ANCHOR_SIGNATURE",
                f"signature algorithm {kind} does not fit the certificate's key",
                path=where,
            )
    except InvalidSignature:
        raise AnchorError(
            "ANCHOR_SIGNATURE", "the TSA's signature is invalid for the timestamp", path=where
        ) from None
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise AnchorError(
            "ANCHOR_SIGNATURE", f"the signature cannot be checked ({exc})", path=where
        ) from None


def _valid_at(cert: cx509.Certificate, when: datetime, what: str, where: str) -> None:
    if not cert.not_valid_before_utc <= when <= cert.not_valid_after_utc:
        raise AnchorError(
            "ANCHOR_VALIDITY",
            f"{what} ({cert.subject.rfc4514_string()}) was not valid at genTime {when.isoformat()}",
            path=where,
        )


def _issued_by(child: cx509.Certificate, parent: cx509.Certificate) -> bool:
    try:
        child.verify_directly_issued_by(parent)
    except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
        return False
    return True


def _is_ca(cert: cx509.Certificate) -> bool:
    try:
        return bool(cert.extensions.get_extension_for_class(cx509.BasicConstraints).value.ca)
    except cx509.ExtensionNotFound:
        return False


def _check_chain(
    signer: cx509.Certificate,
    pool: list[cx509.Certificate],
    anchor: cx509.Certificate,
    when: datetime,
    where: str,
) -> None:
    current = signer
    used: list[cx509.Certificate] = []
    for _ in range(MAX_CHAIN):
        if current == anchor:
            return  # the trust anchor is the TSA certificate itself (pinned)
        if _issued_by(current, anchor):
            _valid_at(anchor, when, "the trust anchor", where)
            return
        parent = next(
            (c for c in pool if c != current and c not in used and _is_ca(c) and _issued_by(current, c)), None
        )
        if parent is None:
            break
        _valid_at(parent, when, "an intermediate certificate", where)
        used.append(parent)
        current = parent
    raise AnchorError(
        "ANCHOR_UNTRUSTED",
        f"the TSA certificate ({signer.subject.rfc4514_string()}) does not chain to the trust anchor "
        f"({anchor.subject.rfc4514_string()})",
        path=where,
    )


def _general_name(name: Any) -> str:
    if name.name == "directory_name":
        return str(name.chosen.human_friendly)
    return str(name.native)
