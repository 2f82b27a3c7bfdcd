"""The one write path of a case: nothing else in the package opens a write transaction on it.

- ``lock()``: one writer at a time (``flock`` on ``evidence.lock``), and on taking it, recovery of what a
  killed writer left (objects no entry names, staging files, half-written reports and bundles).
- ``placing(staged)``: the protocol every change that brings objects follows: (1) journal the objects about to
  appear (``pending_objects``), (2) place them in the store, (3) one transaction for the entries naming them;
  a failure or a kill leaves no object that no entry names, and the verifier can tell that from tampering.
- ``append(key, kind, body)``: a ledger append and its projection (``index.apply``), inside a transaction.
- ``append_one``: one entry that brings no objects, in its own locked transaction.
- checkpoints (a signed Merkle root over the ledger), planned and re-appended identical for the anchor.
- ``publish(path, ...)``: an output file (report, bundle) written in the staging folder (beside its target in an
  encrypted case: never plaintext inside the case folder), its entry committed, and only then moved into place
  (``pending_outputs`` journals it so a kill is finished or undone).
- ``create`` (a new case's genesis) and ``reindex`` (projections rebuilt by a newer version).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import stat
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from evidence.case import index, ledger
from evidence.case import sqldriver as sqlite3
from evidence.case.folder import CaseFolder, canonical_loads, tool_info
from evidence.case.formats import (
    IMPORT_JOURNAL,
    LOCK_NAME,
    OUTPUT_TEMP_NAME,
    OUTPUT_TEMP_PREFIX,
    OUTPUTS_JOURNAL,
    OUTPUTS_JOURNAL_COLUMNS,
    Kind,
)
from evidence.case.ledger import Entry
from evidence.case.store import CHUNK, Staged, fsync_dir, hash_file, is_hash_name, open_stored
from evidence.errors import CaseError, StorageError

if TYPE_CHECKING:
    from evidence.case.signing import SigningKey

OUTPUT_KINDS = frozenset({Kind.REPORT_GENERATED, Kind.EXPORT_CREATED})  # what ``publish`` records


SQLITE_FULL = 13  # the SQLite result code of a full disk


def rollback(conn: sqlite3.Connection) -> None:
    """Roll back the open transaction, if there still is one: SQLite has already rolled back by itself when a
    commit failed on a full disk, and a second ROLLBACK would hide that error behind "no transaction"."""
    if conn.in_transaction:
        conn.execute("ROLLBACK")


def _disk_full(exc: BaseException) -> bool:
    if isinstance(exc, sqlite3.OperationalError):
        return "full" in str(exc) or getattr(exc, "sqlite_errorcode", None) == SQLITE_FULL
    return isinstance(exc, OSError) and exc.errno == errno.ENOSPC


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection, root: Path, what: str = "nothing was recorded") -> Iterator[None]:
    """One write transaction: committed when the block ends, rolled back when it raises; a full disk is a
    StorageError (exit 7) saying ``what`` became of the command, never a traceback."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
        conn.execute("COMMIT")
    except BaseException as exc:
        rollback(conn)
        if _disk_full(exc):
            raise StorageError(
                f"the disk is full; {what}", path=root, hint="free some space and retry"
            ) from None
        raise


def create(conn: sqlite3.Connection, key: SigningKey, genesis: dict[str, Any], root: Path) -> Entry:
    """A new case database: the ledger and index schemas and the signed ``case.created`` genesis entry."""
    ledger.create_schema(conn)
    index.create_schema(conn)
    index.set_version(conn)
    with transaction(conn, root, "the case was not created"):
        entry = ledger.append(conn, key, Kind.CASE_CREATED, genesis)
    return entry


class Writer:
    """The write path over one open case folder."""

    def __init__(self, case: CaseFolder) -> None:
        self.case = case
        self.conn = case.conn
        self.store = case.store

    # -- the lock and recovery ------------------------------------------------------------------------

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """The one-writer-at-a-time lock, with recovery from a writer that died mid-import."""
        if self.case.readonly:
            raise CaseError("the case was opened read-only")
        lock_path = self.case.root / LOCK_NAME
        try:
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise StorageError(f"cannot lock the case ({exc.strerror})", path=lock_path) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            self._recover()
            yield
        finally:
            os.close(fd)

    def _recover(self) -> None:
        """Undo what a killed import left: placed objects no committed entry names, and staging files; finish
        or clean what a killed report/export left (see ``_recover_outputs``).

        The journals are unsigned: anyone who can write to the folder can add rows. So a row is trusted for
        nothing but a name inside the case: ``pending_objects`` rows must be object hashes (a removal only
        ever touches a regular file in the case's own store, see ``ObjectStore.remove``), and a row that is
        not is left alone, with a note (verify reports it as ``JOURNAL_INVALID``).
        """
        notes = self.case.recovery_notes
        self._recover_outputs()
        pending = self.conn.execute(f"SELECT DISTINCT sha256 FROM {IMPORT_JOURNAL}").fetchall()  # noqa: S608
        if pending:
            named = self._named_objects()
            for (sha,) in pending:
                if not isinstance(sha, str) or not is_hash_name(sha):
                    notes.append(
                        f"{IMPORT_JOURNAL}: a row names {str(sha)[:120]!r}, not an object of the case: left "
                        "alone, nothing removed (no tool of ours writes such a row; 'evidence verify' reports it)"
                    )
                    continue
                if sha not in named:
                    self.store.remove(sha)
                self.conn.execute(f"DELETE FROM {IMPORT_JOURNAL} WHERE sha256 = ?", (sha,))  # noqa: S608
        if os.path.lexists(self.store.tmp) and not self.store.staging_safe():
            notes.append(
                f"{self.store.tmp}: not a folder of the case (a link out of it?): nothing in it was removed"
            )
        self.store.collect_abandoned_stages()

    def _named_objects(self) -> set[str]:
        named: set[str] = set()
        for entry in self.case.entries():
            body = canonical_loads(entry.body_text)
            for obj in body.get("objects", []) if isinstance(body, dict) else []:
                named.add(obj["sha256"])
        return named

    def _outputs_journal(self) -> None:
        """The journal of report/export files being written (created here, so cases made before it get it)."""
        self.conn.execute(f"CREATE TABLE IF NOT EXISTS {OUTPUTS_JOURNAL} ({OUTPUTS_JOURNAL_COLUMNS})")
        ledger.create_private_schema(self.conn)  # cases made before private details were kept apart

    def _recover_outputs(self) -> None:
        """Finish or clean the report/export files a killed writer left in the staging folder.

        Each output is journalled in ``pending_outputs`` (its temporary file's name, ``output-<hex>`` in
        ``objects/tmp`` or, in an encrypted case, beside the target: ``output_temp``; its target) before the
        file is written; the row gets the file's SHA-256 and entry number in the
        transaction that commits the entry, and is deleted once the file is moved to its target. So a row
        without an entry number is an output whose entry never committed: its temporary file is removed. A
        row with one whose temporary file is still there was killed between the commit and the move: the file
        is moved to its target if its hash is the one the entry records (see ``_finish_output``).

        Nothing outside the case is deleted: a row is trusted only for a file name in the case's staging
        folder, and the target only for where a genuine output of this case goes (the signed entry names its
        kind, hash and file name; the target must not exist). A row that fails these checks is left alone,
        with a note; a temporary output that no row names is removed (it is the case's own).
        """
        self._outputs_journal()
        notes = self.case.recovery_notes
        rows = self.conn.execute(f"SELECT tmp, target, kind, sha256, seq FROM {OUTPUTS_JOURNAL}").fetchall()  # noqa: S608
        kept: set[str] = set()
        for tmp_name, target_name, kind, sha, seq in rows:
            tmp = self._output_temp(tmp_name, target_name)
            if tmp is None:
                where = "beside its target" if self.store.sealed else "in the case's objects/tmp"
                notes.append(
                    f"{OUTPUTS_JOURNAL}: a row names {str(tmp_name)[:120]!r}, not a temporary output {where}: "
                    "left alone, nothing deleted or moved (no tool of ours writes such a "
                    "row; 'evidence verify' reports it)"
                )
                continue
            if seq is None:
                self._remove_temp(tmp)
            elif os.path.lexists(tmp) and not self._finish_output(tmp, str(target_name), str(kind), sha, seq):
                kept.add(tmp.name)
                continue
            self.conn.execute(f"DELETE FROM {OUTPUTS_JOURNAL} WHERE tmp = ?", (tmp_name,))  # noqa: S608
        if self.store.staging_safe():
            for stray in self.store.tmp.glob(f"{OUTPUT_TEMP_PREFIX}*"):
                if stray.name not in kept and OUTPUT_TEMP_NAME.fullmatch(stray.name):
                    self._remove_temp(stray)

    def _output_temp(self, name: object, target: object) -> Path | None:
        """The temporary output a journal row names, when it is one: ``output-<hex>`` in the case's own
        staging folder (a relative name, checked after resolving the folder), or in an encrypted case beside
        its target, an absolute path in an existing folder outside the case (see ``output_temp``); else None."""
        if not isinstance(name, str) or not OUTPUT_TEMP_NAME.fullmatch(name):
            return None
        if self.store.sealed:
            if not isinstance(target, str) or not self._outside_case(Path(target)):
                return None
            return self.output_temp(name, Path(target))
        if not self.store.staging_safe():
            return None
        return self.store.tmp / name

    @staticmethod
    def _remove_temp(tmp: Path) -> None:
        """Remove a temporary output of the staging folder (a regular file; a link or anything else stays)."""
        with contextlib.suppress(OSError):
            if stat.S_ISREG(os.lstat(tmp).st_mode):
                tmp.unlink()

    def _entry_matches(self, seq: object, kind: str, sha: object, target: Path) -> bool:
        """Whether signed entry ``seq`` is the ``kind`` entry of an output with SHA-256 ``sha`` named
        ``target.name`` (the verifier checks the entry's signature; an edited entry fails there)."""
        if not isinstance(seq, int) or kind not in OUTPUT_KINDS or not isinstance(sha, str):
            return False
        row = self.conn.execute("SELECT kind, body FROM ledger WHERE seq = ?", (seq,)).fetchone()
        if row is None or row[0] != kind:
            return False
        try:
            body = canonical_loads(row[1])
        except ValueError:
            return False
        return isinstance(body, dict) and body.get("sha256") == sha and body.get("file_name") == target.name

    def _finish_output(self, tmp: Path, target_name: str, kind: str, sha: object, seq: object) -> bool:
        """Move a committed output's temporary file to its target; False when the row stays (see the note)."""
        notes = self.case.recovery_notes
        target = Path(target_name)
        if not self._entry_matches(seq, kind, sha, target) or not self._outside_case(target):
            notes.append(
                f"{OUTPUTS_JOURNAL}: the row of {tmp} names no output of entry {seq} that may go to "
                f"{target_name[:200]!r}: left alone, nothing moved ('evidence verify' reports it)"
            )
            return False
        try:
            actual = hash_file(tmp, stored=True)[0]
            if actual != sha:
                self._remove_temp(tmp)
                notes.append(
                    f"{tmp}: removed; a killed {kind} (entry {seq}) left it, but its SHA-256 is not the recorded "
                    f"{str(sha)[:16]}...: run the command again"
                )
                return True
            if os.path.lexists(target):
                if stat.S_ISREG(os.lstat(target).st_mode) and hash_file(target, stored=True)[0] == sha:
                    self._remove_temp(tmp)
                    return True
                notes.append(
                    f"{tmp}: the complete output of {kind} entry {seq}, left by a killed run; not moved to "
                    f"{target}, which holds another file: move it yourself"
                )
                return False
            move_out(tmp, target)
        except OSError as exc:
            notes.append(
                f"{tmp}: the output of a killed {kind} (entry {seq}) could not be moved to {target} "
                f"({exc.strerror}); move it yourself"
            )
            return False
        notes.append(f"{target}: written from the complete file a killed {kind} (entry {seq}) left")
        return True

    def _outside_case(self, target: Path) -> bool:
        """Whether ``target`` is an absolute path in an existing folder outside the case (an output never
        goes into the case folder, where it could take the place of one of its files)."""
        if not target.is_absolute() or not target.parent.is_dir():
            return False
        folder = target.parent.resolve()
        case_root = self.case.root.resolve()
        return folder != case_root and case_root not in folder.parents

    def reindex(self) -> None:
        """Rebuild the projections of a case made by an older version, from its ledger (under the writer lock)."""
        with self.lock():
            if index.stored_version(self.conn) >= index.INDEX_VERSION:
                return  # another process did it while we waited for the lock
            entries = [(e, canonical_loads(e.body_text)) for e in self.case.entries()]
            with transaction(self.conn, self.case.root, "the index was not rebuilt"):
                index.migrate(self.conn, entries, self.store.read_bytes)

    # -- entries ---------------------------------------------------------------------------------------

    def append(
        self, key: SigningKey, kind: str, body: dict[str, Any], doc: dict[str, Any] | None = None
    ) -> Entry:
        """Inside the write transaction: append one entry and project it (``doc``: the records blob it names,
        already parsed, so the index need not read it back)."""
        entry = ledger.append(self.conn, key, kind, body)
        if doc is None:
            index.apply(self.conn, entry, body, self.store.read_bytes)
        else:
            index.apply(self.conn, entry, body, self.store.read_bytes, doc)
        return entry

    def append_one(
        self,
        key: SigningKey,
        kind: str,
        body: dict[str, Any],
        *,
        check: Callable[[sqlite3.Connection], None] | None = None,
    ) -> Entry:
        """Append one entry that brings no objects, in its own transaction under the lock; ``check`` runs
        first inside that transaction (and may refuse by raising)."""
        with self.lock(), transaction(self.conn, self.case.root):
            if check is not None:
                check(self.conn)
            entry = self.append(key, kind, body)
        return entry

    @contextlib.contextmanager
    def placing(self, staged: Sequence[Staged], op: str | None = None) -> Iterator[str]:
        """Under the writer lock: journal the ``staged`` objects as pending (``op``), place them, and open the
        write transaction for the caller's entries (the block). When the block ends, the journal rows go and the
        transaction commits; when it raises, the transaction rolls back, what this placed is removed and the
        journal rows go, so a failure or a kill leaves no object that no entry names (see ``_recover``).
        A full disk while committing is a StorageError."""
        op = op or str(uuid.uuid4())
        placed: list[str] = []
        try:
            # (1) Journal the objects about to appear, so a crash between placing them and committing the
            # entries that name them is undone by the next writer, and the verifier can tell it from tampering.
            with transaction(self.conn, self.case.root, "nothing was imported"):
                self.conn.executemany(
                    "INSERT OR IGNORE INTO pending_objects (sha256, op) VALUES (?, ?)",
                    [(s.sha256, op) for s in staged if not self.store.exists(s.sha256)],
                )
            # (2) Place them.
            for one in staged:
                if self.store.place(one):
                    placed.append(one.sha256)
            # (3) One transaction for every entry of the block.
            with transaction(self.conn, self.case.root, "nothing was imported"):
                yield op
                self.conn.execute("DELETE FROM pending_objects WHERE op = ?", (op,))
        except BaseException:
            for sha in placed:  # under the writer lock: exactly what this call placed
                self.store.remove(sha)
            with contextlib.suppress(sqlite3.Error):
                self.conn.execute("DELETE FROM pending_objects WHERE op = ?", (op,))
            raise

    def append_with_objects(
        self,
        kind: str,
        body: dict[str, Any],
        staged: list[Staged],
        key: SigningKey,
        *,
        first: tuple[Entry, dict[str, Any]] | None = None,
    ) -> Entry:
        """Place ``staged`` objects and append the one entry naming them, journalled as an import is.

        With ``first`` (an entry ``plan_checkpoint`` planned, and its body) the caller holds the writer lock;
        that entry is appended again, identical, in the same transaction just before this one."""
        try:
            with contextlib.nullcontext() if first is not None else self.lock(), self.placing(staged):
                if first is not None:
                    self._append_planned(key, *first)
                entry = self.append(key, kind, body)
        except BaseException:
            for one in staged:
                self.store.discard(one)
            raise
        return entry

    def _append_planned(self, key: SigningKey, planned: Entry, body: dict[str, Any]) -> None:
        """Inside the write transaction: append the entry ``planned`` again; it must come out identical."""
        again = ledger.append(self.conn, key, planned.kind, body, recorded_at=planned.recorded_at)
        if again.hash != planned.hash or again.seq != planned.seq:
            raise CaseError(
                f"the ledger changed while entry {planned.seq} was being timestamped; nothing was recorded"
            )

    # -- checkpoints (the Merkle tree over the ledger, see evidence.case.merkle) -----------------------------

    def append_checkpoint(self, key: SigningKey, *, commit: bool = True) -> Entry:
        """Under the writer lock: append a ``checkpoint.signed`` entry over every entry before it. With
        ``commit=False`` the transaction stays open, for the report or export entry to commit with it (so a
        failed or killed report or export leaves neither)."""
        from evidence.case.merkle import CHECKPOINT_KIND

        if commit:
            with transaction(self.conn, self.case.root):
                return ledger.append(self.conn, key, CHECKPOINT_KIND, self._checkpoint_body(key))
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            return ledger.append(self.conn, key, CHECKPOINT_KIND, self._checkpoint_body(key))
        except BaseException:
            rollback(self.conn)
            raise

    def _checkpoint_body(self, key: SigningKey) -> dict[str, Any]:
        """Inside the write transaction: the body of a ``checkpoint.signed`` entry over every entry so far."""
        from evidence.case.merkle import Checkpoint, checkpoint_body, ledger_tree

        hashes = [str(row[0]) for row in self.conn.execute("SELECT hash FROM ledger ORDER BY seq")]
        tree = ledger_tree(hashes)
        checkpoint = Checkpoint(str(self.case.genesis["case_id"]), tree.size, tree.root())
        return {**checkpoint_body(checkpoint, key), "tool": tool_info()}

    def plan_checkpoint(self, key: SigningKey) -> tuple[Entry, dict[str, Any]]:
        """Under the writer lock: the ``checkpoint.signed`` entry that would be appended now (and its body),
        computed in a transaction that is rolled back; ``append_with_objects(..., first=...)`` appends it
        again, identical, while the lock is still held."""
        from evidence.case.merkle import CHECKPOINT_KIND

        self.conn.execute("BEGIN IMMEDIATE")
        try:
            body = self._checkpoint_body(key)
            planned = ledger.append(self.conn, key, CHECKPOINT_KIND, body)
        finally:
            rollback(self.conn)
        return planned, body

    @contextlib.contextmanager
    def checkpoint_first(self, key: SigningKey) -> Iterator[Entry]:
        """Sign a checkpoint in a transaction left open for ``publish`` to commit; rolled back on failure."""
        entry = self.append_checkpoint(key, commit=False)
        try:
            yield entry
        except BaseException:
            rollback(self.conn)
            raise

    # -- outputs (reports, bundles) ----------------------------------------------------------------------

    def publish(
        self, path: Path, what: str, kind: str, write: Callable[[BinaryIO], dict[str, Any]], key: SigningKey
    ) -> tuple[Entry, dict[str, Any]]:
        """Write an output file (a report, a bundle) and record it, in the order that keeps both consistent.

        ``write`` fills a temporary file (``output_temp``: the case's staging folder, ``objects/tmp/output-<hex>``;
        in an encrypted case beside the target) and returns the entry's body; under the writer lock the file is
        fsynced, the ``kind`` entry appended in one transaction, and only then the file moved into place
        (``move_out``) and its folder fsynced. The temporary file is journalled (``pending_outputs``, by its
        name ``output-<hex>`` and its target) before it is written: a failure before the commit leaves nothing,
        and a kill leaves a temporary file that the next writer removes (no entry) or moves into place (the
        entry committed; see ``_recover_outputs``).
        """
        path = path.absolute()
        with self.lock():
            name = f"{OUTPUT_TEMP_PREFIX}{uuid.uuid4().hex[:24]}"
            tmp = self.output_temp(name, path)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                if not self.store.sealed:
                    self.store.tmp.mkdir(parents=True, exist_ok=True)
                    if not self.store.staging_safe():
                        raise OSError(errno.ELOOP, "objects/tmp is not a folder of the case")
                # Journalled before the file exists, so that the next writer removes the temporary file if
                # this one dies before its entry commits, and moves it into place if it dies after.
                self.conn.execute(
                    f"INSERT INTO {OUTPUTS_JOURNAL} (tmp, target, kind) VALUES (?, ?, ?)",  # noqa: S608
                    (name, str(path), kind),
                )
                os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600))
            except OSError as exc:
                with contextlib.suppress(sqlite3.Error):
                    self.conn.execute(f"DELETE FROM {OUTPUTS_JOURNAL} WHERE tmp = ?", (name,))  # noqa: S608
                raise StorageError(f"cannot write the {what} ({exc.strerror})", path=path) from None
            try:
                with open(tmp, "w+b") as fh:
                    body = write(fh)
                    fh.flush()
                    os.fsync(fh.fileno())
                if not self.conn.in_transaction:  # ``write`` may have begun it (to sign a checkpoint first)
                    self.conn.execute("BEGIN IMMEDIATE")
                try:
                    entry = ledger.append(self.conn, key, kind, body)
                    self.conn.execute(
                        f"UPDATE {OUTPUTS_JOURNAL} SET sha256 = ?, seq = ? WHERE tmp = ?",  # noqa: S608
                        (body["sha256"], entry.seq, name),
                    )
                    self.conn.execute("COMMIT")
                except BaseException:
                    rollback(self.conn)
                    raise
                move_out(tmp, path)
                self.conn.execute(f"DELETE FROM {OUTPUTS_JOURNAL} WHERE tmp = ?", (name,))  # noqa: S608
            except BaseException as exc:
                rollback(
                    self.conn
                )  # ``write`` may have begun a transaction (a checkpoint): nothing committed
                self._drop_output(tmp, name)
                if _disk_full(exc):
                    raise StorageError(
                        f"the disk is full; the {what} was not written",
                        path=path,
                        hint="free some space and retry",
                    ) from None
                if isinstance(exc, OSError):
                    raise StorageError(f"cannot write the {what} ({exc.strerror})", path=path) from None
                raise
        return entry, body

    def _drop_output(self, tmp: Path, name: str) -> None:
        """Remove the temporary file of an output that failed, and its journal row (``name``) unless its entry
        committed (then the next writer finishes it)."""
        with contextlib.suppress(sqlite3.Error):
            row = self.conn.execute(
                f"SELECT seq FROM {OUTPUTS_JOURNAL} WHERE tmp = ?",  # noqa: S608
                (name,),
            ).fetchone()
            if row is not None and row[0] is not None:
                return
            self.conn.execute(f"DELETE FROM {OUTPUTS_JOURNAL} WHERE tmp = ?", (name,))  # noqa: S608
        self._remove_temp(tmp)

    def output_temp(self, name: str, target: Path) -> Path:
        """Where the output journalled as ``name`` (``output-<hex>``) is written before it is moved to
        ``target``: the case's staging folder, or in an encrypted case a hidden file beside the target
        (``.<target name>.output-<hex>``).

        A report or a bundle is plaintext (the user asked for it, where they asked for it); staged in the case
        folder it would put the case's content, decrypted, inside the case until the move. Beside the target it
        is where the user asked for it, and the move is a rename within one folder. The journal row is trusted
        for that location because an encrypted case's database cannot be written without the key (in a plain
        case anyone who can write the folder can add rows, so there a row names only a file of ``objects/tmp``).
        """
        if self.store.sealed:
            return target.parent / f".{target.name}.{name}"
        return self.store.tmp / name


def move_out(tmp: Path, target: Path) -> None:
    """Move a finished output from the staging folder to its target, replacing what is there (the caller
    checked, or the user asked for it), then fsync the target's folder.

    A rename when both are on one file system; else (a case on a USB stick, the report on the desktop) a copy
    into a new temporary file beside the target, fsynced and renamed over it, then the staged file removed.
    """
    try:
        os.replace(tmp, target)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        beside = target.parent / f".{target.name}.{uuid.uuid4().hex[:12]}.tmp"
        fd = os.open(beside, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        try:
            with os.fdopen(fd, "wb") as out, os.fdopen(open_stored(tmp), "rb") as src:
                shutil.copyfileobj(src, out, CHUNK)
                out.flush()
                os.fsync(out.fileno())
            os.replace(beside, target)
        except BaseException:
            with contextlib.suppress(OSError):
                beside.unlink()  # made above by this call, never a file the journal named
            raise
        tmp.unlink()
    fsync_dir(target.parent)
