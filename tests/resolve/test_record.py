"""Resolution end to end: a real server on 127.0.0.1 and the unmodified pyhandle client."""

from __future__ import annotations

from datetime import date

import httpx
import pytest
from pyhandle.handleclient import RESTHandleClient

from openceir.settings import Settings
from openceir.store.migrate import upgrade
from openceir.store.registers import RegistrationRow, StolenRow, TacCatalog
from openceir.store.session import connect, session_scope
from openceir.web import create_app

IMEI = "352099001761481"  # TAC 35209900, serial 176148, check digit 1
STOLEN_IMEI = "352099001761499"


@pytest.fixture
def store(settings: Settings) -> Settings:
    """A store with one TAC, one registered IMEI and one stolen IMEI."""
    settings.public_url = "http://ceir.test"
    engine = connect(settings.sqlalchemy_url)
    upgrade(engine)
    start = date(2026, 11, 1)
    with session_scope(engine) as session:
        session.add(
            TacCatalog(
                tac="35209900",
                manufacturer="Acme",
                model="Phone 1",
                device_type="Smartphone",
                rats=["2G", "3G", "4G"],
                allocation_date=date(2020, 1, 15),
                start_date=start,
            )
        )
        session.add(
            RegistrationRow(
                imei_key=int(IMEI[:14]),
                status="whitelist",
                make="Acme",
                model="Phone 1",
                start_date=start,
            )
        )
        session.add(
            StolenRow(
                imei_key=int(STOLEN_IMEI[:14]),
                reporting_date=date(2026, 11, 20),
                status="stolen",
                start_date=date(2026, 11, 20),
            )
        )
    return settings


def test_unmodified_pyhandle_client_resolves_an_imei(store: Settings, live_server) -> None:
    prefix = store.handle_prefix
    with live_server(create_app(store)) as base:
        client = RESTHandleClient.instantiate_for_read_access(handle_server_url=base)
        record = client.retrieve_handle_record_json(f"{prefix}/IMEI.{IMEI}")
        model = client.get_value_from_handle(f"{prefix}/IMEI.{IMEI}", "MODEL")
        stolen = client.retrieve_handle_record(f"{prefix}/IMEI.{STOLEN_IMEI}")
        missing = client.retrieve_handle_record_json(f"{prefix}/IMEI.490154203237518")
    assert record["responseCode"] == 1 and record["handle"] == f"{prefix}/IMEI.{IMEI}"
    by_type = {v["type"]: v["data"]["value"] for v in record["values"]}
    assert by_type["IMEI"] == IMEI and by_type["TAC"] == "35209900"
    assert by_type["MANUFACTURER"] == "Acme" and by_type["RATS"] == "2G,3G,4G"
    assert by_type["REGISTERED"] == "whitelist" and "REPORTED_STOLEN" not in by_type
    assert model == "Phone 1"
    assert stolen["REPORTED_STOLEN"] == "2026-11-20"
    assert missing is None


def _get(settings: Settings, path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=create_app(settings))
    import asyncio

    async def go() -> httpx.Response:
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return await client.get(path)

    return asyncio.run(go())


def test_fourteen_digit_imei_resolves_to_canonical_handle(store: Settings) -> None:
    response = _get(store, f"/api/handles/{store.handle_prefix}/IMEI.{IMEI[:14]}")
    assert response.status_code == 200
    values = {v["type"]: v["data"]["value"] for v in response.json()["values"]}
    assert values["IMEI"] == IMEI
    assert values["URL"].endswith(f"/api/handles/{store.handle_prefix}/IMEI.{IMEI}")


def test_tac_record_and_filters(store: Settings) -> None:
    base = f"/api/handles/{store.handle_prefix}/TAC.35209900"
    full = _get(store, base).json()
    assert {v["type"] for v in full["values"]} >= {"TAC", "MODEL", "ALLOCATION_DATE"}
    only = _get(store, base + "?type=MODEL&index=3").json()
    assert sorted(v["index"] for v in only["values"]) == [3, 11]
    none = _get(store, base + "?index=999").json()
    assert none == {
        "responseCode": 200,
        "handle": f"{store.handle_prefix}/TAC.35209900",
        "values": [],
    }


def test_unknown_tac_is_404_with_response_code_100(store: Settings) -> None:
    response = _get(store, f"/api/handles/{store.handle_prefix}/TAC.99999999")
    assert response.status_code == 404 and response.json()["responseCode"] == 100


def test_foreign_prefix_is_301_and_bad_imei_is_400(store: Settings) -> None:
    foreign = _get(store, f"/api/handles/11.9999/IMEI.{IMEI}")
    assert foreign.status_code == 400 and foreign.json()["responseCode"] == 301
    bad = _get(store, f"/api/handles/{store.handle_prefix}/IMEI.352099001761482")
    assert bad.status_code == 400 and bad.json()["responseCode"] == 2
    assert "check digit" in bad.json()["message"]
