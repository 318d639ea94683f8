"""The EIR list snapshot: format, decision table, writer, `current` pointer and reader.

Modules by noun: `format` (layout, flags, status and reason codes), `decision` (the one
BLACKLISTED / GREYLISTED / WHITELISTED table), `writer` (`build_snapshot`), `pointer`
(`current`), `reader` (`Snapshot`, memory-mapped lookups).
"""

from openceir.eir.snapshot.decision import rule
from openceir.eir.snapshot.format import (
    BARRED_TAC,
    BLACKLISTED,
    GREYLISTED,
    NO_REASON,
    STATUS_NAMES,
    TRACKED_REASON,
    UNKNOWN,
    UNREGISTERED,
    WHITELISTED,
    Decision,
    today_days,
)
from openceir.eir.snapshot.pointer import current_run, run_dir, set_current
from openceir.eir.snapshot.reader import Snapshot
from openceir.eir.snapshot.writer import build_snapshot

__all__ = [
    "BARRED_TAC",
    "BLACKLISTED",
    "GREYLISTED",
    "NO_REASON",
    "STATUS_NAMES",
    "TRACKED_REASON",
    "UNKNOWN",
    "UNREGISTERED",
    "WHITELISTED",
    "Decision",
    "Snapshot",
    "build_snapshot",
    "current_run",
    "rule",
    "run_dir",
    "set_current",
    "today_days",
]
