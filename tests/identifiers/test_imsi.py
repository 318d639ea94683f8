"""The one IMSI form rule (6 to 15 ASCII digits) and every caller agreeing with it."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pytest

from openceir.eir.pei import parse_supi
from openceir.eir.snapshot import build_snapshot
from openceir.errors import InputError
from openceir.identifiers import imsi
from openceir.ingest import _identifiers

CASES = [
    ("639011234567890", True),  # 15 digits, the usual IMSI
    ("63901123456789", True),  # 14
    ("639011", True),  # MCC + 2-digit MNC + 1-digit MSIN: the shortest
    ("63901", False),  # no MSIN: TS 29.571's pattern admits it, TS 23.003 names nobody
    ("6390112345678901", False),  # 16: over TS 23.003's 15
    ("63901123456789x", False),
    ("６３９０１１２３４５６７８９０", False),  # full-width digits are not ASCII
    (" 639011234567890", False),  # padding is not normalised away
    ("", False),
]


@pytest.mark.parametrize(("value", "ok"), CASES)
def test_is_well_formed_table(value: str, ok: bool) -> None:
    assert imsi.is_well_formed(value) is ok


@pytest.mark.parametrize(("value", "ok"), CASES)
def test_sql_twin_agrees(value: str, ok: bool) -> None:
    got = duckdb.execute(f"SELECT {imsi.well_formed_sql('?::VARCHAR')}", [value]).fetchone()
    assert got[0] is ok


@pytest.mark.parametrize(("value", "ok"), CASES)
def test_importers_and_eir_use_the_same_rule(value: str, ok: bool, tmp_path) -> None:
    assert _identifiers.is_imsi(value) is ok
    assert _identifiers.imsi_sql is imsi.well_formed_sql
    if ok:
        assert parse_supi(f"imsi-{value}") == value
    else:
        with pytest.raises(InputError, match="supi"):
            parse_supi(f"imsi-{value}")
    exceptions = pa.table({"imei_key": [35693803564382], "imsi": [value]})
    if ok:
        build_snapshot(tmp_path, exceptions=exceptions, run_id="r")
    else:
        with pytest.raises(InputError, match="6 to 15 digits"):
            build_snapshot(tmp_path, exceptions=exceptions, run_id="r")


def test_validate_still_checks_the_country_code() -> None:
    assert imsi.validate("639011234567890") == "639011234567890"
    with pytest.raises(Exception, match="6 to 15"):
        imsi.validate("63901")
