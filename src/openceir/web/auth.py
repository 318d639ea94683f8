"""Machine clients of the web API: bearer tokens from `openceir.access`, checked per route.

Roles come from the token's scope:

- scope `ceir-admin`: admin, sees every operator's files;
- scope `ceir-lists` with an `operator` claim (the client's operator): that operator, which
  sees the shared lists and its own, never another operator's;
- scope `ceir-lists` without an operator: the shared lists only (role `reader`).

`POST /api/v1/oauth2/token` issues tokens; it is the same implementation as N5g-eir's
(`openceir.access.token_endpoint`), with HTTP Basic or body client authentication.
Clients live in the store (`openceir clients add`); with none, every protected route
answers 401: nothing is served to anyone by default.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse

from openceir.access import roles, token_endpoint
from openceir.access.roles import Principal
from openceir.access.tokens import SCOPE_ADMIN, SCOPE_LISTS, Authority, TokenError, bearer_challenge
from openceir.web.errors import problem, problem_responses


class Unauthorized(Exception):
    """A request without a usable token (401) or with too little scope (403)."""

    def __init__(self, status: int, error: str, detail: str) -> None:
        self.status, self.error, self.detail = status, error, detail
        super().__init__(detail)


def principal(request: Request, scope: str = SCOPE_LISTS) -> Principal:
    """The caller of `request`, checked for `scope` (admins pass every scope), or Unauthorized."""
    authority: Authority | None = request.app.state.authority
    header = request.headers.get("authorization")
    if authority is None:
        raise Unauthorized(
            401, "invalid_token" if header else "", "no OAuth2 clients are configured"
        )
    try:
        claims = authority.verify(header, SCOPE_ADMIN)
        operator = claims.get("operator")
        return Principal(
            f"client:{claims['sub']}", roles.ADMIN, str(operator) if operator else None
        )
    except TokenError as exc:
        if exc.error != "insufficient_scope":
            raise Unauthorized(401, exc.error, exc.reason) from None
    try:
        claims = authority.verify(header, scope)
    except TokenError as exc:
        raise Unauthorized(403, exc.error, exc.reason) from None
    operator = claims.get("operator")
    role = roles.OPERATOR if operator else roles.READER
    return Principal(f"client:{claims['sub']}", role, str(operator) if operator else None)


TOKEN_FORM = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "required": ["grant_type"],
                    "properties": {
                        "grant_type": {"type": "string", "enum": ["client_credentials"]},
                        "client_id": {"type": "string"},
                        "client_secret": {"type": "string"},
                        "scope": {"type": "string"},
                    },
                }
            }
        },
    },
    "responses": {
        "400": {"description": "Refused request (RFC 6749 §5.2 error JSON)."},
        "401": {"description": "Unknown client or wrong secret (`invalid_client`)."},
        "413": {"description": "Body larger than the token endpoint accepts."},
    },
}


def router() -> APIRouter:
    """`POST /api/v1/oauth2/token`: the client credentials grant (RFC 6749 §4.4)."""
    api = APIRouter(prefix="/api/v1/oauth2", tags=["auth"])

    @api.post("/token", response_class=Response, openapi_extra=TOKEN_FORM)
    async def token(request: Request) -> Response:
        """Issue an access token; client id and secret by HTTP Basic or in the form body."""
        answer = token_endpoint.answer(
            request.app.state.authority,
            request.method,
            request.headers.get("authorization"),
            await request.body(),
        )
        return Response(answer.json(), status_code=answer.status, headers=answer.all_headers())

    return api


AUTH_RESPONSES = problem_responses(401, 403)


def install(app: FastAPI, authority: Authority | None) -> None:
    """Keep the authority on the app, answer Unauthorized as ProblemDetails, add the token route."""
    app.state.authority = authority

    @app.exception_handler(Unauthorized)
    async def _unauthorized(_request: Request, exc: Unauthorized) -> JSONResponse:
        response = problem(
            exc.status, "Unauthorized" if exc.status == 401 else "Forbidden", exc.detail
        )
        response.headers["WWW-Authenticate"] = bearer_challenge(exc.error)
        return response

    app.include_router(router())


__all__ = ["AUTH_RESPONSES", "Principal", "Unauthorized", "install", "principal"]
