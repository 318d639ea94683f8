"""The global IMEI ledger: an RFC 9162 Merkle transparency log with C2SP checkpoints and tiles.

Entries are signed IMEI events (`entries`), appended by registered participants
(`participants`) to a durable tiled log (`log`, `storage`), audited offline from its files
(`audit`), with RFC 9162 proofs (`merkle`), C2SP signed notes (`note`), checkpoints
(`checkpoint`) and tiles (`tiles`). See docs/ledger.md.
"""

from openceir.ledger.audit import AuditError, verify_log
from openceir.ledger.checkpoint import Checkpoint, open_checkpoint
from openceir.ledger.entries import canonical_json, check_entry, parse_entry, sign_event
from openceir.ledger.events import (
    ImeiLedger,
    append_event,
    inclusion_bundle,
    verify_inclusion_bundle,
    verify_ledger,
)
from openceir.ledger.log import Log
from openceir.ledger.merkle import (
    ProofError,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    verify_consistency,
    verify_inclusion,
)
from openceir.ledger.note import Signer, Verifier, generate_key, parse_skey, parse_vkey
from openceir.ledger.participants import add_participant, load_participants

__all__ = [
    "AuditError",
    "Checkpoint",
    "ImeiLedger",
    "Log",
    "ProofError",
    "Signer",
    "Verifier",
    "add_participant",
    "append_event",
    "canonical_json",
    "check_entry",
    "consistency_proof",
    "generate_key",
    "inclusion_bundle",
    "inclusion_proof",
    "leaf_hash",
    "load_participants",
    "open_checkpoint",
    "parse_entry",
    "parse_skey",
    "parse_vkey",
    "sign_event",
    "verify_consistency",
    "verify_inclusion",
    "verify_inclusion_bundle",
    "verify_ledger",
    "verify_log",
]
