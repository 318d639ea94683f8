"""OAuth2 client credentials (RFC 6749 §4.4) and bearer tokens (RFC 6750), for every API.

One `Authority` serves the web API and N5g-eir (3GPP TS 33.501 §13.4.1 scope names). Its
clients come from the store (`openceir clients add`, secrets hashed with argon2id) and, as a
migration path, from a TOML file of the older form:

    signing_key = "a long random secret"      # HMAC-SHA256 key for access tokens
    token_lifetime = 3600                    # seconds
    [[clients]]
    id = "amf-alpha"
    secret = "s3cret"                        # or an argon2id hash
    operator = "alpha"                       # whose checks these are (check events)
    scopes = ["n5g-eir-eic"]

Access tokens are JWS compact tokens (RFC 7515, `alg` HS256) with `sub`, `scope`, `iat`, `exp`
and, for an operator's client, `operator`. Verifying one is a single HMAC: no store access.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from openceir.access import passwords
from openceir.errors import ConfigError, InputError

SCOPE = "n5g-eir-eic"
SCOPE_LISTS = "ceir-lists"
SCOPE_ADMIN = "ceir-admin"
SCOPES = (SCOPE, SCOPE_LISTS, SCOPE_ADMIN)
_HEADER = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').rstrip(b"=")


class TokenError(InputError):
    """A token request or access token that is refused (the OAuth2 `error` code is kept)."""

    def __init__(self, error: str, message: str) -> None:
        self.error = error
        super().__init__(message, field="authorization")


@dataclass(frozen=True)
class Client:
    """A configured OAuth2 client; `secret` is an argon2id hash or, from old TOML, plain."""

    id: str
    secret: str
    operator: str | None
    scopes: tuple[str, ...]


def _b64(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def _unb64(data: bytes) -> bytes:
    return base64.urlsafe_b64decode(data + b"=" * (-len(data) % 4))


ClientLookup = Callable[[str], "Client | None"]


class Authority:
    """Issues and verifies access tokens for the clients `lookup` finds."""

    def __init__(
        self,
        signing_key: bytes,
        clients: Iterable[Client] | ClientLookup = (),
        lifetime: int = 3600,
    ) -> None:
        if len(signing_key) < 16:
            raise ConfigError("OAuth2 signing_key must be at least 16 characters")
        self.key = signing_key
        if callable(clients):
            self.lookup: ClientLookup = clients
        else:
            table = {c.id: c for c in clients}
            self.lookup = table.get
        self.lifetime = lifetime

    @classmethod
    def from_file(cls, path: Path) -> Authority:
        """Read a TOML clients file, or raise ConfigError naming it."""
        key, clients, lifetime = read_clients_file(path)
        return cls(key, clients, lifetime)

    def issue(
        self, client_id: str, secret: str, scope: str | None, now: float | None = None
    ) -> dict[str, object]:
        """The token response for a client_credentials grant, or TokenError."""
        client = self.lookup(client_id) if client_id else None
        if client is None:
            passwords.dummy_verify(secret)
            raise TokenError("invalid_client", "unknown client or wrong secret")
        if not passwords.verify(client.secret, secret):
            raise TokenError("invalid_client", "unknown client or wrong secret")
        wanted = scope.split() if scope else list(client.scopes)
        if not wanted or any(s not in client.scopes for s in wanted):
            raise TokenError("invalid_scope", f"scope {scope!r} is not granted to {client_id}")
        now = time.time() if now is None else now
        claims: dict[str, object] = {
            "sub": client_id,
            "scope": " ".join(wanted),
            "iat": int(now),
            "exp": int(now) + self.lifetime,
        }
        if client.operator:
            claims["operator"] = client.operator
        body = _HEADER + b"." + _b64(json.dumps(claims, separators=(",", ":")).encode())
        token = body + b"." + _b64(hmac.digest(self.key, body, hashlib.sha256))
        return {
            "access_token": token.decode(),
            "token_type": "Bearer",
            "expires_in": self.lifetime,
            "scope": claims["scope"],
        }

    def verify(
        self, authorization: str | None, scope: str = SCOPE, now: float | None = None
    ) -> dict[str, object]:
        """The claims of a valid `Bearer` token carrying `scope`, or TokenError.

        A request with no token gets error code "" (RFC 6750 §3.1: no error code when the
        request carried no authentication).
        """
        if not authorization:
            raise TokenError("", "missing Bearer token")
        if not authorization.startswith("Bearer "):
            raise TokenError("invalid_token", "the Authorization header is not a Bearer token")
        token = authorization[7:].strip().encode()
        try:
            header, payload, sig = token.split(b".")
            good = hmac.compare_digest(
                _unb64(sig), hmac.digest(self.key, header + b"." + payload, hashlib.sha256)
            )
            claims = json.loads(_unb64(payload)) if good else None
        except (ValueError, json.JSONDecodeError):
            claims = None
        if not isinstance(claims, dict) or header != _HEADER:
            raise TokenError("invalid_token", "token signature or format is invalid")
        if int(claims.get("exp", 0)) <= (time.time() if now is None else now):
            raise TokenError("invalid_token", "token has expired")
        if scope not in str(claims.get("scope", "")).split():
            raise TokenError("insufficient_scope", f"token lacks scope {scope}")
        return claims


def read_clients_file(path: Path) -> tuple[bytes, list[Client], int]:
    """Signing key, clients and token lifetime of a TOML clients file, or ConfigError."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        clients = [
            Client(
                str(c["id"]),
                str(c["secret"]),
                c.get("operator"),
                tuple(c.get("scopes", [SCOPE])),
            )
            for c in data.get("clients", [])
        ]
        return str(data["signing_key"]).encode(), clients, int(data.get("token_lifetime", 3600))
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"{path}: not a usable OAuth2 clients file: {exc}") from None


def bearer_challenge(error: str) -> str:
    """The `WWW-Authenticate` value for a refused bearer token (RFC 6750 §3)."""
    return f'Bearer error="{error}"' if error else 'Bearer realm="openceir"'


__all__ = [
    "SCOPE",
    "SCOPES",
    "SCOPE_ADMIN",
    "SCOPE_LISTS",
    "Authority",
    "Client",
    "TokenError",
    "bearer_challenge",
    "read_clients_file",
]
