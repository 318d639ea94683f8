"""Input registers (DIRBS list formats): stolen, registration, pairing, exempt, barred, monitoring.

Not to be confused with `openceir.lists`, the lists openceir publishes. Each is a Source whose
`parse` turns one row into a record keyed like its register table (`openceir.store.registers`);
`register_import` diffs full files against the current rows and applies `--delta` files'
`change_type`. A row whose IMEI is not an IMEI is an invalid row (registers are curated).
"""

from __future__ import annotations

from collections.abc import Mapping

from openceir.ingest import fields
from openceir.ingest.register_import import import_register
from openceir.ingest.source import Record, Source

Row = Mapping[str, str | None]


def _imei_record(row: Row, column: str = "imei") -> Record:
    key, raw = fields.imei(row.get(column), column)
    return {"imei_key": key, "imei_raw": raw}


def parse_stolen(row: Row) -> Record:
    """One stolen-list row: imei, reporting_date, status[, case_id]."""
    return {
        **_imei_record(row),
        "reporting_date": fields.day(row.get("reporting_date"), "reporting_date"),
        "status": fields.text(row.get("status"), "status", 40),
        "case_id": fields.text(row.get("case_id"), "case_id", 100),
    }


def parse_registration(row: Row) -> Record:
    """One registration-list row (DIRBS columns, approved_imei first)."""
    record = _imei_record(row, "approved_imei")
    for name, limit in (
        ("make", 200),
        ("model", 200),
        ("status", 40),
        ("model_number", 200),
        ("brand_name", 200),
        ("device_type", 100),
        ("radio_interface", 100),
        ("device_id", 100),
    ):
        record[name] = fields.text(row.get(name), name, limit)
    return record


def parse_pairing(row: Row) -> Record:
    """One pairing-list row: imei, imsi[, msisdn]."""
    return {
        **_imei_record(row),
        "imsi": fields.imsi(row.get("imsi")),
        "msisdn": fields.msisdn(row.get("msisdn")),
    }


def parse_imei_only(row: Row) -> Record:
    """One row of a list that is just IMEIs (exempt, barred, monitoring)."""
    return _imei_record(row)


def parse_barred_tac(row: Row) -> Record:
    """One barred-TAC row: tac."""
    return {"tac": fields.tac(row.get("tac"))}


STOLEN = Source(
    kind="stolen",
    title="stolen list",
    required=("imei",),
    optional=("reporting_date", "status", "case_id"),
    dirbs_kind="stolen_list",
    parse=parse_stolen,
    example="openceir import stolen stolen_list.csv",
    importer=import_register,
)
REGISTRATION = Source(
    kind="registration",
    title="registration list",
    required=("approved_imei",),
    optional=(
        "make",
        "model",
        "status",
        "model_number",
        "brand_name",
        "device_type",
        "radio_interface",
        "device_id",
    ),
    aliases={"imei": "approved_imei"},
    dirbs_kind="registration_list",
    parse=parse_registration,
    example="openceir import registration registration_list.zip",
    importer=import_register,
)
PAIRING = Source(
    kind="pairing",
    title="pairing list",
    required=("imei", "imsi"),
    optional=("msisdn",),
    dirbs_kind="pairing_list",
    parse=parse_pairing,
    example="openceir import pairing pairing_list.csv --delta",
    importer=import_register,
)
EXEMPT = Source(
    kind="exempt",
    title="exempt (golden) list",
    required=("imei",),
    aliases={"golden_imei": "imei"},
    dirbs_kind="golden_list",
    parse=parse_imei_only,
    example="openceir import exempt golden_list.csv",
    importer=import_register,
)
BARRED = Source(
    kind="barred",
    title="barred IMEI list",
    required=("imei",),
    dirbs_kind="barred_list",
    parse=parse_imei_only,
    example="openceir import barred barred_list.csv",
    importer=import_register,
)
BARRED_TAC = Source(
    kind="barred-tac",
    title="barred TAC list",
    required=("tac",),
    dirbs_kind="barred_tac_list",
    parse=parse_barred_tac,
    example="openceir import barred-tac barred_tac_list.csv",
    importer=import_register,
)
MONITORING = Source(
    kind="monitoring",
    title="monitoring list",
    required=("imei",),
    dirbs_kind="monitoring_list",
    parse=parse_imei_only,
    example="openceir import monitoring monitoring_list.csv",
    importer=import_register,
)

REGISTER_SOURCES = (STOLEN, REGISTRATION, PAIRING, EXEMPT, BARRED, BARRED_TAC, MONITORING)

__all__ = [
    "BARRED",
    "BARRED_TAC",
    "EXEMPT",
    "MONITORING",
    "PAIRING",
    "REGISTER_SOURCES",
    "REGISTRATION",
    "STOLEN",
    "parse_barred_tac",
    "parse_imei_only",
    "parse_pairing",
    "parse_registration",
    "parse_stolen",
]
