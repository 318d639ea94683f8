"""The EIR snapshot format: one immutable, memory-mapped Arrow IPC directory per list run.

One directory per run under `<root>/runs/<run_id>/` holds:

- `keys.arrow`: every listed IMEI key (14-digit integer, TAC + serial), sorted and unique, with
  `flags` (uint8: 1 blocked, 2 notified, 4 tracked, 8 registered, 16 has exception pairs,
  32 exempt: a barred TAC never blocks it),
  `block_date` (int32 days since 1970-01-01; the earliest of its blocked/notified rows) and
  `reason_id` (int32 into the manifest's `reason_sets`);
- `exceptions.arrow`: the (IMEI key, IMSI) pairs allowed although the IMEI is blocked, sorted;
- `manifest.json`: format version, run id, generation time, counts, barred TACs and the
  reason sets (ids 0-3 fixed, below; list reasons from `FIRST_LIST_REASON`).

`<root>/current` names the run being served (`pointer`); runs are never modified once written
(`writer`), and are read zero-copy (`reader`). The answers they give are `decision`'s table.
"""

from __future__ import annotations

import time
from typing import NamedTuple

import numpy as np

FORMAT_VERSION = 1
KEYS_FILE, EXCEPTIONS_FILE, MANIFEST_FILE = "keys.arrow", "exceptions.arrow", "manifest.json"

# Flag bits of keys.arrow's `flags` column.
BLOCKED, NOTIFIED, TRACKED, REGISTERED, EXCEPTION, EXEMPT = 1, 2, 4, 8, 16, 32
DATED = BLOCKED | NOTIFIED

# Status codes (the index into STATUS_NAMES), TS 29.511 EquipmentStatus plus UNKNOWN.
WHITELISTED, GREYLISTED, BLACKLISTED, UNKNOWN = 0, 1, 2, 3
STATUS_NAMES = ("WHITELISTED", "GREYLISTED", "BLACKLISTED", "UNKNOWN")

# Reason sets every snapshot carries at fixed ids; list reasons follow from FIRST_LIST_REASON.
NO_REASON, BARRED_TAC, TRACKED_REASON, UNREGISTERED = 0, 1, 2, 3
FIXED_REASONS: tuple[tuple[str, ...], ...] = (
    (),
    ("barred TAC",),
    ("tracked",),
    ("not registered",),
)
FIRST_LIST_REASON = len(FIXED_REASONS)

NO_DATE_LOW = int(np.iinfo(np.int32).min)  # blocked with no date: blocked already
NO_DATE_HIGH = int(np.iinfo(np.int32).max)  # not a dated row (tracked / registered)
REASON_SEPARATOR = "\x1f"


class Decision(NamedTuple):
    """What an EIR answers for one check: the EquipmentStatus name and the reasons behind it."""

    status: str
    reasons: tuple[str, ...]


def today_days() -> int:
    """Today (UTC) as days since 1970-01-01, the unit of `block_date`."""
    return int(time.time() // 86400)


__all__ = [
    "BARRED_TAC",
    "BLACKLISTED",
    "BLOCKED",
    "DATED",
    "EXCEPTION",
    "EXCEPTIONS_FILE",
    "EXEMPT",
    "FIRST_LIST_REASON",
    "FIXED_REASONS",
    "FORMAT_VERSION",
    "GREYLISTED",
    "KEYS_FILE",
    "MANIFEST_FILE",
    "NOTIFIED",
    "NO_DATE_HIGH",
    "NO_DATE_LOW",
    "NO_REASON",
    "REASON_SEPARATOR",
    "REGISTERED",
    "STATUS_NAMES",
    "TRACKED",
    "TRACKED_REASON",
    "UNKNOWN",
    "UNREGISTERED",
    "WHITELISTED",
    "Decision",
    "today_days",
]
