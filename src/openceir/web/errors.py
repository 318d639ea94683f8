"""Map openceir's error families to HTTP status codes and RFC 9457 ProblemDetails bodies.

Every JSON route answers errors in this one shape (tests/web/test_error_shape.py walks the
route table to pin it); the portal's HTML pages answer the same status with a page
(`openceir.web.portal.guard`). Bodies are bounded: at most `MAX_INVALID` entries in
`invalidParams` and `MAX_DETAIL` characters of detail, whatever the request held.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from openceir.errors import ConfigError, InputError, IntegrityError, NotFound, OpenceirError
from openceir.tlog import EntryTooLarge, InvalidTilePath, TlogError

PROBLEM_JSON = "application/problem+json"
MAX_INVALID = 10
MAX_DETAIL = 1000
MAX_REASON = 200

STATUS = (
    (NotFound, 404, "Not Found"),
    (InvalidTilePath, 404, "Not Found"),
    ((InputError, EntryTooLarge), 400, "Bad Request"),
    ((IntegrityError, TlogError), 422, "Unprocessable Content"),
    (ConfigError, 500, "Configuration Error"),
)

TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Content Too Large",
    429: "Too Many Requests",
}

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "invalidParams": {
            "type": "array",
            "maxItems": MAX_INVALID,
            "items": {
                "type": "object",
                "properties": {"param": {"type": "string"}, "reason": {"type": "string"}},
            },
        },
    },
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries for these error statuses, all ProblemDetails."""
    return {
        status: {
            "description": TITLES.get(status, "Error"),
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}},
        }
        for status in statuses
    }


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def problem(status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    """A ProblemDetails response; `extra` carries members such as `cause` or `invalidParams`."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": _clip(detail, MAX_DETAIL),
    }
    body.update({k: v for k, v in extra.items() if v is not None})
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def status_for(exc: OpenceirError | TlogError) -> tuple[int, str]:
    """HTTP status and title for an error family."""
    for family, status, title in STATUS:
        if isinstance(exc, family):
            return status, title
    return 500, "Internal Server Error"


def invalid_params(errors: list[dict[str, Any]]) -> tuple[list[dict[str, str]], str]:
    """The first `MAX_INVALID` validation errors as invalidParams, and a bounded detail line."""
    invalid = [
        {
            "param": ".".join(str(p) for p in err["loc"] if p not in ("query", "body", "path")),
            "reason": _clip(str(err["msg"]), MAX_REASON),
        }
        for err in errors[:MAX_INVALID]
    ]
    detail = "; ".join(f"{p['param']}: {p['reason']}" for p in invalid)
    if len(errors) > MAX_INVALID:
        detail += f"; and {len(errors) - MAX_INVALID} more invalid parameters"
    return invalid, detail


def _page(request: Request, status: int, detail: str) -> Response | None:
    """The portal's HTML error page for a browser's page request, if the app has a portal."""
    make = getattr(request.app.state, "error_page", None)
    return make(request, status, _clip(detail, MAX_DETAIL)) if make else None


def install(app: FastAPI) -> None:
    """Register the handlers that give every route the same error shape."""

    @app.exception_handler(TlogError)  # tlog stands alone: its own error root
    @app.exception_handler(OpenceirError)
    async def _openceir(request: Request, exc: OpenceirError | TlogError) -> Response:
        status, title = status_for(exc)
        if (page := _page(request, status, str(exc))) is not None:
            return page
        invalid = None
        if isinstance(exc, InputError) and exc.field:
            invalid = [{"param": exc.field, "reason": _clip(exc.reason, MAX_REASON)}]
        return problem(status, title, str(exc), invalidParams=invalid)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        invalid, detail = invalid_params(list(exc.errors()))
        if (page := _page(request, 400, detail)) is not None:
            return page
        return problem(400, "Bad Request", detail, invalidParams=invalid)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        response = _page(request, exc.status_code, str(exc.detail)) or problem(
            exc.status_code, TITLES.get(exc.status_code, str(exc.detail)), str(exc.detail)
        )
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response


__all__ = [
    "MAX_DETAIL",
    "MAX_INVALID",
    "PROBLEM_JSON",
    "PROBLEM_SCHEMA",
    "install",
    "invalid_params",
    "problem",
    "problem_responses",
    "status_for",
]
