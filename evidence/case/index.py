"""Projections: tables rebuilt from the ledger (plus derived blobs), never the source of truth.

They live in ``evidence.db`` beside the ledger and are updated in the same transaction as each append, so
they are always consistent with it. ``rebuild`` replays the whole ledger; the verifier compares the stored
projections with a replay, which also catches rows dropped from the ledger's end but still indexed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from evidence.case import counted, recordsblob, suggestions
from evidence.case import sqldriver as sqlite3
from evidence.case.canonical import canonical_bytes, parse_canonical
from evidence.case.formats import Kind
from evidence.case.ledger import Entry
from evidence.errors import CaseError
from evidence.models import Record

INDEX_SCHEMA = (
    """
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
CREATE TABLE IF NOT EXISTS records_counted (
    occurred_at TEXT NOT NULL,
    id TEXT NOT NULL,
    derived_seq INTEGER NOT NULL,
    item_sha256 TEXT NOT NULL,
    locator TEXT NOT NULL,
    channel TEXT NOT NULL,
    direction TEXT NOT NULL,
    sender TEXT,
    recipients TEXT NOT NULL,
    content BLOB NOT NULL,
    dated INTEGER NOT NULL,
    has_header INTEGER NOT NULL,
    PRIMARY KEY (occurred_at, id, derived_seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS pending_objects (
    sha256 TEXT NOT NULL,
    op TEXT NOT NULL,
    PRIMARY KEY (sha256, op)
);
CREATE TABLE IF NOT EXISTS people (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    region TEXT,
    seq INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS person_ids (
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    name TEXT NOT NULL,
    raw TEXT NOT NULL,
    basis TEXT,
    confidence TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (kind, value)
);
CREATE TABLE IF NOT EXISTS ocr_results (
    cache_key TEXT NOT NULL,
    image_sha256 TEXT NOT NULL,
    blob_sha256 TEXT NOT NULL,
    engine TEXT NOT NULL,
    engine_version TEXT NOT NULL,
    settings TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (cache_key, seq)
);
CREATE INDEX IF NOT EXISTS ocr_results_image ON ocr_results (image_sha256, seq);
CREATE VIRTUAL TABLE IF NOT EXISTS search_text USING fts5 (
    record_id UNINDEXED, derived_seq UNINDEXED, exhibit UNINDEXED, locator UNINDEXED, channel UNINDEXED,
    sender, subject, text, tokenize = 'unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE IF NOT EXISTS search_trigram USING fts5 (
    record_id UNINDEXED, derived_seq UNINDEXED, exhibit UNINDEXED, locator UNINDEXED, channel UNINDEXED,
    sender, subject, text, tokenize = 'trigram', columnsize = 0
);
"""
    + suggestions.SCHEMA
)

# records_counted: the fields the counts of contact attempts read, as columns (evidence.case.counted).
# search_text and search_trigram are FTS5 tables holding the same rows: search_text indexes words (found whole,
# diacritics removed), search_trigram every run of three characters (substrings in any script, including those
# written without spaces between words: Thai, Japanese, Chinese). search_trigram keeps its own copy of the rows
# rather than reading search_text's (an external-content table): SQLite 3.40's FTS5 can neither rebuild nor
# integrity-check an index whose content is another FTS5 table, so a forged entry in it would go unseen.
# columnsize = 0: no per-row token counts (used only by ranking; hits are listed in time order).
# Their shadow tables (_data, _idx, _docsize, _config, _content) are SQLite's own encoding of the same rows
# and are not compared; the rows themselves are, through snapshot().
SEARCH_TABLES = ("search_text", "search_trigram")
PROJECTION_TABLES = (
    "exhibits",
    "records",
    "records_counted",
    "people",
    "person_ids",
    *SEARCH_TABLES,
    "ocr_results",
    *suggestions.TABLES,
)

# Raised whenever the projection tables change shape; a case whose index is older is re-indexed from its
# ledger when next opened for writing (the ledger and objects are never touched by that).
# 3: ocr_results (the OCR cache, by image, engine version and settings); 4: search_trigram; 5: records_counted;
# 6: suggestion_sets and suggestions (the tactic suggestions stored at import, ``evidence.case.suggestions``)
INDEX_VERSION = 6

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


def apply(
    conn: sqlite3.Connection,
    entry: Entry,
    body: dict[str, Any],
    read_blob: BlobReader,
    blob_doc: dict[str, Any] | None = None,
) -> None:
    """Update the projections for one entry (already appended, or being replayed).

    ``blob_doc`` is the records blob of a ``records.derived`` entry as the writer serialized it, when it has it
    at hand (an import): it then need not be read back and parsed (half an import's time for large files)."""
    if entry.kind == Kind.ITEM_ACQUIRED and not body.get("duplicate_of"):
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
    elif entry.kind == Kind.RECORDS_DERIVED:
        if blob_doc is not None:
            records: Iterable[dict[str, Any]] = blob_doc["records"]
        else:  # read record by record: the blob of a 100,000-message backup is never held as objects
            records = recordsblob.read_records(read_blob(body["blob_sha256"]))
        _apply_records(conn, entry.seq, body.get("exhibit"), records)
    elif entry.kind == OCR_KIND:
        _apply_ocr(conn, entry, body, read_blob)
    elif entry.kind in PERSON_KINDS:
        _apply_person(conn, entry, body)
    elif entry.kind == Kind.TACTICS_SUGGESTED:
        suggestions.apply(conn, entry, body, read_blob)


BATCH = 2000  # records inserted per executemany: a batch is held, never the whole file
_ROW_JSON = json.JSONEncoder(sort_keys=True)  # json.dumps(rec, sort_keys=True), without a new encoder per row


def _apply_records(
    conn: sqlite3.Connection, seq: int, exhibit: str | None, records: Iterable[dict[str, Any]]
) -> None:
    """The rows of a ``records.derived`` entry's records (records, search text, OCR results), in batches."""
    rows: list[tuple[Any, ...]] = []
    texts: list[tuple[Any, ...]] = []
    fields: list[tuple[Any, ...]] = []
    for rec in records:
        rows.append(
            (rec["id"], seq, rec["item_sha256"], rec["occurred_at"], rec["channel"], _ROW_JSON.encode(rec))
        )
        fields.append(counted.row(rec, seq))
        if rec.get("text") or rec.get("subject"):
            texts.append(_search_row(rec, seq, exhibit))
        ocr = (rec.get("raw") or {}).get("ocr")
        if isinstance(ocr, dict) and ocr.get("blob_sha256"):
            _add_ocr_result(conn, seq, rec["item_sha256"], ocr)
        if len(rows) >= BATCH:
            _insert_records(conn, rows, texts, fields)
            rows, texts, fields = [], [], []
    _insert_records(conn, rows, texts, fields)


def _insert_records(
    conn: sqlite3.Connection,
    rows: list[tuple[Any, ...]],
    texts: list[tuple[Any, ...]],
    fields: list[tuple[Any, ...]],
) -> None:
    conn.executemany(
        "INSERT INTO records (id, derived_seq, item_sha256, occurred_at, channel, json) VALUES (?,?,?,?,?,?)",
        rows,
    )
    conn.executemany(counted.INSERT, fields)
    for table in SEARCH_TABLES:
        conn.executemany(_SEARCH_INSERT[table], texts)


_SEARCH_INSERT = {
    table: f"INSERT INTO {table} (record_id, derived_seq, exhibit, locator, channel, sender, subject, text) "  # noqa: S608
    "VALUES (?,?,?,?,?,?,?,?)"
    for table in SEARCH_TABLES
}


PERSON_KINDS = (Kind.PERSON_ADDED, Kind.PERSON_LINKED, Kind.PERSON_UNLINKED)
OCR_KIND = Kind.OCR_DERIVED
# The record a screenshot importer makes for the whole image: the one a later OCR of that image updates.
IMAGE_LOCATOR = "image"


def _add_ocr_result(conn: sqlite3.Connection, seq: int, image_sha256: str, summary: dict[str, Any]) -> None:
    """One OCR result under its cache key (computed from the recorded summary, never trusted from a body)."""
    # Here, not at the top: importing evidence.ocr loads the OCR engine's wrappers (and PIL), which a replay
    # of a case without OCR results (the verifier's, every reading command's) does not need.
    from evidence.ocr.cache import key_settings, summary_key

    conn.execute(
        "INSERT OR IGNORE INTO ocr_results (cache_key, image_sha256, blob_sha256, engine, engine_version, "
        "settings, seq) VALUES (?,?,?,?,?,?,?)",
        (
            summary_key(image_sha256, summary),
            image_sha256,
            summary["blob_sha256"],
            summary["engine"],
            summary["engine_version"],
            canonical_bytes(key_settings(summary)).decode("utf-8"),
            seq,
        ),
    )


def _apply_ocr(conn: sqlite3.Connection, entry: Entry, body: dict[str, Any], read_blob: BlobReader) -> None:
    """An OCR run after the import (``evidence ocr``): index the result, and give the image's record the newest
    text (the earlier results stay in the ledger and the store; ``show`` lists them)."""
    image = body["item_sha256"]
    summary = body["ocr"]
    _add_ocr_result(conn, entry.seq, image, summary)
    text = parse_canonical(read_blob(summary["blob_sha256"])).get("text") or None
    rows = conn.execute(
        "SELECT id, derived_seq, json FROM records WHERE item_sha256 = ?", (image,)
    ).fetchall()
    for record_id, derived_seq, stored in rows:
        rec = stored_json(stored, f"record {record_id}")
        if rec.get("locator") != IMAGE_LOCATOR or rec.get("channel") != "screenshot":
            continue
        rec["text"] = text
        rec["raw"] = {**(rec.get("raw") or {}), "ocr": summary}
        conn.execute(
            "UPDATE records SET json = ? WHERE id = ? AND derived_seq = ?",
            (json.dumps(rec), record_id, derived_seq),
        )
        conn.execute(
            counted.UPDATE_CONTENT,
            (counted.content_digest(rec), rec["occurred_at"], record_id, derived_seq),
        )
        for table in SEARCH_TABLES:
            conn.execute(
                f"DELETE FROM {table} WHERE record_id = ? AND derived_seq = ?",  # noqa: S608 - constant names
                (record_id, derived_seq),
            )
            if text:
                conn.execute(_SEARCH_INSERT[table], _search_row(rec, derived_seq, body.get("exhibit")))


def stored_json(text: Any, what: str) -> Any:
    """A JSON value the index holds, parsed. The index is not signed: anyone who can write the database can put
    anything there, such as JSON nested too deeply for Python's parser (``RecursionError``). What cannot be
    parsed is a ``CaseError`` naming ``what`` and saying to run ``evidence verify``, never a crash."""
    try:
        return json.loads(text)
    except (ValueError, TypeError, RecursionError):
        raise CaseError(
            f"the case's index is damaged ({what} cannot be read): run 'evidence verify'"
        ) from None


def records_in_time_order(
    conn: sqlite3.Connection, where: str = "", params: tuple[Any, ...] = (), *, raw: bool = True
) -> Iterator[Record]:
    """The records of the index in time order (ties by id), read from a cursor one at a time; ``where`` (a
    constant SQL condition over the ``records`` columns, with ``params``) narrows them; ``raw=False`` leaves
    each record's ``raw`` (the source's own fields, most of its size) empty, for counts that never read it.
    A row that is not a record is a ``CaseError`` naming it (see ``stored_json``)."""
    column = "json" if raw else "json_remove(json, '$.raw')"
    condition = f"WHERE {where}" if where else ""
    sql = f"SELECT id, {column} FROM records {condition} ORDER BY occurred_at, id"  # noqa: S608
    try:
        rows = conn.execute(sql, params)
        row = rows.fetchone()
    except sqlite3.Error as exc:  # ``where`` reading a stored JSON that is not JSON (the index is not signed)
        raise _damaged(conn, exc) from None
    while row is not None:
        record_id, text = row
        value = stored_json(text, f"record {record_id}")
        try:
            yield Record.from_json(value)
        except (KeyError, TypeError, ValueError, AttributeError):
            raise CaseError(
                f"the case's index is damaged (record {record_id} is not a record): run 'evidence verify'"
            ) from None
        try:
            row = rows.fetchone()
        except sqlite3.Error as exc:
            raise _damaged(conn, exc) from None


def _damaged(conn: sqlite3.Connection, exc: sqlite3.Error) -> CaseError:
    """The error for an index SQLite could not read with a condition: naming the first record whose stored JSON
    cannot be read, as ``stored_json`` does, when there is one."""
    for record_id, text in conn.execute("SELECT id, json FROM records"):
        try:
            stored_json(text, f"record {record_id}")
        except CaseError as damaged:
            return damaged
    return CaseError(f"the case's index is damaged ({exc}): run 'evidence verify'")


def ocr_results_for(conn: sqlite3.Connection, key: str) -> list[tuple[str, int]]:
    """The blob SHA-256 and entry seq of each OCR result recorded under ``key``, oldest first."""
    rows = conn.execute(
        "SELECT blob_sha256, seq FROM ocr_results WHERE cache_key = ? ORDER BY seq", (key,)
    ).fetchall()
    return [(str(row[0]), int(row[1])) for row in rows]


def ocr_results_of(conn: sqlite3.Connection, image_sha256: str) -> list[dict[str, Any]]:
    """Every OCR result of one image, oldest first."""
    rows = conn.execute(
        "SELECT cache_key, blob_sha256, engine, engine_version, settings, seq FROM ocr_results "
        "WHERE image_sha256 = ? ORDER BY seq",
        (image_sha256,),
    ).fetchall()
    keys = ("cache_key", "blob_sha256", "engine", "engine_version", "settings", "entry")
    found = [dict(zip(keys, row, strict=True)) for row in rows]
    for item in found:
        item["settings"] = stored_json(item["settings"], f"the settings of OCR result {item['blob_sha256']}")
    return found


def _search_row(rec: dict[str, Any], seq: int, exhibit: str | None) -> tuple[Any, ...]:
    return (
        rec["id"],
        seq,
        exhibit,
        rec["locator"],
        rec["channel"],
        rec.get("sender"),
        rec.get("subject"),
        rec.get("text"),
    )


def _apply_person(conn: sqlite3.Connection, entry: Entry, body: dict[str, Any]) -> None:
    """People and their identifiers; the bodies carry the normalised values, so a replay needs no parsing."""
    if entry.kind == Kind.PERSON_ADDED:
        conn.execute(
            "INSERT INTO people (name, role, region, seq) VALUES (?,?,?,?)",
            (body["name"], body["role"], body.get("region"), entry.seq),
        )
        for ident in body.get("identities", []):
            _link(
                conn, entry.seq, body["name"], ident, body.get("basis"), body.get("confidence", "confirmed")
            )
    elif entry.kind == Kind.PERSON_LINKED:
        _link(conn, entry.seq, body["name"], body["identity"], body.get("basis"), body["confidence"])
    else:
        ident = body["identity"]
        conn.execute(
            "DELETE FROM person_ids WHERE kind = ? AND value = ? AND name = ?",
            (ident["kind"], ident["value"], body["name"]),
        )


def _link(
    conn: sqlite3.Connection,
    seq: int,
    name: str,
    ident: dict[str, Any],
    basis: str | None,
    confidence: str,
) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO person_ids (kind, value, name, raw, basis, confidence, seq) VALUES (?,?,?,?,?,?,?)",
        (ident["kind"], ident["value"], name, ident["raw"], basis, confidence, seq),
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
        counted.TABLE: conn.execute(
            f"SELECT {', '.join(counted.COLUMNS)} FROM {counted.TABLE} ORDER BY occurred_at, id, derived_seq"  # noqa: S608
        ).fetchall(),
        "people": conn.execute("SELECT name, role, region, seq FROM people ORDER BY name").fetchall(),
        "person_ids": conn.execute(
            "SELECT kind, value, name, raw, basis, confidence, seq FROM person_ids ORDER BY kind, value"
        ).fetchall(),
        **{
            table: conn.execute(
                "SELECT record_id, derived_seq, exhibit, locator, channel, sender, subject, text "  # noqa: S608
                f"FROM {table} ORDER BY record_id, derived_seq"
            ).fetchall()
            for table in SEARCH_TABLES
        },
        "ocr_results": conn.execute(
            "SELECT cache_key, image_sha256, blob_sha256, engine, engine_version, settings, seq FROM ocr_results "
            "ORDER BY cache_key, seq"
        ).fetchall(),
        **{table: conn.execute(sql).fetchall() for table, sql in suggestions.SNAPSHOT_QUERIES.items()},
    }


def rebuild(
    conn: sqlite3.Connection, entries: list[tuple[Entry, dict[str, Any]]], read_blob: BlobReader
) -> None:
    """Empty the projections and replay ``entries`` into them (inside the caller's transaction)."""
    for table in PROJECTION_TABLES:
        conn.execute(f"DELETE FROM {table}")  # noqa: S608 - table names are constants above
    for entry, body in entries:
        apply(conn, entry, body, read_blob)


def stored_version(conn: sqlite3.Connection) -> int:
    """The index version recorded in ``meta``: 0 for a case made before versions were recorded, and for any
    value that is not a plain decimal number (``'³'`` is a digit to ``str.isdigit`` and not to ``int``; a
    blob, a sign, thousands of digits): the index is then rebuilt from the ledger like an outdated one, and
    the verifier says ``META_INVALID``. No stored value makes this raise."""
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'index_version'").fetchone()
    except sqlite3.Error:
        return 0
    value = row[0] if row else None
    if not isinstance(value, str) or not VERSION_TEXT.fullmatch(value):
        return 0
    return int(value)


# A version as set_version writes it: ASCII digits only (re's \d would take other scripts' digits too).
VERSION_TEXT = re.compile(r"[0-9]{1,9}")


def set_version(conn: sqlite3.Connection) -> None:
    """Record that the projections have the current shape (inside the caller's transaction)."""
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('index_version', ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (str(INDEX_VERSION),),
    )


def migrate(
    conn: sqlite3.Connection, entries: list[tuple[Entry, dict[str, Any]]], read_blob: BlobReader
) -> None:
    """Drop the projection tables, create them in their current shape and replay the ledger into them.

    Inside the caller's write transaction. The ledger table and the import journal are not touched.
    """
    for table in PROJECTION_TABLES:
        conn.execute(f"DROP TABLE IF EXISTS {table}")
    for statement in INDEX_SCHEMA.split(";"):
        if statement.strip():
            conn.execute(statement)
    for entry, body in entries:
        apply(conn, entry, body, read_blob)
    set_version(conn)
