"""Scoring: a pair is flagged when listed to lose service, not when invited to claim."""

from __future__ import annotations

from openceir.evaluate.score import Case, Flags, Row, score


def test_flags_read_the_lists() -> None:
    flags = Flags(
        blacklisted={"1"},
        excepted={("1", "owner")},
        notified={("2", "a"), ("3", "a"), ("3", "b")},
        undecided={"3"},
    )
    assert flags.pair("1", "clone") and not flags.pair("1", "owner")
    assert flags.pair("2", "a") and not flags.pair("2", "b")
    assert not flags.pair("3", "a") and flags.invited("3", "a") and flags.loses("3", "a")
    assert flags.imei("1") and flags.imei("3") and not flags.imei("4")


def test_score_per_variant_and_measure() -> None:
    cases = [
        Case("clone", "v", "genuine", "1", "owner"),
        Case("clone", "v", "clone", "1", "copy"),
        Case("look-alike", "family_sharing", "pair", "5", "x"),
    ]
    dirbs = Flags(blacklisted={"1", "5"})
    ours = Flags(blacklisted={"1"}, excepted={("1", "owner")})
    rows = {(r.variant, r.measure): r for r in score(cases, dirbs, ours)}
    assert rows[("v", "genuine owners wrongly flagged")] == Row(
        "clone", "v", "genuine owners wrongly flagged", 1, 1.0, 0.0
    )
    assert rows[("v", "clone pairs flagged")].openceir == 1.0
    family = rows[("family_sharing", "pairs flagged")]
    assert (family.baseline, family.openceir, family.meets_goal) == (1.0, 0.0, True)
    assert not Row("clone", "v", "cloned IMEIs flagged", 1, 0.0, 0.5).meets_goal
