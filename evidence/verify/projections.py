"""Check (7) of ``evidence.verify.case``: the index tables equal a replay of the ledger, in a private file.

The stored tables are read without an index (``NOT INDEXED``: each table's own b-tree, sorted by SQLite): a
row left out of a forged primary-key index is still seen and compared. ``search_text`` and ``search_trigram``
(words and substrings) are FTS5 tables read by a full scan of their rows; each one's full-text index is
checked against those rows by FTS5's integrity check in check (1b), and its configuration (what ranks search
results) is compared here with the replay's.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from evidence.case import counted, index, ledger, suggestions
from evidence.case import sqldriver as sqlite3
from evidence.case.canonical import CanonicalError
from evidence.case.formats import DB_NAME, SQLCIPHER_SETTINGS
from evidence.errors import SealedError
from evidence.verify import ERROR, Finding, Report
from evidence.verify._common import Row
from evidence.verify.objectfiles import ObjectFiles
from evidence.verify.schema import Layout


def check_projections(
    files: ObjectFiles, stored: sqlite3.Connection, rows: list[Row], layout: Layout, report: Report
) -> None:
    """Check (7) over the case whose objects are ``files`` and whose database ``stored`` is open read-only
    (left open): the index tables ``layout`` found with the writer's definitions (check (1b) names the others).
    An encrypted case's blobs are decrypted (and their tags checked) in memory."""
    if any(
        f.severity == ERROR and f.code in {"MISSING", "MODIFIED", "NON_CANONICAL"} for f in report.findings
    ):
        return  # the replay would read damaged data; those findings already say what is wrong

    read_blob = files.read
    replay = _replay_database(encrypted=files.sealed)
    try:
        replay.execute("BEGIN")
        for row in rows:
            if isinstance(row.body, dict):
                try:
                    index.apply(replay, row.entry, row.body, read_blob)
                except (
                    sqlite3.Error,
                    SealedError,
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
            except (
                KeyError,
                TypeError,
                OSError,
                SealedError,
                CanonicalError,
                ValueError,
                RecursionError,
            ) as exc:
                report.add(Finding("INDEX_MISMATCH", f"entry cannot be replayed ({exc!r})", entry=entry.seq))
        replay.execute("COMMIT")
        # Compared a few thousand rows at a time; only a table that differs is read whole, to name the rows.
        differ = [t for t in snapshot_tables(layout.comparable) if not _same_rows(replay, stored, t)]
        expected = {t: replay.execute(SNAPSHOT_QUERIES[t]).fetchall() for t in differ}
        actual = {t: stored.execute(SNAPSHOT_QUERIES[t]).fetchall() for t in differ}
        if "records" in layout.comparable:
            _check_record_json(replay, stored, report)
        stored.execute("COMMIT")
        for table in differ:
            if expected[table] != actual[table]:
                report.add(
                    Finding(
                        "INDEX_MISMATCH",
                        f"the {table} table ({len(actual[table])} rows) does not match a replay of the ledger "
                        f"({len(expected[table])} rows){_difference(table, expected[table], actual[table])}",
                        path=DB_NAME,
                    )
                )
    except sqlite3.Error as exc:
        report.add(Finding("INDEX_MISMATCH", f"the index cannot be compared ({exc})", path=DB_NAME))
    finally:
        if stored.in_transaction:
            stored.execute("ROLLBACK")
        replay.close()


# An encrypted replay decrypts (and authenticates) every page it reads back from its file: reading the tables
# in key order through their indexes revisits pages SQLite's default 2 MiB cache has dropped. A 64 MiB cache
# keeps them (bounded whatever the case's size): on the 100,000-record case the check's CPU time went from
# 1.65x a plain case's to 1.07x (bench/RESULTS.md).
ENCRYPTED_REPLAY_CACHE_KIB = 64 * 1024


def _replay_database(*, encrypted: bool = False) -> sqlite3.Connection:
    """A new private database for the replay, with the index schema: a file (its folder removed at once; the
    open file lives until the connection closes), not memory, so a case of a million records is replayed
    through SQLite's small page cache. Nothing of it needs to survive a crash: no journal, no syncing.

    An ``encrypted`` case's replay holds its plaintext (texts, names, numbers): the file is encrypted under a
    random key that lives only in this connection (SQLCipher), so nothing decrypted reaches the disk; its page
    cache is larger (``ENCRYPTED_REPLAY_CACHE_KIB``), as each page read from the file is decrypted again."""
    folder = Path(tempfile.mkdtemp(prefix="evidence-replay-"))
    try:
        replay = sqlite3.connect(folder / "replay.db", isolation_level=None)
        try:
            if encrypted:
                replay.execute(f"PRAGMA key = \"x'{secrets.token_hex(32)}'\"")
                for setting in SQLCIPHER_SETTINGS:
                    replay.execute(f"PRAGMA {setting}")
                replay.execute(f"PRAGMA cache_size = -{ENCRYPTED_REPLAY_CACHE_KIB}")
            replay.execute("PRAGMA journal_mode = OFF").fetchone()
            replay.execute("PRAGMA synchronous = OFF")
            _create_replay_schema(replay)
        except BaseException:
            replay.close()
            raise
        return replay
    finally:
        shutil.rmtree(folder, ignore_errors=True)


_FULL_TEXT = re.compile(r"CREATE VIRTUAL TABLE IF NOT EXISTS (\w+) USING fts5 \((.*?)\);", re.DOTALL)


def _create_replay_schema(replay: sqlite3.Connection) -> None:
    """The index schema with each full-text table made a plain table of the same columns, and its FTS5
    configuration (``<table>_config``) as a fresh FTS5 table of the writer's definition has it.

    The replay is only compared row by row (``SNAPSHOT_QUERIES``); the stored full-text index is checked
    against its own rows by FTS5 in check (1b). Building a second full-text index here was half the replay's
    time (100,000 records: two FTS5 indexes, one of every three-character run of each text)."""
    replay.executescript(INDEX_SCHEMA_PLAIN)
    fresh = sqlite3.connect(":memory:")
    try:
        index.create_schema(fresh)
        for table in index.SEARCH_TABLES:
            rows = fresh.execute(f"SELECT k, v FROM {table}_config").fetchall()  # noqa: S608 - constant names
            replay.execute(f"CREATE TABLE {table}_config (k PRIMARY KEY, v) WITHOUT ROWID")
            replay.executemany(f"INSERT INTO {table}_config (k, v) VALUES (?, ?)", rows)  # noqa: S608
    finally:
        fresh.close()


def _plain_table(match: re.Match[str]) -> str:
    # Indexed by record: the comparison reads the rows in that order, and an OCR entry's replay deletes its
    # record's rows by id.
    table = match.group(1)
    columns = [part.split()[0] for part in match.group(2).split(",") if "=" not in part]
    return (
        f"CREATE TABLE IF NOT EXISTS {table} ({', '.join(columns)});\n"
        f"CREATE INDEX IF NOT EXISTS {table}_record ON {table} (record_id, derived_seq);"
    )


def _plain_schema() -> str:
    """``index.INDEX_SCHEMA`` with its FTS5 tables made plain ones (``_plain_table``)."""
    schema, replaced = _FULL_TEXT.subn(_plain_table, index.INDEX_SCHEMA)
    # Fails loudly when the writer's full-text tables are no longer defined as this expects.
    if replaced != len(index.SEARCH_TABLES):
        raise RuntimeError(
            f"evidence.case.index defines {replaced} FTS5 tables, not {len(index.SEARCH_TABLES)}"
        )
    return schema


INDEX_SCHEMA_PLAIN = _plain_schema()


# What each table holds, read without an index and ordered by SQLite (its own sort, not an index's order).
# The columns are index.snapshot's; search_text_config and search_trigram_config (FTS5's settings, rank among
# them) are compared too.
SNAPSHOT_QUERIES = {
    "exhibits": "SELECT exhibit, sha256, seq, original_name, media_type, size FROM exhibits NOT INDEXED "
    "ORDER BY exhibit",
    "records": "SELECT id, derived_seq, item_sha256, occurred_at, channel FROM records NOT INDEXED "
    "ORDER BY id, derived_seq",
    # every column (what ``stats`` counts); its key is its own b-tree (WITHOUT ROWID), read in that order
    counted.TABLE: f"SELECT {', '.join(counted.COLUMNS)} FROM {counted.TABLE} NOT INDEXED "  # noqa: S608
    "ORDER BY occurred_at, id, derived_seq",
    "people": "SELECT name, role, region, seq FROM people NOT INDEXED ORDER BY name",
    "person_ids": "SELECT kind, value, name, raw, basis, confidence, seq FROM person_ids NOT INDEXED "
    "ORDER BY kind, value, name",
    "search_text": "SELECT record_id, derived_seq, exhibit, locator, channel, sender, subject, text "
    "FROM search_text ORDER BY record_id, derived_seq",
    "search_text_config": "SELECT k, v FROM search_text_config ORDER BY k",
    "search_trigram": "SELECT record_id, derived_seq, exhibit, locator, channel, sender, subject, text "
    "FROM search_trigram ORDER BY record_id, derived_seq",
    "search_trigram_config": "SELECT k, v FROM search_trigram_config ORDER BY k",
    "ocr_results": "SELECT cache_key, image_sha256, blob_sha256, engine, engine_version, settings, seq "
    "FROM ocr_results NOT INDEXED ORDER BY cache_key, seq",
    **suggestions.SNAPSHOT_QUERIES,  # the tactic suggestions stored at import (issue 18)
}


# The replay is the verifier's own file: read in the same order through its indexes, it needs no sort (the
# stored tables, which an attacker may have written, are sorted by SQLite from their own b-trees).
_REPLAY_QUERIES = {table: sql.replace(" NOT INDEXED", "") for table, sql in SNAPSHOT_QUERIES.items()}


def snapshot_tables(tables: frozenset[str]) -> list[str]:
    """The queries of ``SNAPSHOT_QUERIES`` for the index tables in ``tables`` (a full-text table's
    configuration with the table)."""
    return [
        t
        for t in SNAPSHOT_QUERIES
        if t in tables or (t.endswith("_config") and t.removesuffix("_config") in tables)
    ]


def unindexed_snapshot(conn: sqlite3.Connection, tables: frozenset[str]) -> dict[str, list[tuple[Any, ...]]]:
    """The contents of the index tables in ``tables`` (and a full-text table's configuration with it), read
    without an index, ordered."""
    return {table: conn.execute(SNAPSHOT_QUERIES[table]).fetchall() for table in snapshot_tables(tables)}


COMPARED_AT_ONCE = 2000


def _same_rows(replay: sqlite3.Connection, stored: sqlite3.Connection, table: str) -> bool:
    """Whether ``table`` holds the same rows in both, in the same order, read a batch at a time."""
    want = replay.execute(_REPLAY_QUERIES[table])
    have = stored.execute(SNAPSHOT_QUERIES[table])
    while True:
        expected = want.fetchmany(COMPARED_AT_ONCE)
        if expected != have.fetchmany(COMPARED_AT_ONCE):
            return False
        if not expected:
            return True


ROWS_NAMED = 3  # rows of a difference a finding names


def _difference(table: str, expected: list[tuple[Any, ...]], actual: list[tuple[Any, ...]]) -> str:
    """The first rows only one side has, named by their first two columns (a record's id and entry)."""
    want, have = set(expected), set(actual)
    parts = []
    for label, rows in (("not in the ledger", have - want), ("missing", want - have)):
        if rows:
            named = ", ".join(_row_name(table, row) for row in sorted(rows, key=repr)[:ROWS_NAMED])
            more = f" and {len(rows) - ROWS_NAMED} more" if len(rows) > ROWS_NAMED else ""
            parts.append(f"{label}: {named}{more}")
    return f" ({'; '.join(parts)})" if parts else ""


def _row_name(table: str, row: tuple[Any, ...]) -> str:
    if table in ("records", *index.SEARCH_TABLES, "suggestions"):
        return f"record {row[0]} (entry {row[1]})"
    if table == counted.TABLE:  # keyed by time first
        return f"record {row[1]} (entry {row[2]})"
    return " ".join(str(v) for v in row[:2])


RECORD_JSON = "SELECT id, derived_seq, json FROM records NOT INDEXED ORDER BY id, derived_seq"
_REPLAY_RECORD_JSON = RECORD_JSON.replace(" NOT INDEXED", "")


def _record_json_pairs(
    replay: sqlite3.Connection, stored: sqlite3.Connection
) -> Iterator[tuple[Any, Any, Any, Any]]:
    """``(id, entry, stored JSON, replayed JSON or None)`` for each stored record row.

    Both tables are read in the same order, side by side, holding nothing; when their keys part (a row only
    one side has: the table's own mismatch, reported with the snapshot), the rest is matched through a map of
    the replay's rows by key, holding a digest of each JSON, not the text (a million records' JSON is
    gigabytes), the text read back only for a record whose digest differs."""
    want = replay.execute(_REPLAY_RECORD_JSON)
    have = stored.execute(RECORD_JSON)
    done = 0  # stored rows already given
    while True:
        wanted = want.fetchmany(COMPARED_AT_ONCE)
        stored_rows = have.fetchmany(COMPARED_AT_ONCE)
        if len(wanted) != len(stored_rows) or any(
            w[0] != h[0] or w[1] != h[1] for w, h in zip(wanted, stored_rows, strict=True)
        ):
            break
        if not wanted:
            return
        for (rid, seq, text), (_, _, json_text) in zip(stored_rows, wanted, strict=True):
            yield rid, seq, text, json_text
        done += len(stored_rows)
    replayed = {(rid, seq): _digest(text) for rid, seq, text in replay.execute(RECORD_JSON)}
    rest = stored.execute(RECORD_JSON)  # from the start again, past the rows already given
    rest.fetchmany(done)
    for rid, seq, text in rest:
        digest = replayed.get((rid, seq))
        if digest is None or digest == _digest(text):
            yield rid, seq, text, None if digest is None else text
            continue
        row = replay.execute(
            "SELECT json FROM records WHERE id = ? AND derived_seq = ?", (rid, seq)
        ).fetchone()
        yield rid, seq, text, row[0]


def _digest(value: Any) -> bytes:
    """A stored JSON's digest (the index is not signed: the value may be anything SQLite holds)."""
    data = value.encode("utf-8", "surrogatepass") if isinstance(value, str) else repr(value).encode()
    return hashlib.blake2b(data, digest_size=16).digest() + type(value).__name__.encode()


def _check_record_json(replay: sqlite3.Connection, stored: sqlite3.Connection, report: Report) -> None:
    """(7) Each record's stored JSON (what the timeline, ``show`` and the report read) equals the replay's,
    which comes from the signed records blob: an edited text in the index is ``INDEX_MISMATCH`` naming the
    record. Compared as JSON values (the writer may serialize keys in another order)."""
    differ: list[tuple[str, int]] = []
    for rid, seq, text, want in _record_json_pairs(replay, stored):
        if want is None or want == text:
            continue  # a row the replay lacks is the records table's own mismatch, reported with the snapshot
        try:
            same = json.loads(text) == json.loads(want)
        except (ValueError, TypeError, RecursionError):
            same = False  # not JSON, or nested too deeply to parse (the index is not signed): not the record
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
