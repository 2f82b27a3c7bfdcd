"""Check a signed report's PAdES signature with pyHanko, as findings for ``evidence verify`` (and
``evidence.report.sign``, which signs, re-exports ``check``). Nothing here signs or writes.

  (1) There is exactly one signature (``SIGNATURE_COUNT`` otherwise); none at all is not an error.
  (2) The CMS signature is intact (the signed bytes hash to the signed digest) and valid (the signature
      verifies with the certificate's key): ``SIGNATURE_BROKEN``.
  (3) The signer's certificate holds the case's key, the one the manifest (and the ledger) names, or (reports
      signed since December 2026) an ECDSA P-256 report key whose certificate carries a valid endorsement by
      that key (``evidence.case.signing.endorsing_key``): ``SIGNER_NOT_CASE_KEY``.
  (4) The signature covers the whole file: nothing was appended after signing (``SIGNATURE_NOT_WHOLE_FILE``),
      and the one part it cannot cover, its own /Contents string, holds exactly what the signer (pyHanko)
      writes there: the CMS signature's DER in upper-case hexadecimal, then zeros (``SIGNATURE_GAP_CHANGED``:
      a message hidden in the padding, or in the case of the hex letters (red team B09), leaves the
      signature valid and changes the file).
  (5) Inside the CMS, what the signature does not cover holds nothing but what a signer puts there: the
      signer's own certificate, no revocation lists, and no unsigned attribute but one signature timestamp
      token (``SIGNATURE_EXTRA_DATA``: anyone can add unsigned data without the key).
  (6) A signature timestamp, when present, is intact and valid (``TIMESTAMP_BROKEN``), and its TSA chains to a
      root in a trust store the person checking chose (``evidence.verify.truststore``: this computer's, or
      the PEM files ``$EVIDENCE_TSA_ROOTS`` names). Anyone can add a timestamp from a TSA of their own making,
      with any date, as an unsigned attribute (red team B08), so such a timestamp is self-asserted
      (``TIMESTAMP_UNTRUSTED``, a warning) and ignored: the signature is then PAdES B-B, with no time. Only a
      trusted, valid timestamp makes it B-T with that time.

What the signature proves: the file is, byte for byte, the one the holder of the case's key signed (at the
time a trusted TSA attests, for B-T). The self-signed certificate asserts no identity beyond that key; the
ledger entry ``key.certificate`` and the key fingerprint printed in the report tie it to the case, and with
the case the ``report.generated`` entry says whether the signer asked a TSA (``evidence.verify.report``).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import warnings
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from asn1crypto import x509
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import SuspiciousModification
from pyhanko.sign.general import CMSExtractionError, CMSStructuralError
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from evidence.case.signing import endorsing_key
from evidence.verify import WARNING, Finding
from evidence.verify.truststore import root_certificates


def _der_length(der: bytes) -> int | None:
    """The length of the DER value at the start of ``der`` (tag, length and contents), None when malformed."""
    if len(der) < 2:
        return None
    first = der[1]
    if first < 0x80:
        return 2 + first
    count = first & 0x7F
    if count == 0 or count > 4 or len(der) < 2 + count:
        return None
    return 2 + count + int.from_bytes(der[2 : 2 + count], "big")


def _gap_problem(pdf: bytes, byte_range: Any) -> str | None:
    """What is wrong with the one part of the file the signature does not cover (the /Contents string between
    the two signed ranges), None when it is exactly what our signer (pyHanko) writes: ``<``, the CMS
    signature's DER in upper-case hex, zeros, ``>``. Anything else there (a message hidden in the padding,
    lower-case letters, spaces between the digits) changed the file after signing while leaving the
    signature valid."""
    try:
        start, first_len, second_start, _ = (int(v) for v in byte_range)
    except (TypeError, ValueError):
        return "the signature's /ByteRange is not four numbers"
    gap = pdf[start + first_len : second_start]
    if len(gap) < 2 or gap[:1] != b"<" or gap[-1:] != b">":
        return "the bytes the signature does not cover are not one hex string"
    text = gap[1:-1]
    try:
        der = bytes.fromhex(text.decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        return "the bytes the signature does not cover are not hexadecimal"
    length = _der_length(der)
    if length is None or length > len(der):
        return "the signature in /Contents is not one DER value"
    if text[: 2 * length] != der[:length].hex().upper().encode("ascii"):
        return (
            "the signature in /Contents is not written as the signer writes it (upper-case hexadecimal, "
            "nothing between the digits): the case of its letters or its spacing, which the signature does "
            "not cover, was changed after signing: the file is not the one that was signed"
        )
    if text[2 * length :].strip(b"0"):
        return (
            "the padding after the signature in /Contents, which the signature does not cover, was changed "
            "after signing (a signer writes zeros there): the file is not the one that was signed"
        )
    return None


def _extra_data(embedded: Any) -> str | None:
    """(5) What the CMS carries that its signature does not cover and that a signer does not put there, None
    when nothing: certificates other than the signer's, revocation lists, unsigned attributes other than
    one signature timestamp token."""
    extra = []
    signed_data = embedded.signed_data
    signer = embedded.signer_cert.dump()
    certificates = signed_data["certificates"]
    others = sum(1 for c in certificates if c.chosen.dump() != signer) if certificates.native else 0
    if others:
        extra.append(f"{others} certificate(s) other than the signer's")
    if signed_data["crls"].native:
        extra.append("revocation lists")
    unsigned = embedded.signer_info["unsigned_attrs"]
    kinds = [str(attr["type"].native) for attr in unsigned] if unsigned.native is not None else []
    others_kinds = sorted(set(kinds) - {"signature_time_stamp_token"})
    if others_kinds:
        extra.append(f"unsigned attribute(s) {', '.join(others_kinds)}")
    if kinds and (
        kinds.count("signature_time_stamp_token") > 1 or any(len(attr["values"]) != 1 for attr in unsigned)
    ):
        extra.append("more than one timestamp token in its unsigned attributes")
    if not extra:
        return None
    return (
        f"the signature carries {'; '.join(extra)}: none of it is covered by the signature and the signer "
        "writes none of it, so it was added after signing (it can hide any data)"
    )


def _timestamp_context() -> ValidationContext:
    """The roots a signature timestamp may chain to: only the ones the person checking chose
    (``evidence.verify.truststore``), never pyHanko's fallback nor the roots the PDF itself carries."""
    roots = []
    for der in root_certificates():
        with contextlib.suppress(ValueError):
            roots.append(x509.Certificate.load(der))
    return ValidationContext(trust_roots=roots, allow_fetching=False)


def _raw_key(certificate: x509.Certificate) -> bytes:
    """The case's Ed25519 key behind the signer: the certificate's own key (reports signed with the case key
    itself), or the key that validly endorses its ECDSA report key; empty when neither."""
    info = certificate.public_key
    if info.algorithm == "ed25519":
        return bytes(info["public_key"].native)
    if info.algorithm == "ec":
        return endorsing_key(certificate.dump()) or b""
    return b""


def check(pdf: bytes, name: str, key_fingerprint: str | None) -> tuple[list[Finding], dict[str, Any] | None]:
    """Checks (1)-(6) over the signatures in ``pdf``; facts about the signature, None when unsigned."""
    found: list[Finding] = []
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
    except (PdfError, CMSExtractionError, CMSStructuralError, ValueError, KeyError) as exc:
        return [
            Finding("REPORT_UNREADABLE", f"its signatures cannot be read ({_one_line(exc)})", path=name)
        ], None
    # (1) One signature, or none.
    if not signatures:
        return [], None
    if len(signatures) > 1:
        found.append(
            Finding("SIGNATURE_COUNT", f"{len(signatures)} signatures, evidence signs once", path=name)
        )
    embedded = signatures[0]
    certificate = embedded.signer_cert
    context = ValidationContext(trust_roots=[certificate], allow_fetching=False)
    unsigned_attrs = embedded.signer_info["unsigned_attrs"]
    stamped = unsigned_attrs.native is not None and any(
        attr["type"].native == "signature_time_stamp_token" for attr in unsigned_attrs
    )
    try:
        with warnings.catch_warnings(), _pyhanko_quiet():
            warnings.simplefilter("ignore", DeprecationWarning)
            ts_context = _timestamp_context() if stamped else context
            status = validate_pdf_signature(
                embedded, signer_validation_context=context, ts_validation_context=ts_context
            )
    except (SignatureValidationError, PdfError, CMSExtractionError, CMSStructuralError, ValueError) as exc:
        found.append(
            Finding("SIGNATURE_BROKEN", f"the signature cannot be validated ({_one_line(exc)})", path=name)
        )
        return found, None
    # (2) Intact and valid.
    if not status.intact:
        found.append(
            Finding(
                "SIGNATURE_BROKEN", "the signed bytes were changed after signing (digest differs)", path=name
            )
        )
    elif not status.valid:
        found.append(
            Finding("SIGNATURE_BROKEN", "the signature does not verify with its certificate", path=name)
        )
    # (3) The case's key.
    raw = _raw_key(certificate)
    fp = hashlib.sha256(raw).hexdigest() if raw else ""
    if key_fingerprint is not None and fp != key_fingerprint:
        found.append(
            Finding(
                "SIGNER_NOT_CASE_KEY",
                f"signed by key {fp or _unendorsed(certificate)}, not the case's key {key_fingerprint}",
                path=name,
            )
        )
    # (4) Coverage.
    coverage = status.coverage
    unsigned_gap = _gap_problem(pdf, embedded.sig_object.get("/ByteRange"))
    if unsigned_gap is not None:
        found.append(Finding("SIGNATURE_GAP_CHANGED", unsigned_gap, path=name))
    if coverage is not SignatureCoverageLevel.ENTIRE_FILE:
        what = "changes were appended after signing"
        if isinstance(status.diff_result, SuspiciousModification):
            what += f" ({_one_line(status.diff_result)})"
        found.append(Finding("SIGNATURE_NOT_WHOLE_FILE", what, path=name))
    # (5) Nothing unsigned but what a signer writes.
    try:
        extra = _extra_data(embedded)
    except (ValueError, TypeError, KeyError) as exc:  # asn1crypto parses these parts only when asked
        extra = f"the signature's unsigned parts cannot be read ({_one_line(exc)})"
    if extra is not None:
        found.append(Finding("SIGNATURE_EXTRA_DATA", extra, path=name))
    # (6) The timestamp: only a trusted one gives the signature a time.
    stamp: datetime | None = None
    ignored: dict[str, str] | None = None
    ts = status.timestamp_validity
    if ts is not None:
        if not (ts.intact and ts.valid):
            ignored = {"reason": "broken", "claimed": ts.timestamp.isoformat()}
            found.append(
                Finding(
                    "TIMESTAMP_BROKEN",
                    "the signature timestamp token does not verify (ignored: the signature has no time)",
                    path=name,
                )
            )
        elif not ts.trusted:
            ignored = {"reason": "self-asserted", "claimed": ts.timestamp.isoformat()}
            found.append(
                Finding(
                    "TIMESTAMP_UNTRUSTED",
                    f"the signature timestamp is by a TSA ({ts.signing_cert.subject.human_friendly}) whose "
                    "root is in no trust store this computer or $EVIDENCE_TSA_ROOTS names: anyone, even "
                    "without the key, can attach one with any date, so its time is self-asserted and "
                    "ignored (the signature counts as PAdES B-B)",
                    severity=WARNING,
                    path=name,
                )
            )
        else:
            stamp = ts.timestamp
    facts = {
        "signer": certificate.subject.human_friendly,
        "key_fingerprint": fp,
        "certificate_sha256": hashlib.sha256(certificate.dump()).hexdigest(),
        "signed_at": status.signer_reported_dt.isoformat() if status.signer_reported_dt else None,
        "timestamp": stamp.isoformat() if stamp else None,
        "timestamp_ignored": ignored,
        "coverage": coverage.name if coverage else "unknown",
        "level": "PAdES B-T" if stamp is not None else "PAdES B-B",
    }
    return found, facts


def _unendorsed(certificate: x509.Certificate) -> str:
    """How a signer that no case key stands behind is named in a finding."""
    return f"{certificate.public_key.algorithm} (its certificate carries no valid endorsement by a case key)"


@contextlib.contextmanager
def _pyhanko_quiet() -> Iterator[None]:
    """pyHanko logs what it catches (a failed difference analysis, with its traceback) on stderr; what it
    means is in the validation status, which ``check`` turns into findings. Keep its log out of the output."""
    log = logging.getLogger("pyhanko")
    level = log.level
    log.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        log.setLevel(level)


def _one_line(value: object, limit: int = 300) -> str:
    """A third-party message on one line, bounded."""
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
