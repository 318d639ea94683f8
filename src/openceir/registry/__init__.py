"""Device registration and Know Your Mobile: the legal-device side of the CEIR (issue 14).

Type approval by TAC (`approvals`), registration requests by importers, manufacturers,
individuals and exporters with streamed uploads (`upload`) checked per IMEI in one
vectorised pass (`checks`), a reviewer workflow (`workflow`, `requests`) whose approved
IMEIs join the registration list classification reads, travellers with keyed passport
hashes (`travellers`), and the public Know Your Mobile answer (`kym`) with its signed,
offline-verifiable receipt (`receipt`). See docs/registry.md.
"""

from openceir.registry.approvals import get as get_approval
from openceir.registry.approvals import history as approval_history
from openceir.registry.approvals import record_approval, set_status
from openceir.registry.checks import BLOCKING, FINDINGS, Context, check_batch
from openceir.registry.requests import (
    create_request,
    decide,
    finish,
    imeis_of,
    move,
    upload_imeis,
)
from openceir.registry.workflow import STATES, next_state

__all__ = [
    "BLOCKING",
    "FINDINGS",
    "STATES",
    "Context",
    "approval_history",
    "check_batch",
    "create_request",
    "decide",
    "finish",
    "get_approval",
    "imeis_of",
    "move",
    "next_state",
    "record_approval",
    "set_status",
    "upload_imeis",
]
