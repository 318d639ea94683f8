"""Every drillable figure leads to exactly as many IMEIs as it counts."""

from __future__ import annotations

import pytest

from openceir.errors import InputError, NotFound
from openceir.reports import drill, figures
from openceir.reports.aggregates import COUNTRY, WINDOW


@pytest.mark.parametrize("scope", [COUNTRY, "beta"])
def test_drill_down_totals_equal_the_figures(world, scope: str) -> None:
    f = figures.load(world.engine, world.run_id, WINDOW, scope)
    checked = 0
    for name, rows in f.rows.items():
        for key, value, _ in rows:
            if not drill.drillable(name, key) or name == "clone_groups":
                continue
            page = drill.imeis(world.settings, world.run_id, WINDOW, scope, name, key, limit=5)
            assert page["total"] == value, (name, key)
            assert len(page["rows"]) == min(5, int(value))
            checked += 1
    assert checked > 10


def test_drill_rows_name_the_imei_and_its_model(world) -> None:
    page = drill.imeis(world.settings, world.run_id, WINDOW, COUNTRY, "condition", "duplicate")
    assert page["total"] > 0
    row = page["rows"][0]
    assert set(row) >= {"imei", "tac", "model", "sims", "status", "conditions", "last_seen"}
    assert "duplicate" in row["conditions"]
    assert "imsi" not in row


def test_unknown_figures_and_keys_are_refused(world) -> None:
    with pytest.raises(InputError, match="field figure: figure 'imports' has no IMEIs"):
        drill.imeis(world.settings, world.run_id, WINDOW, COUNTRY, "imports", "files")
    with pytest.raises(InputError, match="field figure: figure 'seen' has no IMEIs"):
        drill.imeis(world.settings, world.run_id, WINDOW, COUNTRY, "seen", "imsis")
    with pytest.raises(InputError, match="field key: 'x' is not a number of SIMs"):
        drill.imeis(world.settings, world.run_id, WINDOW, COUNTRY, "imsis_per_imei", "x")
    with pytest.raises(NotFound, match="run 999 has no facts file"):
        drill.imeis(world.settings, 999, WINDOW, COUNTRY, "seen", "imeis")
