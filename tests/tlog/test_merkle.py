"""RFC 9162 hashing and proofs against the transparency-dev/merkle vectors and a grown tree."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from openceir.tlog import merkle
from openceir.tlog.errors import HashReaderError, ProofError

VECTORS = Path(__file__).resolve().parents[1] / "data" / "vectors" / "merkle"
TDM = VECTORS / "transparency-dev-merkle"
INCLUSION = sorted((TDM / "inclusion").rglob("*.json"))
CONSISTENCY = sorted((TDM / "consistency").rglob("*.json"))
REFERENCE = json.loads((VECTORS / "rfc6962-reference-tree.json").read_text())


def _b64(value: str | None) -> bytes:
    return base64.b64decode(value) if value else b""


def _proof(values: list[str] | None) -> list[bytes]:
    return [base64.b64decode(v) for v in values or []]


def _ids(paths: list[Path]) -> list[str]:
    return [str(p.relative_to(TDM)) for p in paths]


def test_all_vector_files_are_present() -> None:
    assert len(INCLUSION) == 98
    assert len(CONSISTENCY) == 98


@pytest.mark.parametrize("path", INCLUSION, ids=_ids(INCLUSION))
def test_inclusion_vector(path: Path) -> None:
    v = json.loads(path.read_text())
    args = (v["leafIdx"], v["treeSize"], _b64(v["leafHash"]), _proof(v["proof"]), _b64(v["root"]))
    if v["wantErr"]:
        with pytest.raises(ProofError):
            merkle.verify_inclusion(*args)
    else:
        merkle.verify_inclusion(*args)


@pytest.mark.parametrize("path", CONSISTENCY, ids=_ids(CONSISTENCY))
def test_consistency_vector(path: Path) -> None:
    v = json.loads(path.read_text())
    args = (v["size1"], v["size2"], _proof(v["proof"]), _b64(v["root1"]), _b64(v["root2"]))
    if v["wantErr"]:
        with pytest.raises(ProofError):
            merkle.verify_consistency(*args)
    else:
        merkle.verify_consistency(*args)


def _levels(leaves: list[bytes]) -> list[list[bytes]]:
    levels = [[merkle.leaf_hash(e) for e in leaves]]
    while len(levels[-1]) > 1:
        below = levels[-1]
        levels.append(
            [merkle.node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)]
        )
    return levels


def test_reference_tree_leaf_hashes_and_every_root() -> None:
    leaves = [bytes.fromhex(h) for h in REFERENCE["leafInputsHex"]]
    assert [merkle.leaf_hash(e).hex() for e in leaves] == REFERENCE["leafHashesHex"]
    reader = merkle.memory_reader(_levels(leaves))
    roots = {int(k): v for k, v in REFERENCE["rootHashByTreeSizeHex"].items()}
    assert set(roots) == set(range(9))
    for size, want in roots.items():
        assert merkle.tree_root(size, reader).hex() == want


def test_reference_tree_root_changes_when_a_leaf_changes() -> None:
    leaves = [bytes.fromhex(h) for h in REFERENCE["leafInputsHex"]]
    leaves[3] = b"\x20\x22"
    reader = merkle.memory_reader(_levels(leaves))
    assert merkle.tree_root(8, reader).hex() != REFERENCE["rootHashByTreeSizeHex"]["8"]


def _flip_each(proof: list[bytes]):
    for i, h in enumerate(proof):
        bit = (i * 37) % 256
        bad = bytearray(h)
        bad[bit // 8] ^= 1 << (bit % 8)
        yield [*proof[:i], bytes(bad), *proof[i + 1 :]]


def test_grown_tree_proves_every_leaf_and_every_earlier_tree() -> None:
    """tlog_test style: 100 leaves, every proof verifies, every one-bit change is rejected."""
    leaves = [f"leaf {i}".encode() for i in range(100)]
    reader = merkle.memory_reader(_levels(leaves))
    roots = [merkle.tree_root(n, reader) for n in range(101)]
    for size in range(1, 101):
        for index in range(size):
            leaf = merkle.leaf_hash(leaves[index])
            proof = merkle.inclusion_proof(index, size, reader)
            merkle.verify_inclusion(index, size, leaf, proof, roots[size])
            for bad in _flip_each(proof):
                with pytest.raises(merkle.ProofError):
                    merkle.verify_inclusion(index, size, leaf, bad, roots[size])
            if proof:
                with pytest.raises(merkle.ProofError):
                    merkle.verify_inclusion(index, size, leaf, proof[:-1], roots[size])
        for old in range(1, size + 1):
            proof = merkle.consistency_proof(old, size, reader)
            merkle.verify_consistency(old, size, proof, roots[old], roots[size])
            for bad in _flip_each(proof):
                with pytest.raises(merkle.ProofError):
                    merkle.verify_consistency(old, size, bad, roots[old], roots[size])
            if old < size:
                with pytest.raises(merkle.ProofError):
                    merkle.verify_consistency(
                        old, size, proof, roots[old - 1 or 1], roots[size - 1]
                    )


def test_proof_requests_outside_the_tree_are_errors() -> None:
    reader = merkle.memory_reader(_levels([b"a", b"b"]))
    with pytest.raises(merkle.ProofError, match="outside a tree of size 2"):
        merkle.inclusion_proof(2, 2, reader)
    with pytest.raises(merkle.ProofError, match="from size 0"):
        merkle.consistency_proof(0, 2, reader)
    with pytest.raises(merkle.ProofError, match="from size 3 to size 2"):
        merkle.consistency_proof(3, 2, reader)


def test_short_hash_reader_is_an_integrity_error() -> None:
    with pytest.raises(HashReaderError, match="returned 0 hashes, want 1"):
        merkle.tree_root(1, lambda nodes: [])


def test_range_nodes_cover_the_range_with_perfect_subtrees() -> None:
    assert merkle.range_nodes(0, 13) == [(3, 0), (2, 2), (0, 12)]
    assert merkle.range_nodes(8, 13) == [(2, 2), (0, 12)]
    assert merkle.range_nodes(5, 5) == []


def test_copied_vectors_match_their_checksums() -> None:
    import hashlib

    root = VECTORS.parent
    lines = (root / "SHA256SUMS").read_text().splitlines()
    assert len(lines) == 258
    for line in lines:
        digest, name = line.split(maxsplit=1)
        assert hashlib.sha256((root / name.lstrip("*")).read_bytes()).hexdigest() == digest, name
