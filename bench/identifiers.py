"""Benchmark: vectorised IMEI validation (numpy and DuckDB SQL) against python-stdnum per item.

Run by hand: ``python bench/identifiers.py [N]`` (default 10,000,000 identifiers). Generates a
realistic mix with numpy (90% valid 15-digit IMEIs, 5% bad check digit, 3% 14-digit bodies,
2% malformed), times `bulk.imei_keys` on all of them, python-stdnum's `imei.is_valid` on a
200k sample (rate extrapolated), and the DuckDB SQL form on a 2M slice.
"""

from __future__ import annotations

import sys
import time

import duckdb
import numpy as np
import pyarrow as pa
from stdnum import imei as stdnum_imei

from openceir.identifiers import bulk

DOUBLE = np.array([0, 2, 4, 6, 8, 1, 3, 5, 7, 9], dtype=np.uint8)


def generate(n: int, seed: int = 7) -> np.ndarray:
    """`n` IMEIs as a fixed-width bytes array (S15), with a realistic share of bad ones."""
    rng = np.random.default_rng(seed)
    digits = rng.integers(0, 10, size=(n, 15), dtype=np.uint8)
    digits[:, 0] = 3
    digits[:, 1] = 5
    total = digits[:, 0:14:2].sum(1, dtype=np.int64) + DOUBLE[digits[:, 1:14:2]].sum(1)
    digits[:, 14] = (10 - total % 10) % 10
    roll = rng.random(n)
    bad = roll < 0.05
    digits[bad, 14] = (digits[bad, 14] + 1) % 10
    raw = digits + 48
    raw[(roll >= 0.05) & (roll < 0.08), 14] = 0  # a 14-digit body (NUL padding)
    raw[roll >= 0.98, 2] = ord("X")  # malformed
    return raw.view("S15").ravel()


def rate(count: int, seconds: float) -> float:
    return count / seconds


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000
    values = generate(n)
    bulk.imei_keys(values[:1000])  # warm-up: builds the one-off character table
    start = time.perf_counter()
    keys, valid = bulk.imei_keys(values)
    numpy_s = time.perf_counter() - start
    numpy_rate = rate(n, numpy_s)

    sample = [v.decode() for v in values[:200_000]]
    start = time.perf_counter()
    expected = [stdnum_imei.is_valid(v) and len(v) in (14, 15, 16) for v in sample]
    stdnum_rate = rate(len(sample), time.perf_counter() - start)
    agree = np.array_equal(np.array(expected), valid[:200_000])

    m = min(n, 2_000_000)
    imeis = pa.table({"imei": pa.array(values[:m].astype(str))})  # noqa: F841 - read by DuckDB
    con = duckdb.connect()
    start = time.perf_counter()
    con.execute(
        f"SELECT count({bulk.imei_key_sql('imei')}), count_if({bulk.luhn_valid_sql('imei')}) "
        "FROM imeis"
    ).fetchall()
    sql_rate = rate(m, time.perf_counter() - start)

    print(f"identifiers: {n:,} ({int(valid.sum()):,} valid, {int((keys < 0).sum()):,} malformed)")
    print(f"numpy bulk.imei_keys:   {numpy_rate:>14,.0f} /s  ({numpy_s:.2f} s)")
    print(f"DuckDB SQL key+valid:   {sql_rate:>14,.0f} /s  (on {m:,})")
    print(f"python-stdnum per item: {stdnum_rate:>14,.0f} /s  (200k sample, extrapolated)")
    print(f"ratio numpy/stdnum: {numpy_rate / stdnum_rate:,.0f}x")
    print(f"ratio SQL/stdnum: {sql_rate / stdnum_rate:,.0f}x")
    print(f"numpy agrees with stdnum on the sample: {agree}")


if __name__ == "__main__":
    main()
