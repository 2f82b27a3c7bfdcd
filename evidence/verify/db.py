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

The files are not trusted either: anyone who can write to the case folder can replace ``evidence.db``, its
``-wal`` or its ``-shm`` by a FIFO (a read would wait for ever), a link to ``/dev/zero`` (a read would never
end) or a device. Each is opened like an object (``evidence.case.store.open_stored``: no link followed, no
blocking open) and must be a regular file of at most ``MAX_FILE_BYTES``; else ``DatabaseFileError`` (an
``sqlite3.Error``, which the verifier reports as ``DATABASE_UNREADABLE`` naming the file). The ``-shm``,
never read here, is only looked at (``lstat``) for the same reason: SQLite itself opens it in every other
command.

The snapshot is the size of the database in memory: a few hundred bytes an entry.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from evidence.case.store import NotRegularFile, irregular, open_stored

ATTEMPTS = 5
RETRY_PAUSE = 0.05  # seconds between attempts while a writer is busy

WAL_VERSIONS = b"\x02\x02"  # the header's read and write versions in WAL mode
ROLLBACK_VERSIONS = b"\x01\x01"
MAX_FILE_BYTES = 1 << 32  # 4 GiB: the database and its WAL are read into memory; a case is far smaller

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


class DatabaseFileError(sqlite3.OperationalError):
    """``evidence.db``, its ``-wal`` or its ``-shm`` is not a regular file of the case (a link, a FIFO, a
    device, a folder) or is too large to read; ``name`` is the file's name."""

    def __init__(self, name: str, problem: str) -> None:
        super().__init__(f"{name} is {problem}")
        self.name = name


def _stat(path: Path) -> _Stat:
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    return st.st_size, st.st_mtime_ns, st.st_ino


def _read(path: Path) -> bytes | None:
    """The bytes of ``path``, a regular file of at most ``MAX_FILE_BYTES``; None when there is no such file."""
    try:
        fd = open_stored(path)
    except FileNotFoundError:
        return None
    except NotRegularFile as exc:
        raise DatabaseFileError(path.name, str(exc.strerror)) from None
    with os.fdopen(fd, "rb") as fh:
        size = os.fstat(fd).st_size
        if size > MAX_FILE_BYTES:
            raise DatabaseFileError(
                path.name, f"{size} bytes, more than the {MAX_FILE_BYTES} a case's can be"
            )
        # One byte more than the size: a file that grew since is seen to have changed (its size differs).
        return fh.read(size + 1)


def _wal(db: Path) -> Path:
    return db.with_name(db.name + "-wal")


def _shm(db: Path) -> Path:
    return db.with_name(db.name + "-shm")


def open_snapshot(db: Path) -> Snapshot:
    """A read-only connection to the database at ``db`` as it is now; raises ``sqlite3.Error`` when the file
    cannot be read or is not a database, ``DatabaseFileError`` when it, its WAL or its ``-shm`` is not a
    regular file (see above)."""
    wal = _wal(db)
    kind = irregular(_shm(db))
    if kind is not None:
        raise DatabaseFileError(_shm(db).name, f"{kind}, not a file of the case")
    for attempt in range(ATTEMPTS):
        if attempt:
            time.sleep(RETRY_PAUSE)
        before = (_stat(db), _stat(wal))
        try:
            data = _read(db)
        except OSError as exc:
            raise sqlite3.OperationalError(f"cannot read {db.name} ({exc.strerror})") from None
        if data is None:
            raise sqlite3.OperationalError(f"cannot read {db.name} (no such file)")
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
