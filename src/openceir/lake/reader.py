"""Reading the lake: the current files from the manifest, and a DuckDB with views over them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from openceir.lake import manifest as _manifest
from openceir.lake.parquet import (
    OBSERVATION_COLUMNS,
    SIGHTING_COLUMNS,
    connect,
    read_select,
    row_count,
)


def _paths(
    data_dir: Path, dataset: str, months: list[str] | None, operators: list[str] | None
) -> list[Path]:
    root = _manifest.lake_dir(data_dir)
    current = _manifest.read(root)
    return [root / p for p in _manifest.files(current, dataset, operators, months)]


def observations(
    data_dir: Path, months: list[str] | None = None, operators: list[str] | None = None
) -> list[Path]:
    """The current observation files (per-month triplet aggregates), as the manifest lists them."""
    return _paths(data_dir, "observations", months, operators)


def sightings(
    data_dir: Path, months: list[str] | None = None, operators: list[str] | None = None
) -> list[Path]:
    """The current sighting files (rows with cell or coordinates)."""
    return _paths(data_dir, "sightings", months, operators)


def open_duckdb(
    data_dir: Path,
    months: list[str] | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with views `observations` and `sightings` over the current files.

    The views read the files listed when this is called: a later import does not change
    what an open connection sees (the files it lists are kept until the next writer).
    """
    con = con or connect()
    obs = read_select(observations(data_dir, months), OBSERVATION_COLUMNS)
    sig = read_select(sightings(data_dir, months), SIGHTING_COLUMNS)
    con.execute(f"CREATE OR REPLACE VIEW observations AS {obs}")
    con.execute(f"CREATE OR REPLACE VIEW sightings AS {sig}")
    return con


def ibis_backend(data_dir: Path, months: list[str] | None = None) -> Any:
    """An Ibis DuckDB backend over `open_duckdb`: `.table("observations")`, `.table("sightings")`.

    Ibis is imported here, not at module load, because it takes a second to import.
    """
    import ibis

    return ibis.duckdb.from_connection(open_duckdb(data_dir, months))


def status(data_dir: Path) -> list[dict[str, Any]]:
    """One row per (dataset, operator, month): files, rows and bytes, for `openceir lake status`."""
    root = _manifest.lake_dir(data_dir)
    current = _manifest.read(root)
    out: list[dict[str, Any]] = []
    con = connect()
    for dataset in _manifest.DATASETS:
        for operator, partitions in sorted(current["datasets"].get(dataset, {}).items()):
            for month, rels in sorted(partitions.items()):
                paths = [root / r for r in rels]
                rows = row_count(con, paths)
                out.append(
                    {
                        "dataset": dataset,
                        "operator": operator,
                        "month": month,
                        "files": len(paths),
                        "rows": rows,
                        "bytes": sum(p.stat().st_size for p in paths if p.exists()),
                    }
                )
    con.close()
    return out


__all__ = ["ibis_backend", "observations", "open_duckdb", "sightings", "status"]
