"""PAdES signatures of the PDF report: sign with the case's key, and check a signed report.

``sign`` adds a PAdES B-B signature (``/SubFilter /ETSI.CAdES.detached``, an invisible signature field) to
the finished report as an incremental update, so the unsigned report's bytes are kept unchanged as the first
revision. The signer is the case's *report key*, an ECDSA P-256 key derived from the case's Ed25519 key
(``SigningKey.report_key``), because stock PDF readers (poppler's pdfsig behind Evince and Okular, Adobe,
openssl cms) validate ECDSA and not Ed25519. It is named by a self-signed X.509 certificate, "evidence case
<id>", that carries the case key's endorsement of it (recorded in the ledger as a ``key.certificate``
entry). When a time-stamping authority (TSA) URL is given, the signature gets an RFC 3161 signature
timestamp: PAdES B-T.

``check`` (``evidence.verify.pdfsig``, re-exported here) validates a signature with pyHanko and says what
holds, as findings for ``evidence verify``.

What the signature proves: the file is, byte for byte, the one the holder of the case's key signed (at the
time the TSA attests, for B-T). The self-signed certificate asserts no identity beyond that key; its
endorsement by the case key, the ledger entry ``key.certificate`` and the key fingerprint printed in the
report tie it to the case. A reader that says "Signature is Valid" and "Certificate issuer is unknown"
says exactly this: intact, by a key no authority vouches for.
"""

from __future__ import annotations

import io

from asn1crypto import algos, tsp, x509
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.timestamps.api import TimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko_certvalidator.registry import SimpleCertificateStore

from evidence.anchor.tsa import post_request
from evidence.case.signing import ReportKey, SigningKey
from evidence.errors import AnchorError, InputError, UsageError
from evidence.verify.pdfsig import check as check

FIELD_NAME = "EvidenceCaseSignature"


ECDSA_DER_MAX = 72  # an ECDSA P-256 signature in DER: SEQUENCE of two INTEGERs of at most 33 bytes


class _ReportKeySigner(signers.Signer):
    """A pyHanko signer whose raw signatures come from the report key (which never leaves signing.py)."""

    def __init__(self, key: ReportKey, certificate: x509.Certificate) -> None:
        super().__init__(
            signing_cert=certificate,
            cert_registry=SimpleCertificateStore.from_certs([certificate]),  # type: ignore[no-untyped-call]
            signature_mechanism=algos.SignedDigestAlgorithm({"algorithm": "sha256_ecdsa"}),
        )
        self._key = key

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
        """ECDSA P-256 with SHA-256 over ``data`` (the DER signed attributes)."""
        return bytes(ECDSA_DER_MAX) if dry_run else self._key.sign(data)


class _UrllibTimeStamper(TimeStamper):
    """RFC 3161 over HTTP with the standard library (pyHanko's own clients need requests or aiohttp)."""

    def __init__(self, url: str) -> None:
        if not url.startswith(("http://", "https://")):
            raise UsageError(
                f"the TSA address {url!r} is not an http(s) URL", hint="--tsa https://tsa.example"
            )
        super().__init__()  # type: ignore[no-untyped-call]  # pyHanko's TimeStamper is untyped
        self.url = url

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        """POST the request with the anchor command's client (size limit, timeout) and parse the reply."""
        try:
            body = post_request(self.url, req.dump())
        except AnchorError as exc:
            raise TimestampRequestError(str(exc)) from None
        try:
            return tsp.TimeStampResp.load(body)
        except ValueError:
            raise TimestampRequestError(f"the TSA at {self.url} sent no timestamp reply") from None


def sign(pdf: bytes, key: SigningKey, certificate_der: bytes, *, tsa_url: str | None = None) -> bytes:
    """The report ``pdf`` with a PAdES signature by the report key of ``key`` appended (B-T when ``tsa_url``
    is given); ``certificate_der`` is that key's certificate (``ReportKey.certificate``)."""
    certificate = x509.Certificate.load(certificate_der)
    report_key = key.report_key()
    if certificate.public_key.dump() != report_key.spki:
        raise UsageError("the certificate is not the report key's", hint="run evidence report --sign again")
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason="evidence case report: integrity of this file as generated from the case",
    )
    timestamper = _UrllibTimeStamper(tsa_url) if tsa_url else None
    pdf_signer = signers.PdfSigner(
        meta, signer=_ReportKeySigner(report_key, certificate), timestamper=timestamper
    )
    out = io.BytesIO()
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=True)
        pdf_signer.sign_pdf(writer, output=out)
    except TimestampRequestError as exc:
        raise InputError(
            f"no timestamp: {exc}", path=tsa_url, hint="check --tsa, or sign without it"
        ) from None
    except (SigningError, PdfError) as exc:
        raise InputError(f"the report cannot be signed ({exc})") from None
    return out.getvalue()
