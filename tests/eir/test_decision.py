"""The one decision table: every situation's answer, and the lookups that index it."""

from __future__ import annotations

import pytest

from openceir.eir.snapshot import decision
from openceir.eir.snapshot.decision import (
    BARRED,
    EXCEPTED,
    GRACE,
    REACHED,
    RESTRICTIVE,
    ROW_REASON,
    TABLE,
    rule,
)
from openceir.eir.snapshot.format import (
    BARRED_TAC,
    BLACKLISTED,
    GREYLISTED,
    NO_REASON,
    REGISTERED,
    TRACKED,
    TRACKED_REASON,
    UNKNOWN,
    UNREGISTERED,
    WHITELISTED,
)


@pytest.mark.parametrize(
    ("situation", "answer"),
    [
        (0, (WHITELISTED, NO_REASON)),
        (REACHED, (BLACKLISTED, ROW_REASON)),
        (REACHED | EXCEPTED, (WHITELISTED, NO_REASON)),  # the pair keeps its exception
        (REACHED | EXCEPTED | TRACKED, (GREYLISTED, TRACKED_REASON)),
        (REACHED | EXCEPTED | BARRED, (WHITELISTED, NO_REASON)),
        (GRACE, (GREYLISTED, ROW_REASON)),
        (GRACE | EXCEPTED, (GREYLISTED, ROW_REASON)),
        (GRACE | BARRED, (GREYLISTED, ROW_REASON)),
        (BARRED, (BLACKLISTED, BARRED_TAC)),
        (BARRED | TRACKED, (BLACKLISTED, BARRED_TAC)),
        (TRACKED, (GREYLISTED, TRACKED_REASON)),
        (TRACKED | RESTRICTIVE, (GREYLISTED, TRACKED_REASON)),
        (RESTRICTIVE, (UNKNOWN, UNREGISTERED)),
        (RESTRICTIVE | REGISTERED, (WHITELISTED, NO_REASON)),
        (RESTRICTIVE | REACHED, (BLACKLISTED, ROW_REASON)),
        (REGISTERED, (WHITELISTED, NO_REASON)),
    ],
)
def test_rule_table(situation: int, answer: tuple[int, int]) -> None:
    assert rule(situation) == answer == TABLE[situation]


def test_table_columns_are_the_rule_evaluated_once() -> None:
    assert len(TABLE) == decision.SITUATIONS
    assert [int(s) for s in decision.STATUS_OF] == [rule(s)[0] for s in range(128)]
    assert [int(r) for r in decision.REASON_OF] == [rule(s)[1] for s in range(128)]


def test_answers_substitutes_the_row_reason_and_the_unknown_answer() -> None:
    import numpy as np

    status, reason = decision.answers(
        np.array([REACHED, RESTRICTIVE, 0], dtype=np.int8),
        np.array([7, 7, 7], dtype=np.int32),
        unknown=GREYLISTED,
    )
    assert status.tolist() == [BLACKLISTED, GREYLISTED, WHITELISTED]
    assert reason.tolist() == [7, UNREGISTERED, NO_REASON]


def test_snapshot_modules_hold_no_second_statement_of_the_rule() -> None:
    from pathlib import Path

    import openceir.eir.snapshot as package

    for path in Path(package.__file__).parent.glob("*.py"):
        if path.name == "decision.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert "= BLACKLISTED" not in text and "return BLACKLISTED" not in text, path.name
