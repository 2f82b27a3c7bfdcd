"""The ledger: the only code that writes ledger rows.

One SQLite table, one row per entry: ``seq``, ``recorded_at`` (UTC, microseconds), ``kind``, ``body``
(canonical JSON), ``prev`` (the previous entry's hash), ``hash``, ``sig`` (Ed25519 over the hash's bytes).
Rows are only ever inserted; triggers refuse UPDATE and DELETE so that even a bug cannot rewrite history
(a determined tamperer can drop the triggers, which is what the verifier is for).

Private details: who acted, on which computer, from which path, in which local zone (``imported_by``,
``original_path``, ``file_mtime``, ``acquired_local``, ``created_by``...) are not in the signed body, which every
export bundle carries. The body names them by a salted commitment, ``"private_details": {"sha256", "fields"}``
(``evidence.case.canonical.private_commitment``), and the details with their salt are a row of the append-only
``entry_private`` table (keyed by the commitment), written in the same transaction. A bundle leaves them out and still
verifies; the case's verifier checks each row against its commitment. Entries written before this (format 1
cases) hold such fields inline.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from evidence.case import sqldriver as sqlite3
from evidence.case.canonical import (
    GENESIS_PREV,
    canonical_text,
    entry_hash_text,
    parse_canonical,
    private_commitment,
)
from evidence.case.formats import PRIVATE_DETAILS_FIELD, PRIVATE_FIELDS, PRIVATE_TABLE
from evidence.timeutil import iso_utc, utc_now

if TYPE_CHECKING:
    from evidence.case.signing import SigningKey

SCHEMA_VERSION = 1

LEDGER_SCHEMA = """
CREATE TABLE IF NOT EXISTS ledger (
    seq INTEGER PRIMARY KEY,
    recorded_at TEXT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    prev TEXT NOT NULL,
    hash TEXT NOT NULL,
    sig TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS ledger_append_only_update BEFORE UPDATE ON ledger
BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: rows cannot be updated'); END;
CREATE TRIGGER IF NOT EXISTS ledger_append_only_delete BEFORE DELETE ON ledger
BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: rows cannot be deleted'); END;
"""

# Created with the ledger, and by the writer in cases made before it (so the verifier accepts it absent when no
# entry names private details).
PRIVATE_STATEMENTS = (
    f"""CREATE TABLE IF NOT EXISTS {PRIVATE_TABLE} (
    sha256 TEXT PRIMARY KEY,
    salt TEXT NOT NULL,
    details TEXT NOT NULL
)""",
    f"""CREATE TRIGGER IF NOT EXISTS {PRIVATE_TABLE}_append_only_update BEFORE UPDATE ON {PRIVATE_TABLE}
BEGIN SELECT RAISE(ABORT, 'private details are append-only: rows cannot be updated'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS {PRIVATE_TABLE}_append_only_delete BEFORE DELETE ON {PRIVATE_TABLE}
BEGIN SELECT RAISE(ABORT, 'private details are append-only: rows cannot be deleted'); END""",
)


@dataclass(frozen=True)
class Entry:
    """One ledger row as stored."""

    seq: int
    recorded_at: str
    kind: str
    body_text: str
    prev: str
    hash: str
    sig: str

    @property
    def body(self) -> Any:
        """The parsed body (raises CanonicalError when the stored text is not canonical)."""
        return parse_canonical(self.body_text)

    def to_json(self) -> dict[str, Any]:
        """The entry as one JSON object (what ``log --json`` and exports print)."""
        return {
            "seq": self.seq,
            "recorded_at": self.recorded_at,
            "kind": self.kind,
            "body": self.body,
            "prev": self.prev,
            "hash": self.hash,
            "sig": self.sig,
        }


@dataclass(frozen=True)
class Head:
    """The newest entry: how many entries there are, and the hash that commits to all of them."""

    seq: int
    hash: str

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash}"


def create_schema(conn: sqlite3.Connection) -> None:
    """Create the ledger table, the private details' table and their append-only triggers."""
    conn.executescript(LEDGER_SCHEMA)
    create_private_schema(conn)


def create_private_schema(conn: sqlite3.Connection) -> None:
    """The private details' table and its triggers; in a case created before they existed, added (idempotent,
    and never ends a transaction the caller holds)."""
    for statement in PRIVATE_STATEMENTS:
        conn.execute(statement)


def head(conn: sqlite3.Connection) -> Head:
    """The current head (seq 0 and the genesis prev when the ledger is empty)."""
    row = conn.execute("SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1").fetchone()
    if row is None:
        return Head(0, GENESIS_PREV)
    return Head(int(row[0]), str(row[1]))


def append(
    conn: sqlite3.Connection,
    key: SigningKey,
    kind: str,
    body: dict[str, Any],
    *,
    recorded_at: str | None = None,
) -> Entry:
    """Append one signed entry. The caller holds the write transaction (BEGIN IMMEDIATE).

    The body's private fields (``PRIVATE_FIELDS``: who, on which computer, from which path) are kept beside
    the entry, committed to by a salted hash in the body it signs (see the module docstring).
    ``recorded_at`` re-appends an entry planned earlier under the same writer lock (and rolled back since):
    the same head, time and body give the same hash and, Ed25519 being deterministic, the same signature."""
    if not conn.in_transaction:
        raise RuntimeError("ledger.append outside a transaction")
    salt = details_text = None
    private = {name: value for name, value in body.items() if name in PRIVATE_FIELDS}
    if private:
        body = {name: value for name, value in body.items() if name not in PRIVATE_FIELDS}
        salt = secrets.token_hex(16)
        details_text = canonical_text(private)
        commitment = {"sha256": private_commitment(salt, details_text), "fields": sorted(private)}
        body = {**body, PRIVATE_DETAILS_FIELD: commitment}
    last = head(conn)
    recorded_at = recorded_at if recorded_at is not None else iso_utc(utc_now())
    body_text = canonical_text(body)
    digest = entry_hash_text(last.hash, kind, recorded_at, body_text)
    sig = key.sign(bytes.fromhex(digest)).hex()
    seq = last.seq + 1
    conn.execute(
        "INSERT INTO ledger (seq, recorded_at, kind, body, prev, hash, sig) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (seq, recorded_at, kind, body_text, last.hash, digest, sig),
    )
    if salt is not None:
        conn.execute(
            f"INSERT INTO {PRIVATE_TABLE} (sha256, salt, details) VALUES (?, ?, ?)",  # noqa: S608
            (commitment["sha256"], salt, details_text),
        )
    return Entry(seq, recorded_at, kind, body_text, last.hash, digest, sig)


def private_details(conn: sqlite3.Connection) -> dict[int, dict[str, Any]]:
    """Every entry's private details, by seq (none in a case made before they were kept apart). Not checked
    here: the verifier compares each with its entry's commitment."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (PRIVATE_TABLE,)).fetchone() is None:
        return {}
    rows = conn.execute(
        f"SELECT ledger.seq, p.details FROM ledger JOIN {PRIVATE_TABLE} AS p "  # noqa: S608
        f"ON p.sha256 = json_extract(ledger.body, '$.{PRIVATE_DETAILS_FIELD}.sha256')"
    ).fetchall()
    found: dict[int, dict[str, Any]] = {}
    for seq, details in rows:
        parsed = parse_canonical(details)
        if isinstance(parsed, dict):
            found[int(seq)] = parsed
    return found


def entries(conn: sqlite3.Connection, *, since_seq: int = 0) -> Iterator[Entry]:
    """Every entry in seq order, as stored (nothing is checked here: that is the verifier's job)."""
    cursor = conn.execute(
        "SELECT seq, recorded_at, kind, body, prev, hash, sig FROM ledger WHERE seq > ? ORDER BY seq",
        (since_seq,),
    )
    for row in cursor:
        yield Entry(int(row[0]), str(row[1]), str(row[2]), str(row[3]), str(row[4]), str(row[5]), str(row[6]))


def entries_of_kind(conn: sqlite3.Connection, kind: str) -> Iterator[Entry]:
    """Entries of one kind, in seq order."""
    cursor = conn.execute(
        "SELECT seq, recorded_at, kind, body, prev, hash, sig FROM ledger WHERE kind = ? ORDER BY seq",
        (kind,),
    )
    for row in cursor:
        yield Entry(int(row[0]), str(row[1]), str(row[2]), str(row[3]), str(row[4]), str(row[5]), str(row[6]))
