"""The EIR service: holds the current snapshot, swaps to a new run atomically, answers checks.

A swap is one reference assignment: a request that already holds the old Snapshot finishes on
it (its memory map stays valid), the next one sees the new run. `maybe_reload` re-reads the
`current` pointer at most once per `reload_interval` seconds; `reload` forces it (SIGHUP).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from openceir.eir.snapshot.format import (
    BLACKLISTED,
    GREYLISTED,
    STATUS_NAMES,
    UNKNOWN,
    UNREGISTERED,
    Decision,
)
from openceir.eir.snapshot.pointer import current_run, run_dir
from openceir.eir.snapshot.reader import Snapshot
from openceir.errors import ConfigError

UNKNOWN_ANSWERS = {"greylisted": GREYLISTED, "blacklisted": BLACKLISTED, "not-found": UNKNOWN}


@dataclass(frozen=True)
class EirPolicy:
    """How to answer: restrictive (whitelist) mode and the answer for unregistered equipment."""

    restrictive: bool = False
    unknown: str = "not-found"

    def __post_init__(self) -> None:
        if self.unknown not in UNKNOWN_ANSWERS:
            raise ConfigError(
                f"unknown-equipment answer {self.unknown!r}: use one of "
                + ", ".join(UNKNOWN_ANSWERS)
            )

    @property
    def unknown_code(self) -> int:
        """The status code answered for unregistered equipment in restrictive mode."""
        return UNKNOWN_ANSWERS[self.unknown]


class EirService:
    """The current snapshot of `root` plus the policy; thread-safe by immutability."""

    def __init__(
        self, root: Path, policy: EirPolicy | None = None, *, reload_interval: float = 1.0
    ) -> None:
        self.root = Path(root)
        self.policy = policy or EirPolicy()
        self.reload_interval = reload_interval
        self.generation = 0
        self._next_check = 0.0
        self.snapshot = self._open(current_run(self.root))

    def _open(self, run_id: str) -> Snapshot:
        snap = Snapshot.open(run_dir(self.root, run_id))
        if self.policy.restrictive and not snap.restrictive_capable:
            raise ConfigError(
                f"snapshot run {run_id} has no registered list, so restrictive mode cannot be used"
            )
        self.generation += 1
        return snap

    def reload(self) -> bool:
        """Swap to the run `current` names if it changed; True when swapped."""
        run_id = current_run(self.root)
        if run_id == self.snapshot.run_id:
            return False
        self.snapshot = self._open(run_id)  # one reference assignment: the swap
        return True

    def maybe_reload(self) -> None:
        """Reload at most once per `reload_interval` seconds (cheap to call on every request)."""
        now = time.monotonic()
        if now >= self._next_check:
            self._next_check = now + self.reload_interval
            try:
                self.reload()
            except Exception:  # keep serving the run we have; the next check retries
                pass

    def check(self, imei_key: int | None, imsi: str | None = None) -> tuple[int, int, Snapshot]:
        """(status code, reason id, snapshot used) for one key; None (MAC/EUI PEI) is unlisted."""
        snap = self.snapshot
        if imei_key is None:
            if self.policy.restrictive:
                return self.policy.unknown_code, UNREGISTERED, snap
            return 0, 0, snap
        return (
            *snap.classify(
                imei_key,
                int(imsi) if imsi else None,
                restrictive=self.policy.restrictive,
                unknown=self.policy.unknown_code,
            ),
            snap,
        )

    def decide(self, imei_key: int | None, imsi: str | None = None) -> Decision:
        """The Decision (status name and reasons) for one key and optional IMSI."""
        status, reason, snap = self.check(imei_key, imsi)
        return Decision(STATUS_NAMES[status], snap.reason_sets[reason])


__all__ = ["UNKNOWN_ANSWERS", "EirPolicy", "EirService"]
