"""The index's tables of stored tactic suggestions: ``tactics.suggested`` entries replayed from their blobs.

The blob's format and why the suggestions are stored: ``evidence.analysis.suggested``. Two tables, rebuilt from
the ledger like every projection and compared by ``evidence verify`` with a replay that reads the same blobs:

- ``suggestion_sets``: one row an entry: which ``records.derived`` entry's records (``derived_seq``) or which
  ``ocr.derived`` entry's new words (``ocr_seq``) it read, and the tagger's identity (``tagger_text``). A record
  counts as read by a tagger when its ``records.derived`` entry has a set of that tagger.
- ``suggestions``: one row a suggested tactic of a record (its first match: the rule, the words, where they are).
  A set of an OCR reading replaces the rows of the picture's records it lists.
- ``suggestions_deferred``: the records a set left for the views to tag (words too long to tag at import, the
  blob's ``deferred``): they count as not read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from evidence.case import recordsblob
from evidence.case import sqldriver as sqlite3
from evidence.case.ledger import Entry

SCHEMA = """
CREATE TABLE IF NOT EXISTS suggestion_sets (
    seq INTEGER PRIMARY KEY,
    derived_seq INTEGER,
    ocr_seq INTEGER,
    item_sha256 TEXT NOT NULL,
    blob_sha256 TEXT NOT NULL,
    tagger TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS suggestions_deferred (
    record_id TEXT NOT NULL,
    derived_seq INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (record_id, derived_seq)
);
CREATE TABLE IF NOT EXISTS suggestions (
    record_id TEXT NOT NULL,
    derived_seq INTEGER NOT NULL,
    tactic TEXT NOT NULL,
    rule TEXT NOT NULL,
    word_start INTEGER NOT NULL,
    word_end INTEGER NOT NULL,
    words TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (record_id, derived_seq, tactic)
);
"""
TABLES = ("suggestion_sets", "suggestions", "suggestions_deferred")
# Each table's rows, read without an index and ordered by SQLite (``index.snapshot``, and the verifier's check (7)).
SNAPSHOT_QUERIES = {
    "suggestion_sets": "SELECT seq, derived_seq, ocr_seq, item_sha256, blob_sha256, tagger "
    "FROM suggestion_sets NOT INDEXED ORDER BY seq",
    "suggestions": "SELECT record_id, derived_seq, tactic, rule, word_start, word_end, words, seq "
    "FROM suggestions NOT INDEXED ORDER BY record_id, derived_seq, tactic",
    "suggestions_deferred": "SELECT record_id, derived_seq, seq FROM suggestions_deferred NOT INDEXED "
    "ORDER BY record_id, derived_seq",
}

BlobReader = Callable[[str], bytes]
BATCH = 2000


def tagger_text(identity: Any) -> str:
    """A tagger's identity (``{"code_sha256", "rules_sha256", "version"}``) as the index keeps it:
    ``version:rules:code``."""
    if not isinstance(identity, dict):
        raise TypeError("a tagger identity is an object")
    return f"{identity['version']}:{identity['rules_sha256']}:{identity['code_sha256']}"


def apply(conn: sqlite3.Connection, entry: Entry, body: dict[str, Any], read_blob: BlobReader) -> None:
    """Project one ``tactics.suggested`` entry: its set, and its blob's suggestions, read record by record."""
    derived, ocr = body.get("derived_seq"), body.get("ocr_seq")
    conn.execute(
        "INSERT INTO suggestion_sets (seq, derived_seq, ocr_seq, item_sha256, blob_sha256, tagger) "
        "VALUES (?,?,?,?,?,?)",
        (entry.seq, derived, ocr, body["item_sha256"], body["blob_sha256"], tagger_text(body["tagger"])),
    )
    rows: list[tuple[Any, ...]] = []
    header: dict[str, Any] = {}
    for item in recordsblob.read_records(read_blob(body["blob_sha256"]), header):
        record_id = item["id"]
        if derived is not None:
            seqs = [derived]
        else:  # a picture read again: its records' earlier suggestions give way to these
            seqs = [
                int(r[0])
                for r in conn.execute(
                    "SELECT derived_seq FROM records WHERE id = ? AND item_sha256 = ?",
                    (record_id, body["item_sha256"]),
                )
            ]
            for seq in seqs:
                conn.execute(
                    "DELETE FROM suggestions WHERE record_id = ? AND derived_seq = ?", (record_id, seq)
                )
        for seq in seqs:
            rows += [
                (record_id, seq, t["tactic"], t["rule"], t["start"], t["end"], t["words"], entry.seq)
                for t in item["tags"]
            ]
        if len(rows) >= BATCH:
            _insert(conn, rows)
            rows = []
    _insert(conn, rows)
    if derived is not None:
        conn.executemany(
            "INSERT INTO suggestions_deferred (record_id, derived_seq, seq) VALUES (?,?,?)",
            [(str(record_id), derived, entry.seq) for record_id in header.get("deferred") or ()],
        )


def _insert(conn: sqlite3.Connection, rows: list[tuple[Any, ...]]) -> None:
    conn.executemany(
        "INSERT INTO suggestions (record_id, derived_seq, tactic, rule, word_start, word_end, words, seq) "
        "VALUES (?,?,?,?,?,?,?,?)",
        rows,
    )


_COVERED = "SELECT derived_seq FROM suggestion_sets WHERE derived_seq IS NOT NULL AND tagger = ?"


def read(
    conn: sqlite3.Connection, tagger: str, record_id: str | None = None
) -> tuple[list[tuple[str, str, str, int, int, str]], set[str]]:
    """The stored suggestions of the records read by ``tagger`` (of ``record_id`` only, when given), as
    ``(record id, tactic, rule, start, end, words)`` in each record's text order, and the ids of the records no
    set of ``tagger`` read. A case whose index predates these tables reads as nothing stored."""
    one = " AND record_id = ?" if record_id is not None else ""
    params: tuple[Any, ...] = (tagger, record_id) if record_id is not None else (tagger,)
    try:
        rows = conn.execute(
            "SELECT record_id, tactic, rule, word_start, word_end, words FROM suggestions "  # noqa: S608
            f"WHERE derived_seq IN ({_COVERED}){one} ORDER BY record_id, word_start, word_end, tactic, rule",
            params,
        ).fetchall()
        uncovered = conn.execute(
            f"SELECT id FROM records WHERE derived_seq NOT IN ({_COVERED})"  # noqa: S608
            + (" AND id = ?" if record_id is not None else ""),
            params,
        ).fetchall()
        uncovered += conn.execute(
            "SELECT record_id FROM suggestions_deferred"  # noqa: S608
            + (" WHERE record_id = ?" if record_id is not None else ""),
            () if record_id is None else (record_id,),
        ).fetchall()
    except sqlite3.OperationalError as exc:
        if "no such table" not in str(exc):
            raise
        rows = []
        uncovered = conn.execute(
            "SELECT id FROM records" + (" WHERE id = ?" if record_id is not None else ""),  # noqa: S608
            () if record_id is None else (record_id,),
        ).fetchall()
    found = [(str(r[0]), str(r[1]), str(r[2]), int(r[3]), int(r[4]), str(r[5])) for r in rows]
    return found, {str(r[0]) for r in uncovered}
