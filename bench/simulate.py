"""Benchmark `openceir simulate`: dump rows per second and peak memory against subscribers.

Run by hand, never as a test:

    python bench/simulate.py --subscribers 200000 --days 30

Prints the simulator's rate (wall clock and CPU) and, as a baseline measured in the same run,
the rate of a plain-Python writer that formats the same number of dump rows one at a time
(random IMEI with stdnum's Luhn, f-string line, buffered file write). Then it runs the
simulator in child processes at 1x and 10x a small subscriber count for 2 days and prints
each child's peak resident memory, which should not grow with the subscriber count.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from stdnum import luhn

from openceir.simulate import simulate

START = dt.date(2026, 11, 1)
CHILD = """
import datetime as dt, resource, sys
from pathlib import Path
from openceir.simulate import simulate
s = simulate([], Path(sys.argv[1]), subscribers=int(sys.argv[2]), days=2,
             start=dt.date(2026, 11, 1), seed=1)
print(s.rows["operator_dump"], resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def naive_rows(path: Path, rows: int) -> None:
    """The baseline: one row at a time in plain Python, as a first simulator would."""
    rnd = random.Random(1)
    with path.open("w", encoding="utf-8") as fh:
        fh.write("date,imei,imsi,msisdn,rat,cell,lat,lon,time\n")
        for _ in range(rows):
            body = f"35{rnd.randrange(10**12):012d}"
            imei = body + luhn.calc_check_digit(body)
            imsi = f"63901{rnd.randrange(10**10):010d}"
            msisdn = f"2547{rnd.randrange(10**8):08d}"
            lat, lon = rnd.uniform(-4, 4), rnd.uniform(34, 41)
            s = rnd.randrange(86_400)
            fh.write(
                f"20261101,{imei},{imsi},{msisdn},006,63901{rnd.randrange(10**7):07d},"
                f"{lat:.5f},{lon:.5f},{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}\n"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=200_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--memory-base", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        wall, cpu = time.perf_counter(), time.process_time()
        summary = simulate(
            [], out / "sim", subscribers=args.subscribers, days=args.days, start=START, seed=7
        )
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        rows = summary.rows["operator_dump"]
        size = sum(p.stat().st_size for p in (out / "sim").rglob("*") if p.is_file())
        baseline_rows = min(rows, 500_000)
        b_wall = time.perf_counter()
        naive_rows(out / "naive.csv", baseline_rows)
        b_wall = time.perf_counter() - b_wall
        rate, base = rows / wall, baseline_rows / b_wall
        print(
            f"simulate: {args.subscribers:,} subscribers x {args.days} days -> {rows:,} rows, "
            f"{size / 1e6:,.0f} MB in {wall:.2f} s wall ({cpu:.2f} s CPU)"
        )
        print(f"  rate {rate:,.0f} rows/s wall, {rows / cpu:,.0f} rows/CPU-s")
        print(f"  baseline (plain Python rows): {base:,.0f} rows/s; ratio {rate / base:.1f}x")
        for n in (args.memory_base, args.memory_base * 10):
            child = subprocess.run(
                [sys.executable, "-c", CHILD, str(out / f"mem{n}"), str(n)],
                capture_output=True,
                text=True,
                check=True,
            )
            dump_rows, rss_kb = child.stdout.split()
            print(
                f"  memory: {n:,} subscribers x 2 days ({int(dump_rows):,} rows): "
                f"peak RSS {int(rss_kb) / 1024:,.0f} MiB"
            )


if __name__ == "__main__":
    main()
