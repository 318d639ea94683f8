"""Handle-style resolution (`/api/handles/{prefix}/{suffix}`) for IMEI and TAC records."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from openceir.errors import InputError, NotFound
from openceir.resolve import handle as hdl
from openceir.resolve.record import resolve

router = APIRouter(tags=["resolution"])


@router.get("/api/handles/{prefix}/{suffix}")
def get_handle(
    request: Request,
    prefix: str,
    suffix: str,
    index: Annotated[list[int], Query(description="Only values with these indexes.")] = [],  # noqa: B006
    type: Annotated[list[str], Query(description="Only values of these types.")] = [],  # noqa: B006
) -> JSONResponse:
    """Resolve an identifier handle to its record, in the Handle System REST API shape."""
    settings = request.app.state.settings
    name = f"{prefix}/{suffix}"
    if prefix != settings.handle_prefix:
        return JSONResponse(hdl.prefix_not_here_body(name), status_code=400)
    try:
        kind, ident = hdl.parse_suffix(suffix)
        values = resolve(request.app.state.resolver_context, kind, ident)
    except NotFound:
        return JSONResponse(hdl.not_found_body(name), status_code=404)
    except InputError as exc:
        return JSONResponse(
            {"responseCode": 2, "handle": name, "message": str(exc)}, status_code=400
        )
    return JSONResponse(hdl.record_body(name, hdl.select(values, index, type)))
