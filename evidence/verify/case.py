"""Verify a case folder: that nothing stored was altered, removed, inserted or reordered since it was written.

The checks, numbered here and in the code:

  (1) Layout: ``evidence.db``, ``keys/case.pub`` and ``objects/`` are present; the database is read from a
      snapshot that changes nothing in the case folder (``evidence.verify.db``): no recovery, no re-index.
      Rows are read as raw bytes, so a column rewritten with invalid UTF-8 or as a blob is reported against
      its entry rather than making the database unreadable. Every table is read without an index
      (``NOT INDEXED``: the table's own b-tree, in rowid order, sorted by SQLite where an order is asked):
      an index is not signed, and a forged one would decide which rows a query sees.
      An encrypted case (``keys/vault.json`` present) is checked only with its keys (``keys=``, from
      ``evidence.case.vault.unlock``): without them nothing else is read (``LOCKED``). Its database snapshot is
      opened with the database key (SQLCipher; the private copy stays encrypted). Removing the vault does not
      make it a plain case: ``objects/sealed`` without ``keys/vault.json`` is ``VAULT_MISSING`` (and, without
      keys, an encrypted ``evidence.db`` is ``DATABASE_UNREADABLE``, saying so); a database that does not
      decrypt with the keys (altered, replaced by a plain one, another case's key) is ``DATABASE_UNREADABLE``;
      a vault that is a link or not a file is ``MODIFIED``.
  (1b) Database: the schema is exactly the writer's (``SCHEMA_EXTRA``, ``SCHEMA_MODIFIED``,
      ``SCHEMA_MISSING``; ``TRIGGERS_REMOVED`` and ``TRIGGERS_MODIFIED`` warnings for the append-only
      triggers), root pages are sane, SQLite's integrity check and FTS5's pass (``DATABASE_CORRUPT``,
      ``SEARCH_INDEX_CORRUPT``: an index that does not hold exactly its table's rows), and ``meta`` holds a
      valid index version (``META_INVALID``, ``INDEX_VERSION_DOWNGRADED``); see ``evidence.verify.schema``.
      An encrypted database's every page must pass its HMAC (``PRAGMA cipher_integrity_check``:
      ``DATABASE_CORRUPT``).
  (2) Genesis: the ``case.created`` entry (entry 1) starts the chain; the public key it names is the one in
      ``keys/case.pub`` (else ``KEY_REPLACED``) and, when given, the fingerprint expected (``--expect-key``,
      else ``KEY_NOT_EXPECTED``). No genesis entry at all is ``GENESIS_MISSING``; one naming no usable key is
      ``GENESIS_MODIFIED``; an unreadable ``keys/case.pub`` is ``KEY_UNREADABLE``. When the genesis entry no
      longer matches its hash but ``keys/case.pub`` signed it, that key checks the signatures (step (3) names
      the altered entry; every other signature is not reported bad because of it).
  (3) Each entry: every column is text in UTF-8, ``prev`` and ``hash`` are 64 and ``sig`` 128 lowercase hex
      digits (else ``ENTRY_MODIFIED``: a hex digit's case or a space is invisible to ``bytes.fromhex``, so
      the format is checked on its own); its body is canonical JSON (``NON_CANONICAL``); its hash recomputes
      (``ENTRY_MODIFIED``); its signature verifies with the genesis key (``BAD_SIGNATURE``).
  (4) Chain: the entries are linked by their ``prev`` hashes starting from the genesis, whatever their
      ``seq``; every break is classified and named:
        ``ROW_DELETED``     an intact entry is chained to an entry that is gone (names the missing seq when the
                            rows were not renumbered, else the entry after the gap);
        ``ROW_INSERTED``    an entry that is not part of the chain: a copy of another entry, a second entry
                            chained after the same predecessor, or a forgery (usually also ``BAD_SIGNATURE``);
        ``CHAIN_BROKEN``    an entry whose ``prev`` no longer links it to its predecessor, or the entry after
                            one whose stored ``hash`` was altered;
        ``ROWS_REORDERED``  intact entries whose ``seq`` order differs from the chain's order (rows moved or
                            their contents swapped);
        ``SEQ_MODIFIED``    an entry in its chain position whose ``seq`` number was changed (it leaves a gap,
                            or lies outside 1..n).
      Each ``recorded_at`` must be RFC 3339 with a numeric offset (the writer writes ``+00:00``), else
      ``RECORDED_AT_INVALID``; times are compared as instants, and an entry whose time is before the latest
      time earlier in the chain is ``CLOCK_WENT_BACKWARDS`` (a warning, naming that entry only: the signer's
      clock, or the signer, set it so; the ledger's times are the writer's word, see the anchors for more).
  (5) Heads recorded elsewhere (``--head SEQ:HASH``): each is still in the chain (else ``HEAD_MISMATCH``).
      Dropping the newest entries leaves a valid chain: only an earlier head (or an orphaned object) shows it.
  (5b) Checkpoints: every ``checkpoint.signed`` entry's signed note is valid for this case and key
      (``CHECKPOINT_INVALID``) and the Merkle tree over the entries before it gives its root
      (``CHECKPOINT_MISMATCH``).
  (6) Objects: every object an entry names is present (``MISSING``) and re-hashes to its name (``MODIFIED``,
      naming the exhibit the entry belongs to and the object's path); every stored object is named by an
      entry (``EXTRA``), unless the import journal (``pending_objects``) shows an interrupted import left it,
      or it is a staging file in ``objects/tmp`` (``INCOMPLETE_IMPORT``, a warning: the next import removes
      them).
      An object must be a regular file of the case: a link, a FIFO or a device is ``MODIFIED`` and not read.
      An encrypted case's objects are sealed under keyed names in ``objects/sealed`` (``evidence.verify.
      objectfiles``): each named object's sealed file must open with the case's object key as the object
      the ledger names (every chunk's AES-GCM tag, the file key's tag binding the plaintext SHA-256, the
      hash and the size of the plaintext, decrypted in memory): another object's file moved or copied to
      its name, a file sealed under another key, cut or lengthened is ``MODIFIED`` (the words say which);
      a file there that no entry's object is sealed under is ``EXTRA``, as is a plain store
      (``objects/sha256``) beside it.
  (6b) Journals: their rows name only what the writer writes there (``JOURNAL_INVALID``); a killed report or
      export left in ``pending_outputs`` is ``INCOMPLETE_OUTPUT`` (a warning; see ``evidence.verify.objects``).
  (6c) Private details: each entry's (who acted, on which computer, from which path; not in the signed body
      but committed to by a salted hash in it) are the ones it commits to (``PRIVATE_DETAILS_MISSING``,
      ``PRIVATE_DETAILS_MODIFIED``, ``PRIVATE_DETAILS_EXTRA``; see ``evidence.verify.private``).
  (7) Projections: the index tables equal a replay of the ledger (``INDEX_MISMATCH``), each record's stored
      JSON (text, sender, times: what the timeline and reports read) included, read without an index; an
      index built by an older version lacks tables of the current one (``INDEX_OUTDATED``, a warning: it is
      rebuilt from the ledger when the case is next opened), and those it has are compared.
      An encrypted case's blobs are decrypted in memory for the replay, and the replay's temporary
      database is itself encrypted under a random key (it holds every text).
  (8) Anchors: every ``anchor.timestamped`` entry's RFC 3161 token is re-checked against the head it covers
      and its stored trust anchor (``evidence.verify.anchors``: ``ANCHOR_IMPRINT``, ``ANCHOR_SIGNATURE``, ...).

``DATABASE_UNREADABLE`` (also: ``evidence.db``, its ``-wal`` or ``-shm`` is a link, a FIFO, a device or too
large, named and not read) and ``LEDGER_EMPTY`` end the checks early.

Known limits: an attacker holding the private key (or replacing it and re-signing every entry consistently)
produces a valid case; only the fingerprint written down at init (``--expect-key``) or a head recorded
elsewhere (``--head``) catches that. Dropping the newest entries needs no key: without a head recorded
elsewhere it shows only through what they left, the objects only they named (``EXTRA``) and their rows in
the index (``INDEX_MISMATCH``); not when those are removed and the index rebuilt too, and never for entries
that name no object and feed no index table (``checkpoint.signed``, ``report.generated``, ``export.created``,
``key.certificate``): only a recorded head (``--head``, a report's or a bundle's) catches those. The import journal is not signed, so someone who
can edit the database can also make orphaned objects look like an interrupted import's leftovers (a warning).

Verification only reads. What a killed writer left (the import journal's rows, staging files) is reported
(``INCOMPLETE_IMPORT``, naming the command that cleans it up) and an outdated index too (``INDEX_OUTDATED``);
neither is repaired here.

Where the checks live: (1) and the order of the steps here; (1b) ``evidence.verify.schema``; (2)-(5)
``evidence.verify.ledger``; (6c) ``evidence.verify.private``; (5b)
``evidence.verify.merkle``; (6) ``evidence.verify.objects``; (7) ``evidence.verify.projections``; (8)
``evidence.verify.anchors``; the fast paths (signatures and bodies in processes, hashing in threads)
``evidence.verify.parallel``, libsodium's quick accept of signatures ``evidence.verify.sodium``. The verifier shares only the canonical serializer, the hash, signature and
Merkle primitives, the index replay and the format constants (``evidence.case.formats``) with the writer.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evidence.case import sqldriver as sqlite3
from evidence.case.formats import (
    ANCHOR_KIND,
    DB_NAME,
    IMPORT_JOURNAL,
    KEYS_DIR,
    OBJECTS_DIR,
    PUBLIC_KEY_PATH,
    PUBLIC_NAME,
    SEALED_DIR,
    VAULT_PATH,
)
from evidence.case.ledger import Entry
from evidence.case.signing import PublicKey, read_key_file
from evidence.case.store import irregular, is_hash_name, open_stored
from evidence.case.vault import is_encrypted
from evidence.errors import SealedError, SigningKeyError
from evidence.verify import Finding, Report
from evidence.verify._common import Row, Stored
from evidence.verify.db import DatabaseFileError, open_snapshot
from evidence.verify.ledger import check_ledger
from evidence.verify.merkle import check_case_checkpoints
from evidence.verify.objectfiles import ObjectFiles
from evidence.verify.objects import check_objects, check_outputs
from evidence.verify.parallel import ObjectHasher
from evidence.verify.private import check_private
from evidence.verify.projections import check_projections
from evidence.verify.schema import check_database

if TYPE_CHECKING:
    from evidence.case.vault import CaseKeys

TEXT_COLUMNS = ("recorded_at", "kind", "body", "prev", "hash", "sig")


def _text_column(value: Any, sqltype: Any, name: str, problems: list[str]) -> str:
    kind = sqltype.decode("ascii", "replace") if isinstance(sqltype, bytes) else str(sqltype)
    if not isinstance(value, bytes):
        problems.append(f"{name} is stored as {kind}, not text")
        return str(value)
    if kind != "text":
        problems.append(f"{name} is stored as {kind}, not text")
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        problems.append(f"{name} is not valid UTF-8")
        return value.decode("utf-8", "replace")


def _read_rows(conn: sqlite3.Connection) -> tuple[list[Stored], set[str]]:
    # Bytes, not str: a column rewritten with invalid UTF-8 must be a finding about its entry, not an
    # exception that hides which entry it was.
    conn.text_factory = bytes
    try:
        # One read transaction: a concurrent import is seen wholly or not at all (on a live database).
        conn.execute("BEGIN")
        columns = ", ".join(f"{name}, typeof({name})" for name in TEXT_COLUMNS)
        # seq is the rowid: this is the table's own b-tree in order, whatever an index says.
        raw = conn.execute(f"SELECT seq, {columns} FROM ledger NOT INDEXED ORDER BY seq").fetchall()  # noqa: S608
        pending = {
            _name(r[0])
            for r in conn.execute(f"SELECT sha256 FROM {IMPORT_JOURNAL} NOT INDEXED")  # noqa: S608
        }
        conn.execute("COMMIT")
    finally:
        conn.text_factory = str
    stored: list[Stored] = []
    text = b"text"
    for r in raw:
        problems: list[str] = []
        seq = r[0] if isinstance(r[0], int) else -1
        if r[2] == r[4] == r[6] == r[8] == r[10] == r[12] == text:
            # The usual row, every column text: decoded directly (what _text_column does, without the calls).
            try:
                entry = Entry(
                    seq,
                    r[1].decode(),
                    r[3].decode(),
                    r[5].decode(),
                    r[7].decode(),
                    r[9].decode(),
                    r[11].decode(),
                )
            except UnicodeDecodeError:
                pass
            else:
                stored.append(Stored(entry, problems))
                continue
        values = [
            _text_column(r[1 + 2 * i], r[2 + 2 * i], name, problems) for i, name in enumerate(TEXT_COLUMNS)
        ]
        stored.append(Stored(Entry(seq, *values), problems))
    return stored, pending


def _name(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def verify_case(
    root: Path,
    *,
    heads: Iterable[str] = (),
    expect_key: str | None = None,
    workers: int | None = None,
    keys: CaseKeys | None = None,
) -> Report:
    """Run checks (1)-(8) over the case at ``root``; see the module docstring. An encrypted case is checked
    with its ``keys`` (``evidence.case.vault.unlock``); without them nothing but ``LOCKED`` is reported."""
    report = Report(target=str(root))

    # (1) Layout.
    db = root / DB_NAME
    encrypted = is_encrypted(root)
    sealed_store = os.path.lexists(root / OBJECTS_DIR / SEALED_DIR)
    for needed in (db, root / KEYS_DIR / PUBLIC_NAME, root / OBJECTS_DIR):
        if not needed.exists():
            report.add(
                Finding(
                    "MISSING",
                    "required part of the case folder is missing",
                    path=needed.relative_to(root).as_posix(),
                )
            )
    if not encrypted and sealed_store:
        # Deleting the vault does not make an encrypted case a plain one.
        report.add(
            Finding(
                "VAULT_MISSING",
                "objects/sealed holds an encrypted case's objects, but keys/vault.json is gone: the case cannot "
                "be opened or checked without it (restore it from a backup of the case folder)",
                path=VAULT_PATH,
            )
        )
    if encrypted:
        kind = irregular(root / VAULT_PATH)
        if kind is not None:
            report.add(Finding("MODIFIED", f"the vault is {kind}, not a file of the case", path=VAULT_PATH))
        if keys is None:
            report.add(
                Finding(
                    "LOCKED",
                    "the case is encrypted: its passphrase is needed to check it",
                    path=VAULT_PATH,
                )
            )
            return report
    else:
        keys = keys if sealed_store else None  # a plain case's files are read as they are
    if not db.exists():
        return report
    files = ObjectFiles(root, keys)
    try:
        snapshot = open_snapshot(db, key=keys.db_key if keys is not None else None)
    except DatabaseFileError as exc:
        # A FIFO, a link, a device or a giant in place of the database or its -wal/-shm: named, never read.
        report.add(Finding("DATABASE_UNREADABLE", f"the ledger cannot be read ({exc})", path=exc.name))
        return report
    except sqlite3.Error as exc:
        report.add(Finding("DATABASE_UNREADABLE", _unreadable(db, exc, keys is not None), path=DB_NAME))
        return report
    with snapshot:
        return _verify(files, snapshot.conn, report, heads=heads, expect_key=expect_key, workers=workers)


SQLITE_MAGIC = b"SQLite format 3\x00"


def _unreadable(db: Path, exc: sqlite3.Error, keyed: bool) -> str:
    """Why the database cannot be opened, in words: with a key, it does not decrypt; without one, it may be
    an encrypted case's."""
    if "not a database" not in str(exc):
        return f"the ledger cannot be read ({exc})"
    try:  # a regular file of the case only (it may have been swapped for a FIFO since the snapshot)
        with os.fdopen(open_stored(db), "rb") as fh:
            plain = fh.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC
    except OSError:
        plain = False
    if keyed:
        if plain:
            return "the ledger cannot be read: evidence.db is not encrypted, in an encrypted case (replaced)"
        return (
            "the ledger cannot be read: evidence.db does not decrypt with this case's key (altered or "
            "replaced, or the key is another case's)"
        )
    if not plain:
        return (
            "the ledger cannot be read: evidence.db is not an SQLite database (encrypted, with "
            "keys/vault.json missing, or damaged)"
        )
    return f"the ledger cannot be read ({exc})"


def _verify(
    files: ObjectFiles,
    conn: sqlite3.Connection,
    report: Report,
    *,
    heads: Iterable[str],
    expect_key: str | None,
    workers: int | None,
) -> Report:
    """Checks (1)-(8) once the database is open (read-only, see ``evidence.verify.db``)."""
    root = files.root
    try:
        stored, pending = _read_rows(conn)
    except sqlite3.Error as exc:
        report.add(Finding("DATABASE_UNREADABLE", f"the ledger cannot be read ({exc})", path=DB_NAME))
        return report
    report.checked["entries"] = len(stored)
    # (1b) The database: schema, root pages, SQLite's and FTS5's integrity checks, meta; an encrypted one's
    # every page's HMAC too.
    layout = check_database(conn, report, encrypted=files.sealed)
    if not stored:
        report.add(Finding("LEDGER_EMPTY", "the ledger has no entries", path=DB_NAME))
        return report
    entries = [s.entry for s in stored]

    # The objects are hashed in threads while the ledger is checked (started once the signature workers, if
    # any, are forked); step (6) reads the results. A sealed object is checked against the hash it is claimed
    # to be: the hashes the stored rows name (not yet checked) are the candidates.
    hasher = ObjectHasher(files, workers, _candidates(entries) if files.sealed else ())
    try:
        # (2) Genesis and key, (3) each entry, (4) chain, (5) heads recorded elsewhere.
        rows, genesis_key = check_ledger(
            entries,
            [s.problems for s in stored],
            _read_key_file(root, report),
            report,
            key_path=PUBLIC_KEY_PATH,
            expect_key=expect_key,
            heads=heads,
            started=hasher.start,
        )

        _check_checkpoints(rows, report)

        # (6) Objects, then (6b) the journals below.
        check_objects(files, rows, pending, report, hasher)
    finally:
        hasher.close()
    check_outputs(root, conn, rows, report)
    # (6c) Private details.
    check_private(conn, rows, report)

    # (7) Projections.
    check_projections(files, conn, rows, layout, report)

    # (8) Anchors.
    _check_case_anchors(files, rows, report)

    last = entries[-1]
    report.facts["head"] = {"seq": last.seq, "hash": last.hash}
    if genesis_key is not None:
        report.facts["key_fingerprint"] = genesis_key.fingerprint
    if files.sealed:
        report.facts["encrypted"] = True
    return report


_HEX64 = re.compile(r"(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])")


def _candidates(entries: list[Entry]) -> set[str]:
    """Every 64-hex-digit string in the stored bodies: a superset of the objects the entries name (read before
    they are checked; an object named some other way is checked when step (6) asks for it)."""
    found: set[str] = set()
    for entry in entries:
        if '"objects"' in entry.body_text:
            found.update(_HEX64.findall(entry.body_text))
    return found


def _check_case_anchors(files: ObjectFiles, rows: list[Row], report: Report) -> None:
    if not any(row.entry.kind == ANCHOR_KIND and row.valid for row in rows):
        return  # nothing to check (check_anchors skips every other row), nor the TSA libraries to load
    from evidence.verify.anchors import check_anchors

    def read(sha: str) -> bytes | None:
        if not is_hash_name(sha):
            return None
        try:  # a regular file of the case only, read no further than any token (a FIFO would hang)
            return files.read_at_most(sha, ANCHOR_OBJECT_LIMIT)
        except (OSError, SealedError):
            return None

    check_anchors(rows, read, report)


ANCHOR_OBJECT_LIMIT = 1 << 20  # a token or a certificate; a larger object there was replaced


def _check_checkpoints(rows: list[Row], report: Report) -> None:
    """(5b) Every ``checkpoint.signed`` entry is a valid signed note whose root the ledger's Merkle tree gives
    (``CHECKPOINT_INVALID``, ``CHECKPOINT_MISMATCH``; see ``evidence.verify.merkle``)."""
    check_case_checkpoints(rows, report)


def _read_key_file(root: Path, report: Report) -> PublicKey | None:
    """The public key beside the ledger, None (and ``KEY_UNREADABLE``) when it cannot be read."""
    pub_path = root / PUBLIC_KEY_PATH
    file_key: PublicKey | None = None
    try:
        file_key = PublicKey.from_pem(read_key_file(pub_path), pub_path)
    except (OSError, SigningKeyError) as exc:
        message = exc.message if isinstance(exc, SigningKeyError) else str(exc)
        report.add(Finding("KEY_UNREADABLE", message, path=PUBLIC_KEY_PATH))
    return file_key
