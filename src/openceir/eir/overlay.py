"""The EIR overlay: recent block/unblock changes every running EIR worker picks up in ~1 s.

`<snapshot root>/overlay.json` maps IMEI keys to their latest change (`blocked`, `reason`,
`time`); `EirService.maybe_reload` re-reads it when its mtime changes (every
`[eir] reload_seconds`), so N5g-eir workers and S13 answer without a snapshot rebuild. A
blocked key answers BLACKLISTED unless its (IMEI, IMSI) pair is on the exceptions list; an
unblocked key answers WHITELISTED. Not yet signed, nor folded into the next snapshot
(known gaps, see the lane report).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from pathlib import Path

from openceir import fileio

OVERLAY_FILE = "overlay.json"


def publish_overlay_change(root: Path, changes: Iterable[tuple[int, bool, str]]) -> int:
    """Apply (IMEI key, blocked, reason) changes to `<root>/overlay.json`; the count applied.

    Atomic (temporary file + rename) and safe for concurrent callers (a file lock around the
    read-modify-write); idempotent: the same change applied twice leaves the same overlay.
    """
    root = Path(root)
    with fileio.lock(root / ".overlay.lock"):
        current = read_overlay(root)
        n = 0
        for key, blocked, reason in changes:
            current[int(key)] = {"blocked": bool(blocked), "reason": reason, "time": time.time()}
            n += 1
        body = {"changes": {f"{k:014d}": v for k, v in sorted(current.items())}}
        fileio.write_atomic(root / OVERLAY_FILE, json.dumps(body))
    return n


def read_overlay(root: Path) -> dict[int, dict]:
    """IMEI key -> its latest change; empty when there is no overlay."""
    try:
        data = json.loads((Path(root) / OVERLAY_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    return {int(k): v for k, v in data.get("changes", {}).items()}


__all__ = ["OVERLAY_FILE", "publish_overlay_change", "read_overlay"]
