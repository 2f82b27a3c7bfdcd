"""Read, without writing anything, what the report verifier compares a report's manifest with: the case id,
the records and exhibits of the index, and the body (with the SHA-256) of every report a ``report.generated``
entry recorded.

The database is opened as ``evidence.verify.db`` opens it (a snapshot in memory; nothing in the case folder
changes). An index built by an older version is not read: the records and exhibits are replayed from the
ledger into an in-memory index instead (``evidence.case.index``), as the next writing command would rebuild
it; ``evidence.verify.case`` says ``INDEX_OUTDATED``. Nothing is recovered: what a killed writer left is the
case verifier's findings (``INCOMPLETE_IMPORT``), for the next writing command to clean up.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evidence.case import index, ledger
from evidence.case import sqldriver as sqlite3
from evidence.case.canonical import CanonicalError
from evidence.case.formats import DB_NAME, PUBLIC_KEY_PATH, Kind
from evidence.case.vault import is_encrypted
from evidence.errors import SealedError
from evidence.models import Record
from evidence.verify.db import open_snapshot
from evidence.verify.objectfiles import ObjectFiles

if TYPE_CHECKING:
    from evidence.case.vault import CaseKeys

EXHIBIT_COLUMNS = ("exhibit", "sha256", "seq", "original_name", "media_type", "size")
EXHIBITS_QUERY = "SELECT exhibit, sha256, seq, original_name, media_type, size FROM exhibits ORDER BY exhibit"


class CaseUnreadable(Exception):
    """The case cannot be read; the message says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CaseFacts:
    """What a report is compared with."""

    case_id: str
    records: dict[str, Record]  # by record id
    exhibits: dict[str, dict[str, Any]]  # by exhibit number: the exhibits table's row
    generated: dict[str, int]  # a recorded report's SHA-256 -> its report.generated entry
    reports: dict[int, dict[str, Any]] = field(default_factory=dict)  # report.generated entry -> its body


def read_case_facts(root: Path, keys: CaseKeys | None = None) -> CaseFacts:
    """The facts of the case at ``root`` (an encrypted case's read with its ``keys``, decrypted in memory);
    raises ``CaseUnreadable``."""
    if not root.is_dir():
        raise CaseUnreadable("no such folder")
    if not (root / DB_NAME).is_file() or not (root / PUBLIC_KEY_PATH).is_file():
        raise CaseUnreadable("not a case folder")
    if keys is None and is_encrypted(root):
        raise CaseUnreadable("the case is encrypted: its passphrase is needed to read it")
    files = ObjectFiles(root, keys if is_encrypted(root) else None)
    try:
        snapshot = open_snapshot(root / DB_NAME, key=files.keys.db_key if files.keys else None)
    except sqlite3.Error as exc:
        raise CaseUnreadable(f"cannot open the case database ({exc})") from None
    with snapshot:
        conn = snapshot.conn
        try:
            conn.execute("BEGIN")
            try:
                return _read(files, conn)
            finally:
                conn.execute("ROLLBACK")
        except CanonicalError as exc:
            raise CaseUnreadable(exc.message) from None
        except (
            sqlite3.Error,
            ValueError,
            TypeError,
            KeyError,
            AttributeError,
            OSError,
            SealedError,
            RecursionError,
        ) as exc:
            # RecursionError: JSON in the (unsigned) index nested too deeply to parse.
            raise CaseUnreadable(f"the case database is unusable ({exc})") from None


def _read(files: ObjectFiles, conn: sqlite3.Connection) -> CaseFacts:
    genesis = conn.execute("SELECT body FROM ledger WHERE seq = 1").fetchone()
    if genesis is None:
        raise CaseUnreadable("the case database has no genesis entry")
    # The genesis entry's facts with every later case.updated entry applied in order (api's ``settings``).
    settings: dict[str, Any] = json.loads(genesis[0])
    for entry in ledger.entries_of_kind(conn, Kind.CASE_UPDATED):
        settings.update(json.loads(entry.body_text)["set"])
    reports = {
        entry.seq: entry.body
        for entry in ledger.entries_of_kind(conn, Kind.REPORT_GENERATED)
        if isinstance(entry.body, dict)
    }
    generated = {str(body.get("sha256")): seq for seq, body in reports.items()}
    replayed = _replayed(files, conn) if index.stored_version(conn) < index.INDEX_VERSION else None
    source = replayed or conn
    try:
        rows = source.execute("SELECT json FROM records ORDER BY occurred_at, id").fetchall()
        records = {r.id: r for r in (Record.from_json(json.loads(row[0])) for row in rows)}
        found = source.execute(EXHIBITS_QUERY).fetchall()
        exhibits = {str(row[0]): dict(zip(EXHIBIT_COLUMNS, row, strict=True)) for row in found}
    finally:
        if replayed is not None:
            replayed.close()
    return CaseFacts(str(settings.get("case_id")), records, exhibits, generated, reports)


def _replayed(files: ObjectFiles, conn: sqlite3.Connection) -> sqlite3.Connection:
    """An in-memory index replayed from the ledger (for a case whose stored index is outdated)."""
    read_blob = files.read
    memory = sqlite3.connect(":memory:", isolation_level=None)
    try:
        index.create_schema(memory)
        memory.execute("BEGIN")
        for entry in ledger.entries(conn):
            body = json.loads(entry.body_text)
            if isinstance(body, dict):
                index.apply(memory, entry, body, read_blob)
        memory.execute("COMMIT")
    except BaseException:
        memory.close()
        raise
    return memory
