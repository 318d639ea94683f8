"""The global IMEI ledger: an RFC 9162 Merkle transparency log with C2SP checkpoints and tiles."""

from openceir.ledger.merkle import (
    ProofError,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    verify_consistency,
    verify_inclusion,
)

__all__ = [
    "ProofError",
    "consistency_proof",
    "inclusion_proof",
    "leaf_hash",
    "verify_consistency",
    "verify_inclusion",
]
