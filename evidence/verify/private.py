"""Check (6c) of ``evidence.verify.case``: each entry's private details are the ones its signed body commits to.

Who acted, on which computer, from which path (``evidence.case.ledger``'s private details) are not in the signed
bodies, which export bundles carry: a body names them by ``"private_details": {"sha256", "fields"}``, a salted
commitment, and the ``entry_private`` table holds the details and the salt under that commitment. Read without
an index (``NOT INDEXED``):

  ``PRIVATE_DETAILS_MISSING``   an entry names private details and there is no row for it;
  ``PRIVATE_DETAILS_MODIFIED``  the row does not hash to the entry's commitment, is not canonical JSON of an
                                object, or holds other fields than the entry lists (someone changed who
                                imported, or from where);
  ``PRIVATE_DETAILS_EXTRA``     a row no entry names (left by entries removed from the ledger's end, or
                                planted);
  ``PRIVATE_DETAILS_INVALID``   a body whose ``private_details`` is not a commitment the writer writes.

A case made before private details were kept apart has no such table and entries holding the fields inline.
"""

from __future__ import annotations

from typing import Any

from evidence.case import sqldriver as sqlite3
from evidence.case.canonical import CanonicalError, parse_canonical, private_commitment
from evidence.case.formats import DB_NAME, PRIVATE_DETAILS_FIELD, PRIVATE_TABLE
from evidence.verify import Finding, Report
from evidence.verify._common import LOWER_HEX, Row

WHERE = f"{DB_NAME}:{PRIVATE_TABLE}"
SALT_DIGITS = 32


def _text(value: Any) -> str | None:
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return None
    return value if isinstance(value, str) else None


def _read(conn: sqlite3.Connection) -> dict[str, tuple[str | None, str | None]] | None:
    """The table's rows by commitment, or None when the case has no such table."""
    present = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (PRIVATE_TABLE,)
    ).fetchone()
    if present is None:
        return None
    conn.text_factory = bytes
    try:
        rows = conn.execute(f"SELECT sha256, salt, details FROM {PRIVATE_TABLE} NOT INDEXED").fetchall()  # noqa: S608
    finally:
        conn.text_factory = str
    found: dict[str, tuple[str | None, str | None]] = {}
    for key, salt, details in rows:
        name = _text(key)
        found[name if name is not None else repr(key)] = (_text(salt), _text(details))
    return found


def _commitment(body: Any) -> tuple[str, list[str]] | bool | None:
    """The commitment a body names: (sha256, fields); None when it names none; False when malformed."""
    if not isinstance(body, dict) or PRIVATE_DETAILS_FIELD not in body:
        return None
    named = body[PRIVATE_DETAILS_FIELD]
    if not isinstance(named, dict) or set(named) != {"sha256", "fields"}:
        return False
    digest, fields = named["sha256"], named["fields"]
    if not (isinstance(digest, str) and len(digest) == 64 and set(digest) <= LOWER_HEX):
        return False
    if not (isinstance(fields, list) and fields and all(isinstance(f, str) for f in fields)):
        return False
    if fields != sorted(set(fields)):
        return False
    return digest, fields


def check_private(conn: sqlite3.Connection, rows: list[Row], report: Report) -> None:
    """(6c) See the module docstring."""
    try:
        stored = _read(conn)
    except sqlite3.Error as exc:
        report.add(Finding("DATABASE_UNREADABLE", f"the private details cannot be read ({exc})", path=WHERE))
        return
    table = stored or {}
    named: set[str] = set()
    for row in rows:
        seq = row.entry.seq
        commitment = _commitment(row.body)
        if commitment is None:
            continue
        if commitment is False:
            report.add(
                Finding(
                    "PRIVATE_DETAILS_INVALID",
                    f"the entry's {PRIVATE_DETAILS_FIELD} is not a commitment the writer writes",
                    entry=seq,
                )
            )
            continue
        assert isinstance(commitment, tuple)
        digest, fields = commitment
        named.add(digest)
        if digest not in table:
            report.add(
                Finding(
                    "PRIVATE_DETAILS_MISSING",
                    f"the entry commits to private details ({', '.join(fields)}) that are not in the case",
                    entry=seq,
                    path=WHERE,
                )
            )
            continue
        problem = _row_problem(table[digest], digest, fields)
        if problem is not None:
            report.add(Finding("PRIVATE_DETAILS_MODIFIED", problem, entry=seq, path=WHERE))
    for digest in sorted(set(table) - named):
        report.add(
            Finding(
                "PRIVATE_DETAILS_EXTRA",
                f"private details {digest[:16]}... belong to no entry of the ledger (left by entries removed "
                "from its end, or planted: no tool of ours writes that)",
                path=WHERE,
            )
        )
    if stored is not None:
        report.checked["private_details"] = len(table)


def _row_problem(row: tuple[str | None, str | None], digest: str, fields: list[str]) -> str | None:
    salt, details = row
    if salt is None or details is None:
        return "the row is not text in UTF-8"
    if len(salt) != SALT_DIGITS or not set(salt) <= LOWER_HEX:
        return "the row's salt is not the 32 hex digits the writer writes"
    if private_commitment(salt, details) != digest:
        return (
            "the private details (who acted, on which computer, from which path) were changed after signing"
        )
    try:
        parsed = parse_canonical(details)
    except (CanonicalError, RecursionError):
        return "the private details are not canonical JSON"
    if not isinstance(parsed, dict) or sorted(parsed) != fields:
        return "the private details hold other fields than the entry lists"
    return None
