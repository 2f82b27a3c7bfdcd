"""Verify a case folder: that nothing stored was altered, removed, inserted or reordered since it was written.

The checks, numbered here and in the code:

  (1) Layout: ``evidence.db``, ``keys/case.pub`` and ``objects/`` are present; the database opens read-only.
      Rows are read as raw bytes, so a column rewritten with invalid UTF-8 or as a blob is reported against
      its entry rather than making the database unreadable.
  (2) Genesis: the ``case.created`` entry (entry 1) starts the chain; the public key it names is the one in
      ``keys/case.pub`` (else ``KEY_REPLACED``) and, when given, the fingerprint expected (``--expect-key``,
      else ``KEY_NOT_EXPECTED``). No genesis entry at all is ``GENESIS_MISSING``; one naming no usable key is
      ``GENESIS_MODIFIED``; an unreadable ``keys/case.pub`` is ``KEY_UNREADABLE``. When the genesis entry no
      longer matches its hash but ``keys/case.pub`` signed it, that key checks the signatures (step (3) names
      the altered entry; every other signature is not reported bad because of it).
  (3) Each entry: every column is text in UTF-8, ``prev`` and ``hash`` are 64 and ``sig`` 128 lowercase hex
      digits (else ``ENTRY_MODIFIED``: a hex digit's case or a space is invisible to ``bytes.fromhex``, so
      the format is checked on its own); its body is canonical JSON (``NON_CANONICAL``); its hash recomputes
      (``ENTRY_MODIFIED``); its signature verifies with the genesis key (``BAD_SIGNATURE``).
  (4) Chain: the entries are linked by their ``prev`` hashes starting from the genesis, whatever their
      ``seq``; every break is classified and named:
        ``ROW_DELETED``     an intact entry is chained to an entry that is gone (names the missing seq when the
                            rows were not renumbered, else the entry after the gap);
        ``ROW_INSERTED``    an entry that is not part of the chain: a copy of another entry, a second entry
                            chained after the same predecessor, or a forgery (usually also ``BAD_SIGNATURE``);
        ``CHAIN_BROKEN``    an entry whose ``prev`` no longer links it to its predecessor, or the entry after
                            one whose stored ``hash`` was altered;
        ``ROWS_REORDERED``  intact entries whose ``seq`` order differs from the chain's order (rows moved or
                            their contents swapped);
        ``SEQ_MODIFIED``    an entry in its chain position whose ``seq`` number was changed (it leaves a gap,
                            or lies outside 1..n).
      Each ``recorded_at`` must be RFC 3339 with a numeric offset (the writer writes ``+00:00``), else
      ``RECORDED_AT_INVALID``; times are compared as instants, and an entry whose time is before the latest
      time earlier in the chain is ``CLOCK_WENT_BACKWARDS`` (a warning, naming that entry only: the signer's
      clock, or the signer, set it so; the ledger's times are the writer's word, see the anchors for more).
  (5) Heads recorded elsewhere (``--head SEQ:HASH``): each is still in the chain (else ``HEAD_MISMATCH``).
      Dropping the newest entries leaves a valid chain: only an earlier head (or an orphaned object) shows it.
  (5b) Checkpoints: every ``checkpoint.signed`` entry's signed note is valid for this case and key
      (``CHECKPOINT_INVALID``) and the Merkle tree over the entries before it gives its root
      (``CHECKPOINT_MISMATCH``).
  (6) Objects: every object an entry names is present (``MISSING``) and re-hashes to its name (``MODIFIED``,
      naming the exhibit the entry belongs to and the object's path); every stored object is named by an
      entry (``EXTRA``), unless the import journal (``pending_objects``) shows an interrupted import left it,
      or it is a staging file in ``objects/tmp`` (``INCOMPLETE_IMPORT``, a warning: the next import removes
      them).
  (7) Projections: the index tables equal a replay of the ledger (``INDEX_MISMATCH``), each record's stored
      JSON (text, sender, times: what the timeline and reports read) included; an index built by an
      older version is not compared (``INDEX_OUTDATED``, a warning: it is rebuilt from the ledger when the
      case is next opened).
  (8) Anchors: every ``anchor.timestamped`` entry's RFC 3161 token is re-checked against the head it covers
      and its stored trust anchor (``evidence.verify.anchors``: ``ANCHOR_IMPRINT``, ``ANCHOR_SIGNATURE``, ...).

``TRIGGERS_REMOVED`` (a warning) says the append-only triggers were dropped: no tool of ours does that.
``DATABASE_UNREADABLE`` and ``LEDGER_EMPTY`` end the checks early.

Known limits: an attacker holding the private key (or replacing it and re-signing every entry consistently)
produces a valid case; only the fingerprint written down at init (``--expect-key``) or a head recorded
elsewhere (``--head``) catches that. Dropping the newest entries needs no key: without a head recorded
elsewhere it shows only through what they left, the objects only they named (``EXTRA``) and their rows in
the index (``INDEX_MISMATCH``); not when those are removed and the index rebuilt too, and never for entries
that name no object and feed no index table (``checkpoint.signed``, ``report.generated``, ``export.created``,
``key.certificate``): only a recorded head (``--head``, a report's or a bundle's) catches those. The import journal is not signed, so someone who
can edit the database can also make orphaned objects look like an interrupted import's leftovers (a warning).

The verifier shares only the canonical serializer and the hash/signature primitives with the writer.
"""

from __future__ import annotations

import bisect
import json
import multiprocessing
import os
import re
import sqlite3
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from evidence.case import index, ledger
from evidence.case.canonical import GENESIS_PREV, CanonicalError, entry_hash_text, parse_canonical
from evidence.case.ledger import Entry
from evidence.case.signing import PUBLIC_NAME, PublicKey, bad_signatures
from evidence.case.store import hash_file, is_hash_name
from evidence.errors import SigningKeyError
from evidence.verify import ERROR, WARNING, Finding, Report

DB_NAME = "evidence.db"
GENESIS_KIND = "case.created"
TEXT_COLUMNS = ("recorded_at", "kind", "body", "prev", "hash", "sig")
LOWER_HEX = frozenset("0123456789abcdef")
_LOWER_HEX_RUN = re.compile("[0-9a-f]*")  # what ``set(text) <= LOWER_HEX`` says, faster


@dataclass
class _Stored:
    """One ledger row as read, with what is wrong with its storage (not its contents)."""

    entry: Entry
    problems: list[str] = field(default_factory=list)


@dataclass
class _Row:
    entry: Entry
    body: Any  # parsed body, or None when it is not canonical JSON
    computed: str | None  # the hash its contents have (None when they cannot be hashed)
    hash_ok: bool  # well-formed, and the contents hash to the stored hash
    sig_ok: bool | None  # None when no key could be found to check it with

    @property
    def valid(self) -> bool:
        return self.hash_ok and self.sig_ok is not False


def _text_column(value: Any, sqltype: Any, name: str, problems: list[str]) -> str:
    kind = sqltype.decode("ascii", "replace") if isinstance(sqltype, bytes) else str(sqltype)
    if not isinstance(value, bytes):
        problems.append(f"{name} is stored as {kind}, not text")
        return str(value)
    if kind != "text":
        problems.append(f"{name} is stored as {kind}, not text")
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        problems.append(f"{name} is not valid UTF-8")
        return value.decode("utf-8", "replace")


def _read_rows(db: Path) -> tuple[list[_Stored], set[str], set[str]]:
    uri = f"{db.absolute().as_uri()}?mode=ro"
    conn = sqlite3.connect(uri, uri=True, isolation_level=None)
    # Bytes, not str: a column rewritten with invalid UTF-8 must be a finding about its entry, not an
    # exception that hides which entry it was.
    conn.text_factory = bytes
    try:
        conn.execute("PRAGMA busy_timeout = 60000")
        # One read transaction: a concurrent import is seen wholly or not at all.
        conn.execute("BEGIN")
        columns = ", ".join(f"{name}, typeof({name})" for name in TEXT_COLUMNS)
        raw = conn.execute(f"SELECT seq, {columns} FROM ledger ORDER BY seq").fetchall()  # noqa: S608
        triggers = {
            _name(r[0]) for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        }
        pending = {_name(r[0]) for r in conn.execute("SELECT sha256 FROM pending_objects")}
        conn.execute("COMMIT")
    finally:
        conn.close()
    stored: list[_Stored] = []
    text = b"text"
    for r in raw:
        problems: list[str] = []
        seq = r[0] if isinstance(r[0], int) else -1
        if r[2] == r[4] == r[6] == r[8] == r[10] == r[12] == text:
            # The usual row, every column text: decoded directly (what _text_column does, without the calls).
            try:
                entry = Entry(
                    seq,
                    r[1].decode(),
                    r[3].decode(),
                    r[5].decode(),
                    r[7].decode(),
                    r[9].decode(),
                    r[11].decode(),
                )
            except UnicodeDecodeError:
                pass
            else:
                stored.append(_Stored(entry, problems))
                continue
        values = [
            _text_column(r[1 + 2 * i], r[2 + 2 * i], name, problems) for i, name in enumerate(TEXT_COLUMNS)
        ]
        stored.append(_Stored(Entry(seq, *values), problems))
    return stored, triggers, pending


def _name(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _parse_head(text: str) -> tuple[int | None, str]:
    if ":" in text:
        seq, digest = text.split(":", 1)
        return int(seq), digest.strip().lower()
    return None, text.strip().lower()


def verify_case(
    root: Path,
    *,
    heads: Iterable[str] = (),
    expect_key: str | None = None,
    workers: int | None = None,
) -> Report:
    """Run checks (1)-(8) over the case at ``root``; see the module docstring."""
    report = Report(target=str(root))

    # (1) Layout.
    db = root / DB_NAME
    for needed in (db, root / "keys" / PUBLIC_NAME, root / "objects"):
        if not needed.exists():
            report.add(
                Finding(
                    "MISSING",
                    "required part of the case folder is missing",
                    path=needed.relative_to(root).as_posix(),
                )
            )
    if not db.exists():
        return report
    try:
        stored, triggers, pending = _read_rows(db)
    except sqlite3.Error as exc:
        report.add(Finding("DATABASE_UNREADABLE", f"the ledger cannot be read ({exc})", path=DB_NAME))
        return report
    report.checked["entries"] = len(stored)
    if {"ledger_append_only_update", "ledger_append_only_delete"} - triggers:
        report.add(
            Finding(
                "TRIGGERS_REMOVED",
                "the ledger's append-only triggers were removed (no tool of ours does that)",
                severity=WARNING,
                path=DB_NAME,
            )
        )
    if not stored:
        report.add(Finding("LEDGER_EMPTY", "the ledger has no entries", path=DB_NAME))
        return report
    entries = [s.entry for s in stored]

    # The objects are hashed in threads while the ledger is checked (started once the signature workers, if
    # any, are forked); step (6) reads the results.
    hasher = _ObjectHasher(root, workers)
    try:
        # (2) Genesis and key, (3) each entry, (4) chain, (5) heads recorded elsewhere.
        rows, genesis_key = check_ledger(
            entries,
            [s.problems for s in stored],
            _read_key_file(root, report),
            report,
            key_path="keys/case.pub",
            expect_key=expect_key,
            heads=heads,
            started=hasher.start,
        )

        _check_checkpoints(rows, report)

        # (6) Objects.
        named = _check_objects(root, rows, pending, report, hasher)
    finally:
        hasher.close()

    # (7) Projections.
    _check_projections(root, rows, named, report)

    # (8) Anchors.
    _check_case_anchors(root, rows, report)

    last = entries[-1]
    report.facts["head"] = {"seq": last.seq, "hash": last.hash}
    if genesis_key is not None:
        report.facts["key_fingerprint"] = genesis_key.fingerprint
    return report


def _check_case_anchors(root: Path, rows: list[_Row], report: Report) -> None:
    from evidence.verify.anchors import check_anchors

    def read(sha: str) -> bytes | None:
        if not is_hash_name(sha):
            return None
        path = root / "objects" / "sha256" / sha[:2] / sha
        try:
            if path.stat().st_size > ANCHOR_OBJECT_LIMIT:
                return None
            return path.read_bytes()
        except OSError:
            return None

    check_anchors(rows, read, report)


ANCHOR_OBJECT_LIMIT = 1 << 20  # a token or a certificate; a larger object there was replaced


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
) -> tuple[list[_Row], PublicKey | None]:
    """Checks (2)-(5) over ledger entries read from anywhere (a case's database, a bundle's JSON Lines).

    ``problems[i]`` lists what is wrong with how entry i was stored (empty when nothing); ``file_key`` is the
    public key shipped beside the ledger (at ``key_path``). Returns the checked rows and the genesis key.
    ``started`` is called once the signature check is under way (its worker processes forked), to start
    other work alongside the rest of the checks.
    """
    key = check_genesis(entries, file_key, report, expect_key, key_path=key_path)
    stored = [_Stored(entry, list(found)) for entry, found in zip(entries, problems, strict=True)]
    rows = _check_entries(stored, key, report, started)
    _check_chain(rows, report)
    _check_heads(rows, heads, report)
    return rows, key


def _check_checkpoints(rows: list[_Row], report: Report) -> None:
    """(5b) Every ``checkpoint.signed`` entry is a valid signed note whose root the ledger's Merkle tree gives
    (``CHECKPOINT_INVALID``, ``CHECKPOINT_MISMATCH``; see ``evidence.verify.merkle``)."""
    from evidence.verify.merkle import check_case_checkpoints  # it builds on this module

    check_case_checkpoints(rows, report)


def _parse_body(text: str) -> Any:
    """The canonical body, or raise CanonicalError (also for nesting too deep to serialize again)."""
    try:
        return parse_canonical(text)
    except RecursionError:
        raise CanonicalError("nested too deeply") from None


def _computed_hash(entry: Entry, body: Any) -> str | None:
    # ``body`` parsed from ``entry.body_text`` as canonical JSON, so the stored text is what was hashed.
    try:
        return entry_hash_text(entry.prev, entry.kind, entry.recorded_at, entry.body_text)
    except (CanonicalError, RecursionError):
        return None


def _find_genesis(entries: list[Entry]) -> Entry | None:
    if entries[0].kind == GENESIS_KIND:
        return entries[0]
    # Rows moved or inserted before it: the chain check names those; the key is still the genesis's.
    for entry in entries:
        if entry.kind == GENESIS_KIND and entry.prev == GENESIS_PREV:
            return entry
    return None


def _read_key_file(root: Path, report: Report) -> PublicKey | None:
    pub_path = root / "keys" / PUBLIC_NAME
    file_key: PublicKey | None = None
    try:
        file_key = PublicKey.from_pem(pub_path.read_bytes(), pub_path)
    except (OSError, SigningKeyError) as exc:
        message = exc.message if isinstance(exc, SigningKeyError) else str(exc)
        report.add(Finding("KEY_UNREADABLE", message, path="keys/case.pub"))
    return file_key


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
    genesis = _find_genesis(entries)
    genesis_key: PublicKey | None = None
    genesis_intact = False
    body: Any = None
    if genesis is not None:
        try:
            body = _parse_body(genesis.body_text)
        except CanonicalError:
            body = None
    if genesis is None or not isinstance(body, dict):
        report.add(
            Finding(
                "GENESIS_MISSING", "no entry is the case's genesis (case.created) entry", entry=entries[0].seq
            )
        )
    else:
        genesis_intact = _computed_hash(genesis, body) == genesis.hash
        try:
            genesis_key = PublicKey.from_hex(str(body.get("public_key", "")))
        except SigningKeyError as exc:
            report.add(Finding("GENESIS_MODIFIED", exc.message, entry=genesis.seq))
    if genesis is not None and not genesis_intact and file_key is not None and _signed_by(file_key, genesis):
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


def _signed_by(key: PublicKey, entry: Entry) -> bool:
    if not (_is_lower_hex(entry.hash, 64) and _is_lower_hex(entry.sig, 128)):
        return False
    return key.verify(bytes.fromhex(entry.sig), bytes.fromhex(entry.hash))


def _is_lower_hex(text: str, length: int) -> bool:
    return len(text) == length and _LOWER_HEX_RUN.fullmatch(text) is not None


# Ed25519 verification takes ~120 us an entry and holds the GIL: a ledger longer than this has its signatures
# checked in worker processes (in chunks), while this process checks the bodies and hashes.
SIGNATURE_PROCESS_MIN = 4_000
SIGNATURE_CHUNK = 2_000


class _SignatureCheck:
    """The signatures of many entries, checked in worker processes when there are enough of them.

    Only the public key and (signature, hash) bytes go to the workers, only the positions of bad signatures
    come back. Small ledgers (and platforms without ``fork``) are checked in this process.
    """

    def __init__(self, key: PublicKey, pairs: list[tuple[bytes, bytes]]) -> None:
        self.key = key
        self.pairs = pairs
        self.pool: ProcessPoolExecutor | None = None
        self.futures: list[tuple[int, Future[list[int]]]] = []
        workers = min(os.cpu_count() or 1, -(-len(pairs) // SIGNATURE_CHUNK))
        methods = multiprocessing.get_all_start_methods()
        if len(pairs) <= SIGNATURE_PROCESS_MIN or workers < 2 or "fork" not in methods:
            return
        self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"))
        for start in range(0, len(pairs), SIGNATURE_CHUNK):
            chunk = pairs[start : start + SIGNATURE_CHUNK]
            self.futures.append((start, self.pool.submit(bad_signatures, key.raw, chunk)))

    def bad(self) -> set[int]:
        """Positions in ``pairs`` whose signature is invalid."""
        if self.pool is None:
            return set(bad_signatures(self.key.raw, self.pairs))
        try:
            return {start + i for start, future in self.futures for i in future.result()}
        except BrokenProcessPool:
            # A worker died (out of memory, killed): check them here rather than not at all.
            return set(bad_signatures(self.key.raw, self.pairs))
        finally:
            self.close()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


def _check_entries(
    stored: list[_Stored], key: PublicKey | None, report: Report, started: Callable[[], None] | None = None
) -> list[_Row]:
    # Signatures first (in worker processes for a long ledger), so they are checked while the bodies are.
    signed: list[int] = []  # positions whose signature is checked (hash and sig well-formed)
    pairs: list[tuple[bytes, bytes]] = []
    if key is not None:
        for pos, item in enumerate(stored):
            entry = item.entry
            if _is_lower_hex(entry.hash, 64) and _is_lower_hex(entry.sig, 128):
                signed.append(pos)
                pairs.append((bytes.fromhex(entry.sig), bytes.fromhex(entry.hash)))
    signatures = _SignatureCheck(key, pairs) if key is not None else None
    try:
        if started is not None:
            started()
        checked: list[tuple[list[str], Any, str | None, str | None]] = []
        for item in stored:
            entry = item.entry
            problems = list(item.problems)
            for name, value, length in (
                ("prev", entry.prev, 64),
                ("hash", entry.hash, 64),
                ("sig", entry.sig, 128),
            ):
                if not _is_lower_hex(value, length):
                    problems.append(f"{name} is not {length} lowercase hex digits")
            body: Any = None
            computed: str | None = None
            not_canonical: str | None = None
            try:
                body = _parse_body(entry.body_text)
            except CanonicalError as exc:
                not_canonical = exc.message
            if body is not None:
                computed = _computed_hash(entry, body)
                if computed != entry.hash:
                    problems.append("the entry's contents do not match its hash")
            checked.append((problems, body, computed, not_canonical))
        bad = {signed[i] for i in signatures.bad()} if signatures is not None else set()
    finally:
        if signatures is not None:
            signatures.close()
    valid_sig = set(signed) - bad
    rows: list[_Row] = []
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
        rows.append(_Row(entry, body, computed, hash_ok, sig_ok))
    report.checked["signatures"] = len(stored) if key is not None else 0
    return rows


class _Chain:
    """Rebuild the chain from the ``prev`` links, then compare it with the rows' ``seq`` order."""

    def __init__(self, rows: list[_Row], report: Report) -> None:
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
                        f"recorded at {entry.recorded_at}, {_span(latest[0] - when)} before entry {latest[1]} "
                        f"({latest[0].isoformat()}): the writer's clock went back, or the time was set by hand",
                        severity=WARNING,
                        entry=entry.seq,
                    )
                )
            if latest is None or when > latest[0]:
                latest = (when, entry.seq)


RECORDED_AT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}:\d{2}")


def recorded_instant(text: str) -> datetime | None:
    """An entry's ``recorded_at`` as an aware instant, or None when it is not RFC 3339 with a numeric offset.

    The writer always writes UTC as ``+00:00`` (``evidence.timeutil.iso_utc``); ``Z``, a time without an
    offset, or anything else is refused rather than guessed at."""
    if not RECORDED_AT.fullmatch(text):
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    return when if when.utcoffset() is not None else None


def _span(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds >= 2 * 86400:
        return f"{seconds // 86400} days"
    if seconds >= 7200:
        return f"{seconds // 3600} hours"
    return f"{max(seconds, 1)} seconds" if seconds < 120 else f"{seconds // 60} minutes"


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


def _check_chain(rows: list[_Row], report: Report) -> None:
    chain = _Chain(rows, report)
    chain.build()
    chain.check_order()
    chain.check_clock()


def _check_heads(rows: list[_Row], heads: Iterable[str], report: Report) -> None:
    by_seq = {row.entry.seq: row.entry.hash for row in rows}
    hashes = set(by_seq.values())
    count = 0
    for text in heads:
        count += 1
        try:
            seq, digest = _parse_head(text)
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
                report.add(
                    Finding(
                        "HEAD_MISMATCH",
                        f"entry {seq} has hash {by_seq[seq][:16]}..., not the recorded {digest[:16]}...",
                        entry=seq,
                    )
                )
        elif digest not in hashes:
            report.add(Finding("HEAD_MISMATCH", f"no entry has the recorded head hash {digest[:16]}..."))
    report.checked["heads"] = count


def _named_objects(rows: list[_Row]) -> tuple[dict[str, tuple[int, int | None]], dict[str, str]]:
    """Every object some entry names: its first naming entry and size, and the exhibit it belongs to."""
    named: dict[str, tuple[int, int | None]] = {}
    exhibits: dict[str, str] = {}
    for row in rows:
        body = row.body
        if not isinstance(body, dict):
            continue
        exhibit = body.get("exhibit")
        objects = body.get("objects")
        for obj in objects if isinstance(objects, list) else []:
            sha = obj.get("sha256") if isinstance(obj, dict) else None
            if not isinstance(sha, str) or not is_hash_name(sha):
                continue  # a genuine entry never names anything else; its own hash check says so
            size = obj.get("size")
            named.setdefault(sha, (row.entry.seq, size if isinstance(size, int) else None))
            if isinstance(exhibit, str):
                # An original, its records blob and its attachments all belong to the item's exhibit.
                exhibits.setdefault(sha, exhibit)
    return named, exhibits


# Objects up to this size are hashed in batches (one task per batch): for tiny files the per-task cost would
# dominate; larger ones are one task each, the biggest first, so the threads finish together.
SMALL_OBJECT = 1 << 20
BATCH_FILES = 64

_Hashed = tuple[str | None, int]  # (hex SHA-256, or None when the file is gone, or "unreadable: ..."; size)


def _hash_one(path: str) -> _Hashed:
    try:
        return hash_file(path)
    except FileNotFoundError:
        return None, 0
    except OSError as exc:
        return f"unreadable: {exc.strerror}", 0


def _hash_batch(paths: list[str]) -> list[_Hashed]:
    return [_hash_one(path) for path in paths]


class _ObjectHasher:
    """Hashes the stored objects in threads, started while the ledger is still being checked.

    ``start`` lists ``objects/sha256`` (the listing also serves the EXTRA scan) and hashes every object in its
    place, big first, small ones in batches; ``hashed`` then gives each one's digest and size. hashlib releases
    the GIL, so the threads hash on the other cores while this thread checks the ledger. Started only after
    the signature workers are forked (a process with running threads is not forked).
    """

    def __init__(self, root: Path, workers: int | None) -> None:
        self.base = f"{root}/objects/sha256"
        self.workers = workers or (os.cpu_count() or 2)
        self.pool: ThreadPoolExecutor | None = None
        self.scheduled: Future[list[tuple[str, str, bool]]] | None = None
        self.futures: dict[str, tuple[Future[list[_Hashed]], int]] = {}  # name -> (its task, its place in it)

    def start(self) -> None:
        if self.pool is not None:
            return
        self.pool = ThreadPoolExecutor(max_workers=self.workers)
        # Listed and scheduled by a thread of the pool too: its system calls overlap this thread's work.
        self.scheduled = self.pool.submit(self._schedule, self.pool)

    def _schedule(self, pool: ThreadPoolExecutor) -> list[tuple[str, str, bool]]:
        listing = _list_shards(self.base)
        sized: list[tuple[int, str]] = []
        for shard, name, in_place in listing:
            if in_place:
                try:
                    size = os.stat(f"{self.base}/{shard}/{name}").st_size
                except OSError:
                    size = 0
                sized.append((size, name))
        sized.sort(key=lambda item: -item[0])
        batch: list[str] = []
        for size, name in sized:
            if size > SMALL_OBJECT:
                self._submit(pool, [name])
                continue
            batch.append(name)
            if len(batch) == BATCH_FILES:
                self._submit(pool, batch)
                batch = []
        if batch:
            self._submit(pool, batch)
        return listing

    def listing(self) -> list[tuple[str, str, bool]]:
        """Every file under ``objects/sha256`` as ``_list_shards`` gives it."""
        self.start()
        assert self.scheduled is not None
        return self.scheduled.result()

    def _path(self, sha: str) -> str:
        return f"{self.base}/{sha[:2]}/{sha}"

    def _submit(self, pool: ThreadPoolExecutor, names: list[str]) -> None:
        future = pool.submit(_hash_batch, [self._path(name) for name in names])
        for i, name in enumerate(names):
            self.futures[name] = (future, i)

    def hashed(self, sha: str) -> _Hashed:
        """The digest and size of the object named ``sha`` (hashed now when the listing did not hold it)."""
        self.listing()
        if sha in self.futures:
            future, i = self.futures[sha]
            return future.result()[i]
        return _hash_one(self._path(sha))

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)


def _list_shards(base: str) -> list[tuple[str, str, bool]]:
    """Every file under ``objects/sha256`` as (shard, name, in place), sorted; a shard that is a file is listed
    as (its name, "", False)."""
    found: list[tuple[str, str, bool]] = []
    try:
        shards = sorted(os.scandir(base), key=lambda e: e.name)
    except OSError:
        return found
    for shard in shards:
        try:
            is_dir = shard.is_dir()
        except OSError:
            is_dir = False
        if not is_dir:
            found.append((shard.name, "", False))
            continue
        prefix = shard.name
        try:
            names = sorted(entry.name for entry in os.scandir(shard.path))
        except OSError:
            names = []
        for name in names:
            found.append((prefix, name, name[:2] == prefix and _is_lower_hex(name, 64)))
    return found


def _named_since(root: Path, seq: int) -> set[str]:
    """The objects that entries after ``seq`` name or the import journal lists now (a concurrent import's):
    read in one read transaction after the objects were listed, so nothing placed before the listing escapes.
    Only names are read here; the entries themselves are checked by the next verify."""
    names: set[str] = set()
    try:
        conn = sqlite3.connect(
            f"{(root / DB_NAME).absolute().as_uri()}?mode=ro", uri=True, isolation_level=None
        )
    except sqlite3.Error:
        return names
    try:
        conn.execute("PRAGMA busy_timeout = 60000")
        conn.execute("BEGIN")
        names |= {str(r[0]) for r in conn.execute("SELECT sha256 FROM pending_objects")}
        for (body,) in conn.execute("SELECT body FROM ledger WHERE seq > ?", (seq,)):
            try:
                value = json.loads(body)
            except (ValueError, TypeError):
                continue
            objects = value.get("objects") if isinstance(value, dict) else None
            for obj in objects if isinstance(objects, list) else []:
                if isinstance(obj, dict) and isinstance(obj.get("sha256"), str):
                    names.add(obj["sha256"])
        conn.execute("COMMIT")
    except sqlite3.Error:
        return names
    finally:
        conn.close()
    return names


def _check_objects(
    root: Path, rows: list[_Row], pending: set[str], report: Report, hasher: _ObjectHasher
) -> dict[str, tuple[int, int | None]]:
    named, exhibits = _named_objects(rows)
    objects = root / "objects"

    def rel(sha: str) -> str:
        return f"objects/sha256/{sha[:2]}/{sha}"

    hasher.listing()  # before anything can close the pool
    total = 0
    order = sorted(named, key=lambda s: -(named[s][1] or 0))
    for sha in order:
        actual, size = hasher.hashed(sha)
        seq, _ = named[sha]
        exhibit = exhibits.get(sha)
        if actual is None:
            report.add(
                Finding(
                    "MISSING",
                    "object named by the ledger is gone",
                    entry=seq,
                    exhibit=exhibit,
                    path=rel(sha),
                )
            )
        elif actual != sha:
            report.add(
                Finding(
                    "MODIFIED",
                    actual if actual.startswith("unreadable") else "content no longer matches its hash",
                    entry=seq,
                    exhibit=exhibit,
                    path=rel(sha),
                )
            )
        total += size
    hasher.close()
    report.checked["objects"] = len(named)
    report.checked["bytes"] = total

    # Stored files that no entry names.
    present: set[str] = set()
    unnamed: list[tuple[str, str]] = []
    if objects.is_dir():
        for child in sorted(objects.iterdir()):
            if child.name == "tmp":
                for stray in sorted(child.iterdir()) if child.is_dir() else []:
                    report.add(
                        Finding(
                            "INCOMPLETE_IMPORT",
                            "staging file left by an interrupted import (removed by the next import)",
                            severity=WARNING,
                            path=f"objects/tmp/{stray.name}",
                        )
                    )
                continue
            if child.name != "sha256" or not child.is_dir():
                report.add(
                    Finding(
                        "EXTRA", "file in objects/ that the store never writes", path=f"objects/{child.name}"
                    )
                )
                continue
            for shard, name, in_place in hasher.listing():
                if in_place:
                    present.add(name)
                    if name in named:
                        continue
                relpath = f"objects/sha256/{shard}/{name}" if name else f"objects/sha256/{shard}"
                if in_place and name in pending:
                    report.add(
                        Finding(
                            "INCOMPLETE_IMPORT",
                            "object of an interrupted import (removed by the next import)",
                            severity=WARNING,
                            path=relpath,
                        )
                    )
                    continue
                if in_place and is_hash_name(name):
                    unnamed.append((name, relpath))
                    continue
                report.add(
                    Finding(
                        "EXTRA",
                        "object that no ledger entry names (added, or its entries were removed)",
                        path=relpath,
                    )
                )
    # An import running beside this check journals and places its objects after the ledger was read; they
    # are not EXTRA if the journal or an entry committed since names them (read again, after the listing).
    late = _named_since(root, max((r.entry.seq for r in rows), default=0)) if unnamed else set()
    for name, relpath in unnamed:
        if name not in late:
            report.add(
                Finding(
                    "EXTRA",
                    "object that no ledger entry names (added, or its entries were removed)",
                    path=relpath,
                )
            )
    for sha in sorted(pending - present - set(named)):
        if is_hash_name(sha):
            report.add(
                Finding(
                    "INCOMPLETE_IMPORT",
                    "the import journal lists an object an interrupted import never placed (cleared by the "
                    "next import)",
                    severity=WARNING,
                    path=rel(sha),
                )
            )
    return named


def _check_projections(root: Path, rows: list[_Row], named: dict[str, Any], report: Report) -> None:
    if any(
        f.severity == ERROR and f.code in {"MISSING", "MODIFIED", "NON_CANONICAL"} for f in report.findings
    ):
        return  # the replay would read damaged data; those findings already say what is wrong
    base = root / "objects" / "sha256"

    def read_blob(sha: str) -> bytes:
        if not is_hash_name(sha):
            raise KeyError(sha)
        return (base / sha[:2] / sha).read_bytes()

    replay = sqlite3.connect(":memory:", isolation_level=None)
    stored = sqlite3.connect(
        f"{(root / DB_NAME).absolute().as_uri()}?mode=ro", uri=True, isolation_level=None
    )
    try:
        if index.stored_version(stored) < index.INDEX_VERSION:
            report.add(
                Finding(
                    "INDEX_OUTDATED",
                    "the index tables were built by an older version and were not compared (any writing "
                    "command, or 'evidence log', rebuilds them from the ledger)",
                    severity=WARNING,
                    path=DB_NAME,
                )
            )
            return
        index.create_schema(replay)
        replay.execute("BEGIN")
        for row in rows:
            if isinstance(row.body, dict):
                try:
                    index.apply(replay, row.entry, row.body, read_blob)
                except (
                    sqlite3.Error,
                    KeyError,
                    TypeError,
                    OSError,
                    CanonicalError,
                    json.JSONDecodeError,
                ) as exc:
                    report.add(
                        Finding("INDEX_MISMATCH", f"entry cannot be replayed ({exc!r})", entry=row.entry.seq)
                    )
        # One read transaction for the stored tables; entries a concurrent writer committed after the ledger
        # was read are replayed too (their checks are the next verify's), so both sides show the same moment.
        stored.execute("BEGIN")
        last = rows[-1].entry.seq if rows else 0
        for entry in list(ledger.entries(stored, since_seq=last)):
            try:
                body = json.loads(entry.body_text)
                if isinstance(body, dict):
                    index.apply(replay, entry, body, read_blob)
            except (KeyError, TypeError, OSError, CanonicalError, ValueError) as exc:
                report.add(Finding("INDEX_MISMATCH", f"entry cannot be replayed ({exc!r})", entry=entry.seq))
        replay.execute("COMMIT")
        expected = index.snapshot(replay)
        actual = index.snapshot(stored)
        _check_record_json(replay, stored, report)
        stored.execute("COMMIT")
        for table in index.PROJECTION_TABLES:
            if expected[table] != actual[table]:
                report.add(
                    Finding(
                        "INDEX_MISMATCH",
                        f"the {table} table ({len(actual[table])} rows) does not match a replay of the ledger "
                        f"({len(expected[table])} rows)",
                        path=DB_NAME,
                    )
                )
    except sqlite3.Error as exc:
        report.add(Finding("INDEX_MISMATCH", f"the index cannot be compared ({exc})", path=DB_NAME))
    finally:
        replay.close()
        stored.close()


RECORD_JSON = "SELECT id, derived_seq, json FROM records ORDER BY id, derived_seq"


def _check_record_json(replay: sqlite3.Connection, stored: sqlite3.Connection, report: Report) -> None:
    """(7) Each record's stored JSON (what the timeline, ``show`` and the report read) equals the replay's,
    which comes from the signed records blob: an edited text in the index is ``INDEX_MISMATCH`` naming the
    record. Compared as JSON values (the writer may serialize keys in another order)."""
    replayed = {(rid, seq): text for rid, seq, text in replay.execute(RECORD_JSON)}
    differ: list[tuple[str, int]] = []
    for rid, seq, text in stored.execute(RECORD_JSON):
        want = replayed.get((rid, seq))
        if want is None or want == text:
            continue  # a row the replay lacks is the records table's own mismatch, reported with the snapshot
        try:
            same = json.loads(text) == json.loads(want)
        except (ValueError, TypeError):
            same = False
        if not same:
            differ.append((str(rid), int(seq)))
    for rid, seq in differ[:20]:
        report.add(
            Finding(
                "INDEX_MISMATCH",
                f"record {rid}: its stored JSON in the index is not the record in the signed records blob "
                "(the timeline and reports read the index)",
                entry=seq,
                path=DB_NAME,
            )
        )
    if len(differ) > 20:
        report.add(
            Finding(
                "INDEX_MISMATCH", f"{len(differ) - 20} more records differ from their blobs", path=DB_NAME
            )
        )
