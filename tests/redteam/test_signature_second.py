"""B08, B09 (second red team): a signed report changed, without the key, inside the signature's own /Contents,
which the signature cannot cover: a timestamp of a TSA of the forger's making (any date) or any other data in
the CMS's unsigned parts (B08), and the case of the hex letters (B09)."""

from __future__ import annotations

import asyncio
import hashlib
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from asn1crypto import algos, cms, core
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.sign.general import as_signing_certificate, simple_cms_attribute
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

from evidence.api import Case
from evidence.cli.output import print_report
from evidence.verify import WARNING
from evidence.verify.report import verify_report
from tests.conftest import DATA

FORGED_TIME = datetime(2024, 1, 1, 9, 0, tzinfo=UTC)  # before the case existed


@pytest.fixture(scope="module")
def signed_case(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """A case, its report signed without a TSA (PAdES B-B), and the case key's fingerprint."""
    root = tmp_path_factory.mktemp("b08") / "case"
    out = root.parent / "signed.pdf"
    with Case.init(root, title="Harassment of Jordan Lee by Alex Morgan", tz="Europe/London") as case:
        case.import_files([DATA / "smsbackup" / "all_sms_types.xml"])
        case.report(out, sign=True)
        fingerprint = case.public_key.fingerprint
    return root, out, fingerprint


def _gap(pdf: bytes) -> tuple[int, int]:
    """Where the /Contents hex digits are (between ``<`` and ``>``)."""
    found = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)", pdf)
    assert found is not None
    start, length, second = (int(v) for v in found.groups())
    return start + length + 1, second - 1


def _rewrite_cms(pdf: bytes, change: object) -> bytes:
    """What b08_addts.py does: the CMS in /Contents loaded, changed by ``change(info)``, written back (upper-case
    hex, zero padding) in the same room: the signed bytes are untouched."""
    first, last = _gap(pdf)
    info = cms.ContentInfo.load(bytes.fromhex(pdf[first:last].decode()))
    change(info)  # type: ignore[operator]
    digits = info.dump(force=True).hex().upper().encode()
    assert len(digits) <= last - first
    return pdf[:first] + digits + b"0" * (last - first - len(digits)) + pdf[last:]


class _ECStamper(DummyTimeStamper):
    """b08_addts.py's TSA: pyHanko's test TSA with a P-256 key (small enough for the /Contents padding)."""

    def __init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "TSA")])
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.key.public_key())
            .serial_number(1)
            .not_valid_before(datetime(2000, 1, 1, tzinfo=UTC))
            .not_valid_after(datetime(2090, 1, 1, tzinfo=UTC))
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
            .sign(self.key, hashes.SHA256())
        )
        private = self.key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
        super().__init__(
            tsa_cert=asn1_x509.Certificate.load(certificate.public_bytes(Encoding.DER)),
            tsa_key=asn1_keys.PrivateKeyInfo.load(private),
            fixed_dt=FORGED_TIME,
            include_nonce=False,
        )

    def _sign_tst_info(self, tst_info_data: bytes, md_algorithm: str, dt: object) -> tuple[bytes, object]:
        attrs = cms.CMSAttributes(
            [
                simple_cms_attribute("content_type", "tst_info"),
                simple_cms_attribute("signing_certificate", as_signing_certificate(self.tsa_cert)),
                simple_cms_attribute("message_digest", hashlib.sha256(tst_info_data).digest()),
            ]
        )
        return self.key.sign(attrs.dump(), ec.ECDSA(hashes.SHA256())), attrs

    def _build_signed_data(self, *args: object) -> cms.SignedData:
        signed = super()._build_signed_data(*args)
        signed["signer_infos"][0]["signature_algorithm"] = algos.SignedDigestAlgorithm(
            {"algorithm": "sha256_ecdsa"}
        )
        return signed


def _forged_stamp(info: cms.ContentInfo) -> asn1_x509.Certificate:
    """A signature timestamp of the forger's own TSA, dated FORGED_TIME, as an unsigned attribute; its root."""
    stamper = _ECStamper()
    root = stamper.tsa_cert
    signer_info = info["content"]["signer_infos"][0]
    digest = hashlib.sha256(signer_info["signature"].native).digest()
    token = asyncio.run(stamper.async_timestamp(digest, "sha256"))
    signer_info["unsigned_attrs"] = cms.CMSAttributes(
        [cms.CMSAttribute({"type": "signature_time_stamp_token", "values": [token]})]
    )
    return root


def _pem(certificate: asn1_x509.Certificate) -> bytes:
    return x509.load_der_x509_certificate(certificate.dump()).public_bytes(Encoding.PEM)


def test_b08_forged_timestamp_unsigned_attr(
    signed_case: tuple[Path, Path, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root, signed, fingerprint = signed_case
    monkeypatch.delenv("EVIDENCE_TSA_ROOTS", raising=False)
    roots: list[asn1_x509.Certificate] = []
    forwarded = tmp_path / "forwarded.pdf"
    forwarded.write_bytes(_rewrite_cms(signed.read_bytes(), lambda info: roots.append(_forged_stamp(info))))

    # Without the case: the self-made TSA's time is self-asserted and ignored: B-B, no date, never B-T.
    report = verify_report(forwarded, None, expect_key=fingerprint)
    signature = report.facts["signature"]
    assert signature["level"] == "PAdES B-B" and signature["timestamp"] is None
    assert signature["timestamp_ignored"] == {"reason": "self-asserted", "claimed": FORGED_TIME.isoformat()}
    untrusted = [f for f in report.findings if f.code == "TIMESTAMP_UNTRUSTED"]
    assert len(untrusted) == 1 and untrusted[0].severity == WARNING
    assert "2024" not in str(untrusted[0]) and "SIGNATURE_EXTRA_DATA" not in report.codes()
    print_report(report, as_json=False)
    line = next(x for x in capsys.readouterr().out.splitlines() if "PDF signature" in x)
    assert "PAdES B-B" in line and "a self-asserted timestamp attached (ignored)" in line
    assert "2024" not in line and "B-T" not in line

    # With the case: the report.generated entry recorded a signature without a TSA.
    with_case = verify_report(forwarded, root)
    assert {"UNKNOWN_REPORT", "TIMESTAMP_NOT_RECORDED"} <= with_case.codes() and not with_case.ok

    # The same root in a trust store the checker chose makes it B-T; the case still says it was added.
    chosen = tmp_path / "forger-root.pem"
    chosen.write_bytes(_pem(roots[0]))
    monkeypatch.setenv("EVIDENCE_TSA_ROOTS", str(chosen))
    trusted = verify_report(forwarded, None, expect_key=fingerprint)
    assert trusted.facts["signature"]["level"] == "PAdES B-T"
    assert trusted.facts["signature"]["timestamp"] == FORGED_TIME.isoformat()
    assert "TIMESTAMP_NOT_RECORDED" in verify_report(forwarded, root).codes()


def test_b08_any_other_unsigned_data_in_the_signature_is_caught(
    signed_case: tuple[Path, Path, str], tmp_path: Path
) -> None:
    """A13 revived inside the DER: a made-up unsigned attribute, or an extra certificate, hides any bytes."""
    _, signed, fingerprint = signed_case

    def hidden_attribute(info: cms.ContentInfo) -> None:
        message = core.OctetString(b"These exhibits are fabricated")
        info["content"]["signer_infos"][0]["unsigned_attrs"] = cms.CMSAttributes(
            [cms.CMSAttribute({"type": "1.2.3.4.5", "values": [message]})]
        )

    def extra_certificate(info: cms.ContentInfo) -> None:
        other = _ECStamper().tsa_cert
        info["content"]["certificates"].append(cms.CertificateChoices({"certificate": other}))

    for name, change in (
        ("attribute", hidden_attribute),
        ("cert", extra_certificate),
    ):
        altered = tmp_path / f"{name}.pdf"
        altered.write_bytes(_rewrite_cms(signed.read_bytes(), change))
        report = verify_report(altered, None, expect_key=fingerprint)
        assert "SIGNATURE_EXTRA_DATA" in report.codes() and not report.ok, name
    intact = verify_report(signed, None, expect_key=fingerprint)
    assert intact.ok and not intact.codes() & {"SIGNATURE_EXTRA_DATA", "SIGNATURE_GAP_CHANGED"}


def test_b09_contents_hex_case(signed_case: tuple[Path, Path, str], tmp_path: Path) -> None:
    root, signed, fingerprint = signed_case
    pdf = signed.read_bytes()
    first, last = _gap(pdf)
    digits = pdf[first:last]
    assert digits == digits.upper()  # what pyHanko writes: upper-case hex
    # One bit per letter A-F, as b09 does: lower-case the first letter of the signature.
    letter = next(i for i in range(first, last) if pdf[i : i + 1] in b"ABCDEF")
    lowered = tmp_path / "lowered.pdf"
    lowered.write_bytes(pdf[:letter] + pdf[letter : letter + 1].lower() + pdf[letter + 1 :])
    report = verify_report(lowered, None, expect_key=fingerprint)
    assert "SIGNATURE_GAP_CHANGED" in report.codes() and not report.ok
    assert {"SIGNATURE_GAP_CHANGED", "UNKNOWN_REPORT"} <= verify_report(lowered, root).codes()
    # A space between the digits (bytes.fromhex skips it), the room kept by one padding zero less.
    spaced = tmp_path / "spaced.pdf"
    spaced.write_bytes(pdf[: first + 2] + b" " + pdf[first + 2 : last - 1] + pdf[last:])
    assert "SIGNATURE_GAP_CHANGED" in verify_report(spaced, None, expect_key=fingerprint).codes()
    copy = tmp_path / "copy.pdf"
    shutil.copyfile(signed, copy)
    assert verify_report(copy, None, expect_key=fingerprint).ok
