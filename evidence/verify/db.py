"""Open a case's SQLite database for reading without changing one byte of the case folder.

SQLite's read-only mode is not enough for that. On a database in WAL mode (every case is), a ``mode=ro``
connection creates ``evidence.db-wal`` and ``evidence.db-shm`` when they are absent and leaves them behind,
and writes its read marks (after a crash, a whole rebuilt WAL index) into an existing ``-shm``.
``immutable=1`` writes nothing but reads no WAL, so it misses what a writer committed and did not yet copy
into the database file (a killed writer's last imports), and it is unsafe while a writer checkpoints.

So the verifier reads a snapshot:

  (a) the database file, and its WAL when there is one, are copied between two looks at their size,
      modification time and inode; when one changed meanwhile (a writer committed or checkpointed), the read
      is repeated;
  (b) without a WAL, the copy of those bytes is opened: nothing else is read or written;
  (c) with a WAL, the two files are copied into a private temporary folder and opened there, where SQLite
      applies the WAL's committed transactions (a transaction the writer did not finish is ignored, as SQLite
      always does) into the copy. The case's ``-shm`` is never opened.

When no stable snapshot can be had (a writer busy the whole time), the live database is opened with
``mode=ro`` and copied into a private file in one read transaction (SQLite's backup): a consistent, committed state;
SQLite may then touch ``-wal``/``-shm``, files the running writer is changing anyway. ``Snapshot.live`` says
which happened. Either way the checks run on a private copy, which SQLite's own checks (FTS5's
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

The snapshot is a private file (a temporary folder, removed at once: the open file stays readable until the
connection closes), streamed there, never the database whole in memory (a 100,000-record case's database is
180 MB): SQLite reads its pages through its small cache.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from evidence.case import sqldriver as sqlite3
from evidence.case.formats import SQLCIPHER_SETTINGS
from evidence.case.store import NotRegularFile, irregular, open_stored

ATTEMPTS = 5
RETRY_PAUSE = 0.05  # seconds between attempts while a writer is busy

WAL_VERSIONS = b"\x02\x02"  # the header's read and write versions in WAL mode
ROLLBACK_VERSIONS = b"\x01\x01"
MAX_FILE_BYTES = 1 << 32  # 4 GiB: the database and its WAL are copied; a case is far smaller

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


def _copy(path: Path, target: Path) -> bool:
    """Copy ``path``, a regular file of at most ``MAX_FILE_BYTES``, to ``target`` (a new private file); False when
    there is no such file. Streamed: the copy never is in memory whole."""
    try:
        fd = open_stored(path)
    except FileNotFoundError:
        return False
    except NotRegularFile as exc:
        raise DatabaseFileError(path.name, str(exc.strerror)) from None
    with os.fdopen(fd, "rb") as fh, open(target, "xb") as out:
        size = os.fstat(fd).st_size
        if size > MAX_FILE_BYTES:
            raise DatabaseFileError(
                path.name, f"{size} bytes, more than the {MAX_FILE_BYTES} a case's can be"
            )
        # One byte more than the size at most: a file that grew since is seen to have changed (its size differs).
        left = size + 1
        while left > 0:
            chunk = fh.read(min(COPY_CHUNK, left))
            if not chunk:
                break
            out.write(chunk)
            left -= len(chunk)
    return True


COPY_CHUNK = 1 << 20


def _wal(db: Path) -> Path:
    return db.with_name(db.name + "-wal")


def _shm(db: Path) -> Path:
    return db.with_name(db.name + "-shm")


def open_snapshot(db: Path, *, key: bytes | None = None) -> Snapshot:
    """A read-only connection to the database at ``db`` as it is now; raises ``sqlite3.Error`` when the file
    cannot be read or is not a database, ``DatabaseFileError`` when it, its WAL or its ``-shm`` is not a
    regular file (see above). ``key`` is an encrypted case's database key: the private copy is the encrypted
    file itself, decrypted page by page in memory only, never written out in the clear."""
    wal = _wal(db)
    kind = irregular(_shm(db))
    if kind is not None:
        raise DatabaseFileError(_shm(db).name, f"{kind}, not a file of the case")
    for attempt in range(ATTEMPTS):
        if attempt:
            time.sleep(RETRY_PAUSE)
        before = (_stat(db), _stat(wal))
        folder = Path(tempfile.mkdtemp(prefix="evidence-verify-"))
        try:
            copy = folder / "snapshot.db"
            try:
                present = _copy(db, copy)
            except OSError as exc:
                raise sqlite3.OperationalError(f"cannot read {db.name} ({exc.strerror})") from None
            if not present:
                raise sqlite3.OperationalError(f"cannot read {db.name} (no such file)")
            try:
                logged = _copy(wal, _wal(copy)) and _wal(copy).stat().st_size > 0
            except OSError:
                break  # unreadable: a live writer's, or damaged; the live connection below says which
            if (_stat(db), _stat(wal)) != before:
                continue
            return Snapshot(_untrusted(_open_copy(copy, logged, key)), live=False)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    return Snapshot(_untrusted(_live(db, key)), live=True)


def _untrusted(conn: sqlite3.Connection) -> sqlite3.Connection:
    conn.execute("PRAGMA trusted_schema = OFF")
    return conn


def _key(conn: sqlite3.Connection, key: bytes | None) -> None:
    """SQLCipher's raw key, the first statement on a connection to an encrypted case's database."""
    if key is not None:
        # SQLCipher logs a page that fails its HMAC on stderr, line after line; the verifier reports it
        # (DATABASE_CORRUPT, DATABASE_UNREADABLE) in its own words instead. (A setting of the process.)
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        for setting in SQLCIPHER_SETTINGS:
            conn.execute(f"PRAGMA {setting}")


def _open_copy(copy: Path, logged: bool, key: bytes | None = None) -> sqlite3.Connection:
    """The private copy at ``copy`` opened, its WAL (when ``logged``) applied, as a database of its own that
    needs no file beside it: journal in memory, so the caller may remove the folder (the open file stays
    readable until the connection closes) and SQLite's own checks may write to it."""
    if key is not None:
        logged = True  # an encrypted header cannot be edited in place: SQLite leaves WAL mode itself below
    if not logged:
        with open(copy, "r+b") as fh:
            fh.seek(18)
            if fh.read(2) == WAL_VERSIONS:
                # Without its WAL, say "rollback journal" in the copy's header (bytes 18-19, the file format
                # versions), which is all that differs for a reader: SQLite then needs no -wal or -shm beside it.
                fh.seek(18)
                fh.write(ROLLBACK_VERSIONS)
    conn = sqlite3.connect(copy, isolation_level=None)
    try:
        _key(conn, key)
        if logged:
            # Leaving WAL mode copies the WAL's committed transactions into the database file (one the writer
            # did not finish is ignored, as SQLite always does) and removes the copy's WAL.
            conn.execute("PRAGMA journal_mode = DELETE").fetchone()
        conn.execute("PRAGMA journal_mode = MEMORY").fetchone()
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # opened now, before the folder goes
    except BaseException:
        conn.close()
        raise
    return conn


def _live(db: Path, key: bytes | None = None) -> sqlite3.Connection:
    """The live database copied, in one read transaction (a busy writer's committed state), into a private
    file (see ``_open_copy``)."""
    source = sqlite3.connect(f"{db.absolute().as_uri()}?mode=ro", uri=True, isolation_level=None)
    _key(source, key)
    folder = Path(tempfile.mkdtemp(prefix="evidence-verify-"))
    try:
        target = sqlite3.connect(folder / "snapshot.db", isolation_level=None)
        try:
            _key(target, key)  # the private copy is encrypted with the same key (SQLCipher's backup needs it)
            source.execute("PRAGMA busy_timeout = 60000")
            source.backup(target)
            target.execute("PRAGMA journal_mode = MEMORY").fetchone()
        except BaseException:
            target.close()
            raise
        return target
    finally:
        source.close()
        shutil.rmtree(folder, ignore_errors=True)
