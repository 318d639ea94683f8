"""The OAuth2 token endpoint (RFC 6749 §3.2, §4.4), one implementation for every server.

`answer(authority, method, authorization, body)` is pure: the web app and N5g-eir each read
the request their own way (after their body limit), call it, and send what it returns.
Client authentication by HTTP Basic (§2.3.1, id and secret form-urlencoded first) or by
`client_id`/`client_secret` in the body. A server without OAuth2 clients answers like one
whose clients are all unknown: 401 `invalid_client`.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote_plus

from openceir.access.tokens import Authority, TokenError

MAX_BODY = 16 * 1024
"""Bytes a token request may have: a form with four short fields needs far less."""


@dataclass(frozen=True)
class TokenAnswer:
    """What to send: status, JSON body, extra headers (always `Cache-Control: no-store`)."""

    status: int
    body: dict[str, object]
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> bytes:
        """The body as compact UTF-8 JSON."""
        return json.dumps(self.body, separators=(",", ":")).encode()

    def all_headers(self) -> dict[str, str]:
        """Content type, no-store and the extra headers."""
        return {
            "content-type": "application/json",
            "cache-control": "no-store",
            "pragma": "no-cache",
            **self.headers,
        }


def _refuse(status: int, error: str, detail: str, **headers: str) -> TokenAnswer:
    return TokenAnswer(status, {"error": error, "error_description": detail}, headers)


def basic_credentials(authorization: str | None) -> tuple[str, str] | None:
    """(client id, secret) from an HTTP Basic header, decoded per RFC 6749 §2.3.1; else None."""
    if not authorization or authorization[:6].lower() != "basic ":
        return None
    try:
        raw = base64.b64decode(authorization[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    ident, sep, secret = raw.partition(":")
    if not sep:
        return None
    return unquote_plus(ident), unquote_plus(secret)


def answer(
    authority: Authority | None, method: str, authorization: str | None, body: bytes
) -> TokenAnswer:
    """The token endpoint's answer to one request (never raises for bad input)."""
    if method != "POST":
        return _refuse(405, "invalid_request", "use POST", allow="POST")
    if len(body) > MAX_BODY:
        return _refuse(413, "invalid_request", f"a token request has at most {MAX_BODY} bytes")
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=20)
    except (UnicodeDecodeError, ValueError):
        return _refuse(
            400, "invalid_request", "the body is not a UTF-8 form (x-www-form-urlencoded)"
        )
    form: dict[str, str] = {}
    for name, value in pairs:
        if name in form:
            return _refuse(400, "invalid_request", f"parameter {name} is given twice")
        form[name] = value
    if form.get("grant_type") != "client_credentials":
        return _refuse(400, "unsupported_grant_type", "grant_type must be client_credentials")
    basic = basic_credentials(authorization)
    if authorization and authorization[:6].lower() == "basic " and basic is None:
        return _refuse(
            401,
            "invalid_client",
            "the Basic credentials are not base64 of id:secret",
            **{"www-authenticate": 'Basic realm="openceir"'},
        )
    if basic is not None and ("client_id" in form or "client_secret" in form):
        return _refuse(400, "invalid_request", "use one client authentication method, not two")
    client_id, secret = basic or (form.get("client_id", ""), form.get("client_secret", ""))
    challenge = {"www-authenticate": 'Basic realm="openceir"'} if basic else {}
    if authority is None:
        return _refuse(401, "invalid_client", "no OAuth2 clients are configured", **challenge)
    try:
        issued = authority.issue(client_id, secret, form.get("scope"))
    except TokenError as exc:
        if exc.error == "invalid_client":
            return _refuse(401, exc.error, exc.reason, **challenge)
        return _refuse(400, exc.error, exc.reason)
    return TokenAnswer(200, issued)


__all__ = ["MAX_BODY", "TokenAnswer", "answer", "basic_credentials"]
