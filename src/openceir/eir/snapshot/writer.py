"""Write one EIR snapshot run: sorted keys, flags, dates, reasons, exception pairs, manifest.

The layout is `format`'s. A run is written under a temporary name and renamed into place
(`os.replace`), so a reader never sees half a run; an existing run id is refused (runs are
immutable). `build_snapshot` then points `current` at it (`pointer.set_current`).
"""

from __future__ import annotations

import json
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.ipc as ipc

from openceir.eir.snapshot.format import (
    BLOCKED,
    EXCEPTION,
    EXCEPTIONS_FILE,
    EXEMPT,
    FIXED_REASONS,
    FORMAT_VERSION,
    KEYS_FILE,
    MANIFEST_FILE,
    NO_DATE_HIGH,
    NO_DATE_LOW,
    NO_REASON,
    NOTIFIED,
    REASON_SEPARATOR,
    REGISTERED,
    TRACKED,
)
from openceir.eir.snapshot.pointer import set_current
from openceir.errors import InputError
from openceir.identifiers import imsi as _imsi


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
            return pc.fill_null(pc.binary_join(col, REASON_SEPARATOR), "")
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
            reasons = tuple(
                r for r in text.replace("|", REASON_SEPARATOR).split(REASON_SEPARATOR) if r
            )
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

    reason_sets: list[tuple[str, ...]] = list(FIXED_REASONS)
    dated = [
        (t, name, flag)
        for t, name, flag in ((blocked, "blocked", BLOCKED), (notified, "notified", NOTIFIED))
        if t is not None
    ]
    reason_ids = _encode_reasons([t for t, _, _ in dated], reason_sets)
    parts_keys, parts_flags, parts_dates, parts_reasons = [], [], [], []
    for (table, name, flag), ids in zip(dated, reason_ids, strict=True):
        keys = _keys(table, name)
        missing = NO_DATE_LOW if flag == BLOCKED else NO_DATE_HIGH
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
        parts_dates.append(np.full(len(parts_keys[extra]), NO_DATE_HIGH, dtype=np.int32))
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
        tmp / KEYS_FILE,
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
        tmp / EXCEPTIONS_FILE,
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
    (tmp / MANIFEST_FILE).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    os.replace(tmp, final)
    if make_current:
        set_current(Path(out_dir), run_id)
    return final


__all__ = ["build_snapshot"]
