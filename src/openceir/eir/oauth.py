"""OAuth2 client credentials for N5g-eir (RFC 6749 §4.4; 3GPP TS 33.501 §13.4.1 scope names).

Clients are configured in a TOML file:

    signing_key = "a long random secret"      # HMAC-SHA256 key for access tokens
    token_lifetime = 3600                    # seconds
    [[clients]]
    id = "amf-alpha"
    secret = "s3cret"
    operator = "alpha"                       # whose checks these are (check events)
    scopes = ["n5g-eir-eic"]

Access tokens are JWS compact tokens (RFC 7515, `alg` HS256) with `sub`, `scope`, `iat`, `exp`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

from openceir.errors import ConfigError, InputError

SCOPE = "n5g-eir-eic"
_HEADER = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').rstrip(b"=")


class TokenError(InputError):
    """A token request or access token that is refused (the OAuth2 `error` code is kept)."""

    def __init__(self, error: str, message: str) -> None:
        self.error = error
        super().__init__(message, field="authorization")


@dataclass(frozen=True)
class Client:
    """A configured OAuth2 client."""

    id: str
    secret: str
    operator: str | None
    scopes: tuple[str, ...]


def _b64(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def _unb64(data: bytes) -> bytes:
    return base64.urlsafe_b64decode(data + b"=" * (-len(data) % 4))


class Authority:
    """Issues and verifies access tokens for the configured clients."""

    def __init__(self, signing_key: bytes, clients: list[Client], lifetime: int = 3600) -> None:
        if len(signing_key) < 16:
            raise ConfigError("OAuth2 signing_key must be at least 16 characters")
        self.key = signing_key
        self.clients = {c.id: c for c in clients}
        self.lifetime = lifetime

    @classmethod
    def from_file(cls, path: Path) -> Authority:
        """Read the clients file, or raise ConfigError naming it."""
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
            return cls(
                str(data["signing_key"]).encode(), clients, int(data.get("token_lifetime", 3600))
            )
        except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"{path}: not a usable OAuth2 clients file: {exc}") from None

    def issue(
        self, client_id: str, secret: str, scope: str | None, now: float | None = None
    ) -> dict[str, object]:
        """The token response for a client_credentials grant, or TokenError."""
        client = self.clients.get(client_id)
        if client is None or not hmac.compare_digest(client.secret.encode(), secret.encode()):
            raise TokenError("invalid_client", "unknown client or wrong secret")
        wanted = scope.split() if scope else list(client.scopes)
        if not wanted or any(s not in client.scopes for s in wanted):
            raise TokenError("invalid_scope", f"scope {scope!r} is not granted to {client_id}")
        now = time.time() if now is None else now
        claims = {
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
        """The claims of a valid `Bearer` token carrying `scope`, or TokenError."""
        if not authorization or not authorization.startswith("Bearer "):
            raise TokenError("invalid_token", "missing Bearer token")
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


__all__ = ["SCOPE", "Authority", "Client", "TokenError"]
