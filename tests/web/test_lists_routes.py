"""The lists download API against the real app on uvicorn (127.0.0.1) with a real HTTP client."""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx
import pyarrow as pa
import pytest
from sqlalchemy import select

from openceir.access.tokens import Authority, Client
from openceir.errors import IntegrityError
from openceir.lists.keys import init_key, load_signer, load_verifier
from openceir.lists.run import verify_run, write_run
from openceir.settings import Settings
from openceir.store.migrate import upgrade
from openceir.store.models import AuditEntry
from openceir.store.session import connect, session_scope
from openceir.web import create_app
from tests.lists._cases import AS_OF, E, inputs

RUN1, RUN2 = "20261128T101500Z", "20261129T101500Z"
CLIENTS = [
    Client("op1-eir", "secret-1", "op1", ("ceir-lists",)),
    Client("op2-eir", "secret-2", "op2", ("ceir-lists",)),
    Client("regulator", "secret-a", None, ("ceir-admin",)),
    Client("amf", "secret-n", "op1", ("n5g-eir-eic",)),
]


def _registers():
    keyed = pa.table(
        {"imei_key": pa.array([E], pa.int64()), "imei_raw": pa.array([None], pa.string())}
    )
    return {
        "barred_tacs": pa.table({"tac": ["86000001"]}),
        "monitoring": keyed,
        "registration": keyed,
    }


@pytest.fixture
def served(settings: Settings, live_server):
    """(base URL, settings) of the app serving two list runs, with OAuth2 clients."""
    upgrade(connect(settings.sqlalchemy_url))
    init_key(settings.data_dir)
    signer = load_signer(settings.data_dir)
    write_run(settings.data_dir, inputs(**_registers()), signer, as_of=AS_OF, run_id=RUN1)
    write_run(settings.data_dir, inputs(**_registers()), signer, as_of=AS_OF, run_id=RUN2)
    app = create_app(settings, authority=Authority(b"test-signing-key-0123456789", CLIENTS))
    with live_server(app) as base:
        yield base, settings


def _token(client: httpx.Client, base: str, client_id: str, secret: str) -> dict[str, str]:
    response = client.post(
        base + "/api/v1/oauth2/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _audit(settings: Settings) -> list[tuple[str, str, str | None]]:
    with session_scope(connect(settings.sqlalchemy_url)) as session:
        rows = session.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars().all()
        return [(r.actor, r.action, r.target) for r in rows if r.action == "lists.download"]


def test_operator_downloads_its_run_and_it_verifies(served, tmp_path: Path) -> None:
    base, settings = served
    with httpx.Client() as client:
        key = client.get(base + "/api/v1/lists/key")  # public: no token
        assert key.status_code == 200
        assert key.text == (settings.data_dir / "keys" / "ceir.vkey").read_text()
        auth = _token(client, base, "op1-eir", "secret-1")
        run = client.get(f"{base}/api/v1/lists/runs/{RUN2}", headers=auth).json()
        assert run["base"] == RUN1 and run["as_of"] == AS_OF.isoformat()
        names = {f["name"] for f in run["files"]}
        assert {"blacklist.csv", "notifications_op1.csv", "exceptions_op1_delta.csv"} <= names
        assert {"registered.csv", "tracked_delta.csv", "barred_tacs.zip"} <= names
        assert not any("op2" in n for n in names)
        out = tmp_path / RUN2
        out.mkdir()
        manifest = client.get(f"{base}/api/v1/lists/runs/{RUN2}/manifest", headers=auth)
        (out / "manifest.note").write_bytes(manifest.content)
        for entry in run["files"]:
            response = client.get(base + entry["url"], headers=auth)
            assert response.status_code == 200
            assert response.headers["etag"] == f'"{entry["sha256"]}"'
            assert hashlib.sha256(response.content).hexdigest() == entry["sha256"]
            (out / entry["name"]).write_bytes(response.content)
    (tmp_path / "ceir.vkey").write_text(key.text)
    files = verify_run(out, load_verifier(tmp_path / "ceir.vkey"), partial=True)
    assert set(files) == names
    with pytest.raises(IntegrityError, match="missing"):
        verify_run(out, load_verifier(tmp_path / "ceir.vkey"))  # op2's files are not there
    audited = _audit(settings)
    assert {t for _, _, t in audited} == {
        f"{RUN2}/{n}" for n in names if n.startswith(("notifications_", "exceptions_"))
    }
    assert {a for a, _, _ in audited} == {"client:op1-eir"}


def test_every_route_but_the_key_checks_the_caller(served) -> None:
    base, settings = served
    blacklist = f"{base}/api/v1/lists/runs/{RUN2}/files/blacklist.csv"
    with httpx.Client() as client:
        for url in (f"{base}/api/v1/lists/runs", f"{base}/api/v1/lists/runs/{RUN2}", blacklist):
            response = client.get(url)
            assert response.status_code == 401
            assert response.headers["content-type"] == "application/problem+json"
            assert (
                response.headers["www-authenticate"] == 'Bearer realm="openceir"'
            )  # RFC 6750 §3.1
        bad = client.get(blacklist, headers={"Authorization": "Bearer x.y.z"})
        assert bad.status_code == 401
        amf = _token(client, base, "amf", "secret-n")  # N5g-eir scope only
        assert client.get(blacklist, headers=amf).status_code == 403
        refused = client.post(
            base + "/api/v1/oauth2/token",
            data={
                "grant_type": "client_credentials",
                "client_id": "op1-eir",
                "client_secret": "no",
            },
        )
        assert refused.status_code == 401 and refused.json()["error"] == "invalid_client"
        op1 = _token(client, base, "op1-eir", "secret-1")
        other = client.get(
            f"{base}/api/v1/lists/runs/{RUN2}/files/notifications_op2.csv", headers=op1
        )
        assert other.status_code == 403
        assert other.headers["content-type"] == "application/problem+json"
        admin = _token(client, base, "regulator", "secret-a")
        seen = client.get(
            f"{base}/api/v1/lists/runs/{RUN2}/files/notifications_op2.csv", headers=admin
        )
        assert seen.status_code == 200 and seen.text.startswith("imei,imsi,msisdn")
        admin_names = {
            f["name"]
            for f in client.get(f"{base}/api/v1/lists/runs/{RUN2}", headers=admin).json()["files"]
        }
        assert "exceptions_op2.csv" in admin_names and "exceptions_op1.csv" in admin_names
    assert _audit(settings) == [
        ("client:regulator", "lists.download", f"{RUN2}/notifications_op2.csv")
    ]


def test_unknown_runs_files_and_paths_are_404_problems(served) -> None:
    base, _ = served
    with httpx.Client() as client:
        auth = _token(client, base, "op1-eir", "secret-1")
        for path in (
            "/api/v1/lists/runs/20200101T000000Z",
            "/api/v1/lists/runs/..%2F..%2Fkeys",
            "/api/v1/lists/runs/20200101T000000Z/manifest",
            f"/api/v1/lists/runs/{RUN2}/files/nothing.csv",
            f"/api/v1/lists/runs/{RUN2}/files/manifest.note",
            f"/api/v1/lists/runs/{RUN2}/files/..%2F..%2Fkeys%2Fceir.key",
            f"/api/v1/lists/runs/{RUN2}%0A/files/blacklist.csv",
            f"/api/v1/lists/runs/..%2F{RUN2}/files/blacklist.csv",
        ):
            response = client.get(base + path, headers=auth)
            assert response.status_code == 404, (path, response.status_code)
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["status"] == 404


def test_runs_page_with_a_cursor_and_etag_answers_304(served) -> None:
    base, _ = served
    with httpx.Client() as client:
        auth = _token(client, base, "op2-eir", "secret-2")
        first = client.get(f"{base}/api/v1/lists/runs", params={"limit": 1}, headers=auth).json()
        assert [r["run"] for r in first["runs"]] == [RUN1] and first["next"] == RUN1
        second = client.get(
            f"{base}/api/v1/lists/runs", params={"limit": 1, "after": first["next"]}, headers=auth
        ).json()
        assert [r["run"] for r in second["runs"]] == [RUN2] and second["next"] is None
        url = f"{base}/api/v1/lists/runs/{RUN2}/files/blacklist.zip"
        full = client.get(url, headers=auth)
        assert full.headers["content-type"] == "application/zip"
        again = client.get(url, headers={**auth, "If-None-Match": full.headers["etag"]})
        assert again.status_code == 304 and again.content == b""


def test_without_clients_nothing_but_the_key_is_served(tmp_path: Path, live_server) -> None:
    settings = Settings(data_dir=tmp_path)
    init_key(tmp_path)
    with live_server(create_app(settings)) as base, httpx.Client() as client:
        assert client.get(base + "/api/v1/lists/key").status_code == 200
        assert client.get(base + "/api/v1/lists/runs").status_code == 401
