"""The verifier's fast paths: entry signatures checked in worker processes, stored objects hashed in threads
started while the ledger is being checked. Both give exactly the findings the plain, one-by-one way gives
(``tests/verify/test_verify_speed.py``).
"""

from __future__ import annotations

import multiprocessing
import os
import stat
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from evidence.case.formats import HASH_DIR, OBJECTS_DIR, object_relpath
from evidence.case.signing import PublicKey, bad_signatures
from evidence.case.store import NotRegularFile, hash_file
from evidence.verify._common import is_lower_hex

# Ed25519 verification takes ~120 us an entry and holds the GIL: a ledger longer than this has its signatures
# checked in worker processes (in chunks), while this process checks the bodies and hashes.
SIGNATURE_PROCESS_MIN = 4_000
SIGNATURE_CHUNK = 2_000


class SignatureCheck:
    """The signatures of many entries, checked in worker processes when there are enough of them.

    Only the public key and (signature, hash) bytes go to the workers, only the positions of bad signatures
    come back. Small ledgers (and platforms without ``fork``) are checked in this process.
    """

    def __init__(self, key: PublicKey, pairs: list[tuple[bytes, bytes]]) -> None:
        self.key = key
        self.pairs = pairs
        self.pool: ProcessPoolExecutor | None = None
        self.futures: list[tuple[int, Future[list[int]]]] = []
        workers = min(os.cpu_count() or 1, -(-len(pairs) // SIGNATURE_CHUNK))
        methods = multiprocessing.get_all_start_methods()
        if len(pairs) <= SIGNATURE_PROCESS_MIN or workers < 2 or "fork" not in methods:
            return
        self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"))
        for start in range(0, len(pairs), SIGNATURE_CHUNK):
            chunk = pairs[start : start + SIGNATURE_CHUNK]
            self.futures.append((start, self.pool.submit(bad_signatures, key.raw, chunk)))

    def bad(self) -> set[int]:
        """Positions in ``pairs`` whose signature is invalid."""
        if self.pool is None:
            return set(bad_signatures(self.key.raw, self.pairs))
        try:
            return {start + i for start, future in self.futures for i in future.result()}
        except BrokenProcessPool:
            # A worker died (out of memory, killed): check them here rather than not at all.
            return set(bad_signatures(self.key.raw, self.pairs))
        finally:
            self.close()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


# Objects up to this size are hashed in batches (one task per batch): for tiny files the per-task cost would
# dominate; larger ones are one task each, the biggest first, so the threads finish together.
SMALL_OBJECT = 1 << 20
BATCH_FILES = 64

# (hex SHA-256, or None when the file is gone, or what is wrong: "unreadable: ...", "a FIFO, not a file of the
# case"; size)
Hashed = tuple[str | None, int]


def hash_one(path: str) -> Hashed:
    """An object's digest and size; only a regular file is read (a link is not followed, a FIFO or a device
    is not read: see ``evidence.case.store.open_stored``), so no object can make this hang or never end."""
    try:
        return hash_file(path, stored=True)
    except FileNotFoundError:
        return None, 0
    except NotRegularFile as exc:
        return str(exc.strerror), 0
    except OSError as exc:
        return f"unreadable: {exc.strerror}", 0


def folder_problem(path: str, name: str) -> str | None:
    """What is wrong with a folder of the store that must be a real folder of the case (``name`` as findings
    print it): None when it is one, or is absent (its objects are then missing)."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"unreadable: its folder {name} ({exc.strerror})"
    if stat.S_ISDIR(mode):
        return None
    what = "a symbolic link" if stat.S_ISLNK(mode) else "not a folder"
    return f"its folder {name} is {what}, not a folder of the case"


def hash_batch(paths: list[str]) -> list[Hashed]:
    return [hash_one(path) for path in paths]


class ObjectHasher:
    """Hashes the stored objects in threads, started while the ledger is still being checked.

    ``start`` lists ``objects/sha256`` (the listing also serves the EXTRA scan) and hashes every object in its
    place, big first, small ones in batches; ``hashed`` then gives each one's digest and size. hashlib releases
    the GIL, so the threads hash on the other cores while this thread checks the ledger. Started only after
    the signature workers are forked (a process with running threads is not forked).
    """

    def __init__(self, root: Path, workers: int | None) -> None:
        self.root = str(root)
        self.base = f"{root}/{OBJECTS_DIR}/{HASH_DIR}"
        self.workers = workers or (os.cpu_count() or 2)
        self.pool: ThreadPoolExecutor | None = None
        self.scheduled: Future[list[tuple[str, str, bool]]] | None = None
        self.futures: dict[str, tuple[Future[list[Hashed]], int]] = {}  # name -> (its task, its place in it)
        # What is wrong with objects/ or objects/sha256 (a link out of the case?): then no object is read.
        self.base_problem = folder_problem(f"{root}/{OBJECTS_DIR}", OBJECTS_DIR) or folder_problem(
            self.base, f"{OBJECTS_DIR}/{HASH_DIR}"
        )

    def start(self) -> None:
        if self.pool is not None:
            return
        self.pool = ThreadPoolExecutor(max_workers=self.workers)
        # Listed and scheduled by a thread of the pool too: its system calls overlap this thread's work.
        self.scheduled = self.pool.submit(self._schedule, self.pool)

    def _schedule(self, pool: ThreadPoolExecutor) -> list[tuple[str, str, bool]]:
        if self.base_problem is not None:
            return []  # nothing under a folder linked out of the case is listed or read
        listing = list_shards(self.base)
        sized: list[tuple[int, str]] = []
        for shard, name, in_place in listing:
            if in_place:
                try:
                    size = os.stat(f"{self.base}/{shard}/{name}", follow_symlinks=False).st_size
                except OSError:
                    size = 0
                sized.append((size, name))
        sized.sort(key=lambda item: -item[0])
        batch: list[str] = []
        for size, name in sized:
            if size > SMALL_OBJECT:
                self._submit(pool, [name])
                continue
            batch.append(name)
            if len(batch) == BATCH_FILES:
                self._submit(pool, batch)
                batch = []
        if batch:
            self._submit(pool, batch)
        return listing

    def listing(self) -> list[tuple[str, str, bool]]:
        """Every file under ``objects/sha256`` as ``list_shards`` gives it."""
        self.start()
        assert self.scheduled is not None
        return self.scheduled.result()

    def _path(self, sha: str) -> str:
        return f"{self.root}/{object_relpath(sha)}"

    def _submit(self, pool: ThreadPoolExecutor, names: list[str]) -> None:
        future = pool.submit(hash_batch, [self._path(name) for name in names])
        for i, name in enumerate(names):
            self.futures[name] = (future, i)

    def hashed(self, sha: str) -> Hashed:
        """The digest and size of the object named ``sha`` (hashed now when the listing did not hold it)."""
        self.listing()
        if self.base_problem is not None:
            return self.base_problem, 0
        if sha in self.futures:
            future, i = self.futures[sha]
            return future.result()[i]
        # Not listed: gone, or its shard is not a real folder (the listing skips a linked one).
        problem = folder_problem(f"{self.base}/{sha[:2]}", f"{OBJECTS_DIR}/{HASH_DIR}/{sha[:2]}")
        return (problem, 0) if problem is not None else hash_one(self._path(sha))

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)


def list_shards(base: str) -> list[tuple[str, str, bool]]:
    """Every file under ``objects/sha256`` as (shard, name, in place), sorted; a shard that is a file or a
    symbolic link (not followed) is listed as (its name, "", False)."""
    found: list[tuple[str, str, bool]] = []
    try:
        shards = sorted(os.scandir(base), key=lambda e: e.name)
    except OSError:
        return found
    for shard in shards:
        try:
            is_dir = shard.is_dir(follow_symlinks=False)
        except OSError:
            is_dir = False
        if not is_dir:
            found.append((shard.name, "", False))
            continue
        prefix = shard.name
        try:
            names = sorted(entry.name for entry in os.scandir(shard.path))
        except OSError:
            names = []
        for name in names:
            found.append((prefix, name, name[:2] == prefix and is_lower_hex(name, 64)))
    return found
