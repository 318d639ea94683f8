"""A small world end to end: every clone variant and look-alike scored, with floors.

The floors are what the issue asks on every variant where a small world can show it: no
genuine owner decided against, and clones, counterfeits and look-alikes within reach of the
goals (a 20-day world has few IMEIs per variant, and copies appearing on the last days
cannot be seen together with the genuine device yet).
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from openceir.evaluate import evaluate
from openceir.evaluate.world import RATES
from openceir.simulate import CLONE_VARIANTS


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    rates = replace(RATES, clone=0.03)  # a dozen cloned IMEIs per variant
    return evaluate(tmp_path_factory.mktemp("eval"), subscribers=4000, days=20, seed=7, rates=rates)


def _rows(result, measure: str) -> dict[str, object]:
    return {r.variant: r for r in result.rows if r.measure == measure}


def test_every_variant_is_scored(result) -> None:
    assert set(_rows(result, "genuine owners wrongly flagged")) == set(CLONE_VARIANTS)
    looks = set(_rows(result, "pairs flagged"))
    assert {"family_sharing", "resale", "sim_swap", "dual_sim", "brand_new_tac"} <= looks
    assert {"inbound_roamer", "national_roamer"} <= looks
    assert set(_rows(result, "IMEIs flagged (past the delay)")) == {"classic", "late_imei"}


def test_no_genuine_owner_is_decided_against(result) -> None:
    for variant, row in _rows(result, "genuine owners wrongly flagged").items():
        assert row.openceir == 0.0, variant
    # undecided groups are invited to claim, not decided against: most must still be decided
    assert result.decided >= 0.6 * (result.decided + result.undecided)
    for variant, row in _rows(result, "genuine owners invited to claim (undecided)").items():
        if variant != "complete_from_start":  # all SIMs on the first day: nothing to weigh
            assert row.openceir <= 0.5, (variant, row)
    dirbs = sum(r.baseline * r.n for r in _rows(result, "genuine owners wrongly flagged").values())
    assert dirbs > 0  # the baseline blocks owners; the comparison can show a difference


CAUGHT_FLOOR = dict.fromkeys(CLONE_VARIANTS, 0.75) | {"intermittent_owner": 0.3}
"""Share of cloned IMEIs and clone pairs caught. An owner seen on one day in four leaves few
days on which the copy is seen beside it: the known weak spot (see docs/classification.md)."""


def test_clones_are_caught_on_every_variant(result) -> None:
    for measure in ("cloned IMEIs flagged", "clone pairs flagged"):
        for variant, row in _rows(result, measure).items():
            assert row.openceir >= CAUGHT_FLOOR[variant], (measure, variant, row)
            assert row.openceir >= row.baseline, (measure, variant, row)


def test_counterfeits_past_their_delay_are_caught(result) -> None:
    rows = _rows(result, "IMEIs flagged (past the delay)")
    assert rows["classic"].openceir >= 0.95 and rows["late_imei"].openceir >= 0.95
    assert rows["late_imei"].baseline < rows["late_imei"].openceir  # DIRBS counts per IMEI


def test_look_alikes_keep_service(result) -> None:
    for variant, row in _rows(result, "pairs flagged").items():
        assert row.openceir <= 0.01, (variant, row)


def test_the_markdown_table_names_the_goals(result) -> None:
    text = result.markdown()
    assert text.splitlines()[0].startswith("| phenomenon | variant | measure | n | DIRBS rules")
    assert "| clone | close_start | genuine owners wrongly flagged |" in text
    assert ">= 99.0%" in text and "<= 1.0%" in text
