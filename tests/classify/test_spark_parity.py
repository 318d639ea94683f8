"""The same dimensions on Apache Spark give the same rows as on DuckDB (architecture §4, issue #4).

Each case runs one dimension over the hand-built rows of `conftest` on both engines and
demands identical rows (matched IMEIs and every evidence column), and that DuckDB matched
what the case says, so two empty answers never pass for parity. Several cases sit on an
edge where the engines used to differ: rounding (2.675), numbers in text ('1.5'), empty
lists, ties in an ordering, a TAC in the catalog twice. Then a classification run on a
small simulated lake, through `openceir classify --engine spark`, must leave the same
state as the DuckDB run.

Spark needs pyspark (`pip install -e '.[spark]'`) and Java 17: the module skips, saying
which is missing, only when one is absent. One local Spark session serves the module.
"""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import ibis
import pytest

from openceir.classify.dimensions import DIMENSIONS
from openceir.classify.engine import Evaluator
from openceir.classify.rules import Leaf, parse
from tests.classify.conftest import IMEI, import_simulated, make_sources, obs
from tests.helpers import config_toml

pytest.importorskip("pyspark", reason="pyspark is not installed: pip install -e '.[spark]'")
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    pytest.skip("no Java for Spark (java not on PATH, JAVA_HOME unset)", allow_module_level=True)

OTHER = 35686800000002
THIRD = 35999900000001


TEST_CONF = {
    # tiny tables: the quick JIT tier and one GC thread start sooner than they lose later
    "spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC",
    "spark.sql.shuffle.partitions": "2",
    "spark.driver.memory": "1g",
}


@pytest.fixture(scope="module")
def spark():
    """One local Spark (2 cores, UI off) for the module, as an Ibis backend."""
    from openceir.classify.engine import spark_backend, spark_session

    session = spark_session("local[2]", conf=TEST_CONF)
    backend = spark_backend(session)
    yield backend
    backend.disconnect()
    session.stop()


def _rows(backend: Any, name: str, rows: list[dict], params: dict, regs: dict) -> list[dict]:
    src = make_sources(rows, **regs)
    full = DIMENSIONS[name].params(**params).model_dump()
    table = Evaluator(backend, src).leaf(Leaf(name, full))
    return sorted(table.to_pylist(), key=lambda r: str(r["imei_id"]))


def _sight(imsi: str | None, day: int, time: str | None, lat: float, lon: float, key=IMEI):
    return {
        "operator": "alpha",
        "month": "2026-11",
        "imei_key": key,
        "imei_raw": None,
        "imsi": imsi,
        "date": date(2026, 11, day),
        "time": time,
        "cell": None,
        "lat": lat,
        "lon": lon,
    }


def _sims(n: int, key: int = IMEI, **kw: Any) -> list[dict]:
    return [obs(key, f"6390100000001{i:02d}", **kw) for i in range(n)]


CATALOG = [
    {"tac": 35686800, "manufacturer": "Acme", "model": "A1", "device_type": "Smartphone",
     "rat_mask": 1 | 2, "allocation_date": None},
    {"tac": 35686801, "manufacturer": "Acme", "model": "A1", "device_type": "Smartphone",
     "rat_mask": 4, "allocation_date": None},
    {"tac": 35999900, "manufacturer": "Acme", "model": "M", "device_type": "Modem",
     "rat_mask": 4, "allocation_date": None},
    # the same TAC twice, under two names: which row is evidence must not depend on the engine
    {"tac": 35999900, "manufacturer": "Acme", "model": "M-bis", "device_type": "Modem",
     "rat_mask": 2, "allocation_date": None},
]  # fmt: skip

FAST = [_sight("a", 2, "10:00:00", -1.29, 36.82), _sight("b", 2, "10:15:00", -4.04, 39.67)]
TIES = [  # two sightings at the same second by the same SIM: the order must not matter
    _sight("a", 2, "10:00:00", -1.29, 36.82),
    _sight("b", 2, "10:15", -4.04, 39.67),
    _sight("b", 2, "101500", 0.51, 35.27),
    _sight(None, 3, None, 5.0, 5.0),
]
SEQUENCE = [obs(IMEI, f"63901000000010{i}", msisdn=str(254700000100 + 7 * i)) for i in range(4)]
TEXT_NUMBERS = [  # '1.5' and '1e3' are numbers to DuckDB's TRY_CAST, not to Spark's
    obs(OTHER, f"63901000000020{i}", msisdn=m)
    for i, m in enumerate(["1", "1.5", "2", "1e3", "3", "+4", "5"])
]
DAILY = [  # 107 IMSI-days over 40 days is 2.675 a day: DuckDB's round says 2.67, Spark's 2.68
    *[obs(IMEI, f"6390100000003{i:02d}", days=tuple(range(1, 21))) for i in range(2)],
    *[obs(IMEI, f"6390100000003{i:02d}", days=tuple(range(1, 21)), month="2026-10") for i in
      range(2, 4)],
    *[obs(IMEI, f"6390100000004{i:02d}", days=(1,)) for i in range(27)],
]  # fmt: skip

SEVERAL = [  # operators collected in the order met differ: the list is sorted
    obs(IMEI, operator="beta", days=(3, 4)),
    obs(IMEI, operator="alpha", days=(4, 9)),
    obs(IMEI, operator="gamma", days=(9,)),
    obs(OTHER, operator="alpha", days=(3,)),
    obs(OTHER, operator="beta", days=(4,)),
]
NO_IMSIS = [{**obs(IMEI, msisdn=f"25470000000{i}"), "imsi": None} for i in range(3)]

# (id, dimension, rows, params, registers, the IMEI ids DuckDB must match)
CASES: list[tuple[str, str, list[dict], dict, dict, list[str]]] = [
    ("malformed", "malformed_imei",
     [obs(None, raw="ABCDEF0123456789"), obs(None, "639010000000002", raw="ABCDEF0123456789"),
      obs(IMEI)], {}, {}, ["raw:ABCDEF0123456789"]),
    ("test-tac", "test_tac", [obs(101000000001), obs(IMEI), obs(44000000000001)], {}, {},
     ["00101000000001"]),
    ("tac-not-allocated-after-delay", "tac_not_allocated",
     [obs(12345678000001, days=(1,)), obs(12340000000001, days=(15,)), obs(IMEI)],
     {"reporting_delay_days": 19, "prefix_delays": {"1234": 5}}, {"tac_catalog": CATALOG},
     ["12340000000001", "12345678000001"]),
    ("tac-not-allocated-one-day-early", "tac_not_allocated", [obs(12345678000001, days=(1,))],
     {"reporting_delay_days": 20}, {"tac_catalog": CATALOG}, []),
    ("stolen", "stolen", [obs(IMEI)],
     {}, {"stolen": [{"imei_key": IMEI, "imei_raw": None, "reporting_date": date(2026, 11, 2)},
                     {"imei_key": OTHER, "imei_raw": None, "reporting_date": None}]},
     sorted([f"{IMEI:014d}", f"{OTHER:014d}"])),
    ("not-registered", "not_registered", [obs(IMEI), obs(THIRD), obs(OTHER)],
     {"exempt_device_types": ["MODEM"]},
     {"registration": [{"imei_key": IMEI, "imei_raw": None}], "tac_catalog": CATALOG},
     [f"{OTHER:014d}"]),
    ("barred-tac", "barred_tac", [obs(IMEI), obs(THIRD)], {}, {"barred_tac": [{"tac": 35999900}]},
     [f"{THIRD:014d}"]),
    ("duplicate-at-threshold", "duplicate_threshold",
     [*_sims(3), *_sims(2, OTHER)], {"threshold": 3}, {}, [f"{IMEI:014d}"]),
    ("duplicate-window-edge", "duplicate_threshold",  # 2026-10-22 is the first day of 30
     [*_sims(3, days=(22,), month="2026-10"), *_sims(3, OTHER, days=(21,), month="2026-10")],
     {"threshold": 3, "period_days": 30}, {}, [f"{IMEI:014d}"]),
    ("duplicate-by-msisdn-without-imsis", "duplicate_threshold", NO_IMSIS,
     {"threshold": 3, "by": "msisdn"}, {}, [f"{IMEI:014d}"]),
    ("daily-average-rounding-edge", "duplicate_daily_avg", DAILY,
     {"threshold": 2.68, "min_seen_days": 5, "period_days": 60}, {}, [f"{IMEI:014d}"]),
    ("daily-average-above-rounded", "duplicate_daily_avg", DAILY,
     {"threshold": 2.69, "min_seen_days": 5, "period_days": 60}, {}, []),
    ("transient", "transient_imei", [*SEQUENCE, *TEXT_NUMBERS], {"min_msisdns": 4}, {},
     sorted([f"{IMEI:014d}", f"{OTHER:014d}"])),
    ("inconsistent-rat", "inconsistent_rat",
     [obs(IMEI, rat=8), obs(OTHER, rat=4), obs(THIRD, rat=8)], {}, {"tac_catalog": CATALOG},
     [f"{IMEI:014d}", f"{THIRD:014d}"]),
    ("several-operators-same-day", "several_operators_same_day", SEVERAL, {}, {},
     [f"{IMEI:014d}"]),
    ("impossible-travel", "impossible_travel",
     [obs(IMEI, "639010000000001"), obs(IMEI, "639010000000002")], {},
     {"sightings": FAST}, [f"{IMEI:014d}"]),
    ("impossible-travel-ties", "impossible_travel", [obs(IMEI)], {"multi_sim_only": False},
     {"sightings": TIES}, [f"{IMEI:014d}"]),
    ("imeisv-conflict", "imeisv_conflict",
     [obs(IMEI, "639010000000001", days=(2,), imeisv=["3568680000414101", "3568680000414103"]),
      obs(IMEI, "639010000000002", days=(2,), imeisv=["3568680000414107"]),
      obs(OTHER, "639010000000001", days=(2,), imeisv=["3568680000000201"]),
      obs(OTHER, "639010000000002", days=(9,), imeisv=["3568680000000207"])], {}, {},
     [f"{IMEI:014d}"]),
    ("roamer-international", "roamer",
     [obs(IMEI, "639010000000001"), obs(OTHER, "234150000000001", operator="beta")],
     {"scope": "international_roamer"}, {}, [f"{OTHER:014d}"]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "rows", "params", "regs", "expected"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_dimension_gives_the_same_rows_on_spark(spark, name, rows, params, regs, expected) -> None:
    on_duckdb = _rows(ibis.duckdb.connect(), name, rows, params, regs)
    assert [r["imei_id"] for r in on_duckdb] == expected
    assert _rows(spark, name, rows, params, regs) == on_duckdb


def test_evidence_that_used_to_differ_is_pinned(spark) -> None:
    """The values the engines disagreed on, as DuckDB gives them (and now Spark too)."""
    avg = _rows(spark, "duplicate_daily_avg", DAILY, {"threshold": 2.0, "period_days": 60}, {})
    assert [(r["imsi_days"], r["days_seen"], r["daily_avg"]) for r in avg] == [(107, 40, 2.68)]
    seq = _rows(spark, "transient_imei", TEXT_NUMBERS, {"min_msisdns": 4}, {})
    assert [(r["msisdns"], r["msisdn_step"], r["first_msisdn"]) for r in seq] == [(5, 1, "1")]
    rat = _rows(spark, "inconsistent_rat", [obs(THIRD, rat=8)], {}, {"tac_catalog": CATALOG})
    assert [(r["model"], r["unexpected_rats"]) for r in rat] == [("M", 8)]
    ops = _rows(spark, "several_operators_same_day", SEVERAL, {}, {})
    assert [(r["shared_days"], r["operators"]) for r in ops] == [(2, ["alpha", "beta", "gamma"])]
    none = _rows(spark, "duplicate_threshold", NO_IMSIS, {"threshold": 3, "by": "msisdn"}, {})
    assert [r["imsis"] for r in none] == [None]


CONDITIONS = """
conditions:
  - label: clone
    reason: r
    max_allowed_matching_ratio: 1
    dimensions:
      all:
        - any:
            - duplicate_threshold: {threshold: 3}
            - imeisv_conflict
        - not: {transient_imei: {min_msisdns: 4}}
  - {label: stolen, reason: r, max_allowed_matching_ratio: 1, dimensions: [stolen]}
"""


def test_conditions_match_the_same_imeis_with_the_same_evidence(spark) -> None:
    rows = [*SEQUENCE, *_sims(3, OTHER), obs(THIRD)]
    stolen = [{"imei_key": THIRD, "imei_raw": None, "reporting_date": date(2026, 11, 2)}]
    matches = {}
    for engine in (ibis.duckdb.connect(), spark):
        ev = Evaluator(engine, make_sources(rows, stolen=stolen))
        matches[engine.name] = [
            (m.condition.label, m.ids.to_pylist(), m.evidence, m.seen, m.refused)
            for m in map(ev.evaluate, parse(CONDITIONS).conditions)
        ]
    assert matches["duckdb"][0][1] == [f"{OTHER:014d}"]  # IMEI's SIMs walk a number sequence
    assert matches["duckdb"][1][1] == [f"{THIRD:014d}"]
    assert matches["pyspark"] == matches["duckdb"]


# ---- a classification run on a simulated lake, DuckDB against `classify --engine spark` ----

TODAY = date(2026, 11, 10)
RULES = """
conditions:
  - {label: malformed, reason: r, max_allowed_matching_ratio: 0.5, dimensions: [malformed_imei]}
  - {label: test_tac, reason: r, max_allowed_matching_ratio: 0.5, dimensions: [test_tac]}
  - label: unallocated
    reason: r
    max_allowed_matching_ratio: 0.5
    dimensions: [{tac_not_allocated: {reporting_delay_days: 0}}]
  - {label: stolen, reason: r, max_allowed_matching_ratio: 0.5, dimensions: [stolen]}
  - {label: unregistered, reason: r, max_allowed_matching_ratio: 1, dimensions: [not_registered]}
  - {label: rat, reason: r, max_allowed_matching_ratio: 0.5, dimensions: [inconsistent_rat]}
  - label: transient
    reason: r
    max_allowed_matching_ratio: 0.5
    dimensions: [{transient_imei: {min_msisdns: 4}}]
  - label: operators
    reason: r
    max_allowed_matching_ratio: 0.5
    dimensions: [several_operators_same_day]
  - label: clone
    reason: r
    max_allowed_matching_ratio: 0.5
    clone_differentiation: true
    dimensions:
      all:
        - any:
            - imeisv_conflict
            - impossible_travel: {max_speed_kmh: 300, min_distance_km: 50}
            - duplicate_daily_avg: {threshold: 1.5, min_seen_days: 3}
            - duplicate_threshold: {threshold: 3}
        - not: {transient_imei: {min_msisdns: 4}}
"""
CONFIG = config_toml("alpha", "beta")


@pytest.fixture(scope="module")
def lakes(tmp_path_factory) -> tuple[Path, Path]:
    """Two identical copies (store + data dir) of a small simulated, imported network."""
    from openceir.store.migrate import upgrade
    from openceir.store.session import connect, dispose_all

    simulate = pytest.importorskip("openceir.simulate")
    first = tmp_path_factory.mktemp("duckdb")
    (first / "openceir.toml").write_text(CONFIG)
    settings = _settings(first)
    engine = connect(settings.sqlalchemy_url)
    upgrade(engine)
    rates = simulate.Rates(
        clone=0.02, counterfeit=0.01, rat_mismatch=0.01, stolen=0.01, null_test=0.005,
        malformed=0.005, transient=0.005,
    )  # fmt: skip
    out = first / "sim"
    summary = simulate.simulate(
        settings, out, subscribers=1000, days=7, start=date(2026, 11, 1), seed=5, rates=rates
    )
    import_simulated(settings, summary, engine, TODAY)
    engine.dispose()
    dispose_all()
    shutil.rmtree(out)
    second = tmp_path_factory.mktemp("spark")
    shutil.copytree(first, second, dirs_exist_ok=True)
    return first, second


def _settings(folder: Path) -> Any:
    """The settings CONFIG and the environment in `_env` give, for in-process calls."""
    from openceir.settings import Operator, Region, Settings

    return Settings(
        data_dir=folder / "data",
        database_url=f"sqlite:///{folder / 'store.sqlite'}",
        region=Region(name="Testland", country_mcc=["639"], country_code="254"),
        operators=[
            Operator(id="alpha", name="Alpha", mcc_mnc=["63901"]),
            Operator(id="beta", name="Beta", mcc_mnc=["63902", "63903"]),
        ],
    )


def _state(folder: Path) -> list[dict]:
    from openceir.classify import state
    from openceir.store.session import connect

    engine = connect(f"sqlite:///{folder / 'store.sqlite'}")
    with engine.connect() as conn:
        rows = state.current(conn).to_pylist()
    engine.dispose()
    return rows


def test_classify_on_spark_leaves_the_same_state_as_on_duckdb(
    spark, lakes, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import select
    from typer.testing import CliRunner

    from openceir.classify import rules, run
    from openceir.cli.main import app
    from openceir.store.classification import ClassificationRun
    from openceir.store.session import connect, dispose_all

    on_duckdb, on_spark = lakes
    settings = _settings(on_duckdb)
    store = connect(settings.sqlalchemy_url)
    result = run.classify(settings, store, rules.parse(RULES), as_of=TODAY)
    store.dispose()
    counts = {c.label: c.matched for c in result.conditions}
    assert all(counts[label] > 0 for label in ("malformed", "unallocated", "rat", "clone")), counts
    assert not [c.label for c in result.conditions if c.refused]

    (on_spark / "rules.yaml").write_text(RULES)
    monkeypatch.chdir(on_spark)
    for key in ("OPENCEIR_CONFIG", "OPENCEIR_DATABASE_URL", "OPENCEIR_DATA_DIR"):
        monkeypatch.delenv(key, raising=False)
    env = {
        "COLUMNS": "200",
        "OPENCEIR_CONFIG": str(on_spark / "openceir.toml"),
        "OPENCEIR_DATA_DIR": str(on_spark / "data"),
        "OPENCEIR_DATABASE_URL": f"sqlite:///{on_spark / 'store.sqlite'}",
    }
    try:
        args = ["classify", "--engine", "spark", "--date", TODAY.isoformat(), "--rules"]
        ran = CliRunner().invoke(app, [*args, "rules.yaml"], env=env)
    finally:
        dispose_all()
    assert ran.exit_code == 0, ran.output
    assert f"classification run 1 for {TODAY}" in ran.output
    engine = connect(env["OPENCEIR_DATABASE_URL"])
    with engine.connect() as conn:
        record = conn.execute(select(ClassificationRun.__table__)).one()
    engine.dispose()
    assert (record.engine, record.status) == ("spark", "completed")
    assert {label: c["matched"] for label, c in record.counts.items()} == counts
    duck_state, spark_state = _state(on_duckdb), _state(on_spark)
    assert len(duck_state) == sum(counts.values())
    assert spark_state == duck_state
