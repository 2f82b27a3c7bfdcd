"""Trusted time (RFC 3161): a signed checkpoint of the ledger timestamped by a TSA, both entries committed
together or neither; the token is checked before anything is written."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from evidence.case.folder import CaseFolder, PassphraseSource, actor, tool_info
from evidence.case.formats import Kind
from evidence.case.ledger import Head
from evidence.case.writer import Writer


@dataclass(frozen=True)
class Anchored:
    """A trusted timestamp obtained and recorded."""

    url: str
    covers: Head  # the checkpoint.signed entry the token is over (signed just before, with it)
    entry: Head  # the anchor.timestamped entry that records it
    gen_time: datetime  # the TSA's time (aware, UTC)
    serial: int
    tsa_name: str | None
    chain_checked: bool


def anchor(
    case: CaseFolder,
    url: str,
    *,
    tsa_cert: Path | None = None,
    passphrase: PassphraseSource | str | None = None,
    timeout: float | None = None,
) -> Anchored:
    """Sign a checkpoint of the ledger, timestamp that ``checkpoint.signed`` entry at the TSA ``url`` and
    record the token (``anchor.timestamped``); both entries are committed together, or neither.

    The token thus covers a signed Merkle root of the whole ledger, which a selective bundle can prove its
    entries against. Only the checkpoint entry's hash is sent. The answer is checked (``evidence.anchor.tsa``) before anything is
    written; the token, and the trust anchor ``tsa_cert`` when given, are stored as objects the entry names.
    Without ``tsa_cert`` the chain to a root is not checked, and the entry says so (``chain_checked``).
    Raises AnchorError (nothing recorded) when the TSA cannot be reached or its answer fails a check.
    """
    from evidence.anchor import tsa

    key = case.signing_key(passphrase)  # a locked key fails before anything is sent
    anchor_cert, anchor_der = tsa.load_trust_anchor(tsa_cert) if tsa_cert is not None else (None, None)
    # The writer lock is held from the checkpoint's planning to the commit (the TSA's answer is bounded by
    # the timeout), so the ledger cannot move between the hash sent and the entries recorded.
    writer = Writer(case)
    with writer.lock():
        planned, checkpoint = writer.plan_checkpoint(key)
        covered = Head(planned.seq, planned.hash)
        digest = bytes.fromhex(covered.hash)
        nonce = tsa.new_nonce()
        reply = tsa.post_request(
            url, tsa.build_request(digest, nonce), timeout=tsa.TIMEOUT if timeout is None else timeout
        )
        token = tsa.token_from_response(reply, where=url)
        checked = tsa.check_token(token, digest, nonce=nonce, anchor=anchor_cert, where=url)
        with case.store.session():
            staged = [case.store.stage_bytes(token, "timestamp token")]
            if anchor_der is not None:
                staged.append(case.store.stage_bytes(anchor_der, "TSA trust anchor"))
            objects = [{"sha256": staged[0].sha256, "role": "timestamp-token", "size": staged[0].size}]
            if anchor_der is not None:
                objects.append(
                    {"sha256": staged[1].sha256, "role": "tsa-trust-anchor", "size": staged[1].size}
                )
            body: dict[str, Any] = {
                "tsa_url": url,
                "covers": {"seq": covered.seq, "hash": covered.hash},
                "gen_time": checked.gen_time.isoformat(),
                "serial": str(checked.serial),
                "policy": checked.policy,
                "tsa_name": checked.tsa_name,
                "nonce": str(checked.nonce) if checked.nonce is not None else None,
                "signer": {"subject": checked.signer_subject, "sha256": checked.signer_sha256},
                "chain_checked": checked.chain_checked,
                "trust_anchor": (
                    {"sha256": checked.anchor_sha256, "subject": anchor_cert.subject.rfc4514_string()}
                    if anchor_cert is not None
                    else None
                ),
                "token_sha256": staged[0].sha256,
                "anchored_by": actor(),
                "tool": tool_info(),
                "objects": objects,
            }
            entry = writer.append_with_objects(
                Kind.ANCHOR_TIMESTAMPED, body, staged, key, first=(planned, checkpoint)
            )
    return Anchored(
        url=url,
        covers=covered,
        entry=Head(entry.seq, entry.hash),
        gen_time=checked.gen_time,
        serial=checked.serial,
        tsa_name=checked.tsa_name,
        chain_checked=checked.chain_checked,
    )
