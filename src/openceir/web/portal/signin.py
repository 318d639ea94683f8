"""Sign-in, sign-out and the language switch: the portal's own forms.

Sign-in takes name, password and, for accounts with a second factor, the one-time code, in
one form; it answers the same words whatever was wrong. Success starts a new session (the
old cookie's session is deleted: rotation) and goes to the page that asked for it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from openceir.access import sessions, users
from openceir.store import audit
from openceir.store.session import session_scope
from openceir.web.portal import i18n
from openceir.web.portal.guard import (
    SESSION_COOKIE,
    checked_form,
    current_principal,
    safe_next,
)
from openceir.web.portal.nav import N_
from openceir.web.portal.render import YEAR, render
from openceir.web.rate_limit import client_key, rate_limit

router = APIRouter(include_in_schema=False)
REFUSED = N_("Sign-in failed: check your user name, password and one-time code.")
"""The one refusal message, whatever was wrong (no user enumeration)."""

Form = Annotated[FormData, Depends(checked_form)]


def _field(form: FormData, name: str, limit: int = 200) -> str:
    value = form.get(name)
    return value[:limit] if isinstance(value, str) else ""


@router.get("/sign-in", dependencies=[Depends(rate_limit("public"))])
def sign_in_page(request: Request, next: str = "/home") -> Response:
    """The sign-in form (a signed-in visitor goes straight on)."""
    if current_principal(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "sign_in.html", {"next": safe_next(next), "error": None, "username": ""})


@router.post("/sign-in", dependencies=[Depends(rate_limit("sign-in"))])
async def sign_in(request: Request, form: Form) -> Response:
    """Check the credentials; start a new session or show the one refusal message."""
    username, next_path = _field(form, "username", 64), safe_next(_field(form, "next", 500))
    engine, client = request.app.state.engine, client_key(request)
    try:
        who = await run_in_threadpool(
            users.authenticate,
            engine,
            username,
            _field(form, "password", 1000),
            _field(form, "code", 20),
            client=client,
        )
    except users.SignInFailed:
        context = {"next": next_path, "error": REFUSED, "username": username}
        return render(request, "sign_in.html", context, status=401)
    token = await run_in_threadpool(
        sessions.start, engine, who, replaces=request.cookies.get(SESSION_COOKIE), client=client
    )
    response = RedirectResponse(next_path, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(sessions.ABSOLUTE.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


@router.post("/sign-out")
def sign_out(request: Request, form: Form) -> Response:
    """End the session and go to the home page."""
    who = current_principal(request)
    sessions.end(request.app.state.engine, request.cookies.get(SESSION_COOKIE))
    if who is not None:
        with session_scope(request.app.state.engine) as session:
            audit.record(session, who.actor, "sign-out", None, client=client_key(request))
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/language")
def set_language(request: Request, form: Form) -> Response:
    """Remember the chosen language (a cookie for a year) and go back to the page."""
    code = _field(form, "lang", 8)
    response = RedirectResponse(safe_next(_field(form, "next", 500), "/"), status_code=303)
    if code in i18n.LANGUAGES:
        response.set_cookie(
            i18n.COOKIE,
            code,
            max_age=YEAR,
            samesite="lax",
            path="/",
            secure=request.url.scheme == "https",
            httponly=True,
        )
    return response


__all__ = ["router"]
