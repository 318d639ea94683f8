"""Which run reports a month, and what a month or a scope without data gives."""

from __future__ import annotations

import pytest

from openceir.errors import InputError, NotFound
from openceir.reports import figures


def test_parse_month_names_the_parameter() -> None:
    assert figures.parse_month("2026-10") == "2026-10"
    for bad in ("2026-13", "2026-1", "10-2026", ""):
        with pytest.raises(InputError, match=r"field --month: .* expected YYYY-MM"):
            figures.parse_month(bad)


def test_month_end_knows_december_and_february() -> None:
    assert str(figures.month_end("2026-12")) == "2026-12-31"
    assert str(figures.month_end("2028-02")) == "2028-02-29"


def test_the_run_after_the_month_reports_it(world) -> None:
    assert figures.run_for_month(world.settings, world.engine, "2026-10") == world.run_id
    assert figures.run_for_month(world.settings, world.engine, "2026-11") == world.run_id


def test_a_month_no_run_saw_is_not_found_with_the_fix(world) -> None:
    with pytest.raises(NotFound, match=r"no classification run covers 2025-01.*--date 2025-01-31"):
        figures.run_for_month(world.settings, world.engine, "2025-01")
    with pytest.raises(NotFound, match="covers 2026-12"):
        figures.run_for_month(world.settings, world.engine, "2026-12")


def test_trend_has_one_point_per_run(world) -> None:
    points = figures.trend(world.engine, "seen")
    assert [p[0] for p in points] == [world.run_id]
    assert points[0][2]["imeis"] > 0
    months = [m for m, _ in figures.monthly_trend(world.engine, world.run_id, "seen")]
    assert months == ["2026-10", "2026-11"]
    assert figures.scopes(world.engine, world.run_id) == ["alpha", "beta"]


def test_an_unknown_run_has_no_figures(world) -> None:
    with pytest.raises(NotFound, match="run 999 has no report figures"):
        figures.load(world.engine, 999)
