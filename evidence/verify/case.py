"""Verify a case folder: that nothing stored was altered, removed, inserted or reordered since it was written.

The checks, numbered here and in the code:

  (1) Layout: ``evidence.db``, ``keys/case.pub`` and ``objects/`` are present; the database opens read-only.
  (2) Genesis: entry 1 is ``case.created`` with the all-zero ``prev``; the public key it names is the one in
      ``keys/case.pub`` (else ``KEY_REPLACED``) and, when given, the fingerprint expected (``--expect-key``).
  (3) Each entry: its body is canonical JSON (``NON_CANONICAL``), its hash recomputes (``ENTRY_MODIFIED``),
      its signature verifies with the genesis key (``BAD_SIGNATURE``).
  (4) Chain: each entry's ``prev`` is the hash of the entry before it; a break is classified as
      ``ROW_DELETED``, ``ROW_INSERTED``, ``ROWS_REORDERED`` or ``CHAIN_BROKEN``; ``seq`` runs 1..n.
  (5) Heads recorded elsewhere (``--head SEQ:HASH``): each is still in the chain (else ``HEAD_MISMATCH``).
      Dropping the newest entries leaves a valid chain: only an earlier head (or an orphaned object) shows it.
  (6) Objects: every object an entry names is present (``MISSING``) and re-hashes to its name (``MODIFIED``);
      every stored object is named by an entry (``EXTRA``), unless an interrupted import left it (warning).
  (7) Projections: the index tables equal a replay of the ledger (``INDEX_MISMATCH``).

The verifier shares only the canonical serializer and the hash/signature primitives with the writer.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evidence.case import index
from evidence.case.canonical import GENESIS_PREV, CanonicalError, entry_hash, parse_canonical
from evidence.case.ledger import Entry
from evidence.case.signing import PUBLIC_NAME, PublicKey
from evidence.case.store import hash_file, is_hash_name
from evidence.errors import SigningKeyError
from evidence.verify import ERROR, WARNING, Finding, Report

DB_NAME = "evidence.db"


@dataclass
class _Row:
    entry: Entry
    body: Any  # parsed body, or None when it is not canonical JSON
    hash_ok: bool


def _read_rows(db: Path) -> tuple[list[Entry], set[str], set[str]]:
    uri = f"{db.absolute().as_uri()}?mode=ro"
    conn = sqlite3.connect(uri, uri=True, isolation_level=None)
    try:
        conn.execute("PRAGMA busy_timeout = 60000")
        # One read transaction: a concurrent import is seen wholly or not at all.
        conn.execute("BEGIN")
        raw = conn.execute("SELECT seq, recorded_at, kind, body, prev, hash, sig FROM ledger ORDER BY seq").fetchall()
        triggers = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        pending = {r[0] for r in conn.execute("SELECT sha256 FROM pending_objects")}
        conn.execute("COMMIT")
    finally:
        conn.close()
    rows = [Entry(*(_as_int(r[0]), *(str(c) for c in r[1:]))) for r in raw]
    return rows, triggers, pending


def _as_int(value: Any) -> int:
    return int(value) if isinstance(value, int) else -1


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
    """Run checks (1)-(7) over the case at ``root``; see the module docstring."""
    report = Report(target=str(root))

    # (1) Layout.
    db = root / DB_NAME
    for needed in (db, root / "keys" / PUBLIC_NAME, root / "objects"):
        if not needed.exists():
            report.add(Finding("MISSING", "required part of the case folder is missing", path=str(needed.name)))
    if not db.exists():
        return report
    try:
        entries, triggers, pending = _read_rows(db)
    except sqlite3.Error as exc:
        report.add(Finding("DATABASE_UNREADABLE", f"the ledger cannot be read ({exc})", path=DB_NAME))
        return report
    report.checked["entries"] = len(entries)
    if {"ledger_append_only_update", "ledger_append_only_delete"} - triggers:
        report.add(
            Finding(
                "TRIGGERS_REMOVED",
                "the ledger's append-only triggers were removed (no tool of ours does that)",
                severity=WARNING,
                path=DB_NAME,
            )
        )
    if not entries:
        report.add(Finding("LEDGER_EMPTY", "the ledger has no entries", path=DB_NAME))
        return report

    # (2) Genesis and key.
    genesis_key = _check_genesis(root, entries[0], report, expect_key)

    # (3) Each entry.
    rows = _check_entries(entries, genesis_key, report)

    # (4) Chain.
    _check_chain(rows, report)

    # (5) Heads recorded elsewhere.
    _check_heads(rows, heads, report)

    # (6) Objects.
    named = _check_objects(root, rows, pending, report, workers)

    # (7) Projections.
    _check_projections(root, rows, named, report)

    last = entries[-1]
    report.facts["head"] = {"seq": last.seq, "hash": last.hash}
    if genesis_key is not None:
        report.facts["key_fingerprint"] = genesis_key.fingerprint
    return report


def _check_genesis(root: Path, first: Entry, report: Report, expect_key: str | None) -> PublicKey | None:
    genesis_key: PublicKey | None = None
    try:
        body = parse_canonical(first.body_text)
    except CanonicalError:
        body = None
    if first.kind != "case.created" or first.seq != 1 or not isinstance(body, dict):
        report.add(Finding("GENESIS_MISSING", "the first entry is not the case's genesis entry", entry=first.seq))
    else:
        if first.prev != GENESIS_PREV:
            report.add(Finding("CHAIN_BROKEN", "the genesis entry does not start the chain", entry=first.seq))
        try:
            genesis_key = PublicKey.from_hex(str(body.get("public_key", "")))
        except SigningKeyError as exc:
            report.add(Finding("GENESIS_MODIFIED", exc.message, entry=first.seq))
    pub_path = root / "keys" / PUBLIC_NAME
    file_key: PublicKey | None = None
    try:
        file_key = PublicKey.from_pem(pub_path.read_bytes(), pub_path)
    except (OSError, SigningKeyError) as exc:
        message = exc.message if isinstance(exc, SigningKeyError) else str(exc)
        report.add(Finding("KEY_UNREADABLE", message, path="keys/case.pub"))
    if genesis_key is not None and file_key is not None and file_key != genesis_key:
        report.add(
            Finding(
                "KEY_REPLACED",
                f"keys/case.pub (fingerprint {file_key.fingerprint[:16]}...) is not the key the case was "
                f"created with ({genesis_key.fingerprint[:16]}...)",
                path="keys/case.pub",
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
                    entry=1,
                )
            )
    return genesis_key


def _check_entries(entries: list[Entry], key: PublicKey | None, report: Report) -> list[_Row]:
    rows: list[_Row] = []
    signatures = 0
    for entry in entries:
        body: Any = None
        hash_ok = False
        try:
            body = parse_canonical(entry.body_text)
        except CanonicalError as exc:
            report.add(Finding("NON_CANONICAL", f"body is not canonical JSON ({exc.message})", entry=entry.seq))
        if body is not None:
            try:
                hash_ok = entry_hash(entry.prev, entry.kind, entry.recorded_at, body) == entry.hash
            except CanonicalError:
                hash_ok = False
            if not hash_ok:
                report.add(
                    Finding("ENTRY_MODIFIED", "the entry's contents do not match its hash", entry=entry.seq)
                )
        if key is not None:
            try:
                message = bytes.fromhex(entry.hash)
                signature = bytes.fromhex(entry.sig)
                valid = len(message) == 32 and key.verify(signature, message)
            except ValueError:
                valid = False
            signatures += 1
            if not valid:
                report.add(Finding("BAD_SIGNATURE", "signature is invalid for this entry", entry=entry.seq))
        rows.append(_Row(entry, body, hash_ok))
    report.checked["signatures"] = signatures
    return rows


def _check_chain(rows: list[_Row], report: Report) -> None:
    by_hash: dict[str, int] = {}
    for row in rows:
        by_hash.setdefault(row.entry.hash, row.entry.seq)
    prevs = {row.entry.prev for row in rows}
    last_hash, last_seq = GENESIS_PREV, 0
    seen: dict[str, int] = {}
    expected_seq = 1
    previous_time = ""
    for i, row in enumerate(rows):
        entry = row.entry
        if entry.seq != expected_seq:
            code = "ROW_DELETED" if entry.seq > expected_seq else "SEQ_MODIFIED"
            report.add(Finding(code, f"expected entry {expected_seq} here, found entry {entry.seq}", entry=entry.seq))
        expected_seq = entry.seq + 1
        if entry.hash in seen:
            report.add(Finding("ROW_INSERTED", f"entry is a copy of entry {seen[entry.hash]}", entry=entry.seq))
            continue
        seen[entry.hash] = entry.seq
        if i > 0 and entry.prev != last_hash:
            following = rows[i + 1].entry if i + 1 < len(rows) else None
            if following is not None and following.prev == last_hash:
                if entry.hash in prevs:
                    report.add(
                        Finding("ROWS_REORDERED", f"entry is out of place after entry {last_seq}", entry=entry.seq)
                    )
                else:
                    report.add(
                        Finding(
                            "ROW_INSERTED",
                            f"entry is not part of the chain (entry {following.seq} follows entry {last_seq})",
                            entry=entry.seq,
                        )
                    )
                continue
            if entry.prev in by_hash:
                report.add(
                    Finding(
                        "ROWS_REORDERED",
                        f"chain broken at entry {entry.seq}: it was chained after entry {by_hash[entry.prev]}, "
                        f"not after entry {last_seq}",
                        entry=entry.seq,
                    )
                )
            elif row.hash_ok:
                report.add(
                    Finding(
                        "ROW_DELETED",
                        f"chain broken at entry {entry.seq}: the entry it was chained after "
                        f"({entry.prev[:16]}...) is gone",
                        entry=entry.seq,
                    )
                )
            else:
                report.add(Finding("CHAIN_BROKEN", f"chain broken at entry {entry.seq}", entry=entry.seq))
        if entry.recorded_at < previous_time:
            report.add(
                Finding(
                    "CLOCK_WENT_BACKWARDS",
                    f"recorded at {entry.recorded_at}, before the entry before it ({previous_time})",
                    severity=WARNING,
                    entry=entry.seq,
                )
            )
        previous_time = max(previous_time, entry.recorded_at)
        last_hash, last_seq = entry.hash, entry.seq


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
                        f"{max(by_seq) if by_seq else 0}: newer entries were removed",
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
    named: dict[str, tuple[int, int | None]] = {}
    exhibits: dict[str, str] = {}
    for row in rows:
        body = row.body
        if not isinstance(body, dict):
            continue
        for obj in body.get("objects", []) or []:
            if isinstance(obj, dict) and isinstance(obj.get("sha256"), str):
                size = obj.get("size")
                named.setdefault(obj["sha256"], (row.entry.seq, size if isinstance(size, int) else None))
        if row.entry.kind == "item.acquired" and isinstance(body.get("sha256"), str):
            exhibits.setdefault(body["sha256"], str(body.get("exhibit")))
    return named, exhibits


def _check_objects(
    root: Path, rows: list[_Row], pending: set[str], report: Report, workers: int | None
) -> dict[str, tuple[int, int | None]]:
    named, exhibits = _named_objects(rows)
    objects = root / "objects"
    base = objects / "sha256"

    def rel(sha: str) -> str:
        return f"objects/sha256/{sha[:2]}/{sha}"

    def check(sha: str) -> tuple[str, str | None, int]:
        path = base / sha[:2] / sha
        try:
            actual, size = hash_file(path)
        except FileNotFoundError:
            return sha, None, 0
        except OSError as exc:
            return sha, f"unreadable: {exc.strerror}", 0
        return sha, actual, size

    total = 0
    order = sorted(named, key=lambda s: -(named[s][1] or 0))  # big first: workers finish together
    with ThreadPoolExecutor(max_workers=workers or min(8, (os.cpu_count() or 2))) as pool:
        for sha, actual, size in pool.map(check, order):
            seq, _ = named[sha]
            exhibit = exhibits.get(sha)
            if actual is None:
                report.add(Finding("MISSING", "object named by the ledger is gone", entry=seq, exhibit=exhibit,
                                   path=rel(sha)))
            elif actual != sha:
                report.add(
                    Finding(
                        "MODIFIED",
                        "content no longer matches its hash" if not actual.startswith("unreadable")
                        else actual,
                        entry=seq,
                        exhibit=exhibit,
                        path=rel(sha),
                    )
                )
            total += size
    report.checked["objects"] = len(named)
    report.checked["bytes"] = total

    # Stored files that no entry names.
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
                report.add(Finding("EXTRA", "file in objects/ that the store never writes", path=f"objects/{child.name}"))
                continue
            for shard in sorted(child.iterdir()):
                files = sorted(shard.iterdir()) if shard.is_dir() else [shard]
                for path in files:
                    name = path.name
                    relpath = path.relative_to(root).as_posix()
                    if is_hash_name(name) and path.parent == base / name[:2] and name in named:
                        continue
                    if is_hash_name(name) and name in pending:
                        report.add(
                            Finding(
                                "INCOMPLETE_IMPORT",
                                "object of an interrupted import (removed by the next import)",
                                severity=WARNING,
                                path=relpath,
                            )
                        )
                        continue
                    report.add(
                        Finding(
                            "EXTRA",
                            "object that no ledger entry names (added, or its entries were removed)",
                            path=relpath,
                        )
                    )
    return named


def _check_projections(root: Path, rows: list[_Row], named: dict[str, Any], report: Report) -> None:
    if any(f.severity == ERROR and f.code in {"MISSING", "MODIFIED", "NON_CANONICAL"} for f in report.findings):
        return  # the replay would read damaged data; those findings already say what is wrong
    base = root / "objects" / "sha256"

    def read_blob(sha: str) -> bytes:
        return (base / sha[:2] / sha).read_bytes()

    replay = sqlite3.connect(":memory:", isolation_level=None)
    stored = sqlite3.connect(f"{(root / DB_NAME).absolute().as_uri()}?mode=ro", uri=True, isolation_level=None)
    try:
        index.create_schema(replay)
        replay.execute("BEGIN")
        for row in rows:
            if isinstance(row.body, dict):
                try:
                    index.apply(replay, row.entry, row.body, read_blob)
                except (sqlite3.Error, KeyError, OSError, CanonicalError, json.JSONDecodeError) as exc:
                    report.add(
                        Finding("INDEX_MISMATCH", f"entry cannot be replayed ({exc})", entry=row.entry.seq)
                    )
        replay.execute("COMMIT")
        expected = index.snapshot(replay)
        actual = index.snapshot(stored)
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
