"""The global IMEI ledger: an RFC 9162 Merkle transparency log with C2SP checkpoints and tiles.

Entries are signed IMEI events (`entries`), appended by registered participants
(`participants`) to a durable tiled log (`log`, `storage`), audited offline from its files
(`audit`), with RFC 9162 proofs (`merkle`), C2SP signed notes (`note`), checkpoints
(`checkpoint`) and tiles (`tiles`), cosigned by witnesses (`witness`) and followed by peer
CEIRs (`federation`). See docs/ledger.md.
"""

from openceir.ledger.audit import AuditError, verify_log
from openceir.ledger.checkpoint import Checkpoint, open_checkpoint
from openceir.ledger.entries import canonical_json, check_entry, parse_entry, sign_event
from openceir.ledger.events import (
    ImeiLedger,
    OpenLedger,
    append_event,
    inclusion_bundle,
    verify_inclusion_bundle,
    verify_ledger,
)
from openceir.ledger.federation import ForkError, Peer, add_peer, follow, foreign_events
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
from openceir.ledger.witness import Witness, WitnessError, init_witness, is_published, publish

__all__ = [
    "AuditError",
    "Checkpoint",
    "ForkError",
    "ImeiLedger",
    "Log",
    "OpenLedger",
    "Peer",
    "ProofError",
    "Signer",
    "Verifier",
    "Witness",
    "WitnessError",
    "add_participant",
    "add_peer",
    "append_event",
    "canonical_json",
    "check_entry",
    "consistency_proof",
    "follow",
    "foreign_events",
    "generate_key",
    "inclusion_bundle",
    "inclusion_proof",
    "init_witness",
    "is_published",
    "leaf_hash",
    "load_participants",
    "open_checkpoint",
    "parse_entry",
    "parse_skey",
    "parse_vkey",
    "publish",
    "sign_event",
    "verify_consistency",
    "verify_inclusion",
    "verify_inclusion_bundle",
    "verify_ledger",
    "verify_log",
]
