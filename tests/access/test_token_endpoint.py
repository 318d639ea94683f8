"""The one token endpoint: client authentication by Basic or body, refusals by RFC 6749 §5.2."""

from __future__ import annotations

import base64

import pytest

from openceir.access import passwords
from openceir.access.token_endpoint import MAX_BODY, answer, basic_credentials
from openceir.access.tokens import Authority, Client

AUTHORITY = Authority(
    b"0123456789abcdef0123",
    [
        Client("amf", passwords.hash_secret("s3cret"), "alpha", ("n5g-eir-eic",)),
        Client("plain", "legacy", None, ("ceir-lists",)),
    ],
)
GRANT = b"grant_type=client_credentials"


def _basic(ident: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{ident}:{secret}".encode()).decode()


def test_basic_and_body_client_authentication_both_issue_tokens() -> None:
    by_basic = answer(AUTHORITY, "POST", _basic("amf", "s3cret"), GRANT)
    by_body = answer(AUTHORITY, "POST", None, GRANT + b"&client_id=amf&client_secret=s3cret")
    assert by_basic.status == by_body.status == 200
    assert by_basic.body["scope"] == "n5g-eir-eic"
    claims = AUTHORITY.verify(f"Bearer {by_basic.body['access_token']}")
    assert (claims["sub"], claims["operator"]) == ("amf", "alpha")
    assert by_basic.all_headers()["cache-control"] == "no-store"


def test_basic_credentials_are_form_decoded_per_rfc_6749_2_3_1() -> None:
    assert basic_credentials(_basic("a%3Ab", "p%20q+r")) == ("a:b", "p q r")
    assert basic_credentials("Basic !!notbase64") is None
    assert basic_credentials("Bearer x") is None


@pytest.mark.parametrize(
    ("method", "auth", "body", "status", "error"),
    [
        ("GET", None, GRANT, 405, "invalid_request"),
        ("POST", None, b"grant_type=password", 400, "unsupported_grant_type"),
        ("POST", None, GRANT + b"&client_id=amf&client_secret=no", 401, "invalid_client"),
        ("POST", _basic("nobody", "x"), GRANT, 401, "invalid_client"),
        ("POST", "Basic %%%", GRANT, 401, "invalid_client"),
        ("POST", _basic("amf", "s3cret"), GRANT + b"&client_id=amf", 400, "invalid_request"),
        ("POST", None, GRANT + b"&grant_type=client_credentials", 400, "invalid_request"),
        ("POST", None, b"\xff\xfe", 400, "invalid_request"),
        ("POST", _basic("amf", "s3cret"), GRANT + b"&scope=ceir-admin", 400, "invalid_scope"),
        ("POST", None, b"a" * (MAX_BODY + 1), 413, "invalid_request"),
    ],
)
def test_refusals(method, auth, body, status, error) -> None:
    refused = answer(AUTHORITY, method, auth, body)
    assert (refused.status, refused.body["error"]) == (status, error)
    assert refused.body["error_description"]


def test_basic_refusal_carries_a_basic_challenge() -> None:
    refused = answer(AUTHORITY, "POST", _basic("amf", "wrong"), GRANT)
    assert refused.headers["www-authenticate"] == 'Basic realm="openceir"'


def test_without_an_authority_every_client_is_unknown() -> None:
    refused = answer(None, "POST", _basic("amf", "s3cret"), GRANT)
    assert (refused.status, refused.body["error"]) == (401, "invalid_client")
    grant = answer(None, "POST", None, b"grant_type=x")
    assert (grant.status, grant.body["error"]) == (400, "unsupported_grant_type")


def test_legacy_plain_secret_still_works() -> None:
    assert answer(AUTHORITY, "POST", _basic("plain", "legacy"), GRANT).status == 200
    assert answer(AUTHORITY, "POST", _basic("plain", "legac"), GRANT).status == 401
