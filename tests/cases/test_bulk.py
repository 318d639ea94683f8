"""Bulk filing: each CSV row checked and filed on its own, with a result per row."""

from __future__ import annotations

import pytest

from openceir.cases import import_bulk, list_cases
from openceir.errors import InputError
from tests.cases.conftest import IMEI_A, IMEI_B


def test_each_row_gets_its_own_result(env, tmp_path):
    path = tmp_path / "station7.csv"
    path.write_text(
        "imei,msisdn,kind,complaint_number\n"
        f"{IMEI_A},254711000001,stolen,C-1\n"
        "490154203237519,254711000002,stolen,C-2\n"
        f"{IMEI_A},254711000003,lost,C-3\n"
        f"{IMEI_B},,stolen,C-4\n"
    )
    results = import_bulk(env.engine, env.settings, path, actor="officer:7", station="central")
    assert [r.line for r in results] == [2, 3, 4, 5]
    assert results[0].request_id and results[0].error is None
    assert results[1].error.startswith("station7.csv line 3 field imei: IMEI 490154203237519")
    assert results[2].linked and results[2].request_id == results[0].request_id
    assert results[3].error == (
        "station7.csv line 5 field msisdn: give the phone's MSISDN or a contact number or e-mail"
    )
    assert [c["station"] for c in list_cases(env.engine)] == ["central"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "station7.csv line 1: empty file"),
        ("imei,colour\n1,red\n", "station7.csv line 1: unknown column 'colour'"),
        ("msisdn\n254711000001\n", "station7.csv line 1: the column imei is required"),
        (f"imei\n{IMEI_A},extra\n", "station7.csv line 2: more fields than the header has"),
    ],
)
def test_a_bad_file_is_one_error_and_files_nothing(env, tmp_path, text, message):
    path = tmp_path / "station7.csv"
    path.write_text(text)
    with pytest.raises(InputError, match=message):
        import_bulk(env.engine, env.settings, path, actor="officer:7")
    assert list_cases(env.engine) == []
