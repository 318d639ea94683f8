"""OAuth2 clients in the store: add, rotate, revoke; the legacy TOML still read; the web
token endpoint with HTTP Basic for a store client."""

from __future__ import annotations

import base64

import pytest
from fastapi.testclient import TestClient

from openceir.access import clients
from openceir.errors import InputError, NotFound
from openceir.store.migrate import upgrade
from openceir.store.session import connect
from openceir.web import create_app

GRANT = {"grant_type": "client_credentials"}


@pytest.fixture
def engine(settings):
    engine = connect(settings.sqlalchemy_url)
    upgrade(engine)
    return engine


def _basic(ident: str, secret: str) -> dict[str, str]:
    return {"authorization": "Basic " + base64.b64encode(f"{ident}:{secret}".encode()).decode()}


def test_add_rotate_revoke_through_the_web_token_endpoint(settings, engine) -> None:
    secret = clients.add_client(engine, "t", "alpha-eir", ["ceir-lists"], "alpha")
    web = TestClient(create_app(settings, engine=engine))
    first = web.post("/api/v1/oauth2/token", data=GRANT, headers=_basic("alpha-eir", secret))
    assert first.status_code == 200 and first.json()["scope"] == "ceir-lists"
    token = first.json()["access_token"]
    runs = web.get("/api/v1/lists/runs", headers={"authorization": f"Bearer {token}"})
    assert runs.status_code == 200
    new = clients.rotate_client(engine, "t", "alpha-eir")
    old = web.post("/api/v1/oauth2/token", data=GRANT, headers=_basic("alpha-eir", secret))
    assert (old.status_code, old.json()["error"]) == (401, "invalid_client")
    assert (
        web.post("/api/v1/oauth2/token", data=GRANT, headers=_basic("alpha-eir", new)).status_code
        == 200
    )
    clients.revoke_client(engine, "t", "alpha-eir")
    gone = web.post("/api/v1/oauth2/token", data=GRANT, headers=_basic("alpha-eir", new))
    assert gone.status_code == 401
    with pytest.raises(NotFound):
        clients.rotate_client(engine, "t", "alpha-eir")
    assert [c.revoked for c in clients.list_clients(engine)] == [True]


def test_bad_ids_and_scopes_are_refused(engine) -> None:
    with pytest.raises(InputError, match="client id"):
        clients.add_client(engine, "t", "bad id", ["ceir-lists"])
    with pytest.raises(InputError, match="scope 'root'"):
        clients.add_client(engine, "t", "ok-id", ["root"])


def test_legacy_toml_clients_keep_working_and_the_store_wins(settings, engine) -> None:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    (settings.data_dir / clients.CLIENTS_FILE).write_text(
        'signing_key = "legacy-key-0123456789"\n'
        '[[clients]]\nid = "old"\nsecret = "old-secret"\nscopes = ["ceir-lists"]\n'
        '[[clients]]\nid = "both"\nsecret = "file-secret"\nscopes = ["ceir-lists"]\n'
    )
    store_secret = clients.add_client(engine, "t", "both", ["ceir-admin"])
    authority = clients.load_authority(settings, engine)
    assert authority.issue("old", "old-secret", None)["scope"] == "ceir-lists"
    assert authority.issue("both", store_secret, None)["scope"] == "ceir-admin"
    with pytest.raises(InputError):
        authority.issue("both", "file-secret", None)
    clients.revoke_client(engine, "t", "both")
    with pytest.raises(InputError):
        clients.load_authority(settings, engine).issue("both", "file-secret", None)
    listed = {c.id: c.source for c in clients.list_clients(engine, settings)}
    assert listed == {"both": "store", "old": clients.CLIENTS_FILE}


def test_signing_key_is_made_once_with_mode_0600(tmp_path) -> None:
    key = clients.signing_key(tmp_path)
    assert clients.signing_key(tmp_path) == key and len(key) == 64
    assert (tmp_path / clients.KEY_FILE).stat().st_mode & 0o777 == 0o600
