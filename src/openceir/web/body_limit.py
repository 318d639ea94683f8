"""Request body limits per route, answered 413 before a large body is read (RFC 9110 §15.5.14).

An ASGI middleware: a declared `Content-Length` over the route's limit is refused at once;
a streamed (chunked) body is counted as it arrives and refused the moment it passes the
limit. Limits are keyed by route path template; other routes get `DEFAULT`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

DEFAULT = 64 * 1024
"""Bytes any route accepts unless it is given its own limit (forms and JSON are small)."""


class BodyTooLarge(Exception):
    """The body passed the limit while it was being read."""


def _problem(limit: int) -> bytes:
    return json.dumps(
        {
            "type": "about:blank",
            "title": "Content Too Large",
            "status": 413,
            "detail": f"the request body is larger than this route accepts ({limit} bytes)",
        }
    ).encode()


class BodyLimit:
    """Refuse bodies over the route's limit with 413 ProblemDetails."""

    def __init__(
        self, app: ASGIApp, limits: Mapping[str, int] | None = None, default: int = DEFAULT
    ) -> None:
        self.app = app
        self.default = default
        self.routes: list[tuple[re.Pattern[str], int]] = [
            (compile_path(path)[0], limit) for path, limit in (limits or {}).items()
        ]

    def limit_for(self, path: str) -> int:
        """The limit of the first route template matching `path`, else the default."""
        for pattern, limit in self.routes:
            if pattern.match(path):
                return limit
        return self.default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(send, limit)
            return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge:
            if started:
                raise
            await _refuse(send, limit)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _refuse(send: Send, limit: int) -> None:
    body = _problem(limit)
    headers: list[Any] = [
        (b"content-type", b"application/problem+json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})


__all__ = ["DEFAULT", "BodyLimit", "BodyTooLarge"]
