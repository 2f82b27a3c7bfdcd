"""Check (6) of ``evidence.verify.case``: every object an entry names is present and re-hashes to its name,
and every stored object is named by an entry (or is an interrupted import's leftover, a warning).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from evidence.case.formats import DB_NAME, HASH_DIR, IMPORT_JOURNAL, OBJECTS_DIR, STAGING_DIR, object_relpath
from evidence.case.store import is_hash_name
from evidence.verify import WARNING, Finding, Report
from evidence.verify._common import Row
from evidence.verify.db import open_snapshot
from evidence.verify.parallel import ObjectHasher


def named_objects(rows: list[Row]) -> tuple[dict[str, tuple[int, int | None]], dict[str, str]]:
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


def _named_since(root: Path, seq: int) -> set[str]:
    """The objects that entries after ``seq`` name or the import journal lists now (a concurrent import's):
    read in one read transaction after the objects were listed, so nothing placed before the listing escapes.
    Only names are read here; the entries themselves are checked by the next verify."""
    names: set[str] = set()
    try:
        snapshot = open_snapshot(root / DB_NAME)
    except sqlite3.Error:
        return names
    conn = snapshot.conn
    try:
        conn.execute("BEGIN")
        names |= {str(r[0]) for r in conn.execute(f"SELECT sha256 FROM {IMPORT_JOURNAL}")}  # noqa: S608
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
        snapshot.close()
    return names


def check_objects(
    root: Path, rows: list[Row], pending: set[str], report: Report, hasher: ObjectHasher
) -> dict[str, tuple[int, int | None]]:
    """Check (6) of the case verifier (see ``evidence.verify.case``); returns the objects the entries name."""
    named, exhibits = named_objects(rows)
    objects = root / OBJECTS_DIR
    rel = object_relpath

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
            if child.name == STAGING_DIR:
                for stray in sorted(child.iterdir()) if child.is_dir() else []:
                    report.add(
                        Finding(
                            "INCOMPLETE_IMPORT",
                            "staging file left by an interrupted import (the next command that writes to the case, e.g. 'evidence import', removes it; verify does not)",
                            severity=WARNING,
                            path=f"{OBJECTS_DIR}/{STAGING_DIR}/{stray.name}",
                        )
                    )
                continue
            if child.name != HASH_DIR or not child.is_dir():
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
                base = f"{OBJECTS_DIR}/{HASH_DIR}/{shard}"
                relpath = f"{base}/{name}" if name else base
                if in_place and name in pending:
                    report.add(
                        Finding(
                            "INCOMPLETE_IMPORT",
                            "object of an interrupted import (the next command that writes to the case, e.g. 'evidence import', removes it; verify does not)",
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
                    "the import journal lists an object an interrupted import never placed (the next "
                    "command that writes to the case, e.g. 'evidence import', clears it; verify does not)",
                    severity=WARNING,
                    path=rel(sha),
                )
            )
    return named
