"""The global IMEI ledger: signed IMEI events in a transparency log, shared across borders.

The application above `openceir.tlog` (which holds the RFC 9162 and C2SP algorithms):
entries are signed IMEI events (`entries`), appended by registered participants
(`participants`) to a durable tiled log (`log`, `storage`), indexed by IMEI and proven
(`events`), verified offline from its files (`verify`), cosigned by witnesses (`witness`),
followed by peer CEIRs (`federation`), whose theft reports join the national stolen list
(`foreign_stolen`). See docs/ledger.md.
"""

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
from openceir.ledger.participants import add_participant, load_participants
from openceir.ledger.verify import AuditError, verify_log
from openceir.ledger.witness import Witness, init_witness, publish

__all__ = [
    "AuditError",
    "ForkError",
    "ImeiLedger",
    "Log",
    "OpenLedger",
    "Peer",
    "Witness",
    "add_participant",
    "add_peer",
    "append_event",
    "canonical_json",
    "check_entry",
    "follow",
    "foreign_events",
    "inclusion_bundle",
    "init_witness",
    "load_participants",
    "parse_entry",
    "publish",
    "sign_event",
    "verify_inclusion_bundle",
    "verify_ledger",
    "verify_log",
]
