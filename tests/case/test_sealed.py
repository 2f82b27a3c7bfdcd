"""Sealed objects (evidence.case.sealed): round trips, the format's sizes, and every way a sealed file can be
altered, cut, extended, reordered, renamed or opened with the wrong key, each failing with plain words."""

from __future__ import annotations

import hashlib
import io
import os
import random
import threading
import tracemalloc
from pathlib import Path

import pytest

from evidence.case.formats import SEAL_CHUNK, SEAL_MAGIC
from evidence.case.sealed import (
    HEADER_SIZE,
    SEALED_CHUNK,
    TAG_MISMATCH,
    check_sealed,
    open_sealed,
    read_sealed_bytes,
    seal_stream,
    sealed_name,
    sealed_size,
)
from evidence.errors import CaseError, SealedError

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))


def _plaintext(size: int, seed: int = 0) -> bytes:
    return random.Random(seed).randbytes(size)


def _seal(tmp_path: Path, data: bytes, name: str = "sealed", key: bytes = KEY) -> tuple[Path, str]:
    path = tmp_path / name
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        sha256, size = seal_stream(io.BytesIO(data), fd, key)
    finally:
        os.close(fd)
    assert size == len(data)
    assert sha256 == hashlib.sha256(data).hexdigest()
    return path, sha256


def _open_all(path: Path, sha256: str, key: bytes = KEY) -> bytes:
    with path.open("rb") as fh:
        return read_sealed_bytes(fh, key, sha256, path=path)


def _failure(path: Path, sha256: str, key: bytes = KEY) -> str:
    with pytest.raises(SealedError) as caught:
        _open_all(path, sha256, key)
    with path.open("rb") as fh, pytest.raises(SealedError) as checked:
        check_sealed(fh, key, sha256)
    assert checked.value.message == caught.value.message  # the verifier's check says the same
    assert caught.value.path == str(path)
    return caught.value.message


@pytest.mark.parametrize(
    "size",
    [0, 1, SEAL_CHUNK - 1, SEAL_CHUNK, SEAL_CHUNK + 1, 2 * SEAL_CHUNK, SEAL_CHUNK * 7 // 2],
    ids=["empty", "one-byte", "chunk-1", "one-chunk", "chunk+1", "two-chunks", "3.5-chunks"],
)
def test_round_trip(tmp_path: Path, size: int) -> None:
    data = _plaintext(size, seed=size)
    path, sha256 = _seal(tmp_path, data)
    assert path.stat().st_size == sealed_size(size)
    chunks = max(1, -(-size // SEAL_CHUNK))
    assert path.stat().st_size == HEADER_SIZE + size + 16 * chunks
    assert path.read_bytes()[:8] == SEAL_MAGIC
    assert _open_all(path, sha256) == data
    fd = os.open(path, os.O_RDONLY)
    try:
        assert check_sealed(fd, KEY, sha256) == size
    finally:
        os.close(fd)
    # Read in odd pieces through the streaming file: the same bytes.
    with open_sealed(path.open("rb"), KEY, sha256, close=True) as plain:
        pieces = []
        while piece := plain.read(100_003):
            pieces.append(piece)
    assert b"".join(pieces) == data


def test_the_format_opens_by_hand_as_documented(tmp_path: Path) -> None:
    # The module docstring's layout, followed with cryptography directly (what another tool would do).
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    data = _plaintext(SEAL_CHUNK * 5 // 2, seed=7)
    path, sha256 = _seal(tmp_path, data)
    raw = path.read_bytes()
    assert raw[:8] == b"EVSEAL01"
    file_key = AESGCM(KEY).decrypt(
        raw[8:20], raw[20:68], b"evidence/object-key/v1\x00" + bytes.fromhex(sha256)
    )
    body = raw[68:]
    sizes = [SEAL_CHUNK + 16, SEAL_CHUNK + 16, SEAL_CHUNK // 2 + 16]
    assert len(body) == sum(sizes)
    plain, offset = b"", 0
    for number, size in enumerate(sizes):
        nonce = number.to_bytes(11, "big") + (b"\x01" if number == len(sizes) - 1 else b"\x00")
        plain += AESGCM(file_key).decrypt(nonce, body[offset : offset + size], None)
        offset += size
    assert plain == data


def test_real_files_round_trip_and_their_bytes_do_not_show(tmp_path: Path, corpus: Path) -> None:
    # Screenshots and exports written by other projects (see the corpus's SOURCES.md), the largest first.
    files = sorted((p for p in corpus.rglob("*") if p.is_file()), key=lambda p: -p.stat().st_size)[:4]
    files += [corpus / "email" / name for name in sorted(os.listdir(corpus / "email"))[:2]]
    assert len(files) == 6 and files[0].stat().st_size > SEAL_CHUNK
    for i, original in enumerate(files):
        data = original.read_bytes()
        with original.open("rb") as source:
            fd = os.open(tmp_path / f"s{i}", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                sha256, size = seal_stream(source, fd, KEY)
            finally:
                os.close(fd)
        assert (sha256, size) == (hashlib.sha256(data).hexdigest(), len(data))
        sealed = (tmp_path / f"s{i}").read_bytes()
        assert len(sealed) == sealed_size(len(data))
        # No 32-byte window of the original appears in the sealed file (nor its hash, in either form).
        windows = [data[j : j + 32] for j in range(0, max(1, len(data) - 32), max(1, len(data) // 50))]
        assert not any(w in sealed for w in windows)
        assert bytes.fromhex(sha256) not in sealed and sha256.encode() not in sealed
        assert _open_all(tmp_path / f"s{i}", sha256) == data


def test_the_same_plaintext_seals_differently_each_time(tmp_path: Path) -> None:
    data = _plaintext(5000)
    first, sha256 = _seal(tmp_path, data, "a")
    second, _ = _seal(tmp_path, data, "b")
    assert first.read_bytes() != second.read_bytes()  # a fresh file key and nonce each time
    assert _open_all(first, sha256) == _open_all(second, sha256) == data


def test_a_pipe_with_short_reads_is_sealed_whole(tmp_path: Path) -> None:
    data = _plaintext(3 * SEAL_CHUNK + 12345, seed=3)
    read_end, write_end = os.pipe()

    def feed() -> None:
        with os.fdopen(write_end, "wb") as out:
            out.write(data)

    writer = threading.Thread(target=feed)
    writer.start()
    with open(read_end, "rb", buffering=0) as source:  # a pipe returns at most 64 KiB a read
        fd = os.open(tmp_path / "piped", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            sha256, size = seal_stream(source, fd, KEY)
        finally:
            os.close(fd)
    writer.join()
    assert (sha256, size) == (hashlib.sha256(data).hexdigest(), len(data))
    assert _open_all(tmp_path / "piped", sha256) == data


def test_memory_stays_within_a_few_chunks(tmp_path: Path) -> None:
    source = tmp_path / "plain"
    source.write_bytes(_plaintext(12 * SEAL_CHUNK, seed=12))
    tracemalloc.start()
    try:
        with source.open("rb") as fh:
            fd = os.open(tmp_path / "sealed", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                sha256, _ = seal_stream(fh, fd, KEY)
            finally:
                os.close(fd)
        sealing = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        with (tmp_path / "sealed").open("rb") as fh:
            assert check_sealed(fh, KEY, sha256) == 12 * SEAL_CHUNK
        checking = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert sealing < 4 * SEAL_CHUNK, sealing
    assert checking < 4 * SEAL_CHUNK, checking


# -- wrong keys, wrong hashes, renamed files ------------------------------------------------------------------


def test_another_cases_key_fails_the_tag(tmp_path: Path) -> None:
    path, sha256 = _seal(tmp_path, b"a message")
    assert _failure(path, sha256, key=OTHER_KEY) == TAG_MISMATCH


def test_a_wrong_sha256_fails_the_tag(tmp_path: Path) -> None:
    path, _ = _seal(tmp_path, b"a message")
    assert _failure(path, hashlib.sha256(b"another message").hexdigest()) == TAG_MISMATCH


def test_a_sealed_file_renamed_to_another_object_fails(tmp_path: Path) -> None:
    first, first_sha = _seal(tmp_path, b"the first object", "first")
    second, second_sha = _seal(tmp_path, b"the second object", "second")
    first.replace(tmp_path / "moved")
    second.replace(first)  # the second object's file now sits where the first one's was
    assert _failure(first, first_sha) == TAG_MISMATCH
    assert _open_all(first, second_sha) == b"the second object"


def test_bad_arguments_are_refused_plainly(tmp_path: Path) -> None:
    path, sha256 = _seal(tmp_path, b"x")
    with pytest.raises(SealedError, match="not a SHA-256"):
        _open_all(path, sha256.upper())
    with pytest.raises(SealedError, match="must be 32 bytes"):
        _open_all(path, sha256, key=KEY[:16])
    assert issubclass(SealedError, CaseError)


# -- tampering -------------------------------------------------------------------------------------------------


def _edit(path: Path, edit: bytes | None = None, *, at: int = 0, cut: int | None = None) -> None:
    data = bytearray(path.read_bytes())
    if cut is not None:
        del data[cut:]
    if edit is not None:
        data[at : at + len(edit)] = edit
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        (9, TAG_MISMATCH),  # the nonce
        (30, TAG_MISMATCH),  # the wrapped file key
        (HEADER_SIZE + 66, f"{TAG_MISMATCH} (part 1)"),  # the first chunk's bytes
        (HEADER_SIZE + SEALED_CHUNK - 3, f"{TAG_MISMATCH} (part 1)"),  # the first chunk's tag
        (HEADER_SIZE + 2 * SEALED_CHUNK + 5, f"{TAG_MISMATCH} (part 3)"),
        (-1, f"{TAG_MISMATCH} (part 4, the last: the file may be truncated)"),  # the last chunk's tag
    ],
    ids=["nonce", "wrapped-key", "chunk-body", "chunk-tag", "third-chunk", "last-tag"],
)
def test_a_flipped_bit_anywhere_fails(tmp_path: Path, where: int, expected: str) -> None:
    data = _plaintext(SEAL_CHUNK * 7 // 2)
    path, sha256 = _seal(tmp_path, data)
    raw = bytearray(path.read_bytes())
    raw[where] ^= 0x10
    path.write_bytes(bytes(raw))
    assert _failure(path, sha256) == expected


def test_a_flipped_bit_in_the_magic_is_not_a_sealed_object(tmp_path: Path) -> None:
    path, sha256 = _seal(tmp_path, b"x")
    _edit(path, b"EVSEAL02")
    assert _failure(path, sha256) == "not a sealed object (it does not start with EVSEAL01)"


def test_no_byte_of_an_altered_chunk_is_returned(tmp_path: Path) -> None:
    data = _plaintext(SEAL_CHUNK * 7 // 2)
    path, sha256 = _seal(tmp_path, data)
    raw = bytearray(path.read_bytes())
    raw[HEADER_SIZE + 2 * SEALED_CHUNK + 100] ^= 1  # inside the third chunk
    path.write_bytes(bytes(raw))
    received = bytearray()
    plain = open_sealed(path.open("rb"), KEY, sha256, close=True)  # the header and part 1 are fine
    with plain, pytest.raises(SealedError, match=r"part 3"):
        while piece := plain.read(4096):
            received += piece
    assert bytes(received) == data[: 2 * SEAL_CHUNK]


def test_cut_at_a_chunk_boundary_is_truncated(tmp_path: Path) -> None:
    path, sha256 = _seal(tmp_path, _plaintext(SEAL_CHUNK * 7 // 2))
    _edit(path, cut=HEADER_SIZE + 3 * SEALED_CHUNK)  # the last half chunk gone
    assert _failure(path, sha256) == "the sealed object is truncated: it ends after part 3"
    exact, exact_sha = _seal(tmp_path, _plaintext(2 * SEAL_CHUNK), "exact")
    _edit(exact, cut=HEADER_SIZE + SEALED_CHUNK)  # a whole last chunk gone
    assert _failure(exact, exact_sha) == "the sealed object is truncated: it ends after part 1"


def test_cut_inside_a_chunk_fails(tmp_path: Path) -> None:
    path, sha256 = _seal(tmp_path, _plaintext(SEAL_CHUNK * 7 // 2))
    _edit(path, cut=HEADER_SIZE + SEALED_CHUNK + 1000)
    assert _failure(path, sha256) == f"{TAG_MISMATCH} (part 2, the last: the file may be truncated)"
    _edit(path, cut=HEADER_SIZE + SEALED_CHUNK + 7)  # less than a tag left of part 2
    assert _failure(path, sha256) == "the sealed object is truncated (part 2 is cut)"


def test_cut_to_nothing_after_the_header_is_truncated(tmp_path: Path) -> None:
    path, sha256 = _seal(tmp_path, b"")
    assert path.stat().st_size == HEADER_SIZE + 16
    _edit(path, cut=HEADER_SIZE)
    assert _failure(path, sha256) == "the sealed object is truncated (part 1 is cut)"


@pytest.mark.parametrize("keep", [0, 3, 8, 20, HEADER_SIZE - 1])
def test_the_header_cut_is_truncated(tmp_path: Path, keep: int) -> None:
    path, sha256 = _seal(tmp_path, b"some bytes")
    _edit(path, cut=keep)
    assert _failure(path, sha256) == "the sealed object is truncated: its header is cut"


def test_chunks_reordered_fail(tmp_path: Path) -> None:
    path, sha256 = _seal(tmp_path, _plaintext(SEAL_CHUNK * 7 // 2))
    raw = path.read_bytes()
    body = raw[HEADER_SIZE:]
    first, second = body[:SEALED_CHUNK], body[SEALED_CHUNK : 2 * SEALED_CHUNK]
    path.write_bytes(raw[:HEADER_SIZE] + second + first + body[2 * SEALED_CHUNK :])
    assert _failure(path, sha256) == f"{TAG_MISMATCH} (part 1)"


def test_a_missing_chunk_fails(tmp_path: Path) -> None:
    path, sha256 = _seal(tmp_path, _plaintext(SEAL_CHUNK * 7 // 2))
    raw = path.read_bytes()
    path.write_bytes(raw[: HEADER_SIZE + SEALED_CHUNK] + raw[HEADER_SIZE + 2 * SEALED_CHUNK :])
    assert _failure(path, sha256) == f"{TAG_MISMATCH} (part 2)"


def test_an_extra_chunk_fails(tmp_path: Path) -> None:
    path, sha256 = _seal(tmp_path, _plaintext(SEAL_CHUNK * 7 // 2))
    raw = path.read_bytes()
    second = raw[HEADER_SIZE + SEALED_CHUNK : HEADER_SIZE + 2 * SEALED_CHUNK]
    path.write_bytes(raw[: HEADER_SIZE + 2 * SEALED_CHUNK] + second + raw[HEADER_SIZE + 2 * SEALED_CHUNK :])
    assert _failure(path, sha256) == f"{TAG_MISMATCH} (part 3)"


def test_bytes_after_a_full_last_chunk(tmp_path: Path) -> None:
    path, sha256 = _seal(tmp_path, _plaintext(2 * SEAL_CHUNK))
    raw = path.read_bytes()
    path.write_bytes(raw + b"appended")
    assert _failure(path, sha256) == "the sealed object has bytes after its end (after part 2)"
    path.write_bytes(raw + raw[-SEALED_CHUNK:])  # the last chunk twice
    assert _failure(path, sha256) == "the sealed object has bytes after its end (after part 2)"


def test_bytes_after_a_short_last_chunk_fail(tmp_path: Path) -> None:
    path, sha256 = _seal(tmp_path, _plaintext(1000))
    path.write_bytes(path.read_bytes() + b"\x00" * 16)
    assert _failure(path, sha256) == f"{TAG_MISMATCH} (part 1, the last: the file may be truncated)"


def test_an_empty_last_chunk_after_a_full_one_is_refused(tmp_path: Path) -> None:
    # A forged end: a full chunk re-flagged as not last cannot be made without the key, but an empty final
    # chunk must be refused even when its tag were valid. Build one with the same key to show it.
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    data = _plaintext(SEAL_CHUNK)
    path, sha256 = _seal(tmp_path, data)
    raw = path.read_bytes()
    assert len(raw) == HEADER_SIZE + SEALED_CHUNK  # exactly one full chunk, flagged last
    # Re-seal by hand the non-canonical way: the full chunk flagged 0x00, then an empty chunk flagged last.
    file_key = AESGCM(KEY).decrypt(
        raw[8:20], raw[20:68], b"evidence/object-key/v1\x00" + bytes.fromhex(sha256)
    )
    cipher = AESGCM(file_key)
    forged = (
        raw[:HEADER_SIZE]
        + cipher.encrypt(bytes(12), data, None)
        + cipher.encrypt(bytes(11) + b"\x01", b"", None)
    )
    path.write_bytes(forged)
    assert _failure(path, sha256) == f"{TAG_MISMATCH} (part 2)"


def test_a_plain_file_is_not_a_sealed_object(tmp_path: Path, corpus: Path) -> None:
    original = next(p for p in sorted((corpus / "screenshots-real").iterdir()) if p.suffix == ".png")
    with original.open("rb") as fh, pytest.raises(SealedError, match="not a sealed object"):
        read_sealed_bytes(fh, KEY, hashlib.sha256(original.read_bytes()).hexdigest())


def test_random_bytes_and_random_damage_always_fail_plainly(tmp_path: Path) -> None:
    rng = random.Random(19)
    path, sha256 = _seal(tmp_path, _plaintext(SEAL_CHUNK + 5000, seed=1))
    good = path.read_bytes()
    target = tmp_path / "fuzzed"
    for round_ in range(60):
        choice = round_ % 4
        if choice == 0:  # random bytes, sometimes behind the right magic
            size = rng.randrange(0, 3000)
            candidate = (SEAL_MAGIC if rng.random() < 0.5 else b"") + rng.randbytes(size)
        elif choice == 1:  # a few random bytes changed
            raw = bytearray(good)
            for _ in range(rng.randrange(1, 4)):
                raw[rng.randrange(len(raw))] ^= rng.randrange(1, 256)
            candidate = bytes(raw)
        elif choice == 2:  # cut anywhere
            candidate = good[: rng.randrange(len(good))]
        else:  # bytes inserted anywhere
            at = rng.randrange(len(good) + 1)
            candidate = good[:at] + rng.randbytes(rng.randrange(1, 40)) + good[at:]
        target.write_bytes(candidate)
        with pytest.raises(SealedError) as caught:
            _open_all(target, sha256)
        assert caught.value.message and caught.value.path == str(target)


# -- file names ------------------------------------------------------------------------------------------------


def test_sealed_names_hide_the_hash() -> None:
    sha256 = hashlib.sha256(b"").hexdigest()
    name = sealed_name(KEY, sha256)
    assert len(name) == 64 and int(name, 16) >= 0
    assert name != sha256 and sha256[:8] not in name
    assert sealed_name(KEY, sha256) == name  # deterministic: the store finds an object again
    assert sealed_name(OTHER_KEY, sha256) != name  # another case: another name
    assert sealed_name(KEY, hashlib.sha256(b"x").hexdigest()) != name
    # The format, pinned: HMAC-SHA256(name key, b"evidence/object-name/v1\x00" + hex ASCII).
    assert name == "40af40adcfd0e47145d90062d338f1e85e39a89abb2ca047d28bb3f794d1fe35"


def test_a_descriptor_is_closed_only_when_asked(tmp_path: Path) -> None:
    path, sha256 = _seal(tmp_path, b"abc")
    fd = os.open(path, os.O_RDONLY)
    with open_sealed(fd, KEY, sha256) as plain:
        assert plain.read() == b"abc"
    os.fstat(fd)  # still open: the caller's
    os.close(fd)
    fd = os.open(path, os.O_RDONLY)
    with open_sealed(fd, KEY, sha256, close=True) as plain:
        assert plain.read() == b"abc"
    with pytest.raises(OSError):
        os.fstat(fd)
    fd = os.open(path, os.O_RDONLY)
    with pytest.raises(SealedError):
        open_sealed(fd, OTHER_KEY, sha256, close=True)  # a failure at opening closes it too
    with pytest.raises(OSError):
        os.fstat(fd)


# -- interrupted sealing, misuse, a failed read --------------------------------------------------------------------


class _FailingSource(io.RawIOBase):
    """A source whose disk fails after ``limit`` bytes (a fault-injecting stand-in, as for a pulled USB stick)."""

    def __init__(self, data: bytes, limit: int) -> None:
        super().__init__()
        self._data = io.BytesIO(data)
        self._limit = limit

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._data.tell() >= self._limit:
            raise OSError(5, "Input/output error")
        return self._data.readinto(buffer[: self._limit - self._data.tell()])


def test_an_interrupted_seal_leaves_a_file_that_says_so(tmp_path: Path) -> None:
    data = _plaintext(3 * SEAL_CHUNK)
    path = tmp_path / "interrupted"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with pytest.raises(OSError, match="Input/output"):
            seal_stream(_FailingSource(data, SEAL_CHUNK * 5 // 2), fd, KEY)  # type: ignore[arg-type]
    finally:
        os.close(fd)
    assert path.stat().st_size == HEADER_SIZE + SEALED_CHUNK  # part 1 written (part 2 read ahead), no header
    assert _failure(path, hashlib.sha256(data).hexdigest()) == (
        "the sealed object is unfinished: its header was never written"
    )


def test_an_append_mode_descriptor_is_refused(tmp_path: Path) -> None:
    fd = os.open(tmp_path / "appending", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        with pytest.raises(ValueError, match="append mode"):
            seal_stream(io.BytesIO(b"x"), fd, KEY)
    finally:
        os.close(fd)
    assert (tmp_path / "appending").stat().st_size == 0


def test_a_failed_read_keeps_failing_and_read_all_works(tmp_path: Path) -> None:
    data = _plaintext(SEAL_CHUNK * 5 // 2)
    path, sha256 = _seal(tmp_path, data)
    with open_sealed(path.open("rb"), KEY, sha256, close=True) as plain:
        assert plain.read() == data  # all at once
        assert plain.read() == b""
    raw = bytearray(path.read_bytes())
    raw[HEADER_SIZE + SEALED_CHUNK + 10] ^= 4  # part 2
    path.write_bytes(bytes(raw))
    with open_sealed(path.open("rb"), KEY, sha256, close=True) as plain:
        assert plain.read(SEAL_CHUNK) == data[:SEAL_CHUNK]
        with pytest.raises(SealedError, match="part 2"):
            plain.read(10)
        with pytest.raises(SealedError, match="part 2"):  # never a quiet end after a failure
            plain.read()
