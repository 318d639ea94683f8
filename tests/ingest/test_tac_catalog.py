"""The TAC catalog: GSMA pipe files and CSV, RATs derived from bands, extra columns kept."""

from __future__ import annotations

from datetime import date

import pytest

from openceir.errors import InputError
from openceir.ingest import rats_from_bands, run_import
from openceir.ingest.source import FieldError
from openceir.ingest.tac_catalog import parse_rats
from openceir.store.registers import TacCatalog, current
from openceir.store.session import session_scope
from tests.ingest.conftest import TODAY


@pytest.mark.parametrize(
    ("bands", "radio", "rats"),
    [
        ("GSM 900,GSM 1800,WCDMA FDD Band I,LTE FDD BAND 3", None, ["2G", "3G", "4G"]),
        ("NR n78,LTE FDD BAND 20", None, ["4G", "5G"]),
        ("CDMA2000", None, ["3G"]),
        ("CDMA 800", None, ["2G"]),
        (None, "GSM,WCDMA", ["2G", "3G"]),
        ("Bluetooth", None, []),
    ],
)
def test_rats_from_bands(bands, radio, rats) -> None:
    assert rats_from_bands(bands, radio) == rats


def test_parse_rats_rejects_unknown_generation() -> None:
    assert parse_rats("4G|2G") == ["2G", "4G"]
    with pytest.raises(FieldError, match="'6G'"):
        parse_rats("5G|6G")


def test_gsma_pipe_file_imports_with_extra_columns(settings, engine, data_file) -> None:
    result = run_import(
        settings, "tac", data_file("tac_catalog_gsma.txt"), engine=engine, today=TODAY
    )
    assert result.counts["added"] == 3
    with session_scope(engine) as session:
        rows = {r.tac: r for r in current(session, TacCatalog)}
    phone = rows["35209900"]
    assert (phone.manufacturer, phone.model, phone.device_type) == (
        "Examplecorp",
        "Phone One",
        "Smartphone",
    )
    assert phone.rats == ["2G", "3G", "4G"]
    assert phone.allocation_date == date(2001, 1, 1)
    assert phone.extra == {"nfc": "Y", "radio_interface": "GSM,WCDMA,LTE"}
    assert rows["49015420"].rats == ["4G", "5G"]


def test_csv_catalog_with_explicit_rats_replaces_the_gsma_one(settings, engine, data_file):
    run_import(settings, "tac", data_file("tac_catalog_gsma.txt"), engine=engine, today=TODAY)
    result = run_import(settings, "tac", data_file("tac_catalog.csv"), engine=engine, today=TODAY)
    assert (result.counts["added"], result.counts["removed"], result.counts["updated"]) == (1, 2, 1)
    with session_scope(engine) as session:
        rows = {r.tac: r for r in current(session, TacCatalog)}
    assert sorted(rows) == ["35209900", "86740002"]
    assert rows["35209900"].rats == ["2G", "3G", "4G"] and rows["86740002"].rats == ["4G"]


def test_catalog_with_bad_date_names_line_and_field(settings, engine, tmp_path) -> None:
    path = tmp_path / "tac.csv"
    path.write_text("tac,manufacturer,allocation_date\n35209900,X,2001-13-45\n")
    with pytest.raises(InputError) as err:
        run_import(settings, "tac", path, engine=engine, today=TODAY)
    assert str(err.value).startswith("tac.csv line 2 field allocation_date: ")
    assert "'2001-13-45' is not a date; expected YYYYMMDD or YYYY-MM-DD" in str(err.value)
