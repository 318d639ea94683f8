"""The cases API on real uvicorn (127.0.0.1) with a real SMS gateway: report to unblock."""

from __future__ import annotations

import httpx
import pytest

from openceir.access.tokens import Authority, Client
from openceir.store.migrate import upgrade
from openceir.store.session import connect
from openceir.web import create_app
from tests.cases.conftest import IMEI_A, OWNER, STATION, STATION_PHONE, configure
from tests.notify.servers import SmsGateway, wait_until

CLIENTS = [
    Client("police-hq", "secret-a", None, ("ceir-admin",)),
    Client("op1-eir", "secret-1", "op1", ("ceir-lists",)),
]


@pytest.fixture
def served(settings, live_server):
    with SmsGateway() as sms:
        configured = configure(settings, sms.url)
        upgrade(connect(configured.sqlalchemy_url))
        app = create_app(configured, authority=Authority(b"test-signing-key-0123456789", CLIENTS))
        with live_server(app) as base, httpx.Client(base_url=base) as client:
            yield client, sms


def token(client: httpx.Client, client_id: str, secret: str) -> dict[str, str]:
    response = client.post(
        "/api/v1/oauth2/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
    )
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def code_for(client, sms, msisdn=OWNER):
    sent = sms.codes(msisdn)
    response = client.post("/api/v1/cases/codes", json={"msisdn": msisdn})
    assert response.status_code == 202, response.text
    wait_until(lambda: sms.codes(msisdn) > sent)
    return response.json()["code_token"], sms.last_code(msisdn)


def test_report_follow_recover_unblock_over_http(served):
    client, sms = served
    token_, code = code_for(client, sms)
    filed = client.post(
        "/api/v1/cases",
        json={
            "imei": IMEI_A,
            "msisdn": OWNER,
            "station": STATION,
            "code_token": token_,
            "code": code,
        },
    )
    assert filed.status_code == 201, filed.text
    rid = filed.json()["request_id"]
    assert client.get(f"/api/v1/cases/imei/{IMEI_A}").json()["stolen"] is True
    follow = client.get(f"/api/v1/cases/requests/{rid.lower()}").json()
    assert (follow["status"], follow["blocked"]) == ("open", True)
    assert "msisdn" not in follow and follow["imeis"] == ["49015420******8"]

    police = token(client, "police-hq", "secret-a")
    listed = client.get("/api/v1/cases", params={"station": STATION}, headers=police).json()
    assert [c["request_id"] for c in listed] == [rid]
    recovered = client.post(f"/api/v1/cases/{rid}/recover", json={}, headers=police).json()
    assert recovered["status"] == "recovered" and recovered["msisdn"] == OWNER

    sent = sms.codes(OWNER)
    ch = client.post(f"/api/v1/cases/requests/{rid}/unblock-code")
    assert ch.status_code == 202
    wait_until(lambda: sms.codes(OWNER) > sent)
    code = sms.last_code(OWNER)
    done = client.post(
        f"/api/v1/cases/requests/{rid}/unblock",
        json={"code_token": ch.json()["code_token"], "code": code},
    )
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["blocked"]) == ("closed", False)
    assert client.get(f"/api/v1/cases/imei/{IMEI_A}").json() == {"imei": IMEI_A, "stolen": False}
    assert STATION_PHONE  # the station is told of alerts only (see tests/cases/test_trace.py)


def test_bad_input_and_missing_roles_get_clear_answers(served):
    client, sms = served
    bad = client.post(
        "/api/v1/cases",
        json={"imei": "490154203237519", "msisdn": OWNER, "code_token": "x", "code": "1"},
    )
    assert bad.status_code == 400
    assert bad.json()["invalidParams"] == [
        {"param": "imei", "reason": "IMEI 490154203237519: bad check digit 9, expected 8"}
    ]
    token_, code = code_for(client, sms)
    wrong = client.post(
        "/api/v1/cases",
        json={
            "imei": IMEI_A,
            "msisdn": OWNER,
            "code_token": token_,
            "code": "000000" if code != "000000" else "1",
        },
    )
    assert wrong.status_code == 400 and "wrong code" in wrong.json()["detail"]
    assert client.get("/api/v1/cases").status_code == 401
    operator = token(client, "op1-eir", "secret-1")
    assert client.get("/api/v1/cases/alerts", headers=operator).status_code == 403
    assert client.get("/api/v1/cases/RQ-2222-2222", headers=operator).status_code == 403
    police = token(client, "police-hq", "secret-a")
    assert client.get("/api/v1/cases/RQ-2222-2222", headers=police).status_code == 404
    assert client.post("/api/v1/cases/codes", json={}).status_code == 400


def test_code_requests_are_rate_limited_per_number(served):
    client, _sms = served
    answers = [
        client.post("/api/v1/cases/codes", json={"msisdn": f"25471100000{i % 2}"}).status_code
        for i in range(12)
    ]
    assert answers[:2] == [202, 202]
    limited = client.post("/api/v1/cases/codes", json={"msisdn": OWNER})
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    assert 429 in answers
