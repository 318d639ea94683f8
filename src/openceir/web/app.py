"""The app factory: everything the web needs is passed in; no hidden globals.

One app for every audience: the portal's pages (`openceir.web.portal`), the REST API under
`/api/v1`, Handle resolution and the ledger's files. Middleware, outermost first: security
headers, body limits per route.
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import FastAPI
from sqlalchemy import Engine

from openceir import __version__
from openceir.access import clients, token_endpoint
from openceir.access.tokens import Authority
from openceir.resolve.record import ResolverContext
from openceir.settings import Settings
from openceir.store.session import connect
from openceir.web import auth, errors, handles, kym, ledger, lists, openapi, portal
from openceir.web import cases as web_cases
from openceir.web.body_limit import BodyLimit
from openceir.web.headers import SecurityHeaders
from openceir.web.rate_limit import RateLimits

BODY_LIMITS: dict[str, int] = {
    "/api/v1/oauth2/token": token_endpoint.MAX_BODY,
    "/ledger/witness/add-checkpoint": ledger.MAX_WITNESS_BODY,
    "/api/v1/kym/bulk": kym.MAX_BULK_BODY,
}
"""Bytes a request body may have, per route template (others: `body_limit.DEFAULT`).
A route that takes uploads adds its own line here."""


def create_app(
    settings: Settings,
    *,
    authority: Authority | None = None,
    engine: Engine | None = None,
    rate_limits: Mapping[str, str] | None = None,
) -> FastAPI:
    """Build the ASGI app for these settings: portal, API and standard interfaces.

    `authority` holds the OAuth2 machine clients; by default the store's clients (and a
    legacy `<data dir>/oauth-clients.toml`). `rate_limits` overrides the per-bucket limits
    (`web.rate_limit.DEFAULT_LIMITS`).
    """
    app = FastAPI(
        title="openceir",
        version=__version__,
        description="Central Equipment Identity Register: REST API and standard interfaces.",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    engine = engine or connect(settings.sqlalchemy_url, check=False)
    app.state.settings = settings
    app.state.resolver_context = ResolverContext(settings)
    app.state.rate_limits = RateLimits(rate_limits)
    errors.install(app)
    auth.install(
        app, authority if authority is not None else clients.load_authority(settings, engine)
    )
    portal.install(app, settings, engine)
    app.include_router(handles.router)

    @app.get("/api/v1/health", tags=["meta"])
    def health() -> dict[str, str]:
        """Liveness: the process answers and knows its version."""
        return {"status": "ok", "version": __version__}

    app.include_router(ledger.router(settings))
    app.include_router(lists.router(settings))
    app.include_router(kym.router(settings))
    web_cases.install(app, settings)
    openapi.install(app, BODY_LIMITS)
    app.add_middleware(BodyLimit, limits=BODY_LIMITS)
    app.add_middleware(SecurityHeaders)
    return app
