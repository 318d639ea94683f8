"""Benchmark: `openceir import operator` on 10M rows against a bare DuckDB read_csv -> Parquet.

Run by hand (never as a test):

    .venv/bin/python bench/ingest.py                      # 10M rows, best of 3
    .venv/bin/python bench/ingest.py --rows 2500000 --repeat 5

The dump is generated once with DuckDB's `range()` and a hash (deterministic) and cached
under bench/.cache/. Each measurement runs in a fresh subprocess so peak memory (max RSS,
from wait4) is the import's own; the floor is DuckDB reading the same CSV into Parquet
with the same thread and memory settings, in the same run. Floor and import alternate
`--repeat` times and the best of each is reported: the machine is shared, so the best run
is the least disturbed one.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from openceir.lake.parquet import IMPORT_MEMORY_LIMIT

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"
CONFIG = """
[region]
country_mcc = ["639"]
[[operators]]
id = "alpha"
name = "Alpha Mobile"
mcc_mnc = ["63901"]
"""


def generate(rows: int) -> Path:
    """A dump of `rows` rows over October 2026: ~rows/5 devices, 0.1% malformed IMEIs."""
    folder = CACHE / str(rows)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "alpha_20261001_20261030.csv"
    if path.exists():
        return path
    devices = max(rows // 5, 1)
    con = duckdb.connect()
    con.execute("SET threads = 2")
    tmp = path.with_suffix(".tmp")
    con.execute(
        f"""
        COPY (
          SELECT '202610' || lpad(CAST(1 + i % 30 AS VARCHAR), 2, '0') AS date,
                 CASE WHEN hash(i) % 1000 = 0 THEN 'A' || CAST(hash(i) % 1000000 AS VARCHAR)
                      ELSE CAST(350000000000000 + (hash(i * 7) % {devices}) * 10 AS VARCHAR)
                 END AS imei,
                 '63901' || lpad(CAST(hash(i * 7) % {devices} AS VARCHAR), 10, '0') AS imsi,
                 '2547' || lpad(CAST(hash(i * 7) % {devices} AS VARCHAR), 8, '0') AS msisdn,
                 ['006', '006|010', '002', '001'][CAST(1 + hash(i) % 4 AS BIGINT)] AS rat
          FROM range({rows}) t(i)
        ) TO '{tmp}' (HEADER, DELIMITER ',')
        """
    )
    tmp.rename(path)
    return path


def _child(code: str, cwd: Path, env: dict[str, str] | None = None) -> tuple[float, float, float]:
    """Run Python code in a fresh process; (seconds, peak RSS MiB, CPU seconds) of it."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", code], cwd=cwd, env=env, stdout=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"child failed with exit code {proc.returncode}")
    return seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def floor(path: Path, work: Path, memory_limit: str) -> tuple[float, float, float]:
    """Bare DuckDB: read_csv (all VARCHAR) -> Parquet, 2 threads, the import's memory limit."""
    code = (
        'import duckdb; c = duckdb.connect(); c.execute("SET threads = 2"); '
        f"c.execute(\"SET memory_limit = '{memory_limit}'\"); "
        "c.execute('SET enable_progress_bar = false'); "
        f"c.execute(\"COPY (SELECT * FROM read_csv('{path}', all_varchar = true)) "
        f"TO '{work / 'floor.parquet'}' (FORMAT parquet)\")"
    )
    return _child(code, work)


def openceir_import(path: Path, work: Path, memory_limit: str | None) -> tuple[float, float, float]:
    """`openceir import operator alpha FILE` through the CLI entry point, store pre-migrated."""
    work.mkdir(parents=True, exist_ok=True)
    limit = f'[ingest]\nmemory_limit = "{memory_limit}"\n' if memory_limit else ""
    (work / "openceir.toml").write_text(CONFIG + limit)
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENCEIR_")}
    env["OPENCEIR_DATA_DIR"] = str(work / "data")
    subprocess.run(
        [sys.executable, "-m", "openceir", "db", "upgrade"],
        cwd=work,
        env=env,
        check=True,
        capture_output=True,
    )
    code = (
        "from openceir.cli.main import run; "
        f"run(['import', 'operator', 'alpha', '{path}', '--disable-volume-drop'])"
    )
    return _child(code, work, env)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000, help="rows in the dump")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; best is reported")
    parser.add_argument(
        "--memory-limit", help="the import's DuckDB memory limit ([ingest] memory_limit)"
    )
    args = parser.parse_args()
    t0 = time.perf_counter()
    path = generate(args.rows)
    print(
        f"input: {path.name}, {path.stat().st_size / 1e6:.0f} MB "
        f"(generated or cached in {time.perf_counter() - t0:.1f} s); load average "
        f"{os.getloadavg()[0]:.2f}"
    )
    floors, imports = [], []
    with tempfile.TemporaryDirectory(prefix="openceir-bench-") as tmp:
        for run in range(args.repeat):
            work = Path(tmp) / f"run{run}"
            work.mkdir()
            floors.append(floor(path, work, args.memory_limit or IMPORT_MEMORY_LIMIT))
            imports.append(openceir_import(path, work, args.memory_limit))
            (work / "floor.parquet").unlink()
            print(
                f"run {run + 1}: floor {floors[-1][0]:6.2f} s ({floors[-1][2]:.1f} CPU-s), "
                f"import {imports[-1][0]:6.2f} s ({imports[-1][2]:.1f} CPU-s, "
                f"peak {imports[-1][1]:.0f} MiB), load average {os.getloadavg()[0]:.2f}",
                flush=True,
            )
    (floor_s, floor_mb, _), (import_s, _, _) = min(floors), min(imports)
    floor_cpu, import_cpu = min(f[2] for f in floors), min(i[2] for i in imports)
    import_mb = max(i[1] for i in imports)
    rate, floor_rate = args.rows / import_s, args.rows / floor_s
    print(f"best of {args.repeat}:")
    print(
        f"floor  (DuckDB read_csv -> Parquet): {floor_s:6.2f} s  {floor_rate / 1e6:5.2f} M rows/s"
        f"  peak {floor_mb:6.0f} MiB"
    )
    print(
        f"openceir import operator:            {import_s:6.2f} s  {rate / 1e6:5.2f} M rows/s"
        f"  peak {import_mb:6.0f} MiB (highest of the runs)"
    )
    print(f"ratio import/floor: {import_s / floor_s:.2f}x (goal <= 2x; goal >= 1M rows/s)")
    print(
        f"CPU seconds, best: floor {floor_cpu:.1f}, import {import_cpu:.1f} "
        f"({import_cpu / floor_cpu:.2f}x)"
    )


if __name__ == "__main__":
    main()
