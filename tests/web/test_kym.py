"""/api/v1/kym on the real app over a real socket: answer, SMS, receipt, bulk with a token."""

from __future__ import annotations

import httpx
import pytest
from openceir.eir.oauth import Authority, Client

from openceir.lists.keys import init_key
from openceir.registry.receipt import verify_receipt
from openceir.settings import Settings
from openceir.store.registers import RegistrationRow
from openceir.store.session import session_scope
from openceir.tlog import parse_vkey
from openceir.web import create_app
from tests.registry.conftest import DAY, STOLEN, engine, imei  # noqa: F401  (fixture)

CLIENTS = [Client("dealer", "secret-d", None, ("ceir-lists",))]
IMEI = imei(1)


@pytest.fixture
def base(settings: Settings, engine, live_server):  # noqa: F811
    with session_scope(engine) as session:
        session.add(RegistrationRow(imei_key=int(IMEI[:14]), imei_raw=IMEI, make="Acme",
                                    model="A1", status="approved", start_date=DAY))  # fmt: skip
    init_key(settings.data_dir)
    app = create_app(settings, authority=Authority(b"test-signing-key-0123456789", CLIENTS))
    with live_server(app) as url:
        yield url


def test_public_answer_sms_and_receipt(base: str, settings: Settings) -> None:
    with httpx.Client(base_url=base) as client:
        answer = client.get(f"/api/v1/kym/{IMEI}")
        sms = client.get(f"/api/v1/kym/{IMEI}/sms")
        stolen = client.get(f"/api/v1/kym/{STOLEN}").json()
        invalid = client.get("/api/v1/kym/12345").json()
        receipt = client.get(f"/api/v1/kym/{IMEI}/receipt")
    assert answer.status_code == 200
    assert {k: answer.json()[k] for k in ("imei", "registered", "brand", "status")} == {
        "imei": IMEI, "registered": True, "brand": "Acme", "status": "allowed"}  # fmt: skip
    assert sms.text == f"KYM {IMEI}: Acme A1. type-approved, registered. Network: allowed."
    assert sms.headers["content-type"].startswith("text/plain") and len(sms.text) <= 160
    assert stolen["stolen"] is True
    assert (invalid["valid"], invalid["why"]) == (False, ["This is not a valid IMEI."])
    vkey = parse_vkey((settings.data_dir / "keys" / "ceir.vkey").read_text())
    got = verify_receipt(receipt.content, vkey)
    assert got.answer["imei"] == IMEI and got.answer["registered"] is True


def test_bulk_needs_a_token_and_answers_a_row_per_imei(base: str) -> None:
    body = f"imei\n{IMEI}\n{STOLEN}\n=cmd|' /C calc'!A0\n".encode()
    with httpx.Client(base_url=base) as client:
        refused = client.post("/api/v1/kym/bulk", content=body)
        token = client.post("/api/v1/oauth2/token", data={
            "grant_type": "client_credentials", "client_id": "dealer",
            "client_secret": "secret-d"}).json()["access_token"]  # fmt: skip
        auth = {"Authorization": f"Bearer {token}"}
        ok = client.post("/api/v1/kym/bulk", content=body, headers=auth)
        bad = client.post("/api/v1/kym/bulk", content=b"serial\n1\n", headers=auth)
    assert refused.status_code == 401
    assert refused.headers["content-type"] == "application/problem+json"
    assert ok.status_code == 200 and ok.headers["content-type"].startswith("text/csv")
    assert ok.text.splitlines() == [
        "imei,valid,type_approved,registered,stolen,duplicated,status,date",
        f"{IMEI},yes,yes,yes,no,no,allowed,",
        f"{STOLEN},yes,yes,no,yes,no,allowed,",
        "'=cmd|' /C calc'!A0,no,no,no,no,no,allowed,",
    ]
    assert bad.status_code == 400 and "no `imei` column" in bad.json()["detail"]
