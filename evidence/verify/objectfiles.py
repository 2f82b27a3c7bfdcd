"""Where the verifier finds a case's objects, and how it reads and checks one, plain or sealed.

A plain case keeps each object under its SHA-256 (``objects/sha256/ab/ab...``) and an object is checked by
hashing it. An encrypted case keeps each one sealed (``evidence.case.sealed``) under a keyed name that does not
reveal the hash (``objects/sealed/cd/cd...``, the HMAC of the hash under the case's name key): an object is
checked by ``check_sealed``, which opens every chunk's AES-256-GCM tag and the file key's (bound to the claimed
plaintext SHA-256) and hashes the plaintext in memory. So a sealed file moved to another object's name, altered,
cut or lengthened, or sealed under another case's key fails its tag; nothing decrypted is written anywhere.

Everything here only reads: objects are opened as the store opens them (``open_stored``: no link followed, a
FIFO or a device refused without blocking). The verifier shares only these primitives with the writer
(``evidence.case.sealed``, ``evidence.case.formats``), never the store's class.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from evidence.case.formats import (
    HASH_DIR,
    OBJECTS_DIR,
    SEALED_DIR,
    object_relpath,
    object_subpath,
    sealed_subpath,
)
from evidence.case.sealed import check_sealed, read_sealed_bytes, sealed_name, sealed_size
from evidence.case.store import NotRegularFile, hash_file, is_hash_name, open_stored
from evidence.errors import SealedError

if TYPE_CHECKING:
    from evidence.case.vault import CaseKeys

# (hex SHA-256, or None when the file is gone, or what is wrong: "unreadable: ...", "a FIFO, not a file of the
# case", the sealed object's failed tag; size of the plaintext)
Hashed = tuple[str | None, int]


class ObjectFiles:
    """The objects of the case at ``root``: sealed when ``keys`` (an encrypted case's) are given."""

    def __init__(self, root: Path, keys: CaseKeys | None = None) -> None:
        self.root = root
        self.keys = keys
        self.folder = SEALED_DIR if keys is not None else HASH_DIR  # inside objects/

    @property
    def sealed(self) -> bool:
        """Whether the objects are sealed (an encrypted case)."""
        return self.keys is not None

    def name(self, sha: str) -> str:
        """The file name of the object whose plaintext SHA-256 is ``sha`` (a hex SHA-256)."""
        if self.keys is None:
            return sha
        return sealed_name(self.keys.name_key, sha)

    def relpath(self, sha: str) -> str:
        """The object's path relative to the case folder, as findings name it."""
        if self.keys is None:
            return object_relpath(sha)
        return f"{OBJECTS_DIR}/{sealed_subpath(self.name(sha))}"

    def path(self, sha: str) -> str:
        """The object's path in the case folder."""
        if self.keys is None:
            return f"{self.root}/{OBJECTS_DIR}/{object_subpath(sha)}"
        return f"{self.root}/{OBJECTS_DIR}/{sealed_subpath(self.name(sha))}"

    def check(self, sha: str) -> Hashed:
        """Check the object named ``sha``: its hash (and, sealed, every tag) and its plaintext size. Only a
        regular file is read, so no object can make this hang or never end."""
        path = self.path(sha)
        if self.keys is None:
            return hash_one(path)
        try:
            fd = open_stored(path)
        except FileNotFoundError:
            return None, 0
        except NotRegularFile as exc:
            return str(exc.strerror), 0
        except OSError as exc:
            return f"unreadable: {exc.strerror}", 0
        try:
            return sha, check_sealed(fd, self.keys.object_key, sha)
        except SealedError as exc:
            return exc.message, 0
        except OSError as exc:
            return f"unreadable: {exc.strerror}", 0
        finally:
            os.close(fd)

    def read(self, sha: str) -> bytes:
        """The plaintext of the object named ``sha``, checked when sealed (every tag and the hash). Raises
        OSError (``FileNotFoundError``, ``NotRegularFile``, ...), ``SealedError``, or ``KeyError`` when ``sha``
        is not a hex SHA-256 (a name from an unsigned table could otherwise walk out of the store)."""
        found = self.read_at_most(sha, None)
        assert found is not None
        return found

    def read_at_most(self, sha: str, limit: int | None) -> bytes | None:
        """As ``read``, but None when the object is larger than ``limit`` bytes (a plain one is read no
        further than that; a sealed one larger than any sealed copy of ``limit`` bytes is not decrypted)."""
        if not is_hash_name(sha):
            raise KeyError(sha)
        fd = open_stored(self.path(sha))
        with os.fdopen(fd, "rb") as fh:
            if self.keys is None:
                data = fh.read() if limit is None else fh.read(limit + 1)
            elif limit is not None and os.fstat(fd).st_size > sealed_size(limit):
                return None
            else:
                data = read_sealed_bytes(fh, self.keys.object_key, sha, path=self.relpath(sha))
        return data if limit is None or len(data) <= limit else None


def hash_one(path: str) -> Hashed:
    """A plain object's digest and size; only a regular file is read (a link is not followed, a FIFO or a
    device is not read: see ``evidence.case.store.open_stored``), so no object can make this hang or never
    end."""
    try:
        return hash_file(path, stored=True)
    except FileNotFoundError:
        return None, 0
    except NotRegularFile as exc:
        return str(exc.strerror), 0
    except OSError as exc:
        return f"unreadable: {exc.strerror}", 0
