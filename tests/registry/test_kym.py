"""Know Your Mobile: the answer per case, the SMS, bulk agreeing with single, no subscriber data."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from openceir.registry import kym
from openceir.store.classification import ClassificationState
from openceir.store.registers import ExemptRow, RegistrationRow
from openceir.store.session import session_scope
from tests.registry.conftest import DAY, OTHER_TAC, STOLEN, imei

TODAY = DAY + timedelta(days=10)
REGISTERED, GRACE, BLOCKED, CLONED, EXEMPT = imei(1), imei(2), imei(3), imei(4), imei(5)
IMSI = "639011234567890"


@pytest.fixture
def store(engine):
    def state(i: str, condition: str, block: date, reason: str, **kw) -> ClassificationState:
        return ClassificationState(imei_key=int(i[:14]), imei_raw=i, condition=condition,
                                   start_date=DAY, block_date=block, blocking=True,
                                   reason=reason, run_id=1, evidence={}, **kw)  # fmt: skip

    with session_scope(engine) as session:
        session.add_all(
            [
                RegistrationRow(imei_key=int(REGISTERED[:14]), imei_raw=REGISTERED, make="Acme",
                                model="A1", status="approved", start_date=DAY),
                state(GRACE, "not_registered", TODAY + timedelta(days=50),
                      "The phone is not registered."),
                state(BLOCKED, "tac_not_allocated", DAY, "The model code was never allocated."),
                state(CLONED, "duplicate", TODAY + timedelta(days=3), "Used by several SIMs.",
                      clone_imsis=[IMSI], genuine_imsis=["639019999999999"]),
                state(EXEMPT, "not_registered", DAY, "The phone is not registered."),
                ExemptRow(imei_key=int(EXEMPT[:14]), imei_raw=EXEMPT, start_date=DAY),
                state(STOLEN, "stolen", DAY, "The phone was reported lost or stolen."),
            ]
        )  # fmt: skip
    return engine


def _ask(engine, value: str) -> kym.Answer:
    with session_scope(engine) as session:
        return kym.lookup(session, value, TODAY)


def test_answers_for_each_kind_of_device(store) -> None:
    reg = _ask(store, REGISTERED)
    assert (reg.valid, reg.brand, reg.model, reg.type_approved, reg.registered) == (
        True, "Acme", "A1", True, True)  # fmt: skip
    assert (reg.status, reg.why, reg.next) == ("allowed", [], kym.NEXT_STEPS["ok"])
    grace = _ask(store, GRACE)
    assert (grace.status, grace.until, grace.since) == ("grace", "2027-01-30", None)
    assert grace.why == ["The phone is not registered."]
    assert grace.next == kym.NEXT_STEPS["not_registered"]
    blocked = _ask(store, BLOCKED)
    assert (blocked.status, blocked.since) == ("blocked", "2026-12-01")
    stolen = _ask(store, STOLEN)
    assert (stolen.stolen, stolen.status, stolen.next) == (
        True,
        "blocked",
        kym.NEXT_STEPS["stolen"],
    )
    cloned = _ask(store, CLONED)
    assert (cloned.duplicated, cloned.status) == (True, "grace")
    assert cloned.next == kym.NEXT_STEPS["duplicate"]
    assert IMSI not in str(cloned.as_dict()) and "639019999999999" not in str(cloned.as_dict())
    exempt = _ask(store, EXEMPT)
    assert (exempt.status, exempt.registered) == ("allowed", True)
    other = _ask(store, imei(7, OTHER_TAC))
    assert (other.brand, other.type_approved, other.next) == (
        "Zeta", False, kym.NEXT_STEPS["not_type_approved"])  # fmt: skip


@pytest.mark.parametrize("value", ["35209900000001", "352099000000019x", "", "=1+1", "0" * 200])
def test_an_invalid_imei_says_so_and_nothing_else(store, value: str) -> None:
    a = _ask(store, value)
    assert (a.valid, a.brand, a.registered, a.status) == (False, None, False, "allowed")
    assert a.why == ["This is not a valid IMEI."] and len(a.imei) <= 32


def test_sms_text_fits_160_characters_and_says_the_status(store) -> None:
    assert kym.sms_text(_ask(store, REGISTERED)) == (
        f"KYM {REGISTERED}: Acme A1. type-approved, registered. Network: allowed."
    )
    assert "BLOCKED since 2026-12-01" in kym.sms_text(_ask(store, STOLEN))
    assert "REPORTED STOLEN" in kym.sms_text(_ask(store, STOLEN))
    long = kym.Answer(REGISTERED, True, "B" * 90, "M" * 90, False, False, True, True, "grace",
                      None, "2027-01-01", [], "")  # fmt: skip
    text = kym.sms_text(long)
    assert len(text) == 160 and text.endswith("blocked on 2027-01-01 unless fixed.")
    assert len(kym.sms_text(_ask(store, "x" * 40))) <= 160


def test_bulk_agrees_with_the_single_answer(store) -> None:
    values = [REGISTERED, GRACE, BLOCKED, CLONED, EXEMPT, STOLEN, imei(7, OTHER_TAC), "123",
              imei(8), "35-209900-000001-" + imei(1)[-1]]  # fmt: skip
    with session_scope(store) as session:
        index = kym.KymIndex.load(session, TODAY)
        single = [kym.lookup(session, v, TODAY) for v in values]
    bulk = index.bulk(np.array(values))
    for i, a in enumerate(single):
        got = (bool(bulk["valid"][i]), str(bulk["status"][i]), bool(bulk["registered"][i]),
               bool(bulk["stolen"][i]), bool(bulk["duplicated"][i]),
               bool(bulk["type_approved"][i]))  # fmt: skip
        want = (a.valid, a.status, a.registered, a.stolen, a.duplicated, a.type_approved)
        assert got == want, values[i]
        assert index.answer(values[i]) == a, values[i]
