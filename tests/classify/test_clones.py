"""Clone differentiation: registration, pairing, manufacturer binding, continuity, IMEISV and
RAT consistency, strongest first; conflicts and undecided IMEIs keep every pair duplicated."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import ibis
import pytest

from openceir.classify.clone_inputs import differentiate, read_bindings
from openceir.classify.clones import decide
from openceir.classify.evidence import (
    Binding,
    ImsiUse,
    Registered,
    imei15,
    interface_mask,
    uses_from_rows,
)
from tests.classify.conftest import IMEI, make_sources, obs


def _use(imsi: str, first: int, last: int, rats: int = 4) -> ImsiUse:
    days = frozenset(date(2026, 11, d) for d in range(first, last + 1))
    return ImsiUse(imsi, date(2026, 11, first), date(2026, 11, last), days, rats)


def _outcome(got: dict) -> tuple:
    return got["decided"], got["basis"], got["genuine_imsis"], got["clone_imsis"]


def test_pairing_outweighs_earlier_use() -> None:
    got = decide([_use("a", 1, 20), _use("b", 10, 20)], paired={"b"})
    assert _outcome(got) == (True, "pairing", ["b"], ["a"])
    assert got["points"]["b"] == 6.0 and got["points"]["a"] == 4.0  # earliest + continuity
    said = got["explanation"]
    assert "SIM b is paired with this IMEI on the pairing list (+6.0 for SIM b)" in said
    assert "SIM a used the IMEI from 2026-11-01, 9 days before any other SIM" in got["explanation"]


def test_earliest_use_by_one_day_decides_when_the_others_are_steady() -> None:
    got = decide([_use("a", 1, 20), _use("b", 2, 20), _use("c", 2, 13)])
    assert _outcome(got) == (True, "earliest", ["a"], ["b", "c"])
    assert got["confidence"] > 0.9 and "1 day before any other SIM" in got["explanation"]
    assert "SIM a is the genuine device (confidence" in got["explanation"]


def test_a_lead_over_an_intermittent_sim_counts_little() -> None:
    # b appears 2 days after a but is seen on one day in four: it may have been there unseen
    days = frozenset(date(2026, 11, d) for d in range(3, 21, 4))
    sparse = ImsiUse("b", date(2026, 11, 3), date(2026, 11, 19), days, 4)
    got = decide([_use("a", 1, 20), sparse])
    assert got["decided"] is False and got["points"]["a"] < 2.0


def test_all_sims_on_the_first_day_is_undecided_and_says_what_is_missing() -> None:
    got = decide([_use("a", 1, 20), _use("b", 1, 20)], registered=PHONE)
    assert _outcome(got) == (False, None, [], ["a", "b"])
    assert got["policy"] == "invite_claims"
    assert got["missing"] == [
        "no SIM is paired with this IMEI on the pairing list",
        "no ownership claim has been made",
        "the manufacturer recorded no binding for this IMEI on the ledger",
        "SIMs a, b were all first seen on 2026-11-01",
    ]
    text = got["explanation"]
    assert "No evidence tells the genuine device apart." in text
    assert "The owner can claim the phone with an ownership claim" in text
    assert "invited to claim the phone during the grace period" in text


def test_undecided_policies_are_worded_and_checked() -> None:
    uses = [_use("a", 1, 20), _use("b", 1, 20)]
    assert "No SIM is blocked" in decide(uses, policy="wait")["explanation"]
    assert "treated as duplicated and blocked" in decide(uses, policy="block_all")["explanation"]
    with pytest.raises(ValueError, match="unknown undecided policy 'maybe'"):
        decide(uses, policy="maybe")


def test_rat_inconsistent_sim_is_the_clone_when_nothing_else_tells() -> None:
    got = decide([_use("a", 1, 20, rats=4), _use("b", 1, 20, rats=1)], model_rats=4 | 8)
    assert _outcome(got) == (True, "rat_consistency", ["a"], ["b"])
    assert (
        "SIM b used 2G, which the model of this TAC does not support (4G, 5G)"
        in (got["explanation"])
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


# -- every kind of evidence, weighed ------------------------------------------------------

FOUR_G = 1 | 2 | 4 | 16 | 32  # a 2G/3G/4G phone (NB-IoT and LTE-M count as 4G variants)
PHONE = Registered("Acme", "A1", FOUR_G)


def _sv(use: ImsiUse, *svns: str) -> ImsiUse:
    return replace(use, svns=frozenset(svns))


def test_a_sim_on_a_rat_the_registered_device_lacks_is_a_clone() -> None:
    got = decide([_use("a", 1, 20, rats=4), _use("b", 1, 20, rats=8)], registered=PHONE)
    assert _outcome(got) == (True, "registration", ["a"], ["b"])
    text = got["explanation"]
    assert "registered for Acme A1 (2G, 3G, 4G), but SIM b used 5G (-4.0 for SIM b)" in text
    assert "SIM b is a clone and will be blocked" in text


def test_a_registration_contradicting_the_catalog_is_reported_and_weighed_down() -> None:
    # registered as 2G/3G while the catalog's model has 4G; the genuine SIM (a) uses 4G
    narrow = Registered("Acme", "A1", 1 | 2)
    uses = [_use("a", 1, 20, rats=4), _use("b", 2, 20, rats=4), _use("c", 2, 20, rats=4)]
    got = decide(uses, registered=narrow, model_rats=FOUR_G)
    assert _outcome(got) == (True, "earliest", ["a"], ["b", "c"])
    assert got["conflict"] is True
    assert got["contradictions"] == [
        "the registration (Acme A1 (2G, 3G)) contradicts the TAC catalog, whose model has "
        "2G, 3G, 4G: it is weighed down"
    ]
    assert "(-1.0 for SIM a)" in got["explanation"]
    trusted = decide(uses[:2], registered=narrow)  # no catalog to contradict it: full weight
    assert trusted["points"]["a"] == pytest.approx(3.0 - 4.0)


def test_pairing_outweighs_registration() -> None:
    got = decide(
        [_use("a", 1, 20, rats=4), _use("b", 1, 20, rats=8)], registered=PHONE, paired={"b"}
    )
    assert got["points"] == {"a": 0.0, "b": 2.0} and _outcome(got)[2] == ["b"]


def test_pairing_every_sim_tells_nothing() -> None:
    got = decide([_use("a", 1, 20), _use("b", 1, 20)], paired={"a", "b"})
    assert got["decided"] is False and got["evidence"] == []


def test_binding_rules_out_a_sim_on_a_rat_the_bound_model_lacks() -> None:
    binding = Binding("A1", FOUR_G, None, "maker.example")
    got = decide([_use("a", 1, 20, rats=4), _use("b", 1, 20, rats=8)], binding=binding)
    assert _outcome(got) == (True, "binding", ["a"], ["b"])
    assert (
        "The manufacturer (maker.example) recorded on the ledger that this IMEI was made as "
        "model A1; SIM b used 5G, which that model does not have (-5.0 for SIM b)"
    ) in got["explanation"]


def test_binding_software_version_names_the_device() -> None:
    binding = Binding("A1", None, "09")
    uses = [_sv(_use("a", 1, 20), "07"), _sv(_use("b", 1, 20), "09"), _use("c", 1, 20)]
    got = decide(uses, binding=binding)
    assert _outcome(got) == (True, "binding", ["b"], ["a", "c"])
    assert got["points"] == {"a": -3.0, "b": 3.0, "c": 0.0}


def test_binding_software_version_nobody_reports_tells_nothing() -> None:
    uses = [_sv(_use("a", 1, 20), "07"), _sv(_use("b", 1, 20), "08")]
    assert decide(uses, binding=Binding("A1", None, "09"))["decided"] is False


def test_imeisv_adds_to_a_clear_earliest_use() -> None:
    uses = [_sv(_use("a", 1, 20), "07"), _sv(_use("b", 2, 20), "08"), _sv(_use("c", 2, 20), "07")]
    got = decide(uses)
    assert got["points"] == {"a": 3.0, "b": -1.0, "c": 0.0}
    assert (
        "SIM b's device reports software version 08, which the device in use first"
        in (got["explanation"])
    )


def test_continuity_adds_to_a_long_steady_lead() -> None:
    got = decide([_use("a", 1, 20), _use("b", 10, 20)])
    assert got["points"]["a"] == pytest.approx(4.0)
    assert "used steadily on 9 days before another SIM appeared" in got["explanation"]


def test_an_earlier_run_decision_counts() -> None:
    uses = [_use("a", 1, 20), _use("b", 1, 20)]
    got = decide(uses, genuine_before=["b", "z"])
    assert _outcome(got) == (True, "earliest", ["b"], ["a"])
    assert (
        "An earlier classification run decided SIM b was the genuine device" in (got["explanation"])
    )


def test_nothing_at_all_says_so() -> None:
    got = decide([_use("a", 1, 20), _use("b", 1, 20)])
    assert got["decided"] is False and got["bases"] == []
    assert got["explanation"].startswith("No evidence tells the genuine device apart.")


def test_uses_from_rows_keeps_the_software_versions() -> None:
    row = {
        "imei_key": 1,
        "imsi": "a",
        "month": "2026-11",
        "day_mask": 1,
        "first_seen": date(2026, 11, 1),
        "last_seen": date(2026, 11, 1),
        "rat_mask": 4,
        "imeisv": ["3568680000414107", "35686800004141"],
    }
    assert uses_from_rows([row])[1][0].svns == {"07"}


@pytest.mark.parametrize(
    ("text", "mask"),
    [
        ("GSM,WCDMA,LTE", 1 | 2 | 4 | 16 | 32),
        ("2G|3G", 3),
        ("GSM, LTE-M", 1 | 32),
        ("NR", 8),
        ("NB-IoT", 16),
        ("", None),
        (None, None),
        ("satellite", None),
    ],
)
def test_interface_mask_reads_registration_radio_interfaces(text, mask) -> None:
    assert interface_mask(text) == mask


# -- differentiate: the registers, the TAC catalog and the ledger --------------------------

TAC = IMEI // 1_000_000
CATALOG = [
    {"tac": TAC, "manufacturer": "Acme", "model": "A1", "rat_mask": FOUR_G},
    {"tac": 99000001, "manufacturer": "Acme", "model": "A2 5G", "rat_mask": FOUR_G | 8},
]


def _rows() -> list[dict]:
    return [
        obs(imsi="639010000000001", days=(1, 2, 3, 4, 5, 6, 7, 8), imeisv=[f"{IMEI}07"]),
        obs(imsi="639020000000002", days=(4, 5, 8), rat=4, imeisv=[f"{IMEI}09"]),
        obs(imsi="639020000000003", days=(5, 8), rat=8, operator="beta"),
    ]


def test_differentiate_reads_the_registration_radio_interfaces() -> None:
    reg = [{"imei_key": IMEI, "make": "Acme", "model": "A1", "radio_interface": "GSM,LTE"}]
    src = make_sources(_rows(), tac_catalog=CATALOG, registration=reg)
    got = differentiate(ibis.duckdb.connect(), src, [IMEI])[f"{IMEI:014d}"]
    # the registration (no 3G) contradicts the catalog's A1: weighed down, and said so;
    # earliest use by 3 days decides, the 5G SIM is out of the model's technologies
    assert _outcome(got) == (
        True,
        "earliest",
        ["639010000000001"],
        ["639020000000002", "639020000000003"],
    )
    assert got["contradictions"][0].startswith("the registration (Acme A1 (2G, 4G)) contradicts")
    assert got["points"]["639020000000003"] == -5.0  # contradicted registration, catalog


def test_differentiate_takes_the_registered_model_rats_from_the_catalog() -> None:
    reg = [{"imei_key": IMEI, "make": "Acme", "model": "a2 5g ", "radio_interface": None}]
    rows = [obs(imsi="a", days=(1, 2, 3, 4)), obs(imsi="b", days=(2, 3), rat=8)]
    src = make_sources(rows, tac_catalog=CATALOG, registration=reg)
    got = differentiate(ibis.duckdb.connect(), src, [IMEI])[f"{IMEI:014d}"]
    # the registered model has 5G: registration rules nothing out; the TAC's model has not
    assert _outcome(got) == (True, "rat_consistency", ["a"], ["b"])
    reg[0]["model"] = "A1"
    src = make_sources(rows, tac_catalog=CATALOG, registration=reg)
    got = differentiate(ibis.duckdb.connect(), src, [IMEI])[f"{IMEI:014d}"]
    assert _outcome(got) == (True, "registration", ["a"], ["b"])


@pytest.fixture
def ledger_dir(tmp_path):
    from openceir.ledger import Log, add_participant, append_event
    from openceir.ledger.events import ImeiLedger
    from openceir.tlog import generate_key

    path = tmp_path / "ledger"
    Log.create(path, "ceir.testland.example/log")
    maker = generate_key("maker.example")
    add_participant(path, maker.verifier.vkey, ["manufacturer"])
    made = {
        "type": "device_manufactured",
        "imeis": [imei15(IMEI)],
        "serial_hash": "ab" * 32,
        "model": "A1",
        "software_version": "09",
    }
    append_event(ImeiLedger.open(path), made, maker)
    return path


def test_differentiate_uses_the_manufacturer_binding_on_the_ledger(ledger_dir) -> None:
    from openceir.ledger.events import ImeiLedger

    src = make_sources(_rows(), tac_catalog=CATALOG)
    backend = ibis.duckdb.connect()
    before = differentiate(backend, src, [IMEI])[f"{IMEI:014d}"]
    assert _outcome(before)[:3] == (True, "earliest", ["639010000000001"])
    assert before["bases"] == ["rat_consistency", "earliest", "imeisv"]
    binding_of = ImeiLedger.open(ledger_dir).manufacturer_binding
    got = differentiate(backend, src, [IMEI], binding_of=binding_of)[f"{IMEI:014d}"]
    # the binding's model has no 5G and its factory version is the second SIM's
    assert _outcome(got) == (
        True,
        "binding",
        ["639020000000002"],
        ["639010000000001", "639020000000003"],
    )
    assert "The manufacturer (maker.example) recorded on the ledger" in got["explanation"]
    assert "SIM 639020000000003 used 5G, which that model does not have" in got["explanation"]
    assert read_bindings(binding_of, [IMEI, IMEI + 1]).keys() == {IMEI}
    assert read_bindings(None, [IMEI]) == {}


# -- end to end: store, lake, ledger, classification run, explain --------------------------

RUN_DUMP = """date,imei,imsi,msisdn,rat,imeisv
20261110,356868000041414,639010000000001,254700000001,006,3568680000414107
20261111,356868000041414,639010000000001,254700000001,006,3568680000414107
20261112,356868000041414,639010000000001,254700000001,006,3568680000414107
20261112,356868000041414,639010000000002,254700000002,006,3568680000414109
20261112,356868000041414,639010000000003,254700000003,010,
20261110,356868000041422,639010000000004,254700000004,006,
20261110,356868000041430,639010000000005,254700000005,006,
20261110,356868000041448,639010000000006,254700000006,006,
"""
RUN_REGISTRATION = (
    "approved_imei,make,model,status,model_number,brand_name,device_type,radio_interface,"
    'device_id\n356868000041414,Acme,A1,whitelist,A1-01,Acme,Smartphone,"GSM,WCDMA,LTE",7\n'
)
RUN_RULES = """
conditions:
  - label: dup
    reason: Used by several SIM cards at once.
    max_allowed_matching_ratio: 0.5
    clone_differentiation: true
    dimensions: [{duplicate_threshold: {threshold: 3}}]
"""


def test_a_run_reads_the_registration_and_the_ledger_and_explains(settings, tmp_path) -> None:
    from openceir.classify import rules, run
    from openceir.classify.explain import explain
    from openceir.ingest import run_import
    from openceir.ledger import Log, add_participant, append_event
    from openceir.ledger.events import ImeiLedger
    from openceir.store.migrate import upgrade
    from openceir.store.session import connect
    from openceir.tlog import generate_key

    today = date(2026, 11, 28)
    engine = connect(settings.sqlalchemy_url)
    upgrade(engine)
    dump = tmp_path / "alpha_20261110_20261112.csv"
    dump.write_text(RUN_DUMP)
    run_import(settings, "operator", dump, operator_id="alpha", engine=engine, today=today)
    reg = tmp_path / "registration.csv"
    reg.write_text(RUN_REGISTRATION)
    run_import(settings, "registration", reg, engine=engine, today=today)
    path = settings.data_dir / "ledger"
    Log.create(path, "ceir.testland.example/log")
    maker = generate_key("maker.example")
    add_participant(path, maker.verifier.vkey, ["manufacturer"])
    made = {
        "type": "device_manufactured",
        "imeis": [imei15(IMEI)],  # the ledger keeps IMEIs with their Luhn check digit
        "serial_hash": "cd" * 32,
        "model": "A1",
        "software_version": "07",
    }
    append_event(ImeiLedger.open(path), made, maker)

    bare = run.classify(settings, engine, rules.parse(RUN_RULES), as_of=today, dry_run=True)
    assert bare.conditions[0].clones_decided == 1  # earliest use and registration decide
    result = run.classify(
        settings,
        engine,
        rules.parse(RUN_RULES),
        as_of=today,
        binding_of=ImeiLedger.open(path).manufacturer_binding,
    )
    assert result.conditions[0].clones_decided == 1
    with engine.connect() as conn:
        (text,) = explain(conn, "356868000041414", today=today)
    lines = text.splitlines()
    assert lines[-2:] == [
        "  - genuine SIM, kept in service: 639010000000001",
        "  - clone SIMs, to be blocked: 639010000000002, 639010000000003",
    ]
    said = lines[-3]
    assert "registered for Acme A1 (2G, 3G, 4G), but SIM 639010000000003 used 5G" in said
    assert "The manufacturer (maker.example) recorded on the ledger" in said
    assert "SIM 639010000000002's device reports software version 09" in said
