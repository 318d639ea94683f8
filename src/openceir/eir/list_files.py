"""Read list files (CSV or Parquet) into the tables `build_snapshot` takes.

CSV follows the list layouts of architecture §5: an `imei` column (14 to 16 digits; the key is the
first 14) or an `imei_key` column; optional `block_date` (`YYYY-MM-DD` or `YYYYMMDD`),
`reasons` (`|`-joined) and, for exceptions, `imsi`; barred TACs have a `tac` column.
A row whose IMEI is not 14 to 16 digits is an InputError naming the file and line, except in
the files of a list run, where malformed IMEIs are written as raw text and are skipped here (the
snapshot is keyed; they stay in the CSVs).

`snapshot_from_files` builds the snapshot of a list run from its files alone: the CEIR does it
right after `openceir lists generate`, an operator does it with the files it downloaded (its own
notifications and exceptions, the shared lists), so both get the same answers from the same rows.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from openceir.eir.snapshot.writer import build_snapshot
from openceir.errors import InputError
from openceir.lists.run import MANIFEST, run_id_of


def _read(path: Path) -> pa.Table:
    name = path.name.lower()
    try:
        if name.endswith(".parquet"):
            table = pq.read_table(path)
        else:
            table = pacsv.read_csv(
                path,
                convert_options=pacsv.ConvertOptions(
                    column_types={
                        c: pa.string() for c in ("imei", "imsi", "tac", "block_date", "reasons")
                    }
                ),
            )
    except FileNotFoundError:
        raise InputError("file does not exist", source=str(path)) from None
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(f"cannot be read as CSV or Parquet: {exc}", source=str(path)) from None
    return table


def _imei_keys(table: pa.Table, source: str, skip_malformed: bool) -> tuple[pa.Array, pa.Array]:
    """(keys, mask of the rows kept)."""
    if "imei_key" in table.column_names:
        keys = table.column("imei_key").combine_chunks().cast(pa.int64())
        return keys, pa.array(np.ones(len(keys), dtype=bool))
    if "imei" not in table.column_names:
        raise InputError("needs an imei or imei_key column", source=source, field="imei")
    imeis = pc.utf8_trim_whitespace(table.column("imei").combine_chunks().cast(pa.string()))
    good = pc.fill_null(pc.match_substring_regex(imeis, r"^[0-9]{14,16}$"), False)
    if skip_malformed:
        return pc.utf8_slice_codeunits(imeis.filter(good), 0, 14).cast(pa.int64()), good
    if not pc.all(good).as_py():
        row = int(np.flatnonzero(~good.to_numpy(zero_copy_only=False))[0])
        raise InputError(
            f"{imeis[row].as_py()!r} is not 14 to 16 digits",
            source=source,
            line=row + 2,
            field="imei",
        )
    return pc.utf8_slice_codeunits(imeis, 0, 14).cast(pa.int64()), good


def _block_dates(table: pa.Table, source: str) -> pa.Array | None:
    if "block_date" not in table.column_names:
        return None
    col = table.column("block_date").combine_chunks()
    if pa.types.is_date(col.type) or pa.types.is_timestamp(col.type):
        return col.cast(pa.date32())
    text = pc.replace_substring_regex(
        col.cast(pa.string()), r"^(\d{4})(\d{2})(\d{2})$", r"\1-\2-\3"
    )
    try:
        return text.cast(pa.date32())
    except pa.ArrowInvalid:
        raise InputError(
            "block_date must be YYYY-MM-DD or YYYYMMDD", source=source, field="block_date"
        ) from None


def read_list(path: Path, kind: str, *, skip_malformed: bool = False) -> pa.Table:
    """A list file as a table with `imei_key` (+ `block_date`, `reasons`, `imsi` when given).

    With `skip_malformed`, rows whose IMEI is not 14 to 16 digits are left out (list runs
    write malformed IMEIs as raw text), else they are an InputError.
    """
    path = Path(path)
    table = _read(path)
    keys, kept = _imei_keys(table, str(path), skip_malformed)
    if skip_malformed:
        table = table.filter(kept)
    columns: dict[str, pa.Array] = {"imei_key": keys}
    dates = _block_dates(table, str(path))
    if dates is not None and kind in ("blocked", "notified"):
        columns["block_date"] = dates
    if "reasons" in table.column_names and kind in ("blocked", "notified"):
        reasons = table.column("reasons").combine_chunks()
        if pa.types.is_string(reasons.type) or pa.types.is_large_string(reasons.type):
            reasons = pc.split_pattern(pc.fill_null(reasons, ""), "|")
        columns["reasons"] = reasons
    if kind == "exceptions":
        if "imsi" not in table.column_names:
            raise InputError("needs an imsi column", source=str(path), field="imsi")
        columns["imsi"] = table.column("imsi").combine_chunks().cast(pa.string())
    return pa.table(columns)


def read_tacs(path: Path) -> list[str]:
    """The TACs of a barred-TAC file (a `tac` column)."""
    table = _read(Path(path))
    if "tac" not in table.column_names:
        raise InputError("needs a tac column", source=str(path), field="tac")
    return [str(t) for t in table.column("tac").to_pylist() if t is not None]


def _operator_files(run_dir: Path, kind: str, operator: str | None) -> list[Path]:
    """The full (not delta) `<kind>_<op>.csv` files to read: one operator's, or all present."""
    if operator is not None:
        path = run_dir / f"{kind}_{operator}.csv"
        if not path.is_file():
            raise InputError(
                f"{path.name} is missing: download it with the run", source=str(run_dir)
            )
        return [path]
    return sorted(p for p in run_dir.glob(f"{kind}_*.csv") if not p.name.endswith("_delta.csv"))


def run_tables(run_dir: Path, operator: str | None = None) -> dict[str, object]:
    """The `build_snapshot` tables of a list run's files (all operators', or one operator's).

    Needs `blacklist.csv`; `barred_tacs.csv`, `tracked.csv`, `registered.csv` and `exempt.csv`
    when present
    (a run without `registered.csv` cannot serve restrictive mode).
    """
    run_dir = Path(run_dir)
    blacklist = run_dir / "blacklist.csv"
    if not blacklist.is_file():
        raise InputError("blacklist.csv is missing: not a list run", source=str(run_dir))
    notified = [
        read_list(p, "notified", skip_malformed=True)
        for p in _operator_files(run_dir, "notifications", operator)
    ]
    excepted = [
        read_list(p, "exceptions", skip_malformed=True)
        for p in _operator_files(run_dir, "exceptions", operator)
    ]
    tables: dict[str, object] = {
        "blocked": read_list(blacklist, "blocked", skip_malformed=True),
        "notified": pa.concat_tables(notified) if notified else None,
        "exceptions": pa.concat_tables(excepted) if excepted else None,
    }
    for name, kind in (("tracked", "tracked"), ("registered", "registered"), ("exempt", "exempt")):
        path = run_dir / f"{name}.csv"
        tables[name] = read_list(path, kind, skip_malformed=True) if path.is_file() else None
    tacs = run_dir / "barred_tacs.csv"
    tables["barred_tacs"] = read_tacs(tacs) if tacs.is_file() else None
    return tables


def snapshot_from_files(
    run_dir: Path,
    out_root: Path,
    *,
    operator: str | None = None,
    run_id: str | None = None,
    generated_at: datetime | None = None,
    make_current: bool = True,
) -> Path:
    """Build the EIR snapshot of a list run from its files under `out_root/runs/`.

    `operator` limits notifications and exceptions to that operator's files (what it may
    download); the run id defaults to the list run's (from its manifest, else the directory
    name). Returns the snapshot run directory.
    """
    run_dir = Path(run_dir)
    if run_id is None:
        run_id = run_id_of(run_dir) if (run_dir / MANIFEST).is_file() else run_dir.name
    return build_snapshot(
        Path(out_root),
        **run_tables(run_dir, operator),  # type: ignore[arg-type]
        run_id=run_id,
        generated_at=generated_at,
        make_current=make_current,
    )


__all__ = ["read_list", "read_tacs", "run_tables", "snapshot_from_files"]
