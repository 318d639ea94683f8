"""The EIR list snapshot: an immutable, memory-mapped Arrow IPC directory per list run.

One directory per run under `<root>/runs/<run_id>/` holds:

- `keys.arrow`: every listed IMEI key (14-digit integer, DESIGN §5), sorted and unique, with
  `flags` (uint8: 1 blocked, 2 notified, 4 tracked, 8 registered, 16 has exception pairs,
  32 exempt: a barred TAC never blocks it),
  `block_date` (int32 days since 1970-01-01; the earliest of its blocked/notified rows) and
  `reason_id` (int32 into the manifest's `reason_sets`);
- `exceptions.arrow`: the (IMEI key, IMSI) pairs allowed although the IMEI is blocked, sorted;
- `manifest.json`: run id, generation time, counts, barred TACs and the reason sets.

`<root>/current` names the run being served; it is replaced atomically (write + `os.replace`),
so readers see the old run or the new one, never a mix. Runs are never modified once written.

The decision is DESIGN §5 (3GPP TS 29.511 EquipmentStatus, ITU-T Q.5055 lists): BLACKLISTED when
blocked (block date reached, or barred TAC) and the (IMEI, IMSI) pair is not an exception;
GREYLISTED in the grace period (block date not reached) or when tracked; else WHITELISTED.
In restrictive mode an IMEI not registered gets the configured answer for unknown equipment.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.ipc as ipc

from openceir.eir._index import bucket_table
from openceir.errors import ConfigError, InputError, NotFound
from openceir.identifiers import imsi as _imsi

BLOCKED, NOTIFIED, TRACKED, REGISTERED, EXCEPTION, EXEMPT = 1, 2, 4, 8, 16, 32

WHITELISTED, GREYLISTED, BLACKLISTED, UNKNOWN = 0, 1, 2, 3
STATUS_NAMES = ("WHITELISTED", "GREYLISTED", "BLACKLISTED", "UNKNOWN")

# Reason sets every snapshot carries at fixed ids; list reasons follow from FIRST_LIST_REASON.
NO_REASON, BARRED_TAC, TRACKED_REASON, UNREGISTERED = 0, 1, 2, 3
_FIXED_REASONS: tuple[tuple[str, ...], ...] = (
    (),
    ("barred TAC",),
    ("tracked",),
    ("not registered",),
)
FIRST_LIST_REASON = len(_FIXED_REASONS)
_DATED = BLOCKED | NOTIFIED
_WHITE = (WHITELISTED, NO_REASON)
_BLACK_BARRED = (BLACKLISTED, BARRED_TAC)
_GREY_TRACKED = (GREYLISTED, TRACKED_REASON)

_NO_DATE_LOW = np.iinfo(np.int32).min  # blocked with no date: blocked already
_NO_DATE_HIGH = np.iinfo(np.int32).max  # not a dated row (tracked / registered)
_SEP = "\x1f"
FORMAT_VERSION = 1


class Decision(NamedTuple):
    """What an EIR answers for one check: the EquipmentStatus name and the reasons behind it."""

    status: str
    reasons: tuple[str, ...]


def today_days() -> int:
    """Today (UTC) as days since 1970-01-01, the unit of `block_date`."""
    return int(time.time() // 86400)


# ---------------------------------------------------------------- building


def _column(table: pa.Table, name: str, source: str) -> pa.ChunkedArray:
    if name not in table.column_names:
        raise InputError(
            f"has no column {name!r} (columns: {', '.join(table.column_names)})",
            source=source,
            field=name,
        )
    return table.column(name)


def _keys(table: pa.Table, source: str) -> np.ndarray:
    col = _column(table, "imei_key", source)
    if col.null_count:
        raise InputError("imei_key has nulls", source=source, field="imei_key")
    return col.cast(pa.int64()).to_numpy()


def _dates(table: pa.Table, source: str, missing: int) -> np.ndarray:
    if "block_date" not in table.column_names:
        return np.full(table.num_rows, missing, dtype=np.int32)
    col = table.column("block_date")
    if pa.types.is_timestamp(col.type):
        col = col.cast(pa.date32())
    days = col.cast(pa.date32()).cast(pa.int32()).fill_null(missing)
    return days.to_numpy().astype(np.int32, copy=False)


def _reason_strings(table: pa.Table) -> pa.ChunkedArray | None:
    if "reasons" in table.column_names:
        col = table.column("reasons")
        if pa.types.is_list(col.type) or pa.types.is_large_list(col.type):
            return pc.fill_null(pc.binary_join(col, _SEP), "")
        return pc.fill_null(col.cast(pa.string()), "")
    if "reason" in table.column_names:
        return pc.fill_null(table.column("reason").cast(pa.string()), "")
    return None


def _encode_reasons(tables: list[pa.Table], reason_sets: list[tuple[str, ...]]) -> list[np.ndarray]:
    """Reason ids per row of each table, extending `reason_sets` with the distinct sets seen."""
    index = {reasons: i for i, reasons in enumerate(reason_sets)}
    out = []
    for table in tables:
        strings = _reason_strings(table)
        if strings is None:
            out.append(np.zeros(table.num_rows, dtype=np.int32))
            continue
        encoded = pc.dictionary_encode(strings).combine_chunks()
        mapping = []
        for text in encoded.dictionary.to_pylist():
            reasons = tuple(r for r in text.replace("|", _SEP).split(_SEP) if r)
            if reasons not in index:
                index[reasons] = len(reason_sets)
                reason_sets.append(reasons)
            mapping.append(index[reasons])
        ids = np.asarray(mapping, dtype=np.int32)[encoded.indices.to_numpy(zero_copy_only=False)]
        out.append(ids.astype(np.int32))
    return out


def _tac_list(barred_tacs: Any) -> list[int]:
    if barred_tacs is None:
        return []
    if isinstance(barred_tacs, pa.Table):
        barred_tacs = _column(barred_tacs, "tac", "barred_tacs").cast(pa.string()).to_pylist()
    tacs = set()
    for tac in barred_tacs:
        text = str(tac).strip()
        if not (len(text) == 8 and text.isdigit()):
            raise InputError(f"{text!r} is not an 8-digit TAC", source="barred_tacs", field="tac")
        tacs.add(int(text))
    return sorted(tacs)


def _write_ipc(path: Path, table: pa.Table) -> None:
    """Write one Arrow IPC file as a single record batch (so columns map as one buffer each)."""
    table = table.combine_chunks()
    with pa.OSFile(str(path), "wb") as sink, ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table, max_chunksize=max(table.num_rows, 1))


def build_snapshot(
    out_dir: Path,
    *,
    blocked: pa.Table | None = None,
    notified: pa.Table | None = None,
    exceptions: pa.Table | None = None,
    barred_tacs: list[str] | pa.Table | None = None,
    tracked: pa.Table | None = None,
    registered: pa.Table | None = None,
    exempt: pa.Table | None = None,
    run_id: str | None = None,
    generated_at: datetime | None = None,
    make_current: bool = True,
) -> Path:
    """Write one immutable snapshot run under `out_dir/runs/` and (by default) make it current.

    `blocked` and `notified` have `imei_key` (int64), `block_date` (date32) and `reasons`
    (list<string>) or `reason`; `exceptions` has `imei_key` and `imsi`; `tracked` and
    `registered` have `imei_key`. Registered present means the run supports restrictive mode.
    Returns the run directory. An existing run id is refused (runs are immutable).
    """
    generated_at = generated_at or datetime.now(UTC)
    run_id = run_id or generated_at.strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:8]
    if not run_id or "/" in run_id or run_id.startswith("."):
        raise InputError(f"run id {run_id!r} cannot name a directory", field="run_id")
    runs = Path(out_dir) / "runs"
    final = runs / run_id
    if final.exists():
        raise InputError(f"snapshot run {run_id!r} already exists in {out_dir}", field="run_id")

    reason_sets: list[tuple[str, ...]] = list(_FIXED_REASONS)
    dated = [
        (t, name, flag)
        for t, name, flag in ((blocked, "blocked", BLOCKED), (notified, "notified", NOTIFIED))
        if t is not None
    ]
    reason_ids = _encode_reasons([t for t, _, _ in dated], reason_sets)
    parts_keys, parts_flags, parts_dates, parts_reasons = [], [], [], []
    for (table, name, flag), ids in zip(dated, reason_ids, strict=True):
        keys = _keys(table, name)
        missing = _NO_DATE_LOW if flag == BLOCKED else _NO_DATE_HIGH
        parts_keys.append(keys)
        parts_flags.append(np.full(len(keys), flag, dtype=np.uint8))
        parts_dates.append(_dates(table, name, missing))
        parts_reasons.append(ids)
    exc_keys = exc_imsis = np.zeros(0, dtype=np.int64)
    if exceptions is not None:
        exc_keys = _keys(exceptions, "exceptions")
        imsi_text = _column(exceptions, "imsi", "exceptions").cast(pa.string())
        bad = [t for t in imsi_text.to_pylist() if t is None or not _imsi.is_well_formed(t)]
        if bad:
            raise InputError(
                f"imsi {bad[0]!r} must be {_imsi.MIN_DIGITS} to {_imsi.MAX_DIGITS} digits",
                source="exceptions",
                field="imsi",
            )
        exc_imsis = imsi_text.cast(pa.int64()).to_numpy()
        order = np.lexsort((exc_imsis, exc_keys))
        exc_keys, exc_imsis = exc_keys[order], exc_imsis[order]
        parts_keys.append(np.unique(exc_keys))
        parts_flags.append(np.full(len(parts_keys[-1]), EXCEPTION, dtype=np.uint8))
    flagged = (
        (tracked, "tracked", TRACKED),
        (registered, "registered", REGISTERED),
        (exempt, "exempt", EXEMPT),
    )
    for table, name, flag in flagged:
        if table is not None:
            parts_keys.append(_keys(table, name))
            parts_flags.append(np.full(len(parts_keys[-1]), flag, dtype=np.uint8))
    for extra in range(len(parts_dates), len(parts_keys)):
        parts_dates.append(np.full(len(parts_keys[extra]), _NO_DATE_HIGH, dtype=np.int32))
        parts_reasons.append(np.full(len(parts_keys[extra]), -1, dtype=np.int32))

    if parts_keys:
        all_keys = np.concatenate(parts_keys)
        if all_keys.size and (all_keys.min() < 0 or all_keys.max() >= 10**14):
            raise InputError("imei_key must be a 14-digit key (0 to 10^14 - 1)", field="imei_key")
        order = np.argsort(all_keys, kind="stable")
        all_keys = all_keys[order]
        flags_in = np.concatenate(parts_flags)[order]
        dates_in = np.concatenate(parts_dates)[order]
        reasons_in = np.concatenate(parts_reasons)[order]
        keys, starts = np.unique(all_keys, return_index=True)
        flags = np.bitwise_or.reduceat(flags_in, starts) if keys.size else flags_in
        dates = np.minimum.reduceat(dates_in, starts) if keys.size else dates_in
        reasons = np.maximum.reduceat(reasons_in, starts) if keys.size else reasons_in
    else:
        keys = np.zeros(0, dtype=np.int64)
        flags = np.zeros(0, dtype=np.uint8)
        dates = np.zeros(0, dtype=np.int32)
        reasons = np.zeros(0, dtype=np.int32)
    reasons = np.where(reasons < 0, NO_REASON, reasons).astype(np.int32)

    tacs = _tac_list(barred_tacs)
    tmp = runs / f".{run_id}.{uuid.uuid4().hex[:8]}.tmp"
    tmp.mkdir(parents=True)
    _write_ipc(
        tmp / "keys.arrow",
        pa.table(
            {
                "imei_key": pa.array(keys, pa.int64()),
                "flags": pa.array(flags, pa.uint8()),
                "block_date": pa.array(dates, pa.int32()),
                "reason_id": pa.array(reasons, pa.int32()),
            }
        ),
    )
    _write_ipc(
        tmp / "exceptions.arrow",
        pa.table(
            {
                "imei_key": pa.array(exc_keys, pa.int64()),
                "imsi": pa.array(exc_imsis, pa.int64()),
            }
        ),
    )
    manifest = {
        "format": FORMAT_VERSION,
        "run_id": run_id,
        "generated_at": generated_at.isoformat(),
        "counts": {
            "keys": int(keys.size),
            "blocked": int(np.count_nonzero(flags & BLOCKED)),
            "notified": int(np.count_nonzero(flags & NOTIFIED)),
            "tracked": int(np.count_nonzero(flags & TRACKED)),
            "registered": int(np.count_nonzero(flags & REGISTERED)),
            "exempt": int(np.count_nonzero(flags & EXEMPT)),
            "exceptions": int(exc_keys.size),
            "barred_tacs": len(tacs),
        },
        "restrictive_capable": registered is not None,
        "barred_tacs": [f"{t:08d}" for t in tacs],
        "reason_sets": [list(r) for r in reason_sets],
    }
    (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    os.replace(tmp, final)
    if make_current:
        set_current(Path(out_dir), run_id)
    return final


def set_current(root: Path, run_id: str) -> None:
    """Point `<root>/current` at a run atomically (readers see the old or the new run)."""
    if not (root / "runs" / run_id / "manifest.json").is_file():
        raise NotFound(f"snapshot run {run_id!r} does not exist under {root}")
    tmp = root / f".current.{uuid.uuid4().hex[:8]}"
    tmp.write_text(run_id + "\n", encoding="utf-8")
    os.replace(tmp, root / "current")


def current_run(root: Path) -> str:
    """The run id `<root>/current` names, or NotFound with how to make one."""
    try:
        return (Path(root) / "current").read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise NotFound(
            f"no EIR snapshot under {root}: run `openceir lists generate` or "
            "`openceir eir snapshot build`"
        ) from None


# ---------------------------------------------------------------- reading


def _map_table(path: Path) -> pa.Table:
    source = pa.memory_map(str(path), "r")
    return ipc.open_file(source).read_all()


def _np(table: pa.Table, name: str) -> np.ndarray:
    col = table.column(name)
    if col.num_chunks == 0:
        return np.zeros(0, dtype=col.type.to_pandas_dtype())
    return col.chunk(0).to_numpy(zero_copy_only=True)


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
    and of any later day than `day`: a block date already reached (BLACKLISTED with its
    reasons), a barred TAC, tracked, or registered. Keys in their grace period or with
    exception pairs are -1 and take the full decision in `Snapshot.classify`.
    """
    settled = np.full(keys.shape[0], -1, dtype=np.int16 if 4 * reason_sets < 2**15 else np.int32)
    plain = (flags & (BLOCKED | NOTIFIED | EXCEPTION)) == 0  # neither dated nor paired
    # Lowest precedence first, each later rule overwriting (the order of `classify`).
    settled[plain & ((flags & REGISTERED) != 0)] = WHITELISTED * reason_sets + NO_REASON
    settled[plain & ((flags & TRACKED) != 0)] = GREYLISTED * reason_sets + TRACKED_REASON
    if barred_tacs.shape[0]:
        barred = plain & ((flags & EXEMPT) == 0) & np.isin(keys // 1_000_000, barred_tacs)
        settled[barred] = BLACKLISTED * reason_sets + BARRED_TAC
    reached = ((flags & (BLOCKED | NOTIFIED)) != 0) & ((flags & EXCEPTION) == 0)
    reached &= block_dates <= day
    settled[reached] = BLACKLISTED * reason_sets + reason_ids[reached]
    return settled


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
    def open(cls, run_dir: Path) -> Snapshot:
        """Memory-map a run directory (zero-copy); NotFound or ConfigError if it is not one."""
        run_dir = Path(run_dir)
        try:
            manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise NotFound(f"{run_dir} is not an EIR snapshot run (no manifest.json)") from None
        if manifest.get("format") != FORMAT_VERSION:
            raise ConfigError(f"{run_dir}: snapshot format {manifest.get('format')!r} unsupported")
        keys = _map_table(run_dir / "keys.arrow")
        exc = _map_table(run_dir / "exceptions.arrow")
        tacs = sorted(int(t) for t in manifest["barred_tacs"])
        return cls(
            path=run_dir,
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
        return cls.open(Path(root) / "runs" / current_run(root))

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
                excepted = flags & EXCEPTION and imsi is not None and self.is_excepted(key, imsi)
                if flags & _DATED:
                    date = self._dmv[i]
                    if today is None:
                        # A day already seen has passed for good: read the clock (~0.3 us in
                        # this sandbox) only for block dates after it (grace periods).
                        reached = date <= self._day or date <= self._today()
                    else:
                        reached = date <= today
                    if reached:
                        if not excepted:
                            return BLACKLISTED, self._rmv[i]
                    else:
                        return GREYLISTED, self._rmv[i]
                if (
                    self.barred_tacs
                    and not excepted
                    and not flags & EXEMPT
                    and key // 1_000_000 in self.barred_tacs
                ):
                    return _BLACK_BARRED
                if flags & TRACKED:
                    return _GREY_TRACKED
                if restrictive and not flags & REGISTERED:
                    return unknown, UNREGISTERED
                return _WHITE
        if self.barred_tacs and key // 1_000_000 in self.barred_tacs:
            return _BLACK_BARRED
        if restrictive:
            return unknown, UNREGISTERED
        return _WHITE

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
        status = np.zeros(n, dtype=np.int8)
        reason = np.zeros(n, dtype=np.int32)
        if restrictive:
            unreg = (flags & REGISTERED) == 0
            status[unreg] = unknown
            reason[unreg] = UNREGISTERED
        tracked = (flags & TRACKED) != 0
        status[tracked] = GREYLISTED
        reason[tracked] = TRACKED_REASON
        if self.barred_tac_array.shape[0]:
            barred = np.isin(keys // 1_000_000, self.barred_tac_array) & ~excepted
            barred &= (flags & EXEMPT) == 0
            status[barred] = BLACKLISTED
            reason[barred] = BARRED_TAC
        dated = (flags & (BLOCKED | NOTIFIED)) != 0
        reached = dated & (dates <= day)
        grace = dated & ~reached
        status[grace] = GREYLISTED
        reason[grace] = reasons[grace]
        black = reached & ~excepted
        status[black] = BLACKLISTED
        reason[black] = reasons[black]
        return status, reason

    def blacklisted_keys(self, today: int | None = None) -> np.ndarray:
        """Keys whose block date is reached (the published blacklist, before TACs and pairs)."""
        day = today_days() if today is None else today
        mask = ((self.flags & (BLOCKED | NOTIFIED)) != 0) & (self.block_dates <= day)
        return self.keys[mask]


__all__ = [
    "BLACKLISTED",
    "GREYLISTED",
    "STATUS_NAMES",
    "UNKNOWN",
    "WHITELISTED",
    "Decision",
    "Snapshot",
    "build_snapshot",
    "current_run",
    "set_current",
    "today_days",
]
