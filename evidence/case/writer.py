"""The one write path of a case: nothing else in the package opens a write transaction on it.

- ``lock()``: one writer at a time (``flock`` on ``evidence.lock``), and on taking it, recovery of what a
  killed writer left (objects no entry names, staging files, half-written reports and bundles).
- ``placing(staged)``: the protocol every change that brings objects follows: (1) journal the objects about to
  appear (``pending_objects``), (2) place them in the store, (3) one transaction for the entries naming them;
  a failure or a kill leaves no object that no entry names, and the verifier can tell that from tampering.
- ``append(key, kind, body)``: a ledger append and its projection (``index.apply``), inside a transaction.
- ``append_one``: one entry that brings no objects, in its own locked transaction.
- checkpoints (a signed Merkle root over the ledger), planned and re-appended identical for the anchor.
- ``publish(path, ...)``: an output file (report, bundle) written beside its target, its entry committed, and
  only then renamed into place (``pending_outputs`` journals it so a kill is finished or undone).
- ``create`` (a new case's genesis) and ``reindex`` (projections rebuilt by a newer version).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from evidence.case import index, ledger
from evidence.case.folder import CaseFolder, canonical_loads, tool_info
from evidence.case.formats import LOCK_NAME, Kind
from evidence.case.ledger import Entry
from evidence.case.store import Staged, fsync_dir, hash_file
from evidence.errors import CaseError, StorageError

if TYPE_CHECKING:
    from evidence.case.signing import SigningKey


def create(conn: sqlite3.Connection, key: SigningKey, genesis: dict[str, Any]) -> Entry:
    """A new case database: the ledger and index schemas and the signed ``case.created`` genesis entry."""
    ledger.create_schema(conn)
    index.create_schema(conn)
    index.set_version(conn)
    conn.execute("BEGIN IMMEDIATE")
    try:
        entry = ledger.append(conn, key, Kind.CASE_CREATED, genesis)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
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
        or clean what a killed report/export left (see ``_recover_outputs``)."""
        self._recover_outputs()
        pending = self.conn.execute("SELECT DISTINCT sha256 FROM pending_objects").fetchall()
        if pending:
            named = self._named_objects()
            for (sha,) in pending:
                if sha not in named:
                    self.store.remove(sha)
            self.conn.execute("DELETE FROM pending_objects")
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
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS pending_outputs ("
            "tmp TEXT PRIMARY KEY, target TEXT NOT NULL, kind TEXT NOT NULL, sha256 TEXT, seq INTEGER)"
        )

    def _recover_outputs(self) -> None:
        """Finish or clean the report/export files a killed writer left at their temporary names.

        Each output is journalled in ``pending_outputs`` before its temporary file is written; the row gets
        the file's SHA-256 and entry number in the transaction that commits the entry, and is deleted once the
        file is renamed into place. So a row without an entry number is an output whose entry never committed:
        its temporary file is removed. A row with one whose temporary file is still there was killed between
        the commit and the rename: the file is renamed into place if its hash is the one the entry records
        (and the target is free), else removed or left, with a note in ``recovery_notes``.
        """
        self._outputs_journal()
        rows = self.conn.execute("SELECT tmp, target, kind, sha256, seq FROM pending_outputs").fetchall()
        for tmp_name, target_name, kind, sha, seq in rows:
            tmp, target = Path(tmp_name), Path(target_name)
            if seq is None:
                tmp.unlink(missing_ok=True)
            elif tmp.exists():
                self._finish_output(tmp, target, kind, str(sha), int(seq))
            self.conn.execute("DELETE FROM pending_outputs WHERE tmp = ?", (tmp_name,))

    def _finish_output(self, tmp: Path, target: Path, kind: str, sha: str, seq: int) -> None:
        notes = self.case.recovery_notes
        try:
            actual = hash_file(tmp)[0]
            if actual != sha:
                tmp.unlink()
                notes.append(
                    f"{tmp}: removed; a killed {kind} (entry {seq}) left it, but its SHA-256 is not the recorded "
                    f"{sha[:16]}...: run the command again"
                )
                return
            if target.exists() and hash_file(target)[0] != sha:
                notes.append(
                    f"{tmp}: the complete output of {kind} entry {seq}, left by a killed run; not moved to "
                    f"{target}, which holds another file: rename it yourself"
                )
                return
            os.replace(tmp, target)
            fsync_dir(target.parent)
        except OSError as exc:
            # Not an error of the command now running: say so, and do not try again at every later command.
            notes.append(
                f"{tmp}: the output of a killed {kind} (entry {seq}) could not be moved to {target} "
                f"({exc.strerror}); move it yourself"
            )
            return
        notes.append(
            f"{target}: written from the complete file a killed {kind} (entry {seq}) left at {tmp.name}"
        )

    def reindex(self) -> None:
        """Rebuild the projections of a case made by an older version, from its ledger (under the writer lock)."""
        with self.lock():
            if index.stored_version(self.conn) >= index.INDEX_VERSION:
                return  # another process did it while we waited for the lock
            entries = [(e, canonical_loads(e.body_text)) for e in self.case.entries()]
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                index.migrate(self.conn, entries, self.store.read_bytes)
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise

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
        with self.lock():
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                if check is not None:
                    check(self.conn)
                entry = self.append(key, kind, body)
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
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
            self.conn.execute("BEGIN IMMEDIATE")
            self.conn.executemany(
                "INSERT OR IGNORE INTO pending_objects (sha256, op) VALUES (?, ?)",
                [(s.sha256, op) for s in staged if not self.store.exists(s.sha256)],
            )
            self.conn.execute("COMMIT")
            # (2) Place them.
            for one in staged:
                if self.store.place(one):
                    placed.append(one.sha256)
            # (3) One transaction for every entry of the block.
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield op
                self.conn.execute("DELETE FROM pending_objects WHERE op = ?", (op,))
                self.conn.execute("COMMIT")
            except BaseException as exc:
                self.conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.OperationalError) and "full" in str(exc):
                    raise StorageError(
                        "the disk is full; nothing was imported", path=self.case.root
                    ) from None
                raise
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

        self.conn.execute("BEGIN IMMEDIATE")
        try:
            entry = ledger.append(self.conn, key, CHECKPOINT_KIND, self._checkpoint_body(key))
            if commit:
                self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        return entry

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
            self.conn.execute("ROLLBACK")
        return planned, body

    @contextlib.contextmanager
    def checkpoint_first(self, key: SigningKey) -> Iterator[Entry]:
        """Sign a checkpoint in a transaction left open for ``publish`` to commit; rolled back on failure."""
        entry = self.append_checkpoint(key, commit=False)
        try:
            yield entry
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise

    # -- outputs (reports, bundles) ----------------------------------------------------------------------

    def publish(
        self, path: Path, what: str, kind: str, write: Callable[[BinaryIO], dict[str, Any]], key: SigningKey
    ) -> tuple[Entry, dict[str, Any]]:
        """Write an output file (a report, a bundle) and record it, in the order that keeps both consistent.

        ``write`` fills a temporary file beside ``path`` and returns the entry's body; under the writer lock the
        file is fsynced, the ``kind`` entry appended in one transaction, and only then the file renamed into
        place and its folder fsynced. The temporary file is journalled (``pending_outputs``) before it is written:
        a failure before the commit leaves nothing, and a kill leaves a temporary file that the next writer
        removes (no entry) or renames into place (the entry committed; see ``_recover_outputs``).
        """
        with self.lock():
            tmp = path.parent / f".{path.name}.{uuid.uuid4().hex[:12]}.tmp"
            tmp_name = str(tmp)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                # Journalled before the file exists, so that the next writer removes the temporary file if
                # this one dies before its entry commits, and renames it into place if it dies after.
                self.conn.execute(
                    "INSERT INTO pending_outputs (tmp, target, kind) VALUES (?, ?, ?)",
                    (tmp_name, str(path), kind),
                )
                os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            except OSError as exc:
                with contextlib.suppress(sqlite3.Error):
                    self.conn.execute("DELETE FROM pending_outputs WHERE tmp = ?", (tmp_name,))
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
                        "UPDATE pending_outputs SET sha256 = ?, seq = ? WHERE tmp = ?",
                        (body["sha256"], entry.seq, tmp_name),
                    )
                    self.conn.execute("COMMIT")
                except BaseException:
                    self.conn.execute("ROLLBACK")
                    raise
                os.replace(tmp, path)
                fsync_dir(path.parent)
                self.conn.execute("DELETE FROM pending_outputs WHERE tmp = ?", (tmp_name,))
            except OSError as exc:
                self._rollback_open()
                self._drop_output(tmp)
                raise StorageError(f"cannot write the {what} ({exc.strerror})", path=path) from None
            except BaseException:
                self._rollback_open()
                self._drop_output(tmp)
                raise
        return entry, body

    def _drop_output(self, tmp: Path) -> None:
        """Remove the temporary file of an output that failed, and its journal row unless its entry committed
        (then the next writer finishes it)."""
        with contextlib.suppress(sqlite3.Error):
            row = self.conn.execute("SELECT seq FROM pending_outputs WHERE tmp = ?", (str(tmp),)).fetchone()
            if row is not None and row[0] is not None:
                return
            self.conn.execute("DELETE FROM pending_outputs WHERE tmp = ?", (str(tmp),))
        tmp.unlink(missing_ok=True)

    def _rollback_open(self) -> None:
        """Roll back a transaction ``publish``'s ``write`` began (a checkpoint) and nothing committed."""
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")
