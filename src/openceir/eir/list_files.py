"""Read list files (CSV or Parquet) into the tables `build_snapshot` takes.

CSV follows the list layouts of DESIGN §5: an `imei` column (14 to 16 digits; the key is the
first 14) or an `imei_key` column; optional `block_date` (`YYYY-MM-DD` or `YYYYMMDD`),
`reasons` (`|`-joined) and, for exceptions, `imsi`; barred TACs have a `tac` column.
A row whose IMEI is not 14 to 16 digits is an InputError naming the file and line.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from openceir.errors import InputError


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


def _imei_keys(table: pa.Table, source: str) -> pa.Array:
    if "imei_key" in table.column_names:
        return table.column("imei_key").combine_chunks().cast(pa.int64())
    if "imei" not in table.column_names:
        raise InputError("needs an imei or imei_key column", source=source, field="imei")
    imeis = pc.utf8_trim_whitespace(table.column("imei").combine_chunks().cast(pa.string()))
    good = pc.fill_null(pc.match_substring_regex(imeis, r"^[0-9]{14,16}$"), False)
    if not pc.all(good).as_py():
        row = int(np.flatnonzero(~good.to_numpy(zero_copy_only=False))[0])
        raise InputError(
            f"{imeis[row].as_py()!r} is not 14 to 16 digits",
            source=source,
            line=row + 2,
            field="imei",
        )
    return pc.utf8_slice_codeunits(imeis, 0, 14).cast(pa.int64())


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


def read_list(path: Path, kind: str) -> pa.Table:
    """A list file as a table with `imei_key` (+ `block_date`, `reasons`, `imsi` when given)."""
    path = Path(path)
    table = _read(path)
    columns: dict[str, pa.Array] = {"imei_key": _imei_keys(table, str(path))}
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


__all__ = ["read_list", "read_tacs"]
