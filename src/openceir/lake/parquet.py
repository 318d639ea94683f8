"""Parquet files of the lake: the schema, the DuckDB engine settings, month merges.

Observations are per-month triplet aggregates, one partition per (operator, month), under
`observations/operator=<id>/month=<YYYY-MM>/<uuid>.parquet`. Merging a new day into a month
is an aggregate of the old files and the new rows, written to a new file: OR of the RAT and
day bitmasks, min of first_seen, max of last_seen, union of IMEISVs. These are idempotent, so
merging the same rows twice changes nothing. Sightings (rows with a cell or coordinates, for
impossible-travel checks) are appended as one new file per import and month.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import duckdb

from openceir.settings import IngestSettings

OBSERVATION_COLUMNS: dict[str, str] = {
    "operator": "VARCHAR",
    "month": "VARCHAR",
    "imei_key": "BIGINT",
    "imei_raw": "VARCHAR",
    "imsi": "VARCHAR",
    "msisdn": "VARCHAR",
    "rat_mask": "SMALLINT",
    "day_mask": "INTEGER",
    "first_seen": "DATE",
    "last_seen": "DATE",
    "imeisv": "VARCHAR[]",
}
"""Observation columns and DuckDB types; `imei_raw` is NULL when `imei_key` is clean."""

SIGHTING_COLUMNS: dict[str, str] = {
    "operator": "VARCHAR",
    "month": "VARCHAR",
    "imei_key": "BIGINT",
    "imei_raw": "VARCHAR",
    "imsi": "VARCHAR",
    "date": "DATE",
    "time": "VARCHAR",
    "cell": "VARCHAR",
    "lat": "DOUBLE",
    "lon": "DOUBLE",
}
"""Sighting columns: one row per dump row that carried a cell or coordinates."""

KEY = ("imei_key", "imei_raw", "imsi", "msisdn")
"""An observation's identity within (operator, month): the triplet."""

DEFAULT_MEMORY_LIMIT = "1GB"
IMPORT_MEMORY_LIMIT = IngestSettings().memory_limit
"""DuckDB's memory limit for an import: beyond it, aggregates spill to the staging dir, so
the import's peak memory stays about the same however large the file (docs/BENCHMARKS.md)."""


def connect(
    temp_dir: Path | None = None,
    *,
    threads: int = 2,
    memory_limit: str = DEFAULT_MEMORY_LIMIT,
    ordered: bool = True,
) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with bounded threads and memory (spilling to `temp_dir`).

    `ordered=False` lets DuckDB write results in any order (less memory for large COPYs);
    only for writers whose output order does not matter.
    """
    con = duckdb.connect(":memory:")
    con.execute(f"SET threads = {int(threads)}")
    con.execute(f"SET memory_limit = '{memory_limit}'")
    con.execute("SET enable_progress_bar = false")
    if not ordered:
        con.execute("SET preserve_insertion_order = false")
    if temp_dir is not None:
        temp_dir.mkdir(parents=True, exist_ok=True)
        con.execute(f"SET temp_directory = '{_quote(str(temp_dir))}'")
    return con


def _quote(value: str) -> str:
    return value.replace("'", "''")


def sql_list(paths: list[Path]) -> str:
    """A DuckDB list literal of file paths."""
    return "[" + ", ".join(f"'{_quote(str(p))}'" for p in paths) + "]"


def empty_select(columns: dict[str, str]) -> str:
    """A SELECT with the given typed columns and no rows (a reader over an empty lake)."""
    cols = ", ".join(f"CAST(NULL AS {t}) AS {name}" for name, t in columns.items())
    return f"SELECT {cols} WHERE false"


def read_select(paths: list[Path], columns: dict[str, str]) -> str:
    """A SELECT over Parquet files (no hive columns: they are stored in the files)."""
    if not paths:
        return empty_select(columns)
    names = ", ".join(columns)
    return (
        f"SELECT {names} FROM read_parquet({sql_list(paths)}, "
        "hive_partitioning = false, union_by_name = true)"
    )


def row_count(con: duckdb.DuckDBPyConnection, paths: list[Path]) -> int:
    """The rows in Parquet files, from their footers (no scan)."""
    if not paths:
        return 0
    query = f"SELECT coalesce(sum(num_rows), 0) FROM parquet_file_metadata({sql_list(paths)})"
    return int(con.execute(query).fetchone()[0])


def partition_path(dataset: str, operator: str, month: str) -> str:
    """The relative folder of one (operator, month) partition."""
    return f"{dataset}/operator={operator}/month={month}"


def new_file(root: Path, dataset: str, operator: str, month: str) -> tuple[Path, str]:
    """A fresh, never-used file name in a partition: (absolute path, relative path)."""
    relative = f"{partition_path(dataset, operator, month)}/{uuid.uuid4().hex}.parquet"
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    return path, relative


def merge_month(
    con: duckdb.DuckDBPyConnection,
    rows_sql: str,
    old_files: list[Path],
    out: Path,
    *,
    operator: str,
    month: str,
    new_has_imeisv: bool | None = None,
) -> int:
    """Write `out`: the observations of `rows_sql` merged with `old_files`; returns its rows.

    `rows_sql` yields observation columns for one (operator, month); each input row may be a
    single sighting (one day bit) or an aggregate: the merge is the same either way. The
    IMEISV union is only computed when some input row has one (it is the costly aggregate);
    `new_has_imeisv` says so for `rows_sql` when the caller already knows.
    """
    cols = ", ".join(OBSERVATION_COLUMNS)
    key = ", ".join(KEY)
    both = f"SELECT {cols} FROM ({rows_sql})"
    if old_files:
        both += f" UNION ALL {read_select(old_files, OBSERVATION_COLUMNS)}"
    con.execute(f"CREATE OR REPLACE TEMP VIEW merge_input AS {both}")
    probe = "merge_input"
    if new_has_imeisv is not None:  # the caller knows about the new rows: probe old files only
        probe = f"({read_select(old_files, OBSERVATION_COLUMNS)})"
    has_svn = (
        bool(new_has_imeisv)
        or con.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM {probe} WHERE imeisv IS NOT NULL LIMIT 1)"
        ).fetchone()[0]
    )
    svn = (
        "list_sort(list_distinct(flatten(list(imeisv) FILTER (imeisv IS NOT NULL))))"
        if has_svn
        else "CAST(NULL AS VARCHAR[])"
    )
    query = f"""
        SELECT {_sql_str(operator)} AS operator, {_sql_str(month)} AS month, {key},
               CAST(bit_or(rat_mask) AS SMALLINT) AS rat_mask,
               CAST(bit_or(day_mask) AS INTEGER) AS day_mask,
               min(first_seen) AS first_seen, max(last_seen) AS last_seen,
               CASE WHEN len({svn}) > 0 THEN {svn} END AS imeisv
        FROM merge_input GROUP BY {key}
    """
    con.execute(f"COPY ({query}) TO '{_quote(str(out))}' (FORMAT parquet, COMPRESSION zstd)")
    con.execute("DROP VIEW merge_input")
    return row_count(con, [out])


def _sql_str(value: str) -> str:
    return f"'{_quote(value)}'"


def write_sightings(con: duckdb.DuckDBPyConnection, rows_sql: str, out: Path) -> int:
    """Write `out` with the sighting rows of `rows_sql`; returns its rows."""
    cols = ", ".join(SIGHTING_COLUMNS)
    con.execute(
        f"COPY (SELECT {cols} FROM ({rows_sql})) TO '{_quote(str(out))}' "
        "(FORMAT parquet, COMPRESSION zstd)"
    )
    return row_count(con, [out])


__all__ = [
    "DEFAULT_MEMORY_LIMIT",
    "IMPORT_MEMORY_LIMIT",
    "KEY",
    "OBSERVATION_COLUMNS",
    "SIGHTING_COLUMNS",
    "connect",
    "empty_select",
    "merge_month",
    "new_file",
    "partition_path",
    "read_select",
    "row_count",
    "sql_list",
    "write_sightings",
]
