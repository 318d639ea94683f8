"""Map openceir's error families to HTTP status codes and RFC 9457 ProblemDetails bodies."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from openceir.errors import ConfigError, InputError, IntegrityError, NotFound, OpenceirError
from openceir.tlog import EntryTooLarge, InvalidTilePath, TlogError

PROBLEM_JSON = "application/problem+json"

STATUS = (
    (NotFound, 404, "Not Found"),
    (InvalidTilePath, 404, "Not Found"),
    ((InputError, EntryTooLarge), 400, "Bad Request"),
    ((IntegrityError, TlogError), 422, "Unprocessable Content"),
    (ConfigError, 500, "Configuration Error"),
)


def problem(status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    """A ProblemDetails response; `extra` carries members such as `cause` or `invalidParams`."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
    }
    body.update({k: v for k, v in extra.items() if v is not None})
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def status_for(exc: OpenceirError | TlogError) -> tuple[int, str]:
    """HTTP status and title for an error family."""
    for family, status, title in STATUS:
        if isinstance(exc, family):
            return status, title
    return 500, "Internal Server Error"


def install(app: FastAPI) -> None:
    """Register the handlers that give every route the same error shape."""

    @app.exception_handler(TlogError)  # tlog stands alone: its own error root
    @app.exception_handler(OpenceirError)
    async def _openceir(_request: Request, exc: OpenceirError | TlogError) -> JSONResponse:
        status, title = status_for(exc)
        invalid = None
        if isinstance(exc, InputError) and exc.field:
            invalid = [{"param": exc.field, "reason": exc.reason}]
        return problem(status, title, str(exc), invalidParams=invalid)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        invalid = [
            {
                "param": ".".join(str(p) for p in err["loc"] if p not in ("query", "body", "path")),
                "reason": err["msg"],
            }
            for err in exc.errors()
        ]
        detail = "; ".join(f"{p['param']}: {p['reason']}" for p in invalid)
        return problem(400, "Bad Request", detail, invalidParams=invalid)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem(exc.status_code, str(exc.detail), str(exc.detail))
