"""The app factory: everything the web needs is passed in; no hidden globals."""

from __future__ import annotations

from fastapi import FastAPI

from openceir import __version__
from openceir.eir.oauth import Authority
from openceir.resolve.record import ResolverContext
from openceir.settings import Settings
from openceir.web import auth, errors, handles, kym, ledger, lists


def create_app(settings: Settings, *, authority: Authority | None = None) -> FastAPI:
    """Build the ASGI app for these settings: API, standard interfaces and portal.

    `authority` holds the OAuth2 machine clients; by default they are read from
    `<data dir>/oauth-clients.toml` (none: every protected route answers 401).
    """
    app = FastAPI(
        title="openceir",
        version=__version__,
        description="Central Equipment Identity Register: REST API and standard interfaces.",
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.resolver_context = ResolverContext(settings)
    errors.install(app)
    auth.install(app, authority if authority is not None else auth.load_authority(settings))
    app.include_router(handles.router)

    @app.get("/api/v1/health", tags=["meta"])
    def health() -> dict[str, str]:
        """Liveness: the process answers and knows its version."""
        return {"status": "ok", "version": __version__}

    app.include_router(ledger.router(settings))
    app.include_router(lists.router(settings))
    app.include_router(kym.router(settings))
    return app
