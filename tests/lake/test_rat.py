"""RAT bitmask: the Python and DuckDB forms agree."""

from __future__ import annotations

import duckdb
import pytest

from openceir.lake.rat import rat_mask, rat_mask_sql, rat_names

CASES = [
    "006|010",
    "2G|3G",
    "002",
    "001|005",
    "008|009|004",
    "101",
    "4g | 5g",
    "999",
    "006|x",
    "",
    None,
]


@pytest.mark.parametrize("value", CASES)
def test_sql_and_python_agree(value) -> None:
    con = duckdb.connect()
    got = con.execute(
        f"SELECT {rat_mask_sql('v')} FROM (SELECT ?::VARCHAR AS v)", [value]
    ).fetchone()
    assert got[0] == rat_mask(value)


def test_known_values() -> None:
    assert rat_mask("006|010") == 12 and rat_mask("002") == 1 and rat_mask("999") is None
    assert rat_names(1 | 4 | 128) == ["2G", "4G", "3GPP2"]
