"""The OpenAPI document says what the app really answers: 400, 401, 403, 404, 413, never 422.

FastAPI documents a 422 for every route with parameters; this app answers validation errors
with 400 ProblemDetails (`openceir.web.errors`). The document is rewritten once: 422 goes,
400 comes for every operation with parameters or a body, 404 for every path with a
parameter, 413 for every operation with a body, 405 nowhere (it is not per operation).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from openceir.web.errors import PROBLEM_SCHEMA, problem_responses


def rewrite(document: dict[str, Any], body_limits: Mapping[str, int]) -> dict[str, Any]:
    """`document` with its error responses made true (see the module docstring)."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas["ProblemDetails"] = PROBLEM_SCHEMA
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            responses.pop("422", None)
            wanted = []
            if operation.get("parameters") or operation.get("requestBody"):
                wanted.append(400)
            if "{" in path:
                wanted.append(404)
            if operation.get("requestBody") or path in body_limits or method in ("post", "put"):
                wanted.append(413)
            for status, entry in problem_responses(*wanted).items():
                responses.setdefault(str(status), entry)
    return document


def install(app: FastAPI, body_limits: Mapping[str, int]) -> None:
    """Serve the rewritten document at the app's `openapi_url`."""

    def custom() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            app.openapi_schema = rewrite(document, body_limits)
        return app.openapi_schema

    app.openapi = custom  # type: ignore[method-assign]


__all__ = ["install", "rewrite"]
