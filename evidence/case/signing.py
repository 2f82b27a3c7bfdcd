"""Ed25519 keys and signatures: the one module that imports ``cryptography``.

The case's Ed25519 key signs the ledger. PDF readers (poppler's pdfsig behind Evince and Okular, NSS, openssl
cms) do not validate Ed25519 in CMS, so reports are signed (PAdES) with an ECDSA P-256 key, the *report key*
(``ReportKey``), derived from the case key (HKDF-SHA256 over its 32-byte seed, domain-separated): it needs no
file of its own and is exactly as protected as ``case.key`` (the same passphrase unlocks it). Its self-signed
certificate, named neutrally "evidence case <id>", carries an *endorsement*: a non-critical extension holding
the case's Ed25519 public key and its signature over the report key's SubjectPublicKeyInfo
(``endorsing_key`` checks it), so a signed report is tied to the case key without the case.

The private key is stored as PKCS#8 PEM, encrypted with the passphrase when one is set, mode 0600. The public
key is stored as SubjectPublicKeyInfo PEM. A key's fingerprint is the hex SHA-256 of its 32 raw bytes.

Key files are read without following symbolic links and only when regular and small (``read_key_file``), and
written to a new temporary file renamed into place (``write_key_file``): a link planted at ``keys/case.crt``
is replaced, never written through.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from evidence.case.formats import CERTIFICATE_NAME as CERTIFICATE_NAME
from evidence.case.formats import PRIVATE_NAME as PRIVATE_NAME
from evidence.case.formats import PUBLIC_NAME as PUBLIC_NAME
from evidence.case.store import fsync_dir, open_stored
from evidence.errors import SigningKeyError

# RFC 5280 4.1.2.5: a certificate without a well-defined expiration date is valid until 9999-12-31 23:59:59Z.
NO_EXPIRY = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)


# Domain tags: the report key's derivation, and the case key's endorsement of it (never valid as anything else).
REPORT_KEY_TAG = b"evidence/report-key-p256/v1\x00"
ENDORSEMENT_TAG = b"evidence/report-key-endorsement/v1\x00"
# The certificate extension holding the endorsement: an OID under 2.25 (a UUID, ITU-T X.667, no registry).
ENDORSEMENT_OID = x509.ObjectIdentifier("2.25.173302228630160846523671710640831432265")
_P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
_ECDSA = ec.ECDSA(hashes.SHA256(), deterministic_signing=True)  # RFC 6979: same key and data, same bytes

KEY_FILE_LIMIT = 64 * 1024  # a PEM key or certificate is a few hundred bytes


def read_key_file(path: Path) -> bytes:
    """The bytes of a key or certificate file; OSError when it is a symbolic link, not a regular file (a FIFO
    would block, a device never end), or larger than any key (``KEY_FILE_LIMIT``)."""
    with os.fdopen(open_stored(path), "rb") as fh:
        data = fh.read(KEY_FILE_LIMIT + 1)
    if len(data) > KEY_FILE_LIMIT:
        raise OSError(errno.EFBIG, "larger than any key file", str(path))
    return data


def write_key_file(path: Path, data: bytes, mode: int, *, replace: bool) -> None:
    """Write a key or certificate file atomically: a new temporary file beside it (never through a link),
    fsynced, then renamed over ``path`` (which, when it is a link, replaces the link, not its target). Without
    ``replace`` an existing ``path`` (or link) is FileExistsError."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, mode)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fchmod(fh.fileno(), mode)  # umask cannot widen it, but be explicit
            os.fsync(fh.fileno())
        if not replace and os.path.lexists(path):
            raise FileExistsError(errno.EEXIST, "already exists", str(path))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    fsync_dir(path.parent)


def fingerprint(public_raw: bytes) -> str:
    """The fingerprint of a raw Ed25519 public key: hex SHA-256 of its 32 bytes."""
    return hashlib.sha256(public_raw).hexdigest()


@dataclass(frozen=True)
class PublicKey:
    """A verifying key."""

    raw: bytes

    @property
    def fingerprint(self) -> str:
        """Hex SHA-256 of the raw key."""
        return fingerprint(self.raw)

    @classmethod
    def from_hex(cls, text: str) -> PublicKey:
        """Build from 64 hex digits; raises SigningKeyError when malformed."""
        try:
            raw = bytes.fromhex(text)
        except ValueError:
            raise SigningKeyError(f"public key {text[:16]!r}... is not hex") from None
        if len(raw) != 32:
            raise SigningKeyError("public key is not 32 bytes")
        return cls(raw)

    @classmethod
    def from_pem(cls, data: bytes, path: Path | None = None) -> PublicKey:
        """Parse a SubjectPublicKeyInfo PEM holding an Ed25519 key."""
        try:
            key = serialization.load_pem_public_key(data)
        except (ValueError, UnsupportedAlgorithm) as exc:
            raise SigningKeyError(f"not a PEM public key ({exc})", path=path) from None
        if not isinstance(key, Ed25519PublicKey):
            raise SigningKeyError("public key is not Ed25519", path=path)
        return cls(key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))

    def to_pem(self) -> bytes:
        """SubjectPublicKeyInfo PEM (checkable with ``openssl pkey -pubin``)."""
        return Ed25519PublicKey.from_public_bytes(self.raw).public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def verify(self, signature: bytes, message: bytes) -> bool:
        """True when ``signature`` is a valid Ed25519 signature of ``message`` by this key."""
        try:
            Ed25519PublicKey.from_public_bytes(self.raw).verify(signature, message)
        except (InvalidSignature, ValueError):
            return False
        return True


def bad_signatures(public_raw: bytes, pairs: Sequence[tuple[bytes, bytes]]) -> list[int]:
    """Positions in ``pairs`` of (signature, message) whose signature is not valid for ``public_raw``.

    ``PublicKey.verify`` over many messages, with the key parsed once; a plain function of bytes, so worker
    processes can run it (Ed25519 verification holds the GIL).
    """
    try:
        key = Ed25519PublicKey.from_public_bytes(public_raw)
    except ValueError:
        return list(range(len(pairs)))
    bad: list[int] = []
    for i, (signature, message) in enumerate(pairs):
        try:
            key.verify(signature, message)
        except (InvalidSignature, ValueError):
            bad.append(i)
    return bad


def _endorsement_value(public_raw: bytes, signature: bytes) -> bytes:
    """DER ``SEQUENCE { OCTET STRING ed25519-public-key, OCTET STRING signature }`` (fixed sizes 32 and 64)."""
    return bytes([0x30, 100, 0x04, 32]) + public_raw + bytes([0x04, 64]) + signature


def endorsing_key(certificate_der: bytes) -> bytes | None:
    """The raw Ed25519 key that endorses this report-key certificate, None when it carries no endorsement, a
    malformed one, or one whose signature over the certificate's public key does not verify."""
    try:
        certificate = x509.load_der_x509_certificate(certificate_der)
        value = certificate.extensions.get_extension_for_oid(ENDORSEMENT_OID).value
    except (ValueError, x509.ExtensionNotFound):
        return None
    if not isinstance(value, x509.UnrecognizedExtension):
        return None
    data = value.value
    if len(data) != 102 or data[:4] != bytes([0x30, 100, 0x04, 32]) or data[36:38] != bytes([0x04, 64]):
        return None
    public_raw, signature = data[4:36], data[38:102]
    spki = certificate.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return public_raw if PublicKey(public_raw).verify(signature, ENDORSEMENT_TAG + spki) else None


class ReportKey:
    """The ECDSA P-256 key that signs the case's PDF reports, derived from the case key (see the module)."""

    def __init__(self, key: ec.EllipticCurvePrivateKey, endorser: SigningKey) -> None:
        self._key = key
        self._endorser = endorser

    @property
    def spki(self) -> bytes:
        """The public key as DER SubjectPublicKeyInfo."""
        return self._key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def sign(self, message: bytes) -> bytes:
        """Deterministic ECDSA (RFC 6979) with SHA-256 over ``message``, DER-encoded as CMS wants it."""
        return self._key.sign(message, _ECDSA)

    def certificate(self, *, case_id: str, not_before: datetime) -> bytes:
        """The report key's self-signed X.509 certificate (DER), named "evidence case <id>", endorsed by the
        case key. Deterministic: the same key, id and time give the same bytes."""
        if not_before.tzinfo is None:
            raise SigningKeyError("the certificate's start time has no offset")
        name = x509.Name(
            [
                x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, f"evidence case {case_id}"[:64]),
                x509.NameAttribute(x509.oid.NameOID.ORGANIZATION_NAME, "evidence case"),
                x509.NameAttribute(x509.oid.NameOID.SERIAL_NUMBER, case_id),
            ]
        )
        public = self._key.public_key()
        ski = x509.SubjectKeyIdentifier.from_public_key(public)
        endorsement = _endorsement_value(
            self._endorser.public.raw, self._endorser.sign(ENDORSEMENT_TAG + self.spki)
        )
        builder = (
            _certificate_builder(name, ski, not_before)
            .public_key(public)
            .serial_number(int(hashlib.sha256(self.spki).hexdigest()[:30], 16) | 1)
            .add_extension(x509.UnrecognizedExtension(ENDORSEMENT_OID, endorsement), critical=False)
        )
        certificate = builder.sign(self._key, hashes.SHA256(), ecdsa_deterministic=True)
        return certificate.public_bytes(serialization.Encoding.DER)


def _certificate_builder(
    name: x509.Name, ski: x509.SubjectKeyIdentifier, not_before: datetime
) -> x509.CertificateBuilder:
    """A self-signed end-entity certificate's common parts: names, validity without expiry, key usage for
    signatures (digital signature and non-repudiation), key identifiers."""
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .not_valid_before(not_before.astimezone(UTC).replace(microsecond=0))
        .not_valid_after(NO_EXPIRY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ski, critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False)
    )


class SigningKey:
    """A case's private key, loaded and ready to sign."""

    def __init__(self, key: Ed25519PrivateKey) -> None:
        self._key = key
        self.public = PublicKey(
            key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        )

    @classmethod
    def generate(cls) -> SigningKey:
        """A fresh random key."""
        return cls(Ed25519PrivateKey.generate())

    def sign(self, message: bytes) -> bytes:
        """Ed25519 signature of ``message``."""
        return self._key.sign(message)

    def report_key(self) -> ReportKey:
        """The ECDSA P-256 key derived from this key that signs PDF reports (see the module docstring)."""
        seed = self._key.private_bytes(
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
        )
        # 48 bytes reduced modulo the group order: the bias is below 2^-128.
        okm = HKDF(algorithm=hashes.SHA256(), length=48, salt=None, info=REPORT_KEY_TAG).derive(seed)
        scalar = int.from_bytes(okm, "big") % (_P256_ORDER - 1) + 1
        return ReportKey(ec.derive_private_key(scalar, ec.SECP256R1()), self)

    def self_signed_certificate(self, *, common_name: str, case_id: str, not_before: datetime) -> bytes:
        """A self-signed X.509 certificate (DER) for this Ed25519 key, as reports were signed before the
        report key (``report_key``); kept for checking and tests of such reports.

        Deterministic: the serial number is taken from the key's fingerprint, validity runs from
        ``not_before`` (the case's creation) with no expiry, and Ed25519 signatures are deterministic, so the
        same key, name and time give the same bytes.
        """
        if not_before.tzinfo is None:
            raise SigningKeyError("the certificate's start time has no offset")
        name = x509.Name(
            [
                x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, common_name[:64] or case_id),
                x509.NameAttribute(x509.oid.NameOID.ORGANIZATION_NAME, "evidence case"),
                x509.NameAttribute(x509.oid.NameOID.SERIAL_NUMBER, case_id),
            ]
        )
        public = self._key.public_key()
        ski = x509.SubjectKeyIdentifier.from_public_key(public)
        builder = (
            _certificate_builder(name, ski, not_before)
            .public_key(public)
            .serial_number(int(self.public.fingerprint[:30], 16) | 1)
        )
        certificate = builder.sign(self._key, algorithm=None)
        return certificate.public_bytes(serialization.Encoding.DER)

    def save(self, keys_dir: Path, passphrase: str | None) -> None:
        """Write ``case.key`` (0600, encrypted when a passphrase is given) and ``case.pub``."""
        encryption: serialization.KeySerializationEncryption
        if passphrase:
            encryption = serialization.BestAvailableEncryption(passphrase.encode("utf-8"))
        else:
            encryption = serialization.NoEncryption()
        pem = self._key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
        )
        keys_dir.mkdir(mode=0o700, exist_ok=True)
        write_key_file(keys_dir / PRIVATE_NAME, pem, 0o600, replace=False)
        write_key_file(keys_dir / PUBLIC_NAME, self.public.to_pem(), 0o644, replace=False)

    @staticmethod
    def is_encrypted(keys_dir: Path) -> bool:
        """Whether the stored private key needs a passphrase."""
        try:
            head = read_key_file(keys_dir / PRIVATE_NAME)[:64]
        except OSError as exc:
            raise SigningKeyError(
                f"cannot read the case key ({exc.strerror})", path=keys_dir / PRIVATE_NAME
            ) from None
        return b"ENCRYPTED" in head

    @classmethod
    def load(cls, keys_dir: Path, passphrase: str | None) -> SigningKey:
        """Load ``case.key``; raises SigningKeyError naming the fix when locked or wrong."""
        path = keys_dir / PRIVATE_NAME
        try:
            data = read_key_file(path)
        except OSError as exc:
            raise SigningKeyError(
                f"cannot read the case's signing key ({exc.strerror})",
                path=path,
                hint="the case folder's keys/ must be readable by you",
            ) from None
        encrypted = b"ENCRYPTED" in data[:64]
        if encrypted and not passphrase:
            raise SigningKeyError(
                "the signing key is protected by a passphrase",
                path=path,
                hint="type it when asked, or set EVIDENCE_PASSPHRASE",
            )
        try:
            key = serialization.load_pem_private_key(
                data, password=passphrase.encode("utf-8") if (encrypted and passphrase) else None
            )
        except (ValueError, TypeError, UnsupportedAlgorithm):
            if encrypted:
                raise SigningKeyError(
                    "wrong passphrase for the signing key", path=path, hint="check EVIDENCE_PASSPHRASE"
                ) from None
            raise SigningKeyError("the signing key file is damaged", path=path) from None
        if not isinstance(key, Ed25519PrivateKey):
            raise SigningKeyError("the signing key is not Ed25519", path=path)
        return cls(key)
