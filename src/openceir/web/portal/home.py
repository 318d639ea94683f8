"""The landing page for everyone, and "my pages" for a signed-in person."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from openceir.access.roles import Principal
from openceir.web.portal import nav
from openceir.web.portal.guard import signed_in
from openceir.web.portal.render import render
from openceir.web.rate_limit import rate_limit

router = APIRouter(include_in_schema=False)


@router.get("/", dependencies=[Depends(rate_limit("public"))])
def landing(request: Request) -> Response:
    """What this site is, the public checks anyone can make, and the way to sign in."""
    return render(request, "home.html", {"checks": nav.PUBLIC_CHECKS})


@router.get("/home")
def my_pages(request: Request, who: Annotated[Principal, Depends(signed_in)]) -> Response:
    """A signed-in person's start page: who they are and the pages their role opens."""
    return render(request, "my_pages.html", {"role_text": nav.ROLE_TEXTS.get(who.role, "")})


__all__ = ["router"]
