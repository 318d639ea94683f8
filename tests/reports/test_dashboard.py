"""The dashboard's data: stored figures only, drill-downs that match, an operator's own."""

from __future__ import annotations

import pytest

from openceir.errors import InputError
from openceir.reports import dashboard, drill
from openceir.reports.aggregates import WINDOW


def test_overview_numbers_drill_down_to_as_many_imeis(world) -> None:
    data = dashboard.overview(world.settings, world.engine)
    assert data["run_id"] == world.run_id
    headline = {h["label"]: h for h in data["headline"]}
    assert headline["devices seen"]["value"] > 100
    for item in [*data["headline"], *data["compliance"], *data["conditions"]]:
        assert item["drill"], item
        page = drill.imeis(
            world.settings, world.run_id, WINDOW, "", item["figure"], item["key"], limit=1
        )
        assert page["total"] == item["value"], item
    assert [o["id"] for o in data["operators"]] == ["alpha", "beta"]
    assert data["trend"][-1]["seen"] == headline["devices seen"]["value"]
    assert data["report_to_block"]["devices"] > 0


def test_operator_overview_has_no_other_operator(world) -> None:
    data = dashboard.overview(world.settings, world.engine, "beta")
    assert data["operators"] == [] and data["report_to_block"] is None
    country = dashboard.overview(world.settings, world.engine)
    beta = next(o for o in country["operators"] if o["id"] == "beta")
    assert data["headline"][0]["value"] == beta["seen"]
    assert data["imports"]["files"] == beta["files"]
    with pytest.raises(InputError, match="field operator: unknown operator 'zeta'"):
        dashboard.overview(world.settings, world.engine, "zeta")


def test_dashboard_charts_each_have_their_table(world) -> None:
    made = dashboard.charts(dashboard.overview(world.settings, world.engine))
    assert [c.name for c in made][:3] == ["trend", "compliance", "conditions"]
    for chart in made:
        assert chart.rows and chart.title in chart.svg and "<script" not in chart.svg
