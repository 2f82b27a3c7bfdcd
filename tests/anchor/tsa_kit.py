"""A test PKI and two local Time-Stamp Authorities on 127.0.0.1.

``OpenSSLTSA`` answers with the real ``openssl ts -reply``; ``FaultyTSA`` builds replies with asn1crypto and
cryptography and can be told to break one thing (``faults``), so each check of the anchor code is seen to fail.
"""

from __future__ import annotations

import hashlib
import http.server
import ipaddress
import ssl
import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from asn1crypto import algos, cms, core, tsp
from asn1crypto import x509 as ax509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from evidence.anchor.tsa import TimeStampResp

Key = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


def _name(cn: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Test TSA Ltd"),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


def make_cert(
    subject: str,
    key: Key,
    *,
    issuer: tuple[x509.Certificate, Key] | None = None,
    ca: bool = False,
    eku: str = "critical",  # critical, noncritical, missing, extra
    not_before: datetime | None = None,
    days: int = 3650,
) -> x509.Certificate:
    """A certificate for ``key``: self-signed when ``issuer`` is None; a TSA certificate unless ``ca``."""
    start = not_before or datetime.now(UTC) - timedelta(days=1)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer[0].subject if issuer else _name(subject))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
    elif eku != "missing":
        usages = [ExtendedKeyUsageOID.TIME_STAMPING]
        if eku == "extra":
            usages.append(ExtendedKeyUsageOID.CODE_SIGNING)
        builder = builder.add_extension(x509.ExtendedKeyUsage(usages), critical=eku != "noncritical")
    signer_key = issuer[1] if issuer else key
    return builder.sign(signer_key, hashes.SHA256())


def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@dataclass
class PKI:
    """Root CA -> intermediate CA -> TSA certificate (critical EKU timeStamping), and a stranger root."""

    root_key: Key = field(default_factory=ec_key)
    inter_key: Key = field(default_factory=ec_key)
    tsa_key: Key = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )

    def __post_init__(self) -> None:
        self.root = make_cert("Test Root CA", self.root_key, ca=True)
        self.inter = make_cert(
            "Test Intermediate CA", self.inter_key, issuer=(self.root, self.root_key), ca=True
        )
        self.tsa = make_cert("Test TSA", self.tsa_key, issuer=(self.inter, self.inter_key))
        self.stranger_key = ec_key()
        self.stranger = make_cert("Stranger Root CA", self.stranger_key, ca=True)

    def write_root(self, path: Path, *, der: bool = False) -> Path:
        path.write_bytes(
            self.root.public_bytes(serialization.Encoding.DER if der else serialization.Encoding.PEM)
        )
        return path


def pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


# -- the real openssl TSA --------------------------------------------------------------------------------

OPENSSL_TSA_CONF = """\
[ tsa ]
default_tsa = tsa_config1

[ tsa_config1 ]
dir = {dir}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.pem
certs = $dir/chain.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = {ess_alg}
"""


class OpenSSLTSA:
    """Answers a TimeStampReq with ``openssl ts -reply`` over the test PKI's TSA certificate."""

    def __init__(self, pki: PKI, workdir: Path, *, ess_alg: str = "sha1") -> None:
        self.dir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        (workdir / "serial").write_text("01\n")
        (workdir / "tsa.pem").write_bytes(pem(pki.tsa))
        (workdir / "chain.pem").write_bytes(pem(pki.inter))
        (workdir / "tsa.key").write_bytes(
            pki.tsa_key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        (workdir / "tsa.cnf").write_text(OPENSSL_TSA_CONF.format(dir=workdir, ess_alg=ess_alg))
        self.lock = threading.Lock()

    def __call__(self, request: bytes) -> bytes:
        with self.lock:
            (self.dir / "req.tsq").write_bytes(request)
            subprocess.run(
                [
                    "openssl", "ts", "-reply", "-config", str(self.dir / "tsa.cnf"),
                    "-queryfile", str(self.dir / "req.tsq"), "-out", str(self.dir / "resp.tsr"),
                ],
                check=True,
                capture_output=True,
            )  # fmt: skip
            return (self.dir / "resp.tsr").read_bytes()


# -- the fault-injecting TSA ------------------------------------------------------------------------------


class FaultyTSA:
    """Builds replies itself; ``faults`` names what to break: imprint, nonce, signature, status, no_ess,
    ess_wrong, no_cert, garbage (and the signer is whatever ``cert``/``key`` it is given); ``pss`` signs with
    RSA-PSS rather than PKCS#1 v1.5."""

    def __init__(
        self, cert: x509.Certificate, key: Key, chain: list[x509.Certificate], faults: set[str]
    ) -> None:
        self.cert, self.key, self.chain, self.faults = cert, key, chain, faults
        self.gen_time = datetime.now(UTC).replace(microsecond=0)

    def __call__(self, request: bytes) -> bytes:
        if "garbage" in self.faults:
            return b"<html>not a timestamp</html>"
        req = tsp.TimeStampReq.load(request)
        if "status" in self.faults:
            return bytes(
                TimeStampResp(
                    {
                        "status": {
                            "status": "rejection",
                            "status_string": ["policy not accepted"],
                            "fail_info": tsp.PKIFailureInfo({"unaccepted_policy"}),
                        }
                    }
                ).dump()
            )
        imprint = bytes(req["message_imprint"]["hashed_message"].native)
        if "imprint" in self.faults:
            imprint = hashlib.sha256(imprint).digest()
        nonce = int(req["nonce"].native)
        if "nonce" in self.faults:
            nonce += 1
        tst = tsp.TSTInfo(
            {
                "version": "v1",
                "policy": "1.2.3.4.2",
                "message_imprint": {"hash_algorithm": {"algorithm": "sha256"}, "hashed_message": imprint},
                "serial_number": 424242424242424242424242,
                "gen_time": self.gen_time,
                "nonce": nonce,
                "tsa": ax509.GeneralName(
                    name="directory_name", value=ax509.Name.load(self.cert.subject.public_bytes())
                ),
            }
        )
        tst_der = bytes(tst.dump())
        cert_der = self.cert.public_bytes(serialization.Encoding.DER)
        attrs: list[dict[str, Any]] = [
            {"type": "content_type", "values": ["tst_info"]},
            {"type": "message_digest", "values": [hashlib.sha256(tst_der).digest()]},
        ]
        if "no_ess" not in self.faults:
            cert_hash = hashlib.sha256(cert_der if "ess_wrong" not in self.faults else b"other").digest()
            attrs.append(
                {
                    "type": "signing_certificate_v2",
                    "values": [
                        {"certs": [{"hash_algorithm": {"algorithm": "sha256"}, "cert_hash": cert_hash}]}
                    ],
                }
            )
        signed_attrs = cms.CMSAttributes(attrs)
        to_sign = bytes(signed_attrs.dump())
        sig_algo: Any
        if isinstance(self.key, rsa.RSAPrivateKey) and "pss" in self.faults:  # not a fault: RSA-PSS instead
            signature = self.key.sign(
                to_sign, padding.PSS(padding.MGF1(hashes.SHA256()), 32), hashes.SHA256()
            )
            sig_algo = algos.SignedDigestAlgorithm(
                {
                    "algorithm": "rsassa_pss",
                    "parameters": {
                        "hash_algorithm": {"algorithm": "sha256"},
                        "mask_gen_algorithm": {"algorithm": "mgf1", "parameters": {"algorithm": "sha256"}},
                        "salt_length": 32,
                        "trailer_field": "trailer_field_bc",
                    },
                }
            )
        elif isinstance(self.key, rsa.RSAPrivateKey):
            signature = self.key.sign(to_sign, padding.PKCS1v15(), hashes.SHA256())
            sig_algo = "sha256_rsa"
        else:
            signature = self.key.sign(to_sign, ec.ECDSA(hashes.SHA256()))
            sig_algo = "sha256_ecdsa"
        if "signature" in self.faults:
            signature = signature[:-1] + bytes([signature[-1] ^ 1])
        a_cert = ax509.Certificate.load(cert_der)
        signer_info = cms.SignerInfo(
            {
                "version": "v1",
                "sid": cms.SignerIdentifier(
                    name="issuer_and_serial_number",
                    value={"issuer": a_cert.issuer, "serial_number": a_cert.serial_number},
                ),
                "digest_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}),
                "signed_attrs": signed_attrs,
                "signature_algorithm": (
                    sig_algo
                    if not isinstance(sig_algo, str)
                    else algos.SignedDigestAlgorithm({"algorithm": sig_algo})
                ),
                "signature": signature,
            }
        )
        certs = [] if "no_cert" in self.faults else [a_cert]
        certs += [ax509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in self.chain]
        signed = cms.SignedData(
            {
                "version": "v3",
                "digest_algorithms": [algos.DigestAlgorithm({"algorithm": "sha256"})],
                "encap_content_info": {
                    "content_type": "tst_info",
                    "content": core.ParsableOctetString(tst_der),
                },
                "certificates": certs,
                "signer_infos": [signer_info],
            }
        )
        token = cms.ContentInfo({"content_type": "signed_data", "content": signed})
        return bytes(tsp.TimeStampResp({"status": {"status": "granted"}, "time_stamp_token": token}).dump())


# -- the HTTP front ----------------------------------------------------------------------------------------


@contextmanager
def serve(
    respond: Callable[[bytes], bytes],
    *,
    delay: float = 0.0,
    http_status: int = 200,
    tls: ssl.SSLContext | None = None,
) -> Iterator[tuple[str, list[bytes]]]:
    """Serve ``respond`` at http://127.0.0.1:PORT/tsa (https with ``tls``); yields the URL and the requests."""
    received: list[bytes] = []
    stop = threading.Event()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            received.append(body)
            if self.headers.get("Content-Type") != "application/timestamp-query":
                self.send_error(415)
                return
            if delay:
                stop.wait(delay)
            answer = respond(body)
            self.send_response(http_status)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            with suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(answer)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"{'https' if tls else 'http'}://127.0.0.1:{server.server_address[1]}/tsa", received
    finally:
        stop.set()
        server.shutdown()
        server.server_close()


def tls_context(pki: PKI, workdir: Path, *, self_signed: bool = False) -> ssl.SSLContext:
    """A server context for 127.0.0.1 with a certificate from the test root (or self-signed)."""
    key = ec_key()
    issuer_name = _name("127.0.0.1") if self_signed else pki.root.subject
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("127.0.0.1"))
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(datetime.now(UTC) - timedelta(days=1))
        .not_valid_after(datetime.now(UTC) + timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(key if self_signed else pki.root_key, hashes.SHA256())
    )
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "server.pem").write_bytes(pem(cert))
    (workdir / "server.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(workdir / "server.pem", workdir / "server.key")
    return context
