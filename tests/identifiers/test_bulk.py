"""Bulk forms: numpy and DuckDB SQL agree with the scalar IMEI form and python-stdnum."""

from __future__ import annotations

import re

import duckdb
import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stdnum import imei as stdnum_imei

from openceir.identifiers import bulk, imei, swar
from openceir.identifiers.findings import codes_from_mask

ADVERSARIAL = [
    "490154203237518",
    "490154203237519",
    "49015420323751",
    "4901542032375100",
    "49-015420-323751-8",
    " 49 015420 323751 8 ",
    "IMEI:490154203237518",
    "imei-49015420323751",
    "imeisv 4901542032375100",
    "٤٩٠١٥٤٢٠٣٢٣٧٥١٨",
    "４９０１５４２０３２３７５１８",
    "49015420323751²",
    "4901542032375",
    "49015420323751234",
    "",
    "IMEI",
    "49\x0015420323751",
    "4901542032375\x00",
    "🙂490154203237518",
    "𝟒𝟗015420323751",
    "0" * 14,
    "-" * 300 + "490154203237518",
]


def _sql(values: list[object]) -> tuple[list[object], list[object]]:
    con = duckdb.connect()
    con.execute("CREATE TABLE t(i INTEGER, v VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?, ?)", list(enumerate(values)))
    rows = con.execute(
        f"SELECT {bulk.imei_key_sql('v')}, {bulk.luhn_valid_sql('v')} FROM t ORDER BY i"
    ).fetchall()
    return [r[0] for r in rows], [r[1] for r in rows]


def _scalar(values: list[object]) -> tuple[list[int], list[bool]]:
    keys = [imei.key(v) for v in values]
    return [-1 if k is None else k for k in keys], [imei.is_valid(v) for v in values]


def test_numpy_sql_and_scalar_agree_on_adversarial_inputs() -> None:
    keys, valid = bulk.imei_keys(ADVERSARIAL)
    s_keys, s_valid = _scalar(ADVERSARIAL)
    assert keys.tolist() == s_keys
    assert valid.tolist() == s_valid
    q_keys, q_valid = _sql(ADVERSARIAL)
    assert [-1 if k is None else k for k in q_keys] == s_keys
    assert q_valid == s_valid


def test_known_values() -> None:
    keys, valid = bulk.imei_keys(["490154203237518", "490154203237519", "junk", None])
    assert keys.tolist() == [49015420323751, 49015420323751, -1, -1]
    assert valid.tolist() == [True, False, False, False]


def test_fixed_width_bytes_and_unicode_arrays_take_the_fast_path() -> None:
    values = ["490154203237518", "356868000041419", "35686800004141"]
    for arr in (np.array(values, dtype="S16"), np.array(values, dtype="U15")):
        keys, valid = bulk.imei_keys(arr)
        assert keys.tolist() == [49015420323751, 35686800004141, 35686800004141]
        assert valid.tolist() == [True, False, True]


def test_pyarrow_string_array_with_nulls() -> None:
    keys, valid = bulk.imei_keys(pa.array(["490154203237518", None, "x"]))
    assert keys.tolist() == [49015420323751, -1, -1]
    assert valid.tolist() == [True, False, False]


def test_sql_is_null_key_and_false_validity_for_null() -> None:
    assert _sql([None]) == ([None], [False])


@pytest.mark.parametrize("value", [*ADVERSARIAL[:14], "00101000000001", "77777777777777"])
def test_findings_mask_matches_scalar_findings(value: str) -> None:
    (mask,) = bulk.imei_findings([value])
    assert codes_from_mask(int(mask)) == sorted(
        (f.code for f in imei.findings(value)), key=list(bulk.CODES).index
    )


digits_or_junk = st.text(
    alphabet=st.sampled_from(list("0123456789") * 6 + list(" -./:I٣５²\x00a")), max_size=20
)
luhn_like = st.from_regex(r"\A[0-9]{14,16}\Z", fullmatch=True)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(digits_or_junk, luhn_like, st.text(max_size=18)), max_size=30))
def test_property_vectorised_sql_and_scalar_agree(values: list[str]) -> None:
    keys, valid = bulk.imei_keys(values)
    s_keys, s_valid = _scalar(values)
    assert keys.tolist() == s_keys
    assert valid.tolist() == s_valid
    if values:
        q_keys, q_valid = _sql(values)
        assert [-1 if k is None else k for k in q_keys] == s_keys
        assert q_valid == s_valid


@settings(max_examples=200, deadline=None)
@given(st.from_regex(r"\A[0-9]{15}\Z", fullmatch=True))
def test_property_15_digit_validity_matches_python_stdnum(value: str) -> None:
    (ok,) = bulk.imei_keys(np.array([value], dtype="S15"))[1]
    assert bool(ok) == stdnum_imei.is_valid(value) == imei.is_valid(value)


# Characters next to the digits in ASCII (/ and :, 0x2F and 0x3A), high nibble 3 but not a
# digit (; ? > 0x3B-0x3F), NUL and 0xFF: the word-at-a-time path must tell all of them apart.
near_digits = st.text(
    alphabet=st.sampled_from(list("0123456789" * 4 + "/:;?>\x00\xff")), max_size=17
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(near_digits, luhn_like), min_size=1, max_size=40))
def test_property_word_path_agrees_with_scalar_on_bytes_and_str(values: list[str]) -> None:
    width = max(1, *(len(v) for v in values))
    as_bytes = np.array([v.encode("latin-1") for v in values], dtype=f"S{width}")
    as_str = np.array(values, dtype=f"U{width}")
    # numpy drops trailing NULs from fixed-width items, so compare with what the array holds
    held = [v.rstrip("\x00") for v in values]
    s_keys, s_valid = _scalar([v if "\xff" not in v else v.replace("\xff", "ÿ") for v in held])
    for arr in (as_str, as_bytes):
        keys, valid = bulk.imei_keys(arr)
        assert keys.tolist() == s_keys
        assert valid.tolist() == s_valid
    raw = as_bytes.view(np.uint8).reshape(len(values), width)
    plain = swar.plain_imei_keys(raw)[2] if width <= 16 else None
    if plain is not None:  # the word path takes exactly the rows of 14-16 plain digits
        assert plain.tolist() == [re.fullmatch(r"[0-9]{14,16}", v) is not None for v in held]


def test_word_path_spans_blocks() -> None:
    n = swar.CHUNK * 2 + 5
    values = np.array(["490154203237518", "490154203237519", "4901542032375x8"] * n, dtype="S15")
    keys, valid = bulk.imei_keys(values)
    assert keys[::3].tolist() == [49015420323751] * n
    assert valid[::3].all() and not valid[1::3].any()
    assert (keys[2::3] == -1).all()
