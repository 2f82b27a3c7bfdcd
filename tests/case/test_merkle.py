"""The Merkle tree against the RFC 6962 / certificate-transparency reference vectors and an independent naive
implementation; every corrupted proof rejected; signed checkpoints."""

from __future__ import annotations

import base64
import hashlib
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evidence.case.merkle import (
    Checkpoint,
    CheckpointError,
    ProofError,
    Tree,
    key_id,
    parse_note,
    verify_consistency,
    verify_inclusion,
)
from evidence.case.signing import SigningKey

# The 8-leaf reference tree of the CT reference implementation (merkle_tree_test.cc, RFC 6962 test data).
LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    b"\x50\x51\x52\x53\x54\x55\x56\x57",
    b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
]
ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
# (leaf index, tree size, path): 0-based indices.
INCLUSION = [
    (0, 1, []),
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]
CONSISTENCY = [
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]


# -- an independent, naive, recursive implementation of RFC 6962 section 2.1 --------------------------------


def _h(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _k(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def naive_mth(d: list[bytes]) -> bytes:
    if not d:
        return _h(b"")
    if len(d) == 1:
        return _h(b"\x00" + d[0])
    k = _k(len(d))
    return _h(b"\x01" + naive_mth(d[:k]) + naive_mth(d[k:]))


def naive_path(m: int, d: list[bytes]) -> list[bytes]:
    if len(d) == 1:
        return []
    k = _k(len(d))
    if m < k:
        return [*naive_path(m, d[:k]), naive_mth(d[k:])]
    return [*naive_path(m - k, d[k:]), naive_mth(d[:k])]


def naive_subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    n = len(d)
    if m == n:
        return [] if b else [naive_mth(d)]
    k = _k(n)
    if m <= k:
        return [*naive_subproof(m, d[:k], b), naive_mth(d[k:])]
    return [*naive_subproof(m - k, d[k:], False), naive_mth(d[:k])]


def naive_proof(m: int, d: list[bytes]) -> list[bytes]:
    return naive_subproof(m, d, True) if 0 < m < len(d) else []


TREE = Tree.from_data(LEAVES)


def _hex(items: list[bytes]) -> list[str]:
    return [i.hex() for i in items]


def test_reference_roots_for_every_size() -> None:
    for size in range(9):
        assert TREE.root(size).hex() == ROOTS[size] == naive_mth(LEAVES[:size]).hex()


@pytest.mark.parametrize(("index", "size", "path"), INCLUSION)
def test_reference_inclusion_paths(index: int, size: int, path: list[str]) -> None:
    assert _hex(TREE.inclusion(index, size)) == path == _hex(naive_path(index, LEAVES[:size]))
    leaf = Tree.from_data([LEAVES[index]]).levels[0][0]
    verify_inclusion(leaf, index, size, [bytes.fromhex(p) for p in path], TREE.root(size))


@pytest.mark.parametrize(("first", "second", "proof"), CONSISTENCY)
def test_reference_consistency_proofs(first: int, second: int, proof: list[str]) -> None:
    assert _hex(TREE.consistency(first, second)) == proof == _hex(naive_proof(first, LEAVES[:second]))
    verify_consistency(first, second, TREE.root(first), TREE.root(second), [bytes.fromhex(p) for p in proof])


def test_every_proof_of_every_size_up_to_40_matches_the_naive_one() -> None:
    data = [bytes([i, i * 7 % 256]) for i in range(40)]
    tree = Tree.from_data(data)
    for size in range(1, 41):
        root = tree.root(size)
        assert root == naive_mth(data[:size])
        for index in range(size):
            path = tree.inclusion(index, size)
            assert path == naive_path(index, data[:size])
            verify_inclusion(tree.levels[0][index], index, size, path, root)
        for first in range(1, size + 1):
            proof = tree.consistency(first, size)
            assert proof == naive_proof(first, data[:size])
            verify_consistency(first, size, tree.root(first), root, proof)


# -- every corruption is rejected -----------------------------------------------------------------------------


def _flip_bit(items: list[bytes], element: int, bit: int) -> list[bytes]:
    out = list(items)
    raw = bytearray(out[element])
    raw[bit // 8] ^= 1 << (bit % 8)
    out[element] = bytes(raw)
    return out


def _rejected(check: object) -> bool:
    assert callable(check)
    try:
        check()
    except ProofError:
        return True
    return False


sizes = st.integers(min_value=1, max_value=300)


@settings(max_examples=150, deadline=None)
@given(size=sizes, data=st.data())
def test_inclusion_proofs_verify_and_every_corruption_is_rejected(size: int, data: st.DataObject) -> None:
    tree = Tree.from_data([i.to_bytes(4, "big") for i in range(size)])
    index = data.draw(st.integers(min_value=0, max_value=size - 1))
    root = tree.root()
    leaf = tree.levels[0][index]
    path = tree.inclusion(index)
    verify_inclusion(leaf, index, size, path, root)
    for other in (index - 1, index + 1, index ^ 2):
        if other != index:
            assert _rejected(lambda o=other: verify_inclusion(leaf, o, size, path, root))
    for other_size in (size * 2, size // 2):
        assert _rejected(lambda s=other_size: verify_inclusion(leaf, index, s, path, root))
    wrong_leaf = tree.levels[0][(index + 1) % size] if size > 1 else b"\x55" * 32
    assert _rejected(lambda: verify_inclusion(wrong_leaf, index, size, path, root))
    assert _rejected(lambda: verify_inclusion(leaf, index, size, path, _flip_bit([root], 0, 7)[0]))
    if path:
        element = data.draw(st.integers(min_value=0, max_value=len(path) - 1))
        bit = data.draw(st.integers(min_value=0, max_value=255))
        assert _rejected(lambda: verify_inclusion(leaf, index, size, _flip_bit(path, element, bit), root))
        assert _rejected(lambda: verify_inclusion(leaf, index, size, path[:-1], root))
        assert _rejected(lambda: verify_inclusion(leaf, index, size, path[1:], root))
    assert _rejected(lambda: verify_inclusion(leaf, index, size, [*path, root], root))
    assert _rejected(lambda: verify_inclusion(leaf, index, size, [root, *path], root))


@settings(max_examples=150, deadline=None)
@given(second=sizes, data=st.data())
def test_consistency_proofs_verify_and_every_corruption_is_rejected(second: int, data: st.DataObject) -> None:
    tree = Tree.from_data([i.to_bytes(4, "big") for i in range(second)])
    first = data.draw(st.integers(min_value=1, max_value=second))
    r1, r2 = tree.root(first), tree.root(second)
    proof = tree.consistency(first, second)
    verify_consistency(first, second, r1, r2, proof)
    for f, s in ((first - 1, second), (first + 1, second), (first ^ 2, second), (first, second * 2)):
        if (f, s) != (first, second) and f >= 1:
            assert _rejected(lambda f=f, s=s: verify_consistency(f, s, r1, r2, proof))
    if second // 2 >= first and second // 2 != second:
        assert _rejected(lambda: verify_consistency(first, second // 2, r1, r2, proof))
    assert _rejected(lambda: verify_consistency(first, second, _flip_bit([r1], 0, 3)[0], r2, proof))
    assert _rejected(lambda: verify_consistency(first, second, r1, _flip_bit([r2], 0, 200)[0], proof))
    if proof:
        element = data.draw(st.integers(min_value=0, max_value=len(proof) - 1))
        bit = data.draw(st.integers(min_value=0, max_value=255))
        flipped = _flip_bit(proof, element, bit)
        assert _rejected(lambda: verify_consistency(first, second, r1, r2, flipped))
        assert _rejected(lambda: verify_consistency(first, second, r1, r2, proof[:-1]))
        assert _rejected(lambda: verify_consistency(first, second, r1, r2, proof[1:]))
    assert _rejected(lambda: verify_consistency(first, second, r1, r2, [*proof, r2]))
    assert _rejected(lambda: verify_consistency(first, second, r1, r2, [r1, *proof]))
    if first < second:
        # A rewritten prefix: the same sizes, another first tree.
        other = Tree.from_data([b"x", *(i.to_bytes(4, "big") for i in range(1, second))])
        assert _rejected(lambda: verify_consistency(first, second, other.root(first), r2, proof))


def test_a_hundred_thousand_leaves_are_fast() -> None:
    leaves = [hashlib.sha256(i.to_bytes(4, "big")).digest() for i in range(100_000)]
    started = time.perf_counter()
    tree = Tree.from_data(leaves)
    built = time.perf_counter() - started
    started = time.perf_counter()
    root = tree.root()
    proofs = [(i, tree.inclusion(i)) for i in range(0, 100_000, 997)]
    consistency = tree.consistency(65_537)
    queried = time.perf_counter() - started
    for i, path in proofs:
        verify_inclusion(tree.levels[0][i], i, 100_000, path, root)
    verify_consistency(65_537, 100_000, tree.root(65_537), root, consistency)
    # Built once (~0.8 s on a shared 2-core machine); every later proof is look-ups: recomputing subtrees
    # for each of these ~100 proofs would take a minute.
    assert built < 5.0 and queried < 0.5, (built, queried)


# -- signed checkpoints -----------------------------------------------------------------------------------


def test_checkpoint_note_bytes_and_signature() -> None:
    key = SigningKey.generate()
    checkpoint = Checkpoint("7d1c3a0e-case", 8, bytes.fromhex(ROOTS[8]))
    note = checkpoint.sign(key)
    root_b64 = base64.b64encode(bytes.fromhex(ROOTS[8])).decode()
    assert checkpoint.text() == f"7d1c3a0e-case\n8\n{root_b64}\n"
    body, sig_line = note.split("\n\n")
    assert body + "\n" == checkpoint.text()
    assert sig_line.startswith("\u2014 7d1c3a0e-case ") and sig_line.endswith("\n")
    blob = base64.b64decode(sig_line.split(" ")[2])
    assert blob[:4] == key_id("7d1c3a0e-case", key.public) and len(blob) == 68
    assert key.public.verify(blob[4:], checkpoint.text().encode())
    assert parse_note(note, key.public) == checkpoint


@pytest.mark.parametrize(
    "change",
    [
        lambda n: n.replace("\n8\n", "\n9\n"),
        lambda n: n.replace("7d1c3a0e-case\n", "another-case\n", 1),
        lambda n: n.replace("\n8\n", "\n8\n", 1).replace(n.split("\n")[2], "A" + n.split("\n")[2][1:]),
        lambda n: n.replace("\n\n", "\n"),
        lambda n: n[:-6] + ("A" if n[-6] != "A" else "B") + n[-5:],
    ],
    ids=["size", "origin", "root", "no-blank-line", "signature"],
)
def test_a_changed_checkpoint_is_rejected(change: object) -> None:
    key = SigningKey.generate()
    note = Checkpoint("7d1c3a0e-case", 8, bytes.fromhex(ROOTS[8])).sign(key)
    assert callable(change)
    with pytest.raises(CheckpointError):
        parse_note(change(note), key.public)
    with pytest.raises(CheckpointError):
        parse_note(note, SigningKey.generate().public)
