"""The EIR decision, stated once: BLACKLISTED, GREYLISTED, WHITELISTED or UNKNOWN for one check.

See docs/architecture.md (3GPP TS 29.511 EquipmentStatus, ITU-T Q.5055 lists). What is known
of one check is its *situation*, a bit set; `rule` maps every situation to (status, reason), in
precedence order, first match wins:

| situation                                          | status      | reason              |
|----------------------------------------------------|-------------|---------------------|
| block date reached, (IMEI, IMSI) pair not excepted | BLACKLISTED | the list row's      |
| block date not reached (grace period)              | GREYLISTED  | the list row's      |
| barred TAC (IMEI not exempt), pair not excepted    | BLACKLISTED | barred TAC          |
| tracked                                            | GREYLISTED  | tracked             |
| restrictive mode and not registered                | UNKNOWN     | not registered      |
| anything else                                      | WHITELISTED | none                |

UNKNOWN stands for the policy's answer to unregistered equipment (`EirService` substitutes
it). `TABLE` and the numpy columns `STATUS_OF` / `REASON_OF` are `rule` evaluated once for all
128 situations: the scalar lookup, the vectorised lookup and the settled answers precomputed
when a snapshot opens all index them, so the rule has one statement.
"""

from __future__ import annotations

import numpy as np

from openceir.eir.snapshot.format import (
    BARRED_TAC,
    BLACKLISTED,
    GREYLISTED,
    NO_REASON,
    REGISTERED,
    TRACKED,
    TRACKED_REASON,
    UNKNOWN,
    UNREGISTERED,
    WHITELISTED,
)

# Situation bits. TRACKED and REGISTERED are the flag bits themselves (so `flags & 12` carries
# them over); REACHED and GRACE sit where the dated flags are.
REACHED, GRACE = 1, 2
TRACKED_S, REGISTERED_S = TRACKED, REGISTERED
EXCEPTED, BARRED, RESTRICTIVE = 16, 32, 64
CARRIED_FLAGS = TRACKED | REGISTERED
SITUATIONS = 128
ROW_REASON = -1
"""Reason placeholder: the key's own reason id (of its blocked/notified row)."""


def rule(situation: int) -> tuple[int, int]:
    """(status, reason id or ROW_REASON) of one situation: the table of the module docstring."""
    excepted = situation & EXCEPTED
    if situation & REACHED and not excepted:
        return BLACKLISTED, ROW_REASON
    if situation & GRACE:
        return GREYLISTED, ROW_REASON
    if situation & BARRED and not excepted:
        return BLACKLISTED, BARRED_TAC
    if situation & TRACKED_S:
        return GREYLISTED, TRACKED_REASON
    if situation & RESTRICTIVE and not situation & REGISTERED_S:
        return UNKNOWN, UNREGISTERED
    return WHITELISTED, NO_REASON


TABLE: tuple[tuple[int, int], ...] = tuple(rule(s) for s in range(SITUATIONS))
STATUS_OF = np.array([status for status, _ in TABLE], dtype=np.int8)
REASON_OF = np.array([reason for _, reason in TABLE], dtype=np.int32)


def answers(
    situation: np.ndarray, row_reasons: np.ndarray, unknown: int = UNKNOWN
) -> tuple[np.ndarray, np.ndarray]:
    """(status int8, reason id int32) per situation, vectorised; UNKNOWN becomes `unknown`."""
    status = STATUS_OF[situation]
    if unknown != UNKNOWN:
        status = np.where(status == UNKNOWN, np.int8(unknown), status)
    reason = REASON_OF[situation]
    reason = np.where(reason == ROW_REASON, row_reasons, reason).astype(np.int32)
    return status, reason


__all__ = [
    "BARRED",
    "CARRIED_FLAGS",
    "EXCEPTED",
    "GRACE",
    "REACHED",
    "REASON_OF",
    "RESTRICTIVE",
    "ROW_REASON",
    "SITUATIONS",
    "STATUS_OF",
    "TABLE",
    "answers",
    "rule",
]
