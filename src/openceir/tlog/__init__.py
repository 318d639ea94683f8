"""Transparency logs: RFC 9162 Merkle trees, C2SP signed notes, checkpoints, tiles, witnesses.

The exact algorithms, standing alone (as Go's golang.org/x/mod/sumdb/tlog and sumdb/note
do): this package imports nothing of openceir, never opens a file or a socket, and raises
only its own errors (`errors`, rooted at `TlogError`). The IMEI ledger (`openceir.ledger`)
is the application above it.

Lineage, one module per specification:

- `merkle`: RFC 9162 §2.1 (Certificate Transparency v2) tree hashing, inclusion and
  consistency proofs, verified with the semantics of transparency-dev/merkle.
- `note`: C2SP signed-note v1 (Ed25519), the format of Go's sumdb/note.
- `checkpoint`: C2SP tlog-checkpoint v1.
- `tiles`: C2SP tlog-tiles v1 paths, tile math, entry bundles, a tile-backed HashReader.
- `cosignature`: C2SP tlog-cosignature v1 (witness keys, cosignature lines, quorum).
- `witness`: C2SP tlog-witness v1 add-checkpoint requests and their checks.

Compatibility is proven by the official vectors in tests/data/vectors (see its SOURCES.md):
tests/tlog/test_merkle.py runs transparency-dev/merkle's inclusion and consistency vectors
and the RFC 6962 reference tree; tests/tlog/test_note.py Go's sumdb/note and the C2SP
signed-note examples; tests/tlog/test_checkpoint.py the C2SP tlog-checkpoint examples;
tests/tlog/test_tiles.py rebuilds Tessera's test log tile for tile; tests/tlog/
test_cosignature.py the C2SP tlog-cosignature signed-message example.
"""

from openceir.tlog.checkpoint import Checkpoint, MalformedCheckpointError, open_checkpoint
from openceir.tlog.cosignature import (
    CosignatureVerifier,
    Cosigner,
    cosignature_times,
    generate_cosigner,
    is_published,
    parse_cosigner_skey,
    parse_cosigner_vkey,
)
from openceir.tlog.errors import (
    EntryTooLarge,
    HashReaderError,
    InvalidTilePath,
    ProofError,
    TileError,
    TlogError,
)
from openceir.tlog.merkle import (
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    tree_root,
    verify_consistency,
    verify_inclusion,
)
from openceir.tlog.note import (
    InvalidSignatureError,
    MalformedNoteError,
    Note,
    NoteError,
    Signer,
    UnknownVerifierError,
    UnverifiedNoteError,
    Verifier,
    generate_key,
    open_note,
    parse_skey,
    parse_vkey,
    sign,
)
from openceir.tlog.tiles import Tile, parse_tile_path, tile_path
from openceir.tlog.witness import WitnessError, format_request, parse_request

__all__ = [
    "Checkpoint",
    "CosignatureVerifier",
    "Cosigner",
    "EntryTooLarge",
    "HashReaderError",
    "InvalidSignatureError",
    "InvalidTilePath",
    "MalformedCheckpointError",
    "MalformedNoteError",
    "Note",
    "NoteError",
    "ProofError",
    "Signer",
    "Tile",
    "TileError",
    "TlogError",
    "UnknownVerifierError",
    "UnverifiedNoteError",
    "Verifier",
    "WitnessError",
    "consistency_proof",
    "cosignature_times",
    "format_request",
    "generate_cosigner",
    "generate_key",
    "inclusion_proof",
    "is_published",
    "leaf_hash",
    "open_checkpoint",
    "open_note",
    "parse_cosigner_skey",
    "parse_cosigner_vkey",
    "parse_request",
    "parse_skey",
    "parse_tile_path",
    "parse_vkey",
    "sign",
    "tile_path",
    "tree_root",
    "verify_consistency",
    "verify_inclusion",
]
