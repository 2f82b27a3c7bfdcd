"""`evidence anchor`: RFC 3161 timestamps over the ledger head, from a TSA on 127.0.0.1 started by each test."""

from __future__ import annotations

import hashlib
import json
import socket
import subprocess
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from asn1crypto import tsp
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding

from evidence.api import Case
from evidence.case.ledger import Head
from evidence.errors import AnchorError, ExitCode, InputError
from evidence.verify.bundle import verify_bundle
from evidence.verify.case import verify_case
from tests.anchor.tsa_kit import PKI, FaultyTSA, OpenSSLTSA, make_cert, serve, tls_context
from tests.conftest import run_cli

pytestmark = pytest.mark.allow_loopback
_DER, _PEM = Encoding.DER, Encoding.PEM


def _objects(case: Case) -> set[str]:
    return {p.name for p in (case.root / "objects" / "sha256").rglob("*") if p.is_file()}


def _refused(
    case: Case, url: str, code: str, tsa_cert: Path | None, timeout: float | None = None
) -> AnchorError:
    """The anchor fails with ``code`` and leaves the case exactly as it was."""
    head, objects = case.head(), _objects(case)
    with pytest.raises(AnchorError) as caught:
        case.anchor(url, tsa_cert=tsa_cert, timeout=timeout)
    assert caught.value.code == code, caught.value.message
    assert caught.value.exit_code == ExitCode.ANCHOR
    assert case.head() == head
    assert _objects(case) == objects
    assert verify_case(case.root).ok
    return caught.value


# -- the happy path, with the real openssl TSA -------------------------------------------------------------


def test_openssl_tsa_token_is_recorded_and_verifies(
    case: Case, pki: PKI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = pki.write_root(tmp_path / "root.pem")
    monkeypatch.setenv("EVIDENCE_TSA_ROOTS", str(root))  # the verifying user trusts this TSA's root
    before = case.head()
    with serve(OpenSSLTSA(pki, tmp_path / "tsa")) as (url, received):
        done = case.anchor(url, tsa_cert=root)
    # A checkpoint of the ledger was signed first, and it is that entry the token covers.
    *_, checkpoint, anchored = case.entries()
    assert checkpoint.kind == "checkpoint.signed" and anchored.kind == "anchor.timestamped"
    assert checkpoint.seq == before.seq + 1 and checkpoint.body["size"] == before.seq
    covered = Head(checkpoint.seq, checkpoint.hash)
    # What was sent: SHA-256 imprint = the checkpoint entry hash's 32 bytes, a 64-bit nonce, certReq; nothing else.
    (request,) = received
    req = tsp.TimeStampReq.load(request)
    assert req["message_imprint"]["hash_algorithm"]["algorithm"].native == "sha256"
    assert req["message_imprint"]["hashed_message"].native == bytes.fromhex(covered.hash)
    assert req["cert_req"].native is True
    assert req["nonce"].native.bit_length() == 64
    assert len(request) < 100
    assert done.covers == covered and done.entry.seq == covered.seq + 1 and done.chain_checked
    assert done.gen_time.tzinfo is not None and abs(datetime.now(UTC) - done.gen_time) < timedelta(minutes=5)
    (anchor,) = case.anchors()
    assert anchor["covers"] == {"seq": covered.seq, "hash": covered.hash}
    assert anchor["gen_time"].endswith("+00:00")
    assert anchor["nonce"] == str(req["nonce"].native)
    assert anchor["trust_anchor"]["sha256"] == hashlib.sha256(pki.root.public_bytes(_DER)).hexdigest()
    roles = {o["role"]: o["sha256"] for o in anchor["objects"]}
    assert set(roles) == {"timestamp-token", "tsa-trust-anchor"}
    assert case.store.exists(roles["timestamp-token"]) and case.store.exists(roles["tsa-trust-anchor"])
    report = verify_case(case.root)
    assert report.ok and not report.findings, [str(f) for f in report.findings]
    assert report.checked["anchors"] == 1
    assert report.facts["anchors"][0]["covers"]["hash"] == covered.hash


def test_cli_anchor_prints_time_with_offset_and_log_shows_it(case: Case, pki: PKI, tmp_path: Path) -> None:
    root = pki.write_root(tmp_path / "root.der", der=True)
    case_dir = str(case.root)
    case.close()
    with serve(OpenSSLTSA(pki, tmp_path / "tsa")) as (url, _):
        done = run_cli("-C", case_dir, "anchor", "--tsa", url, "--tsa-cert", str(root))
    assert done.returncode == 0, done.stderr
    assert "Anchored ledger head 2:" in done.stdout and "checkpoint of entries 1-1" in done.stdout
    assert "+00:00" in done.stdout and "chains to the trust anchor" in done.stdout
    log = run_cli("-C", case_dir, "log")
    assert "anchor.timestamped" in log.stdout and "chain checked" in log.stdout
    verify = run_cli("-C", case_dir, "verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr


def test_cli_failure_exits_with_the_anchor_code(case: Case, pki: PKI, tmp_path: Path) -> None:
    case_dir = str(case.root)
    case.close()
    with serve(FaultyTSA(pki.tsa, pki.tsa_key, [pki.inter], {"nonce"})) as (url, _):
        done = run_cli(
            "-C", case_dir, "anchor", "--tsa", url, "--tsa-cert", str(pki.write_root(tmp_path / "r.pem"))
        )
    assert done.returncode == ExitCode.ANCHOR == 8
    assert done.stderr.startswith(f"error: {url}: the token's nonce is not the one sent")


@pytest.mark.parametrize("key_type", ["rsa", "rsa-pss", "ecdsa"])
def test_built_tsa_passes_without_faults(case: Case, pki: PKI, tmp_path: Path, key_type: str) -> None:
    if key_type.startswith("rsa"):
        cert, key = pki.tsa, pki.tsa_key
    else:
        key = ec.generate_private_key(ec.SECP256R1())
        cert = make_cert("Test TSA EC", key, issuer=(pki.inter, pki.inter_key))
    options = {"pss"} if key_type == "rsa-pss" else set()
    with serve(FaultyTSA(cert, key, [pki.inter], options)) as (url, _):
        done = case.anchor(url, tsa_cert=pki.write_root(tmp_path / "root.pem"))
    assert done.serial == 424242424242424242424242  # beyond 2**53: recorded as a string
    assert case.anchors()[0]["serial"] == "424242424242424242424242"
    assert verify_case(case.root).ok


# -- one test per failure --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "code"),
    [
        ("imprint", "ANCHOR_IMPRINT"),
        ("nonce", "ANCHOR_NONCE"),
        ("signature", "ANCHOR_SIGNATURE"),
        ("status", "ANCHOR_STATUS"),
        ("garbage", "ANCHOR_MALFORMED"),
        ("no_ess", "ANCHOR_CERTIFICATE"),
        ("ess_wrong", "ANCHOR_CERTIFICATE"),
        ("no_cert", "ANCHOR_CERTIFICATE"),
    ],
)
def test_faulty_answer_is_refused(case: Case, pki: PKI, tmp_path: Path, fault: str, code: str) -> None:
    with serve(FaultyTSA(pki.tsa, pki.tsa_key, [pki.inter], {fault})) as (url, _):
        _refused(case, url, code, pki.write_root(tmp_path / "root.pem"))


def test_status_rejection_quotes_the_tsa(case: Case, pki: PKI, tmp_path: Path) -> None:
    with (
        serve(FaultyTSA(pki.tsa, pki.tsa_key, [pki.inter], {"status"})) as (url, _),
        pytest.raises(AnchorError, match=r"status rejection \(policy not accepted; unaccepted_policy\)"),
    ):
        case.anchor(url, tsa_cert=pki.write_root(tmp_path / "root.pem"))


@pytest.mark.parametrize("eku", ["missing", "noncritical", "extra"])
def test_tsa_certificate_without_critical_timestamping_eku_is_refused(
    case: Case, pki: PKI, tmp_path: Path, eku: str
) -> None:
    cert = make_cert(f"TSA eku {eku}", pki.tsa_key, issuer=(pki.inter, pki.inter_key), eku=eku)
    with serve(FaultyTSA(cert, pki.tsa_key, [pki.inter], set())) as (url, _):
        _refused(case, url, "ANCHOR_EKU", pki.write_root(tmp_path / "root.pem"))


def test_untrusted_chain_is_refused(case: Case, pki: PKI, tmp_path: Path) -> None:
    stranger = tmp_path / "stranger.pem"
    stranger.write_bytes(pki.stranger.public_bytes(_PEM))
    with serve(FaultyTSA(pki.tsa, pki.tsa_key, [pki.inter], set())) as (url, _):
        _refused(case, url, "ANCHOR_UNTRUSTED", stranger)
    # A TSA certificate issued by another CA that merely copies the intermediate's name.
    fake_inter = make_cert(
        "Test Intermediate CA", pki.stranger_key, issuer=(pki.stranger, pki.stranger_key), ca=True
    )
    forged = make_cert("Test TSA", pki.tsa_key, issuer=(fake_inter, pki.stranger_key))
    with serve(FaultyTSA(forged, pki.tsa_key, [fake_inter], set())) as (url, _):
        _refused(case, url, "ANCHOR_UNTRUSTED", pki.write_root(tmp_path / "root.pem"))
    # The intermediate left out of the token: no path to the root.
    with serve(FaultyTSA(pki.tsa, pki.tsa_key, [], set())) as (url, _):
        _refused(case, url, "ANCHOR_UNTRUSTED", pki.write_root(tmp_path / "root.pem"))


def test_certificate_not_valid_at_gen_time_is_refused(case: Case, pki: PKI, tmp_path: Path) -> None:
    later = make_cert(
        "TSA not yet valid",
        pki.tsa_key,
        issuer=(pki.inter, pki.inter_key),
        not_before=datetime.now(UTC) + timedelta(days=2),
    )
    with serve(FaultyTSA(later, pki.tsa_key, [pki.inter], set())) as (url, _):
        _refused(case, url, "ANCHOR_VALIDITY", pki.write_root(tmp_path / "root.pem"))


def test_oversize_answer_is_refused(case: Case, pki: PKI, tmp_path: Path) -> None:
    with serve(lambda request: b"\x30" * (2 << 20)) as (url, _):
        _refused(case, url, "ANCHOR_TOO_LARGE", pki.write_root(tmp_path / "root.pem"))


def test_http_error_is_refused(case: Case, pki: PKI, tmp_path: Path) -> None:
    with serve(lambda request: b"busy", http_status=503) as (url, _):
        _refused(case, url, "ANCHOR_HTTP", pki.write_root(tmp_path / "root.pem"))


def test_connection_refused_and_timeout(case: Case, pki: PKI, tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    _refused(case, f"http://127.0.0.1:{port}/tsa", "ANCHOR_UNREACHABLE", None)
    with serve(FaultyTSA(pki.tsa, pki.tsa_key, [pki.inter], set()), delay=5) as (url, _):
        _refused(case, url, "ANCHOR_UNREACHABLE", None, timeout=0.5)


def test_only_http_and_https_urls(case: Case) -> None:
    for url in ("ftp://127.0.0.1/tsa", "file:///etc/passwd", "127.0.0.1:318"):
        _refused(case, url, "ANCHOR_URL", None)


def test_bad_trust_anchor_file_is_an_input_error(case: Case, tmp_path: Path) -> None:
    bad = tmp_path / "root.pem"
    bad.write_text("not a certificate")
    with pytest.raises(InputError, match="is not a PEM or DER certificate") as caught:
        case.anchor("http://127.0.0.1:9/tsa", tsa_cert=bad)
    assert caught.value.path == str(bad)


# -- without a trust anchor; verify after tampering --------------------------------------------------------


def test_without_tsa_cert_the_unchecked_chain_is_recorded_and_warned(
    case: Case, pki: PKI, tmp_path: Path
) -> None:
    with serve(OpenSSLTSA(pki, tmp_path / "tsa")) as (url, _):
        done = case.anchor(url)
    assert not done.chain_checked
    (anchor,) = case.anchors()
    assert anchor["chain_checked"] is False and anchor["trust_anchor"] is None
    assert [o["role"] for o in anchor["objects"]] == ["timestamp-token"]
    report = verify_case(case.root)
    assert report.ok
    assert "ANCHOR_CHAIN_NOT_CHECKED" in report.codes()


def test_verify_fails_when_the_stored_token_is_altered(case: Case, pki: PKI, tmp_path: Path) -> None:
    with serve(OpenSSLTSA(pki, tmp_path / "tsa")) as (url, _):
        case.anchor(url, tsa_cert=pki.write_root(tmp_path / "root.pem"))
    token_sha = case.anchors()[0]["token_sha256"]
    path = case.store.path_for(token_sha)
    data = bytearray(path.read_bytes())
    data[-20] ^= 0x01  # inside the signature, at the end of the token
    path.chmod(0o644)
    path.write_bytes(bytes(data))
    report = verify_case(case.root)
    assert not report.ok
    assert {"MODIFIED", "ANCHOR_SIGNATURE"} <= report.codes(), [str(f) for f in report.findings]


def test_verify_fails_when_the_trust_anchor_is_swapped(case: Case, pki: PKI, tmp_path: Path) -> None:
    with serve(OpenSSLTSA(pki, tmp_path / "tsa")) as (url, _):
        case.anchor(url, tsa_cert=pki.write_root(tmp_path / "root.pem"))
    anchor_sha = case.anchors()[0]["trust_anchor"]["sha256"]
    path = case.store.path_for(anchor_sha)
    path.chmod(0o644)
    path.write_bytes(pki.stranger.public_bytes(_DER))
    report = verify_case(case.root)
    assert {"MODIFIED", "ANCHOR_UNTRUSTED"} <= report.codes(), [str(f) for f in report.findings]


# -- the bundle: sha256sum -c and openssl ts -verify --------------------------------------------------------


def test_bundle_carries_tokens_that_openssl_verifies(case: Case, pki: PKI, tmp_path: Path) -> None:
    note = tmp_path / "note.txt"
    note.write_text("He called 14 times tonight.\n")
    case.import_files([note])
    with serve(OpenSSLTSA(pki, tmp_path / "tsa")) as (url, _):
        first = case.anchor(url, tsa_cert=pki.write_root(tmp_path / "root.pem"))
        second = case.anchor(url, tsa_cert=pki.write_root(tmp_path / "root.pem"))
    bundle = tmp_path / "bundle.zip"
    case.export(bundle)
    report = verify_bundle(bundle)
    assert report.ok, [str(f) for f in report.findings]
    assert report.checked["anchors"] == 2

    out = tmp_path / "unzipped"
    with zipfile.ZipFile(bundle) as zf:
        zf.extractall(out)
    sums = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=out, capture_output=True, text=True)
    assert sums.returncode == 0, sums.stdout + sums.stderr
    assert f"anchors/{second.entry.seq:04d}.tsr: OK" in sums.stdout
    text = (out / "VERIFY.txt").read_text()
    for done in (first, second):
        seq = done.entry.seq
        assert (out / f"anchors/{seq:04d}.digest").read_text().strip() == done.covers.hash
        command = f"openssl ts -verify -digest {done.covers.hash} -in anchors/{seq:04d}.tsr -token_in -CAfile anchors/{seq:04d}-ca.pem"
        assert command in text
        result = subprocess.run(command.split(), cwd=out, capture_output=True, text=True)
        assert result.returncode == 0 and "Verification: OK" in result.stdout, result.stdout + result.stderr
        # The same token does not verify against another head.
        other = subprocess.run(
            [*command.split()[:4], "0" * 64, *command.split()[5:]], cwd=out, capture_output=True, text=True
        )
        assert other.returncode != 0 and "Verification: FAILED" in other.stdout
    manifest = json.loads((out / "manifest.json").read_text())
    assert [a["entry"] for a in manifest["anchors"]] == [first.entry.seq, second.entry.seq]


def test_bundle_verify_catches_a_replaced_token(case: Case, pki: PKI, tmp_path: Path) -> None:
    with serve(OpenSSLTSA(pki, tmp_path / "tsa")) as (url, _):
        done = case.anchor(url, tsa_cert=pki.write_root(tmp_path / "root.pem"))
    bundle = tmp_path / "bundle.zip"
    case.export(bundle)
    name = f"anchors/{done.entry.seq:04d}.tsr"
    forged = tmp_path / "forged.zip"
    with zipfile.ZipFile(bundle) as src, zipfile.ZipFile(forged, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == name:
                data = data[:-20] + bytes([data[-20] ^ 1]) + data[-19:]
            dst.writestr(info, data)
    report = verify_bundle(forged)
    assert not report.ok
    assert {"MODIFIED", "ANCHOR_TOKEN_MISSING"} <= report.codes(), [str(f) for f in report.findings]


def test_report_shows_anchored_heads(case: Case, pki: PKI, tmp_path: Path) -> None:
    with serve(OpenSSLTSA(pki, tmp_path / "tsa")) as (url, _):
        done = case.anchor(url, tsa_cert=pki.write_root(tmp_path / "root.pem"))
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(case.render_report())
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Trusted timestamps" in text
    assert f"Entry {done.entry.seq}: head {done.covers.seq}:{done.covers.hash}" in " ".join(text.split())
    assert "entry 2 (" in " ".join(text.split()) and "timestamped (RFC 3161)" in " ".join(text.split())


def test_verify_prints_anchored_heads_and_warns_of_a_clock_ahead(
    case: Case, pki: PKI, tmp_path: Path
) -> None:
    tsa = FaultyTSA(pki.tsa, pki.tsa_key, [pki.inter], set())
    tsa.gen_time = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)  # the TSA says: an hour ago
    with serve(tsa) as (url, _):
        done = case.anchor(url, tsa_cert=pki.write_root(tmp_path / "root.pem"))
    report = verify_case(case.root)
    assert report.ok and "ANCHOR_CLOCK" in report.codes()
    case_dir = str(case.root)
    case.close()
    printed = run_cli("-C", case_dir, "verify")
    assert printed.returncode == 0
    assert (
        f"head {done.covers.seq}:{done.covers.hash[:16]}… existed at {tsa.gen_time.isoformat()}"
        in printed.stdout
    )
    assert "warning: ANCHOR_CLOCK" in printed.stdout


def test_https_tsa_with_a_trusted_server_certificate(
    case: Case, pki: PKI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The client trusts what the system trusts; SSL_CERT_FILE stands in for a system store holding the test root.
    monkeypatch.setenv("SSL_CERT_FILE", str(pki.write_root(tmp_path / "root.pem")))
    tsa = FaultyTSA(pki.tsa, pki.tsa_key, [pki.inter], set())
    with serve(tsa, tls=tls_context(pki, tmp_path / "tls")) as (url, _):
        assert url.startswith("https://127.0.0.1:")
        done = case.anchor(url, tsa_cert=tmp_path / "root.pem")
    assert case.anchors()[0]["tsa_url"] == url and done.chain_checked
    # A server whose certificate nobody vouches for is not talked to.
    with serve(tsa, tls=tls_context(pki, tmp_path / "tls-self", self_signed=True)) as (url, _):
        error = _refused(case, url, "ANCHOR_UNREACHABLE", tmp_path / "root.pem")
    assert "certificate verify failed" in error.message
