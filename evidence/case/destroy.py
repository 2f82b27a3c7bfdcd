"""Destroying an encrypted case's key (``evidence destroy-key``): after it nobody can read the case, not even
with the passphrase.

Every secret of an encrypted case comes from its data key, and the only copy of the data key on disk is
``keys/vault.json`` (wrapped under the passphrase). Destroying it overwrites ``keys/vault.json``, then
``keys/case.key`` (the signing key, encrypted under a key derived from the data key) and
``keys/unlock-failures``, each with random bytes of its own length, fsyncs, and removes them; a link there is
removed, not followed. What stays: the encrypted database and objects, unreadable, and the public key.

Limits, said plainly in the CLI and the README: an overwrite reaches the same blocks on a plain hard disk, not
on an SSD, a copy-on-write file system (btrfs, ZFS, APFS) or a journal that kept the old data; and any copy of
the case folder (a backup, a cloud sync, a USB stick) still opens with the passphrase. Whoever holds such a
copy and the passphrase can still read the case.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path

from evidence.case.formats import KEYS_DIR, PRIVATE_NAME, UNLOCK_FAILURES_NAME, VAULT_NAME
from evidence.case.store import fsync_dir
from evidence.errors import StorageError

DESTROYED = (VAULT_NAME, PRIVATE_NAME, UNLOCK_FAILURES_NAME)  # in this order: the vault first


def _overwrite(path: Path) -> None:
    """Overwrite the regular file ``path`` in place with random bytes of its length, and fsync it."""
    os.chmod(path, 0o600, follow_symlinks=False)
    fd = os.open(path, os.O_WRONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        size = os.fstat(fd).st_size
        written = 0
        while written < size:
            written += os.write(fd, secrets.token_bytes(min(size - written, 1 << 16)))
        os.fsync(fd)
    finally:
        os.close(fd)


def destroy_keys(root: Path) -> list[str]:
    """Overwrite and remove the case's key files (``DESTROYED``, those present); their names, in order.
    StorageError naming the file when one cannot be overwritten or removed (the files before it are gone)."""
    keys_dir = root / KEYS_DIR
    done: list[str] = []
    for name in DESTROYED:
        path = keys_dir / name
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            continue
        try:
            if stat.S_ISREG(info.st_mode):
                _overwrite(path)
            path.unlink()
        except OSError as exc:
            raise StorageError(f"cannot destroy {KEYS_DIR}/{name} ({exc.strerror})", path=path) from None
        done.append(name)
    with contextlib.suppress(OSError):
        fsync_dir(keys_dir)
    return done
