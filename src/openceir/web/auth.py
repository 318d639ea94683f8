"""Machine clients of the web API: OAuth2 client credentials (RFC 6749 §4.4) with scopes.

The same clients file and token format as N5g-eir (`openceir.eir.oauth.Authority`), so one
`oauth-clients.toml` serves both. Roles come from the token:

- scope `ceir-admin`: admin, sees every operator's files;
- scope `ceir-lists` with an `operator` claim (the client's `operator` in the file): that
  operator, which sees the shared lists and its own, never another operator's;
- scope `ceir-lists` without an operator: the shared lists only.

`POST /api/v1/oauth2/token` issues tokens. Without a clients file every protected route
answers 401: nothing is served to anyone by default.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse

from openceir.eir.oauth import Authority, TokenError
from openceir.settings import Settings
from openceir.web.errors import problem

SCOPE_LISTS = "ceir-lists"
SCOPE_ADMIN = "ceir-admin"
CLIENTS_FILE = "oauth-clients.toml"


@dataclass(frozen=True)
class Principal:
    """Who is calling: an audit actor, a role (admin / operator / reader) and its operator."""

    actor: str
    role: str
    operator: str | None = None

    def may_read_operator(self, operator: str) -> bool:
        """Whether this caller may read files with `operator`'s subscriber data."""
        return self.role == "admin" or (self.role == "operator" and self.operator == operator)


class Unauthorized(Exception):
    """A request without a usable token (401) or with too little scope (403)."""

    def __init__(self, status: int, error: str, detail: str) -> None:
        self.status, self.error, self.detail = status, error, detail
        super().__init__(detail)


def load_authority(settings: Settings) -> Authority | None:
    """The clients of `<data dir>/oauth-clients.toml`, or None when there is no such file."""
    path = settings.paths.oauth_clients
    return Authority.from_file(path) if path.is_file() else None


def principal(request: Request, scope: str = SCOPE_LISTS) -> Principal:
    """The caller of `request`, checked for `scope` (admins pass every scope), or Unauthorized."""
    authority: Authority | None = request.app.state.authority
    if authority is None:
        raise Unauthorized(401, "invalid_token", "no OAuth2 clients are configured on this CEIR")
    header = request.headers.get("authorization")
    try:
        claims = authority.verify(header, SCOPE_ADMIN)
        return Principal(f"client:{claims['sub']}", "admin", claims.get("operator"))  # type: ignore[arg-type]
    except TokenError as exc:
        if exc.error != "insufficient_scope":
            raise Unauthorized(401, exc.error, exc.reason) from None
    try:
        claims = authority.verify(header, scope)
    except TokenError as exc:
        raise Unauthorized(403, exc.error, exc.reason) from None
    operator = claims.get("operator")
    role = "operator" if operator else "reader"
    return Principal(f"client:{claims['sub']}", role, str(operator) if operator else None)


def router() -> APIRouter:
    """`POST /api/v1/oauth2/token`: the client credentials grant."""
    api = APIRouter(prefix="/api/v1/oauth2", tags=["auth"])

    @api.post("/token")
    async def token(request: Request) -> JSONResponse:
        """Issue an access token for `grant_type=client_credentials` (form body)."""
        authority: Authority | None = request.app.state.authority
        form = dict(parse_qsl((await request.body())[:16384].decode("utf-8", "replace")))

        def refuse(status: int, error: str, detail: str) -> JSONResponse:
            body = {"error": error, "error_description": detail}
            return JSONResponse(body, status_code=status, headers={"Cache-Control": "no-store"})

        if authority is None:
            return refuse(400, "invalid_client", "no OAuth2 clients are configured")
        if form.get("grant_type") != "client_credentials":
            return refuse(400, "unsupported_grant_type", "grant_type must be client_credentials")
        try:
            issued = authority.issue(
                form.get("client_id", ""), form.get("client_secret", ""), form.get("scope")
            )
        except TokenError as exc:
            return refuse(401 if exc.error == "invalid_client" else 400, exc.error, exc.reason)
        return JSONResponse(issued, headers={"Cache-Control": "no-store"})

    return api


def install(app: FastAPI, authority: Authority | None) -> None:
    """Keep the authority on the app, answer Unauthorized as ProblemDetails, add the token route."""
    app.state.authority = authority

    @app.exception_handler(Unauthorized)
    async def _unauthorized(_request: Request, exc: Unauthorized) -> JSONResponse:
        response = problem(
            exc.status, "Unauthorized" if exc.status == 401 else "Forbidden", exc.detail
        )
        response.headers["WWW-Authenticate"] = f'Bearer error="{exc.error}"'
        return response

    app.include_router(router())


__all__ = [
    "CLIENTS_FILE",
    "SCOPE_ADMIN",
    "SCOPE_LISTS",
    "Principal",
    "Unauthorized",
    "install",
    "load_authority",
    "principal",
]
