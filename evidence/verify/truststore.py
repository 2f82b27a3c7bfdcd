"""Whether a trusted timestamp's root is one somebody other than the case holder vouches for.

An anchor (``evidence anchor --tsa URL --tsa-cert ROOT``) is checked against the root the case holder gave,
and that root travels with the case and the bundle. A root of the holder's own making checks just as well
(red-team A11: a self-made "DigiCert" root backdated a ledger). So a timestamp is called independent only when
its root is in a trust store the person checking chose: this computer's (Debian's ``ca-certificates``, the
Mozilla list) or the PEM files they name in ``$EVIDENCE_TSA_ROOTS`` (separated by ``:``), e.g. the root a TSA
they trust publishes. A root is matched by its subject and public key (a root
re-issued with new dates keeps both); a look-alike with another key never matches.
"""

from __future__ import annotations

import hashlib
import os
import re
import warnings
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

# Where Linux distributions keep the system's trusted roots, as one PEM file.
SYSTEM_BUNDLES = (
    Path("/etc/ssl/certs/ca-certificates.crt"),  # Debian, Ubuntu
    Path("/etc/pki/tls/certs/ca-bundle.crt"),  # Fedora, RHEL
    Path("/etc/ssl/cert.pem"),  # Alpine, macOS
)
_PEM = re.compile(rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.S)


def identity(certificate: x509.Certificate) -> str:
    """A root's identity: SHA-256 of its subject and its public key."""
    key = certificate.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(certificate.subject.public_bytes() + b"\x00" + key).hexdigest()


def _identities(pem: bytes) -> set[str]:
    found = set()
    for block in _PEM.findall(pem):
        try:
            found.add(identity(x509.load_pem_x509_certificate(block)))
        except ValueError:
            continue  # one unreadable certificate does not make the others untrusted
    return found


@cache
def system_roots() -> frozenset[str]:
    """The identities of this computer's trusted roots (empty when it has no system store)."""
    for bundle in SYSTEM_BUNDLES:
        try:
            return frozenset(_identities(bundle.read_bytes()))
        except OSError:
            continue
    return frozenset()


def chosen_roots() -> list[bytes]:
    """The PEM files named in ``$EVIDENCE_TSA_ROOTS`` (unreadable ones are skipped)."""
    found = []
    for name in os.environ.get("EVIDENCE_TSA_ROOTS", "").split(os.pathsep):
        if name.strip():
            try:
                found.append(Path(name).read_bytes())
            except OSError:
                continue
    return found


def vouched_for(certificate: x509.Certificate, extra: Iterable[bytes] | None = None) -> bool:
    """Whether ``certificate`` is a root of this computer's trust store or of the PEM bytes ``extra``
    (by default the files ``$EVIDENCE_TSA_ROOTS`` names)."""
    wanted = identity(certificate)
    if wanted in system_roots():
        return True
    return any(wanted in _identities(pem) for pem in (chosen_roots() if extra is None else extra))


def vouched_for_der(der: bytes | None) -> bool:
    """``vouched_for`` of a DER certificate; False for none or one that cannot be read."""
    if der is None:
        return False
    try:
        return vouched_for(x509.load_der_x509_certificate(der))
    except ValueError:
        return False


def root_certificates() -> list[bytes]:
    """The DER of every root ``vouched_for`` accepts (this computer's store, then the files
    ``$EVIDENCE_TSA_ROOTS`` names), for a validator that builds and checks the chain itself (a PDF signature's
    timestamp, ``evidence.verify.pdfsig``)."""
    found = []
    with warnings.catch_warnings():
        # cryptography warns about a few old roots of the system store (a serial number that is not positive)
        warnings.simplefilter("ignore")
        for pem in (*_system_pems(), *chosen_roots()):
            for block in _PEM.findall(pem):
                try:
                    found.append(x509.load_pem_x509_certificate(block).public_bytes(Encoding.DER))
                except ValueError:
                    continue  # as in _identities: one unreadable certificate does not make the others untrusted
    return found


def _system_pems() -> list[bytes]:
    """The first readable system bundle (as ``system_roots`` reads it), or none."""
    for bundle in SYSTEM_BUNDLES:
        try:
            return [bundle.read_bytes()]
        except OSError:
            continue
    return []
