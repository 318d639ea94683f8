"""On a simulated network the injected phenomena are found: recall and precision per phenomenon.

The simulator (`openceir.simulate`) writes ground truth under `<out>/truth/`; the files are
imported through the real importers, classified by the real engine, and compared. The
figures are printed (run with `-s` to see them) and held to floors.
"""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest

from openceir.classify import rules, run, state
from openceir.settings import Operator, Region, Settings
from openceir.store.migrate import upgrade
from openceir.store.session import connect
from tests.classify.conftest import import_simulated

simulate = pytest.importorskip("openceir.simulate")

TODAY = date(2026, 11, 28)
RULES = """
conditions:
  - {label: malformed, reason: r, max_allowed_matching_ratio: 0.2, dimensions: [malformed_imei]}
  - {label: test_tac, reason: r, max_allowed_matching_ratio: 0.2, dimensions: [test_tac]}
  - label: unallocated
    reason: r
    max_allowed_matching_ratio: 0.2
    dimensions: [{tac_not_allocated: {reporting_delay_days: 0}}]
  - {label: stolen, reason: r, max_allowed_matching_ratio: 0.2, dimensions: [stolen]}
  - {label: rat, reason: r, max_allowed_matching_ratio: 0.2, dimensions: [inconsistent_rat]}
  - label: transient
    reason: r
    max_allowed_matching_ratio: 0.2
    dimensions: [{transient_imei: {min_msisdns: 4}}]
  - label: clone
    reason: r
    max_allowed_matching_ratio: 0.2
    clone_differentiation: true
    dimensions:
      all:
        - any:
            - imeisv_conflict
            - impossible_travel: {max_speed_kmh: 300, min_distance_km: 50}
            - duplicate_daily_avg: {threshold: 1.5, min_seen_days: 3}
        - not: {transient_imei: {min_msisdns: 4}}
"""


def _truth(out: Path, name: str, column: str = "imei", **where: str) -> set[str]:
    path = out / "truth" / f"{name}.csv"
    if not path.exists():
        return set()
    with path.open(newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if all(r[k] == v for k, v in where.items())]
    return {_id(r[column]) for r in rows}


def _explained(out: Path) -> set[str]:
    """IMEIs that injected data errors (null/test IMEIs, lost leading zeros) make look odd."""
    return _truth(out, "null_test_imeis") | _truth(out, "leading_zero_loss", "reported")


def _id(imei: str) -> str:
    """The engine's IMEI id for what the device carries (see engine.imei_ids)."""
    if len(imei) in (14, 15, 16) and imei[:14].isdigit():
        return imei[:14]
    return f"raw:{imei}"


@pytest.fixture(scope="module")
def classified(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sim")
    settings = Settings(
        data_dir=tmp / "data",
        database_url=f"sqlite:///{tmp / 'store.sqlite'}",
        region=Region(name="Testland", country_mcc=["639"], country_code="254"),
        operators=[
            Operator(id="alpha", name="Alpha", mcc_mnc=["63901"]),
            Operator(id="beta", name="Beta", mcc_mnc=["63902", "63903"]),
        ],
    )
    engine = connect(settings.sqlalchemy_url)
    upgrade(engine)
    rates = simulate.Rates(
        clone=0.01,
        counterfeit=0.01,
        rat_mismatch=0.01,
        stolen=0.01,
        null_test=0.005,
        malformed=0.005,
        transient=0.002,
    )
    out = tmp / "out"
    summary = simulate.simulate(
        settings, out, subscribers=3000, days=14, start=date(2026, 11, 1), seed=11, rates=rates
    )
    import_simulated(
        settings,
        summary,
        engine,
        TODAY,
        registers=("tac_catalog", "stolen", "registration", "pairing"),
    )
    result = run.classify(settings, engine, rules.parse(RULES), as_of=TODAY)
    with engine.connect() as conn:
        current = state.current(conn).to_pylist()
    found: dict[str, set[str]] = {}
    for row in current:
        key = f"{row['imei_key']:014d}" if row["imei_key"] is not None else f"raw:{row['imei_raw']}"
        found.setdefault(row["condition"], set()).add(key)
    return out, result, found, current


CASES = [
    ("malformed", "malformed_imeis", {}, 0.9, 0.9),
    ("test_tac", "null_test_imeis", {"kind": "test_tac"}, 0.9, 0.9),
    ("unallocated", "counterfeit_unallocated_tac", {}, 0.9, 0.9),
    ("rat", "rat_mismatch", {}, 0.9, 0.9),
    ("transient", "transient_imeis", {}, 0.9, 0.9),
    ("clone", "clones", {}, 0.8, 0.8),
]


@pytest.mark.parametrize(("condition", "truth", "where", "recall_floor", "precision_floor"), CASES)
def test_injected_phenomena_are_found(
    classified, condition, truth, where, recall_floor, precision_floor
) -> None:
    out, _result, found, _ = classified
    expected = _truth(out, truth, **where)
    got = found.get(condition, set())
    assert expected, f"the simulation injected no {truth}"
    hit = expected & got
    recall = len(hit) / len(expected)
    judged = got - (_explained(out) - expected)
    precision = len(hit) / len(judged) if judged else 0.0
    print(
        f"\n{condition:12s} truth={len(expected):4d} found={len(got):4d} "
        f"recall={recall:.2f} precision={precision:.2f} "
        f"(explained by injected data errors: {len(got - judged)})"
    )
    assert recall >= recall_floor, sorted(expected - got)[:5]
    assert precision >= precision_floor, sorted(got - expected)[:5]


def test_stolen_phones_are_all_classified(classified) -> None:
    out, _, found, _ = classified
    expected = _truth(out, "stolen_reused")
    assert expected and expected <= found.get("stolen", set())


def test_clone_differentiation_keeps_the_genuine_sim(classified) -> None:
    """Genuine devices sharing an IMEI with clones keep service: no genuine pair is ever
    marked a clone; the undecided (every pair treated as duplicated) are counted apart."""
    out, _, _, current = classified
    with (out / "truth" / "clones.csv").open(newline="") as fh:
        truth = {
            _id(r["imei"]): (r["genuine_imsi"], set(r["clone_imsis"].split("|")))
            for r in csv.DictReader(fh)
        }
    decided = kept = wrongly_marked = undecided = clones_marked = clones_kept = 0
    bases: dict[str, int] = {}
    for row in current:
        key = f"{row['imei_key']:014d}" if row["imei_key"] is not None else None
        if row["condition"] != "clone" or key not in truth:
            continue
        genuine, clones = truth[key]
        if not row["genuine_imsis"]:
            undecided += 1
            continue
        decided += 1
        for basis in json.loads(row["evidence"])["clones"]["bases"]:
            bases[basis] = bases.get(basis, 0) + 1
        kept += genuine in row["genuine_imsis"]
        wrongly_marked += genuine in (row["clone_imsis"] or [])
        clones_marked += len(clones & set(row["clone_imsis"] or []))
        clones_kept += len(clones & set(row["genuine_imsis"]))
    print(
        f"\nclone differentiation: cloned IMEIs={len(truth)} decided={decided} "
        f"genuine kept={kept} genuine pairs wrongly marked as clones={wrongly_marked} "
        f"undecided (all pairs treated as duplicated)={undecided} "
        f"clone pairs marked={clones_marked} clone pairs kept in service={clones_kept} "
        f"evidence used={dict(sorted(bases.items()))}"
    )
    assert wrongly_marked == 0
    assert decided > 0 and kept == decided and clones_kept == 0
    assert decided >= 0.8 * (decided + undecided)
