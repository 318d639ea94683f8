"""N5g-eir equipment-status against real Hypercorn on 127.0.0.1 (HTTP/1.1 and h2c)."""

from __future__ import annotations

import json
import random
import re
import threading
from pathlib import Path
from urllib.parse import parse_qsl

import httpx
import pytest
import yaml

from openceir.access.tokens import Authority
from openceir.eir.check_events import CheckEventLog
from openceir.eir.n5g import PATH, N5gEirApp, pei_key, query_params
from openceir.eir.pei import parse_pei
from openceir.eir.service import EirPolicy, EirService
from openceir.eir.snapshot import STATUS_NAMES
from openceir.errors import InputError
from tests.eir.conftest import GRACE, PAIRED, PAIRED_IMSI, STOLEN, TRACKED, UNLISTED, build, pei
from tests.eir.servers import free_port, hypercorn_server

CLIENTS = """
signing_key = "test-signing-key-0123456789"
token_lifetime = 60
[[clients]]
id = "amf-alpha"
secret = "alpha-secret"
operator = "alpha"
scopes = ["n5g-eir-eic"]
[[clients]]
id = "other"
secret = "other-secret"
scopes = ["nudm-sdm"]
"""


@pytest.fixture
def served(eir_root: Path, tmp_path: Path):
    """Factory: serve the fixture snapshot with a policy/OAuth, yielding (base URL, app)."""
    running = []

    def start(policy: EirPolicy | None = None, oauth: bool = False, reload_interval=1.0):
        authority = None
        if oauth:
            clients = tmp_path / "clients.toml"
            clients.write_text(CLIENTS)
            authority = Authority.from_file(clients)
        app = N5gEirApp(
            EirService(eir_root, policy, reload_interval=reload_interval),
            authority=authority,
            events=CheckEventLog(tmp_path / "lake"),
        )
        port = free_port()
        server = hypercorn_server(app, port).__enter__()
        running.append(server)
        return f"http://127.0.0.1:{port}", app

    yield start
    for server in running:
        server.__exit__(None, None, None)


def _get(client: httpx.Client, base: str, **params: str) -> httpx.Response:
    return client.get(base + PATH, params=params)


@pytest.mark.parametrize("http2", [False, True], ids=["http1.1", "h2c"])
def test_equipment_status_over_http1_and_h2c(served, http2: bool) -> None:
    base, _ = served()
    with httpx.Client(http1=not http2, http2=http2) as client:
        cases = [
            ({"pei": pei(STOLEN)}, "BLACKLISTED"),
            ({"pei": pei(PAIRED), "supi": f"imsi-{PAIRED_IMSI}"}, "WHITELISTED"),
            ({"pei": pei(PAIRED), "supi": "imsi-639019999999999"}, "BLACKLISTED"),
            ({"pei": f"imeisv-{GRACE:014d}01"}, "GREYLISTED"),
            ({"pei": pei(TRACKED), "gpsi": "msisdn-254700000001"}, "GREYLISTED"),
            ({"pei": pei(UNLISTED)}, "WHITELISTED"),
            ({"pei": "mac-00-11-22-33-44-55"}, "WHITELISTED"),
        ]
        for params, status in cases:
            response = _get(client, base, **params)
            assert response.http_version == ("HTTP/2" if http2 else "HTTP/1.1")
            assert response.status_code == 200
            assert response.headers["content-type"] == "application/json"
            assert response.json() == {"status": status}, params


PROBLEMS = [
    ({}, 400, "MANDATORY_IE_MISSING", "pei"),
    ({"pei": "imei-123"}, 400, "MANDATORY_IE_INCORRECT", "pei"),
    ({"pei": "foo"}, 400, "MANDATORY_IE_INCORRECT", "pei"),
    ({"pei": pei(STOLEN), "supi": "imsi-12x"}, 400, "OPTIONAL_IE_INCORRECT", "supi"),
    ({"pei": pei(STOLEN), "gpsi": "msisdn-1"}, 400, "OPTIONAL_IE_INCORRECT", "gpsi"),
]


@pytest.mark.parametrize(("params", "status", "cause", "param"), PROBLEMS)
def test_bad_requests_get_problem_details_with_cause(served, params, status, cause, param) -> None:
    base, _ = served()
    response = httpx.get(base + PATH, params=params)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert (body["status"], body["cause"]) == (status, cause)
    assert body["invalidParams"][0]["param"] == param


def test_unregistered_equipment_is_404_equipment_unknown_in_restrictive_mode(served) -> None:
    base, _ = served(EirPolicy(restrictive=True, unknown="not-found"))
    response = httpx.get(base + PATH, params={"pei": pei(UNLISTED)})
    assert response.status_code == 404
    assert response.json()["cause"] == "ERROR_EQUIPMENT_UNKNOWN"
    assert response.headers["content-type"] == "application/problem+json"
    ok = httpx.get(base + PATH, params={"pei": pei(PAIRED), "supi": f"imsi-{PAIRED_IMSI}"})
    assert ok.json() == {"status": "WHITELISTED"}


def test_restrictive_mode_can_answer_greylisted_instead(served) -> None:
    base, _ = served(EirPolicy(restrictive=True, unknown="greylisted"))
    response = httpx.get(base + PATH, params={"pei": pei(UNLISTED)})
    assert response.json() == {"status": "GREYLISTED"}


def test_unknown_path_and_wrong_method_are_problems(served) -> None:
    base, _ = served()
    assert httpx.get(base + "/nope").status_code == 404
    assert httpx.post(base + PATH, params={"pei": pei(STOLEN)}).status_code == 405


def test_oauth2_client_credentials_guard_the_api(served) -> None:
    base, _ = served(oauth=True)
    denied = httpx.get(base + PATH, params={"pei": pei(STOLEN)})
    assert denied.status_code == 401
    # RFC 6750 §3.1: a request without a token gets no error code
    assert denied.headers["www-authenticate"] == 'Bearer realm="openceir"'
    assert denied.headers["content-type"] == "application/problem+json"
    token = httpx.post(
        base + "/oauth2/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "amf-alpha",
            "client_secret": "alpha-secret",
            "scope": "n5g-eir-eic",
        },
    )
    assert token.status_code == 200
    access = token.json()["access_token"]
    with httpx.Client(
        http1=False, http2=True, headers={"authorization": f"Bearer {access}"}
    ) as client:
        assert _get(client, base, pei=pei(STOLEN)).json() == {"status": "BLACKLISTED"}
    tampered = access[:-2] + ("AA" if access[-2:] != "AA" else "BB")
    bad = httpx.get(
        base + PATH, params={"pei": pei(STOLEN)}, headers={"authorization": f"Bearer {tampered}"}
    )
    assert bad.status_code == 401
    assert bad.headers["www-authenticate"] == 'Bearer error="invalid_token"'


def test_token_endpoint_refuses_bad_secret_scope_and_grant(served) -> None:
    base, _ = served(oauth=True)
    url = base + "/oauth2/token"
    wrong = httpx.post(
        url,
        data={
            "grant_type": "client_credentials",
            "client_id": "amf-alpha",
            "client_secret": "nope",
        },
    )
    assert (wrong.status_code, wrong.json()["error"]) == (401, "invalid_client")
    scope = httpx.post(
        url,
        data={
            "grant_type": "client_credentials",
            "client_id": "other",
            "client_secret": "other-secret",
            "scope": "n5g-eir-eic",
        },
    )
    assert (scope.status_code, scope.json()["error"]) == (400, "invalid_scope")
    grant = httpx.post(url, data={"grant_type": "password"})
    assert grant.json()["error"] == "unsupported_grant_type"
    basic = httpx.post(
        url, data={"grant_type": "client_credentials"}, auth=("amf-alpha", "alpha-secret")
    )
    assert basic.json()["scope"] == "n5g-eir-eic"


def test_oauth_off_token_endpoint_answers_as_the_web_one_does(served) -> None:
    base, _ = served()
    grant = httpx.post(base + "/oauth2/token", data={"grant_type": "x"})
    assert (grant.status_code, grant.json()["error"]) == (400, "unsupported_grant_type")
    body = {"grant_type": "client_credentials", "client_id": "a", "client_secret": "b"}
    refused = httpx.post(base + "/oauth2/token", data=body)
    assert (refused.status_code, refused.json()["error"]) == (401, "invalid_client")
    assert refused.headers["cache-control"] == "no-store"


def test_token_endpoint_refuses_an_oversized_body_with_413(served) -> None:
    base, _ = served(oauth=True)
    response = httpx.post(base + "/oauth2/token", content=b"a" * 100_000)
    assert response.status_code == 413
    assert response.json()["error"] == "invalid_request"


def test_metrics_count_answers_by_status_and_snapshot(served) -> None:
    base, _ = served()
    httpx.get(base + PATH, params={"pei": pei(STOLEN)})
    httpx.get(base + PATH, params={"pei": "bad"})
    text = httpx.get(base + "/metrics").text
    assert 'openceir_eir_answers_total{interface="n5g",status="BLACKLISTED"} 1' in text
    assert 'openceir_eir_answers_total{interface="n5g",status="MANDATORY_IE_INCORRECT"} 1' in text
    assert 'openceir_eir_requests_total{interface="n5g"} 2' in text
    assert 'openceir_eir_request_seconds_count{interface="n5g"} 2' in text
    assert 'openceir_eir_snapshot_info{run_id="run-1"' in text
    assert "openceir_eir_snapshot_generation 1" in text


def test_checks_with_sim_identity_become_check_events(served, tmp_path: Path) -> None:
    base, app = served()
    httpx.get(
        base + PATH,
        params={"pei": pei(STOLEN), "supi": "imsi-639011111111111", "gpsi": "msisdn-254700000001"},
    )
    httpx.get(base + PATH, params={"pei": pei(STOLEN)})  # no SIM identity
    assert app.events.pending == 1
    app.events.flush()
    files = list((tmp_path / "lake" / "check_events").rglob("*.parquet"))
    assert len(files) == 1


def test_snapshot_swap_during_traffic_loses_no_request(served, eir_root: Path) -> None:
    base, app = served(reload_interval=0.0)
    results: list[tuple[int, str]] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def hammer(http2: bool) -> None:
        try:
            with httpx.Client(http1=not http2, http2=http2) as client:
                while not stop.is_set():
                    r = _get(client, base, pei=pei(STOLEN))
                    results.append((r.status_code, r.json()["status"]))
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=hammer, args=(h2,)) for h2 in (False, True, False)]
    for t in threads:
        t.start()
    for n in range(2, 6):  # alternate: STOLEN listed, then not listed
        empty = n % 2 == 0
        build(eir_root, f"run-{n}", **({"blocked": None} if empty else {}))
        while app.service.snapshot.run_id != f"run-{n}":
            pass
        marker = len(results)
        while len(results) < marker + 20 and not errors:
            pass
    stop.set()
    for t in threads:
        t.join(10)
    assert not errors
    assert len(results) > 80
    assert {code for code, _ in results} == {200}
    assert {status for _, status in results} == {"BLACKLISTED", "WHITELISTED"}
    assert app.service.generation == 5


def test_answers_follow_the_3gpp_openapi_contract(shared_dir: Path) -> None:
    spec_dir = shared_dir / "specs" / "3gpp"
    eic = yaml.safe_load((spec_dir / "TS29511_N5g-eir_EquipmentIdentityCheck.yaml").read_text())
    common = yaml.safe_load((spec_dir / "TS29571_CommonData.yaml").read_text())
    schemas = eic["components"]["schemas"]
    assert set(schemas["EquipmentStatus"]["enum"]) == set(STATUS_NAMES[:3])
    assert schemas["EirResponseData"]["required"] == ["status"]
    assert set(eic["paths"]) == {"/equipment-status"}
    assert eic["servers"][0]["url"].endswith("/n5g-eir-eic/v1")
    params = {p["name"] for p in eic["paths"]["/equipment-status"]["get"]["parameters"]}
    assert {"pei", "supi", "gpsi"} <= params
    pattern = re.compile(common["components"]["schemas"]["Pei"]["pattern"])
    assert pattern.match(pei(STOLEN)) and pattern.match("mac-00-11-22-33-44-55-untrusted")
    problem_props = set(common["components"]["schemas"]["ProblemDetails"]["properties"])
    body = json.loads(
        __import__("openceir.eir.n5g", fromlist=["problem"]).problem(
            400, "Bad Request", "x", "MANDATORY_IE_INCORRECT", "pei"
        )
    )
    assert set(body) <= problem_props


PEI_INPUTS = [
    "imei-490154203237518",
    "imei-490154203237510",  # wrong 15th digit: accepted, the key is the first 14
    "imei-000000000000000",
    "imei-999999999999999",
    "imei-49015420323751",  # 14 digits
    "imei-4901542032375181",  # 16 digits
    "imei-49015420323751a",
    "imei-٤٩٠١٥٤٢٠٣٢٣٧٥١٨",  # Arabic-Indic digits: not ASCII
    "imei-490154203237518 ",
    " imei-490154203237518",
    "IMEI-490154203237518",
    "imeisv-4901542032375181",
    "imeisv-4901542032375199",  # reserved software version
    "mac-00-11-22-aa-BB-cc",
    "eui-00-11-22-33-44-55-66-77",
    "",
    "imei-",
]


def _outcome(fn, text):
    try:
        return fn(text)
    except InputError as exc:
        return ("InputError", exc.field)


@pytest.mark.parametrize("text", PEI_INPUTS)
def test_pei_key_fast_path_agrees_with_parse_pei(text: str) -> None:
    assert _outcome(pei_key, text) == _outcome(lambda t: parse_pei(t).key, text)


def test_pei_key_agrees_with_parse_pei_on_random_imei_peis() -> None:
    rng = random.Random(5)
    for _ in range(2000):
        digits = "".join(rng.choice("0123456789") for _ in range(rng.choice([14, 15, 15, 16])))
        for text in (f"imei-{digits}", f"imeisv-{digits}"):
            assert _outcome(pei_key, text) == _outcome(lambda t: parse_pei(t).key, text)


@pytest.mark.parametrize(
    "raw",
    [
        b"pei=imei-490154203237518&supi=imsi-63901123",
        b"pei=imei-1&pei=imei-2",  # last value wins
        b"pei=&supi=imsi-1",  # empty value dropped
        b"pei",
        b"&&pei=x&",
        b"pei=imei%2D490154203237518",
        b"gpsi=msisdn-254+700",
        b"a=b=c",
        b"",
        b"pei=caf\xe9",
    ],
)
def test_query_params_agrees_with_parse_qsl(raw: bytes) -> None:
    assert query_params(raw) == dict(parse_qsl(raw.decode("latin-1")))
