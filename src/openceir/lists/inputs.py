"""Adapter: the inputs of a list run read from the store (classification state, registers)
and the lake (triplets seen on the network). The only module of openceir.lists doing I/O
against other packages."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow as pa
from sqlalchemy import Engine, text

from openceir.classify import state as classify_state
from openceir.lake import reader
from openceir.lists.run import RunInputs
from openceir.settings import Settings

TRIPLET_SCHEMA = pa.schema(
    [
        ("operator", pa.string()),
        ("imei_key", pa.int64()),
        ("imei_raw", pa.string()),
        ("imsi", pa.string()),
        ("msisdn", pa.string()),
        ("last_seen", pa.date32()),
    ]
)


def home_table(settings: Settings) -> pa.Table:
    """(operator, prefix) for every configured MCC-MNC: an IMSI's home network."""
    ops, prefixes = [], []
    for op in settings.operators:
        for prefix in op.mcc_mnc:
            ops.append(op.id)
            prefixes.append(prefix)
    return pa.table(
        {"operator": pa.array(ops, pa.string()), "prefix": pa.array(prefixes, pa.string())}
    )


def triplets(data_dir: Path) -> pa.Table:
    """Distinct (operator, IMEI, IMSI) triplets in the lake with the latest MSISDN."""
    files = reader.observations(data_dir)
    if not files:
        return TRIPLET_SCHEMA.empty_table()
    con = reader.open_duckdb(data_dir)
    try:
        table = con.sql(
            """SELECT operator, imei_key, imei_raw, CAST(imsi AS VARCHAR) AS imsi,
                      arg_max(CAST(msisdn AS VARCHAR), last_seen) AS msisdn,
                      CAST(max(last_seen) AS DATE) AS last_seen
               FROM observations WHERE imsi IS NOT NULL
               GROUP BY operator, imei_key, imei_raw, imsi"""
        ).to_arrow_table()
    finally:
        con.close()
    return table.cast(TRIPLET_SCHEMA)


def _register(engine: Engine, sql: str, schema: pa.Schema) -> pa.Table:
    with engine.connect() as conn:
        rows = conn.execute(text(sql)).fetchall()
    cols = list(zip(*rows, strict=True)) if rows else [[] for _ in schema]
    return pa.table(
        [pa.array(list(c), f.type) for c, f in zip(cols, schema, strict=True)], schema=schema
    )


def load_inputs(settings: Settings, engine: Engine, as_of: date | None = None) -> RunInputs:
    """Everything a list run needs, read once."""
    with engine.connect() as conn:
        state = classify_state.current(conn, as_of)
    pairing = _register(
        engine,
        "SELECT imei_key, imei_raw, imsi FROM pairing_list WHERE end_date IS NULL",
        pa.schema([("imei_key", pa.int64()), ("imei_raw", pa.string()), ("imsi", pa.string())]),
    )
    keyed = pa.schema([("imei_key", pa.int64()), ("imei_raw", pa.string())])
    exempt = _register(
        engine, "SELECT imei_key, imei_raw FROM exempt_list WHERE end_date IS NULL", keyed
    )
    monitoring = _register(
        engine, "SELECT imei_key, imei_raw FROM monitoring_list WHERE end_date IS NULL", keyed
    )
    registration = _register(
        engine, "SELECT imei_key, imei_raw FROM registration_list WHERE end_date IS NULL", keyed
    )
    barred_tacs = _register(
        engine,
        "SELECT tac FROM barred_tac_list WHERE end_date IS NULL",
        pa.schema([("tac", pa.string())]),
    )
    return RunInputs(
        state=state,
        triplets=triplets(settings.data_dir),
        pairing=pairing,
        exempt=exempt,
        home=home_table(settings),
        operators=[op.id for op in settings.operators],
        barred_tacs=barred_tacs,
        monitoring=monitoring,
        registration=registration,
    )


__all__ = ["TRIPLET_SCHEMA", "home_table", "load_inputs", "triplets"]
