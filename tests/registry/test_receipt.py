"""Signed KYM receipts: verify offline, with and without a ledger proof; altered ones fail."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from openceir.errors import InputError, IntegrityError
from openceir.ledger.entries import sign_event
from openceir.ledger.events import ImeiLedger
from openceir.ledger.log import Log
from openceir.ledger.participants import add_participant
from openceir.registry import kym, receipt
from openceir.tlog import generate_key
from tests.registry.conftest import imei

IMEI = imei(1)
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
ANSWER = kym.answer(IMEI, kym.Facts(brand="Acme", model="A1", registered=True), NOW.date())
CEIR = generate_key("ceir.testland")


@pytest.fixture
def bundle(tmp_path: Path) -> dict:
    path = tmp_path / "ledger"
    Log.create(path, "ceir.testland.example/log")
    registrar = generate_key("registrar.testland")
    add_participant(path, registrar.verifier.vkey, ["registrar"])
    ledger = ImeiLedger.open(path)
    events = [{"type": "device_registered", "imeis": [i], "reference": "R-1"}
              for i in (imei(2), IMEI, imei(3))]  # fmt: skip
    ledger.append([sign_event(e, registrar) for e in events])
    return json.loads(json.dumps(ledger.inclusion_bundle(ledger.latest_index(IMEI))))


def _file(r: dict) -> bytes:
    return json.dumps(r).encode()


def test_receipt_with_ledger_proof_verifies_against_the_trusted_key(bundle) -> None:
    r = receipt.make_receipt(ANSWER, CEIR, ledger_bundle=bundle, now=NOW)
    got = receipt.verify_receipt(_file(r), CEIR.verifier)
    assert (got.answer["imei"], got.answer["registered"], got.time) == (
        IMEI, True, "2026-12-02T10:00:00Z")  # fmt: skip
    assert got.key_given and got.signer == "ceir.testland"
    assert got.ledger_event["type"] == "device_registered" and IMEI in got.ledger_event["imeis"]


def test_receipt_without_proof_verifies_with_the_embedded_key_but_says_so() -> None:
    got = receipt.verify_receipt(_file(receipt.make_receipt(ANSWER, CEIR, now=NOW)))
    assert got.ledger_event is None and not got.key_given


def test_an_altered_answer_or_another_key_fails() -> None:
    r = receipt.make_receipt(ANSWER, CEIR, now=NOW)
    forged = dict(r, note=r["note"].replace('"stolen":false', '"stolen":true'))
    assert forged["note"] != r["note"]
    with pytest.raises(IntegrityError, match="signature does not verify"):
        receipt.verify_receipt(_file(forged))
    with pytest.raises(IntegrityError, match="signature does not verify"):
        receipt.verify_receipt(_file(r), generate_key("ceir.testland").verifier)


def test_a_proof_of_another_imeis_event_or_an_altered_proof_fails(bundle) -> None:
    other = kym.answer(imei(3), kym.Facts(), NOW.date())
    with pytest.raises(IntegrityError, match=rf"proof is about \['{IMEI}'\], not {imei(3)}"):
        receipt.verify_receipt(_file(receipt.make_receipt(other, CEIR, ledger_bundle=bundle)))
    bad = dict(bundle, entry=bundle["entry"].replace("R-1", "R-2"))
    with pytest.raises(IntegrityError, match="proof of entry 1"):
        receipt.verify_receipt(_file(receipt.make_receipt(ANSWER, CEIR, ledger_bundle=bad)))


@pytest.mark.parametrize(
    "data", [b"not json", b"{}", b'{"format": "x", "note": "", "ceir_key": ""}']
)
def test_a_file_that_is_not_a_receipt_is_input_error(data: bytes) -> None:
    with pytest.raises(InputError, match="not an openceir-kym-receipt/v1 file"):
        receipt.verify_receipt(data)
