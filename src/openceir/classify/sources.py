"""The classifier's inputs as Ibis tables: the lake's observations and sightings, and the
registers as they stood on the run date, moved into the engine as Arrow (DESIGN §4).

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
from sqlalchemy import Connection, or_, select

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
    "registration": pa.schema([*_IMEI, ("device_type", pa.string()), ("model", pa.string())]),
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


def read_registers(conn: Connection, as_of: date) -> dict[str, pa.Table]:
    """Every register as it stood on `as_of`, as Arrow tables in the `REGISTERS` shapes."""
    from openceir.store import registers as reg

    def valid(model: Any) -> Any:
        return (model.start_date <= as_of) & or_(model.end_date.is_(None), model.end_date > as_of)

    def rows(model: Any, *cols: str) -> list[tuple[Any, ...]]:
        query = select(*(getattr(model, c) for c in cols)).where(valid(model))
        return [tuple(r) for r in conn.execute(query)]

    def table(name: str, data: list[tuple[Any, ...]]) -> pa.Table:
        schema = REGISTERS[name]
        arrays = list(zip(*data, strict=True)) if data else [[] for _ in schema]
        return pa.Table.from_arrays(
            [pa.array(list(a), type=f.type) for a, f in zip(arrays, schema, strict=True)],
            schema=schema,
        )

    catalog = [
        (_tac_int(t), m, mo, d, _rats(r), a)
        for t, m, mo, d, r, a in rows(
            reg.TacCatalog, "tac", "manufacturer", "model", "device_type", "rats", "allocation_date"
        )
    ]
    return {
        "tac_catalog": table("tac_catalog", [r for r in catalog if r[0] is not None]),
        "stolen": table("stolen", rows(reg.StolenRow, "imei_key", "imei_raw", "reporting_date")),
        "registration": table(
            "registration",
            rows(reg.RegistrationRow, "imei_key", "imei_raw", "device_type", "model"),
        ),
        "pairing": table("pairing", rows(reg.PairingRow, "imei_key", "imei_raw", "imsi", "msisdn")),
        "exempt": table("exempt", rows(reg.ExemptRow, "imei_key", "imei_raw")),
        "barred_imei": table("barred_imei", rows(reg.BarredImeiRow, "imei_key", "imei_raw")),
        "barred_tac": table(
            "barred_tac",
            [(t,) for (t,) in ((_tac_int(x),) for (x,) in rows(reg.BarredTacRow, "tac")) if t],
        ),
        "monitoring": table("monitoring", rows(reg.MonitoringRow, "imei_key", "imei_raw")),
    }


def from_store(
    conn: Connection,
    data_dir: Path,
    as_of: date,
    *,
    months: list[str] | None = None,
    country_mcc: list[str] | None = None,
    operator_networks: dict[str, list[str]] | None = None,
) -> tuple[Any, Sources]:
    """(backend, Sources) over the lake's current files and the registers on `as_of`.

    The backend is the lake's DuckDB (views `observations`, `sightings`); registers join it
    as Arrow memtables, since DuckDB's database scanners cannot be installed here.
    """
    import ibis

    from openceir.lake.reader import ibis_backend

    backend = ibis_backend(data_dir, months)
    registers = read_registers(conn, as_of)
    tables = {name: ibis.memtable(registers[name]) for name in REGISTERS}
    return backend, Sources(
        as_of=as_of,
        observations=backend.table("observations"),
        sightings=backend.table("sightings"),
        registers=tables,
        country_mcc=list(country_mcc or []),
        operator_networks=dict(operator_networks or {}),
    )


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
