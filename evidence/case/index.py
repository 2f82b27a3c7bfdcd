"""Projections: tables rebuilt from the ledger (plus derived blobs), never the source of truth.

They live in ``evidence.db`` beside the ledger and are updated in the same transaction as each append, so
they are always consistent with it. ``rebuild`` replays the whole ledger; the verifier compares the stored
projections with a replay, which also catches rows dropped from the ledger's end but still indexed.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from typing import Any

from evidence.case.canonical import parse_canonical
from evidence.case.ledger import Entry

INDEX_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS exhibits (
    exhibit TEXT PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE,
    seq INTEGER NOT NULL,
    original_name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS records (
    id TEXT NOT NULL,
    derived_seq INTEGER NOT NULL,
    item_sha256 TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    channel TEXT NOT NULL,
    json TEXT NOT NULL,
    PRIMARY KEY (id, derived_seq)
);
CREATE INDEX IF NOT EXISTS records_time ON records (occurred_at);
CREATE TABLE IF NOT EXISTS pending_objects (
    sha256 TEXT NOT NULL,
    op TEXT NOT NULL,
    PRIMARY KEY (sha256, op)
);
"""

PROJECTION_TABLES = ("exhibits", "records")

BlobReader = Callable[[str], bytes]


def create_schema(conn: sqlite3.Connection) -> None:
    """Create the projection tables."""
    conn.executescript(INDEX_SCHEMA)


def exhibit_label(number: int) -> str:
    """``EX-0001``; numbers past 9999 simply grow wider."""
    return f"EX-{number:04d}"


def next_exhibit(conn: sqlite3.Connection) -> str:
    """The next unused exhibit number (the caller holds the write transaction)."""
    row = conn.execute("SELECT COUNT(*) FROM exhibits").fetchone()
    return exhibit_label(int(row[0]) + 1)


def exhibit_for(conn: sqlite3.Connection, sha256: str) -> str | None:
    """The exhibit number of an original, or None when those bytes were never acquired."""
    row = conn.execute("SELECT exhibit FROM exhibits WHERE sha256 = ?", (sha256,)).fetchone()
    return str(row[0]) if row else None


def apply(conn: sqlite3.Connection, entry: Entry, body: dict[str, Any], read_blob: BlobReader) -> None:
    """Update the projections for one entry (already appended, or being replayed)."""
    if entry.kind == "item.acquired" and not body.get("duplicate_of"):
        conn.execute(
            "INSERT INTO exhibits (exhibit, sha256, seq, original_name, media_type, size) VALUES (?,?,?,?,?,?)",
            (
                body["exhibit"],
                body["sha256"],
                entry.seq,
                body["original_name"],
                body["media_type"],
                body["size"],
            ),
        )
    elif entry.kind == "records.derived":
        blob = parse_canonical(read_blob(body["blob_sha256"]))
        rows = [
            (rec["id"], entry.seq, rec["item_sha256"], rec["occurred_at"], rec["channel"], json.dumps(rec))
            for rec in blob["records"]
        ]
        conn.executemany(
            "INSERT INTO records (id, derived_seq, item_sha256, occurred_at, channel, json) VALUES (?,?,?,?,?,?)",
            rows,
        )


def snapshot(conn: sqlite3.Connection) -> dict[str, list[tuple[Any, ...]]]:
    """The projection tables' contents, ordered, for comparison with a replay."""
    return {
        "exhibits": conn.execute(
            "SELECT exhibit, sha256, seq, original_name, media_type, size FROM exhibits ORDER BY exhibit"
        ).fetchall(),
        "records": conn.execute(
            "SELECT id, derived_seq, item_sha256, occurred_at, channel FROM records ORDER BY id, derived_seq"
        ).fetchall(),
    }


def rebuild(
    conn: sqlite3.Connection, entries: list[tuple[Entry, dict[str, Any]]], read_blob: BlobReader
) -> None:
    """Empty the projections and replay ``entries`` into them (inside the caller's transaction)."""
    for table in PROJECTION_TABLES:
        conn.execute(f"DELETE FROM {table}")  # noqa: S608 - table names are constants above
    for entry, body in entries:
        apply(conn, entry, body, read_blob)
