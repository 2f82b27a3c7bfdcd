"""Open a case's SQLite database for reading without changing one byte of the case folder.

SQLite's read-only mode is not enough for that. On a database in WAL mode (every case is), a ``mode=ro``
connection creates ``evidence.db-wal`` and ``evidence.db-shm`` when they are absent and leaves them behind,
and writes its read marks (after a crash, a whole rebuilt WAL index) into an existing ``-shm``.
``immutable=1`` writes nothing but reads no WAL, so it misses what a writer committed and did not yet copy
into the database file (a killed writer's last imports), and it is unsafe while a writer checkpoints.

So the verifier reads a snapshot:

  (a) the database file, and its WAL when there is one, are read as bytes between two looks at their size,
      modification time and inode; when one changed meanwhile (a writer committed or checkpointed), the read
      is repeated;
  (b) without a WAL, those bytes are opened in memory (``deserialize``): nothing else is read or written;
  (c) with a WAL, the two files are copied into a private temporary folder and opened there, where SQLite
      applies the WAL's committed transactions (a transaction the writer did not finish is ignored, as SQLite
      always does), and the result is copied into memory. The case's ``-shm`` is never opened.

When no stable snapshot can be had (a writer busy the whole time), the live database is opened with
``mode=ro`` and copied into memory in one read transaction (SQLite's backup): a consistent, committed state;
SQLite may then touch ``-wal``/``-shm``, files the running writer is changing anyway. ``Snapshot.live`` says
which happened. Either way the checks run on a private copy in memory, which SQLite's own checks (FTS5's
integrity check is an ``INSERT`` of a command) may use as they need.

The copy does not trust its schema (``PRAGMA trusted_schema = OFF``): the schema is the one thing in it an
attacker wrote that the verifier has not yet compared (``evidence.verify.schema``), and SQL functions named
in it then run only if they are harmless.

The snapshot is the size of the database in memory: a few hundred bytes an entry.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ATTEMPTS = 5
RETRY_PAUSE = 0.05  # seconds between attempts while a writer is busy

WAL_VERSIONS = b"\x02\x02"  # the header's read and write versions in WAL mode
ROLLBACK_VERSIONS = b"\x01\x01"

_Stat = tuple[int, int, int] | None


@dataclass
class Snapshot:
    """An open read-only view of the case database; ``live`` when it is the database itself (see above)."""

    conn: sqlite3.Connection
    live: bool

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    def __enter__(self) -> Snapshot:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _stat(path: Path) -> _Stat:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return st.st_size, st.st_mtime_ns, st.st_ino


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _wal(db: Path) -> Path:
    return db.with_name(db.name + "-wal")


def open_snapshot(db: Path) -> Snapshot:
    """A read-only connection to the database at ``db`` as it is now; raises ``sqlite3.Error`` when the file
    cannot be read or is not a database."""
    wal = _wal(db)
    for attempt in range(ATTEMPTS):
        if attempt:
            time.sleep(RETRY_PAUSE)
        before = (_stat(db), _stat(wal))
        try:
            data = db.read_bytes()
        except OSError as exc:
            raise sqlite3.OperationalError(f"cannot read {db.name} ({exc.strerror})") from None
        try:
            log = _read(wal)
        except OSError:
            log = None  # unreadable: a live writer's, or damaged; the live connection below says which
            break
        if (_stat(db), _stat(wal)) != before:
            continue
        return Snapshot(_untrusted(_in_memory(data, log)), live=False)
    return Snapshot(_untrusted(_live(db)), live=True)


def _untrusted(conn: sqlite3.Connection) -> sqlite3.Connection:
    conn.execute("PRAGMA trusted_schema = OFF")
    return conn


def _in_memory(data: bytes, log: bytes | None) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        if not log:
            if data[18:20] == WAL_VERSIONS:
                # An in-memory database cannot be in WAL mode: say "rollback journal" in the copy's header
                # (bytes 18-19, the file format versions), which is all that differs for a reader.
                data = data[:18] + ROLLBACK_VERSIONS + data[20:]
            conn.deserialize(data)
        else:
            with tempfile.TemporaryDirectory(prefix="evidence-verify-") as folder:
                copy = Path(folder) / "snapshot.db"
                copy.write_bytes(data)
                _wal(copy).write_bytes(log)
                source = sqlite3.connect(copy, isolation_level=None)
                try:
                    source.backup(conn)
                finally:
                    source.close()
    except BaseException:
        conn.close()
        raise
    return conn


def _live(db: Path) -> sqlite3.Connection:
    """The live database copied into memory in one read transaction (a busy writer's committed state)."""
    source = sqlite3.connect(f"{db.absolute().as_uri()}?mode=ro", uri=True, isolation_level=None)
    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        source.execute("PRAGMA busy_timeout = 60000")
        source.backup(conn)
    except BaseException:
        conn.close()
        raise
    finally:
        source.close()
    return conn
