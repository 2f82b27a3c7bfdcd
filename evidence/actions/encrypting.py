"""``evidence encrypt``: turn a plain case into an encrypted one, its ledger unchanged.

The encrypted case is built beside the plain one, in a hidden sibling folder (``.NAME.encrypting-<hex>``): a
new vault under the new passphrase, the signing key protected by it, every stored object sealed (each one's
plaintext re-hashed on the way: an object that is not the bytes its name says stops the conversion, nothing
changed), and the database exported page by page into a SQLCipher-encrypted copy (``sqlcipher_export``: every
table, index, trigger and full-text table, the ledger row for row, so every head and checkpoint verifies as
before). The copy is then checked: the same ledger head, every table the same number of rows.

Only then are the folders swapped, by two renames: the plain case goes aside (``.NAME.plain-<hex>``), the
encrypted one takes its name. A crash between the two leaves both folders complete under those names (the
error says which to rename back). Last, the plain folder is removed: every file overwritten with zeros,
flushed to the disk, then deleted. On an SSD, a copy-on-write or journalling file system, in snapshots, backups
or a synchronised cloud folder, old blocks or copies can survive that (the README says what to do).

The writer lock of the plain case is held throughout, so no other command changes it meanwhile.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from evidence.case import sqldriver as sqlite3
from evidence.case.folder import CaseFolder, PassphraseSource, connect
from evidence.case.formats import (
    CERTIFICATE_NAME,
    DB_NAME,
    KEYS_DIR,
    LOCK_NAME,
    OBJECTS_DIR,
    SQLCIPHER_SETTINGS,
)
from evidence.case.ledger import Head, head
from evidence.case.store import ObjectStore, fsync_dir, is_hash_name
from evidence.case.writer import Writer
from evidence.errors import CaseError, StorageError, UsageError

if TYPE_CHECKING:
    from evidence.case.vault import Cost


@dataclass(frozen=True)
class Encrypted:
    """What ``encrypt`` did."""

    root: Path
    objects: int  # objects sealed
    head: Head  # the ledger head, the same before and after
    shredded: int  # plain files overwritten and removed


def encrypt(
    case: CaseFolder,
    passphrase: str,
    *,
    signing_passphrase: PassphraseSource | str | None = None,
    cost: Cost | None = None,
    progress: Callable[[str], None] | None = None,
) -> Encrypted:
    """Encrypt the plain case ``case`` under ``passphrase`` (see the module's docstring). ``case`` is closed:
    open the case again (with the passphrase) to use it."""
    from evidence.case import vault

    if case.keys is not None:
        raise UsageError("this case is encrypted already", path=case.root)
    if not passphrase:
        raise UsageError("an encrypted case needs a passphrase", hint="type one when asked")
    root = case.root
    token = secrets.token_hex(6)
    building = root.with_name(f".{root.name}.encrypting-{token}")
    aside = root.with_name(f".{root.name}.plain-{token}")
    write = Writer(case)
    with write.lock():
        key = case.signing_key(signing_passphrase)
        before = case.head()
        try:
            building.mkdir(mode=0o700)
            keys = vault.create_vault(building / KEYS_DIR, passphrase, cost=cost or vault.DEFAULT_COST)
            key.save(building / KEYS_DIR, keys.signing_secret)
            _copy_certificate(root, building)
            sealed = _seal_objects(case.store, ObjectStore(building / OBJECTS_DIR, keys), progress)
            if progress:
                progress("the database")
            _export_database(case.conn, building / DB_NAME, keys.db_key)
            _check_copy(case.conn, building / DB_NAME, keys.db_key, before)
            (building / LOCK_NAME).touch(mode=0o644)
            fsync_dir(building)
        except OSError as exc:
            _shred(building)
            raise StorageError(
                f"cannot write the encrypted copy ({exc.strerror}): nothing changed", path=root
            ) from None
        except BaseException:
            _shred(building)
            raise
        case.close()
        try:
            os.rename(root, aside)
        except OSError as exc:
            _shred(building)
            raise StorageError(
                f"cannot rename the case folder ({exc.strerror}); it is unchanged", path=root
            ) from None
        try:
            os.rename(building, root)
        except OSError as exc:
            raise StorageError(
                f"the plain case was moved to {aside.name} but the encrypted one could not take its place "
                f"({exc.strerror})",
                path=root,
                hint=f"rename {aside} back to {root.name}; the encrypted copy is {building}",
            ) from None
    fsync_dir(root.parent)
    shredded = _shred(aside)
    return Encrypted(root=root, objects=sealed, head=before, shredded=shredded)


def _copy_certificate(root: Path, building: Path) -> None:
    from evidence.case.signing import read_key_file, write_key_file

    certificate = root / KEYS_DIR / CERTIFICATE_NAME
    if certificate.is_file():
        write_key_file(
            building / KEYS_DIR / CERTIFICATE_NAME, read_key_file(certificate), 0o644, replace=False
        )


def _seal_objects(plain: ObjectStore, sealed: ObjectStore, progress: Callable[[str], None] | None) -> int:
    """Seal every object of the plain store into ``sealed``, re-hashing each; CaseError when one is not the
    bytes its name says (run verify: nothing is converted)."""
    sealed.create()
    count = 0
    with sealed.session():
        for name, _path in plain.iter_names():
            if not is_hash_name(name):
                continue  # not an object (verify reports it); not carried over
            with plain.open(name) as fh:
                staged = sealed.stage_stream(fh, plain.relpath_for(name))
            if staged.sha256 != name:
                sealed.discard(staged)
                raise CaseError(
                    f"{plain.relpath_for(name)} is not the bytes its name says: nothing was encrypted",
                    path=plain.root.parent,
                    hint="run 'evidence verify' and restore the case from a copy first",
                )
            sealed.place(staged)
            count += 1
            if progress and count % 200 == 0:
                progress(f"{count} files sealed")
    return count


def _export_database(conn: sqlite3.Connection, target: Path, db_key: bytes) -> None:
    """Copy the plain database, every page of it, into a new SQLCipher-encrypted database at ``target``."""
    try:
        conn.execute("ATTACH DATABASE ? AS encrypted KEY ?", (str(target), f"x'{db_key.hex()}'"))
        for setting in SQLCIPHER_SETTINGS:
            conn.execute(f"PRAGMA encrypted.{setting}")
        try:
            conn.execute("SELECT sqlcipher_export('encrypted')").fetchone()
        finally:
            conn.execute("DETACH DATABASE encrypted")
    except sqlite3.Error as exc:
        raise CaseError(
            f"cannot copy the case database ({exc}): nothing was encrypted", path=target
        ) from None
    copy = connect(target, key=db_key)  # WAL mode, as every case database
    copy.close()


def _check_copy(conn: sqlite3.Connection, target: Path, db_key: bytes, expected: Head) -> None:
    """The encrypted copy has the same ledger head and the same rows in every table."""
    copy = connect(target, readonly=True, key=db_key)
    try:
        if head(copy) != expected:
            raise CaseError("the encrypted copy's ledger differs: nothing was encrypted", path=target)
        tables = [
            str(name)
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        for table in tables:
            quoted = '"' + table.replace('"', '""') + '"'
            mine = conn.execute(f"SELECT count(*) FROM {quoted}").fetchone()[0]  # noqa: S608
            theirs = copy.execute(f"SELECT count(*) FROM {quoted}").fetchone()[0]  # noqa: S608
            if mine != theirs:
                raise CaseError(
                    f"the encrypted copy's table {table} differs ({theirs} rows, not {mine}): nothing was "
                    "encrypted",
                    path=target,
                )
    finally:
        copy.close()


def _shred(folder: Path) -> int:
    """Overwrite every regular file under ``folder`` with zeros, flush it to the disk, and remove the folder.
    Links are removed, never followed. Returns how many files were overwritten."""
    if not folder.exists():
        return 0
    count = 0
    for base, _dirs, names in os.walk(folder):
        for name in names:
            path = Path(base) / name
            with contextlib.suppress(OSError):
                if path.is_symlink() or not path.is_file():
                    continue
                os.chmod(path, 0o600)
                size = path.stat().st_size
                fd = os.open(path, os.O_WRONLY | os.O_NOFOLLOW)
                try:
                    zeros = bytes(min(size, 1 << 20))
                    left = size
                    while left > 0:
                        left -= os.write(fd, zeros[: min(left, len(zeros))])
                    os.fsync(fd)
                finally:
                    os.close(fd)
                count += 1
    for base, dirs, _names in os.walk(folder):
        for name in dirs:
            with contextlib.suppress(OSError):
                os.chmod(Path(base) / name, 0o700)
    shutil.rmtree(folder, ignore_errors=True)
    return count
