"""The stored figures agree with the lake and the store counted independently."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest
from sqlalchemy import func, insert, select

from openceir.errors import NotFound
from openceir.lake.reader import observations
from openceir.reports import aggregates, figures
from openceir.reports.aggregates import COUNTRY, WINDOW, months_of
from openceir.store.classification import ClassificationRun, ClassificationState
from openceir.store.reports import ReportFigure
from tests.reports.conftest import TODAY


def _lake(world, sql: str) -> list[tuple]:
    paths = [str(p) for p in observations(world.settings.data_dir)]
    con = duckdb.connect()
    con.execute(f"CREATE VIEW o AS SELECT * FROM read_parquet({paths!r}, union_by_name=true)")
    con.execute(
        "CREATE VIEW ids AS SELECT *, coalesce(lpad(CAST(imei_key AS VARCHAR), 14, '0'), "
        "'raw:' || imei_raw) AS imei FROM o"
    )
    return con.execute(sql).fetchall()


def _state(world, condition: str | None = None) -> set[str]:
    t = ClassificationState.__table__
    query = select(t.c.imei_key, t.c.imei_raw).where(t.c.end_date.is_(None))
    if condition:
        query = query.where(t.c.condition == condition)
    with world.engine.connect() as conn:
        return {f"{k:014d}" if k is not None else f"raw:{r}" for k, r in conn.execute(query).all()}


def test_months_of_keeps_the_lookback_and_nothing_after_the_run() -> None:
    lake = ["2026-05", "2026-07", "2026-08", "2026-11", "2026-12"]
    assert months_of(date(2026, 11, 3), lake) == ["2026-07", "2026-08", "2026-11"]
    assert months_of(date(2026, 11, 3), []) == []


def test_seen_counts_equal_a_direct_count_of_the_lake(world) -> None:
    for scope, where in ((COUNTRY, "true"), ("alpha", "operator = 'alpha'")):
        f = figures.load(world.engine, world.run_id, "2026-10", scope)
        imeis, imsis, triplets = _lake(
            world,
            f"SELECT count(DISTINCT imei), count(DISTINCT imsi), count(*) FROM ids "
            f"WHERE month = '2026-10' AND {where}",
        )[0]
        assert imeis > 100
        assert f.value("seen", "imeis") == imeis
        assert f.value("seen", "imsis") == imsis
        assert f.value("seen", "triplets") == triplets


def test_compliance_and_histogram_each_add_up_to_the_imeis_seen(world) -> None:
    for scope in (COUNTRY, "alpha", "beta"):
        for month in ("2026-10", WINDOW):
            f = figures.load(world.engine, world.run_id, month, scope)
            seen = f.value("seen", "imeis")
            assert seen > 0
            assert sum(v for _, v, _ in f.get("compliance")) == seen
            assert sum(v for _, v, _ in f.get("imsis_per_imei")) == seen
    country = figures.load(world.engine, world.run_id, WINDOW)
    alpha = figures.load(world.engine, world.run_id, WINDOW, "alpha")
    beta = figures.load(world.engine, world.run_id, WINDOW, "beta")
    both = alpha.value("seen", "imeis") + beta.value("seen", "imeis")
    assert country.value("seen", "imeis") <= both


def test_condition_counts_are_the_state_met_by_imeis_seen(world) -> None:
    seen = {r[0] for r in _lake(world, "SELECT DISTINCT imei FROM ids")}
    f = figures.load(world.engine, world.run_id, WINDOW)
    checked = 0
    for label, value, _ in f.get("condition"):
        assert value == len(_state(world, label) & seen), label
        checked += 1
    assert checked >= 3
    blocked = f.value("compliance", "blocked") + f.value("compliance", "in_grace")
    assert blocked > 0


def test_clone_groups_are_duplicated_imeis_largest_first(world) -> None:
    f = figures.load(world.engine, world.run_id, WINDOW)
    groups = f.get("clone_groups")
    assert groups, "the simulated clones gave no clone group"
    assert {k for k, _, _ in groups} <= _state(world, "duplicate")
    sizes = [v for _, v, _ in groups]
    assert sizes == sorted(sizes, reverse=True)
    assert all(d["status"] in ("in_grace", "blocked") for _, _, d in groups)


def test_stolen_violations_equal_stolen_imeis_seen_after_their_report(world) -> None:
    from openceir.store.registers import StolenRow

    with world.engine.connect() as conn:
        stolen = {
            f"{k:014d}": d
            for k, d in conn.execute(
                select(StolenRow.imei_key, StolenRow.reporting_date).where(
                    StolenRow.end_date.is_(None), StolenRow.imei_key.is_not(None)
                )
            ).all()
        }
    last = dict(_lake(world, "SELECT imei, max(last_seen) FROM ids GROUP BY imei"))
    expected = sum(1 for imei, d in stolen.items() if imei in last and d and last[imei] >= d)
    f = figures.load(world.engine, world.run_id, WINDOW)
    assert f.value("violations", "stolen_seen") == expected
    assert expected > 0


def test_imports_per_operator_count_the_dump_files(world) -> None:
    from openceir.store.models import ImportJob

    with world.engine.connect() as conn:
        files = conn.execute(
            select(func.count()).where(
                ImportJob.kind == "operator", ImportJob.operator_id == "beta"
            )
        ).scalar_one()
    f = figures.load(world.engine, world.run_id, WINDOW, "beta")
    assert f.value("imports", "files") == files > 0
    refused = f.value("imports", "refused")
    assert refused == sum(v for k, v, _ in f.get("check_failed")) or refused == 0


def test_operator_figures_hold_only_that_operators_imeis(world) -> None:
    from openceir.reports import drill

    on_beta = {r[0] for r in _lake(world, "SELECT DISTINCT imei FROM ids WHERE operator = 'beta'")}
    page = drill.imeis(world.settings, world.run_id, WINDOW, "beta", "seen", "", limit=100_000)
    assert {r["imei"] for r in page["rows"]} == on_beta
    groups = figures.load(world.engine, world.run_id, WINDOW, "beta").get("clone_groups")
    assert {k for k, _, _ in groups} <= on_beta


def test_computing_again_replaces_the_figures(world) -> None:
    t = ReportFigure.__table__
    count = select(func.count()).where(t.c.run_id == world.run_id)
    with world.engine.connect() as conn:
        before = conn.execute(count).scalar_one()
    again = aggregates.compute(world.settings, world.engine, world.run_id)
    with world.engine.connect() as conn:
        after = conn.execute(count).scalar_one()
    assert before == after == again["figures"] > 100


def test_a_dry_or_missing_run_has_no_figures(world) -> None:
    with pytest.raises(NotFound, match="run 999 does not exist"):
        aggregates.compute(world.settings, world.engine, 999)
    with world.engine.begin() as conn:
        dry = conn.execute(
            insert(ClassificationRun).values(
                as_of=TODAY,
                status="completed",
                dry_run=True,
                engine="duckdb",
                rules_sha256="0" * 64,
                rules={},
                operators=[],
                conditions=[],
                counts={},
            )
        ).inserted_primary_key[0]
    try:
        with pytest.raises(NotFound, match="was a dry run"):
            aggregates.compute(world.settings, world.engine, dry)
    finally:
        with world.engine.begin() as conn:
            conn.execute(ClassificationRun.__table__.delete().where(ClassificationRun.id == dry))
