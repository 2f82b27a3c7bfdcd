"""An RFC 6962 / RFC 9162 Merkle tree over the ledger, its proofs, and signed checkpoints.

The tree's leaves are the ledger entries in order: leaf ``i`` (0-based) is entry ``seq = i + 1``, and its data is
the 32 bytes of that entry's hash (not its hex). Hashes are domain-separated as RFC 6962 section 2.1 says:

  leaf hash  = SHA-256(0x00 || data)
  node hash  = SHA-256(0x01 || left || right)
  MTH({})    = SHA-256("")

so a leaf can never be taken for an interior node. Proofs are generated as RFC 6962 section 2.1.1 (PATH) and
2.1.2 (PROOF) define them and checked with the algorithms of RFC 9162 sections 2.1.3.2 and 2.1.4.2.

A **checkpoint** says "the ledger of case ORIGIN had SIZE entries, and their tree's root is ROOT", in the text
form of a transparency-log signed note (C2SP ``signed-note`` / ``tlog-checkpoint``)::

    <origin>\\n
    <size, decimal>\\n
    <base64 of the 32-byte root>\\n
    \\n
    \u2014 <origin> <base64(key id (4 bytes) || Ed25519 signature (64 bytes))>\\n

The signature is Ed25519 by the case key over exactly the first three lines (the "note text", each line ending
in a newline). The key id is the first 4 bytes of SHA-256(<origin> || "\\n" || 0x01 || the 32-byte public key),
as the signed-note format defines it for Ed25519 keys. The origin is the case id. A note text is never 32 bytes
long, so no checkpoint signature can be replayed as a ledger entry's signature (over a 32-byte hash) or back.

Trees are built level by level from the leaf hashes (``Tree``): for 100,000 entries that is about 200,000 SHA-256
calls, then every root, inclusion proof and consistency proof for any size up to the tree's is a few dozen
look-ups (the left subtrees of RFC 6962's recursion are always complete and aligned, hence stored).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from evidence.case.formats import CHECKPOINT_KIND as CHECKPOINT_KIND
from evidence.case.formats import MERKLE_LEAF_PREFIX, MERKLE_NODE_PREFIX
from evidence.case.signing import PublicKey, SigningKey

LEAF_PREFIX = MERKLE_LEAF_PREFIX
NODE_PREFIX = MERKLE_NODE_PREFIX
EMPTY_ROOT = hashlib.sha256(b"").digest()
SIGNATURE_DASH = "\u2014"  # the em dash that starts a signed note's signature line
ED25519_KEY_TYPE = b"\x01"


class ProofError(ValueError):
    """A proof does not verify (the message says which step failed)."""


def leaf_hash(data: bytes) -> bytes:
    """SHA-256(0x00 || data)."""
    return hashlib.sha256(LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right)."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


class Tree:
    """The complete subtrees of a list of leaves, level by level; roots and proofs for any prefix size."""

    def __init__(self, leaf_hashes: Sequence[bytes]) -> None:
        level = list(leaf_hashes)
        self.levels: list[list[bytes]] = [level]
        while len(level) > 1:
            level = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
            self.levels.append(level)

    @classmethod
    def from_data(cls, leaves: Sequence[bytes]) -> Tree:
        """The tree whose leaf ``i`` has data ``leaves[i]``."""
        return cls([leaf_hash(d) for d in leaves])

    @property
    def size(self) -> int:
        """How many leaves."""
        return len(self.levels[0])

    def _mth(self, start: int, end: int) -> bytes:
        """MTH(D[start:end]): a complete, aligned subtree is looked up; any other range is split as RFC 6962
        splits it (its left part is then complete and aligned)."""
        n = end - start
        if n == 0:
            return EMPTY_ROOT
        if n & (n - 1) == 0 and start % n == 0:
            return self.levels[n.bit_length() - 1][start // n]
        k = _split(n)
        return node_hash(self._mth(start, start + k), self._mth(start + k, end))

    def root(self, size: int | None = None) -> bytes:
        """The root of the first ``size`` leaves (all of them by default)."""
        size = self.size if size is None else size
        self._check_size(size)
        return self._mth(0, size)

    def _check_size(self, size: int) -> None:
        if not 0 <= size <= self.size:
            raise ValueError(f"tree size {size} is not between 0 and {self.size}")

    def inclusion(self, index: int, size: int | None = None) -> list[bytes]:
        """PATH(index, D[0:size]) of RFC 6962 section 2.1.1: the audit path of leaf ``index``."""
        size = self.size if size is None else size
        self._check_size(size)
        if not 0 <= index < size:
            raise ValueError(f"leaf {index} is not in a tree of {size}")
        path: list[bytes] = []
        start, end = 0, size
        while end - start > 1:
            k = _split(end - start)
            if index < start + k:
                path.append(self._mth(start + k, end))
                end = start + k
            else:
                path.append(self._mth(start, start + k))
                start += k
        path.reverse()
        return path

    def consistency(self, first: int, second: int | None = None) -> list[bytes]:
        """PROOF(first, D[0:second]) of RFC 6962 section 2.1.2: the tree of ``first`` leaves is a prefix."""
        second = self.size if second is None else second
        self._check_size(second)
        if not 0 <= first <= second:
            raise ValueError(f"tree size {first} is not between 0 and {second}")
        if first in (0, second):
            return []
        proof: list[bytes] = []
        start, end, m, complete = 0, second, first, True
        while True:
            n = end - start
            if m == n:
                if not complete:
                    proof.append(self._mth(start, end))
                break
            k = _split(n)
            if m <= k:
                proof.append(self._mth(start + k, end))
                end = start + k
            else:
                proof.append(self._mth(start, start + k))
                start, m, complete = start + k, m - k, False
        proof.reverse()
        return proof


def verify_inclusion(leaf: bytes, index: int, size: int, path: Sequence[bytes], root: bytes) -> None:
    """RFC 9162 section 2.1.3.2: raise ProofError unless ``path`` proves leaf hash ``leaf`` is at ``index``
    in the tree of ``size`` leaves whose root is ``root``."""
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is not below the tree size {size}")
    fn, sn = index, size - 1
    r = leaf
    for p in path:
        if len(p) != 32:
            raise ProofError("a proof element is not 32 bytes")
        if sn == 0:
            raise ProofError("the path is longer than the tree is deep")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("the path is shorter than the tree is deep")
    if r != root:
        raise ProofError("the path leads to another root")


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> None:
    """RFC 9162 section 2.1.4.2: raise ProofError unless ``proof`` shows the tree of ``first`` leaves with root
    ``first_root`` is a prefix of the tree of ``second`` leaves with root ``second_root``."""
    if not 0 <= first <= second:
        raise ProofError(f"tree size {first} is larger than {second}")
    if any(len(c) != 32 for c in proof):
        raise ProofError("a proof element is not 32 bytes")
    if first == second:
        if proof:
            raise ProofError("the proof between two trees of the same size must be empty")
        if first_root != second_root:
            raise ProofError("two trees of the same size have different roots")
        return
    if first == 0:
        if proof:
            raise ProofError("the proof from the empty tree must be empty")
        return
    if not proof:
        raise ProofError("the proof is empty")
    path = list(proof)
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("the proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("the proof is shorter than the tree is deep")
    if fr != first_root:
        raise ProofError(f"the proof does not lead to the root of the tree of {first}")
    if sr != second_root:
        raise ProofError(f"the proof does not lead to the root of the tree of {second}")


# -- checkpoints ---------------------------------------------------------------------------------------------


def key_id(origin: str, key: PublicKey) -> bytes:
    """The signed-note key id: the first 4 bytes of SHA-256(name || "\\n" || 0x01 || public key)."""
    return hashlib.sha256(origin.encode("utf-8") + b"\n" + ED25519_KEY_TYPE + key.raw).digest()[:4]


@dataclass(frozen=True)
class Checkpoint:
    """(origin, size, root): the ledger of the case ``origin`` had ``size`` entries with this tree root."""

    origin: str
    size: int
    root: bytes

    def text(self) -> str:
        """The note text that is signed: three lines, each ending in a newline."""
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode('ascii')}\n"

    def sign(self, key: SigningKey) -> str:
        """The whole signed note (text, a blank line, one signature line)."""
        sig = key.sign(self.text().encode("utf-8"))
        blob = base64.b64encode(key_id(self.origin, key.public) + sig).decode("ascii")
        return f"{self.text()}\n{SIGNATURE_DASH} {self.origin} {blob}\n"


class CheckpointError(ValueError):
    """A signed note that is not a well-formed checkpoint, or whose signature does not verify."""


def parse_note(note: str, key: PublicKey) -> Checkpoint:
    """Parse a signed checkpoint and check its signature by ``key``; raise CheckpointError otherwise."""
    text, sep, sigs = note.partition("\n\n")
    if not sep:
        raise CheckpointError("no blank line between the note text and its signature")
    lines = text.split("\n")
    if len(lines) != 3:
        raise CheckpointError("the note text is not three lines (origin, size, root)")
    origin, size_text, root_text = lines
    if not origin or not size_text.isdigit() or (size_text != "0" and size_text.startswith("0")):
        raise CheckpointError("the origin is empty or the size is not a decimal number")
    try:
        root = base64.b64decode(root_text, validate=True)
    except (binascii.Error, ValueError):
        raise CheckpointError("the root is not base64") from None
    if len(root) != 32 or base64.b64encode(root).decode("ascii") != root_text:
        raise CheckpointError("the root is not 32 bytes in canonical base64")
    checkpoint = Checkpoint(origin, int(size_text), root)
    signed = checkpoint.text().encode("utf-8")
    expected_id = key_id(origin, key)
    found = False
    for line in sigs.split("\n"):
        if not line:
            continue
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != SIGNATURE_DASH:
            raise CheckpointError("a signature line is malformed")
        try:
            blob = base64.b64decode(parts[2], validate=True)
        except (binascii.Error, ValueError):
            raise CheckpointError("a signature is not base64") from None
        if parts[1] == origin and blob[:4] == expected_id and len(blob) == 68:
            if not key.verify(blob[4:], signed):
                raise CheckpointError("the signature is invalid for this note")
            found = True
    if not found:
        raise CheckpointError("no signature by the case key")
    if not note.endswith("\n") or "\n\n" in sigs:
        raise CheckpointError("the note does not end in exactly one newline")
    return checkpoint


# -- the ledger's tree -----------------------------------------------------------------------------------------


def ledger_tree(entry_hashes: Sequence[str]) -> Tree:
    """The tree over ledger entries given by their hashes (hex) in ``seq`` order: leaf data = the hash's bytes."""
    return Tree.from_data([bytes.fromhex(h) for h in entry_hashes])


def checkpoint_body(checkpoint: Checkpoint, key: SigningKey) -> dict[str, object]:
    """The body of a ``checkpoint.signed`` entry: the checkpoint, its key id and the whole signed note."""
    return {
        "origin": checkpoint.origin,
        "size": checkpoint.size,
        "root": checkpoint.root.hex(),
        "key_id": key_id(checkpoint.origin, key.public).hex(),
        "note": checkpoint.sign(key),
    }
