"""`render(request, template, ctx)`: one page in the site's layout, language and CSRF handled.

Templates live in `openceir/web/templates/` (one per page, `_`-prefixed partials) and extend
`base.html`. Every template gets `_` (gettext in the request's language), `csrf_field()`
(the hidden CSRF input for a form), `principal` (None for a visitor), `menu`, `lang`
and `request`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from openceir import __version__
from openceir.web.portal import i18n, nav
from openceir.web.portal.guard import CSRF_COOKIE, CSRF_FIELD, csrf_token, current_principal

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
YEAR = 365 * 24 * 3600


def environment(directory: Path = TEMPLATES) -> Environment:
    """The Jinja2 environment: autoescaped HTML, strict about undefined names."""
    from jinja2 import StrictUndefined

    return Environment(
        loader=FileSystemLoader(directory),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )


def language(request: Request) -> i18n.Language:
    """The request's language (see `openceir.web.portal.i18n.pick`)."""
    return i18n.pick(request.cookies.get(i18n.COOKIE), request.headers.get("accept-language"))


def gettext_for(request: Request):
    """The gettext function of the request's language."""
    catalogs = request.app.state.catalogs
    return (catalogs.get(language(request).code) or catalogs[i18n.DEFAULT]).gettext


def render(
    request: Request, template: str, ctx: dict[str, Any] | None = None, *, status: int = 200
) -> HTMLResponse:
    """The page `template` rendered for this request, as an HTML response."""
    lang = language(request)
    catalogs = request.app.state.catalogs
    catalog = catalogs.get(lang.code) or catalogs[i18n.DEFAULT]
    token = csrf_token(request)
    who = current_principal(request)
    settings = request.app.state.settings

    def csrf_field() -> Markup:
        return Markup('<input type="hidden" name="{}" value="{}">').format(
            CSRF_FIELD, escape(token)
        )

    context = {
        "request": request,
        "_": catalog.gettext,
        "gettext": catalog.gettext,
        "ngettext": catalog.ngettext,
        "csrf_field": csrf_field,
        "csrf_token": token,
        "principal": who,
        "menu": nav.menu(who),
        "role_label": catalog.gettext(nav.ROLE_LABELS.get(who.role, who.role)) if who else "",
        "lang": lang,
        "languages": list(i18n.LANGUAGES.values()),
        "region": settings.region.name,
        "version": __version__,
        "path": request.url.path,
        **(ctx or {}),
    }
    html = request.app.state.templates.get_template(template).render(context)
    response = HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})
    new_cookie = getattr(request.state, "new_csrf_cookie", None)
    if new_cookie:
        response.set_cookie(
            CSRF_COOKIE,
            new_cookie,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            path="/",
        )
    return response


__all__ = ["TEMPLATES", "YEAR", "environment", "gettext_for", "language", "render"]
