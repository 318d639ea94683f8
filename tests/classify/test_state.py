"""Classification state: open, keep, close; block dates fixed; sticky; amnesty; current()."""

from __future__ import annotations

from datetime import date, timedelta

import ibis
import pytest
from sqlalchemy import Engine

from openceir.classify import rules, state
from openceir.classify.engine import Evaluator
from openceir.classify.explain import explain
from openceir.errors import NotFound
from openceir.store.migrate import upgrade
from openceir.store.session import connect
from tests.classify.conftest import IMEI, make_sources, obs

RULES = rules.parse(
    """
conditions:
  - label: dup
    reason: Used by several SIM cards at once.
    grace_period_days: 10
    amnesty_eligible: true
    max_allowed_matching_ratio: 1.0
    dimensions: [{duplicate_threshold: {threshold: 2}}]
  - label: dup_sticky
    reason: Sticky duplicate.
    sticky: true
    max_allowed_matching_ratio: 1.0
    dimensions: [{duplicate_threshold: {threshold: 2}}]
"""
)
D1 = date(2026, 11, 10)


@pytest.fixture
def engine(settings) -> Engine:
    engine = connect(settings.sqlalchemy_url)
    upgrade(engine)
    return engine


def _match(label: str, rows, as_of: date):
    ev = Evaluator(ibis.duckdb.connect(), make_sources(rows, as_of=as_of))
    return ev.evaluate(RULES.condition(label))


def _apply(engine, label, rows, as_of, run_id, amnesty=RULES.amnesty):
    with engine.begin() as conn:
        return state.apply(
            conn, _match(label, rows, as_of), as_of=as_of, run_id=run_id, amnesty=amnesty
        )


DUP = [obs(IMEI, "639010000000001", days=(1, 2)), obs(IMEI, "639010000000002", days=(2,))]
SINGLE = [obs(IMEI, "639010000000001", days=(1, 2))]


def test_first_match_opens_with_block_date_and_evidence(engine) -> None:
    changes = _apply(engine, "dup", DUP, D1, 1)
    assert changes.opened == 1 and changes.closed == 0
    with engine.connect() as conn:
        cur = state.current(conn).to_pylist()
    assert len(cur) == 1
    row = cur[0]
    assert (row["imei_key"], row["condition"], row["start_date"], row["block_date"]) == (
        IMEI,
        "dup",
        D1,
        D1 + timedelta(days=10),
    )
    assert row["reasons"] == ["Used by several SIM cards at once."]
    assert '"distinct_imsis": 2' in row["evidence"]


def test_block_date_never_moves_and_unmatched_rows_close(engine) -> None:
    _apply(engine, "dup", DUP, D1, 1)
    again = _apply(engine, "dup", DUP, D1 + timedelta(days=3), 2)
    assert (again.opened, again.continued) == (0, 1)
    with engine.connect() as conn:
        assert state.current(conn).column("block_date").to_pylist() == [D1 + timedelta(days=10)]
    later = date(2027, 1, 20)  # the second SIM's use is outside the 30-day window now
    gone = _apply(engine, "dup", DUP, later, 3)
    assert gone.closed == 1
    with engine.connect() as conn:
        assert state.current(conn).num_rows == 0
        assert state.current(conn, D1 + timedelta(days=1)).num_rows == 1
        (row,) = state.history(conn, IMEI)
    assert (row["end_date"], row["end_run_id"]) == (later, 3)


def test_sticky_condition_never_closes(engine) -> None:
    _apply(engine, "dup_sticky", DUP, D1, 1)
    changes = _apply(engine, "dup_sticky", SINGLE, D1 + timedelta(days=1), 2)
    assert changes.closed == 0
    with engine.connect() as conn:
        assert state.current(conn).column("condition").to_pylist() == ["dup_sticky"]


def test_amnesty_sets_the_block_date_for_eligible_conditions(engine) -> None:
    amnesty = rules.Amnesty(True, date(2026, 12, 31), date(2027, 3, 31))
    _apply(engine, "dup", DUP, D1, 1, amnesty=amnesty)
    with engine.connect() as conn:
        (row,) = state.history(conn, IMEI)
    assert row["block_date"] == date(2027, 3, 31) and row["amnesty_granted"] is True


def test_amnesty_moves_an_existing_block_date_once_granted(engine) -> None:
    _apply(engine, "dup", DUP, D1, 1)
    amnesty = rules.Amnesty(True, date(2026, 12, 31), date(2027, 3, 31))
    changes = _apply(engine, "dup", DUP, D1 + timedelta(days=1), 2, amnesty=amnesty)
    assert changes.amnesty_moved == 1
    with engine.connect() as conn:
        (row,) = state.history(conn, IMEI)
    assert row["block_date"] == date(2027, 3, 31)


def test_explain_words_and_unknown_imei(engine) -> None:
    _apply(engine, "dup", DUP, D1, 1)
    with engine.connect() as conn:
        (text,) = explain(conn, "356868000041414", today=D1)
        with pytest.raises(NotFound, match="never met"):
            explain(conn, "356868000041422", today=D1)
    assert text.startswith("dup: Used by several SIM cards at once.")
    assert f"Met since {D1}." in text
    assert f"Will be blocked on {D1 + timedelta(days=10)}" in text
    assert "distinct SIM cards (IMSIs): 2" in text
