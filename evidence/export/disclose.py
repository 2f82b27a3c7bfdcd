"""Selective disclosure: which ledger entries a filtered bundle carries, and the Merkle proofs that tie them to the
whole ledger without showing the rest.

A filtered export (``--exhibits``, ``--since``, ``--until``, ``--person``) carries, in ``ledger.jsonl``:

  * the genesis entry (``case.created``: it names the key that checks every signature) and any ``key.*`` entry;
  * for each disclosed exhibit, its ``item.acquired`` entries and the entries derived from it
    (``records.derived``, ``ocr.derived``: the parsed records and OCR of that file), and what was recorded
    about its records (``record.relayed``, ``tactic.reviewed``);
  * the ``report.generated`` entry of the report included, if one is;
  * every ``checkpoint.signed`` entry, the newest of which (appended by the export itself) is the bundle's
    checkpoint: it covers the ``size`` entries before it;
  * every ``anchor.timestamped`` entry over a disclosed entry: ``evidence anchor`` signs a checkpoint and
    timestamps that entry, so the token (carried under ``anchors/``) proves the signed root existed at the
    TSA's time, and the consistency proof from that checkpoint to the bundle's proves the disclosed entries
    were in the ledger the TSA saw, if their seq is within its size. (An anchor made before anchors signed a
    checkpoint covers a plain ledger head, which is disclosed only if it is disclosed for another reason.)

``proofs.json`` holds, for every disclosed entry the checkpoint covers, its RFC 6962 inclusion proof (the entry's
hash is leaf ``seq - 1`` of the tree of ``size`` leaves whose root the checkpoint signs), and for every earlier
checkpoint a consistency proof to the newest (the earlier ledger is a prefix of the later one: nothing was removed
or rewritten between them).

What a recipient learns of what was not disclosed: how many entries the ledger had at each checkpoint, the
positions (seq numbers) and times of the disclosed entries, what the disclosed exhibit numbers imply, and the
hashes in the proofs (which reveal nothing of the entries they summarise). No file name, hash, record count or
content of anything else.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from evidence.case.canonical import CanonicalError, parse_canonical
from evidence.case.formats import ANCHOR_KIND, CHECKPOINT_KIND, GENESIS_KIND, PROOFS_FORMAT, Kind
from evidence.case.ledger import Entry
from evidence.case.merkle import ledger_tree
from evidence.errors import UsageError

EXHIBIT_KINDS = frozenset({Kind.ITEM_ACQUIRED, Kind.RECORDS_DERIVED, Kind.OCR_DERIVED})
# What the sender said about one record (relayed by a third party, a reviewed tactic): disclosed with the record.
RECORD_KINDS = frozenset({Kind.RECORD_RELAYED, Kind.RECORD_ATTRIBUTED, Kind.TACTIC_REVIEWED})


def _body(entry: Entry) -> dict[str, Any]:
    try:
        body = parse_canonical(entry.body_text)
    except CanonicalError:
        return {}
    return body if isinstance(body, dict) else {}


def newest_checkpoint(entries: list[Entry]) -> tuple[Entry, int]:
    """The newest ``checkpoint.signed`` entry and the number of entries it covers."""
    for entry in reversed(entries):
        if entry.kind == CHECKPOINT_KIND:
            size = _body(entry).get("size")
            if isinstance(size, int) and size == entry.seq - 1:
                return entry, size
    raise UsageError(
        "the ledger has no checkpoint to prove a selection against", hint="export with 'evidence export'"
    )


def disclosed_entries(
    entries: list[Entry],
    exhibits: Collection[str],
    report_seq: int | None,
    records: Collection[str] = (),
) -> list[Entry]:
    """The entries a bundle of ``exhibits`` (whose records have the ids ``records``) and the report entry
    ``report_seq`` discloses, in seq order; and every ``anchor.timestamped`` entry whose covered entry is
    disclosed (a checkpoint, for every anchor made since anchors sign one first)."""
    chosen = {e.seq for e in entries if _discloses(e, exhibits, report_seq, records)}
    chosen |= {e.seq for e in entries if e.kind == ANCHOR_KIND and _covered(e) in chosen}
    return [e for e in entries if e.seq in chosen]


def _covered(anchor: Entry) -> int | None:
    """The seq an ``anchor.timestamped`` entry's token covers (None when its body does not say)."""
    covers = _body(anchor).get("covers")
    seq = covers.get("seq") if isinstance(covers, dict) else None
    return seq if isinstance(seq, int) and not isinstance(seq, bool) and seq < anchor.seq else None


def _discloses(
    entry: Entry, exhibits: Collection[str], report_seq: int | None, records: Collection[str]
) -> bool:
    if entry.kind in (GENESIS_KIND, CHECKPOINT_KIND) or entry.kind.startswith("key."):
        return True
    if entry.kind in EXHIBIT_KINDS:
        return _body(entry).get("exhibit") in exhibits
    if entry.kind in RECORD_KINDS:
        return _body(entry).get("record") in records
    return report_seq is not None and entry.seq == report_seq


def proofs_document(entries: list[Entry], disclosed: list[Entry]) -> dict[str, Any]:
    """``proofs.json``: the bundle's checkpoint, an inclusion proof per covered entry, a consistency proof
    per earlier checkpoint. ``entries`` is the whole ledger, ending at or after the newest checkpoint."""
    checkpoint, size = newest_checkpoint(entries)
    tree = ledger_tree([e.hash for e in entries[:size]])
    inclusion = [
        {"entry": e.seq, "leaf_index": e.seq - 1, "path": [p.hex() for p in tree.inclusion(e.seq - 1)]}
        for e in disclosed
        if e.seq <= size
    ]
    consistency = []
    for e in disclosed:
        if e.kind == CHECKPOINT_KIND and e.seq <= size:
            earlier = _body(e).get("size")
            if isinstance(earlier, int) and 0 < earlier <= size:
                proof = tree.consistency(earlier)
                consistency.append({"entry": e.seq, "size": earlier, "proof": [p.hex() for p in proof]})
    return {
        "format": PROOFS_FORMAT,
        "checkpoint": {"entry": checkpoint.seq, "size": size, "note": _body(checkpoint).get("note")},
        "inclusion": inclusion,
        "consistency": consistency,
    }
