"""Check (7) of ``evidence.verify.case``: the index tables equal a replay of the ledger, done in memory."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from evidence.case import index, ledger
from evidence.case.canonical import CanonicalError
from evidence.case.formats import DB_NAME, object_path
from evidence.case.store import is_hash_name
from evidence.verify import ERROR, WARNING, Finding, Report
from evidence.verify._common import Row


def check_projections(
    root: Path, stored: sqlite3.Connection, rows: list[Row], named: dict[str, Any], report: Report
) -> None:
    """Check (7) over the case at ``root`` whose database ``stored`` is open read-only (left open)."""
    if any(
        f.severity == ERROR and f.code in {"MISSING", "MODIFIED", "NON_CANONICAL"} for f in report.findings
    ):
        return  # the replay would read damaged data; those findings already say what is wrong

    def read_blob(sha: str) -> bytes:
        if not is_hash_name(sha):
            raise KeyError(sha)
        return object_path(root, sha).read_bytes()

    replay = sqlite3.connect(":memory:", isolation_level=None)
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
        if stored.in_transaction:
            stored.execute("ROLLBACK")
        replay.close()


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
