"""Chunk population: unique serials, and every injected phenomenon present as truth says."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from openceir.errors import InputError
from openceir.simulate.geography import distance_km
from openceir.simulate.population import allocate_serials
from tests.simulate.conftest import read_csv


def test_serials_never_collide_within_a_tac_across_chunks() -> None:
    rng = np.random.default_rng(5)
    base = rng.integers(0, 800_000, 4)
    seen: list[tuple[int, int]] = []
    for chunk in range(4):
        tacs = rng.integers(0, 4, 3000)
        widths = rng.choice([1, 2], 3000)
        serials = allocate_serials(tacs, widths, chunk, 200_000, base)
        for t, s, w in zip(tacs.tolist(), serials.tolist(), widths.tolist(), strict=True):
            seen.extend((t, s + k) for k in range(w))
    assert len(seen) == len(set(seen))
    assert all(100_000 <= s <= 900_000 for _, s in seen)


def test_a_tac_with_more_devices_than_its_block_is_refused() -> None:
    tacs = np.zeros(11, dtype=np.int64)
    with pytest.raises(InputError, match="too many devices of one model"):
        allocate_serials(tacs, np.ones(11, dtype=np.int64), 0, 10, np.zeros(1, dtype=np.int64))


# Each injected phenomenon is present in the dumps exactly as its truth file says.


def _catalog_tacs(simulated) -> dict[str, list[str]]:
    lines = (simulated.out / "tac_catalog.csv").read_text().splitlines()[1:]
    return {line.split("|")[0]: line.split("|") for line in lines}


def test_clones_are_seen_with_several_imsis_on_one_day_far_apart(simulated) -> None:
    clones = simulated.truth("clones")
    assert len(clones) >= 20
    far_pairs = 0
    for clone in clones:
        rows = simulated.rows_of(clone["imei"])
        first_day = min(r["date"] for r in rows if r["imsi"] == clone["genuine_imsi"])
        assert first_day == "20261101", "the genuine device is seen from the first day"
        same_day = [r for r in rows if r["date"] == clone["first_clone_date"]]
        imsis = {r["imsi"] for r in same_day}
        assert clone["genuine_imsi"] in imsis
        assert imsis & set(clone["clone_imsis"].split("|"))
        assert not any(
            r["imsi"] in clone["clone_imsis"] and r["date"] < clone["first_clone_date"]
            for r in rows
        )
        placed = [r for r in same_day if r.get("lat")]
        genuine = [r for r in placed if r["imsi"] == clone["genuine_imsi"]]
        others = [r for r in placed if r["imsi"] != clone["genuine_imsi"]]
        for g in genuine:
            for o in others:
                km = distance_km(float(g["lat"]), float(g["lon"]), float(o["lat"]), float(o["lon"]))
                assert km > 150
                far_pairs += 1
    assert far_pairs >= 5


def test_counterfeit_tacs_are_absent_from_the_catalog_but_seen(simulated) -> None:
    catalog = _catalog_tacs(simulated)
    fakes = simulated.truth("counterfeit_unallocated_tac")
    assert len(fakes) >= 20
    for fake in fakes:
        assert fake["tac"] not in catalog and fake["imei"].startswith(fake["tac"])
        assert any(r["imsi"] == fake["imsi"] for r in simulated.rows_of(fake["imei"]))
    normal = simulated.truth("dual_sim")[0]["imei_1"][:8]
    assert normal in catalog


def test_rat_mismatch_devices_show_a_rat_their_bands_lack(simulated) -> None:
    catalog = _catalog_tacs(simulated)
    band_of = {"002": "GSM", "001": "WCDMA", "006": "LTE FDD", "010": "NR "}
    word_of = {"002": "2G", "001": "3G", "006": "4G", "010": "5G"}
    mismatches = simulated.truth("rat_mismatch")
    assert len(mismatches) >= 20
    for m in mismatches:
        assert band_of[m["observed"]] not in catalog[m["tac"]][3]
        rows = simulated.rows_of(m["imei"])
        assert rows
        for r in rows:
            rats = r["rat"].split("|")
            assert m["observed"] in rats or word_of[m["observed"]] in rats


def test_stolen_phones_reappear_with_a_new_sim_after_the_report(simulated) -> None:
    stolen = {r["imei"]: r for r in read_csv(simulated.out / "stolen.csv")}
    reused = simulated.truth("stolen_reused")
    assert len(reused) >= 20
    for case in reused:
        assert stolen[case["imei"]]["reporting_date"] == case["reporting_date"]
        rows = simulated.rows_of(case["imei"])
        thief = [r for r in rows if r["imsi"] == case["new_imsi"]]
        assert min(r["date"] for r in thief) == case["first_date_with_new_sim"]
        assert all(r["date"] > case["reporting_date"] for r in thief)
        victim = [r for r in rows if r["imsi"] == case["original_imsi"]]
        assert victim and all(r["date"] <= case["reporting_date"] for r in victim)


def test_null_test_and_malformed_imeis_are_reported_as_truth_says(simulated) -> None:
    special = simulated.truth("null_test_imeis")
    assert {s["kind"] for s in special} == {"null", "all_same_serial", "test_tac"}
    for s in special:
        assert any(r["imsi"] == s["imsi"] for r in simulated.rows_of(s["imei"]))
        if s["kind"] == "null":
            assert s["imei"] == "0" * 15
        elif s["kind"] == "test_tac":
            assert s["imei"].startswith("001001")
        else:
            assert s["imei"].startswith("35") and len(set(s["imei"][8:14])) == 1
    malformed = simulated.truth("malformed_imeis")
    assert {m["kind"] for m in malformed} == {"hex", "13_digits", "17_digits"}
    for m in malformed:
        assert any(r["imsi"] == m["imsi"] for r in simulated.rows_of(m["imei"]))
        expected = {"hex": 15, "13_digits": 13, "17_digits": 17}[m["kind"]]
        assert len(m["imei"]) == expected
        assert (not m["imei"].isdigit()) == (m["kind"] == "hex")


def test_transient_imeis_use_msisdns_in_an_arithmetic_sequence(simulated) -> None:
    transients = simulated.truth("transient_imeis")
    assert transients
    for t in transients:
        numbers = sorted({int(r["msisdn"]) for r in simulated.rows_of(t["imei"])})
        step = int(t["msisdn_step"])
        assert len(numbers) == int(t["msisdn_count"]) >= 10
        assert numbers[0] == int(t["first_msisdn"])
        assert all(b - a == step for a, b in itertools.pairwise(numbers))


def test_leading_zero_loss_hits_one_file_only(simulated) -> None:
    losses = simulated.truth("leading_zero_loss")
    assert losses
    files = {x["file"] for x in losses}
    assert len(files) == 1
    (name,) = files
    in_file = [r for r in simulated.rows if r["file"] == name]
    for x in losses:
        assert x["reported"] == x["imei"][1:] and len(x["reported"]) == 14
        assert any(r["imei"] == x["reported"] and r["imsi"] == x["imsi"] for r in in_file)
    assert not any(len(r["imei"]) == 15 and r["imei"].startswith("0") for r in in_file)
    elsewhere = [r for r in simulated.rows if r["file"] != name and r["imei"].startswith("01")]
    assert elsewhere, "IMEIs starting with 0 keep it in every other file"


def test_dual_sim_pairs_share_a_tac_with_consecutive_serials(simulated) -> None:
    pairs = simulated.truth("dual_sim")
    assert len(pairs) >= 50
    seen = {(r["imei"][:14], r["imsi"]) for r in simulated.rows}
    for p in pairs:
        assert p["imei_1"][:8] == p["imei_2"][:8]
        assert int(p["imei_2"][8:14]) == int(p["imei_1"][8:14]) + 1
        assert p["imsi_1"] != p["imsi_2"]
        assert (p["imei_2"][:14], p["imsi_2"]) in seen


def test_roamers_have_foreign_or_other_operator_imsis(simulated) -> None:
    roamers = simulated.truth("roamers")
    inbound = [r for r in roamers if r["kind"] == "inbound"]
    national = [r for r in roamers if r["kind"] == "national"]
    assert inbound and national
    home = {"alpha": "63901", "beta": "63902", "gamma": "63903"}
    by_imsi: dict[str, set[str]] = {}
    for r in simulated.rows:
        by_imsi.setdefault(r["imsi"], set()).add(r["operator"])
    for r in inbound:
        assert not r["imsi"].startswith("639") and r["imsi"].startswith(r["home_mcc_mnc"])
        assert by_imsi[r["imsi"]] == {r["operator"]}
    for r in national:
        assert r["imsi"].startswith(r["home_mcc_mnc"]) and home[r["operator"]] != r["home_mcc_mnc"]
        assert r["operator"] in by_imsi[r["imsi"]]


def test_resold_phones_move_to_the_buyer_for_good(simulated) -> None:
    changes = [c for c in simulated.truth("device_changes") if c["buyer_imsi"]]
    assert changes
    for c in changes:
        rows = simulated.rows_of(c["old_imei"])
        assert all(r["imsi"] == c["imsi"] for r in rows if r["date"] < c["date"])
        assert all(r["imsi"] == c["buyer_imsi"] for r in rows if r["date"] >= c["date"])


def test_clones_reporting_imeisv_conflict_with_the_genuine_software_version(simulated) -> None:
    conflicts = simulated.truth("imeisv_conflict")
    assert conflicts
    for c in conflicts:
        on_day = [r for r in simulated.rows_of(c["imei"]) if r["date"] == c["first_date"]]
        versions = {r["imeisv"] for r in on_day if r.get("imeisv")}
        assert c["genuine_imeisv"] in versions
        assert versions & set(c["clone_imeisvs"].split("|"))
        assert all(v[:14] == c["imei"][:14] for v in versions)
