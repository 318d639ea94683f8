"""The portal: server-rendered pages for people (Jinja2 on FastAPI, no JavaScript).

How a lane adds a page (see docs/portal.md):

    from openceir.web.portal import render, require_role
    router = APIRouter(include_in_schema=False)

    @router.get("/cases")
    def cases(request: Request, who: Principal = Depends(require_role(POLICE))):
        return render(request, "cases.html", {"rows": ...})

then include the router in `openceir.web.app`, add a `NavItem` to `nav.NAV` and the route's
expected answers to tests/web/test_route_matrix.py.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

from openceir.access import keyfile
from openceir.settings import Settings
from openceir.web.portal import audit_log, home, i18n, nav, signin
from openceir.web.portal.guard import (
    PageError,
    SignInRequired,
    checked_form,
    current_principal,
    require_role,
    sign_in_url,
    signed_in,
)
from openceir.web.portal.render import TEMPLATES, environment, render

STATIC = TEMPLATES.parent / "static"
KEY_FILE = "portal-secret.key"
API_PREFIXES = ("/api/", "/ledger/")


def wants_page(request: Request) -> bool:
    """Whether an error for this request should be an HTML page rather than ProblemDetails."""
    path = request.url.path
    if path.startswith(API_PREFIXES):
        return False
    return "text/html" in request.headers.get("accept", "")


def error_page(request: Request, status: int, message: str) -> Response:
    """An error as a page in the site's layout (status kept)."""
    return render(request, "error.html", {"status": status, "message": message}, status=status)


def install(app: FastAPI, settings: Settings, engine: Engine) -> None:
    """Add the portal's state, error pages, static files and pages to `app`."""
    app.state.engine = engine
    app.state.portal_key = keyfile.read_or_create(settings.data_dir / KEY_FILE)
    app.state.catalogs = i18n.load_catalogs()
    app.state.templates = environment()
    app.state.error_page = lambda request, status, message: (
        error_page(request, status, message) if wants_page(request) else None
    )

    @app.exception_handler(SignInRequired)
    async def _sign_in(_request: Request, exc: SignInRequired) -> Response:
        return RedirectResponse(sign_in_url(exc.next_path), status_code=303)

    @app.exception_handler(PageError)
    async def _page_error(request: Request, exc: PageError) -> Response:
        return error_page(request, exc.status, exc.message)

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(home.router)
    app.include_router(signin.router)
    app.include_router(audit_log.router)


__all__ = [
    "PageError",
    "SignInRequired",
    "checked_form",
    "current_principal",
    "install",
    "nav",
    "render",
    "require_role",
    "signed_in",
    "wants_page",
]
