"""The real-time EIR: list snapshot, lookups, N5g-eir (TS 29.511), S13 (TS 29.272), events."""

from openceir.access.tokens import Authority
from openceir.eir.audit import AuditReport, audit_operator_list
from openceir.eir.check_events import CheckEventLog, Duplicate
from openceir.eir.metrics import Metrics
from openceir.eir.n5g import N5gEirApp
from openceir.eir.pei import Pei, parse_pei
from openceir.eir.s13 import S13Handler, s13_server
from openceir.eir.server import ServeOptions, build_app, serve
from openceir.eir.service import EirPolicy, EirService
from openceir.eir.snapshot import Decision, Snapshot, build_snapshot, current_run, set_current

__all__ = [
    "AuditReport",
    "Authority",
    "CheckEventLog",
    "Decision",
    "Duplicate",
    "EirPolicy",
    "EirService",
    "Metrics",
    "N5gEirApp",
    "Pei",
    "S13Handler",
    "ServeOptions",
    "Snapshot",
    "audit_operator_list",
    "build_app",
    "build_snapshot",
    "current_run",
    "parse_pei",
    "s13_server",
    "serve",
    "set_current",
]
