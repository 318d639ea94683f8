"""Benchmark: list generation for 5M blocked IMEIs (synthetic Arrow state), full lists + delta.

Run by hand: `.venv/bin/python bench/lists.py [N]` (`--help`; try N = 1000000 first). Prints
the rate and the ratio against a floor measured in the same run: a bare DuckDB CSV write of the
same blacklist rows. Each figure also gives the process CPU time (all threads): on a shared
machine wall time swings with the load, CPU time much less.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from openceir.classify.state import CURRENT_SCHEMA
from openceir.lists.inputs import TRIPLET_SCHEMA
from openceir.lists.run import RunInputs, write_run
from openceir.tlog.note import generate_key

AS_OF = date(2026, 11, 28)


def synthetic(n: int, seed: int) -> RunInputs:
    """n blocked IMEIs (one condition each), 2% in grace seen with one triplet, 1% paired."""
    rng = np.random.default_rng(seed)
    keys = np.unique(rng.integers(10**13, 10**14 - 1, size=n, dtype=np.int64))
    offsets = rng.integers(-300, 30, size=keys.size)
    block = pa.array(
        (np.datetime64(AS_OF.isoformat()) + offsets.astype("timedelta64[D]")), pa.date32()
    )
    labels = pa.array(["Reported stolen", "Duplicated IMEI", "Not registered"])
    reasons = labels.take(pa.array(rng.integers(0, 3, size=keys.size)))
    state = pa.table(
        {
            "imei_key": keys,
            "imei_raw": pa.nulls(keys.size, pa.string()),
            "condition": pa.array(["c"] * keys.size),
            "start_date": block,
            "block_date": block,
            "blocking": pa.array(np.ones(keys.size, dtype=bool)),
            "reasons": pa.ListArray.from_arrays(np.arange(keys.size + 1, dtype=np.int32), reasons),
            "evidence": pa.nulls(keys.size, pa.string()),
            "clone_imsis": pa.nulls(keys.size, pa.list_(pa.string())),
            "genuine_imsis": pa.nulls(keys.size, pa.list_(pa.string())),
        },
        schema=CURRENT_SCHEMA,
    )
    seen = keys[offsets > 0]
    imsis = pa.array([f"6390{i % 2 + 1}{i:010d}" for i in range(seen.size)])
    triplets = pa.table(
        {
            "operator": pa.array(np.where(np.arange(seen.size) % 2 == 0, "alpha", "beta")),
            "imei_key": seen,
            "imei_raw": pa.nulls(seen.size, pa.string()),
            "imsi": imsis,
            "msisdn": imsis,
            "last_seen": pa.array([AS_OF] * seen.size, pa.date32()),
        },
        schema=TRIPLET_SCHEMA,
    )
    paired = keys[::100]
    pairing = pa.table(
        {
            "imei_key": paired,
            "imei_raw": pa.nulls(paired.size, pa.string()),
            "imsi": pa.array([f"63901{i:010d}" for i in range(paired.size)]),
        }
    )
    exempt = pa.table({"imei_key": keys[:10], "imei_raw": pa.nulls(10, pa.string())})
    home = pa.table({"operator": ["alpha", "beta"], "prefix": ["63901", "63902"]})
    return RunInputs(state, triplets, pairing, exempt, home, ["alpha", "beta"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=5_000_000, help="blocked IMEIs")
    n = parser.parse_args().n
    first, other = synthetic(n, 1), synthetic(n, 2)
    signer = generate_key("bench")
    cpu: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        t0 = time.perf_counter()
        cpu.append(time.process_time())
        write_run(data, first, signer, as_of=AS_OF, run_id="20261127T000000Z")
        t1 = time.perf_counter()
        cpu.append(time.process_time())
        # Next day's run over the same state: realistic delta (IMEIs whose grace period ended).
        daily = write_run(
            data,
            first,
            signer,
            as_of=AS_OF + timedelta(days=1),
            run_id="20261128T000000Z",
            base="20261127T000000Z",
        )
        t2 = time.perf_counter()
        cpu.append(time.process_time())
        # Worst case: an unrelated state, every row of both runs is in the delta.
        worst = write_run(
            data,
            other,
            signer,
            as_of=AS_OF,
            run_id="20261129T000000Z",
            base="20261127T000000Z",
            generated_at=datetime.now(UTC),
        )
        t3 = time.perf_counter()
        cpu.append(time.process_time())
        con = duckdb.connect()
        con.register("s", first.state)
        t4 = time.perf_counter()
        con.sql(
            f"COPY (SELECT lpad(CAST(imei_key AS VARCHAR), 14, '0') AS imei, block_date, "
            f"array_to_string(reasons, '|') AS reasons FROM s WHERE block_date <= DATE '{AS_OF}') "
            f"TO '{data / 'floor.csv'}' (FORMAT csv, HEADER)"
        )
        t5 = time.perf_counter()
    rows = first.state.num_rows
    full, day, bad, floor = t1 - t0, t2 - t1, t3 - t2, t5 - t4
    print(f"state rows: {rows:,}; blacklist rows: {daily.rows['blacklist.csv']:,}")
    used = [b - a for a, b in pairwise(cpu)]
    print(
        f"full run (no base):         {full:.1f} s, CPU {used[0]:.1f} s "
        f"({rows / full:,.0f} IMEIs/s)"
    )
    print(
        f"next-day run + delta:       {day:.1f} s, CPU {used[1]:.1f} s ({rows / day:,.0f} IMEIs/s; "
        f"blacklist delta {daily.rows['blacklist_delta.csv']:,} rows)"
    )
    print(
        f"unrelated-state run + delta: {bad:.1f} s, CPU {used[2]:.1f} s "
        f"(blacklist delta {worst.rows['blacklist_delta.csv']:,} rows)"
    )
    print(f"floor (bare DuckDB CSV write of the blacklist): {floor:.1f} s")
    print(f"ratio full / floor: {full / floor:.1f}x; next-day / floor: {day / floor:.1f}x")


if __name__ == "__main__":
    main()
