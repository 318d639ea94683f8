"""The classifier's inputs as Ibis tables: the lake's observations and sightings, and the
registers as they stood on the run date, moved into the engine as Arrow (architecture §4).

This is the one module that knows the lake's and the store's names: every dimension reads
`Sources`, never a file or a session, so the same expressions bind to DuckDB or Spark.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
from sqlalchemy import Connection, text

from openceir.lake.rat import rat_mask

OBSERVATIONS = pa.schema(
    [
        ("operator", pa.string()),
        ("month", pa.string()),
        ("imei_key", pa.int64()),
        ("imei_raw", pa.string()),
        ("imsi", pa.string()),
        ("msisdn", pa.string()),
        ("rat_mask", pa.int16()),
        ("day_mask", pa.int32()),
        ("first_seen", pa.date32()),
        ("last_seen", pa.date32()),
        ("imeisv", pa.list_(pa.string())),
    ]
)
"""The lake's observation columns (per-month triplet aggregates), see `openceir.lake`."""

SIGHTINGS = pa.schema(
    [
        ("operator", pa.string()),
        ("month", pa.string()),
        ("imei_key", pa.int64()),
        ("imei_raw", pa.string()),
        ("imsi", pa.string()),
        ("date", pa.date32()),
        ("time", pa.string()),
        ("cell", pa.string()),
        ("lat", pa.float64()),
        ("lon", pa.float64()),
    ]
)
"""The lake's sighting columns (dump rows that carried a cell or coordinates)."""

LTE = 4
LTE_VARIANTS = 16 | 32
"""NB-IoT and LTE-M (lake bits 16, 32) are E-UTRAN variants; the catalog names their bands
`4G` (its RATs are 2G-5G only), so a model supporting 4G is taken to support them too."""

_IMEI = [("imei_key", pa.int64()), ("imei_raw", pa.string())]

REGISTERS: dict[str, pa.Schema] = {
    "tac_catalog": pa.schema(
        [
            ("tac", pa.int64()),
            ("manufacturer", pa.string()),
            ("model", pa.string()),
            ("device_type", pa.string()),
            ("rat_mask", pa.int64()),
            ("allocation_date", pa.date32()),
        ]
    ),
    "stolen": pa.schema([*_IMEI, ("reporting_date", pa.date32())]),
    "registration": pa.schema(
        [
            *_IMEI,
            ("device_type", pa.string()),
            ("model", pa.string()),
            ("make", pa.string()),
            ("radio_interface", pa.string()),
        ]
    ),
    "pairing": pa.schema([*_IMEI, ("imsi", pa.string()), ("msisdn", pa.string())]),
    "exempt": pa.schema(_IMEI),
    "barred_imei": pa.schema(_IMEI),
    "barred_tac": pa.schema([("tac", pa.int64())]),
    "monitoring": pa.schema(_IMEI),
}
"""Register tables as the dimensions see them (TACs as integers: `imei_key // 10**6`)."""


@dataclass
class Sources:
    """Everything a dimension may read, as Ibis tables, and the run's date and region."""

    as_of: date
    observations: Any
    sightings: Any
    registers: dict[str, Any]
    country_mcc: list[str] = field(default_factory=list)
    operator_networks: dict[str, list[str]] = field(default_factory=dict)

    def register(self, name: str) -> Any:
        """One register table (`tac_catalog`, `stolen`, `pairing`, ...) by name."""
        return self.registers[name]


def empty(schema: pa.Schema) -> pa.Table:
    """An Arrow table with `schema` and no rows."""
    return pa.Table.from_pylist([], schema=schema)


def from_arrow(
    as_of: date,
    *,
    observations: pa.Table | None = None,
    sightings: pa.Table | None = None,
    country_mcc: list[str] | None = None,
    operator_networks: dict[str, list[str]] | None = None,
    **registers: pa.Table,
) -> Sources:
    """Sources over in-memory Arrow tables (tests, and registers read from the store)."""
    import ibis

    unknown = set(registers) - set(REGISTERS)
    if unknown:
        raise ValueError(f"unknown registers: {sorted(unknown)}")
    obs = observations if observations is not None else empty(OBSERVATIONS)
    sig = sightings if sightings is not None else empty(SIGHTINGS)
    tables = {
        name: ibis.memtable(_conform(registers.get(name), schema))
        for name, schema in REGISTERS.items()
    }
    return Sources(
        as_of=as_of,
        observations=ibis.memtable(_conform(obs, OBSERVATIONS)),
        sightings=ibis.memtable(_conform(sig, SIGHTINGS)),
        registers=tables,
        country_mcc=list(country_mcc or []),
        operator_networks=dict(operator_networks or {}),
    )


def _conform(table: pa.Table | None, schema: pa.Schema) -> pa.Table:
    """`table` with exactly `schema`'s columns (missing ones as NULLs), cast to its types."""
    if table is None:
        return empty(schema)
    columns = []
    for fld in schema:
        if fld.name in table.column_names:
            columns.append(table.column(fld.name).cast(fld.type))
        else:
            columns.append(pa.nulls(table.num_rows, fld.type))
    return pa.Table.from_arrays(columns, schema=schema)


def _tac_int(tac: str | None) -> int | None:
    return int(tac) if tac and tac.isascii() and tac.isdigit() else None


def _rats(value: Any) -> int | None:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            value = value.split("|")
    if not value:
        return None
    mask = 0
    for name in value:
        mask |= rat_mask(str(name)) or 0
    if mask & LTE:
        mask |= LTE_VARIANTS
    return mask or None


def _array(values: list[Any], kind: pa.DataType) -> pa.Array:
    """An Arrow array of driver values (SQLite hands dates over as ISO text)."""
    try:
        return pa.array(values, type=kind)
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        return pa.array(values).cast(kind)


_REGISTER_SQL: dict[str, tuple[str, str]] = {
    "tac_catalog": ("tac_catalog", "tac, manufacturer, model, device_type, rats, allocation_date"),
    "stolen": ("stolen_list", "imei_key, imei_raw, reporting_date"),
    "registration": (
        "registration_list",
        "imei_key, imei_raw, device_type, model, make, radio_interface",
    ),
    "pairing": ("pairing_list", "imei_key, imei_raw, imsi, msisdn"),
    "exempt": ("exempt_list", "imei_key, imei_raw"),
    "barred_imei": ("barred_imei_list", "imei_key, imei_raw"),
    "barred_tac": ("barred_tac_list", "tac"),
    "monitoring": ("monitoring_list", "imei_key, imei_raw"),
}
"""Register -> (store table, columns): the store's names (openceir.store.registers)."""


def read_registers(conn: Connection, as_of: date) -> dict[str, pa.Table]:
    """Every register as it stood on `as_of`, as Arrow tables in the `REGISTERS` shapes.

    Plain SQL without ORM type processing: a register of millions of rows is read in
    seconds, not minutes.
    """
    out: dict[str, pa.Table] = {}
    day = as_of.isoformat()
    for name, (table, cols) in _REGISTER_SQL.items():
        query = text(
            f"SELECT {cols} FROM {table} WHERE start_date <= :d "
            "AND (end_date IS NULL OR end_date > :d)"
        )
        rows = conn.execute(query, {"d": day}).fetchall()
        columns = list(zip(*rows, strict=True)) if rows else [() for _ in cols.split(",")]
        schema = REGISTERS[name]
        if name in ("tac_catalog", "barred_tac"):
            tacs = [_tac_int(t) for t in columns[0]]
            keep = [i for i, t in enumerate(tacs) if t is not None]
            columns = [[c[i] for i in keep] for c in columns]
            columns[0] = [tacs[i] for i in keep]
        if name == "tac_catalog":
            columns[4] = [_rats(r) for r in columns[4]]
        arrays = [_array(list(c), f.type) for c, f in zip(columns, schema, strict=True)]
        out[name] = pa.Table.from_arrays(arrays, schema=schema)
    return out


def from_store(
    conn: Connection,
    data_dir: Path,
    as_of: date,
    *,
    months: list[str] | None = None,
    country_mcc: list[str] | None = None,
    operator_networks: dict[str, list[str]] | None = None,
    backend: Any = None,
) -> tuple[Any, Sources]:
    """(backend, Sources) over the lake's current files and the registers on `as_of`.

    Without `backend`, the lake's DuckDB (views `observations`, `sightings`); with a Spark
    backend (`engine.spark_backend`), Spark reads the same Parquet files. Registers join
    either as Arrow memtables: DuckDB's database scanners cannot be installed here, and
    Spark takes Arrow directly.
    """
    import ibis

    if backend is None:
        from openceir.lake.reader import ibis_backend

        backend = ibis_backend(data_dir, months)
        observations, sightings = backend.table("observations"), backend.table("sightings")
    else:
        observations, sightings = _spark_lake(backend, data_dir, months)
    registers = read_registers(conn, as_of)
    tables = {name: ibis.memtable(registers[name]) for name in REGISTERS}
    return backend, Sources(
        as_of=as_of,
        observations=observations,
        sightings=sightings,
        registers=tables,
        country_mcc=list(country_mcc or []),
        operator_networks=dict(operator_networks or {}),
    )


def _spark_lake(backend: Any, data_dir: Path, months: list[str] | None) -> tuple[Any, Any]:
    """The lake's observations and sightings as Spark views over the manifest's current files.

    Columns are selected and cast to `OBSERVATIONS` / `SIGHTINGS` (a column missing from
    older files reads as NULL, as DuckDB's `union_by_name` does). On a cluster the data dir
    must be on a filesystem every executor sees at the same path.
    """
    import uuid

    from pyspark.sql import functions as F
    from pyspark.sql.pandas.types import from_arrow_type

    from openceir.lake import reader

    session = backend._session
    tables = []
    for name, schema, paths in (
        ("observations", OBSERVATIONS, reader.observations(data_dir, months)),
        ("sightings", SIGHTINGS, reader.sightings(data_dir, months)),
    ):
        if paths:
            frame = session.read.option("mergeSchema", "true").parquet(*map(str, paths))
            have = set(frame.columns)
            frame = frame.select(
                *(
                    (F.col(f.name) if f.name in have else F.lit(None))
                    .cast(from_arrow_type(f.type))
                    .alias(f.name)
                    for f in schema
                )
            )
        else:
            frame = session.createDataFrame(empty(schema))
        if name == "observations":  # read by nearly every dimension: decode the files once
            frame = backend.keep(frame)
        view = f"openceir_{name}_{uuid.uuid4().hex[:12]}"
        tables.append(backend.register_view(view, frame))
    return tables[0], tables[1]


__all__ = [
    "OBSERVATIONS",
    "REGISTERS",
    "SIGHTINGS",
    "Sources",
    "empty",
    "from_arrow",
    "from_store",
    "read_registers",
]
