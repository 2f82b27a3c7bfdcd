"""Check (6) of a bundle: its checkpoints and, for a selective bundle, the Merkle proofs of its entries.

A selective bundle (one with ``proofs.json``, or whose manifest says ``"mode": "selected"``) holds only some
ledger entries, so check (3) checks them one by one (canonical body, hash, signature by the genesis key: no
chain, which has gaps by design; ``check_disclosed_ledger``). Then, numbered as in the code:

  (6a) Every ``checkpoint.signed`` entry: its note is a well-formed signed note, signed by the case key, for the
       case's id, and says what the entry's body says; it covers exactly the entries before it
       (``CHECKPOINT_INVALID``, naming the entry).
  (6b) Full bundle: the tree over the ledger's first ``size`` entries gives each checkpoint's root
       (``CHECKPOINT_MISMATCH``).
  (6c) Selective bundle: ``proofs.json`` is readable (``PROOF_MALFORMED``); its checkpoint is a valid signed
       note (``CHECKPOINT_INVALID``) recorded by a disclosed ``checkpoint.signed`` entry that covers the
       ``size`` entries before it (``CHECKPOINT_NOT_RECORDED``).
  (6d) Every disclosed entry the checkpoint covers has an inclusion proof (``PROOF_MISSING``) that its hash is
       leaf ``seq - 1`` of the checkpoint's tree (``PROOF_INVALID``); any other disclosed entry but the
       checkpoint's own is ``ENTRY_NOT_COVERED``.
  (6e) Every earlier disclosed checkpoint has a consistency proof to the bundle's checkpoint
       (``CONSISTENCY_MISSING``) that verifies (``CONSISTENCY_INVALID``): its ledger is a prefix of the newer.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from evidence.case.formats import BUNDLE_PROOFS as PROOFS
from evidence.case.formats import CHECKPOINT_KIND
from evidence.case.ledger import Entry
from evidence.case.merkle import (
    Checkpoint,
    CheckpointError,
    ProofError,
    leaf_hash,
    ledger_tree,
    parse_note,
    verify_consistency,
    verify_inclusion,
)
from evidence.case.signing import PublicKey
from evidence.errors import SigningKeyError
from evidence.verify import WARNING, Finding, Report
from evidence.verify._common import (
    GENESIS_KIND,
    Row,
    Stored,
    head_hash_mismatch,
    parse_head,
    recorded_instant,
)
from evidence.verify.ledger import check_entries, check_genesis

MAX_PROOFS_SIZE = 256 << 20
HEX64 = frozenset("0123456789abcdef")


def is_selective(zf: zipfile.ZipFile, manifest: dict[str, Any] | None) -> bool:
    """Whether the bundle says it holds only some entries (``proofs.json``, or the manifest says so)."""
    disclosure = manifest.get("disclosure") if manifest else None
    said = isinstance(disclosure, dict) and disclosure.get("mode") == "selected"
    return said or PROOFS in zf.namelist()


def check_disclosed_ledger(
    entries: list[Entry],
    problems: list[list[str]],
    file_key: PublicKey | None,
    report: Report,
    *,
    key_path: str,
    expect_key: str | None = None,
    heads: Iterable[str] = (),
) -> tuple[list[Row], PublicKey | None]:
    """Check (3) for a selective bundle: genesis and key, then each entry on its own (no chain)."""
    key = check_genesis(entries, file_key, report, expect_key, key_path=key_path)
    stored = [Stored(entry, list(found)) for entry, found in zip(entries, problems, strict=True)]
    rows = check_entries(stored, key, report)
    seen: set[int] = set()
    for row in rows:
        if row.entry.seq in seen:
            report.add(Finding("ROW_INSERTED", "a second entry with this seq", entry=row.entry.seq))
        seen.add(row.entry.seq)
    if not any(r.entry.kind == GENESIS_KIND and r.entry.seq == 1 for r in rows):
        report.add(Finding("GENESIS_MISSING", "the genesis entry (seq 1, case.created) is not disclosed"))
    _check_disclosed_heads(rows, heads, report)
    _check_disclosed_times(rows, report)
    return rows, key


def _check_disclosed_times(rows: list[Row], report: Report) -> None:
    """Each disclosed entry's time is a time with its UTC offset (``RECORDED_AT_INVALID``), and, in seq order,
    not before a time disclosed before it (``CLOCK_WENT_BACKWARDS``, a warning), as for a whole ledger."""
    latest: tuple[datetime, int] | None = None
    for row in sorted(rows, key=lambda r: r.entry.seq):
        entry = row.entry
        when = recorded_instant(entry.recorded_at)
        if when is None:
            report.add(
                Finding(
                    "RECORDED_AT_INVALID",
                    f"recorded_at {entry.recorded_at[:60]!r} is not a time with a UTC offset",
                    entry=entry.seq,
                )
            )
            continue
        if latest is not None and when < latest[0]:
            report.add(
                Finding(
                    "CLOCK_WENT_BACKWARDS",
                    f"recorded at {entry.recorded_at}, before disclosed entry {latest[1]} ({latest[0].isoformat()})",
                    severity=WARNING,
                    entry=entry.seq,
                )
            )
        if latest is None or when > latest[0]:
            latest = (when, entry.seq)


def _check_disclosed_heads(rows: list[Row], heads: Iterable[str], report: Report) -> None:
    by_seq = {row.entry.seq: row.entry.hash for row in rows}
    count = 0
    for text in heads:
        count += 1
        try:
            seq, digest = parse_head(text)
        except ValueError:
            report.add(Finding("HEAD_MISMATCH", f"cannot read head {text!r} (expected SEQ:HASH)"))
            continue
        if seq is None or seq not in by_seq:
            report.add(
                Finding(
                    "HEAD_NOT_DISCLOSED",
                    f"head {text[:24]}... is not among the disclosed entries and cannot be checked here",
                    severity=WARNING,
                    entry=seq,
                )
            )
        elif by_seq[seq] != digest:
            report.add(head_hash_mismatch(seq, by_seq[seq], digest))
    report.checked["heads"] = count


def _genesis(rows: list[Row]) -> tuple[PublicKey, str] | None:
    for row in rows:
        if row.entry.kind == GENESIS_KIND and row.valid and isinstance(row.body, dict):
            try:
                return PublicKey.from_hex(str(row.body.get("public_key"))), str(row.body.get("case_id"))
            except SigningKeyError:
                return None
    return None


def _checkpoints(rows: list[Row], key: PublicKey, origin: str, report: Report) -> dict[int, Checkpoint]:
    """(6a): every valid ``checkpoint.signed`` entry's checkpoint, by seq."""
    found: dict[int, Checkpoint] = {}
    for row in rows:
        if row.entry.kind != CHECKPOINT_KIND or not row.valid or not isinstance(row.body, dict):
            continue
        seq = row.entry.seq
        try:
            checkpoint = parse_note(str(row.body.get("note")), key)
        except CheckpointError as exc:
            report.add(Finding("CHECKPOINT_INVALID", f"its signed note: {exc}", entry=seq))
            continue
        problem = None
        if checkpoint.origin != origin:
            problem = f"its origin {checkpoint.origin!r} is not the case id {origin!r}"
        elif checkpoint.size != row.body.get("size") or checkpoint.root.hex() != row.body.get("root"):
            problem = "its note and its body name different sizes or roots"
        elif checkpoint.size != seq - 1:
            problem = f"it covers {checkpoint.size} entries, not the {seq - 1} before it"
        if problem:
            report.add(Finding("CHECKPOINT_INVALID", problem, entry=seq))
            continue
        found[seq] = checkpoint
    report.checked["checkpoints"] = len(found)
    return found


def check_merkle(zf: zipfile.ZipFile, rows: list[Row], report: Report, *, selected: bool) -> None:
    """Check (6); see the module docstring."""
    genesis = _genesis(rows)
    if genesis is None:
        return  # (3) named what is wrong with the genesis entry
    key, origin = genesis
    checkpoints = _checkpoints(rows, key, origin, report)
    if selected:
        _check_proofs(zf, rows, checkpoints, key, origin, report)
    else:
        _check_full(rows, checkpoints, report)


def check_case_checkpoints(rows: list[Row], report: Report) -> None:
    """(6a) and (6b) over a case folder's ledger: every checkpoint is signed and gives the tree's root."""
    genesis = _genesis(rows)
    if genesis is not None:
        _check_full(rows, _checkpoints(rows, genesis[0], genesis[1], report), report)


def _check_full(rows: list[Row], checkpoints: dict[int, Checkpoint], report: Report) -> None:
    """(6b): recompute each checkpoint's root over the ledger itself."""
    if not checkpoints:
        return
    needed = max(c.size for c in checkpoints.values())
    ordered = sorted(rows, key=lambda r: r.entry.seq)[:needed]
    hashes: list[str] = []
    for pos, row in enumerate(ordered):
        if row.entry.seq != pos + 1 or len(row.entry.hash) != 64 or not set(row.entry.hash) <= HEX64:
            break  # (3) named the gap or the damaged entry; the tree stops before it
        hashes.append(row.entry.hash)
    tree = ledger_tree(hashes)
    for seq, checkpoint in sorted(checkpoints.items()):
        if checkpoint.size > tree.size:
            continue
        if tree.root(checkpoint.size) != checkpoint.root:
            report.add(
                Finding(
                    "CHECKPOINT_MISMATCH",
                    f"the tree over entries 1-{checkpoint.size} does not give the root this checkpoint signed",
                    entry=seq,
                )
            )


def _hashes(value: Any) -> list[bytes] | None:
    if not isinstance(value, list):
        return None
    out: list[bytes] = []
    for item in value:
        if not isinstance(item, str) or len(item) != 64 or not set(item) <= HEX64:
            return None
        out.append(bytes.fromhex(item))
    return out


def _read_proofs(zf: zipfile.ZipFile, report: Report) -> dict[str, Any] | None:
    if PROOFS not in zf.namelist():
        if not any(f.path == PROOFS for f in report.findings):
            report.add(Finding("MISSING", "a selective bundle without its Merkle proofs", path=PROOFS))
        return None
    info = zf.getinfo(PROOFS)
    try:
        if info.file_size > MAX_PROOFS_SIZE:
            raise ValueError(f"{info.file_size} bytes, over the {MAX_PROOFS_SIZE} limit")
        with zf.open(info) as fh:
            doc = json.loads(fh.read(MAX_PROOFS_SIZE).decode("utf-8"))
    except (ValueError, zipfile.BadZipFile, OSError, EOFError, RecursionError) as exc:
        report.add(Finding("PROOF_MALFORMED", f"cannot be read ({exc})", path=PROOFS))
        return None
    if not isinstance(doc, dict) or not isinstance(doc.get("checkpoint"), dict):
        report.add(Finding("PROOF_MALFORMED", "names no checkpoint", path=PROOFS))
        return None
    return doc


def _by_entry(items: Any, what: str, report: Report) -> dict[int, dict[str, Any]]:
    found: dict[int, dict[str, Any]] = {}
    for item in items if isinstance(items, list) else []:
        seq = item.get("entry") if isinstance(item, dict) else None
        if not isinstance(seq, int) or isinstance(seq, bool) or seq in found:
            report.add(
                Finding("PROOF_MALFORMED", f"a {what} proof names no entry, or one twice", path=PROOFS)
            )
            continue
        found[seq] = item
    return found


def _check_proofs(
    zf: zipfile.ZipFile,
    rows: list[Row],
    checkpoints: dict[int, Checkpoint],
    key: PublicKey,
    origin: str,
    report: Report,
) -> None:
    """(6c)-(6e)."""
    doc = _read_proofs(zf, report)
    if doc is None:
        return
    # (6c) The bundle's checkpoint, as recorded in the ledger.
    head = doc["checkpoint"]
    try:
        newest = parse_note(str(head.get("note")), key)
    except CheckpointError as exc:
        report.add(Finding("CHECKPOINT_INVALID", f"the bundle's checkpoint: {exc}", path=PROOFS))
        return
    at = head.get("entry")
    recorded = next((r for r in rows if r.entry.seq == at and r.entry.kind == CHECKPOINT_KIND), None)
    if (
        newest.origin != origin
        or recorded is None
        or checkpoints.get(recorded.entry.seq) != newest
        or not isinstance(recorded.body, dict)
        or recorded.body.get("note") != head.get("note")
    ):
        report.add(
            Finding(
                "CHECKPOINT_NOT_RECORDED",
                f"the bundle's checkpoint (size {newest.size}) is not the one a disclosed, valid "
                f"checkpoint.signed entry {at} records for this case",
                path=PROOFS,
            )
        )
        return
    size, root = newest.size, newest.root
    report.facts["checkpoint"] = {"entry": at, "size": size, "root": root.hex()}
    # (6d) Inclusion of every covered entry.
    inclusion = _by_entry(doc.get("inclusion"), "inclusion", report)
    proved = 0
    for row in rows:
        seq = row.entry.seq
        if seq > size:
            if seq != at:
                report.add(
                    Finding(
                        "ENTRY_NOT_COVERED",
                        f"the bundle's checkpoint covers entries 1-{size} only; nothing proves where this "
                        "entry is in the ledger",
                        entry=seq,
                    )
                )
            continue
        item = inclusion.get(seq)
        if item is None:
            report.add(Finding("PROOF_MISSING", "no inclusion proof for this entry", entry=seq))
            continue
        path = _hashes(item.get("path"))
        if path is None or len(row.entry.hash) != 64 or not set(row.entry.hash) <= HEX64:
            report.add(Finding("PROOF_MALFORMED", "its inclusion proof is not a list of hashes", entry=seq))
            continue
        try:
            if item.get("leaf_index") != seq - 1:
                raise ProofError(f"it proves leaf {item.get('leaf_index')}, not leaf {seq - 1} (entry {seq})")
            verify_inclusion(leaf_hash(bytes.fromhex(row.entry.hash)), seq - 1, size, path, root)
        except ProofError as exc:
            report.add(Finding("PROOF_INVALID", f"inclusion proof fails: {exc}", entry=seq))
            continue
        proved += 1
    # (6e) Consistency of every earlier checkpoint with the bundle's.
    consistency = _by_entry(doc.get("consistency"), "consistency", report)
    for seq, earlier in sorted(checkpoints.items()):
        if seq > size:
            continue
        item = consistency.get(seq)
        if item is None:
            report.add(Finding("CONSISTENCY_MISSING", "no consistency proof for this checkpoint", entry=seq))
            continue
        proof = _hashes(item.get("proof"))
        if proof is None:
            report.add(Finding("PROOF_MALFORMED", "its consistency proof is not a list of hashes", entry=seq))
            continue
        try:
            if item.get("size") != earlier.size:
                raise ProofError(f"it starts from size {item.get('size')}, not {earlier.size}")
            verify_consistency(earlier.size, size, earlier.root, root, proof)
        except ProofError as exc:
            report.add(
                Finding(
                    "CONSISTENCY_INVALID",
                    f"the ledger of {earlier.size} entries is not proved a prefix of the ledger of {size}: {exc}",
                    entry=seq,
                )
            )
            continue
        proved += 1
    report.checked["proofs"] = proved
