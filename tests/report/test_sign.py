"""The PAdES signature of the report (evidence.report.sign): made with the case's key, validated by pyHanko and
by ``evidence verify``, broken by a flipped byte or an appended update, timestamped by a local test TSA."""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from evidence.api import Case
from evidence.case.signing import CERTIFICATE_NAME, ENDORSEMENT_OID, SigningKey, endorsing_key
from evidence.errors import ExitCode, InputError, UsageError
from evidence.report import sign as pades
from evidence.verify.report import verify_report
from tests.conftest import DATA, LOOPBACK, run_cli

TSA_TIME = datetime(2026, 4, 15, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def small_case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A case with a few calls and texts (no OCR, so it is quick)."""
    root = tmp_path_factory.mktemp("sign") / "case"
    with Case.init(root, title="Harassment of J. Lee", tz="Europe/London") as case:
        case.import_files(
            [DATA / "smsbackup" / "all_sms_types.xml", DATA / "smsbackup" / "all_call_types.xml"]
        )
    return root


@pytest.fixture
def case_copy(small_case: Path, tmp_path: Path) -> Path:
    target = tmp_path / "case"
    shutil.copytree(small_case, target)
    return target


@pytest.fixture
def signed(case_copy: Path, tmp_path: Path) -> Path:
    out = tmp_path / "signed.pdf"
    with Case.open(case_copy) as case:
        case.report(out, sign=True)
    return out


def _validate(pdf: bytes, ts_roots: list[asn1_x509.Certificate] | None = None) -> PdfSignatureStatus:
    reader = PdfFileReader(io.BytesIO(pdf))
    (embedded,) = reader.embedded_signatures
    return validate_pdf_signature(
        embedded,
        signer_validation_context=ValidationContext(trust_roots=[embedded.signer_cert], allow_fetching=False),
        ts_validation_context=ValidationContext(trust_roots=ts_roots or [], allow_fetching=False),
    )


def _codes(path: Path, case_root: Path | None) -> set[str]:
    return {f.code for f in verify_report(path, case_root).findings}


def test_signed_report_validates_with_pyhanko_and_is_the_case_key(case_copy: Path, signed: Path) -> None:
    pdf = signed.read_bytes()
    status = _validate(pdf)
    assert status.intact and status.valid and status.trusted
    assert status.coverage is SignatureCoverageLevel.ENTIRE_FILE
    assert status.timestamp_validity is None  # B-B: no TSA was given
    reader = PdfFileReader(io.BytesIO(pdf))
    (embedded,) = reader.embedded_signatures
    assert embedded.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    # ECDSA P-256, which stock readers check (they do not check Ed25519), endorsed by the case's Ed25519 key.
    assert embedded.signer_cert.public_key.algorithm == "ec"
    assert embedded.signer_cert.public_key.curve == ("named", "secp256r1")

    with Case.open(case_copy, readonly=True) as case:
        entries = list(case.entries())
        key_raw = case.public_key.raw
        created = datetime.fromisoformat(entries[0].recorded_at)
    (cert_entry,) = [e for e in entries if e.kind == "key.certificate"]
    report_entry = entries[-1]
    der = bytes.fromhex(cert_entry.body["certificate_der"])
    # The signer is the case's report key, named by the certificate the ledger recorded (and keys/case.crt
    # holds), which the case's own key endorses.
    assert endorsing_key(embedded.signer_cert.dump()) == key_raw
    assert embedded.signer_cert.dump() == der
    pem = (case_copy / "keys" / CERTIFICATE_NAME).read_text(encoding="ascii")
    assert x509.load_pem_x509_certificate(pem.encode()).public_bytes(serialization.Encoding.DER) == der
    cert = x509.load_der_x509_certificate(der)
    # Named neutrally: the case's title ("Harassment of ...") accuses, and readers show the signer's name.
    case_id = cert.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == f"evidence case {case_id}"
    assert "Harassment" not in cert.subject.rfc4514_string()
    assert cert.not_valid_before_utc == created.replace(microsecond=0)
    # The entry records the final (signed) bytes, and the unsigned first revision's hash too.
    assert report_entry.kind == "report.generated"
    assert report_entry.body["sha256"] == hashlib.sha256(pdf).hexdigest()
    assert report_entry.body["signature"]["format"] == "PAdES B-B"
    first_revision = pdf[: pdf.index(b"%%EOF") + len(b"%%EOF\n")]
    assert report_entry.body["unsigned_sha256"] == hashlib.sha256(first_revision).hexdigest()

    report = verify_report(signed, case_copy)
    assert report.ok, [str(f) for f in report.findings]
    assert report.facts["signature"]["level"] == "PAdES B-B"
    assert report.facts["signature"]["coverage"] == "ENTIRE_FILE"


def test_certificate_is_made_once_and_deterministic(case_copy: Path) -> None:
    with Case.open(case_copy) as case:
        first = case.report_certificate()
        again = case.report_certificate()
        created = datetime.fromisoformat(next(case.entries()).recorded_at)
        case_id = str(case.genesis["case_id"])
        count = sum(1 for e in case.entries() if e.kind == "key.certificate")
    key = SigningKey.load(case_copy / "keys", None)
    remade = key.report_key().certificate(case_id=case_id, not_before=created)
    assert first == again == remade
    assert count == 1


def test_one_flipped_byte_in_the_signed_range_is_detected(
    case_copy: Path, signed: Path, tmp_path: Path
) -> None:
    pdf = bytearray(signed.read_bytes())
    at = pdf.index(b"<pdfaid:part>3") + len("<pdfaid:part>")  # inside the XMP packet: still parseable
    pdf[at : at + 1] = b"2"
    tampered = tmp_path / "flipped.pdf"
    tampered.write_bytes(bytes(pdf))
    status = _validate(bytes(pdf))
    assert not status.intact and not status.bottom_line
    assert "SIGNATURE_BROKEN" in _codes(tampered, None)
    assert {"SIGNATURE_BROKEN", "UNKNOWN_REPORT"} <= _codes(tampered, case_copy)
    result = run_cli("-C", str(case_copy), "verify", str(tampered))
    assert result.returncode == ExitCode.VERIFY_FAILED
    assert "SIGNATURE_BROKEN" in result.stdout


def test_an_update_appended_after_signing_is_detected(case_copy: Path, signed: Path, tmp_path: Path) -> None:
    writer = IncrementalPdfFileWriter(io.BytesIO(signed.read_bytes()))
    writer.root["/PageMode"] = pdf_name("/FullScreen")
    writer.update_root()  # type: ignore[no-untyped-call]
    out = io.BytesIO()
    writer.write(out)  # type: ignore[no-untyped-call]
    updated = tmp_path / "updated.pdf"
    updated.write_bytes(out.getvalue())
    status = _validate(out.getvalue())
    assert status.intact and status.valid  # the signed revision itself is untouched ...
    assert status.coverage is SignatureCoverageLevel.ENTIRE_REVISION  # ... but it no longer covers the file
    assert not status.bottom_line
    assert "SIGNATURE_NOT_WHOLE_FILE" in _codes(updated, None)
    assert {"SIGNATURE_NOT_WHOLE_FILE", "UNKNOWN_REPORT"} <= _codes(updated, case_copy)


def test_a_signature_by_another_key_is_not_the_case_key(case_copy: Path, tmp_path: Path) -> None:
    with Case.open(case_copy, readonly=True) as case:
        unsigned = case.render_report()
        fingerprint = case.public_key.fingerprint
    other = SigningKey.generate()
    der = other.report_key().certificate(case_id="x", not_before=TSA_TIME)
    findings, facts = pades.check(pades.sign(unsigned, other, der), "other.pdf", fingerprint)
    assert [f.code for f in findings] == ["SIGNER_NOT_CASE_KEY"]
    assert facts is not None and facts["key_fingerprint"] == other.public.fingerprint
    assert pades.check(unsigned, "unsigned.pdf", fingerprint) == ([], None)


def test_a_report_key_certificate_without_a_valid_endorsement_is_not_the_case_key(
    case_copy: Path, tmp_path: Path
) -> None:
    """Someone who makes a P-256 key and copies the case key's endorsement into its certificate (or leaves it
    out) signs a report that verifies as a CMS signature but is not the case's."""
    with Case.open(case_copy) as case:
        unsigned = case.render_report()
        fingerprint = case.public_key.fingerprint
        genuine = x509.load_der_x509_certificate(case.report_certificate())
    copied = genuine.extensions.get_extension_for_oid(ENDORSEMENT_OID)
    forger = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "evidence case x")])
    base = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(forger.public_key())
        .serial_number(7)
        .not_valid_before(TSA_TIME)
        .not_valid_after(TSA_TIME + timedelta(days=1))
    )
    for label, builder in (
        ("copied", base.add_extension(copied.value, critical=False)),
        ("absent", base),
    ):
        der = builder.sign(forger, hashes.SHA256()).public_bytes(serialization.Encoding.DER)
        assert endorsing_key(der) is None, label
        signer = signers.SimpleSigner(
            signing_cert=asn1_x509.Certificate.load(der),
            signing_key=asn1_keys.PrivateKeyInfo.load(
                forger.private_bytes(
                    serialization.Encoding.DER,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            ),
            cert_registry=SimpleCertificateStore.from_certs([asn1_x509.Certificate.load(der)]),
        )
        out = io.BytesIO()
        signers.PdfSigner(
            signers.PdfSignatureMetadata(field_name="Sig", subfilter=fields.SigSeedSubFilter.PADES),
            signer=signer,
        ).sign_pdf(IncrementalPdfFileWriter(io.BytesIO(unsigned)), output=out)
        findings, _ = pades.check(out.getvalue(), f"{label}.pdf", fingerprint)
        assert [f.code for f in findings] == ["SIGNER_NOT_CASE_KEY"], label
        assert "no valid endorsement" in findings[0].message


def test_poppler_pdfsig_says_the_signature_is_valid(signed: Path) -> None:
    """What Evince and Okular show (poppler with NSS): the signature is valid; the self-signed certificate is
    not vouched for by any authority, which the report and README say."""
    result = subprocess.run(["pdfsig", str(signed)], capture_output=True, text=True, timeout=60, check=False)
    assert "Signature is Valid." in result.stdout, result.stdout + result.stderr
    assert "Signer Certificate Common Name: evidence case " in result.stdout
    assert "Signature Type: ETSI.CAdES.detached" in result.stdout
    assert "Total document signed" in result.stdout
    # One byte changed inside the signed range: poppler says so too.
    pdf = bytearray(signed.read_bytes())
    at = pdf.index(b"<pdfaid:part>3") + len("<pdfaid:part>")
    pdf[at : at + 1] = b"2"
    tampered = signed.with_name("tampered.pdf")
    tampered.write_bytes(bytes(pdf))
    broken = subprocess.run(
        ["pdfsig", str(tampered)], capture_output=True, text=True, timeout=60, check=False
    )
    assert "Signature is Valid." not in broken.stdout
    assert "Digest Mismatch" in broken.stdout or "Invalid" in broken.stdout, broken.stdout


def test_cli_signs_with_a_passphrase_protected_key(tmp_path: Path) -> None:
    root = tmp_path / "case"
    with Case.init(root, title="Locked case", tz="Europe/London", passphrase="correct horse") as case:
        case.import_files([DATA / "smsbackup" / "all_sms_types.xml"], passphrase="correct horse")
    out = tmp_path / "report.pdf"
    env = {"EVIDENCE_PASSPHRASE": "correct horse"}
    result = run_cli("-C", str(root), "report", "-o", str(out), "--sign", env=env)
    assert result.returncode == 0, result.stderr
    assert "PAdES B-B" in result.stdout
    checked = run_cli("-C", str(root), "verify", str(out))
    assert checked.returncode == 0, checked.stdout
    assert "PDF signature: PAdES B-B" in checked.stdout
    refused = run_cli(
        "-C", str(root), "report", "-o", str(tmp_path / "r2.pdf"), "--tsa", "http://127.0.0.1:9/"
    )
    assert refused.returncode == ExitCode.USAGE
    with Case.open(root) as case, pytest.raises(UsageError):
        case.report(tmp_path / "r3.pdf", tsa="http://127.0.0.1:9/", passphrase="correct horse")


# -- the timestamp (PAdES B-T) -------------------------------------------------------------------------------


def _test_tsa() -> tuple[asn1_x509.Certificate, DummyTimeStamper]:
    """A test root CA and a TSA certificate it issued (RSA: pyHanko's DummyTimeStamper signs with RSA)."""
    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    tsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    start = TSA_TIME - timedelta(days=1)
    root_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "evidence test root CA")])
    root = (
        x509.CertificateBuilder()
        .subject_name(root_name)
        .issuer_name(root_name)
        .public_key(root_key.public_key())
        .serial_number(1)
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
        .sign(root_key, hashes.SHA256())
    )
    tsa = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "evidence test TSA")]))
        .issuer_name(root_name)
        .public_key(tsa_key.public_key())
        .serial_number(2)
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=3650))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(root_key, hashes.SHA256())
    )
    tsa_key_info = asn1_keys.PrivateKeyInfo.load(
        tsa_key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    root_cert = asn1_x509.Certificate.load(root.public_bytes(serialization.Encoding.DER))
    tsa_cert = asn1_x509.Certificate.load(tsa.public_bytes(serialization.Encoding.DER))
    return root_cert, DummyTimeStamper(
        tsa_cert,
        tsa_key_info,
        certs_to_embed=SimpleCertificateStore.from_certs([root_cert]),  # type: ignore[no-untyped-call]
        fixed_dt=TSA_TIME,
    )


@pytest.fixture
def tsa_server() -> Iterator[tuple[str, asn1_x509.Certificate, list[int]]]:
    """An RFC 3161 server on 127.0.0.1 answering with pyHanko's DummyTimeStamper; yields URL, root, hits."""
    root, stamper = _test_tsa()
    hits: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            request = tsp.TimeStampReq.load(self.rfile.read(int(self.headers["Content-Length"])))
            hits.append(1)
            body = stamper.request_tsa_response(request).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            return

    server = HTTPServer((LOOPBACK, 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{LOOPBACK}:{server.server_port}/tsa", root, hits
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.allow_loopback
def test_timestamped_signature_is_pades_b_t(
    case_copy: Path,
    tmp_path: Path,
    tsa_server: tuple[str, asn1_x509.Certificate, list[int]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, root, hits = tsa_server
    out = tmp_path / "stamped.pdf"
    with Case.open(case_copy) as case:
        case.report(out, sign=True, tsa=url)
        entry = list(case.entries())[-1]
    assert hits  # pyHanko asks once more while it sizes the signature
    pdf = out.read_bytes()
    status = _validate(pdf, ts_roots=[root])
    assert status.bottom_line and status.coverage is SignatureCoverageLevel.ENTIRE_FILE
    ts = status.timestamp_validity
    assert ts is not None and ts.intact and ts.valid and ts.trusted
    assert ts.timestamp == TSA_TIME
    assert entry.body["signature"] == {
        "format": "PAdES B-T",
        "subfilter": "ETSI.CAdES.detached",
        "certificate_sha256": entry.body["signature"]["certificate_sha256"],
        "tsa": url,
    }
    # evidence verify: intact, but a TSA whose root is in no trust store the checker chose is self-asserted
    # (anyone can attach such a timestamp, red team B08): a warning, and the signature counts as B-B, no time.
    monkeypatch.delenv("EVIDENCE_TSA_ROOTS", raising=False)
    report = verify_report(out, case_copy)
    assert report.ok, [str(f) for f in report.findings]
    assert [f.code for f in report.findings] == ["TIMESTAMP_UNTRUSTED"]
    assert report.facts["signature"]["level"] == "PAdES B-B"
    assert report.facts["signature"]["timestamp"] is None
    assert report.facts["signature"]["timestamp_ignored"]["claimed"] == TSA_TIME.isoformat()
    # Its root named in $EVIDENCE_TSA_ROOTS: B-T at the TSA's time, and the ledger entry recorded the TSA.
    chosen = tmp_path / "tsa-root.pem"
    chosen.write_bytes(x509.load_der_x509_certificate(root.dump()).public_bytes(serialization.Encoding.PEM))
    monkeypatch.setenv("EVIDENCE_TSA_ROOTS", str(chosen))
    report = verify_report(out, case_copy)
    assert report.ok and not report.findings, [str(f) for f in report.findings]
    assert report.facts["signature"]["level"] == "PAdES B-T"
    assert report.facts["signature"]["timestamp"] == TSA_TIME.isoformat()


@pytest.mark.allow_loopback
def test_an_unreachable_tsa_is_an_input_error_and_nothing_is_written(case_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "never.pdf"
    with Case.open(case_copy) as case:
        before = case.head()
        with pytest.raises(InputError, match="no timestamp"):
            case.report(out, sign=True, tsa=f"http://{LOOPBACK}:9/")
        entries = list(case.entries())
    assert not out.exists() and not list(tmp_path.glob(".never.pdf.*"))
    assert entries[-1].kind == "key.certificate" and entries[-1].seq == before.seq + 1
