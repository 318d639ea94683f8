"""Bearer tokens: issued for a client's scopes, verified by one HMAC, refused when altered."""

from __future__ import annotations

import pytest

from openceir.access.tokens import Authority, Client, TokenError, bearer_challenge
from openceir.errors import ConfigError

AUTHORITY = Authority(b"0123456789abcdef0123", [Client("c", "s", None, ("ceir-lists",))], 60)


def test_token_verifies_until_it_expires_and_only_for_its_scope() -> None:
    token = AUTHORITY.issue("c", "s", None, now=1000)["access_token"]
    assert AUTHORITY.verify(f"Bearer {token}", "ceir-lists", now=1059)["sub"] == "c"
    with pytest.raises(TokenError) as expired:
        AUTHORITY.verify(f"Bearer {token}", "ceir-lists", now=1060)
    assert expired.value.error == "invalid_token"
    with pytest.raises(TokenError) as scope:
        AUTHORITY.verify(f"Bearer {token}", "ceir-admin", now=1001)
    assert scope.value.error == "insufficient_scope"
    flipped = token[:-3] + ("A" if token[-3] != "A" else "B") + token[-2:]
    with pytest.raises(TokenError):
        AUTHORITY.verify(f"Bearer {flipped}", "ceir-lists", now=1001)


def test_missing_token_has_no_error_code_per_rfc_6750_3_1() -> None:
    with pytest.raises(TokenError) as missing:
        AUTHORITY.verify(None)
    assert missing.value.error == ""
    assert bearer_challenge("") == 'Bearer realm="openceir"'
    assert bearer_challenge("invalid_token") == 'Bearer error="invalid_token"'


def test_short_signing_key_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="at least 16"):
        Authority(b"short")
