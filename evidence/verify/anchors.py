"""Re-check every trusted timestamp (``anchor.timestamped`` entry) of a ledger: the case's and the bundle's.

For each anchor entry whose own hash and signature are intact:

  (a) it covers an entry of this chain: ``covers.seq`` is before it and has the hash ``covers.hash``
      (``ANCHOR_HEAD``);
  (b) its token (and its trust anchor, when one was recorded) can be read (``ANCHOR_TOKEN_MISSING``);
  (c) every check of ``evidence.anchor.tsa.check_token`` passes again, with the recorded nonce and the stored
      trust anchor: ``ANCHOR_MALFORMED``, ``ANCHOR_IMPRINT``, ``ANCHOR_NONCE``, ``ANCHOR_CERTIFICATE``,
      ``ANCHOR_SIGNATURE``, ``ANCHOR_EKU``, ``ANCHOR_VALIDITY``, ``ANCHOR_UNTRUSTED``;
  (d) the token says what the entry recorded: genTime, serial, signer certificate (``ANCHOR_MISMATCH``).

``ANCHOR_CLOCK`` (a warning): the covered entry's recorded time is more than two minutes after the TSA's time,
so the clock of the computer that kept the case was ahead. An anchor recorded without a trust anchor is re-checked
but its chain cannot be: ``ANCHOR_CHAIN_NOT_CHECKED`` (a warning). ``ANCHOR_SELF_ASSERTED`` (a warning): the
root it chains to came with the case and is in no trust store of this computer (``evidence.verify.truststore``),
so its time is the case holder's word, not an independent authority's; only anchors whose root is vouched for
are ``independent`` in the facts. Verification never uses the network; revocation of the TSA's certificate is not checked.

Unlike the rest of the verifier, this shares more than primitives with the writer: the token checks of
``evidence.anchor.tsa`` run both when a token is recorded and here. ``openssl ts -verify`` on the bundle's
``anchors/`` is the independent second opinion.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from cryptography import x509

from evidence.case.formats import ANCHOR_KIND
from evidence.errors import AnchorError
from evidence.verify import WARNING, Finding, Report
from evidence.verify.truststore import identity, vouched_for
from evidence.verify.tsa import check_token

CLOCK_TOLERANCE = timedelta(minutes=2)  # TSA accuracy and ordinary clock drift

ObjectReader = Callable[[str], bytes | None]  # the bytes stored under a SHA-256, or None when absent


def check_anchors(rows: list[Any], read: ObjectReader, report: Report) -> None:
    """Checks (a)-(d) for every intact anchor entry of ``rows`` (the ledger verifier's rows)."""
    hashes = {row.entry.seq: row.entry.hash for row in rows if row.valid}
    recorded_at = {row.entry.seq: row.entry.recorded_at for row in rows if row.valid}
    anchored: list[dict[str, Any]] = []
    count = 0
    for row in rows:
        if row.entry.kind != ANCHOR_KIND or not row.valid or not isinstance(row.body, dict):
            continue
        count += 1
        seq = row.entry.seq
        try:
            anchored.append(_check_one(seq, row.body, hashes, recorded_at, read, report))
        except AnchorError as exc:
            report.add(Finding(exc.code, exc.message, entry=seq))
        except (KeyError, TypeError, ValueError) as exc:
            report.add(Finding("ANCHOR_MALFORMED", f"the anchor entry cannot be read ({exc!r})", entry=seq))
    if count:
        report.checked["anchors"] = count
    if anchored:
        report.facts["anchors"] = anchored


def _check_one(
    seq: int,
    body: dict[str, Any],
    hashes: dict[int, str],
    recorded_at: dict[int, str],
    read: ObjectReader,
    report: Report,
) -> dict[str, Any]:
    covers = body["covers"]
    covered_seq, covered_hash = int(covers["seq"]), str(covers["hash"])
    # (a) The head it covers is in this chain, before it.
    if covered_seq >= seq or hashes.get(covered_seq) != covered_hash:
        raise AnchorError("ANCHOR_HEAD", f"the timestamped head {covered_seq} is not an entry of this chain")
    # (b) The token and the trust anchor.
    token = read(str(body["token_sha256"]))
    if token is None:
        raise AnchorError(
            "ANCHOR_TOKEN_MISSING", f"the timestamp token {str(body['token_sha256'])[:16]}… is missing"
        )
    anchor: x509.Certificate | None = None
    if body.get("trust_anchor"):
        anchor_sha = str(body["trust_anchor"]["sha256"])
        anchor_der = read(anchor_sha)
        if anchor_der is None:
            raise AnchorError("ANCHOR_TOKEN_MISSING", f"the trust anchor {anchor_sha[:16]}… is missing")
        try:
            anchor = x509.load_der_x509_certificate(anchor_der)
        except (ValueError, x509.InvalidVersion) as exc:
            raise AnchorError("ANCHOR_CERTIFICATE", f"the trust anchor is malformed ({exc})") from None
    # (c) Every check again.
    nonce = int(body["nonce"]) if body.get("nonce") is not None else None
    checked = check_token(
        token, bytes.fromhex(covered_hash), nonce=nonce, anchor=anchor, where=f"entry {seq}"
    )
    # (d) The token says what the entry recorded.
    if (
        checked.gen_time.isoformat() != body.get("gen_time")
        or str(checked.serial) != body.get("serial")
        or checked.signer_sha256 != (body.get("signer") or {}).get("sha256")
    ):
        raise AnchorError("ANCHOR_MISMATCH", "the token's genTime, serial or signer differ from the entry's")
    recorded = recorded_at.get(covered_seq)
    if recorded is not None and datetime.fromisoformat(recorded) - checked.gen_time > CLOCK_TOLERANCE:
        report.add(
            Finding(
                "ANCHOR_CLOCK",
                f"entry {covered_seq} was recorded at {recorded}, after the TSA's time {checked.gen_time.isoformat()}: "
                "the case computer's clock was ahead",
                severity=WARNING,
                entry=seq,
            )
        )
    if anchor is None:
        report.add(
            Finding(
                "ANCHOR_CHAIN_NOT_CHECKED",
                "recorded without a trust anchor (--tsa-cert): the TSA certificate's chain is not checked",
                severity=WARNING,
                entry=seq,
            )
        )
    independent = anchor is not None and vouched_for(anchor)
    if anchor is not None and not independent:
        report.add(
            Finding(
                "ANCHOR_SELF_ASSERTED",
                f"the TSA's root ({anchor.subject.rfc4514_string()}, identity {identity(anchor)[:16]}...) came "
                "with the case and is in no trust store of this computer: the time "
                f"{checked.gen_time.isoformat()} is asserted by whoever made that root, not shown to be "
                "independent; compare the root with the one the TSA publishes",
                severity=WARNING,
                entry=seq,
            )
        )
    return {
        "entry": seq,
        "covers": {"seq": covered_seq, "hash": covered_hash},
        "gen_time": checked.gen_time.isoformat(),
        "tsa": checked.tsa_name or body.get("tsa_url"),
        "chain_checked": anchor is not None,
        "independent": independent,
    }
