"""Benchmark: `openceir classify` on a simulated month, against a bare DuckDB GROUP BY.

Run by hand (never as a test):

    .venv/bin/python bench/classify.py                       # 250k, 500k and 1M subscribers
    .venv/bin/python bench/classify.py --subscribers 250000
    .venv/bin/python bench/classify.py --subscribers 250000 --engine spark   # needs [spark]

Each size is simulated once (30 days, two operators, seed 7) and imported through the real
importers into a data dir cached under bench/.cache/classify/<subscribers>/ (the CSVs are
deleted after import). A run is the default rule set on a fresh classification state,
state writes included; the floor, measured in the same run, is DuckDB grouping the same
Parquet observations by IMEI with a distinct-IMSI count. Prints seconds per run, the ratio
to the floor and the growth exponent between sizes (1.0 is linear).

With `--engine spark` the same run also goes through `classify --engine spark` on a local
Spark (`local[2]`, the defaults of `openceir.classify.engine.SPARK_CONF`), after the DuckDB
run, on a fresh state too: the ratio is Spark against DuckDB in the same process. The Spark
session is started once before the timings (its start-up is printed apart), as a long-lived
service or the CLI's first seconds would pay it; both runs must match the same IMEIs.
"""

from __future__ import annotations

import argparse
import itertools
import math
import shutil
import time
from datetime import date
from pathlib import Path

from sqlalchemy import delete

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache" / "classify"
START = date(2026, 10, 1)
DAYS = 30
AS_OF = date(2026, 10, 30)


def _settings(folder: Path):
    from openceir.settings import Operator, Region, Settings

    return Settings(
        data_dir=folder / "data",
        database_url=f"sqlite:///{folder / 'store.sqlite'}",
        region=Region(name="Benchland", country_mcc=["639"], country_code="254"),
        operators=[
            Operator(id="alpha", name="Alpha", mcc_mnc=["63901"]),
            Operator(id="beta", name="Beta", mcc_mnc=["63902", "63903"]),
        ],
    )


def prepare(subscribers: int) -> Path:
    """Simulate and import one month of `subscribers` once; returns the cached folder."""
    from openceir import simulate
    from openceir.errors import InputError
    from openceir.ingest import run_import
    from openceir.store.migrate import upgrade
    from openceir.store.session import connect

    folder = CACHE / str(subscribers)
    if (folder / "ready").exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    settings = _settings(folder)
    engine = connect(settings.sqlalchemy_url)
    upgrade(engine)
    t = time.perf_counter()
    summary = simulate.simulate(
        settings, folder / "sim", subscribers=subscribers, days=DAYS, start=START, seed=7
    )
    print(f"  simulated {subscribers:,} subscribers in {time.perf_counter() - t:.1f} s")
    names = {p.name: p for p in summary.files if p.parent.name != "truth"}
    today = AS_OF
    for kind, name in (
        ("tac", "tac_catalog"),
        ("stolen", "stolen"),
        ("registration", "registration"),
        ("pairing", "pairing"),
    ):
        run_import(settings, kind, names[f"{name}.csv"], engine=engine, today=today)
    t = time.perf_counter()
    skip = ["leading_zero_loss", "volume_drop"]
    for name in sorted(n for n in names if n.startswith(("alpha_", "beta_"))):
        op = name.split("_")[0]
        try:
            run_import(
                settings,
                "operator",
                names[name],
                operator_id=op,
                engine=engine,
                today=today,
                disable=skip,
            )
        except InputError as exc:
            print(f"  {name}: {exc}")
    print(f"  imported in {time.perf_counter() - t:.1f} s")
    shutil.rmtree(folder / "sim")
    (folder / "ready").write_text("ok\n")
    return folder


def floor(folder: Path) -> float:
    """Seconds for DuckDB to group the month's observations by IMEI (distinct IMSIs)."""
    from openceir import lake

    con = lake.open_duckdb(folder / "data")
    t = time.perf_counter()
    con.sql(
        "SELECT imei_key, imei_raw, count(DISTINCT imsi) AS n FROM observations "
        "GROUP BY imei_key, imei_raw"
    ).to_arrow_table()
    return time.perf_counter() - t


def classify_once(
    folder: Path, fresh: bool = True, engine_name: str = "duckdb"
) -> tuple[float, dict]:
    """Seconds for one full default-rules run (on an empty state when `fresh`)."""
    from openceir.classify import rules, run
    from openceir.store.classification import ClassificationRun, ClassificationState
    from openceir.store.session import connect

    settings = _settings(folder)
    engine = connect(settings.sqlalchemy_url)
    if fresh:
        with engine.begin() as conn:
            conn.execute(delete(ClassificationState.__table__))
            conn.execute(delete(ClassificationRun.__table__))
    t = time.perf_counter()
    result = run.classify(settings, engine, rules.load(), as_of=AS_OF, backend=engine_name)
    elapsed = time.perf_counter() - t
    return elapsed, {c.label: c.matched for c in result.conditions}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, nargs="*", default=[250_000, 500_000, 1_000_000])
    parser.add_argument(
        "--engine", choices=["duckdb", "spark"], default="duckdb", help="also time Spark"
    )
    args = parser.parse_args()
    import ibis

    import openceir.classify  # noqa: F401  (import cost outside the timings)

    ibis.duckdb.connect().disconnect()  # loads the Ibis DuckDB backend (~2.5 s, once)
    session = None
    if args.engine == "spark":
        from openceir.classify.engine import spark_backend, spark_session

        t = time.perf_counter()
        session = spark_session()
        spark_backend(session).disconnect()  # loads the Ibis PySpark backend
        print(f"Spark session (local[2]) started in {time.perf_counter() - t:.1f} s")

    rows = []
    spark_rows = []
    for n in args.subscribers:
        print(f"{n:,} subscribers")
        folder = prepare(n)
        base = floor(folder)
        secs, matched = classify_once(folder)
        again, _ = classify_once(folder, fresh=False)
        from openceir import lake

        obs = (
            lake.open_duckdb(folder / "data")
            .execute("SELECT count(*), count(DISTINCT imei_key) FROM observations")
            .fetchone()
        )
        rows.append((n, secs, base, obs))
        print(f"  second run on the same day (state already open): {again:.2f} s")
        print(
            f"  observations {obs[0]:,} rows, {obs[1]:,} IMEIs; classify {secs:.2f} s; "
            f"floor {base:.2f} s; ratio {secs / base:.1f}x"
        )
        print(f"  matched: {matched}")
        if session is not None:
            spark_secs, spark_matched = classify_once(folder, engine_name="spark")
            assert spark_matched == matched, (spark_matched, matched)
            spark_rows.append((n, secs, spark_secs))
            print(f"  spark {spark_secs:.2f} s, {spark_secs / secs:.1f}x DuckDB; same matches")
    print("\nsubscribers | observation rows | classify s | floor s | ratio")
    for n, secs, base, obs in rows:
        print(f"{n:,} | {obs[0]:,} | {secs:.2f} | {base:.2f} | {secs / base:.1f}x")
    for (n1, s1, *_), (n2, s2, *_) in itertools.pairwise(rows):
        print(f"growth exponent {n1:,} -> {n2:,}: {math.log(s2 / s1) / math.log(n2 / n1):.2f}")
    if spark_rows:
        print("\nsubscribers | classify on DuckDB s | on Spark s | Spark / DuckDB")
        for n, duck, spark in spark_rows:
            print(f"{n:,} | {duck:.2f} | {spark:.2f} | {spark / duck:.1f}x")
        session.stop()


if __name__ == "__main__":
    main()
