"""Clone differentiation: pairing, then continuity, then RAT consistency, else undecided."""

from __future__ import annotations

from datetime import date, timedelta

from openceir.classify.clones import ImsiUse, decide, uses_from_rows


def _use(imsi: str, first: int, last: int, rats: int = 4) -> ImsiUse:
    days = frozenset(date(2026, 11, d) for d in range(first, last + 1))
    return ImsiUse(imsi, date(2026, 11, first), date(2026, 11, last), days, rats)


def test_pairing_decides_first() -> None:
    got = decide([_use("a", 1, 20), _use("b", 10, 20)], paired={"b"})
    assert (got["decided"], got["basis"], got["genuine_imsis"], got["clone_imsis"]) == (
        True,
        "pairing",
        ["b"],
        ["a"],
    )


def test_steady_earlier_use_is_the_genuine_device() -> None:
    got = decide([_use("a", 1, 20), _use("b", 10, 20), _use("c", 12, 13)])
    assert (got["basis"], got["genuine_imsis"], got["clone_imsis"]) == (
        "continuity",
        ["a"],
        ["b", "c"],
    )
    assert "9 days" in got["explanation"]


def test_a_short_lead_is_not_enough() -> None:
    got = decide([_use("a", 1, 20), _use("b", 3, 20)])
    assert got["decided"] is False
    assert got["clone_imsis"] == ["a", "b"] and got["genuine_imsis"] == []
    assert "treated as duplicated" in got["explanation"]


def test_rat_inconsistent_sim_is_the_clone_when_continuity_cannot_tell() -> None:
    got = decide([_use("a", 1, 20, rats=4), _use("b", 2, 20, rats=1)], model_rats=4 | 8)
    assert (got["basis"], got["genuine_imsis"], got["clone_imsis"]) == (
        "rat_consistency",
        ["a"],
        ["b"],
    )


def test_uses_from_rows_expands_day_masks() -> None:
    rows = [
        {
            "imei_key": 1,
            "imsi": "a",
            "month": "2026-11",
            "day_mask": 0b101,
            "first_seen": date(2026, 11, 1),
            "last_seen": date(2026, 11, 3),
            "rat_mask": 4,
        },
        {
            "imei_key": 1,
            "imsi": "a",
            "month": "2026-10",
            "day_mask": 1 << 30,
            "first_seen": date(2026, 10, 31),
            "last_seen": date(2026, 10, 31),
            "rat_mask": 1,
        },
    ]
    (use,) = uses_from_rows(rows)[1]
    assert use.days == {date(2026, 11, 1), date(2026, 11, 3), date(2026, 10, 31)}
    assert use.first_seen == date(2026, 11, 1) - timedelta(days=1) and use.rats == 5
