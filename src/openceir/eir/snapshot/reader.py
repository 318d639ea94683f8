"""Read an EIR snapshot run: memory-mapped columns and the lookups over them.

`Snapshot.open` maps the run's Arrow IPC files zero-copy (the layout is `format`'s); lookups
answer by `decision`'s table: `classify` (one key, about 1 us) and `lookup_many` (vectorised)
agree on every input (tests/eir/test_snapshot.py).
"""

from __future__ import annotations

import json
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.ipc as ipc

from openceir.eir.snapshot._index import bucket_table
from openceir.eir.snapshot.decision import (
    BARRED,
    CARRIED_FLAGS,
    EXCEPTED,
    GRACE,
    REACHED,
    RESTRICTIVE,
    ROW_REASON,
    TABLE,
    answers,
)
from openceir.eir.snapshot.format import (
    BLOCKED,
    DATED,
    EXCEPTION,
    EXCEPTIONS_FILE,
    EXEMPT,
    FORMAT_VERSION,
    KEYS_FILE,
    MANIFEST_FILE,
    NOTIFIED,
    STATUS_NAMES,
    UNKNOWN,
    Decision,
    today_days,
)
from openceir.eir.snapshot.pointer import current_run, run_dir
from openceir.errors import ConfigError, NotFound


def _map_table(path: Path) -> pa.Table:
    source = pa.memory_map(str(path), "r")
    return ipc.open_file(source).read_all()


def _np(table: pa.Table, name: str) -> np.ndarray:
    col = table.column(name)
    if col.num_chunks == 0:
        return np.zeros(0, dtype=col.type.to_pandas_dtype())
    return col.chunk(0).to_numpy(zero_copy_only=True)


def situations(
    keys: np.ndarray,
    flags: np.ndarray,
    reached: np.ndarray,
    excepted: np.ndarray | None,
    barred_tacs: np.ndarray,
    *,
    restrictive: bool,
) -> np.ndarray:
    """The `decision` situation of each (key, flags) pair, vectorised."""
    sit = (flags & CARRIED_FLAGS).astype(np.int8)
    dated = (flags & DATED) != 0
    sit |= np.where(dated & reached, REACHED, 0).astype(np.int8)
    sit |= np.where(dated & ~reached, GRACE, 0).astype(np.int8)
    if excepted is not None:
        sit |= np.where(excepted, EXCEPTED, 0).astype(np.int8)
    if barred_tacs.shape[0]:
        barred = ((flags & EXEMPT) == 0) & np.isin(keys // 1_000_000, barred_tacs)
        sit |= np.where(barred, BARRED, 0).astype(np.int8)
    if restrictive:
        sit |= RESTRICTIVE
    return sit


def _settled_answers(
    keys: np.ndarray,
    flags: np.ndarray,
    block_dates: np.ndarray,
    reason_ids: np.ndarray,
    barred_tacs: np.ndarray,
    *,
    day: int,
    reason_sets: int,
) -> np.ndarray:
    """Per key, `status * reason_sets + reason id` when the answer can no longer change, else -1.

    Settled means independent of the IMSI (the key has no exception pairs), of restrictive mode
    (the decision table gives the same answer with and without) and of any later day than
    `day` (no block date still ahead). The rest take the full decision in `Snapshot.classify`.
    """
    reached = block_dates <= day
    sit = situations(keys, flags, reached, None, barred_tacs, restrictive=False)
    status, reason = answers(sit, reason_ids)
    r_status, r_reason = answers(sit | RESTRICTIVE, reason_ids)
    settled = ((flags & EXCEPTION) == 0) & (((flags & DATED) == 0) | reached)
    settled &= (status == r_status) & (reason == r_reason)
    out = np.full(keys.shape[0], -1, dtype=np.int16 if 4 * reason_sets < 2**15 else np.int32)
    out[settled] = status[settled].astype(out.dtype) * reason_sets + reason[settled]
    return out


@dataclass(eq=False)
class Snapshot:
    """One memory-mapped run: sorted keys plus flags, dates, reasons, pairs and barred TACs."""

    path: Path
    run_id: str
    generated_at: str
    keys: np.ndarray
    flags: np.ndarray
    block_dates: np.ndarray
    reason_ids: np.ndarray
    exc_keys: np.ndarray
    exc_imsis: np.ndarray
    barred_tacs: frozenset[int]
    barred_tac_array: np.ndarray
    reason_sets: tuple[tuple[str, ...], ...]
    restrictive_capable: bool
    counts: dict[str, int] = field(default_factory=dict)

    @classmethod
    def open(cls, directory: Path) -> Snapshot:
        """Memory-map a run directory (zero-copy); NotFound or ConfigError if it is not one."""
        directory = Path(directory)
        try:
            manifest = json.loads((directory / MANIFEST_FILE).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise NotFound(f"{directory} is not an EIR snapshot run (no manifest.json)") from None
        if manifest.get("format") != FORMAT_VERSION:
            raise ConfigError(
                f"{directory}: snapshot format {manifest.get('format')!r} unsupported"
            )
        keys = _map_table(directory / KEYS_FILE)
        exc = _map_table(directory / EXCEPTIONS_FILE)
        tacs = sorted(int(t) for t in manifest["barred_tacs"])
        return cls(
            path=directory,
            run_id=manifest["run_id"],
            generated_at=manifest["generated_at"],
            keys=_np(keys, "imei_key"),
            flags=_np(keys, "flags"),
            block_dates=_np(keys, "block_date"),
            reason_ids=_np(keys, "reason_id"),
            exc_keys=_np(exc, "imei_key"),
            exc_imsis=_np(exc, "imsi"),
            barred_tacs=frozenset(tacs),
            barred_tac_array=np.asarray(tacs, dtype=np.int64),
            reason_sets=tuple(tuple(r) for r in manifest["reason_sets"]),
            restrictive_capable=bool(manifest["restrictive_capable"]),
            counts=manifest["counts"],
        )

    @classmethod
    def open_current(cls, root: Path) -> Snapshot:
        """Open the run `<root>/current` names."""
        return cls.open(run_dir(root, current_run(root)))

    def __post_init__(self) -> None:
        # The single-lookup path (`classify`) reads memoryviews (C-level indexing to plain ints,
        # no numpy scalar boxing) through a bucket table, and answers most listed keys from one
        # precomputed column; see openceir.eir._index.
        n = int(self.keys.shape[0])
        self._kmv = memoryview(self.keys) if n else []
        self._fmv = memoryview(self.flags) if n else []
        self._dmv = memoryview(self.block_dates) if n else []
        self._rmv = memoryview(self.reason_ids) if n else []
        self._base, self._shift, starts = bucket_table(self.keys)
        self._buckets = int(starts.shape[0]) - 1
        self._smv = memoryview(starts)
        self._ekmv = memoryview(self.exc_keys) if self.exc_keys.shape[0] else []
        self._eimv = memoryview(self.exc_imsis) if self.exc_imsis.shape[0] else []
        self._day = today_days()
        sets = len(self.reason_sets)
        settled = _settled_answers(
            self.keys,
            self.flags,
            self.block_dates,
            self.reason_ids,
            self.barred_tac_array,
            day=self._day,
            reason_sets=sets,
        )
        self._amv = memoryview(settled) if n else []
        self._answers = tuple((s, r) for s in range(len(STATUS_NAMES)) for r in range(sets))
        # One interned Decision per (status, reason id): `lookup` allocates nothing.
        self._decisions = tuple(
            tuple(Decision(name, reasons) for reasons in self.reason_sets) for name in STATUS_NAMES
        )

    def _today(self) -> int:
        self._day = day = today_days()
        return day

    def is_excepted(self, key: int, imsi: int) -> bool:
        """Whether (IMEI key, IMSI) is an exception pair."""
        keys = self._ekmv
        lo = bisect_left(keys, key)
        hi = bisect_right(keys, key, lo)
        if lo == hi:
            return False
        j = bisect_left(self._eimv, imsi, lo, hi)
        return j < hi and self._eimv[j] == imsi

    def index_of(self, key: int) -> int:
        """The row of `key` in the key column, or -1 when it is not listed."""
        j = (key - self._base) >> self._shift
        if 0 <= j < self._buckets:
            lo, hi = self._smv[j], self._smv[j + 1]
            i = bisect_left(self._kmv, key, lo, hi)
            if i < hi and self._kmv[i] == key:
                return i
        return -1

    def classify(
        self,
        key: int,
        imsi: int | None = None,
        *,
        restrictive: bool = False,
        unknown: int = UNKNOWN,
        today: int | None = None,
    ) -> tuple[int, int]:
        """(status code, reason id) for one IMEI key and optional IMSI; see the module rules.

        The single-lookup path (about 1 us a call on this machine's shared cores, see
        docs/BENCHMARKS.md): a bucket of the key range, a bisect inside it over memoryviews,
        then the settled answer of the key or, for keys in their grace period or with pairs,
        the full decision. Agrees with `lookup_many` on every input (tests/eir/test_snapshot.py).
        """
        # index_of, inlined: a method call costs as much as the search itself.
        j = (key - self._base) >> self._shift
        if 0 <= j < self._buckets:
            i = self._smv[j]
            hi = self._smv[j + 1]
            if hi - i > 1:  # buckets of 0 or 1 key (about 60% at 5M keys) need no bisect
                i = bisect_left(self._kmv, key, i, hi)
            if i < hi and self._kmv[i] == key:
                settled = self._amv[i]
                if settled >= 0 and today is None:
                    return self._answers[settled]
                flags = self._fmv[i]
                sit = flags & CARRIED_FLAGS
                if flags & DATED:
                    date = self._dmv[i]
                    if today is None:
                        # A day already seen has passed for good: read the clock (~0.3 us in
                        # this sandbox) only for block dates after it (grace periods).
                        reached = date <= self._day or date <= self._today()
                    else:
                        reached = date <= today
                    sit |= REACHED if reached else GRACE
                if flags & EXCEPTION and imsi is not None and self.is_excepted(key, imsi):
                    sit |= EXCEPTED
                if self.barred_tacs and not flags & EXEMPT and key // 1_000_000 in self.barred_tacs:
                    sit |= BARRED
                if restrictive:
                    sit |= RESTRICTIVE
                status, reason = TABLE[sit]
                if reason == ROW_REASON:
                    reason = self._rmv[i]
                return (unknown if status == UNKNOWN else status), reason
        sit = RESTRICTIVE if restrictive else 0
        if self.barred_tacs and key // 1_000_000 in self.barred_tacs:
            sit |= BARRED
        status, reason = TABLE[sit]
        return (unknown if status == UNKNOWN else status), reason

    def lookup(
        self,
        imei_key: int,
        imsi: str | int | None = None,
        *,
        restrictive: bool = False,
        unknown: int = UNKNOWN,
        today: int | None = None,
    ) -> Decision:
        """The Decision for one IMEI key and optional IMSI (an exception pair unblocks).

        Decisions are shared, immutable objects: one per (status, reason set) of the run.
        """
        status, reason = self.classify(
            int(imei_key),
            None if imsi is None or imsi == "" else int(imsi),
            restrictive=restrictive,
            unknown=unknown,
            today=today,
        )
        return self._decisions[status][reason]

    def lookup_many(
        self,
        keys: np.ndarray,
        imsis: np.ndarray | None = None,
        *,
        restrictive: bool = False,
        unknown: int = UNKNOWN,
        today: int | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Vectorised lookups: (status codes int8, reason ids int32); IMSI 0 or absent = none."""
        keys = np.asarray(keys, dtype=np.int64)
        n = keys.shape[0]
        day = today_days() if today is None else today
        if self.keys.shape[0]:
            # Searching sorted needles walks the key column in order: ~4x fewer cache misses.
            order = np.argsort(keys)
            idx = np.empty(n, dtype=np.intp)
            idx[order] = self.keys.searchsorted(keys[order])
            np.minimum(idx, self.keys.shape[0] - 1, out=idx)
            found = self.keys[idx] == keys
            flags = np.where(found, self.flags[idx], 0)
            dates = self.block_dates[idx]
            reasons = self.reason_ids[idx]
        else:
            found = np.zeros(n, dtype=bool)
            flags = np.zeros(n, dtype=np.uint8)
            dates = np.zeros(n, dtype=np.int32)
            reasons = np.zeros(n, dtype=np.int32)
        excepted = np.zeros(n, dtype=bool)
        if imsis is not None and self.exc_keys.shape[0]:
            imsis = np.asarray(imsis, dtype=np.int64)
            cand = np.flatnonzero((flags & EXCEPTION).astype(bool) & (imsis != 0))
            for j in cand:  # pairs are rare: only IMEIs that have exception rows reach here
                excepted[j] = self.is_excepted(int(keys[j]), int(imsis[j]))
        sit = situations(
            keys, flags, dates <= day, excepted, self.barred_tac_array, restrictive=restrictive
        )
        return answers(sit, reasons, unknown)

    def blacklisted_keys(self, today: int | None = None) -> np.ndarray:
        """Keys whose block date is reached (the published blacklist, before TACs and pairs)."""
        day = today_days() if today is None else today
        mask = ((self.flags & (BLOCKED | NOTIFIED)) != 0) & (self.block_dates <= day)
        return self.keys[mask]


__all__ = ["Snapshot", "situations"]
