"""Benchmark: the whole pipeline (`openceir demo`'s steps) on a simulated country, step by step.

Run by hand: ``python bench/pipeline.py [--subscribers 100000] [--days 30] [--dir DIR]``.
Times each step of `run_demo` (simulate, import, classify, lists, snapshot, ledger) in a fresh
data dir and, as the floor, a bare DuckDB read_csv -> Parquet of the same dump files in the
same run. Prints the total and its ratio to the floor.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import tempfile
import time
from itertools import pairwise
from pathlib import Path

import duckdb

from openceir.demo import run_demo


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--dir", type=Path, default=None, help="Work dir (default: a temp dir).")
    args = parser.parse_args()
    work = args.dir or Path(tempfile.mkdtemp(prefix="openceir-pipeline-"))
    data = work / "data"
    shutil.rmtree(data, ignore_errors=True)

    marks: list[tuple[str, float]] = []
    start = time.perf_counter()
    report = run_demo(
        data,
        subscribers=args.subscribers,
        days=args.days,
        today=dt.date(2026, 11, 28),
        progress=lambda step: marks.append((step.split(" (")[0], time.perf_counter())),
    )
    total = time.perf_counter() - start
    marks.append(("end", start + total))
    steps: dict[str, float] = {}
    for (name, t0), (_, t1) in pairwise(marks):
        steps[name] = steps.get(name, 0.0) + t1 - t0

    dumps = sorted(str(p) for p in (data / "incoming" / "operators").rglob("*_*_*.csv"))
    con = duckdb.connect()
    floor_start = time.perf_counter()
    con.execute(
        f"COPY (SELECT * FROM read_csv(?, header=true, all_varchar=true, union_by_name=true)) "
        f"TO '{work / 'floor.parquet'}' (FORMAT parquet)",
        [dumps],
    )
    floor = time.perf_counter() - floor_start

    for name, seconds in steps.items():
        print(f"{name:<40} {seconds:8.1f} s")
    for step, outcome in report.steps:
        if step in ("simulate", "import", "classify"):
            print(f"  {step}: {outcome}")
    print(
        f"total {total:.1f} s; floor (DuckDB read_csv -> Parquet of {len(dumps)} dumps) "
        f"{floor:.1f} s; ratio {total / floor:.1f}x"
    )


if __name__ == "__main__":
    main()
