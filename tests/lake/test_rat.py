"""RAT bitmask: the Python and DuckDB forms agree."""

from __future__ import annotations

import duckdb
import pytest

from openceir.lake.rat import interface_mask, rat_mask, rat_mask_sql, rat_names

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


# One table, two readers: (text, strict dump mask, free-text interface mask).
TABLE = [
    ("2G|3G", 3, 3),
    ("2g | 3G", 3, 3),
    ("006|010", 12, None),  # codes are a dump's; free text has none
    ("4G", 4, 4 | 16 | 32),  # free text: LTE covers NB-IoT and LTE-M
    ("LTE|NR", 12, 4 | 8 | 16 | 32),
    ("GSM,WCDMA,LTE", None, 1 | 2 | 4 | 16 | 32),  # commas: not a dump `|`-list
    ("2G/3G", None, 3),
    ("GSM, LTE-M", None, 1 | 32),
    ("LTE FDD BAND 20 (NB-IoT)", None, 4 | 16 | 32),
    ("NB-IoT", 16, 16),
    ("NB-IoT|LTE-M", 48, 48),
    ("HSPA+|E-UTRAN", 6, 2 | 4 | 16 | 32),
    ("satellite", None, None),
    ("006|satellite", None, None),
    ("", None, None),
    (None, None, None),
]


@pytest.mark.parametrize(("text", "strict", "free"), TABLE)
def test_one_table_two_readers(text, strict, free) -> None:
    assert rat_mask(text) == strict
    assert interface_mask(text) == free
    con = duckdb.connect()
    got = con.execute(f"SELECT {rat_mask_sql('v')} FROM (SELECT ?::VARCHAR AS v)", [text])
    assert got.fetchone()[0] == strict


def test_classify_reads_registrations_through_the_same_table() -> None:
    from openceir.classify import evidence as clones

    assert clones.interface_mask is interface_mask
