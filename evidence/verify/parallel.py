"""The verifier's fast paths: entry signatures (``evidence.verify.sodium``) and bodies (canonical form, hash)
checked in worker processes, stored objects hashed (an encrypted case's: their tags checked and their plaintext
hashed, in memory) in threads started while the ledger is being checked. They give exactly the findings the
plain, one-by-one way gives (``tests/verify/test_verify_speed.py``).
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import stat
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from evidence.case.formats import OBJECTS_DIR
from evidence.case.ledger import Entry
from evidence.case.signing import PublicKey
from evidence.case.store import is_hash_name
from evidence.verify._common import computed_hash, is_lower_hex, parse_body
from evidence.verify.objectfiles import Hashed as Hashed
from evidence.verify.objectfiles import ObjectFiles
from evidence.verify.objectfiles import hash_one as hash_one
from evidence.verify.sodium import bad_signatures

# Ed25519 verification takes ~57 us an entry (libsodium; ~130 us through cryptography) and needs the GIL: a
# ledger longer than this has its signatures checked in worker processes (in chunks), while this process checks
# the bodies and hashes.
SIGNATURE_PROCESS_MIN = 4_000
SIGNATURE_CHUNK = 2_000


# Entries whose contents (canonical body, hash) the workers check, by the check's token: set before the workers
# are forked, so they inherit it (nothing is pickled but positions); a token, not one global, so that two checks
# in two threads of one process never see each other's entries.
_SHARED: dict[int, Sequence[Entry]] = {}
_TOKENS = itertools.count(1)
CONTENTS_CHUNK = 4_000


def flag_contents(token: int, start: int, end: int) -> list[int]:
    """Positions in ``[start, end)`` of the shared entries whose body is not canonical JSON or whose contents do
    not hash to the stored hash: the ones the parent must check itself (it then finds what is wrong)."""
    entries = _SHARED[token]
    flagged: list[int] = []
    for pos in range(start, end):
        entry = entries[pos]
        try:
            if computed_hash(entry, parse_body(entry.body_text)) != entry.hash:
                flagged.append(pos)
        except Exception:  # noqa: BLE001 - not a verdict: the parent checks this entry itself, as before
            flagged.append(pos)
    return flagged


class SignatureCheck:
    """The signatures of many entries, checked in worker processes when there are enough of them; with
    ``entries``, their contents too (canonical body, hash: ``contents``).

    Only the public key and (signature, hash) bytes go to the workers (the entries are inherited when they are
    forked), only the positions of bad signatures and flagged contents come back. Small ledgers (and platforms
    without ``fork``) are checked in this process.
    """

    def __init__(
        self, key: PublicKey, pairs: list[tuple[bytes, bytes]], entries: Sequence[Entry] | None = None
    ) -> None:
        self.key = key
        self.pairs = pairs
        self.pool: ProcessPoolExecutor | None = None
        self.futures: list[tuple[int, Future[list[int]]]] = []
        self.content_futures: list[tuple[int, int, Future[list[int]]]] = []
        self.token = 0
        workers = min(os.cpu_count() or 1, -(-len(pairs) // SIGNATURE_CHUNK))
        methods = multiprocessing.get_all_start_methods()
        if len(pairs) <= SIGNATURE_PROCESS_MIN or workers < 2 or "fork" not in methods:
            return
        if entries is not None:
            self.token = next(_TOKENS)
            _SHARED[self.token] = entries
        self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"))
        if entries is not None:
            # Contents first: the parent waits for them chunk by chunk; signatures are needed only at the end.
            for first in range(0, len(entries), CONTENTS_CHUNK):
                last = min(first + CONTENTS_CHUNK, len(entries))
                future = self.pool.submit(flag_contents, self.token, first, last)
                self.content_futures.append((first, last, future))
        for start in range(0, len(pairs), SIGNATURE_CHUNK):
            chunk = pairs[start : start + SIGNATURE_CHUNK]
            self.futures.append((start, self.pool.submit(bad_signatures, key.raw, chunk)))

    def contents(self) -> Iterator[tuple[int, int, set[int] | None]]:
        """For each chunk of ``entries`` in order, (start, end, the positions the workers flagged); None in
        place of the positions when the workers did not check them (no workers, or one died): the caller checks
        the whole chunk itself."""
        if not self.content_futures:
            yield 0, -1, None
            return
        broken = False
        for first, last, future in self.content_futures:
            flagged: set[int] | None = None
            if not broken:
                try:
                    flagged = set(future.result())
                except BrokenProcessPool:
                    broken = True  # a worker died (out of memory, killed): the rest is checked here
            yield first, last, flagged

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
        _SHARED.pop(self.token, None)


# Objects up to this size are hashed in batches (one task per batch): for tiny files the per-task cost would
# dominate; larger ones are one task each, the biggest first, so the threads finish together.
SMALL_OBJECT = 1 << 20
BATCH_FILES = 64


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


def check_batch(files: ObjectFiles, shas: list[str]) -> list[Hashed]:
    return [files.check(sha) for sha in shas]


class ObjectHasher:
    """Hashes the stored objects in threads, started while the ledger is still being checked.

    ``start`` lists the store's folder (the listing also serves the EXTRA scan) and checks every object in its
    place, big first, small ones in batches; ``hashed`` then gives each one's digest and size. hashlib (and
    AES-GCM) release the GIL, so the threads work on the other cores while this thread checks the ledger.
    Started only after the signature workers are forked (a process with running threads is not forked).

    A plain case's objects are hashed whatever their name. An encrypted case's sealed objects can only be
    checked against the hash they are claimed to be (it is bound to their file key), so only those named by
    ``candidates`` (plaintext hashes read from the ledger's rows as stored, before they are checked) are
    checked ahead; any other named object is checked when ``hashed`` asks for it.
    """

    def __init__(self, files: ObjectFiles, workers: int | None, candidates: Iterable[str] = ()) -> None:
        self.files = files
        self.root = str(files.root)
        self.base = f"{files.root}/{OBJECTS_DIR}/{files.folder}"
        self.workers = workers or (os.cpu_count() or 2)
        self.pool: ThreadPoolExecutor | None = None
        self.scheduled: Future[list[tuple[str, str, bool]]] | None = None
        # file name -> (its task, its place in it, the hash it was checked against)
        self.futures: dict[str, tuple[Future[list[Hashed]], int, str]] = {}
        self.candidates = list(candidates) if files.sealed else []
        # What is wrong with objects/ or objects/sha256 (a link out of the case?): then no object is read.
        self.base_problem = folder_problem(f"{files.root}/{OBJECTS_DIR}", OBJECTS_DIR) or folder_problem(
            self.base, f"{OBJECTS_DIR}/{files.folder}"
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
        # The hash each listed file is checked against: its name (plain), or the candidate it is the sealed
        # name of (sealed; a file no candidate names is not checked ahead).
        claimed: dict[str, str] = {}
        if self.files.sealed:
            claimed = {self.files.name(sha): sha for sha in self.candidates if is_hash_name(sha)}
        sized: list[tuple[int, str, str]] = []
        for shard, name, in_place in listing:
            if not in_place:
                continue
            sha = claimed.get(name) if self.files.sealed else name
            if sha is None:
                continue
            try:
                size = os.stat(f"{self.base}/{shard}/{name}", follow_symlinks=False).st_size
            except OSError:
                size = 0
            sized.append((size, name, sha))
        sized.sort(key=lambda item: -item[0])
        batch: list[tuple[str, str]] = []
        for size, name, sha in sized:
            if size > SMALL_OBJECT:
                self._submit(pool, [(name, sha)])
                continue
            batch.append((name, sha))
            if len(batch) == BATCH_FILES:
                self._submit(pool, batch)
                batch = []
        if batch:
            self._submit(pool, batch)
        return listing

    def listing(self) -> list[tuple[str, str, bool]]:
        """Every file under the store's folder (``objects/sha256``, or ``objects/sealed``) as ``list_shards``
        gives it."""
        self.start()
        assert self.scheduled is not None
        return self.scheduled.result()

    def _submit(self, pool: ThreadPoolExecutor, named: list[tuple[str, str]]) -> None:
        shas = [sha for _, sha in named]
        if self.files.sealed:
            future = pool.submit(check_batch, self.files, shas)
        else:
            future = pool.submit(hash_batch, [self.files.path(sha) for sha in shas])
        for i, (name, sha) in enumerate(named):
            self.futures[name] = (future, i, sha)

    def hashed(self, sha: str) -> Hashed:
        """The digest (sealed: ``sha`` when every tag and the hash hold, else what failed) and plaintext size
        of the object ``sha`` names (checked now when the listing did not schedule it)."""
        self.listing()
        if self.base_problem is not None:
            return self.base_problem, 0
        name = self.files.name(sha)
        if name in self.futures:
            future, i, claimed = self.futures[name]
            if claimed == sha:
                return future.result()[i]
        # Not listed: gone, or its shard is not a real folder (the listing skips a linked one).
        shard = f"{OBJECTS_DIR}/{self.files.folder}/{name[:2]}"
        problem = folder_problem(f"{self.root}/{shard}", shard)
        return (problem, 0) if problem is not None else self.files.check(sha)

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
