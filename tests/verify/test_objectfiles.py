"""The verifier's reading of sealed objects (``evidence.verify.objectfiles``) at the sizes where the reader
changes its buffers: below, at and above its first read (``FIRST_READ``) and a chunk (``SEAL_CHUNK``); intact,
cut by a byte, or lengthened by one. Every sealed file is made by the writer's own sealer."""

from __future__ import annotations

import hashlib
import io
import os
import secrets
from pathlib import Path

import pytest

from evidence.case.formats import SEAL_CHUNK
from evidence.case.sealed import FIRST_READ, HEADER_SIZE, TAG_SIZE, seal_stream, sealed_size
from evidence.case.vault import CaseKeys
from evidence.verify.objectfiles import ObjectFiles

# Plaintext sizes whose sealed body (plaintext + one tag a chunk) is just below, at and above FIRST_READ and a
# whole chunk.
SIZES = sorted(
    {
        0,
        1,
        FIRST_READ - HEADER_SIZE - TAG_SIZE - 1,
        FIRST_READ - TAG_SIZE - 1,
        FIRST_READ - TAG_SIZE,
        FIRST_READ - TAG_SIZE + 1,
        FIRST_READ,
        SEAL_CHUNK - 1,
        SEAL_CHUNK,
        SEAL_CHUNK + 1,
    }
)


def _sealed(tmp_path: Path, data: bytes) -> tuple[ObjectFiles, str]:
    keys = CaseKeys(secrets.token_bytes(32))
    files = ObjectFiles(tmp_path, keys)
    sha = hashlib.sha256(data).hexdigest()
    path = Path(files.path(sha))
    path.parent.mkdir(parents=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        assert seal_stream(io.BytesIO(data), fd, keys.object_key) == (sha, len(data))
    finally:
        os.close(fd)
    assert path.stat().st_size == sealed_size(len(data))
    return files, sha


@pytest.mark.parametrize("size", SIZES)
def test_sealed_objects_of_every_boundary_size_check_and_read(tmp_path: Path, size: int) -> None:
    data = os.urandom(size)
    files, sha = _sealed(tmp_path, data)
    assert files.check(sha) == (sha, size)
    assert files.read(sha) == data
    assert files.read_at_most(sha, size) == data
    assert files.read_at_most(sha, max(size - 1, 0)) is (None if size else data)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("change", ["cut", "appended"])
def test_sealed_objects_of_every_boundary_size_cut_or_lengthened_fail(
    tmp_path: Path, size: int, change: str
) -> None:
    files, sha = _sealed(tmp_path, os.urandom(size))
    path = Path(files.path(sha))
    sealed = path.read_bytes()
    path.write_bytes(sealed[:-1] if change == "cut" else sealed + b"\0")
    found, plain_size = files.check(sha)
    assert found != sha and plain_size == 0
    assert found is not None and ("truncated" in found or "tag does not match" in found or "after" in found)
