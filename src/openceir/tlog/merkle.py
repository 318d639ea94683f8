"""Merkle tree hashing and proofs, RFC 9162 §2.1 (Certificate Transparency v2).

A leaf hash is SHA-256(0x00 || entry), an interior node SHA-256(0x01 || left || right);
the root of the empty tree is SHA-256 of the empty string. A *node* is named by its
`(level, index)`: the perfect subtree of 2**level leaves starting at leaf index << level.

Algorithms never open files: they take a `HashReader`, a callable that receives a list of
nodes and returns their hashes in the same order (the idea of Go's sumdb `tlog.HashReader`).
Each operation first computes every node it needs, reads them in one batch and checks
the count it got back. Verification follows RFC 9162 §2.1.3.2 and §2.1.4.2 with the
semantics of transparency-dev/merkle's `proof` package, which the vectors in
tests/data/vectors/merkle pin: a leaf hash must be 32 bytes, a proof must have exactly
the expected length, and a consistency proof from size 0 is always an error.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

from openceir.tlog.errors import HashReaderError, ProofError

HASH_SIZE = 32
MAX_SIZE = 2**64 - 1
EMPTY_ROOT = hashlib.sha256(b"").digest()

Node = tuple[int, int]
HashReader = Callable[[Sequence[Node]], Sequence[bytes]]


def leaf_hash(entry: bytes) -> bytes:
    """The RFC 9162 hash of one log entry: SHA-256(0x00 || entry)."""
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The RFC 9162 hash of an interior node: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly smaller than n (n >= 2), RFC 9162 §2.1.1."""
    return 1 << ((n - 1).bit_length() - 1)


def range_nodes(begin: int, end: int) -> list[Node]:
    """The perfect subtrees that exactly cover leaves [begin, end), left to right.

    Folding their hashes right to left gives the RFC 9162 hash of the range when begin
    is a multiple of the largest power of two not above end - begin (true for every
    range a proof or root needs). At most 2 * log2(end - begin) nodes.
    """
    nodes: list[Node] = []
    while begin < end:
        level = (end - begin).bit_length() - 1
        if begin:
            level = min(level, (begin & -begin).bit_length() - 1)
        nodes.append((level, begin >> level))
        begin += 1 << level
    return nodes


def fold(hashes: Sequence[bytes]) -> bytes:
    """Combine the hashes of `range_nodes` (left to right) into the range's hash."""
    acc = hashes[-1]
    for h in reversed(hashes[:-1]):
        acc = node_hash(h, acc)
    return acc


def perfect_root(hashes: Sequence[bytes]) -> bytes:
    """The root over a power-of-two count of node hashes (a perfect subtree), bottom up."""
    layer = list(hashes)
    if not layer or len(layer) & (len(layer) - 1):
        raise ValueError(f"merkle: perfect_root needs a power of two hashes, got {len(layer)}")
    while len(layer) > 1:
        layer = [node_hash(layer[i], layer[i + 1]) for i in range(0, len(layer), 2)]
    return layer[0]


def _read(reader: HashReader, nodes: list[Node]) -> list[bytes]:
    got = list(reader(nodes))
    if len(got) != len(nodes):
        raise HashReaderError(f"merkle: hash reader returned {len(got)} hashes, want {len(nodes)}")
    return got


def tree_root(size: int, reader: HashReader) -> bytes:
    """The root hash of the tree of the first `size` leaves (EMPTY_ROOT for 0)."""
    if size == 0:
        return EMPTY_ROOT
    return fold(_read(reader, range_nodes(0, size)))


def _inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The leaf ranges whose hashes form PATH(index, D[0:size]), RFC 9162 §2.1.3.1."""
    ranges: list[tuple[int, int]] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = _split(hi - lo)
        if index < lo + k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo = lo + k
    ranges.reverse()
    return ranges


def _consistency_ranges(old: int, new: int) -> list[tuple[int, int]]:
    """The leaf ranges whose hashes form PROOF(old, D[0:new]), RFC 9162 §2.1.4.1."""
    ranges: list[tuple[int, int]] = []
    lo, hi, complete = 0, new, True
    m = old
    while True:
        if m == hi - lo:
            if not complete:
                ranges.append((lo, hi))
            break
        k = _split(hi - lo)
        if m <= k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo, m, complete = lo + k, m - k, False
    ranges.reverse()
    return ranges


def _hashes_of_ranges(ranges: list[tuple[int, int]], reader: HashReader) -> list[bytes]:
    """Hash each leaf range, reading all nodes in one batch; a perfect range is one node."""
    plan: list[list[Node]] = []
    for lo, hi in ranges:
        width = hi - lo
        if width & (width - 1) == 0 and lo % width == 0:
            level = width.bit_length() - 1
            plan.append([(level, lo >> level)])
        else:
            plan.append(range_nodes(lo, hi))
    flat = _read(reader, [node for nodes in plan for node in nodes])
    out, at = [], 0
    for nodes in plan:
        n = len(nodes)
        out.append(flat[at] if n == 1 else fold(flat[at : at + n]))
        at += n
    return out


def inclusion_proof(index: int, size: int, reader: HashReader) -> list[bytes]:
    """The audit path proving leaf `index` is in the tree of `size` leaves."""
    if not 0 <= index < size:
        raise ProofError(f"merkle: leaf index {index} is outside a tree of size {size}")
    return _hashes_of_ranges(_inclusion_ranges(index, size), reader)


def consistency_proof(old: int, new: int, reader: HashReader) -> list[bytes]:
    """The proof that the tree of `old` leaves is a prefix of the tree of `new` leaves."""
    if not 0 < old <= new:
        raise ProofError(f"merkle: no consistency proof from size {old} to size {new}")
    if old == new:
        return []
    return _hashes_of_ranges(_consistency_ranges(old, new), reader)


def _check_size(what: str, value: int) -> None:
    if not 0 <= value <= MAX_SIZE:
        raise ProofError(f"merkle: {what} {value} is not a uint64")


def root_from_inclusion_proof(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    """The root implied by an inclusion proof, RFC 9162 §2.1.3.2; raises on a malformed one."""
    _check_size("leaf index", index)
    _check_size("tree size", size)
    if index >= size:
        raise ProofError(f"merkle: leaf index {index} is outside a tree of size {size}")
    if len(leaf) != HASH_SIZE:
        raise ProofError(f"merkle: leaf hash is {len(leaf)} bytes, want {HASH_SIZE}")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise ProofError(f"merkle: inclusion proof has {len(proof)} hashes, too many")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError(f"merkle: inclusion proof has {len(proof)} hashes, too few")
    return r


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    """Check that `leaf` is at `index` in the tree of `size` leaves with this root."""
    got = root_from_inclusion_proof(index, size, leaf, proof)
    if got != root:
        raise ProofError(
            f"merkle: inclusion proof for leaf {index} of {size} gives root "
            f"{got.hex()}, not {root.hex()}"
        )


def verify_consistency(
    old: int, new: int, proof: Sequence[bytes], old_root: bytes, new_root: bytes
) -> None:
    """Check that the tree (old, old_root) is a prefix of (new, new_root), RFC 9162 §2.1.4.2."""
    _check_size("size1", old)
    _check_size("size2", new)
    if new < old:
        raise ProofError(f"merkle: size2 {new} is smaller than size1 {old}")
    if old == 0:
        raise ProofError("merkle: no consistency proof can start at the empty tree")
    if old == new:
        if proof:
            raise ProofError("merkle: consistency proof between equal sizes must be empty")
        if old_root != new_root:
            raise ProofError("merkle: equal sizes with different roots (a fork)")
        return
    if not proof:
        raise ProofError(f"merkle: empty consistency proof from {old} to {new}")
    path = list(proof)
    if old & (old - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError(f"merkle: consistency proof has {len(proof)} hashes, too many")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError(f"merkle: consistency proof has {len(proof)} hashes, too few")
    if fr != old_root:
        raise ProofError(f"merkle: consistency proof does not match the root of size {old}")
    if sr != new_root:
        raise ProofError(f"merkle: consistency proof does not match the root of size {new}")


def extend_levels(levels: list[bytearray]) -> None:
    """Add every newly complete interior node to `levels`, rows of concatenated hashes.

    levels[0] holds leaf hashes; levels[k][32*i:32*i+32] is node (k, i). Each new node
    hashes one contiguous 64-byte slice of the row below, so a batch costs one hash per
    new node and no per-node objects but the digest.
    """
    sha = hashlib.sha256
    k = 0
    while len(levels[k]) >= 2 * HASH_SIZE:
        if k + 1 == len(levels):
            levels.append(bytearray())
        below, above = levels[k], levels[k + 1]
        step = 2 * HASH_SIZE
        for i in range(len(above) // HASH_SIZE, len(below) // step):
            above += sha(b"\x01" + below[step * i : step * (i + 1)]).digest()
        k += 1


def memory_reader(levels: Sequence[Sequence[bytes]]) -> HashReader:
    """A HashReader over in-memory levels: levels[l][i] is the hash of node (l, i)."""

    def read(nodes: Sequence[Node]) -> list[bytes]:
        return [levels[level][index] for level, index in nodes]

    return read


__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "HashReader",
    "Node",
    "ProofError",
    "consistency_proof",
    "extend_levels",
    "fold",
    "inclusion_proof",
    "leaf_hash",
    "memory_reader",
    "node_hash",
    "perfect_root",
    "range_nodes",
    "root_from_inclusion_proof",
    "tree_root",
    "verify_consistency",
    "verify_inclusion",
]
