"""Who is signed in, what they may open, and the CSRF check on every form.

For pages: `Depends(require_role(...))` gives the signed-in `Principal` or answers for
them: 303 to the sign-in page without a session, 403 with the wrong role. Forms are read
through `Depends(checked_form)`, which refuses (403) a missing or wrong CSRF token.

CSRF tokens are HMAC-SHA256 of a per-session secret (signed in) or of a random per-browser
cookie (before sign-in, for the sign-in and language forms), under the portal's key.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from urllib.parse import quote

from fastapi import Request
from starlette.datastructures import FormData

from openceir.access import sessions
from openceir.access.roles import Principal
from openceir.web.portal.nav import N_

SESSION_COOKIE = "ceir_session"
CSRF_COOKIE = "ceir_csrf"
CSRF_FIELD = "csrf_token"
MAX_FORM_FIELDS = 50


class SignInRequired(Exception):
    """The page needs a session; the answer is a redirect to the sign-in page."""

    def __init__(self, next_path: str) -> None:
        self.next_path = next_path
        super().__init__(next_path)


class PageError(Exception):
    """An HTML page's refusal (403, 404, ...), rendered in the site's layout."""

    def __init__(self, status: int, message: str) -> None:
        self.status, self.message = status, message
        super().__init__(message)


def current_session(request: Request) -> sessions.WebSession | None:
    """The request's live session (loaded once per request), or None."""
    if not hasattr(request.state, "web_session"):
        token = request.cookies.get(SESSION_COOKIE)
        request.state.web_session = (
            sessions.load(request.app.state.engine, token) if token else None
        )
    return request.state.web_session


def current_principal(request: Request) -> Principal | None:
    """The signed-in principal, or None for a visitor."""
    found = current_session(request)
    return found.principal if found else None


def require_role(*roles: str) -> Callable[[Request], Principal]:
    """A dependency: the signed-in principal if its role is one of `roles` (admin always)."""

    def dependency(request: Request) -> Principal:
        who = current_principal(request)
        if who is None:
            raise SignInRequired(request.url.path)
        if roles and not who.has_role(*roles):
            raise PageError(403, N_("Your account's role does not give access to this page."))
        return who

    return dependency


signed_in = require_role()
"""A dependency: any signed-in principal."""


def _anonymous_secret(request: Request) -> str:
    value = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_csrf_cookie", None)
    if not value or len(value) > 100:
        value = secrets.token_urlsafe(24)
        request.state.new_csrf_cookie = value
    return value


def csrf_token(request: Request) -> str:
    """The CSRF token to put in this request's forms."""
    found = current_session(request)
    secret = found.csrf_secret if found else "anon:" + _anonymous_secret(request)
    return hmac.new(request.app.state.portal_key, secret.encode(), hashlib.sha256).hexdigest()


def _expected(request: Request) -> str | None:
    found = current_session(request)
    if found is not None:
        secret = found.csrf_secret
    elif (cookie := request.cookies.get(CSRF_COOKIE)) and len(cookie) <= 100:
        secret = "anon:" + cookie
    else:
        return None
    return hmac.new(request.app.state.portal_key, secret.encode(), hashlib.sha256).hexdigest()


async def checked_form(request: Request) -> FormData:
    """The form of a POST whose CSRF token is right; PageError 403 otherwise."""
    form = await request.form(max_files=0, max_fields=MAX_FORM_FIELDS)
    given = form.get(CSRF_FIELD)
    expected = _expected(request)
    if not isinstance(given, str) or expected is None or not hmac.compare_digest(given, expected):
        raise PageError(
            403,
            N_(
                "This form has expired or did not come from this site. Go back, reload the "
                "page and send it again."
            ),
        )
    return form


def safe_next(value: str | None, default: str = "/home") -> str:
    """A same-site path to go to after a form (never another site: no `//`, no scheme)."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value[:500]
    return default


def sign_in_url(next_path: str) -> str:
    """The sign-in page, coming back to `next_path` afterwards."""
    return "/sign-in?next=" + quote(safe_next(next_path), safe="/")


__all__ = [
    "CSRF_COOKIE",
    "CSRF_FIELD",
    "SESSION_COOKIE",
    "PageError",
    "SignInRequired",
    "checked_form",
    "csrf_token",
    "current_principal",
    "current_session",
    "require_role",
    "safe_next",
    "sign_in_url",
    "signed_in",
]
