"""The hard cases: each clone variant, late counterfeits and the look-alikes do what their
name says, with their own ground truth."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest

from openceir.errors import InputError
from openceir.simulate import CLONE_VARIANTS, Rates, simulate
from tests.simulate.conftest import Simulated, read_csv, read_dumps

START = dt.date(2026, 11, 1)
DAYS = 20


@pytest.fixture(scope="module")
def hard(tmp_path_factory: pytest.TempPathFactory) -> Simulated:
    out = tmp_path_factory.mktemp("hard")
    rates = Rates(clone=0.03, counterfeit=0.01, family_sharing=0.01, brand_new_tac=0.005)
    summary = simulate(
        [], out, subscribers=3000, days=DAYS, start=START, seed=5, rates=rates,
        clone_variants=CLONE_VARIANTS,
    )  # fmt: skip
    return Simulated(summary, out, read_dumps(out))


def _days(rows: list[dict[str, str]], imsi: str) -> set[str]:
    return {r["date"] for r in rows if r["imsi"] == imsi}


def _by_variant(hard: Simulated) -> dict[str, list[dict[str, str]]]:
    out = defaultdict(list)
    for row in hard.truth("clones"):
        out[row["variant"]].append(row)
    return out


def test_every_clone_variant_is_injected(hard) -> None:
    assert set(_by_variant(hard)) == set(CLONE_VARIANTS)


def test_close_and_complete_copies_start_with_the_genuine_device(hard) -> None:
    start = START.strftime("%Y%m%d")
    for v in ("close_start", "model_only_registration", "registration_contradicts_catalog"):
        for row in _by_variant(hard)[v]:
            lead = dt.datetime.strptime(row["first_clone_date"], "%Y%m%d").date() - START
            assert 0 <= lead.days <= 3
    for row in _by_variant(hard)["complete_from_start"]:
        assert row["first_clone_date"] == start
        rows = hard.rows_of(row["imei"])
        assert any(start in _days(rows, imsi) for imsi in row["clone_imsis"].split("|"))
    for row in _by_variant(hard)["classic"]:
        assert row["first_clone_date"] >= (START + dt.timedelta(days=DAYS // 3)).strftime("%Y%m%d")


def test_large_groups_are_heavy_tailed_and_distinct(hard) -> None:
    sizes = [len(r["clone_imsis"].split("|")) for r in _by_variant(hard)["large_group"]]
    assert max(sizes) > 3 and min(sizes) >= 1 and max(sizes) < 400
    every = [i for r in hard.truth("clones") for i in r["clone_imsis"].split("|")]
    assert len(every) == len(set(every))


def test_same_operator_copies_share_the_owner_network_and_region(hard) -> None:
    for row in _by_variant(hard)["same_operator"]:
        assert {i[:5] for i in row["clone_imsis"].split("|")} == {row["genuine_imsi"][:5]}
        assert set(row["clone_regions"].split("|")) == {row["genuine_region"]}
    far = _by_variant(hard)["classic"]
    assert any(row["genuine_region"] not in row["clone_regions"] for row in far)


def test_mimic_copies_report_the_genuine_software_version(hard) -> None:
    conflicts = {r["imei"] for r in hard.truth("imeisv_conflict")}
    mimic = _by_variant(hard)["mimic"]
    assert mimic and not conflicts & {r["imei"] for r in mimic}
    assert conflicts & {r["imei"] for r in _by_variant(hard)["classic"]}


def test_intermittent_owners_are_seen_on_few_days(hard) -> None:
    for row in _by_variant(hard)["intermittent_owner"]:
        assert len(_days(hard.rows_of(row["imei"]), row["genuine_imsi"])) < 0.6 * DAYS


def test_unpaired_registrations_and_contradicting_radio_interfaces(hard) -> None:
    paired = {r["imei"] for r in read_csv(hard.out / "pairing.csv")}
    registered = {r["approved_imei"]: r for r in read_csv(hard.out / "registration.csv")}
    catalog = {}
    for line in (hard.out / "tac_catalog.csv").read_text().splitlines()[1:]:
        cols = line.split("|")
        catalog[cols[0]] = cols[8]
    for v in ("model_only_registration", "registration_contradicts_catalog"):
        for row in _by_variant(hard)[v]:
            assert row["imei"] in registered and row["imei"] not in paired
    contradicted = [
        registered[row["imei"]]["radio_interface"] != catalog[row["imei"][:8]]
        for row in _by_variant(hard)["registration_contradicts_catalog"]
    ]
    assert contradicted and sum(contradicted) >= 0.5 * len(contradicted)


def test_look_alikes_and_unallocated_tacs(hard) -> None:
    catalog = {line[:8] for line in (hard.out / "tac_catalog.csv").read_text().splitlines()}
    family = hard.truth("family_sharing")
    assert family
    for row in family:
        rows = hard.rows_of(row["imei"])
        assert _days(rows, row["imsi_1"]) and _days(rows, row["imsi_2"])
    recent = (START + dt.timedelta(days=DAYS - 15)).strftime("%Y%m%d")
    new = hard.truth("brand_new_tac")
    assert new and all(r["tac"] not in catalog and r["first_date"] >= recent for r in new)
    fakes = hard.truth("counterfeit_unallocated_tac")
    late = [r for r in fakes if r["variant"] == "late_imei"]
    assert late and all(r["first_date"] >= recent for r in late)
    assert not {r["tac"] for r in fakes} & {r["tac"] for r in new}


def test_unknown_clone_variant_is_refused(tmp_path) -> None:
    with pytest.raises(InputError, match="clone variant twins unknown"):
        simulate([], tmp_path, subscribers=10, days=2, start=START, clone_variants=["twins"])
