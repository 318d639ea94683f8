"""Each dimension on tiny hand-built lakes, including the edges."""

from __future__ import annotations

from datetime import date

import pytest

from tests.classify.conftest import IMEI, obs


def _imsis(n: int, **kw):
    return [obs(IMEI, f"6390100000000{i:02d}", **kw) for i in range(n)]


def test_duplicate_threshold_matches_exactly_at_threshold(run_dimension) -> None:
    rows = run_dimension("duplicate_threshold", _imsis(3), {"threshold": 3})
    assert [(r["imei_key"], r["distinct_imsis"]) for r in rows] == [(IMEI, 3)]


def test_duplicate_threshold_one_below_does_not_match(run_dimension) -> None:
    assert run_dimension("duplicate_threshold", _imsis(2), {"threshold": 3}) == []


def test_duplicate_threshold_ignores_use_outside_the_window(run_dimension) -> None:
    old = [obs(IMEI, f"63901000000010{i}", days=(1, 2), month="2026-09") for i in range(3)]
    rows = run_dimension("duplicate_threshold", [*old, *_imsis(1)], {"threshold": 3})
    assert rows == []
    # the window's first day (2026-10-22 for 30 days to 2026-11-20) still counts
    edge = [obs(IMEI, f"63901000000020{i}", days=(22,), month="2026-10") for i in range(3)]
    rows = run_dimension("duplicate_threshold", edge, {"threshold": 3, "period_days": 30})
    assert [r["distinct_imsis"] for r in rows] == [3]
    beyond = [obs(IMEI, f"63901000000020{i}", days=(21,), month="2026-10") for i in range(3)]
    assert run_dimension("duplicate_threshold", beyond, {"threshold": 3}) == []


def test_duplicate_by_msisdn_counts_numbers(run_dimension) -> None:
    rows = [obs(IMEI, "639010000000001", msisdn=f"25470000000{i}") for i in range(4)]
    got = run_dimension("duplicate_threshold", rows, {"threshold": 4, "by": "msisdn"})
    assert [r["distinct_msisdns"] for r in got] == [4]
    assert run_dimension("duplicate_threshold", rows, {"threshold": 2}) == []


def test_malformed_imei_does_not_crash_numeric_rules(run_dimension) -> None:
    rows = [obs(None, f"63901000000000{i}", raw="12345ABCDE6789") for i in range(3)]
    got = run_dimension("duplicate_threshold", rows, {"threshold": 3})
    assert [(r["imei_key"], r["imei_raw"], r["imei_id"]) for r in got] == [
        (None, "12345ABCDE6789", "raw:12345ABCDE6789")
    ]
    assert run_dimension("transient_imei", rows) == []
    assert run_dimension("several_operators_same_day", rows) == []


def test_malformed_imei_matches_raw_only(run_dimension) -> None:
    rows = [obs(None, raw="ABCDEF0123456789"), obs(IMEI)]
    assert [r["imei_raw"] for r in run_dimension("malformed_imei", rows)] == ["ABCDEF0123456789"]


def test_daily_average_needs_min_days_seen(run_dimension) -> None:
    two_a_day = [obs(IMEI, f"6390100000000{i}", days=(1, 2, 3, 4, 5)) for i in range(2)]
    got = run_dimension("duplicate_daily_avg", two_a_day, {"threshold": 2.0, "min_seen_days": 5})
    assert [(r["daily_avg"], r["days_seen"]) for r in got] == [(2.0, 5)]
    assert (
        run_dimension("duplicate_daily_avg", two_a_day, {"threshold": 2.0, "min_seen_days": 6})
        == []
    )
    assert (
        run_dimension("duplicate_daily_avg", two_a_day, {"threshold": 2.01, "min_seen_days": 5})
        == []
    )


def test_an_imei_seen_once_matches_no_usage_dimension(run_dimension) -> None:
    once = [obs(IMEI, days=(5,))]
    for name in (
        "duplicate_threshold",
        "duplicate_daily_avg",
        "transient_imei",
        "several_operators_same_day",
        "imeisv_conflict",
        "impossible_travel",
    ):
        assert run_dimension(name, once, {}) == [], name


def test_transient_imei_needs_a_constant_step(run_dimension) -> None:
    seq = [obs(IMEI, msisdn=str(254700000100 + 7 * i)) for i in range(4)]
    got = run_dimension("transient_imei", seq, {"min_msisdns": 4})
    assert [(r["msisdns"], r["msisdn_step"]) for r in got] == [(4, 7)]
    broken = [*seq[:3], obs(IMEI, msisdn="254700000999")]
    assert run_dimension("transient_imei", broken, {"min_msisdns": 4}) == []


def test_several_operators_needs_the_same_day(run_dimension) -> None:
    same = [obs(IMEI, operator="alpha", days=(3, 4)), obs(IMEI, operator="beta", days=(4, 9))]
    got = run_dimension("several_operators_same_day", same)
    assert [(r["shared_days"], sorted(r["operators"])) for r in got] == [(1, ["alpha", "beta"])]
    apart = [obs(IMEI, operator="alpha", days=(3,)), obs(IMEI, operator="beta", days=(4,))]
    assert run_dimension("several_operators_same_day", apart) == []


def test_imeisv_conflict_needs_two_sims_on_one_day(run_dimension) -> None:
    a = obs(IMEI, "639010000000001", days=(2,), imeisv=["3568680000414101"])
    b = obs(IMEI, "639010000000002", days=(2,), imeisv=["3568680000414107"])
    assert [r["imei_key"] for r in run_dimension("imeisv_conflict", [a, b])] == [IMEI]
    later = obs(IMEI, "639010000000002", days=(9,), imeisv=["3568680000414107"])
    assert run_dimension("imeisv_conflict", [a, later]) == []


CATALOG = [
    {
        "tac": 35686800,
        "manufacturer": "Acme",
        "model": "A1",
        "device_type": "Smartphone",
        "rat_mask": 1 | 2,
        "allocation_date": None,
    },
    {
        "tac": 35686801,
        "manufacturer": "Acme",
        "model": "A1",
        "device_type": "Smartphone",
        "rat_mask": 4,
        "allocation_date": None,
    },
    {
        "tac": 35999900,
        "manufacturer": "Acme",
        "model": "M",
        "device_type": "Modem",
        "rat_mask": 4,
        "allocation_date": None,
    },
]


def test_inconsistent_rat_uses_every_tac_of_the_model(run_dimension) -> None:
    on_4g = [obs(IMEI, rat=4)]  # TAC 35686800 has 2G/3G, but its model also has a 4G TAC
    assert run_dimension("inconsistent_rat", on_4g, tac_catalog=CATALOG) == []
    on_5g = [obs(IMEI, rat=8)]
    got = run_dimension("inconsistent_rat", on_5g, tac_catalog=CATALOG)
    assert [(r["unexpected_rats"], r["model"]) for r in got] == [(8, "A1")]


def test_tac_not_allocated_waits_for_the_reporting_delay(run_dimension) -> None:
    unknown = 12345678000001
    rows = [obs(unknown, days=(1,))]  # first seen 2026-11-01, run on 2026-11-20: 19 days
    assert (
        run_dimension("tac_not_allocated", rows, {"reporting_delay_days": 20}, tac_catalog=CATALOG)
        == []
    )
    got = run_dimension(
        "tac_not_allocated", rows, {"reporting_delay_days": 19}, tac_catalog=CATALOG
    )
    assert [(r["tac"], r["delay_days"]) for r in got] == [("12345678", 19)]
    longer = run_dimension(
        "tac_not_allocated",
        rows,
        {"reporting_delay_days": 5, "prefix_delays": {"1234": 60}},
        tac_catalog=CATALOG,
    )
    assert longer == []
    assert (
        run_dimension(
            "tac_not_allocated",
            [obs(IMEI, days=(1,))],
            {"reporting_delay_days": 0},
            tac_catalog=CATALOG,
        )
        == []
    )


def test_tac_not_allocated_counts_the_delay_from_the_tac_first_sighting(run_dimension) -> None:
    """A counterfeit first seen yesterday on a never-allocated TAC seen for 19 days waits no
    longer; counted per IMEI (DIRBS), it would wait."""
    rows = [obs(12345678000001, days=(1,)), obs(12345678000002, imsi="2", days=(19,))]
    params = {"reporting_delay_days": 10}
    got = run_dimension("tac_not_allocated", rows, params, tac_catalog=CATALOG)
    assert [(r["imei_key"], str(r["tac_first_seen"])) for r in got] == [
        (12345678000001, "2026-11-01"),
        (12345678000002, "2026-11-01"),
    ]
    per_imei = run_dimension(
        "tac_not_allocated", rows, {**params, "count_from": "imei"}, tac_catalog=CATALOG
    )
    assert [r["imei_key"] for r in per_imei] == [12345678000001]


def test_tac_not_allocated_dirbs_preset_delays(run_dimension) -> None:
    # RBI 35 waits 20 days in DIRBS's preset, other prefixes the default delay
    rows = [obs(35999999000001, days=(1,)), obs(12345678000001, imsi="2", days=(1,))]
    params = {"reporting_delay_days": 5, "prefix_delays": "dirbs"}
    got = run_dimension("tac_not_allocated", rows, params, tac_catalog=CATALOG)
    assert [(r["tac"], r["delay_days"]) for r in got] == [("12345678", 5)]
    with pytest.raises(Exception, match="prefix_delays"):
        run_dimension("tac_not_allocated", rows, {"prefix_delays": "gsma"}, tac_catalog=CATALOG)


def test_test_tac_matches_rbi_00_but_not_35(run_dimension) -> None:
    rows = [obs(101000000001), obs(IMEI), obs(44000000000001)]  # 00101000000001 is RBI 00
    assert [r["imei_key"] for r in run_dimension("test_tac", rows)] == [101000000001]


def test_stolen_barred_and_not_registered_read_the_registers(run_dimension) -> None:
    rows = [obs(IMEI), obs(35999900000001), obs(35686800000002)]
    stolen = [{"imei_key": IMEI, "imei_raw": None, "reporting_date": date(2026, 11, 2)}]
    assert [r["imei_key"] for r in run_dimension("stolen", rows, stolen=stolen)] == [IMEI]
    barred_tac = [{"tac": 35999900}]
    assert [r["imei_key"] for r in run_dimension("barred_tac", rows, barred_tac=barred_tac)] == [
        35999900000001
    ]
    reg = [{"imei_key": IMEI, "imei_raw": None, "device_type": None, "model": None}]
    got = run_dimension(
        "not_registered",
        rows,
        {"exempt_device_types": ["modem"]},
        registration=reg,
        tac_catalog=CATALOG,
    )
    assert [r["imei_key"] for r in got] == [35686800000002]


def test_roamer_scopes(run_dimension) -> None:
    rows = [
        obs(IMEI, "639010000000001", operator="alpha"),
        obs(35686800000002, "639020000000001", operator="alpha"),
        obs(35686800000003, "234150000000001", operator="beta"),
    ]
    scope = {
        s: [r["imei_key"] for r in run_dimension("roamer", rows, {"scope": s})]
        for s in ("home", "national_roamer", "international_roamer")
    }
    assert scope == {
        "home": [IMEI],
        "national_roamer": [35686800000002],
        "international_roamer": [35686800000003],
    }


def _sight(imsi, day, time, lat, lon):
    return {
        "operator": "alpha",
        "month": "2026-11",
        "imei_key": IMEI,
        "imei_raw": None,
        "imsi": imsi,
        "date": date(2026, 11, day),
        "time": time,
        "cell": None,
        "lat": lat,
        "lon": lon,
    }


def test_impossible_travel_compares_speed(run_dimension) -> None:
    # Nairobi to Mombasa is about 440 km: in 15 minutes that is impossible, in a day it is not.
    fast = [_sight("a", 2, "10:00:00", -1.29, 36.82), _sight("b", 2, "10:15:00", -4.04, 39.67)]
    two_sims = [obs(IMEI, "639010000000001"), obs(IMEI, "639010000000002")]
    got = run_dimension("impossible_travel", two_sims, sightings=fast)
    assert len(got) == 1 and 400 < got[0]["km"] < 480 and got[0]["hours"] == 0.25
    # one SIM only: skipped by default, found when every IMEI is compared
    assert run_dimension("impossible_travel", [obs(IMEI)], sightings=fast) == []
    every = run_dimension(
        "impossible_travel", [obs(IMEI)], {"multi_sim_only": False}, sightings=fast
    )
    assert [r["conflicts"] for r in every] == [1]
    slow = [_sight("a", 2, "10:00:00", -1.29, 36.82), _sight("b", 3, "11:00:00", -4.04, 39.67)]
    assert run_dimension("impossible_travel", two_sims, sightings=slow) == []
    no_time = [_sight("a", 2, None, -1.29, 36.82), _sight("b", 2, None, -4.04, 39.67)]
    assert run_dimension("impossible_travel", two_sims, sightings=no_time) == []


def test_every_dimension_has_a_docs_heading() -> None:
    from pathlib import Path

    from openceir.classify.dimensions import DIMENSIONS

    doc = Path(__file__).resolve().parents[2] / "docs" / "classification.md"
    headings = {
        line[4:].strip() for line in doc.read_text().splitlines() if line.startswith("### ")
    }
    assert sorted(set(DIMENSIONS) - headings) == []
