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


# -- every kind of evidence, in the order of strength ------------------------------

FOUR_G = 1 | 2 | 4 | 16 | 32  # a 2G/3G/4G phone (NB-IoT and LTE-M count as 4G variants)
PHONE = Registered("Acme", "A1", FOUR_G)


def _sv(use: ImsiUse, *svns: str) -> ImsiUse:
    return replace(use, svns=frozenset(svns))


def _outcome(got: dict) -> tuple:
    return got["decided"], got["basis"], got["genuine_imsis"], got["clone_imsis"]


def test_a_sim_on_a_rat_the_registered_device_lacks_is_a_clone() -> None:
    got = decide([_use("a", 1, 20, rats=4), _use("b", 2, 20, rats=8)], registered=PHONE)
    assert _outcome(got) == (True, "registration", ["a"], ["b"])
    text = got["explanation"]
    assert "registered for Acme A1 (2G, 3G, 4G)" in text and "SIM b used 5G" in text
    assert "SIM a is the genuine device and stays in service" in text
    assert "SIM b is a clone and will be blocked" in text


def test_registration_narrows_then_continuity_decides_among_the_rest() -> None:
    uses = [_use("a", 1, 20), _use("c", 2, 20, rats=8), _use("b", 15, 20)]
    got = decide(uses, registered=PHONE)
    assert _outcome(got) == (True, "continuity", ["a"], ["b", "c"])
    assert got["bases"] == ["registration", "continuity"]
    assert "before another SIM not ruled out above appeared on 2026-11-15" in got["explanation"]
    # without registration, SIM c's arrival on day 2 leaves no steady lead
    assert decide(uses)["decided"] is False


def test_registration_is_stronger_than_pairing_so_a_paired_5g_sim_conflicts() -> None:
    got = decide(
        [_use("a", 1, 20, rats=4), _use("b", 2, 20, rats=8)], registered=PHONE, paired={"b"}
    )
    assert _outcome(got) == (False, None, [], ["a", "b"])
    assert got["conflict"] is True and got["bases"] == ["registration", "pairing"]
    text = got["explanation"]
    assert text.startswith("The evidence conflicts. The IMEI is registered for Acme A1")
    assert "Yet SIM b is paired with this IMEI" in text and "treated as duplicated" in text


def test_registration_ruling_out_every_sim_is_a_conflict() -> None:
    got = decide([_use("a", 1, 20, rats=8), _use("b", 9, 20, rats=8)], registered=PHONE)
    assert (got["decided"], got["conflict"]) == (False, True)
    assert "That rules out every SIM" in got["explanation"]


def test_pairing_is_stronger_than_continuity_and_the_disagreement_is_stated() -> None:
    got = decide([_use("a", 1, 20), _use("b", 10, 20)], paired={"b"})
    assert _outcome(got) == (True, "pairing", ["b"], ["a"])
    assert "Weaker evidence points elsewhere: SIM a used the IMEI on 9 days" in got["explanation"]
    assert "pairing is the stronger evidence" in got["explanation"]


def test_pairing_every_sim_tells_nothing() -> None:
    got = decide([_use("a", 1, 20), _use("b", 2, 20)], paired={"a", "b"})
    assert got["decided"] is False and got["bases"] == []


def test_binding_rules_out_a_sim_on_a_rat_the_bound_model_lacks() -> None:
    made = Binding("A1", FOUR_G, None, "maker.example")
    got = decide([_use("a", 1, 20, rats=4), _use("b", 2, 20, rats=4 | 8)], binding=made)
    assert _outcome(got) == (True, "binding", ["a"], ["b"])
    assert got["explanation"].startswith(
        "The manufacturer (maker.example) recorded on the ledger that this IMEI was made as "
        "model A1, but SIM b used 5G, which that model does not have."
    )


def test_binding_software_version_rules_out_the_other_versions() -> None:
    made = Binding("A1", None, "07")
    uses = [_sv(_use("a", 1, 20), "07", "08"), _sv(_use("b", 2, 20), "09"), _use("c", 9, 20)]
    got = decide(uses, binding=made)
    # b is ruled out; a (updated from its factory version 07 to 08) and c (no IMEISV
    # reported) remain, and a's steady use before c appeared names it.
    assert _outcome(got) == (True, "continuity", ["a"], ["b", "c"])
    assert got["bases"] == ["binding", "continuity"]
    assert "SIM b's device reports software version 09" in got["explanation"]
    assert "SIM a's reports the factory version 07" in got["explanation"]


def test_binding_software_version_nobody_reports_tells_nothing() -> None:
    made = Binding("A1", None, "07")
    uses = [_sv(_use("a", 1, 20), "08"), _sv(_use("b", 1, 20), "09")]
    assert decide(uses, binding=made)["decided"] is False


def test_binding_is_stronger_than_continuity() -> None:
    made = Binding("A1", None, "07")
    uses = [_sv(_use("a", 1, 20), "09"), _sv(_use("b", 10, 20), "07")]
    got = decide(uses, binding=made)
    assert _outcome(got) == (True, "binding", ["b"], ["a"])
    assert "continuity of use" not in got["explanation"]  # asked about SIM b alone


def test_imeisv_rules_out_a_later_sim_with_another_software_version() -> None:
    uses = [_sv(_use("a", 1, 20), "11"), _sv(_use("b", 4, 20), "13")]
    got = decide(uses)  # a three-day lead: continuity cannot tell
    assert _outcome(got) == (True, "imeisv", ["a"], ["b"])
    assert (
        "The device in use first (SIM a, on 3 days from 2026-11-01 before 2026-11-04) reports "
        "software version 11; SIM b's device reports 13: a different device."
    ) in got["explanation"]
    # two days are not a steady version to compare with
    assert decide([uses[0], replace(uses[1], first_seen=date(2026, 11, 3))])["decided"] is False


def test_imeisv_same_version_is_maybe_the_same_device() -> None:
    uses = [_sv(_use("a", 1, 20), "11"), _sv(_use("b", 4, 20), "11")]
    assert decide(uses)["decided"] is False


def test_imeisv_without_a_first_device_tells_nothing() -> None:
    uses = [_sv(_use("a", 1, 20), "11"), _sv(_use("b", 1, 20), "13")]
    assert decide(uses)["decided"] is False


def test_several_sims_left_cannot_be_told_apart() -> None:
    uses = [_sv(_use("a", 1, 20), "11"), _use("b", 4, 20), _sv(_use("c", 4, 20), "13")]
    got = decide(uses)
    assert _outcome(got) == (False, None, [], ["a", "b", "c"])
    assert got["conflict"] is False and got["bases"] == ["imeisv"]
    assert got["explanation"].endswith(
        "Nothing tells SIMs a, b apart: every SIM using this IMEI is treated as duplicated."
    )


def test_continuity_is_stronger_than_imeisv_and_rat_consistency() -> None:
    uses = [_sv(_use("a", 1, 20, rats=8), "11"), _sv(_use("b", 10, 20), "13")]
    got = decide(uses, model_rats=FOUR_G)
    assert _outcome(got) == (True, "continuity", ["a"], ["b"])
    assert "Weaker evidence points elsewhere" in got["explanation"]
    assert "which the model of this TAC does not support" in got["explanation"]


def test_nothing_at_all_says_so() -> None:
    got = decide([_use("a", 1, 20), _use("b", 1, 20)], registered=PHONE, model_rats=FOUR_G)
    assert got["explanation"].startswith("No registration, pairing, manufacturer binding")


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
    # registration rules out the 5G SIM, the software versions the second SIM
    assert _outcome(got) == (
        True,
        "imeisv",
        ["639010000000001"],
        ["639020000000002", "639020000000003"],
    )
    assert "registered for Acme A1 (2G, 4G)" in got["explanation"]


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
    assert _outcome(before)[:3] == (True, "rat_consistency", ["639010000000001"])
    assert before["bases"] == ["imeisv", "rat_consistency"]
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
    assert bare.conditions[0].clones_decided == 0  # without the binding nothing decides
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
