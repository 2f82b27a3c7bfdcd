"""Checks (2)-(5) of ``evidence.verify.case`` over ledger entries read from anywhere (a case's database, a
bundle's JSON Lines): genesis and key, each entry (format, canonical body, hash, signature), the chain rebuilt
from the ``prev`` links and compared with the ``seq`` order, the entries' times, and heads recorded elsewhere.
The findings and their codes are described in ``evidence.verify.case``'s docstring.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from evidence.case.canonical import CanonicalError
from evidence.case.ledger import Entry
from evidence.case.signing import PublicKey
from evidence.errors import SigningKeyError
from evidence.verify import WARNING, Finding, Report
from evidence.verify._common import (
    GENESIS_KIND,
    GENESIS_PREV,
    Row,
    Stored,
    computed_hash,
    decode_canonical,
    find_genesis,
    head_hash_mismatch,
    is_lower_hex,
    parse_body,
    parse_head,
    recorded_instant,
    signed_by,
    span,
)
from evidence.verify.parallel import SignatureCheck


def check_ledger(
    entries: list[Entry],
    problems: list[list[str]],
    file_key: PublicKey | None,
    report: Report,
    *,
    key_path: str,
    expect_key: str | None = None,
    heads: Iterable[str] = (),
    started: Callable[[], None] | None = None,
) -> tuple[list[Row], PublicKey | None]:
    """Checks (2)-(5) over ledger entries read from anywhere (a case's database, a bundle's JSON Lines).

    ``problems[i]`` lists what is wrong with how entry i was stored (empty when nothing); ``file_key`` is the
    public key shipped beside the ledger (at ``key_path``). Returns the checked rows and the genesis key.
    ``started`` is called once the signature check is under way (its worker processes forked), to start
    other work alongside the rest of the checks.
    """
    key = check_genesis(entries, file_key, report, expect_key, key_path=key_path)
    stored = [Stored(entry, list(found)) for entry, found in zip(entries, problems, strict=True)]
    rows = check_entries(stored, key, report, started)
    _check_chain(rows, report)
    _check_heads(rows, heads, report)
    return rows, key


def check_genesis(
    entries: list[Entry],
    file_key: PublicKey | None,
    report: Report,
    expect_key: str | None,
    *,
    key_path: str,
) -> PublicKey | None:
    """Check (2) over ``entries`` (non-empty) given the key read from ``key_path`` (None when unreadable):
    the key that checks the signatures, or None when there is none."""
    genesis = find_genesis(entries)
    genesis_key: PublicKey | None = None
    genesis_intact = False
    body: Any = None
    if genesis is not None:
        try:
            body = parse_body(genesis.body_text)
        except CanonicalError:
            body = None
    if genesis is None or not isinstance(body, dict):
        report.add(
            Finding(
                "GENESIS_MISSING", "no entry is the case's genesis (case.created) entry", entry=entries[0].seq
            )
        )
    else:
        genesis_intact = computed_hash(genesis, body) == genesis.hash
        try:
            genesis_key = PublicKey.from_hex(str(body.get("public_key", "")))
        except SigningKeyError as exc:
            report.add(Finding("GENESIS_MODIFIED", exc.message, entry=genesis.seq))
    if genesis is not None and not genesis_intact and file_key is not None and signed_by(file_key, genesis):
        # The genesis entry was altered after keys/case.pub signed it (step (3) reports that entry): keep
        # checking the other signatures with the key that made them, not with whatever the altered body says.
        genesis_key = file_key
    elif genesis_key is not None and file_key is not None and file_key != genesis_key:
        report.add(
            Finding(
                "KEY_REPLACED",
                f"{key_path} (fingerprint {file_key.fingerprint[:16]}...) is not the key the case was "
                f"created with ({genesis_key.fingerprint[:16]}...)",
                path=key_path,
            )
        )
    if genesis_key is None:
        genesis_key = file_key  # still check signatures against something, and say the genesis is bad
    if expect_key:
        actual = genesis_key.fingerprint if genesis_key else None
        if actual is None or actual != expect_key.strip().lower():
            report.add(
                Finding(
                    "KEY_NOT_EXPECTED",
                    f"the case's key fingerprint is {actual}, not the expected {expect_key}",
                    entry=genesis.seq if genesis is not None else None,
                )
            )
    return genesis_key


def check_entries(
    stored: list[Stored], key: PublicKey | None, report: Report, started: Callable[[], None] | None = None
) -> list[Row]:
    """Check (3) over each stored entry: its columns' format, canonical body, hash and signature."""
    # Signatures first (in worker processes for a long ledger), so they are checked while the bodies are.
    signed: list[int] = []  # positions whose signature is checked (hash and sig well-formed)
    pairs: list[tuple[bytes, bytes]] = []
    if key is not None:
        for pos, item in enumerate(stored):
            entry = item.entry
            if is_lower_hex(entry.hash, 64) and is_lower_hex(entry.sig, 128):
                signed.append(pos)
                pairs.append((bytes.fromhex(entry.sig), bytes.fromhex(entry.hash)))
    # With workers, they also check each body's canonical form and hash; an entry they pass is only decoded here.
    entries = [item.entry for item in stored]
    signatures = SignatureCheck(key, pairs, entries) if key is not None else None
    try:
        if started is not None:
            started()
        checked: list[tuple[list[str], Any, str | None, str | None]] = []
        chunks = signatures.contents() if signatures is not None else iter([(0, -1, None)])
        for first, last, flagged in chunks:
            for pos in range(first, len(stored) if last < 0 else last):
                item = stored[pos]
                entry = item.entry
                problems = list(item.problems)
                for name, value, length in (
                    ("prev", entry.prev, 64),
                    ("hash", entry.hash, 64),
                    ("sig", entry.sig, 128),
                ):
                    if not is_lower_hex(value, length):
                        problems.append(f"{name} is not {length} lowercase hex digits")
                if flagged is not None and pos not in flagged:
                    # Canonical, and its contents hash to its stored hash (a worker checked both).
                    checked.append((problems, decode_canonical(entry.body_text), entry.hash, None))
                    continue
                body: Any = None
                computed: str | None = None
                not_canonical: str | None = None
                try:
                    body = parse_body(entry.body_text)
                except CanonicalError as exc:
                    not_canonical = exc.message
                if body is not None:
                    computed = computed_hash(entry, body)
                    if computed != entry.hash:
                        problems.append("the entry's contents do not match its hash")
                checked.append((problems, body, computed, not_canonical))
        bad = {signed[i] for i in signatures.bad()} if signatures is not None else set()
    finally:
        if signatures is not None:
            signatures.close()
    valid_sig = set(signed) - bad
    rows: list[Row] = []
    for pos, (item, (problems, body, computed, not_canonical)) in enumerate(
        zip(stored, checked, strict=True)
    ):
        entry = item.entry
        if not_canonical is not None:
            report.add(
                Finding("NON_CANONICAL", f"body is not canonical JSON ({not_canonical})", entry=entry.seq)
            )
        hash_ok = body is not None and not problems
        if problems:
            report.add(Finding("ENTRY_MODIFIED", "; ".join(problems), entry=entry.seq))
        sig_ok: bool | None = None
        if key is not None:
            sig_ok = pos in valid_sig
            if not sig_ok:
                report.add(Finding("BAD_SIGNATURE", "signature is invalid for this entry", entry=entry.seq))
        rows.append(Row(entry, body, computed, hash_ok, sig_ok))
    report.checked["signatures"] = len(stored) if key is not None else 0
    return rows


class _Chain:
    """Rebuild the chain from the ``prev`` links, then compare it with the rows' ``seq`` order."""

    def __init__(self, rows: list[Row], report: Report) -> None:
        self.rows = rows
        self.report = report
        self.by_prev: dict[str, list[int]] = {}
        self.owner: dict[str, int] = {}  # stored or recomputed hash -> first row position having it
        for pos, row in enumerate(rows):
            self.by_prev.setdefault(row.entry.prev, []).append(pos)
        for pos, row in enumerate(rows):
            self.owner.setdefault(row.entry.hash, pos)
        for pos, row in enumerate(rows):
            if row.computed is not None:
                self.owner.setdefault(row.computed, pos)
        self.occupied = {row.entry.seq for row in rows}
        self.placed: dict[int, int] = {}  # row position -> index in the chain
        self.placed_hashes: dict[str, int] = {}  # stored hash -> row position
        self.order: list[int] = []  # row positions in chain order
        self.successor: dict[int, int] = {}
        self.segment_starts: set[int] = set()

    def seq(self, pos: int) -> int:
        return self.rows[pos].entry.seq

    def _ids(self, pos: int) -> set[str]:
        row = self.rows[pos]
        return {row.entry.hash} | ({row.computed} if row.computed else set())

    def _place(self, pos: int) -> None:
        self.placed[pos] = len(self.order)
        self.placed_hashes.setdefault(self.rows[pos].entry.hash, pos)
        self.order.append(pos)

    def _candidates(self, ids: Iterable[str]) -> list[int]:
        found = {
            pos
            for ident in ids
            for pos in self.by_prev.get(ident, ())
            if pos not in self.placed and self.rows[pos].entry.hash not in self.placed_hashes
        }
        return sorted(found)

    def _pick(self, candidates: list[int], after_seq: int) -> int:
        # A genuine entry beats a forgery chained to the same predecessor; then the seq that fits.
        return min(
            candidates,
            key=lambda p: (not self.rows[p].valid, self.seq(p) != after_seq + 1, self.seq(p)),
        )

    def _walk(self, pos: int) -> None:
        self._place(pos)
        while True:
            candidates = self._candidates(self._ids(pos))
            if not candidates:
                return
            nxt = self._pick(candidates, self.seq(pos))
            self.successor[pos] = nxt
            if self.rows[nxt].entry.prev != self.rows[pos].entry.hash:
                self.report.add(
                    Finding(
                        "CHAIN_BROKEN",
                        f"chain broken at entry {self.seq(nxt)}: its prev is not the stored hash of entry "
                        f"{self.seq(pos)} (that entry's hash was altered)",
                        entry=self.seq(nxt),
                    )
                )
            self._place(nxt)
            pos = nxt

    def build(self) -> None:
        rows = self.rows
        starts = self._candidates({GENESIS_PREV})
        if starts:
            first = min(
                starts,
                key=lambda p: (
                    not rows[p].valid,
                    rows[p].entry.kind != GENESIS_KIND,
                    self.seq(p) != 1,
                    self.seq(p),
                ),
            )
            self._walk(first)
        for pos, row in enumerate(rows):
            if pos in self.placed:
                continue
            entry = row.entry
            if entry.hash in self.placed_hashes:
                self._inserted(pos, f"a copy of entry {self.seq(self.placed_hashes[entry.hash])}")
                continue
            if entry.prev == GENESIS_PREV and self.order:
                self._inserted(pos, "a second entry claiming to start the chain")
                continue
            owner = self.placed_hashes.get(entry.prev, self.owner.get(entry.prev))
            if owner is not None and owner in self.successor:
                self._inserted(
                    pos,
                    f"not part of the chain: entry {self.seq(owner)} is followed by entry "
                    f"{self.seq(self.successor[owner])}",
                )
                continue
            if row.hash_ok and row.sig_ok is False:
                self._inserted(pos, "not part of the chain, and not signed with the case's key")
                continue
            self._segment_start(pos, owner)
            self._walk(pos)
            self.segment_starts.add(pos)

    def _inserted(self, pos: int, why: str) -> None:
        self.report.add(Finding("ROW_INSERTED", f"entry {self.seq(pos)} is {why}", entry=self.seq(pos)))

    def _segment_start(self, pos: int, owner: int | None) -> None:
        row = self.rows[pos]
        seq = row.entry.seq
        before = self.seq(self.order[-1]) if self.order else 0
        if owner is None and row.valid:
            missing = [s for s in range(before + 1, seq) if s not in self.occupied]
            if missing:
                span = (
                    f"entry {missing[0]} is"
                    if len(missing) == 1
                    else f"entries {missing[0]}-{missing[-1]} are"
                )
                message = f"{span} missing: entry {seq} is chained to an entry no longer in the ledger"
                self.report.add(Finding("ROW_DELETED", message, entry=missing[0]))
            else:
                message = (
                    f"an entry before entry {seq} was removed and the rest renumbered: entry {seq} is chained "
                    "to an entry no longer in the ledger"
                )
                self.report.add(Finding("ROW_DELETED", message, entry=seq))
        elif seq == 1 or (not self.order and row.entry.kind == GENESIS_KIND):
            self.report.add(
                Finding(
                    "CHAIN_BROKEN", f"chain broken at entry {seq}: it does not start the chain", entry=seq
                )
            )
        else:
            where = f"entry {before}" if self.order else "the start of the chain"
            self.report.add(
                Finding(
                    "CHAIN_BROKEN",
                    f"chain broken at entry {seq}: its prev does not link it to {where}",
                    entry=seq,
                )
            )

    def check_order(self) -> None:
        seqs = [self.seq(p) for p in self.order]
        keep = _longest_increasing(seqs)
        n = len(self.rows)
        previous: int | None = None  # chain index of the previous kept entry
        for i, pos in enumerate(self.order):
            seq = seqs[i]
            after = f"entry {seqs[i - 1]}" if i else "nothing (it starts the chain)"
            if i not in keep:
                changed = not 1 <= seq <= n
                self.report.add(
                    Finding(
                        "SEQ_MODIFIED" if changed else "ROWS_REORDERED",
                        f"entry {seq} is out of place: the chain puts it after {after}"
                        + (" (its seq was changed)" if changed else ""),
                        entry=seq,
                    )
                )
                previous = None
                continue
            # Seq numbers between two linked entries may only be taken by rows outside the chain.
            starts_anew = pos in self.segment_starts
            low = 1 if i == 0 and not starts_anew else None
            if i and previous == i - 1 and not starts_anew:
                low = seqs[i - 1] + 1
            unused = [s for s in range(low, seq) if s not in self.occupied] if low is not None else []
            if seq < 1 or unused:
                self.report.add(
                    Finding(
                        "SEQ_MODIFIED",
                        f"entry {seq} follows {after} in the chain, but its seq was changed"
                        + (f" (seq {unused[0]} is unused)" if unused else ""),
                        entry=seq,
                    )
                )
            previous = i

    def check_clock(self) -> None:
        """Each entry's time is an RFC 3339 time with an offset (``RECORDED_AT_INVALID``), compared as an
        instant with the latest time before it in the chain (``CLOCK_WENT_BACKWARDS``, a warning)."""
        latest: tuple[datetime, int] | None = None
        for pos in self.order:
            entry = self.rows[pos].entry
            when = recorded_instant(entry.recorded_at)
            if when is None:
                self.report.add(
                    Finding(
                        "RECORDED_AT_INVALID",
                        f"recorded_at {entry.recorded_at[:60]!r} is not a time with a UTC offset "
                        "(YYYY-MM-DDTHH:MM:SS.ffffff+00:00)",
                        entry=entry.seq,
                    )
                )
                continue
            if latest is not None and when < latest[0]:
                self.report.add(
                    Finding(
                        "CLOCK_WENT_BACKWARDS",
                        f"recorded at {entry.recorded_at}, {span(latest[0] - when)} before entry {latest[1]} "
                        f"({latest[0].isoformat()}): the writer's clock went back, or the time was set by hand",
                        severity=WARNING,
                        entry=entry.seq,
                    )
                )
            if latest is None or when > latest[0]:
                latest = (when, entry.seq)


def _longest_increasing(values: list[int]) -> set[int]:
    """Indices of one longest strictly increasing subsequence (patience sorting, O(n log n))."""
    tails: list[int] = []  # tails[k]: smallest tail value of an increasing run of length k+1
    tail_index: list[int] = []
    parent: list[int] = [-1] * len(values)
    for i, value in enumerate(values):
        k = bisect.bisect_left(tails, value)
        if k == len(tails):
            tails.append(value)
            tail_index.append(i)
        else:
            tails[k] = value
            tail_index[k] = i
        parent[i] = tail_index[k - 1] if k else -1
    keep: set[int] = set()
    i = tail_index[-1] if tail_index else -1
    while i >= 0:
        keep.add(i)
        i = parent[i]
    return keep


def _check_chain(rows: list[Row], report: Report) -> None:
    chain = _Chain(rows, report)
    chain.build()
    chain.check_order()
    chain.check_clock()


def _check_heads(rows: list[Row], heads: Iterable[str], report: Report) -> None:
    by_seq = {row.entry.seq: row.entry.hash for row in rows}
    hashes = set(by_seq.values())
    count = 0
    for text in heads:
        count += 1
        try:
            seq, digest = parse_head(text)
        except ValueError:
            report.add(Finding("HEAD_MISMATCH", f"cannot read head {text!r} (expected SEQ:HASH)"))
            continue
        if seq is not None:
            if seq not in by_seq:
                report.add(
                    Finding(
                        "HEAD_MISMATCH",
                        f"head {seq}:{digest[:16]}... was recorded, but the ledger now ends at entry "
                        f"{max(by_seq) if by_seq else 0}: newer entries were removed (or the head is of "
                        "another case)",
                        entry=seq,
                    )
                )
            elif by_seq[seq] != digest:
                report.add(head_hash_mismatch(seq, by_seq[seq], digest))
        elif digest not in hashes:
            report.add(Finding("HEAD_MISMATCH", f"no entry has the recorded head hash {digest[:16]}..."))
    report.checked["heads"] = count
